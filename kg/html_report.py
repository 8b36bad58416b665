"""Report: one self-contained HTML file (inline CSS and SVG, no scripts, no external resources).

Sections: an overview; per-company practice cards; a data categories x companies matrix; a retention chart
(stated durations as bars on a log scale, unstated ones marked); the company-recipient network as an SVG
drawing; the completeness matrix when a validation result is given; and the evidence: every chip, cell, bar and
edge links to an entry listing the sentences behind it (text, source file, character offsets, rule).
"""
from __future__ import annotations

import math
from importlib import resources
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape

import networkx as nx
from rdflib import Graph, URIRef
from rdflib.term import Node

from kg.graphio import short_name
from kg.shacl import MATRIX_TITLES, MET, MISSING, NOT_APPLICABLE, Validation
from kg.sharing import NetworkResult, analyse
from kg.view import Labels, Period, PolicyView, StatementView, evidence_of, read_policies
from kg.vocab import PPKG

PRACTICE_CODES = {  # practice kind -> matrix letter, card row (positive), card row (negated)
    "sell": ("$", "Sells to", "Does not sell"),
    "share": ("S", "Shares with", "Does not share"),
    "collect": ("C", "Collects", "Does not collect"),
    "use": ("U", "Uses for", "Does not use"),
    "retain": ("R", "Retention", "Does not retain"),
    "transfer": ("T", "Transfers to", "Does not transfer"),
}
OTHER_ROWS = {"right": "Rights", "legal_basis": "Legal bases", "audience": "Audiences", "dnt": "Do Not Track",
              "security": "Security", "choice": "Choices", "change": "Policy changes"}  # other kind -> card row
CARD_ROWS = ["Collects", "Does not collect", "Uses for", "Does not use", "Shares with", "Sells to", "Does not share",
             "Does not sell", "Retention", "Transfers to", "Legal bases", "Rights", "Audiences", "Do Not Track",
             "Choices", "Security", "Policy changes"]

CSS = "\n" + (resources.files("kg") / "report.css").read_text(encoding="utf-8")  # inlined: the report loads nothing


@dataclass
class _Evidence:
    """Evidence groups: a set of statements (or other nodes with evidence) gets one anchor."""

    graph: Graph
    negated: set[Node]  # the negative statements, marked in their entries
    groups: dict[tuple[str, ...], tuple[str, str]] = field(default_factory=dict)  # key -> (anchor, heading)

    def link(self, nodes: Iterable[Node], heading: str) -> str | None:
        key = tuple(sorted({str(n) for n in nodes if (n, PPKG.evidence, None) in self.graph}))
        if not key:
            return None
        if key not in self.groups:
            self.groups[key] = (f"ev-{len(self.groups) + 1}", heading)
        return "#" + self.groups[key][0]

    def html(self) -> str:
        out = []
        for key, (anchor, heading) in self.groups.items():
            items = []
            for node in map(URIRef, key):
                negated = " · negated" if node in self.negated else ""
                for e in evidence_of(self.graph, node):
                    items.append((e.source, e.start if e.start is not None else -1, (
                        f"<blockquote>{escape(' '.join(e.text.split()))}</blockquote><div class=src>"
                        f"{escape(e.source)} · characters {escape(str(e.start))}–{escape(str(e.end))} · rule "
                        f"{escape(e.rule)}{negated} · {escape(short_name(node))}</div>")))
            body = "".join(i[2] for i in sorted(items))
            out.append(f'<div class=ev id="{anchor}"><h4>{escape(heading)}</h4>{body}</div>')
        return "\n".join(out)


def _chip(text: str, href: str | None, cls: str = "") -> str:
    c = f"chip {cls}".strip()
    if href:
        return f'<a class="{c}" href="{escape(href)}">{escape(text)}</a>'
    return f'<span class="{c}">{escape(text)}</span>'


