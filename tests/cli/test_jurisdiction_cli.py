"""`privacy-kg validate` where profiles are due (issue 15), as a user runs it: three small policies written here
(one for EEA residents, one for California residents, one that says neither), built with a manifest that gives a
fourth its jurisdiction; `validate` applies GDPR and CCPA only in their scope, `--profile ccpa` forces CCPA on
every policy, the matrices come out as CSV and JSON, and a requirement is one finding per policy."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.cli import main
from kg.vocab import DPV, LOC

POLICIES = {
    "eea.txt": "Acme Analytics GmbH Privacy Policy\n\nAcme Analytics GmbH collects your email address and your "
               "name to provide the service. If you are a resident of the European Economic Area, you may "
               "lodge a complaint with a supervisory authority.\n",
    "california.txt": "Birch Books Inc. Privacy Policy\n\nBirch Books Inc. collects your email address, your "
                      "postal address and your phone number to ship orders. California residents may ask us to "
                      "delete their personal information.\n",
    "plain.txt": "Cedar Games Ltd. Privacy Policy\n\nCedar Games Ltd. collects your email address and your "
                 "username to run the game.\n",
    "given.txt": "Delta Maps Inc. Privacy Policy\n\nDelta Maps Inc. collects your location to show maps.\n",
}


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("jur")
    for name, text in POLICIES.items():
        (folder / name).write_text(text, encoding="utf-8")
    manifest = folder / "manifest.csv"
    manifest.write_text("path,controller,url,jurisdiction,retrieved\n"
                        "eea.txt,Acme Analytics GmbH,,,\ncalifornia.txt,Birch Books Inc.,,,\n"
                        "plain.txt,Cedar Games Ltd.,,,\ngiven.txt,Delta Maps Inc.,,US-CA,\n", encoding="utf-8")
    out = folder / "kg.ttl"
    result = invoke("build", *(folder / n for n in POLICIES), "--manifest", manifest, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    return out


def test_the_words_are_in_the_graph_with_their_evidence(built):
    g = Graph().parse(built)
    places = {str(o).rsplit("#", 1)[1] for o in g.objects(None, DPV.hasJurisdiction)}
    assert places == {"EEA", "US-CA"}
    assert (None, DPV.hasJurisdiction, LOC["EEA"]) in g


def matrix_rows(out: str) -> dict[tuple[str, str], set[str]]:
    statuses: dict[tuple[str, str], set[str]] = {}
    for row in csv.DictReader(io.StringIO(out)):
        statuses.setdefault((row["profile"], row["company"].split(" (")[1].rstrip(")")), set()).add(row["status"])
    return statuses


def test_profiles_apply_where_due(built):
    result = invoke("validate", built, "--format", "csv")
    assert result.exit_code == 1, result.output
    cells = matrix_rows(result.output)
    assert cells[("gdpr", "plain.txt")] == cells[("gdpr", "california.txt")] == {"not applicable"}
    assert cells[("gdpr", "given.txt")] == {"not applicable"}  # the manifest says US-CA
    assert cells[("ccpa", "eea.txt")] == cells[("ccpa", "plain.txt")] == {"not applicable"}
    assert "missing" in cells[("gdpr", "eea.txt")]
    assert "missing" in cells[("ccpa", "california.txt")] and "missing" in cells[("ccpa", "given.txt")]
    text = invoke("validate", built).output
    text, scopes = text.split("\njurisdictions:\n")
    assert text.rstrip().endswith("profiles applied: core to 4 of 4 policies, gdpr to 1 of 4 policies (in scope), "
                                  "ccpa to 2 of 4 policies (in scope)")
    # then each policy's jurisdiction and why, once
    why = dict(line.strip().split(": ", 1) for line in scopes.strip().splitlines())
    assert why["Acme Analytics GmbH (eea.txt)"].endswith("GDPR requirements apply, CCPA requirements do not")
    assert why["Cedar Games Ltd. (plain.txt)"].startswith("no jurisdiction known")
    assert "manifest" in why[next(k for k in why if k.endswith("(given.txt)"))]
    markdown = invoke("validate", built, "--format", "markdown").output
    assert "### Jurisdictions" in markdown and "- **Acme Analytics GmbH (eea.txt)**: taken to be under" in markdown
    assert "Cedar Games Ltd. (plain.txt)" in text  # a row of each matrix
    assert "Cedar Games Ltd. (plain.txt)" not in text.split("does not conform")[1]  # no findings at all
    assert "Acme Analytics GmbH (eea.txt)" in text.split("does not conform")[1]


def test_a_single_profile_is_forced_on_every_policy(built):
    result = invoke("validate", built, "--profile", "ccpa", "--format", "json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    assert doc["applied"] == {"ccpa": {"policies": 4, "of": 4}}
    (matrix,) = doc["matrices"]
    plain = next(p for p in matrix["policies"] if p["company"].endswith("(plain.txt)"))
    assert "missing" in {c["status"] for c in plain["cells"].values()}


def test_one_finding_per_requirement_and_policy(built):
    doc = json.loads(invoke("validate", built, "--profile", "ccpa", "--format", "json").output)
    for group in doc["findings"]:
        shapes = [f["shape"] for f in group["findings"]]
        assert len(shapes) == len(set(shapes)), group
    california = next(g for g in doc["findings"] if g["policy"].endswith("(california.txt)"))
    retention = next(f for f in california["findings"] if f["shape"] == "retention per category")
    assert len(retention["values"]) >= 2  # several uncovered categories, one finding


def test_both_engines_scope_alike(built):
    from kg.shacl import validate_graphs

    g = Graph().parse(built)
    fast, slow = (validate_graphs([g], "all", engine=e) for e in ("auto", "pyshacl"))
    assert {(r.focus, r.source_shape, r.value) for r in fast.result.results} == \
        {(r.focus, r.source_shape, r.value) for r in slow.result.results}
    assert fast.applied == slow.applied == {"core": (4, 4), "gdpr": (1, 4), "ccpa": (2, 4)}
    assert [m.counts for m in fast.matrices] == [m.counts for m in slow.matrices]


EEA_SENTENCE = ("If you are a resident of the European Economic Area, you may lodge a complaint with a supervisory "
                "authority.")
CALIFORNIA_SENTENCE = "California residents may ask us to delete their personal information."


def test_validate_json_says_each_policys_jurisdiction_and_why_a_cell_is_not_applicable(built):
    doc = json.loads(invoke("validate", built, "--format", "json").output)
    gdpr = next(m for m in doc["matrices"] if m["profile"] == "gdpr")
    rows = {p["company"].split(" (")[1].rstrip(")"): p for p in gdpr["policies"]}
    eea = rows["eea.txt"]["jurisdiction"]
    assert eea["locations"] == ["EEA"] and eea["source"] == "text" and eea["profiles"] == ["gdpr"]
    [reason] = eea["reasons"]
    assert reason["evidence"] == EEA_SENTENCE and reason["matched"] == "European Economic Area"
    assert rows["given.txt"]["jurisdiction"]["reasons"] == [
        {"location": "US-CA", "source": "manifest", "evidence": "US-CA", "matched": ""}]
    assert rows["plain.txt"]["jurisdiction"]["locations"] == []
    assert {c["reason"] for c in rows["plain.txt"]["cells"].values()} == {"not due"}
    # in scope: met or missing cells carry no reason; a not-applicable one is so by its condition
    eea_cells = rows["eea.txt"]["cells"].values()
    assert {c.get("reason") for c in eea_cells if c["status"] != "not applicable"} == {None}
    assert {c.get("reason") for c in eea_cells if c["status"] == "not applicable"} <= {"condition"}


def _company(html: str, source: str) -> str:
    """The text of the report's section of the company whose policy file is ``source`` (tags dropped)."""
    import re
    from html import unescape

    sections = html.split('<details class="company"')[1:]
    found = next(s.split("</details>")[0] for s in sections if f"<span class=\"legend\">{source}" in s)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found)).split()).replace(" .", ".")


