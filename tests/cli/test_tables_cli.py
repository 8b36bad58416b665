"""Tables end to end: build a small HTML policy with a cookie table and a data table, then query the graph."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

pytestmark = pytest.mark.slow
POLICY = Path(__file__).parent / "data" / "cookie-table-policy.html"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    out = tmp_path_factory.mktemp("tables") / "out.ttl"
    result = invoke("build", POLICY, "-o", out)
    assert result.exit_code == 0, result.output
    assert "Brightleaf Books Ltd." in result.output
    return out


def rows(graph, query: str) -> list[dict[str, str]]:
    result = invoke("query", query, graph, "--format", "json")
    assert result.exit_code == 0, result.output
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(result.output)["results"]["bindings"]]


def test_each_row_with_a_duration_is_a_retention_period(graph):
    found = {(r["phrase"], r["evidence"]) for r in rows(graph, "retention-periods")}
    assert found == {
        ("24 hours", "bl_session | Brightleaf Books | Strictly necessary: keeps your basket | 24 hours"),
        ("2 years", "_ga | Google Analytics | analytics | 2 years"),
        ("3 months", "_fbp | Facebook | targeted advertising | 3 months"),
        ("2 years", "Contact details (name, e-mail address) | to answer your questions | consent | 2 years | None"),
        ("7 years", "Payment information | to process payments | Art. 6(1)(b) GDPR | 7 years | Payment processors"),
    }  # not the gift-card price list's "1 year", nor the cookie without an expiry
    assert {r["iso"] for r in rows(graph, "retention-periods") if r["phrase"] == "2 years"} == {"P2Y"}


def test_the_third_party_providers_are_named_and_the_company_is_not(graph):
    named = {r["recipient"] for r in rows(graph, "named-recipients")}
    assert named == {"Google Analytics", "Facebook"}  # "Brightleaf Books" is the publisher: first party


def test_the_legal_bases_of_the_data_table(graph):
    assert {r["basis"] for r in rows(graph, "legal-bases")} == {"consent", "performance of a contract"}


def test_explain_shows_the_row_and_the_column_rule(graph):
    out = invoke("query", "retention-periods", graph, "--explain")
    assert out.exit_code == 0
    assert "_ga | Google Analytics | analytics | 2 years" in out.output and "table.expiry.v1" in out.output
