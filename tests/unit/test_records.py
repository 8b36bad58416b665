"""`build --records FILE`: JSON Lines records (gzip or not) read as a stream into the build's inputs; no spaCy."""
from __future__ import annotations

import gzip
import hashlib
import json
import threading
import time
from pathlib import Path

import pytest

from kg import api
from kg.errors import TimedOut, UnreadableInput
from kg.model import PlannedFile
from kg.pipeline import Task, time_budget
from kg.records import MAX_LINE, BadRecord, Records

TEXT = "Acme Inc. Privacy Policy\n\nWe collect your e-mail address to send you our newsletter.\n"


def write(path, lines, compress=False):
    data = "".join(line + "\n" for line in lines).encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


@pytest.mark.parametrize("compress", [False, True])
def test_records_read_as_planned_inputs_with_their_fields(tmp_path, compress):
    path = write(tmp_path / "r.jsonl", [
        json.dumps({"id": "acme", "text": TEXT, "url": "https://acme.example/privacy", "controller": "Acme Inc.",
                    "jurisdiction": "EU", "retrieved": "2024-05-31", "crawl": 7}),
        "",
        json.dumps({"html": "<html><body><p>" + TEXT + "</p></body></html>", "url": "https://b.example/p"}),
        json.dumps({"text": TEXT + "v2"}),
    ], compress)
    items = list(Records(path))
    assert all(isinstance(i, PlannedFile) for i in items) and len(items) == 3
    first, second, third = items
    assert (str(first.path), first.source, first.media_type) == (f"{path}:1", "acme", "text/plain")
    assert first.digest == hashlib.sha256(TEXT.encode()).hexdigest() and first.content == TEXT.encode()
    assert first.metadata is not None and (first.metadata.controller, first.metadata.url, first.metadata.jurisdiction,
                                           first.metadata.retrieved) == ("Acme Inc.", "https://acme.example/privacy",
                                                                         "EU", "2024-05-31")
    assert (str(second.path), second.source, second.media_type) == (f"{path}:3", "https://b.example/p", "text/html")
    assert (third.source, third.metadata) == ("r.jsonl:4", None)  # neither id nor url: FILE:LINE


def test_bad_records_are_named_by_line_and_the_others_read(tmp_path):
    path = write(tmp_path / "r.jsonl", [
        json.dumps({"id": "ok", "text": TEXT}),
        "not json",
        "[1, 2]",
        json.dumps({"id": "both", "text": TEXT, "html": TEXT}),
        json.dumps({"id": "none"}),
        json.dumps({"id": 5, "text": TEXT}),
        json.dumps({"text": TEXT, "url": "ftp://x"}),
        json.dumps({"text": TEXT, "retrieved": "yesterday"}),
        json.dumps({"id": "last", "text": TEXT}),
    ])
    items = list(Records(path))
    good = [i.source for i in items if isinstance(i, PlannedFile)]
    bad = {e.path: e.message for e in items if isinstance(e, BadRecord)}
    assert good == ["ok", "last"]
    assert sorted(bad) == [f"{path}:{n}" for n in range(2, 9)]
    assert bad[f"{path}:2"].startswith("not JSON") and "JSON object" in bad[f"{path}:3"]
    assert "one of the two" in bad[f"{path}:4"] and "one of the two" in bad[f"{path}:5"]
    assert "id must be a string" in bad[f"{path}:6"] and "http(s)" in bad[f"{path}:7"]
    assert "ISO date" in bad[f"{path}:8"]


def test_an_over_long_line_is_skipped_and_reading_goes_on(tmp_path):
    path = tmp_path / "r.jsonl"
    with path.open("w") as f:
        f.write(json.dumps({"id": "huge", "text": "x" * (MAX_LINE + 10)}) + "\n")
        f.write(json.dumps({"id": "after", "text": TEXT}) + "\n")
    items = list(Records(path))
    assert isinstance(items[0], BadRecord) and items[0].path == f"{path}:1" and "too big" in items[0].message
    assert isinstance(items[1], PlannedFile) and items[1].source == "after"


def test_a_broken_gzip_stream_ends_with_one_error(tmp_path):
    whole = gzip.compress(("".join(json.dumps({"id": f"p{i}", "text": TEXT * 50}) + "\n" for i in range(200)))
                          .encode())
    path = tmp_path / "r.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    items = list(Records(path))
    assert isinstance(items[-1], BadRecord) and "breaks off" in items[-1].message
    assert all(isinstance(i, PlannedFile) for i in items[:-1]) and 0 < len(items) - 1 < 200


def test_a_missing_records_file_stops_before_building(tmp_path):
    with pytest.raises(UnreadableInput, match="no such records file"):
        api.plan([], records=tmp_path / "nothing.jsonl")
    with pytest.raises(api.BadArguments):
        api.plan([])


def test_a_plan_streams_records_after_the_files(tmp_path):
    policy = tmp_path / "a.txt"
    policy.write_text(TEXT)
    path = write(tmp_path / "r.jsonl", [json.dumps({"id": "a", "text": TEXT}), "{"])
    plan = api.plan([policy], records=path)
    items = list(plan)
    assert plan.total is None and len(plan) == 1
    assert [type(i).__name__ for i in items] == ["PlannedFile", "PlannedFile", "BadRecord"]
    assert plan.repeated == {hashlib.sha256(TEXT.encode()).hexdigest()}  # the record repeats the file


def test_a_record_task_reads_its_own_content():
    task = Task.of(PlannedFile(Path("r.jsonl:3"), "d", None, TEXT.encode(), "text/plain", "acme"))
    document = task.document()
    assert (document.path, document.name, document.text) == ("r.jsonl:3", "acme", TEXT)


def test_the_time_budget_holds_in_a_thread_and_never_fires_after_its_block():
    outcome: dict = {}

    def runaway():
        try:
            with time_budget(0.3, "slow.txt"):
                while True:
                    pass
        except TimedOut as exc:
            outcome["error"] = exc
        try:  # a block that ends in time: nothing is raised later
            for _ in range(50):
                with time_budget(0.02, "quick.txt"):
                    pass
            time.sleep(0.1)
            outcome["after"] = "clean"
        except BaseException as exc:  # noqa: BLE001 - what the test looks for
            outcome["after"] = exc

    thread = threading.Thread(target=runaway)
    thread.start()
    thread.join(30)
    assert not thread.is_alive()
    assert outcome["error"].path == "slow.txt" and "took over 0.3 s" in outcome["error"].message
    assert outcome["after"] == "clean"