@dataclass
class _Company:
    policy: PolicyView
    name: str
    source: str
    rows: dict[str, dict[str, list[Node]]] = field(default_factory=dict)  # card row -> chip -> statements
    cells: dict[URIRef, dict[str, list[Node]]] = field(default_factory=dict)  # category -> code -> statements
    periods: list[tuple[Node, Period]] = field(default_factory=list)  # (statement, retention period)

    def add(self, row: str, chip: str, node: Node) -> None:
        self.rows.setdefault(row, {}).setdefault(chip, []).append(node)


def _collect(policies: list[PolicyView], labels: Labels) -> list[_Company]:
    out = []
    for policy in policies:
        source = policy.source or short_name(policy.iri)
        org = policy.controller
        c = _Company(policy, labels(org.iri) if org is not None else f"(no controller) {source}", source)
        for s in sorted(policy.statements, key=lambda s: str(s.iri)):
            if s.kind in PRACTICE_CODES:
                _add_practice(c, s, labels)
                continue
            row = ("Not: " if s.negated else "") + OTHER_ROWS[s.kind]
            values = s.notifications if s.kind == "change" else [labels(v) for v in s.values]
            for text in values or ["stated"]:
                c.add(row, text + (f" (under {s.ages[0]})" if s.ages else ""), s.iri)
        out.append(c)
    return sorted(out, key=lambda c: (c.name.lower(), c.source))


def _add_practice(c: _Company, s: StatementView, labels: Labels) -> None:
    """A data practice's chips on the card and its cells in the data x companies matrix."""
    code, row_pos, row_neg = PRACTICE_CODES[s.kind]
    data = sorted(s.data, key=labels)
    for d in data:
        c.cells.setdefault(d, {}).setdefault(("¬" if s.negated else "") + code, []).append(s.iri)
    recipients = [labels.party(r) for r in sorted(s.recipients, key=lambda r: labels(r.iri))]
    if s.negated:
        what = ", ".join(labels(d) for d in data) or "data"
        c.add(row_neg, what + (" with " + ", ".join(recipients) if recipients else ""), s.iri)
    elif s.kind in ("share", "sell"):
        for name in recipients or ["unspecified recipients"]:
            c.add(row_pos, name, s.iri)
    elif s.kind == "collect":
        for d in data:
            c.add(row_pos, labels(d), s.iri)
    elif s.kind == "use":
        for purpose in sorted(s.purposes, key=labels):
            c.add(row_pos, labels(purpose), s.iri)
    elif s.kind == "retain":
        for period in s.retention:
            c.add(row_pos, period.text or short_name(period.iri), s.iri)
            c.periods.append((s.iri, period))
    elif s.kind == "transfer":
        for country in s.countries or ("another country",):
            c.add(row_pos, country, s.iri)


# -- sections ------------------------------------------------------------------------------------------------
def _cards(companies: list[_Company], ev: _Evidence) -> str:
    cards = []
    for c in companies:
        org = c.policy.controller.iri if c.policy.controller is not None else None
        meta = [c.source]
        if c.policy.controller is not None and c.policy.controller.countries:
            meta.append(str(c.policy.controller.countries[0]).rsplit("#", 1)[-1])
        if c.policy.date is not None:
            meta.append(f"dated {c.policy.date}")
        n = sum(len({x for nodes in chips.values() for x in nodes}) for chips in c.rows.values())
        name_href = ev.link([org], f"{c.name}: controller") if org is not None else None
        title = f'<a href="{escape(name_href)}" style="color:inherit">{escape(c.name)}</a>' if name_href \
            else escape(c.name)
        rows = []
        for row in CARD_ROWS + sorted(set(c.rows) - set(CARD_ROWS)):
            chips = c.rows.get(row)
            if not chips:
                continue
            cls = "neg" if row.startswith(("Does not", "Not:")) else ""
            rendered = "".join(_chip(label, ev.link(nodes, f"{c.name} — {row}: {label}"), cls)
                               for label, nodes in sorted(chips.items(), key=lambda kv: kv[0].lower()))
            rows.append(f"<dt>{escape(row)}</dt><dd>{rendered}</dd>")
        if not any(r in c.rows for r in ("Retention",)):
            rows.append('<dt>Retention</dt><dd><span class="chip warn">no retention statement</span></dd>')
        cards.append(f'<div class=card id="company-{_slug(c.source)}"><h3>{title}</h3>'
                     f'<div class=meta>{escape(" · ".join(meta))} · {n} statements shown</div>'
                     f'<dl>{"".join(rows)}</dl></div>')
    return ('<section id=companies><h2>Companies and their practices</h2>'
            '<p class=legend>Each chip links to the sentences it was read from. Red chips are negative statements '
            '("we do not ...").</p>'
            f'<div class=cards>{"".join(cards)}</div></section>')


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")


