"""Throughput harness: the bare spaCy model and the whole build over the same policies, in one run, repeated.

    python benchmarks/profile_build.py --data ../shared/benchmarks/opp115-dev              # 3 rounds, stages
    python benchmarks/profile_build.py --data ../shared/benchmarks/opp115-dev --limit 15 --profile cprofile
    python benchmarks/profile_build.py --data examples/policies --rounds 1 --profile pyinstrument

Each round times, one after the other on the same texts:

- **bare**: the unmodified ``en_core_web_sm`` with NER disabled, ``nlp.pipe`` over the raw texts (the definition
  used by ``benchmarks/opp115.py``; the build's pipeline differs only by its faster attribute-ruler matcher, see
  ``kg/extract/nlp.py``);
- **build**: ``kg.api.build_graph_of`` over the policy files (ingest, clean, segment, parse, extract, normalise,
  build the rdflib graph; the extractor's matchers are compiled inside the timing, as in a real build);
- **stages**: the same pipeline run stage by stage with a CPU-time timer per stage (parsing is done for all
  sentences of a policy before the rules run, so spaCy's time and ours are apart).

The machine is shared, so absolute times are noisy: read the bare/build ratio of each round, and the median. The
ratio is given for wall-clock time (the issue's measure) and for CPU time, which other processes on the machine
disturb less.
``--profile`` adds one profiled build (cProfile: the heaviest functions and the time per area; pyinstrument: its
call tree); ``--components`` the CPU time of each spaCy component, over the raw texts (bare) and over the
sentences the build parses. The spaCy model and the ontology are loaded once, outside every timing.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rdflib import Graph  # noqa: E402

from kg.api import build_graph_of  # noqa: E402
from kg.extract import Extractor  # noqa: E402
from kg.extract.controller import find_controller, find_date  # noqa: E402
from kg.extract.nlp import load_pipeline  # noqa: E402
from kg.extract.statements import body_sentences  # noqa: E402
from kg.graph import policy_graph  # noqa: E402
from kg.graphio import ontology_graph  # noqa: E402
from kg.ingest import discover, read_document  # noqa: E402
from kg.model import PolicyRecord  # noqa: E402
from kg.normalize import normalize  # noqa: E402
from kg.segment import segment  # noqa: E402
from kg.vocab import bind_prefixes  # noqa: E402

try:
    from kg.graph import add_policy  # noqa: E402
except ImportError:  # commits before it (to measure "before" with this harness)
    def add_policy(graph: Graph, record: PolicyRecord) -> Graph:
        graph += policy_graph(record)
        return graph

STAGES = ("setup", "ingest", "segment", "parse", "rules", "controller", "normalize", "graph")
# cProfile areas, by the file a function lives in (first match wins)
AREAS = (
    ("spaCy Matcher (attribute_ruler)", ("spacy/matcher",)),
    ("spaCy/thinc pipeline", ("spacy/", "thinc/", "numpy/", "srsly/", "cymem/", "preshed/")),
    ("kg.extract", ("kg/extract/",)),
    ("kg.ingest + segment", ("kg/ingest/", "kg/segment.py")),
    ("kg.normalize", ("kg/normalize/",)),
    ("kg.graph + rdflib", ("kg/graph.py", "kg/vocab.py", "rdflib/")),
)


def bare(nlp, texts: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of the bare model over ``texts``."""
    start, cpu = time.perf_counter(), time.process_time()
    for _ in nlp.pipe(texts, batch_size=8):
        pass
    return time.perf_counter() - start, time.process_time() - cpu