def test_the_report_shows_each_policys_jurisdiction_and_not_due_requirements(built, tmp_path):
    out = tmp_path / "report.html"
    assert invoke("report", built, "-o", out, "--validate", "all").exit_code == 0
    html = out.read_text(encoding="utf-8")
    eea = _company(html, "eea.txt")
    assert "jurisdiction: EEA" in eea  # in the section's summary line
    assert ("Jurisdiction: taken to be under EEA (European Economic Area), from its own words; GDPR requirements "
            "apply, CCPA requirements do not.") in eea
    assert f'EEA (European Economic Area), from its own words: "{EEA_SENTENCE}"' in eea
    california = _company(html, "california.txt")
    assert f'US-CA (California), from its own words: "{CALIFORNIA_SENTENCE}"' in california
    given = _company(html, "given.txt")
    assert 'US-CA (California), from its build\'s manifest or record (jurisdiction "US-CA")' in given
    plain = _company(html, "plain.txt")
    assert "Jurisdiction: no jurisdiction known" in plain and "GDPR and CCPA requirements do not apply" in plain

    completeness = html.split('<section id="completeness">')[1]
    gdpr = completeness.split('id="matrix-gdpr"')[1].split("</table>")[0]
    plain_row = next(r for r in gdpr.split("<tr>") if "(plain.txt)" in r)
    assert "missing" not in plain_row and plain_row.count('class="na not-due"') == plain_row.count("<td") - 1
    assert '<td class="where">unknown</td>' in plain_row and '<td class="where">EEA</td>' in gdpr
    assert "not applicable — GDPR is not due for this policy&#39;s jurisdiction (unknown)" in plain_row
    eea_row = next(r for r in gdpr.split("<tr>") if "(eea.txt)" in r)
    assert "not-due" not in eea_row and 'class="missing"' in eea_row
    doc = json.loads(invoke("validate", built, "--format", "json").output)
    not_due = sum(c.get("reason") == "not due" for m in doc["matrices"] if m["profile"] == "gdpr"
                  for p in m["policies"] for c in p["cells"].values())
    assert not_due == 3 * len(next(m for m in doc["matrices"] if m["profile"] == "gdpr")["requirements"])
    assert f"({not_due} of them not due)" in completeness.split('id="matrix-gdpr"')[0]
    ccpa = completeness.split('id="matrix-ccpa"')[1].split("</table>")[0]
    eea_row = next(r for r in ccpa.split("<tr>") if "(eea.txt)" in r)
    assert "jurisdiction (EEA)" in eea_row and "missing" not in eea_row

    # without validation, the jurisdiction is shown all the same; with one profile forced, the report says so
    assert invoke("report", built, "-o", out).exit_code == 0
    assert "GDPR requirements apply, CCPA requirements do not" in _company(out.read_text(encoding="utf-8"), "eea.txt")
    assert invoke("report", built, "-o", out, "--validate", "gdpr").exit_code == 0
    forced = out.read_text(encoding="utf-8")
    assert "but GDPR was applied to every policy (forced by the chosen profile)" in _company(forced, "plain.txt")
    assert "not-due" not in forced.split('<section id="completeness">')[1]