def _matrix(companies: list[_Company], ev: _Evidence, labels: Labels) -> str:
    categories = {d for c in companies for d in c.cells}
    order = sorted(categories, key=lambda d: (-sum(d in c.cells for c in companies), labels(d).lower()))
    head = "".join(f"<th>{escape(c.name)}</th>" for c in companies)
    rows = []
    for d in order:
        dl = labels(d)
        cells = []
        for c in companies:
            codes = c.cells.get(d, {})
            if not codes:
                cells.append("<td class=c></td>")
                continue
            order_codes = sorted(codes, key=lambda k: ("CUS$RT".find(k.lstrip("¬")), k.startswith("¬")))
            nodes = [n for k in order_codes for n in codes[k]]
            href = ev.link(nodes, f"{c.name} — {dl}")
            text = " ".join(order_codes)
            only_neg = all(k.startswith("¬") for k in codes)
            cells.append(f'<td class="c {"neg" if only_neg else "has"}"><a href="{escape(href or "#")}" '
                         f'title="{escape(str(len(set(nodes))))} statement(s)">{escape(text)}</a></td>')
        rows.append(f"<tr><th>{escape(dl)}</th>{''.join(cells)}</tr>")
    return ('<section id=matrix><h2>Data categories × companies</h2>'
            '<p class=legend>C collects · U uses · S shares · $ sells · R retains · T transfers abroad · '
            '¬ a negative statement ("we do not ..."). Each cell links to its sentences.</p>'
            f'<div class=scroll><table><tr><th>data category</th>{head}</tr>{"".join(rows)}</table></div></section>')