def build(files: list[Path]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of the whole build of ``files``."""
    start, cpu = time.perf_counter(), time.process_time()
    _, summary = build_graph_of(files)
    elapsed = time.perf_counter() - start, time.process_time() - cpu
    for exc in summary.failed:
        print(f"error: {exc.one_line()}", file=sys.stderr)
    return elapsed


def stages(files: list[Path]) -> dict[str, float]:
    """The build of ``kg.api`` (process_file + build_graph), one CPU-time timer per stage."""
    t: dict[str, float] = defaultdict(float)
    clock = time.process_time
    mark = clock()
    extractor = Extractor(ontology_graph())
    nlp = extractor.pipeline.nlp
    graph = bind_prefixes(Graph())
    t["setup"] += clock() - mark
    for path in files:
        mark = clock()
        document = read_document(path)
        t["ingest"] += clock() - mark
        mark = clock()
        seg = segment(document)
        t["segment"] += clock() - mark
        mark = clock()
        docs = list(nlp.pipe(s.text for s in body_sentences(seg)))
        t["parse"] += clock() - mark
        mark = clock()
        statements = tuple(extractor.sentences.extract(seg, docs))
        t["rules"] += clock() - mark
        mark = clock()
        controller, warnings = find_controller(seg)
        date, date_evidence = find_date(seg)
        t["controller"] += clock() - mark
        mark = clock()
        record = PolicyRecord(document=seg.document, controller=controller, practices=normalize(statements),
                              model=extractor.model, date=date, date_evidence=date_evidence,
                              warnings=seg.document.warnings + tuple(warnings))
        t["normalize"] += clock() - mark
        mark = clock()
        add_policy(graph, record)
        t["graph"] += clock() - mark
    return dict(t)


def components(nlp, texts: list[str], files: list[Path]) -> None:
    """CPU seconds per spaCy component: bare (the unmodified model ``nlp``; raw texts, batches of 8) and build (the
    build's pipeline, with the accelerated attribute ruler; body sentences, per policy)."""
    sentences = [[s.text for s in body_sentences(segment(read_document(f)))] for f in files]
    print("\nspaCy components, CPU s (tokenizer, then the pipeline's components in order):")
    runs = (("bare", nlp, [texts], 8), ("build", load_pipeline().nlp, sentences, nlp.batch_size))
    for label, nlp, batches, size in runs:
        t: dict[str, float] = defaultdict(float)
        tokens = 0
        for batch in batches:
            mark = time.process_time()
            docs = [nlp.make_doc(text) for text in batch]
            t["tokenizer"] += time.process_time() - mark
            for name, proc in nlp.pipeline:
                mark = time.process_time()
                docs = list(proc.pipe(docs, batch_size=size)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
                t[name] += time.process_time() - mark
            tokens += sum(len(d) for d in docs)
        print(f"  {label:5s} {len([x for b in batches for x in b]):5d} docs {tokens:7,d} tokens: "
              + " ".join(f"{k} {v:.2f}" for k, v in t.items()) + f" | total {sum(t.values()):.2f}")


def profile_cprofile(files: list[Path], top: int) -> None:
    prof = cProfile.Profile()
    prof.enable()
    build_graph_of(files)
    prof.disable()
    stats = pstats.Stats(prof)
    total = sum(v[2] for v in stats.stats.values())  # tottime of every function
    areas: dict[str, float] = defaultdict(float)
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():
        name = filename.replace("\\", "/")
        area = next((a for a, marks in AREAS if any(m in name for m in marks)), None)
        if area is None:  # Cython functions report "<file>.pyx" names, builtins "~"
            area = "spaCy Matcher (attribute_ruler)" if "matcher" in name else (
                "spaCy/thinc pipeline" if name.endswith((".pyx", ".pxd")) else "other (builtins, re, ...)")
        areas[area] += tottime
    print(f"\ncProfile of one build ({total:.1f} s under the profiler; shares, not absolute times, count):")
    for area, secs in sorted(areas.items(), key=lambda kv: -kv[1]):
        print(f"  {area:32s} {secs:7.2f} s  {100 * secs / total:5.1f} %")
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    print("\n" + "\n".join(line for line in out.getvalue().splitlines() if line.strip()
                           and not line.startswith(("   Ordered", "   List reduced"))))


def profile_pyinstrument(files: list[Path]) -> None:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.005)
    profiler.start()
    build_graph_of(files)
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False, show_all=False))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, type=Path,
                    help="a folder with policies/*.txt (OPP-115 layout) or any folder of policy files")
    ap.add_argument("--limit", type=int, help="only the first N policies")
    ap.add_argument("--rounds", type=int, default=3, help="bare + build rounds (default 3)")
    ap.add_argument("--no-stages", action="store_true", help="skip the stage-by-stage timing")
    ap.add_argument("--profile", choices=("cprofile", "pyinstrument"), help="also profile one build")
    ap.add_argument("--top", type=int, default=25, help="functions to list with --profile cprofile")
    ap.add_argument("--components", action="store_true", help="also time each spaCy component (bare vs build)")
    args = ap.parse_args(argv)
    folder = args.data / "policies" if (args.data / "policies").is_dir() else args.data
    files, errors = discover([folder])
    for exc in errors:
        print(f"error: {exc.one_line()}", file=sys.stderr)
    files = files[:args.limit] if args.limit else files
    if not files:
        print(f"error: {folder}: no policy files", file=sys.stderr)
        return 2
    # bare = the raw file texts (as benchmarks/opp115.py); for HTML the text layer would be fairer, but the
    # benchmark corpora are .txt
    texts = [f.read_text(encoding="utf-8", errors="replace") for f in files]
    n_words = sum(len(t.split()) for t in texts)
    nlp = load_pipeline(accelerated=False).nlp  # the unmodified model, outside every timing
    load_pipeline()  # the build's, with the accelerated attribute ruler
    ontology_graph()
    build(files[:1])  # warm-up: first-call costs (lazy imports, regex compilation) out of round 1
    print(f"{len(files)} policies, {n_words:,} words; {args.rounds} rounds (bare first in odd rounds, build first "
          "in even ones); wall-clock, with CPU seconds in brackets")
    ratios, cpu_ratios = [], []
    for r in range(1, args.rounds + 1):
        if r % 2:
            (b, bc), (w, wc) = bare(nlp, texts), build(files)
        else:
            (w, wc), (b, bc) = build(files), bare(nlp, texts)
        ratios.append(b / w)
        cpu_ratios.append(bc / wc)
        line = (f"round {r}: bare {b:5.1f} s ({bc:5.1f}) = {n_words / b:6,.0f} w/s | build {w:5.1f} s ({wc:5.1f}) = "
                f"{n_words / w:6,.0f} w/s | build/bare throughput {b / w:.2f} (CPU {bc / wc:.2f})")
        if not args.no_stages:
            st = stages(files)
            total = sum(st.values())
            other = total - st["parse"]
            line += "\n  stages (CPU s) " + " ".join(f"{k} {st.get(k, 0):.2f}" for k in STAGES) \
                + f" | sum {total:.1f} | parse/bare {st['parse'] / bc:.2f} | other stages/bare {other / bc:.2f}"
        print(line, flush=True)
    print(f"median build/bare throughput ratio: {statistics.median(ratios):.2f} wall-clock (rounds: "
          + ", ".join(f"{x:.2f}" for x in ratios) + f"), {statistics.median(cpu_ratios):.2f} CPU time (rounds: "
          + ", ".join(f"{x:.2f}" for x in cpu_ratios) + ")")
    if args.components:
        components(nlp, texts, files)
    if args.profile == "cprofile":
        profile_cprofile(files, args.top)
    elif args.profile == "pyinstrument":
        profile_pyinstrument(files)
    return 0


if __name__ == "__main__":
    sys.exit(main())
