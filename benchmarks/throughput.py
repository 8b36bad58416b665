"""Throughput and memory of `privacy-kg build` on a synthetic corpus of >= 1,000 policies, in one run.

The corpus is made in a temporary folder (never committed): variants of the example policies and, when the
OPP-115 dev texts are present (``--data``, else ``../shared/benchmarks/opp115-dev`` beside the repository), of
those, each with its company names replaced by a generated one (so no two files are the same bytes). Reported:

* words/s of the bare ``en_core_web_sm`` (the unmodified model, NER disabled; ``nlp.pipe`` over the raw texts,
  model loaded before the clock starts), in this process, timed before and again after the builds: the ratios
  are against the mean of the two, and the two differ when the machine's load changed during the run;
* words/s of the whole build, run as users run it (``python -m kg build CORPUS --store FRESH_DIR --jobs N -q``
  in a subprocess; wall time of the whole command, start-up and model loading included), for each ``--jobs``;
* peak RSS of the build's process tree (the CLI process plus its worker processes), for the small and the full
  corpus: the highest sum of ``VmRSS`` over the tree sampled every 0.1 s from ``/proc``, and the sum of each
  process's own high-water mark (``VmHWM``; an upper bound, since the processes' peaks need not coincide);
* the store folder's size on disk after the full build;
* CPU seconds (user + system, all processes of the command) and the machine's 1-minute load average during each
  run (it counts these processes too), so a figure taken on a busy machine can be read as such; for ``--jobs 1``
  also the ratio by CPU time (words per CPU second of the build against the bare model's, mean of its two runs),
  which other processes on the machine disturb less than wall-clock time.

The corpus repeats its sources (300 policies of 74 sources: each about four times), so the build's parse cache
(``kg.extract.ParseCache``) serves most sentences of the repeats: compare with ``benchmarks/profile_build.py``
on distinct policies.

Every process runs with OMP/OPENBLAS/MKL threads = 1, so "one job" is one core. Timings on a shared machine are
noisy: compare figures from the same run. Prints a Markdown table for BENCHMARKS.md and the command line.

    python benchmarks/throughput.py                       # 1,000 policies (the issue's benchmark)
    python benchmarks/throughput.py --policies 60 --small 20 --bare-sample 20   # a quick check
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXAMPLES = ROOT / "examples" / "policies"
THREADS = dict.fromkeys(("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"), "1")
OPP_DEV = Path("benchmarks") / "opp115-dev"
SYLLABLES = ("ba", "ce", "di", "fo", "gu", "ka", "le", "mi", "no", "pu", "ra", "se", "ti", "vo", "xu", "za",
             "bre", "clo", "dra", "fli", "gro", "kra", "plu", "tre")


# -- the synthetic corpus -------------------------------------------------------------------------------------
def find_opp115(data: Path | None) -> Path | None:
    """The OPP-115 dev ``policies`` folder: ``--data DIR`` or ``../shared/benchmarks/opp115-dev`` from the repo
    (or from the folder holding the repo's worktrees)."""
    candidates = [data] if data else [ROOT.parent / "shared" / OPP_DEV, ROOT.parents[1] / "shared" / OPP_DEV]
    for base in candidates:
        if base is not None and (base / "policies").is_dir():
            return base / "policies"
    return None


def generated_name(i: int) -> str:
    """A made-up company word, different for every ``i`` below 24**3 (13,824)."""
    n = len(SYLLABLES)
    a, b, c = SYLLABLES[i % n], SYLLABLES[i // n % n], SYLLABLES[i // n // n % n]
    return (a + b + c + "x").capitalize()


def company_names(path: Path) -> list[str]:
    """The names a policy calls its company: the controller's legal name and aliases as the pipeline finds them
    (no spaCy needed for that), the legal name without its suffix, and the brand in the file name
    (``1017_sci-news.com.txt`` -> ``sci-news.com``, ``sci-news``). Longest first."""
    from kg.extract.controller import find_controller
    from kg.ingest import read_document
    from kg.normalize.organisations import strip_legal_suffix
    from kg.segment import segment

    names = set()
    controller, _ = find_controller(segment(read_document(path)))
    if controller is not None:
        names |= {controller.legal_name, strip_legal_suffix(controller.legal_name), *controller.aliases}
    brand = re.sub(r"^\d+_", "", path.stem)
    names |= {brand, re.sub(r"\.(com|net|org|edu|gov|co\.uk|us|info|tv|fm)$", "", brand)}
    return sorted((n for n in names if len(n) >= 3), key=lambda n: (-len(n), n))


def variant(text: str, names: list[str], new: str) -> str:
    """``text`` with every name of ``names`` (whole words, any case) replaced by ``new``; the case of each
    occurrence is kept (``ACME`` -> ``NEWNAME``, ``acme.com`` -> ``newname.com``). When none occurs, a title line
    naming ``new`` is put first, so every variant differs from every other."""
    if names:
        pattern = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w])", re.IGNORECASE)

        def repl(m: re.Match) -> str:
            s = m.group(0)
            return new.upper() if s.isupper() and len(s) > 1 else new.lower() if s.islower() else new
        text, count = pattern.subn(repl, text)
    else:
        count = 0
    return text if count else f"{new} Privacy Policy\n\n{text}"


