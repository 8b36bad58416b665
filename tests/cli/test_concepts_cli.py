"""`privacy-kg concepts [SCHEME] [--search WORD]`: the vocabulary as a user lists it, every form run as from a shell
(CliRunner) and checked against the ontology files themselves (read here with rdflib, not through kg.concepts)."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import RDF, SKOS

from kg.cli import main
from kg.graphio import short_name
from kg.vocab import DC

ROOT = Path(__file__).resolve().parents[2]


def invoke(*args):
    return CliRunner().invoke(main, ["concepts", *map(str, args)])


@pytest.fixture(scope="module")
def onto() -> Graph:
    graph = Graph()
    for path in [ROOT / "ontology" / "privacy-kg.ttl", *sorted((ROOT / "ontology" / "concepts").glob("*.ttl"))]:
        graph.parse(path)
    return graph


def test_schemes_are_listed_with_their_concept_counts(onto):
    done = invoke("--format", "json")
    assert done.exit_code == 0, done.output
    listed = {s["iri"]: s for s in json.loads(done.output)}
    assert len(listed) == len(set(onto.subjects(RDF.type, SKOS.ConceptScheme)))
    dc = listed["dc:Scheme"]
    assert dc["name"] == "data-category" and "dc" in dc["aliases"]
    assert dc["concepts"] == len(set(onto.subjects(SKOS.inScheme, DC.Scheme)))
    assert len({s["name"] for s in listed.values()}) == len(listed)  # every scheme has its own name
    table = invoke()
    assert table.exit_code == 0
    assert any(line.split()[:2] == ["data-category", "dc:Scheme"] for line in table.output.splitlines())


def test_a_scheme_by_name_prefix_or_label_lists_its_tree_with_dpv_matches(onto):
    by_name = invoke("data-category", "--format", "json")
    assert by_name.exit_code == 0, by_name.output
    rows = json.loads(by_name.output)
    assert {r["iri"] for r in rows} == {short_name(c) for c in onto.subjects(SKOS.inScheme, DC.Scheme)}
    email = next(r for r in rows if r["iri"] == "dc:EmailAddress")
    assert email["label"] == "email address" and email["exact_match"] == ["pd:EmailAddress"]
    assert "e-mail" in email["alt_labels"]
    contact = next(r for r in rows if r["iri"] == "dc:ContactInformation")
    assert "dc:EmailAddress" in contact["narrower"] and email["depth"] == contact["depth"] + 1
    assert invoke("dc", "--format", "json").output == by_name.output
    assert invoke("Data Categories", "--format", "json").output == by_name.output
    tree = invoke("dc").output.splitlines()  # table: a narrower concept indented under its broader one
    column = tree[0].index("iri")  # the IRI column (a narrower column names IRIs too)
    parent = next(i for i, line in enumerate(tree) if line[column:].startswith("dc:ContactInformation "))
    child = next(line for line in tree[parent + 1:] if line[column:].startswith("dc:EmailAddress "))
    assert child.index("email address") > tree[parent].index("contact information")
    assert "pd:EmailAddress" in child


def test_csv_tsv_and_output_files(tmp_path):
    rows = list(csv.DictReader(io.StringIO(invoke("recipient-kind", "--format", "csv").output)))
    third = next(r for r in rows if r["iri"] == "rk:ThirdParty")
    assert third["close_match"] == "dpv:ThirdParty" and "rk:Advertiser" in third["narrower"].split("; ")
    assert third["depth"] == "0"
    done = invoke("rk", "-o", tmp_path / "rk.tsv")  # the format from the extension
    assert done.exit_code == 0, done.output
    text = (tmp_path / "rk.tsv").read_text(encoding="utf-8")
    assert list(csv.DictReader(io.StringIO(text), dialect="excel-tab")) == rows
    assert invoke("rk", "-o", "-", "--format", "json").output.startswith("[")
    bad = invoke("rk", "-o", tmp_path / "rk.xyz")
    assert bad.exit_code == 2 and "--format" in bad.output and not (tmp_path / "rk.xyz").exists()


def test_search_across_schemes_any_case_singular_or_plural():
    found = json.loads(invoke("--search", "Advertisers", "--format", "json").output)
    assert "rk:Advertiser" in {r["iri"] for r in found}
    assert all("advertiser" in " ".join([r["label"], *r["alt_labels"], r["iri"]]).casefold() for r in found)
    mail = json.loads(invoke("--search", "email", "--format", "json").output)
    schemes = {s for r in mail for s in r["schemes"]}
    assert {"data-category", "recipient-kind"} <= schemes  # across schemes
    only_dc = json.loads(invoke("dc", "--search", "email", "--format", "json").output)
    assert {r["iri"] for r in only_dc} == {r["iri"] for r in mail if "data-category" in r["schemes"]}
    assert "dc:EmailAddress" in {r["iri"] for r in only_dc}


def test_typos_give_exit_2_and_did_you_mean():
    scheme = invoke("data-categry")
    assert scheme.exit_code == 2
    assert "error: data-categry: no concept scheme" in scheme.output and "did you mean data-category?" in scheme.output
    word = invoke("--search", "emial")
    assert word.exit_code == 2 and "did you mean 'email address' (dc:EmailAddress)" in word.output


def test_did_you_mean_for_an_undefined_prefixed_concept_in_a_query():
    graph = ROOT / "tests" / "golden" / "examples.ttl"
    for written, meant in (("dc:Emial", "dc:EmailAddress"), ("pd:EmailAdress", "pd:EmailAddress")):
        done = CliRunner().invoke(main, ["query", "companies-collecting-category", str(graph),
                                         "--param", f"category={written}"])
        assert done.exit_code == 2 and f"did you mean {meant}" in done.output, done.output
    kind = CliRunner().invoke(main, ["query", "sharing-with-recipient-kind", str(graph), "--param",
                                     "kind=dpv:ThirdPart"])
    assert kind.exit_code == 2 and "did you mean dpv:ThirdParty?" in kind.output


def test_scheme_names_complete():
    result = CliRunner().invoke(main, [], prog_name="privacy-kg",
                                env={"_PRIVACY_KG_COMPLETE": "bash_complete", "COMP_WORDS": "privacy-kg concepts dat",
                                     "COMP_CWORD": "2"})
    assert result.exit_code == 0 and result.stdout.splitlines() == ["plain,data-category"]
