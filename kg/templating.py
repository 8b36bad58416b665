"""The templates of ``privacy-kg serve`` and ``privacy-kg report`` (``kg/templates``) and their Jinja2 environment."""
from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from rdflib import URIRef

from kg.graphio import short_name

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "web" / "static"


@cache
def environment() -> Environment:
    """The Jinja2 environment of the web app and the report: the same templates, autoescaping on (policy text is
    hostile input), filters for RDF terms, query strings and retention bars."""
    from kg.concepts import vocabulary
    from kg.sparql import parse_param

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.do"])
    env.filters["term"] = term_text
    env.filters["qs"] = lambda params: urlencode(params, doseq=True)
    env.filters["scale"] = log_scale
    env.filters["period_text"] = period_text
    env.filters["to_iri"] = parse_param
    env.filters["concepts"] = lambda iris: sorted((vocabulary().concepts[i] for i in iris),
                                                  key=lambda c: c.label.casefold())
    env.filters["neutral"] = lambda t: "" if t is None else (t[1] if t[0] != "bnode" else f"_:{t[1]}")
    env.filters["slug"] = slug
    env.globals.update(zip=zip, dict=dict)
    return env


def slug(text: str) -> str:
    """An id for an anchor: letters, digits and hyphens (a policy IRI's hash part stays unique).

    >>> slug("https://w3id.org/privacy-kg/id/policy/8f3bd460b95d3ab8")
    'policy-8f3bd460b95d3ab8'
    """
    tail = "-".join(str(text).rstrip("/").rsplit("/", 2)[-2:])
    return "".join(ch if ch.isalnum() else "-" for ch in tail.lower()).strip("-")


def period_text(p) -> str:
    """"at most P1Y — for a period of up to 1 year" (what the retention bar shows)."""
    if p.endless:
        return f"indefinitely — {p.phrase}" if p.phrase else "indefinitely"
    if p.days is None:
        return f"no stated length — {p.phrase}" if p.phrase else "no stated length"
    head = " ".join(x for x in (p.bound, p.iso) if x)
    tail = f" after {p.trigger.casefold()}" if p.trigger else ""
    return f"{head}{tail} — {p.phrase}" if p.phrase else head + tail


def log_scale(days: float | None, lo: float = 1.0, hi: float = 365 * 20) -> float:
    """A retention length's position on the 1 day .. 20 years log axis, 0..1 (past the end: 1)."""
    if days is None or math.isinf(days):
        return 1.0
    return min(max((math.log10(max(days, lo)) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)), 0.0), 1.0)


def term_text(term) -> str:
    """A result cell for people: a concept's label, an IRI's short name, a literal's text."""
    from kg.concepts import vocabulary

    if term is None:
        return ""
    if isinstance(term, URIRef):
        c = vocabulary().concepts.get(term)
        return c.label if c else short_name(term)
    return str(term)