def make_corpus(sources: list[Path], n: int, out: Path) -> list[Path]:
    """Write ``n`` policies into ``out``: the sources round-robin, each copy with its own generated company name
    (file ``00042-<name>.txt``). Returns the files in order."""
    out.mkdir(parents=True, exist_ok=True)
    names = {src: company_names(src) for src in sources}
    texts = {src: src.read_text(encoding="utf-8", errors="replace") for src in sources}
    files = []
    for i in range(n):
        src = sources[i % len(sources)]
        new = generated_name(i)
        path = out / f"{i:05d}-{new.lower()}{src.suffix}"
        path.write_text(variant(texts[src], names[src], new), encoding="utf-8")
        files.append(path)
    return files


# -- measuring ------------------------------------------------------------------------------------------------
def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process in kB (empty if it is gone)."""
    out = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":", 1)
                    out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def descendants(root: int) -> list[int]:
    """``root`` and every process below it (from /proc/*/stat)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += children.get(pid, [])
    return tree


@dataclass
class TreeMemory:
    """Peak memory of a process tree, sampled from /proc (with the machine's load average at each sample)."""

    peak_rss_kb: int = 0  # highest sum of VmRSS over the tree at one sample
    hwm_kb: dict[int, int] = field(default_factory=dict)  # each process's own high-water mark, last seen
    peak_processes: int = 0
    samples: int = 0
    root: int = 0
    cpu_s: float = 0.0
    load: list[float] = field(default_factory=list)  # 1-minute load average at each sample

    def sample(self, root: int) -> None:
        self.root = root
        total, alive = 0, 0
        for pid in descendants(root):
            st = _status(pid)
            if st:
                alive += 1
                total += st.get("VmRSS", 0)
                self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), st.get("VmHWM", 0))
        self.samples += 1
        self.peak_rss_kb = max(self.peak_rss_kb, total)
        self.peak_processes = max(self.peak_processes, alive)
        self.load.append(os.getloadavg()[0])

    @property
    def mean_load(self) -> float:
        return sum(self.load) / len(self.load) if self.load else 0.0

    @property
    def hwm_sum_kb(self) -> int:
        return sum(self.hwm_kb.values())

    @property
    def root_hwm_kb(self) -> int:
        """The high-water mark of the command's own process."""
        return self.hwm_kb.get(self.root, 0)

    @property
    def largest_child_hwm_kb(self) -> int:
        """The highest high-water mark among the processes below it (the workers), 0 if none."""
        return max((v for pid, v in self.hwm_kb.items() if pid != self.root), default=0)


def run_measured(cmd: list[str], env: dict[str, str], interval: float = 0.1) -> tuple[float, int, TreeMemory]:
    """Run ``cmd``; (wall seconds, exit code, memory of its process tree). ``mem.cpu_s`` is the CPU time (user +
    system) of the command and every descendant its processes waited for (``getrusage(RUSAGE_CHILDREN)``)."""
    mem = TreeMemory()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()

    def sampler() -> None:
        while not stop.is_set():
            mem.sample(proc.pid)
            stop.wait(interval)
    thread = threading.Thread(target=sampler, daemon=True)
    thread.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - start
    stop.set()
    thread.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    mem.cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode:
        sys.stderr.write(err)
    return elapsed, proc.returncode, mem


def disk_size(path: Path) -> tuple[int, int]:
    """(bytes in files, bytes allocated on disk) under ``path``."""
    size = alloc = 0
    for f in path.rglob("*"):
        if f.is_file():
            st = f.stat()
            size += st.st_size
            alloc += st.st_blocks * 512
    return size, alloc


def word_count(files: list[Path]) -> int:
    return sum(len(f.read_text(encoding="utf-8").split()) for f in files)


def bare_model(files: list[Path]) -> tuple[float, float, float]:
    """(Wall seconds, CPU seconds) of ``nlp.pipe`` (en_core_web_sm without NER) over the files' raw texts, model
    loaded first; and the 5-minute load average at the end."""
    from kg.extract.nlp import load_pipeline

    texts = [f.read_text(encoding="utf-8") for f in files]
    nlp = load_pipeline(accelerated=False).nlp  # the unmodified model (the build accelerates its attribute ruler)
    cpu, start = time.process_time(), time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=8):
        pass
    return time.perf_counter() - start, time.process_time() - cpu, os.getloadavg()[1]


def build(corpus: Path, store: Path, jobs: int, env: dict[str, str]) -> tuple[float, TreeMemory]:
    cmd = [sys.executable, "-m", "kg", "build", str(corpus), "--store", str(store), "--jobs", str(jobs), "-q"]
    elapsed, code, mem = run_measured(cmd, env)
    if code:
        raise SystemExit(f"error: {' '.join(cmd)} exited with {code}")
    return elapsed, mem


def stored(store: Path) -> tuple[int, int]:
    from kg.store import Store

    with Store(store) as s:
        return len(s), s.triple_count()


# -- the run --------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--policies", type=int, default=1000, help="size of the full corpus (default 1000)")
    ap.add_argument("--small", type=int, default=100, help="size of the small corpus for peak RSS (default 100)")
    ap.add_argument("--jobs", default="1,2", help="comma-separated --jobs values to time (default 1,2)")
    ap.add_argument("--data", type=Path, help="OPP-115 dev folder (with policies/*.txt); default ../shared/...")
    ap.add_argument("--no-opp115", action="store_true", help="use only the example policies as sources")
    ap.add_argument("--bare-sample", type=int, default=0,
                    help="time the bare model on the first N policies only (default: all)")
    ap.add_argument("--keep", type=Path, help="make the corpus and stores in this folder and keep them")
    args = ap.parse_args(argv)
    os.environ.update(THREADS)  # before spaCy (numpy, BLAS) is loaded here (bare model) or in a build process
    jobs = [int(j) for j in args.jobs.split(",")]
    if args.policies < 1 or not 0 < args.small <= args.policies:
        ap.error("need 0 < --small <= --policies")

    sources = sorted(EXAMPLES.glob("*.txt"))
    opp = None if args.no_opp115 else find_opp115(args.data)
    if opp is not None:
        sources += sorted(opp.glob("*.txt"))
    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-throughput-"))
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    try:
        started = datetime.datetime.now()
        files = make_corpus(sources, args.policies, work / "corpus")
        small_dir = work / "small"
        small_dir.mkdir(exist_ok=True)
        for f in files[:args.small]:
            shutil.copy2(f, small_dir / f.name)
        words = word_count(files)
        print(f"corpus: {len(files)} policies, {words:,} words, from {len(sources)} sources "
              f"({'examples + OPP-115 dev' if opp else 'examples only'}); in {work}", flush=True)

        bare_files = files[:args.bare_sample] if args.bare_sample else files
        bare_words = word_count(bare_files)
        load_before = os.getloadavg()[0]
        bare_s, bare_cpu, load_5min = bare_model(bare_files)
        bare_wps = bare_words / bare_s
        print(f"bare en_core_web_sm: {bare_words:,} words in {bare_s:.1f} s = {bare_wps:,.0f} words/s", flush=True)

        rows, mems = [], {}
        for j in jobs:
            store = work / f"store-{args.policies}-j{j}"
            shutil.rmtree(store, ignore_errors=True)
            elapsed, mem = build(work / "corpus", store, j, env)
            n_stored, triples = stored(store)
            size, alloc = disk_size(store)
            rows.append((j, elapsed, words / elapsed, n_stored, triples, size, alloc, mem))
            mems[(j, args.policies)] = mem
            print(f"build --jobs {j}: {elapsed:.1f} s = {words / elapsed:,.0f} words/s; {n_stored} policies, "
                  f"{triples:,} triples; peak RSS {mem.peak_rss_kb / 1024:.0f} MB; store {size / 1e6:.1f} MB",
                  flush=True)
            small_store = work / f"store-{args.small}-j{j}"
            shutil.rmtree(small_store, ignore_errors=True)
            _, mem = build(small_dir, small_store, j, env)
            mems[(j, args.small)] = mem
            print(f"build --jobs {j} of {args.small}: peak RSS {mem.peak_rss_kb / 1024:.0f} MB", flush=True)
            if not args.keep:
                shutil.rmtree(small_store, ignore_errors=True)
        # the bare model once more, after the builds: a machine whose load changed during the run shows here
        bare2_s, bare2_cpu, _ = bare_model(bare_files)
        print(f"bare en_core_web_sm, again: {bare_words / bare2_s:,.0f} words/s", flush=True)
        bare_wps = bare_words / ((bare_s + bare2_s) / 2)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    command = "python benchmarks/throughput.py" + "".join(
        f" {a}" for a in (argv if argv is not None else sys.argv[1:]))
    by_jobs = {r[0]: r for r in rows}
    print()
    print(f"Command: `{command}` ({started:%Y-%m-%d %H:%M}; {os.cpu_count()} CPUs; Python "
          f"{platform.python_version()}). Corpus: {len(files):,} policies, {words:,} words"
          + (f"; bare model timed on the first {len(bare_files)} ({bare_words:,} words)" if args.bare_sample else "")
          + ".")
    print()
    print("| what | time s | words/s | ratio | CPU s (all processes) | load avg during |")
    print("|---|---:|---:|---|---:|---:|")
    print(f"| bare `en_core_web_sm`, NER disabled (`nlp.pipe`, one process), before the builds | {bare_s:.1f} | "
          f"{bare_words / bare_s:,.0f} | | {bare_cpu:.0f} | "
          f"{load_before:.1f} at start, {load_5min:.1f} (5 min) at end |")
    print(f"| the same, after the builds | {bare2_s:.1f} | {bare_words / bare2_s:,.0f} | | {bare2_cpu:.0f} | |")
    print(f"| bare, mean of the two (the ratios' base) | | {bare_wps:,.0f} | | | |")
    bare_cpu_wps = bare_words / ((bare_cpu + bare2_cpu) / 2)  # words per CPU second, less disturbed by load
    for j, elapsed, wps, *_, mem in rows:
        ratio = f"{wps / bare_wps:.2f} of bare"
        if j == 1 and mem.cpu_s:
            ratio += f" ({words / mem.cpu_s / bare_cpu_wps:.2f} by CPU time)"
        if j != jobs[0] and jobs[0] in by_jobs:
            ratio += f"; {wps / by_jobs[jobs[0]][2]:.2f}x --jobs {jobs[0]}"
        print(f"| whole build, `--jobs {j}` (CLI into a fresh store) | {elapsed:.1f} | {wps:,.0f} | {ratio} | "
              f"{mem.cpu_s:.0f} | {mem.mean_load:.1f} |")
    print()
    print("| build | policies | peak RSS, sampled sum (MB) | sum of per-process peaks (MB) | processes | "
          f"RSS {args.policies} / {args.small} | CLI process peak (MB) | largest worker peak (MB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for j in jobs:
        for n in (args.small, args.policies):
            mem = mems[(j, n)]
            growth = f"{mem.peak_rss_kb / mems[(j, args.small)].peak_rss_kb:.2f}" if n == args.policies else ""
            print(f"| `--jobs {j}` | {n:,} | {mem.peak_rss_kb / 1024:,.0f} | {mem.hwm_sum_kb / 1024:,.0f} | "
                  f"{mem.peak_processes} | {growth} | {mem.root_hwm_kb / 1024:,.0f} | "
                  f"{f'{mem.largest_child_hwm_kb / 1024:,.0f}' if mem.largest_child_hwm_kb else '–'} |")
    print()
    print("| store | policies | triples | size of files (MB) | allocated on disk (MB) |")
    print("|---|---:|---:|---:|---:|")
    for j, _, _, n_stored, triples, size, alloc, _ in rows:
        print(f"| built with `--jobs {j}` | {n_stored:,} | {triples:,} | {size / 1e6:,.1f} | {alloc / 1e6:,.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
