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
    assert text.rstrip().endswith("profiles applied: core to 4 of 4 policies, gdpr to 1 of 4 policies (in scope), "
                                  "ccpa to 2 of 4 policies (in scope)")
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
