"""Policy versions: the policies of one controller ordered by their policy date, and naming one of them.

The controller is the policy's ``dct:publisher``, whose IRI comes from the legal name, so the same company has the
same IRI in every document; its policies are ordered by their policy date (``dct:modified``), undated ones first.
``kg.store._plan_add`` decides when a file is kept as a new version rather than replacing one; ``kg.compare`` says
what changed between two versions.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from rdflib import URIRef

from kg.errors import KgError
from kg.graphio import short_name
from kg.normalize.organisations import slug
from kg.sparql import QueryResult
from kg.tabular import DELIMITED, delimited
from kg.view import build_label
from kg.vocab import PREFIXES

FORMATS = ("text", "markdown", "json", "csv", "tsv")
VERSION_COLUMNS = ("controller", "controller_iri", "date", "same_date", "source", "statements", "policy",
                   "built_by")


@dataclass(frozen=True)
class Version:
    iri: str
    source: str
    date: str | None
    statements: int
    controller_iri: str | None
    controller: str | None
    built_by: str | None = None  # "privacy-kg 0.9.0, rules 1a2b3c4d" (prov:wasGeneratedBy); None for older graphs


@dataclass(frozen=True)
class Controller:
    """One controller's policies ordered by date (undated first, then by source file and IRI)."""

    iri: str | None  # None: policies that name no controller, grouped by source file
    name: str
    versions: tuple[Version, ...]

    @property
    def same_date(self) -> list[str]:
        """Dates that more than one of these policies carry (kept, and flagged by ``versions``)."""
        dates = [v.date for v in self.versions if v.date]
        return sorted({d for d in dates if dates.count(d) > 1})


VERSIONS_QUERY = """
SELECT ?policy ?src ?date ?org (MIN(?name) AS ?orgName) (COUNT(DISTINCT ?s) AS ?n) (SAMPLE(?sw) AS ?software)
       (SAMPLE(?rules) AS ?ruleSet) WHERE {
  ?policy a ppkg:PrivacyPolicy .
  OPTIONAL { ?policy prov:wasGeneratedBy ?build . ?build ppkg:softwareVersion ?sw .
             OPTIONAL { ?build ppkg:ruleSetVersion ?rules } }
  OPTIONAL { ?policy ppkg:sourceFile ?src }
  OPTIONAL { ?policy dct:modified ?date }
  OPTIONAL { ?policy dct:publisher ?org . OPTIONAL { ?org dpv:hasName ?name } }
  OPTIONAL { ?policy ppkg:hasPractice|ppkg:hasStatement|ppkg:hasRightStatement ?s }
} GROUP BY ?policy ?src ?date ?org
"""


def _strings(result: QueryResult) -> list[dict[str, str | None]]:
    return [{v: (str(t) if t is not None else None) for v, t in zip(result.vars, row)} for row in result.rows]


def _order(v: Version) -> tuple:
    return (v.date is not None, v.date or "", v.source, v.iri)


def list_versions(rows: QueryResult) -> list[Controller]:
    """Every controller's policies, ordered by date, from the ``rows`` of ``VERSIONS_QUERY`` (run over a graph or
    inside a store); controllers sorted by name."""
    groups: dict[str, list[Version]] = defaultdict(list)
    for r in _strings(rows):
        built = build_label(r.get("software"), r.get("ruleSet"))
        v = Version(iri=str(r["policy"]), source=r["src"] or "", date=r["date"], statements=int(r["n"] or 0),
                    controller_iri=r["org"], controller=r["orgName"], built_by=built)
        groups[v.controller_iri or f"source:{v.source or v.iri}"].append(v)
    out = []
    for versions in groups.values():
        versions.sort(key=_order)
        first = versions[-1]
        iri = first.controller_iri
        name = first.controller or (short_name(URIRef(iri)) if iri else f"(no controller found) {first.source}")
        out.append(Controller(iri, name, tuple(versions)))
    return sorted(out, key=lambda c: (c.iri is None, c.name.lower(), c.iri or ""))


def latest_policies(controllers: Iterable[Controller]) -> list[str]:
    """The IRI of each controller's newest policy (the last of its versions; policies that name no controller are
    grouped by source file), sorted: what ``--latest`` reads."""
    return sorted(c.versions[-1].iri for c in controllers)


