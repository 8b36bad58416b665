"""benchmarks/throughput.py's own parts: the synthetic corpus (names changed, counts right, no two files alike)
and the memory and disk-size helpers, on real processes and files. No timing is asserted."""
from __future__ import annotations

import hashlib
import importlib.util
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "policies"
CONTROLLERS = ("CubeSoft Communications", "SoftSys Hosting", "Pro Softnet", "Calsoft Systems", "CONNACT Cloud")


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("throughput", ROOT / "benchmarks" / "throughput.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["throughput"] = module  # its dataclasses look their module up
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("throughput", None)


def test_generated_names_are_distinct(bench):
    names = [bench.generated_name(i) for i in range(24 ** 3)]
    assert len(set(names)) == len(names) and all(n.isalpha() and n[0].isupper() for n in names)


def test_variants_change_every_company_name(bench, tmp_path):
    files = bench.make_corpus(sorted(EXAMPLES.glob("*.txt")), 12, tmp_path / "corpus")
    assert len(files) == 12 == len(list((tmp_path / "corpus").iterdir()))
    assert len({hashlib.sha256(f.read_bytes()).hexdigest() for f in files}) == 12
    for i, f in enumerate(files):
        text = f.read_text(encoding="utf-8")
        assert bench.generated_name(i) in text, f.name
        for old in CONTROLLERS:
            assert old.lower() not in text.lower(), (f.name, old)
    # the same source, two copies: the same text but for the names
    first, sixth = (re.sub(bench.generated_name(k), "X", files[k].read_text(encoding="utf-8"), flags=re.I)
                    for k in (0, 5))
    assert first == sixth


def test_variant_without_a_known_name_gets_a_title(bench):
    assert bench.variant("We collect data.", [], "Bababax") == "Bababax Privacy Policy\n\nWe collect data."
    assert bench.variant("ACME and acme.com and Acme", ["Acme"], "Zorvex") == "ZORVEX and zorvex.com and Zorvex"


def test_opp115_brand_from_the_file_name(bench, tmp_path):
    f = tmp_path / "1017_sci-news.com.txt"
    f.write_text("Welcome to Sci-News.com. Read sci-news daily. We collect your e-mail address.\n")
    names = bench.company_names(f)
    assert {"sci-news.com", "sci-news"} <= set(names)
    text = bench.variant(f.read_text(), names, "Cebabax")
    assert "sci-news" not in text.lower() and text.count("Cebabax") + text.count("cebabax") == 2


HOLDER = textwrap.dedent("""
    import subprocess, sys, time
    block = bytearray(60 * 1024 * 1024)  # touched below, so resident
    for i in range(0, len(block), 4096):
        block[i] = 1
    if sys.argv[1] == "parent":
        child = subprocess.Popen([sys.executable, "-c", sys.argv[2], "child", sys.argv[2]],
                                 stdout=subprocess.PIPE, text=True)
        child.stdout.readline()
    print("ready", flush=True)
    time.sleep(60)
""")


def test_tree_memory_sums_the_process_tree(bench):
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, "parent", HOLDER], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        mem = bench.TreeMemory()
        mem.sample(proc.pid)
        assert mem.peak_processes == 2
        assert mem.peak_rss_kb >= 2 * 60 * 1024  # both processes hold 60 MB
        assert len(mem.hwm_kb) == 2 and all(v >= 60 * 1024 for v in mem.hwm_kb.values())
        assert mem.hwm_sum_kb >= mem.peak_rss_kb
        assert set(bench.descendants(proc.pid)) == set(mem.hwm_kb)
    finally:
        for pid in bench.descendants(proc.pid)[::-1]:
            subprocess.run(["kill", "-9", str(pid)], check=False)
        proc.wait(timeout=30)
        proc.stdout.close()


def test_run_measured_and_disk_size(bench, tmp_path):
    elapsed, code, mem = bench.run_measured([sys.executable, "-c", "import time; time.sleep(0.5)"], env=None)
    assert code == 0 and elapsed > 0 and mem.samples >= 1 and mem.peak_rss_kb > 0
    (tmp_path / "d" / "e").mkdir(parents=True)
    (tmp_path / "d" / "a").write_bytes(b"x" * 1000)
    (tmp_path / "d" / "e" / "b").write_bytes(b"y" * 5000)
    size, alloc = bench.disk_size(tmp_path / "d")
    assert size == 6000 and alloc >= 6000