def _retention(companies: list[_Company], ev: _Evidence) -> str:
    width, left, right, bar_h, gap = 1100, 250, 300, 16, 6
    lo, hi = math.log10(1), math.log10(365 * 20)  # 1 day .. 20 years
    scale = lambda days: left + (math.log10(max(days, 1)) - lo) / (hi - lo) * (width - left - right)  # noqa: E731
    y = 40
    parts = []
    for tick, tick_days in (("1 day", 1), ("1 week", 7), ("1 month", 30), ("1 year", 365), ("10 years", 3650)):
        x = scale(tick_days)
        parts.append(f'<line x1="{x:.1f}" y1="28" x2="{x:.1f}" y2="{{H}}" stroke="#d0d7de" stroke-dasharray="3 3"/>'
                     f'<text x="{x:.1f}" y="20" font-size="11" text-anchor="middle" fill="#57606a">{tick}</text>')
    for c in companies:
        stated, other = [], []
        for s, period in c.periods:
            label = period.text
            if period.kind == "temporal" and period.days is not None:
                stated.append((period.days, label, period.iso or "", s))
            elif period.kind == "endless":
                stated.append((math.inf, label or "indefinitely", "∞", s))
            else:
                other.append((label, s))
        y0 = y
        parts.append(f'<text x="8" y="{y + 12}" font-size="13" font-weight="600" fill="#1f2328">'
                     f'{escape(_cut(c.name, 28))}</text>')
        if not stated:
            text = "no stated period" + (f" — says: {'; '.join(sorted({t for t, _ in other}))}" if other else "")
            href = ev.link([s for _, s in other], f"{c.name} — retention (no stated period)")
            mark = (f'<rect x="{left}" y="{y}" width="{bar_h}" height="{bar_h}" fill="none" stroke="#bf8700" '
                    f'stroke-width="2" stroke-dasharray="3 2"/><text x="{left + bar_h + 6}" y="{y + 12}" '
                    f'font-size="12" fill="#6b4f00">{escape(_cut(text, 130))}</text>')
            parts.append(f'<a href="{escape(href)}">{mark}</a>' if href else mark)
            y += bar_h + gap
        for days, label, iso, s in sorted(stated, key=lambda t: -t[0]):
            endless = math.isinf(days)
            x2 = width - right + 20 if endless else scale(days)
            color = "#82071e" if endless else "#0b6bcb"
            caption = f"{'indefinitely' if endless else iso} — {label}"
            href = ev.link([s], f"{c.name} — retention: {label}")
            bar = (f'<rect x="{left}" y="{y}" width="{max(x2 - left, 2):.1f}" height="{bar_h}" rx="3" '
                   f'fill="{color}"><title>{escape(caption)}</title></rect>'
                   f'<text x="{x2 + 6:.1f}" y="{y + 12}" font-size="11" fill="#1f2328">'
                   f'{escape(_cut(caption, 60))}</text>')
            parts.append(f'<a href="{escape(href)}">{bar}</a>' if href else bar)
            y += bar_h + gap
        if stated and other:
            href = ev.link([s for _, s in other], f"{c.name} — retention without a length")
            t = (f'<text x="{left}" y="{y + 11}" font-size="11" fill="#6b4f00">also, without a length: '
                 f'{escape(_cut("; ".join(sorted({t for t, _ in other})), 120))}</text>')
            parts.append(f'<a href="{escape(href)}">{t}</a>' if href else t)
            y += 16
        parts.append(f'<line x1="0" y1="{y + 2}" x2="{width}" y2="{y + 2}" stroke="#eaeef2"/>')
        y = max(y, y0 + bar_h + gap) + 8
    height = y + 10
    svg = "".join(parts).replace("{H}", str(height - 6))
    return ('<section id=retention><h2>Retention</h2><p class=legend>Stated retention periods per company on a '
            'logarithmic scale (blue: a stated length; red: indefinitely; dashed box: no stated length, with what '
            'the policy says instead). Bars link to their sentences.</p>'
            f'<svg role="img" aria-label="retention chart" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">{svg}</svg></section>')


