"""Report: one self-contained HTML file (inline CSS, script and SVG; no external resource), rendered from the
templates ``privacy-kg serve`` uses (``kg/templates/report.html`` with the practice cards and retention bars of
``_macros.html``).

Sections: an overview; the companies, each a collapsible section with its jurisdiction (the places it is taken to be
under, why, and so which of GDPR and CCPA are due: ``kg.jurisdiction``), its practice card, retention bars, missing
requirements and the sentences its chips link to (a search box filters them; open when there are at most
``NETWORK_MAX`` companies); data categories x companies (a matrix of practice codes, or past ``NETWORK_MAX``
companies a heatmap of the most named categories); each company's longest retention period, with its bound; the
company-recipient network as an SVG drawing (up to ``NETWORK_MAX`` companies; past that it is an unreadable
hairball and the heatmap stands in for it); the completeness matrices when a validation result is given (a
requirement of a profile not due for a policy's jurisdiction is "n/a" there, never missing). Tables
keep their header row in view while scrolling (sticky headers), and the page fits a phone's width.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape

import networkx as nx
from markupsafe import Markup
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.cards import EvidenceItem, evidence, policy_cards
from kg.graphio import short_name
from kg.jurisdiction import policy_scopes
from kg.shacl import MATRIX_TITLES, MET, MISSING, Validation
from kg.sharing import NetworkResult, analyse
from kg.templating import STATIC, environment, slug
from kg.vocab import PPKG

NETWORK_MAX = 12  # companies up to which the network is drawn (and companies start open); past it, the heatmap
HEAT_COLUMNS = 40  # data categories in the heatmap: those the most companies name
CODE_ORDER = "CUS$RT"


@dataclass
class ReportLinks:
    """The report's links: a chip, cell or bar links to the anchor of its first sentence, listed under its company.

    Each distinct sentence of a policy is listed once however many chips link to it (what keeps the file small
    at 200 companies)."""

    graph: Graph
    listed: dict[str, dict[tuple, tuple[str, EvidenceItem]]] = field(default_factory=dict)  # policy -> sentences

    def evidence(self, policy: str, statements, title: str = "") -> str:
        items = evidence(self.graph, statements, policy)
        if not items:
            return f"#company-{slug(policy)}"
        return "#" + [self._anchor(policy, e) for e in items][0]

    def _anchor(self, policy: str, e: EvidenceItem) -> str:
        listed = self.listed.setdefault(policy, {})
        key = (e.start, e.end, e.text)
        if key not in listed:
            listed[key] = (f"s-{slug(policy)}-{len(listed) + 1}", e)
        return listed[key][0]

    def sentences(self, policy: str) -> Markup:
        """The listed sentences of ``policy``, in document order (rendered after its card, so every link of the
        card is registered by then)."""
        listed = sorted(self.listed.get(policy, {}).values(), key=lambda a: (a[1].start or -1, a[0]))
        if not listed:
            return Markup('<p class="empty">No sentence linked.</p>')
        out = []
        for anchor, e in listed:
            out.append(f'<div class="ev" id="{anchor}"><blockquote>{escape(e.text)}</blockquote><p class="src">'
                       f'{escape(e.source)}{" · § " + escape(e.section) if e.section else ""} · characters '
                       f'{e.start}–{e.end} · rule {escape(e.rule)}{" · negated" if e.negated else ""}</p></div>')
        return Markup("".join(out))


def heat(n: int) -> int:
    """The shade of a heatmap cell with ``n`` statements: 0 none, 1 one, 2 two or three, 3 four to seven, 4 more.

    >>> [heat(n) for n in (0, 1, 3, 7, 8)]
    [0, 1, 2, 3, 4]
    """
    return 0 if n <= 0 else 1 if n == 1 else 2 if n <= 3 else 3 if n <= 7 else 4


def render_html(graph: Graph, validation: Validation | None = None, *, title: str = "Privacy policies") -> str:
    """The whole report as one HTML document (a string). ``validation``: the ``kg.shacl.Validation`` of ``graph``
    to add the completeness section (its GDPR and CCPA matrices); None leaves it out."""
    cards = sorted(policy_cards(graph), key=lambda c: (c.company.casefold(), c.source))
    net = analyse(graph)
    links = ReportLinks(graph)
    small = len(cards) <= NETWORK_MAX
    used = Counter(d for c in cards for d in c.cells)
    categories = [URIRef(d) for d, _ in sorted(used.items(), key=lambda kv: (-kv[1], _label(kv[0])))]
    code_rows = []
    if small:
        for d in categories:
            cells = []
            for card in cards:
                codes = card.cells.get(str(d), {})
                order = sorted(codes, key=lambda k: (CODE_ORDER.find(k.lstrip("¬")), k.startswith("¬")))
                statements = [s for k in order for s in codes[k]]
                cells.append((card, " ".join(order), statements, bool(order) and all(k.startswith("¬") for k in order)))
            code_rows.append((d, cells))
    matrices = list(validation.matrices) if validation is not None else []
    findings: dict[str, list] = {}
    missing: dict[str, int] = {}
    met: dict[tuple, str] = {}
    for m in matrices:
        for (policy, shape), cell in m.cells.items():
            if cell.status == MET:  # registered now, so the sentences are listed under the company
                met[(policy, shape)] = links.evidence(str(policy), [str(f.node) for f in cell.facts])
            if cell.status == MISSING:
                missing[str(policy)] = missing.get(str(policy), 0) + 1
                findings.setdefault(str(policy), []).extend(r for r in cell.results
                                                            if r not in findings.get(str(policy), []))
    core = _findings(validation) if validation is not None and not matrices else None
    # each policy's jurisdiction: as the validation applied it, else read the same way (kg.jurisdiction)
    scopes = {str(p): s for p, s in (validation.scopes if validation is not None and validation.scopes
                                     else policy_scopes(graph)).items()}
    forced = validation.profile if validation is not None and not validation.scoped and \
        validation.profile in MATRIX_TITLES else None
    longest = []
    for card in cards:
        stated = [p for p in card.periods if p.endless or p.days is not None]
        longest.append((card, stated[0] if stated else (card.periods[0] if card.periods else None)))
    longest.sort(key=lambda cp: (cp[1] is None, not (cp[1] and cp[1].endless),
                                 -(cp[1].days or 0) if cp[1] else 0, cp[0].company.casefold()))
    anchors: dict[str, str] = {}
    for card in cards:
        org = graph.value(URIRef(card.policy), URIRef("http://purl.org/dc/terms/publisher"))
        if org is not None:
            anchors.setdefault(str(org), f"#company-{slug(card.policy)}")
    css = (STATIC / "app.css").read_text(encoding="utf-8")
    js = (STATIC / "app.js").read_text(encoding="utf-8")
    env = environment()
    return env.get_template("report.html").render(
        title=title, cards=cards, links=links, open=small, heatmap=not small,
        heat_columns=[(str(d), _label(str(d), casefold=False)) for d in categories[:HEAT_COLUMNS]],
        categories=categories, code_rows=code_rows, heat=heat,
        longest=longest, network_svg=Markup(network_svg(net, anchors)) if small else None, network_max=NETWORK_MAX,
        shared=net.shared_recipients(), headlines=net.headlines(top=5),
        recipients=sum(1 for _, t in net.company_recipient.nodes(data="type") if t == "recipient"),
        statements=len(set(graph.subjects(RDF.type, PPKG.Statement))), matrices=matrices,
        titles=MATRIX_TITLES, core=core, findings=findings, missing=missing, met=met, scopes=scopes, forced=forced,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        css=Markup(css), js=Markup(js)) + "\n"


def _findings(validation: Validation) -> dict:
    """For a profile without requirement matrices (core): its findings grouped by policy and requirement."""
    groups: dict[str, dict[str, list]] = {}
    for found in validation.result.results:
        group = validation.labels.get(found.focus) or short_name(found.focus)
        groups.setdefault(group, {}).setdefault(found.shape or short_name(found.source_shape), []).append(found)
    rows = [(group, req, ", ".join(sorted({r.severity for r in results})), len(results),
             "; ".join(sorted({r.message for r in results}))[:300])
            for group, by_req in sorted(groups.items()) for req, results in sorted(by_req.items())]
    return {"rows": rows, "conforms": validation.conforms, "counts": validation.result.counts}


def _label(iri: str, casefold: bool = True) -> str:
    from kg.templating import term_text

    text = term_text(URIRef(iri))
    return text.casefold() if casefold else text


def network_svg(net: NetworkResult, anchors: dict[str, str]) -> str:
    """The company-recipient network as an SVG drawing, as wide as the screen (companies left, recipients right;
    a line's width grows with the data categories shared); ``anchors``: company IRI -> its section's anchor."""
    g = net.company_recipient
    width, pad = 1000, 40
    if len(g) == 0:
        return '<p class="empty">No company states that it shares data.</p>'
    companies = sorted((n for n, t in g.nodes(data="type") if t == "company"), key=lambda n: (net.label(n), n))
    rank = {n: i for i, n in enumerate(companies)}
    recipients = sorted((n for n, t in g.nodes(data="type") if t == "recipient"),
                        key=lambda n: (sum(rank[c] for c in g.neighbors(n)) / max(g.degree(n), 1), net.label(n)))
    ordered = nx.Graph()
    ordered.add_nodes_from(companies + recipients)
    height = max(260, 2 * pad + 38 * max(len(companies), len(recipients)))
    # networkx's bipartite layout: companies in one column, recipients (ordered by the mean row of the companies
    # they receive from, which keeps lines short) in the other
    pos = nx.bipartite_layout(ordered, companies, align="vertical") if companies else {}
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    x_left, x_right = 300, width - 300
    sx = (x_right - x_left) / ((max(xs) - min(xs)) or 1)
    sy = (height - 2 * pad) / ((max(ys) - min(ys)) or 1)
    at = {n: (x_left + (x - min(xs)) * sx, pad + (y - min(ys)) * sy) for n, (x, y) in pos.items()}
    if not recipients or not companies:
        at = {n: (width / 2, pad + i * 38) for i, n in enumerate(companies + recipients)}
    parts = []
    for a, b, d in sorted(g.edges(data=True), key=lambda e: (e[0], e[1])):
        company, recipient = (a, b) if g.nodes[a]["type"] == "company" else (b, a)
        (x1, y1), (x2, y2) = at[company], at[recipient]
        w = 1 + 1.5 * math.log2(d["weight"] + 1)
        label = f"{net.label(company)} → {net.label(recipient)}: {', '.join(d['categories'])}"
        line = (f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#8c959f" '
                f'stroke-opacity=".7" stroke-width="{w:.1f}"><title>{escape(label)}</title></line>')
        href = anchors.get(company)
        parts.append(f'<a href="{escape(href)}">{line}</a>' if href else line)
    for n, attrs in sorted(g.nodes(data=True), key=lambda kv: (kv[1]["type"] != "recipient", kv[0])):
        x, y = at[n]
        company = attrs["type"] == "company"
        r, fill = (11, "#0b3d62") if company else (5 + 3 * g.degree(n), "#e36209")
        label = attrs["label"]
        circle = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{fill}" stroke="#fff" stroke-width="2">'
                  f'<title>{escape(label)}</title></circle>')
        href = anchors.get(n) if company else None
        parts.append(f'<a href="{escape(href)}">{circle}</a>' if href else circle)
        tx, side = (x - r - 8, "end") if company else (x + r + 8, "start")
        parts.append(f'<text x="{tx:.1f}" y="{y + 4:.1f}" font-size="13" font-weight="{700 if company else 400}" '
                     f'text-anchor="{side}" fill="#1f2328">{escape(label[:40])}'
                     f'{"" if company else f" ({g.degree(n)})"}</text>')
    return (f'<svg class="network" role="img" aria-label="company-recipient network" width="100%" '
            f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>')


__all__ = ["NETWORK_MAX", "heat", "network_svg", "render_html"]
