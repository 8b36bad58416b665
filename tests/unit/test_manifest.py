"""Build manifests (kg.manifest): CSV and JSON Lines, every bad row one error naming the file and line."""
from pathlib import Path

import pytest

from kg.manifest import BadManifest, load, read_manifest
from kg.model import PolicyMetadata


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_rows_with_every_field(tmp_path):
    m = write(tmp_path, "m.csv", "path,controller,url,jurisdiction,retrieved\n"
                                 "acme.txt,Acme Inc.,https://acme.example/privacy,EU,2024-05-31\n"
                                 "\n"
                                 "beta.txt,,,,\n")
    rows, errors = read_manifest(m)
    assert errors == []
    assert [(r.line, r.path) for r in rows] == [(2, "acme.txt"), (4, "beta.txt")]
    assert rows[0].metadata == PolicyMetadata("Acme Inc.", "https://acme.example/privacy", "EU", "2024-05-31",
                                              f"{m}:2")
    assert rows[1].metadata == PolicyMetadata(origin=f"{m}:4")  # empty cells are absent values


def test_csv_header_in_any_order_and_case_with_a_byte_order_mark(tmp_path):
    m = tmp_path / "m.csv"
    m.write_bytes("\ufeffController, PATH\nAcme Inc.,acme.txt\n".encode())
    rows, errors = read_manifest(m)
    assert errors == [] and rows[0].metadata.controller == "Acme Inc." and rows[0].path == "acme.txt"


def test_json_lines(tmp_path):
    m = write(tmp_path, "m.jsonl", '{"path": "acme.txt", "controller": "Acme Inc.", "retrieved": null}\n\n'
                                   '{"path": "beta.txt", "jurisdiction": "US-CA"}\n')
    rows, errors = read_manifest(m)
    assert errors == []
    assert [(r.line, r.path, r.metadata.controller, r.metadata.jurisdiction) for r in rows] == [
        (1, "acme.txt", "Acme Inc.", None), (3, "beta.txt", None, "US-CA")]


def test_json_lines_are_recognised_by_content(tmp_path):
    m = write(tmp_path, "manifest.txt", '{"path": "acme.txt"}\n')
    assert [r.path for r in read_manifest(m)[0]] == ["acme.txt"]


CSV_HEAD = "path,controller,url,jurisdiction,retrieved\nok.txt,Ok Ltd,,,\n"  # a bad row follows on line 3
JSONL_HEAD = '{"path": "ok.txt"}\n'  # a bad line follows on line 2


@pytest.mark.parametrize("name, text, message", [
    ("m.csv", CSV_HEAD + ",Acme Inc.,,,", "no path"),
    ("m.csv", CSV_HEAD + "acme.txt,,ftp://a.example/p,,", "url 'ftp://a.example/p' is not an absolute http(s) URL"),
    ("m.csv", CSV_HEAD + "acme.txt,,https://acme.example/a b,,", "is not an absolute http(s) URL"),
    ("m.csv", CSV_HEAD + "acme.txt,,,,31/05/2024", "retrieved '31/05/2024' is not an ISO date (YYYY-MM-DD)"),
    ("m.csv", CSV_HEAD + "acme.txt,,,,2024-02-30", "is not an ISO date"),
    ("m.csv", CSV_HEAD + "acme.txt,a,b,c,d,e", "6 cells, but the header names 5 columns"),
    ("m.jsonl", JSONL_HEAD + "not json", "not JSON"),
    ("m.jsonl", JSONL_HEAD + '["acme.txt"]', "not a JSON object"),
    ("m.jsonl", JSONL_HEAD + '{"path": "acme.txt", "colour": "blue"}', "unknown field(s) 'colour'"),
    ("m.jsonl", JSONL_HEAD + '{"path": "acme.txt", "retrieved": 2024}', "every value must be a string"),
])
def test_a_bad_row_is_one_error_naming_the_line(tmp_path, name, text, message):
    m = write(tmp_path, name, text + "\n")
    rows, errors = read_manifest(m)
    assert [r.path for r in rows] == ["ok.txt"]  # the rest goes through
    assert len(errors) == 1 and isinstance(errors[0], BadManifest)
    assert errors[0].path == f"{m}:{text.count(chr(10)) + 1}" and message in errors[0].message


def test_header_problems(tmp_path):
    no_path = write(tmp_path, "a.csv", "file,controller\nacme.txt,Acme\n")
    rows, errors = read_manifest(no_path)
    assert rows == [] and errors[0].path == f"{no_path}:1" and "'path'" in errors[0].message
    unknown = write(tmp_path, "b.csv", "path,controler\nacme.txt,Acme\n")
    rows, errors = read_manifest(unknown)
    assert [r.path for r in rows] == ["acme.txt"] and rows[0].metadata.controller is None
    assert errors[0].path == f"{unknown}:1" and "unknown column(s) 'controler'" in errors[0].message


def test_a_path_given_twice_is_an_error_on_the_second_line(tmp_path):
    m = write(tmp_path, "m.csv", "path,controller\nacme.txt,A\nacme.txt,B\n")
    rows, errors = read_manifest(m)
    assert [r.metadata.controller for r in rows] == ["A"]
    assert errors[0].path == f"{m}:3" and "already given on line 2" in errors[0].message


def test_unreadable_manifest_raises(tmp_path):
    with pytest.raises(BadManifest, match="no such manifest file"):
        read_manifest(tmp_path / "missing.csv")
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("path,controller\nacme.txt,Soci\xe9t\xe9\n".encode("latin-1"))
    with pytest.raises(BadManifest, match="not UTF-8"):
        read_manifest(bad)


def test_rows_match_input_files_by_path_or_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for rel in ("a/acme.txt", "a/beta.txt", "b/beta.txt", "b/gamma.txt"):
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        (tmp_path / rel).write_text("x")
    paths = [Path(p) for p in ("a/acme.txt", "a/beta.txt", "b/beta.txt", "b/gamma.txt")]
    m = write(tmp_path, "m.csv", "path,controller\n"
                                 "acme.txt,Acme\n"  # a name: one input file has it
                                 "b/beta.txt,Beta B\n"  # a path as the build was given it
                                 "./b/gamma.txt,Gamma\n"  # the same file by another relative path
                                 "beta.txt,Beta?\n"  # a name two input files have
                                 "delta.txt,Delta\n")  # no input file
    found, errors, unmatched = load(m, paths)
    assert {str(p): md.controller for p, md in found.items()} == {"a/acme.txt": "Acme", "b/beta.txt": "Beta B",
                                                                 "b/gamma.txt": "Gamma"}
    assert [(e.path, e.message) for e in errors] == [
        (f"{m}:5", "path 'beta.txt' matches 2 input files (a/beta.txt, b/beta.txt): give its folder too")]
    assert [(w.path, w.message) for w in unmatched] == [
        (f"{m}:6", "path 'delta.txt' matches no input file; row not used")]


def test_paths_relative_to_the_manifests_folder(tmp_path, monkeypatch):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "acme.txt").write_text("x")
    m = write(tmp_path / "corpus", "m.csv", "path,controller\n./acme.txt,Acme\n")
    monkeypatch.chdir(tmp_path)
    found, errors, unmatched = load(m, [Path("corpus/acme.txt")])
    assert (errors, unmatched) == ([], []) and found[Path("corpus/acme.txt")].controller == "Acme"


def test_no_manifest_no_metadata():
    assert load(None, [Path("x.txt")]) == ({}, [], [])