def _network_svg(net: NetworkResult, ev: _Evidence, companies: list[_Company]) -> str:
    g = net.company_recipient
    width, pad = 1000, 40
    if len(g) == 0:
        return ('<section id=network><h2>Who shares with whom</h2><p>No company states that it shares data.</p>'
                '</section>')
    companies_n = sorted((n for n, t in g.nodes(data="type") if t == "company"), key=lambda n: (net.label(n), n))
    rank = {n: i for i, n in enumerate(companies_n)}
    recipients_n = sorted((n for n, t in g.nodes(data="type") if t == "recipient"),
                          key=lambda n: (sum(rank[c] for c in g.neighbors(n)) / max(g.degree(n), 1), net.label(n)))
    ordered = nx.Graph()
    ordered.add_nodes_from(companies_n + recipients_n)
    height = max(260, 2 * pad + 38 * max(len(companies_n), len(recipients_n)))
    # networkx's bipartite layout: companies in one column, recipients (ordered by the mean row of the companies
    # they receive from, which keeps lines short) in the other
    pos = nx.bipartite_layout(ordered, companies_n, align="vertical") if companies_n else {}
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    x_left, x_right = 300, width - 300
    sx = (x_right - x_left) / ((max(xs) - min(xs)) or 1)
    sy = (height - 2 * pad) / ((max(ys) - min(ys)) or 1)
    at = {n: (x_left + (x - min(xs)) * sx, pad + (y - min(ys)) * sy) for n, (x, y) in pos.items()}
    if len(recipients_n) == 0 or len(companies_n) == 0:
        at = {n: (width / 2, pad + i * 38) for i, n in enumerate(companies_n + recipients_n)}
    stmts_by_edge: dict[tuple[str, str], list[Node]] = {}
    by_name = {str(c.policy.controller.iri): c for c in companies if c.policy.controller is not None}
    for org, c in by_name.items():
        statements: dict[Node, StatementView] = {s.iri: s for s in c.policy.statements}
        for row in ("Shares with", "Sells to"):
            for nodes in c.rows.get(row, {}).values():
                for s in nodes:
                    for r in statements[s].recipients:
                        stmts_by_edge.setdefault((org, str(r.iri)), []).append(s)
    parts = []
    for a, b, d in sorted(g.edges(data=True), key=lambda e: (e[0], e[1])):
        company, recipient = (a, b) if g.nodes[a]["type"] == "company" else (b, a)
        (x1, y1), (x2, y2) = at[company], at[recipient]
        w = 1 + 1.5 * math.log2(d["weight"] + 1)
        label = f"{net.label(company)} → {net.label(recipient)}: {', '.join(d['categories'])}"
        href = ev.link(stmts_by_edge.get((company, recipient), []), label)
        line = (f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#8c959f" '
                f'stroke-opacity=".7" stroke-width="{w:.1f}"><title>{escape(label)}</title></line>')
        parts.append(f'<a href="{escape(href)}">{line}</a>' if href else line)
    for n, attrs in sorted(g.nodes(data=True), key=lambda kv: (kv[1]["type"] != "recipient", kv[0])):
        x, y = at[n]
        if attrs["type"] == "company":
            radius, fill = 11, "#0b3d62"
            anchor = f"#company-{_slug(by_name[n].source)}" if n in by_name else None
        else:
            radius, fill = 5 + 3 * g.degree(n), "#e36209"
            anchor = None
        label = attrs["label"]
        circle = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{fill}" stroke="#fff" stroke-width="2">'
                  f'<title>{escape(label)}</title></circle>')
        parts.append(f'<a href="{escape(anchor)}">{circle}</a>' if anchor else circle)
        company = attrs["type"] == "company"
        tx, anchor_side = (x - radius - 8, "end") if company else (x + radius + 8, "start")
        parts.append(f'<text x="{tx:.1f}" y="{y + 4:.1f}" font-size="13" font-weight="{700 if company else 400}" '
                     f'text-anchor="{anchor_side}" fill="#1f2328">{escape(label[:40])}'
                     f'{"" if company else f" ({g.degree(n)})"}</text>')
    shared = net.shared_recipients()
    findings = "".join(f"<li>{escape(h)}</li>" for h in net.headlines(top=5))
    return ('<section id=network><h2>Who shares with whom</h2><p class=legend>Companies (blue) and the recipients '
            'they share data with (orange, larger = more companies, count in brackets); line width grows with the '
            f'number of data categories shared. {len(shared)} recipient(s) are used by several companies. Lines link '
            'to their sentences.</p>'
            f'<svg role="img" aria-label="company-recipient network" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
            f'<ul>{findings}</ul></section>')