def controller_named(controllers: list[Controller], name: str) -> Controller:
    """The controller called ``name``: its IRI, its name or slug (any case), else the only one whose name
    contains it. Raises ``KgError`` when none or several match."""
    wanted = name.strip()
    exact = [c for c in controllers if c.iri and (wanted in (c.iri, short_name(URIRef(c.iri)))
                                                  or c.name.casefold() == wanted.casefold()
                                                  or c.iri.rsplit("/", 1)[-1] == slug(wanted))]
    found = exact or [c for c in controllers if wanted.casefold() in c.name.casefold()]
    if len(found) == 1:
        return found[0]
    if not found:
        known = ", ".join(c.name for c in controllers) or "none"
        raise KgError(name, "no such controller", hint=f"the stored controllers: {known}")
    raise KgError(name, f"names {len(found)} controllers ({'; '.join(c.name for c in found)})",
                  hint="give the full name or the controller IRI")


def find_version(versions: Iterable[Version], ref: str) -> Version:
    """The stored policy named by ``ref``: its IRI (or ``kgid:policy/...``), its source file name when only one
    policy has it, or ``SOURCE@DATE`` (e.g. ``acme.txt@2024-03-01``)."""
    versions = list(versions)
    iri = ref if "://" in ref else (str(PREFIXES["kgid"]) + ref.split(":", 1)[1] if ref.startswith("kgid:") else None)
    if iri is not None:
        found = [v for v in versions if v.iri == iri]
    else:
        found = [v for v in versions if v.source == ref]
        src, sep, date = ref.rpartition("@")
        if not found and sep:
            found = [v for v in versions if v.source == src and v.date == date]
    if len(found) == 1:
        return found[0]
    if not found:
        raise KgError(ref, "no such stored policy",
                      hint="name a stored policy by source file, SOURCE@DATE or policy IRI (see privacy-kg versions)")
    dates = ", ".join(f"{v.source}@{v.date or 'undated'}" for v in sorted(found, key=_order))
    raise KgError(ref, f"names {len(found)} stored policies ({dates})", hint="give SOURCE@DATE or the policy IRI")


def render_versions(controllers: list[Controller], fmt: str = "text") -> str:
    """The version list as ``text``, ``markdown``, ``json``, or ``csv`` / ``tsv`` (one row per version,
    ``VERSION_COLUMNS``); a date shared by two policies of one controller is flagged ("same date")."""
    if fmt in DELIMITED:
        return delimited(VERSION_COLUMNS, ([c.name, c.iri, v.date, "true" if v.date in c.same_date else "false",
                                            v.source, v.statements, v.iri, v.built_by or ""]
                                           for c in controllers for v in c.versions),
                         fmt)
    if fmt == "json":
        return json.dumps([{"controller": c.name, "iri": c.iri, "same_date": c.same_date,
                            "versions": [asdict(v) for v in c.versions]} for c in controllers],
                          ensure_ascii=False, indent=2) + "\n"
    md = fmt == "markdown"
    out = []
    for c in controllers:
        n = len(c.versions)
        title = f"{c.name} ({short_name(URIRef(c.iri))})" if c.iri else c.name
        out.append(f"## {title}: {n} version{'s' * (n != 1)}" if md else f"{title}: {n} version{'s' * (n != 1)}")
        if md:
            out.append("| date | source | statements | policy | built by |\n|---|---|---|---|---|")
        for v in c.versions:
            flag = " (same date)" if v.date in c.same_date else ""
            date = (v.date or "undated") + flag
            cell = v.source.replace("|", "\\|")
            built = v.built_by or "unknown"
            out.append(f"| {date} | {cell} | {v.statements} | `{short_name(URIRef(v.iri))}` | {built} |"
                       if md else
                       f"  {date:<12} {v.source:<24} {v.statements:>4} statements  {short_name(URIRef(v.iri))}"
                       f"  ({built})")
        if md:
            out.append("")
    return "\n".join(out) + "\n" if out else ("no policies stored\n")


__all__ = ["FORMATS", "VERSIONS_QUERY", "Controller", "Version", "controller_named", "find_version", "latest_policies",
           "list_versions", "render_versions"]
