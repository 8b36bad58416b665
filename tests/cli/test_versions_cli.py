"""`privacy-kg versions` and `privacy-kg diff`: two versions of a real example policy, built into a store and
compared, from the store and straight from the files.

The second version is examples/policies/cubesoft.txt with edits made below; every expected entry follows from one
edit (the labels are the ontology's skos:prefLabels of the concepts those sentences name).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import DCTERMS

from kg.cli import main
from kg.store import Store
from kg.vocab import DC, ID, PPKG, PUR
from kg.exporters import in_vocabulary

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
ORIGINAL = ROOT / "examples" / "policies" / "cubesoft.txt"

DATE_OLD, DATE_NEW = "2023-12-12", "2024-03-01"
SHARE_REMOVED = "We will not share this information with any third parties."
SHARE_ADDED = "We share your e-mail address with advertisers for marketing purposes."
RETAIN_OLD = ("E-mail exchanges between you and our technical support and sales department staff are archived and "
              "stored for a period of up to 1 year.")
RETAIN_NEW = RETAIN_OLD.replace("up to 1 year", "up to 2 years")
COOKIES_OLD = "We do not use Cookies to track how anonymous visitors use our web site."
COOKIES_NEW = "We use Cookies to track how anonymous visitors use our web site."
EDITS = [  # (old text, new text, how many times it occurs)
    ("Last revision: December 12, 2023", "Last revision: March 1, 2024", 1),  # the policy date
    (" " + SHARE_REMOVED, "", 1),  # a negated sharing statement removed
    ("5. Use of Cookies\n", f"5. Use of Cookies\n\n{SHARE_ADDED}\n\n", 1),  # a new sharing practice
    (RETAIN_OLD, RETAIN_NEW, 1),  # a longer retention period
    (COOKIES_OLD, COOKIES_NEW, 1),  # "we do not use cookies to track" flipped
    ("privacyofficer@csoft.net", "privacy@csoft.net", 3),  # the contact e-mail, in every sentence that has it
]


def edited(text: str) -> str:
    for old, new, count in EDITS:
        assert text.count(old) == count, old
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """(v1 file, v2 file, store with both) — the same file name in two folders, so the store keeps versions."""
    root = tmp_path_factory.mktemp("versions")
    (root / "v1").mkdir(), (root / "v2").mkdir()
    v1, v2 = root / "v1" / "cubesoft.txt", root / "v2" / "cubesoft.txt"
    v1.write_bytes(ORIGINAL.read_bytes())
    v2.write_text(edited(ORIGINAL.read_text(encoding="utf-8")), encoding="utf-8")
    db = root / "db"
    r = run("build", str(v1), "--store", str(db))
    assert r.exit_code == 0 and "1 added, 0 replaced, 0 unchanged" in r.output, r.output
    r = run("build", str(v2), "--store", str(db))
    assert r.exit_code == 0, r.output
    assert "0 added, 0 replaced, 0 unchanged (not extracted again), 1 kept as new version(s); 2 policies stored" \
        in r.output
    return v1, v2, db


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def check_expected(data: dict) -> None:
    """The entries the edits imply, and nothing else."""
    assert (data["old"]["date"], data["new"]["date"]) == (DATE_OLD, DATE_NEW)
    assert data["old"]["controller"] == data["new"]["controller"] == "CubeSoft Communications Inc."
    assert {f["fact"]: (f["old"], f["new"]) for f in data["facts"]} == {
        "date": ([DATE_OLD], [DATE_NEW]),
        "contact e-mail": (["privacyofficer@csoft.net"], ["privacy@csoft.net"]),
    }
    assert data["summary"] == {"added": 1, "removed": 1, "changed": 2, "facts": 2}
    practices = data["practices"]

    [added] = practices["added"]
    assert added["kind"] == "share"
    assert [t["iri"] for t in added["data"]] == [str(DC.EmailAddress)]
    assert [t["iri"] for t in added["recipients"]] == [str(ID["recipient/Advertiser"])]
    assert [t["iri"] for t in added["purposes"]] == [str(PUR.Marketing)]
    assert added["attributes"] == [{"attribute": "negated", "old": [], "new": ["no"]}]
    assert [e["text"] for e in added["new_evidence"]] == [SHARE_ADDED] and added["old_evidence"] == []

    [removed] = practices["removed"]
    assert removed["kind"] == "share"
    assert [t["iri"] for t in removed["data"]] == [str(DC.PersonalInformation)]  # "this information"
    assert [t["iri"] for t in removed["recipients"]] == [str(ID["recipient/ThirdParty"])]
    assert removed["attributes"] == [{"attribute": "negated", "old": ["yes"], "new": []}]
    assert [e["text"] for e in removed["old_evidence"]] == [SHARE_REMOVED] and removed["new_evidence"] == []

    changed = {c["kind"]: c for c in practices["changed"]}
    assert set(changed) == {"use", "retain"}
    assert changed["use"]["attributes"] == [{"attribute": "negated", "old": ["yes"], "new": ["no"]}]
    assert [t["iri"] for t in changed["use"]["data"]] == [str(DC.Cookie)]
    assert [e["text"] for e in changed["use"]["old_evidence"]] == [COOKIES_OLD]
    assert [e["text"] for e in changed["use"]["new_evidence"]] == [COOKIES_NEW]
    assert changed["retain"]["attributes"] == [{"attribute": "retention", "old": ["up to P1Y"], "new": ["up to P2Y"]}]
    assert [e["text"] for e in changed["retain"]["old_evidence"]] == [RETAIN_OLD]
    assert [e["text"] for e in changed["retain"]["new_evidence"]] == [RETAIN_NEW]


def test_versions_lists_both_by_date(versions):
    _, _, db = versions
    r = run("versions", "--store", db, "--format", "json")
    assert r.exit_code == 0, r.output
    [cubesoft] = json.loads(r.stdout)
    assert cubesoft["controller"] == "CubeSoft Communications Inc." and cubesoft["same_date"] == []
    assert [(v["source"], v["date"]) for v in cubesoft["versions"]] == [("cubesoft.txt", DATE_OLD),
                                                                        ("cubesoft.txt", DATE_NEW)]
    text = run("versions", "--store", db, "cubesoft").stdout
    lines = text.splitlines()
    assert lines[0] == "CubeSoft Communications Inc. (kgid:org/cubesoft-communications-inc): 2 versions"
    assert lines[1].split()[:2] == [DATE_OLD, "cubesoft.txt"] and lines[2].split()[:2] == [DATE_NEW, "cubesoft.txt"]
    md = run("versions", "--store", db, "--format", "markdown").stdout
    assert md.startswith("## CubeSoft Communications Inc.") and f"| {DATE_NEW} | cubesoft.txt |" in md


def test_diff_of_the_two_latest_versions_in_the_store(versions):
    _, _, db = versions
    r = run("diff", "--store", db, "--controller", "CubeSoft", "--format", "json")
    assert r.exit_code == 1, r.output
    check_expected(json.loads(r.stdout))
    by_name = run("diff", "--store", db, f"cubesoft.txt@{DATE_OLD}", f"cubesoft.txt@{DATE_NEW}", "--format", "json")
    assert by_name.exit_code == 1 and by_name.stdout == r.stdout


def test_diff_of_two_files_without_a_store(versions):
    v1, v2, db = versions
    r = run("diff", v1, v2, "--format", "json")
    assert r.exit_code == 1, r.output
    check_expected(json.loads(r.stdout))
    assert r.stdout == run("diff", "--store", db, "--controller", "CubeSoft", "--format", "json").stdout

    text = run("diff", v1, v2)
    assert text.exit_code == 1
    lines = text.stdout.splitlines()
    assert lines[0].startswith(f"--- cubesoft.txt ({DATE_OLD}, CubeSoft Communications Inc.)")
    assert lines[1].startswith(f"+++ cubesoft.txt ({DATE_NEW}, CubeSoft Communications Inc.)")
    assert "  + share: email address; recipient: advertiser; purpose: for marketing purposes" in lines
    assert "  - share: personal information; recipient: third party" in lines
    assert "      retention: up to P1Y -> up to P2Y" in lines and "      negated: yes -> no" in lines
    assert f'      old: "{SHARE_REMOVED}"' in lines
    assert lines[-1] == "4 practices differ (1 added, 1 removed, 2 changed); 2 facts differ"
    md = run("diff", v1, v2, "--format", "markdown")
    assert md.exit_code == 1 and "## Changed practices (2)" in md.stdout

    same = run("diff", v1, v1)
    assert same.exit_code == 0 and same.stdout.endswith("no differences\n")


def test_same_date_edit_replaces_that_version(versions, tmp_path):
    import shutil

    v1, v2, db = versions
    copy = tmp_path / "db"
    shutil.copytree(db, copy)
    (copy / "LOCK").unlink(missing_ok=True)
    v3 = tmp_path / "cubesoft.txt"
    v3.write_text(v2.read_text(encoding="utf-8") + "\nWe do not sell your personal information.\n", encoding="utf-8")
    r = run("build", v3, "--store", copy)
    assert r.exit_code == 0 and "0 added, 1 replaced, 0 unchanged" in r.output, r.output
    with Store(copy) as store:  # v2 is gone, v1 and v3 stay
        assert store.known_hashes() == {hashlib.sha256(f.read_bytes()).hexdigest() for f in (v1, v3)}
    [cubesoft] = json.loads(run("versions", "--store", copy, "--format", "json").stdout)
    assert [v["date"] for v in cubesoft["versions"]] == [DATE_OLD, DATE_NEW]
    r = run("diff", "--store", copy, "--controller", "cubesoft", "--format", "json")
    added = json.loads(r.stdout)["practices"]["added"]
    assert [(a["kind"], [e["text"] for e in a["new_evidence"]]) for a in added] == [
        ("share", [SHARE_ADDED]), ("sell", ["We do not sell your personal information."])]


def test_errors_are_one_line_and_exit_2(versions, tmp_path):
    v1, _, db = versions
    r = run("diff", tmp_path / "missing.txt", v1)
    assert r.exit_code == 2 and r.output == f"error: {tmp_path / 'missing.txt'}: no such file\n"
    r = run("diff", "--store", db, "cubesoft.txt", f"cubesoft.txt@{DATE_NEW}")
    assert r.exit_code == 2 and r.output.startswith("error: cubesoft.txt: names 2 stored policies")
    r = run("diff", "--store", db, "nope.txt", f"cubesoft.txt@{DATE_NEW}")
    assert r.exit_code == 2 and r.output.startswith("error: nope.txt: no such stored policy")
    r = run("diff", "--store", tmp_path / "nodb", "--controller", "x")
    assert r.exit_code == 2 and "no such store" in r.output and not (tmp_path / "nodb").exists()
    r = run("versions", "--store", db, "Nobody")
    assert r.exit_code == 2 and r.output.startswith("error: Nobody: no such controller")
    for args in (["diff", v1], ["diff", "--controller", "CubeSoft"], ["diff", v1, v1, "--store", db,
                                                                      "--controller", "x"]):
        assert run(*args).exit_code == 2, args


def test_help_shows_the_commands():
    out = run("--help").output
    assert "privacy-kg versions --store kg.db" in out and "privacy-kg diff old/acme.txt new/acme.txt" in out
    assert "diff(1)" in run("diff", "--help").output


def test_latest_reads_only_each_controllers_newest_version(versions, tmp_path):
    """--latest on query, export, network and validate: the store keeps both versions of cubesoft.txt; with
    --latest only the 2024 one is read (its "up to 2 years", not the 2023 "up to 1 year")."""
    _, _, db = versions
    with Store(db) as store:
        new_iri = next(iri for iri, _, _ in store.policies()
                       if str(next(store.graph(iri).objects(None, DCTERMS.modified), "")) == DATE_NEW)
        new_graph = set(in_vocabulary(store.graph(new_iri), "ours"))  # as exported: with its DPV matches
    both = run("query", "retention-periods", "--store", db, "--format", "csv")
    latest = run("query", "retention-periods", "--store", db, "--latest", "--format", "csv")
    assert both.exit_code == 0 == latest.exit_code, both.output + latest.output
    assert "up to 1 year" in both.output and "up to 2 years" in both.output
    assert "up to 2 years" in latest.output and "up to 1 year" not in latest.output

    r = run("export", "--store", db, "--latest", "--format", "nt", "-o", tmp_path / "latest.nt")
    assert r.exit_code == 0, r.output
    assert set(Graph().parse(tmp_path / "latest.nt", format="nt")) == new_graph

    v2 = versions[1]
    assert run("build", v2, "-o", tmp_path / "v2.ttl").exit_code == 0
    r_store = run("network", "--store", db, "--latest", "--json", tmp_path / "store.json")
    r_file = run("network", tmp_path / "v2.ttl", "--json", tmp_path / "file.json")
    assert r_store.exit_code == 0 == r_file.exit_code
    assert (tmp_path / "store.json").read_text() == (tmp_path / "file.json").read_text()
    r = run("validate", "--store", db, "--latest", "--profile", "core")
    assert r.exit_code == 0 and "conforms" in r.output, r.output

    r = run("query", "retention-periods", ORIGINAL, "--latest")
    assert r.exit_code == 2 and "--latest reads a store" in r.output


def test_versions_say_what_built_each_policy(tmp_path):
    """Each version says which privacy-kg release and rule set made its graph (its prov:wasGeneratedBy)."""
    from kg import __version__
    from kg.resources import rules_version

    src = tmp_path / "acme.txt"
    src.write_text("Acme Inc. Privacy Policy\n\nLast updated: January 1, 2024\n\nWe collect your e-mail address.\n",
                   encoding="utf-8")
    assert run("build", src, "--store", tmp_path / "db").exit_code == 0
    listed = run("versions", "--store", tmp_path / "db")
    assert listed.exit_code == 0, listed.output
    assert f"(privacy-kg {__version__}, {rules_version()})" in listed.output
    as_json = json.loads(run("versions", "--store", tmp_path / "db", "--format", "json").output)
    assert as_json[0]["versions"][0]["built_by"] == f"privacy-kg {__version__}, {rules_version()}"


def _as_built_by(db: Path, policy: str, software: str | None, rules: str | None = None) -> None:
    """Make the stored graph of ``policy`` what another build would have written: another release and rule set
    in its build activity, or (``software`` None) no build activity at all, as before builds were recorded."""
    with Store(db) as store:
        graph = f"<{policy}>"
        store.oxigraph.update(
            f"PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX ppkg: <{PPKG}> "
            f"DELETE {{ GRAPH {graph} {{ ?a ppkg:softwareVersion ?s ; ppkg:ruleSetVersion ?r }} }} "
            f"WHERE {{ GRAPH {graph} {{ {graph} prov:wasGeneratedBy ?a . ?a ppkg:softwareVersion ?s ; "
            f"ppkg:ruleSetVersion ?r }} }}")
        if software is None:
            store.oxigraph.update(f"PREFIX prov: <http://www.w3.org/ns/prov#> "
                                  f"DELETE WHERE {{ GRAPH {graph} {{ {graph} prov:wasGeneratedBy ?a . ?a ?p ?o }} }}")
        else:
            store.oxigraph.update(
                f"PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX ppkg: <{PPKG}> "
                f"INSERT {{ GRAPH {graph} {{ ?a ppkg:softwareVersion \"{software}\" ; "
                f"ppkg:ruleSetVersion \"{rules}\" }} }} "
                f"WHERE {{ GRAPH {graph} {{ {graph} prov:wasGeneratedBy ?a }} }}")
        store.flush()


def test_diff_says_what_built_each_side(tmp_path):
    """diff names the release and rule set behind each side, and warns in its header when they differ (or one is
    unknown): the difference may come from the tool, not the policy."""
    from kg import __version__
    from kg.resources import rules_version

    built = f"privacy-kg {__version__}, {rules_version()}"
    db = tmp_path / "db"
    for folder, date, extra in (("v1", "January 1, 2023", ""), ("v2", "January 1, 2024",
                                                                 "We share your e-mail address with advertisers.\n")):
        (tmp_path / folder).mkdir()
        src = tmp_path / folder / "acme.txt"
        src.write_text(f"Acme Inc. Privacy Policy\n\nLast updated: {date}\n\nWe collect your e-mail address.\n{extra}",
                       encoding="utf-8")
        assert run("build", src, "--store", db).exit_code == 0
    same = run("diff", "--store", db, "--controller", "Acme")
    assert same.exit_code == 1, same.output
    lines = same.stdout.splitlines()
    assert lines[2] == f"built by: {built} (both sides)" and not lines[3].startswith("note:")
    files = run("diff", tmp_path / "v1" / "acme.txt", tmp_path / "v2" / "acme.txt")  # built on the fly: this release
    assert files.stdout.splitlines()[2] == f"built by: {built} (both sides)"

    [acme] = json.loads(run("versions", "--store", db, "--format", "json").stdout)
    old_iri = acme["versions"][0]["iri"]
    _as_built_by(db, old_iri, "privacy-kg 0.0.9", "rules-000000000000")
    other = run("diff", "--store", db, "--controller", "Acme")
    lines = other.stdout.splitlines()
    assert lines[2] == f"built by: old privacy-kg 0.0.9, rules-000000000000; new {built}"
    assert lines[3] == ("note: the two sides were built by different privacy-kg releases and rule sets: a difference "
                        "may come from the tool, not from the policy; build both again with one release to compare "
                        "the policies alone.")
    md = run("diff", "--store", db, "--controller", "Acme", "--format", "markdown").stdout
    assert "**built by:** old privacy-kg 0.0.9, rules-000000000000;" in md and "> **Note:** the two sides" in md
    data = json.loads(run("diff", "--store", db, "--controller", "Acme", "--format", "json").stdout)
    assert data["old"]["built_by"] == "privacy-kg 0.0.9, rules-000000000000" and data["new"]["built_by"] == built
    assert data["same_build"] is False and "different privacy-kg releases" in data["build_note"]

    _as_built_by(db, old_iri, None)  # a graph from before builds were recorded
    versions = run("versions", "--store", db).stdout
    assert "(unknown)" in versions and f"({built})" in versions
    older = run("diff", "--store", db, "--controller", "Acme")
    lines = older.stdout.splitlines()
    assert lines[2] == f"built by: old unknown; new {built}" and lines[3].startswith(
        "note: what built the old side is unknown (a graph built before builds were recorded)")
    data = json.loads(run("diff", "--store", db, "--controller", "Acme", "--format", "json").stdout)
    assert data["old"]["built_by"] is None and data["same_build"] is None