def _completeness(validation: Validation, ev: _Evidence) -> str:
    """The requirement matrices of the validation (gdpr, ccpa), or for a profile without matrices (core) a table
    of its findings per policy and requirement."""
    blocks = []
    for m in validation.matrices:
        title = MATRIX_TITLES[m.profile]
        head = "".join(f'<th title="{escape(r.message)}">{escape(r.name)}</th>' for r in m.requirements)
        rows = []
        for p in m.policies:
            cells = []
            for r in m.requirements:
                cell = m.cells[(p, r.shape)]
                if cell.status == MET:
                    href = ev.link([f.node for f in cell.facts], f"{m.labels[p]} — {r.name}")
                    mark = f'<a href="{escape(href)}">✓</a>' if href else "✓"
                    cells.append(f"<td class=met>{mark}</td>")
                elif cell.status == MISSING:
                    why = "; ".join(sorted({x.message for x in cell.results}))
                    cells.append(f'<td class=missing title="{escape(why)}">✗</td>')
                else:
                    cells.append("<td class=na>–</td>")
            rows.append(f"<tr><th>{escape(m.labels[p])}</th>{''.join(cells)}</tr>")
        c = m.counts
        blocks.append(f"<h3>{escape(title)}</h3><p class=legend>✓ met (links to the facts' sentences) · ✗ missing "
                      f"(hover for what is missing) · – not applicable — {c[MET]} met, {c[MISSING]} missing, "
                      f"{c[NOT_APPLICABLE]} not applicable</p>"
                      f"<div class=scroll><table><tr><th>policy</th>{head}</tr>{''.join(rows)}</table></div>")
    if not blocks:  # findings grouped by policy and requirement
        groups: dict[str, dict[str, list]] = {}
        for found in validation.result.results:
            group = validation.labels.get(found.focus) or short_name(found.focus)
            groups.setdefault(group, {}).setdefault(found.shape or short_name(found.source_shape), []).append(found)
        rows = []
        for group, by_req in sorted(groups.items()):
            for req, results in sorted(by_req.items()):
                sev = sorted({r.severity for r in results})
                msgs = "; ".join(sorted({r.message for r in results}))
                rows.append(f"<tr><th>{escape(group)}</th><td>{escape(req)}</td><td class=missing>"
                            f"{escape(', '.join(sev))}</td><td>{len(results)}</td><td>{escape(msgs[:300])}</td></tr>")
        body = ("<p>Every policy conforms.</p>" if not rows else
                "<div class=scroll><table><tr><th>policy</th><th>requirement</th><th>severity</th><th>results</th>"
                f"<th>message</th></tr>{''.join(rows)}</table></div>")
        c = validation.result.counts
        blocks.append(f"<p class=legend>{'conforms' if validation.conforms else 'does not conform'}: "
                      f"{c['Violation']} violations, {c['Warning']} warnings, {c['Info']} infos</p>{body}")
    return f'<section id=completeness><h2>Completeness</h2>{"".join(blocks)}</section>'


def render_html(graph: Graph, validation: Validation | None = None, *, title: str = "Privacy policies") -> str:
    """The whole report as one HTML document (a string). ``validation``: a ``kg.shacl.Validation`` of ``graph``'s
    policies, to add the completeness section; None leaves it out."""
    policies = read_policies(graph)
    labels = Labels(graph)
    ev = _Evidence(graph, {s.iri for p in policies for s in p.statements if s.negated})
    companies = _collect(policies, labels)
    net = analyse(graph)
    statements = {s.iri for p in policies for s in p.statements}
    stats = [(len(companies), "policies"), (len(statements), "statements"),
             (len({d for c in companies for d in c.cells}), "data categories"),
             (sum(1 for _, t in net.company_recipient.nodes(data="type") if t == "recipient"), "recipients"),
             (len(net.shared_recipients()), "shared recipients")]
    overview = ('<section id=overview><h2>Overview</h2><div class=stats>' + "".join(
        f"<div class=stat><b>{n}</b>{escape(label)}</div>" for n, label in stats) + "</div></section>")
    sections = [overview, _cards(companies, ev), _matrix(companies, ev, labels), _retention(companies, ev),
                _network_svg(net, ev, companies)]
    nav = [("overview", "Overview"), ("companies", "Companies"), ("matrix", "Data × companies"),
           ("retention", "Retention"), ("network", "Network")]
    if validation is not None:
        sections.append(_completeness(validation, ev))
        nav.append(("completeness", "Completeness"))
    sections.append(f'<section id=evidence><h2>Evidence</h2><p class=legend>The sentences behind every chip, '
                    f'cell, bar and line above: text, source file, character offsets, extraction rule.</p>'
                    f'{ev.html()}</section>')
    nav.append(("evidence", "Evidence"))
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return ("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
            '<meta name=viewport content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)} — privacy-kg report</title><style>{CSS}</style></head><body>"
            f"<header><h1>{escape(title)}</h1><p>privacy-kg report · {len(companies)} policies · generated "
            f"{generated}</p></header><nav>"
            + "".join(f'<a href="#{a}">{escape(t)}</a>' for a, t in nav)
            + f"</nav><main>{''.join(sections)}</main></body></html>\n")
