"""Time and peak memory of one hostile policy file against its size, for each kind of hostile input.

Each point is one file, written here into a temporary folder, read and built by a fresh Python process
(``kg.pipeline.work``: read, decode, segment, extract, normalise, the policy's triples, then their Turtle as the
Turtle sink writes it: what one file of ``privacy-kg build -o`` costs, in its worker and in the parent): the spaCy
model is loaded before the clock starts, so the time is the file's alone. Peak memory is that process's
``ru_maxrss`` (the model included, about 300 MB) and its growth over the RSS right after loading the model. A point
that runs over ``--limit`` seconds is killed and shown as such.

Kinds (each at ``--factors`` times its base size):

* ``sentences``: distinct policy sentences, one statement each, one per line (base 1,000 sentences);
* ``one-line``: the same sentences on one line, no line break at all (base 1,000 sentences);
* ``no-stop``: one enormous line of words with no sentence end (base 100 kB);
* ``nesting``: HTML with elements nested N deep around one sentence (base 2,000 levels);
* ``markdown``: ``**we the `` repeated, no closing ``**`` (base 50 kB);
* ``md-links``: ``[we the](`` repeated, no closing parenthesis (base 50 kB);
* ``comments``: a ``.txt`` of ``<!-- we share the data -->`` comments before the text (base 5,000 comments);
* ``capitals``: lines with one 4,000-letter capitalised word, where the controller is looked for (base 25 lines);
* ``dots``: ``we. . the.. `` repeated: candidate sentence ends everywhere (base 100 kB).

Work is linear when the time ratio at 2x / 4x / 8x the base is about 2 / 4 / 8 (quadratic would be 4 / 16 / 64).
Timings on a shared machine are noisy: read the ratios within one run.

    python benchmarks/adversarial.py                      # every kind at 1x, 2x, 4x, 8x
    python benchmarks/adversarial.py --kinds markdown comments --factors 1 4
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = "We share your email address and phone number {i} with advertising partners for marketing purposes."


def _sentences(n: int, sep: str) -> str:
    return "Privacy Policy\n\nAcme Inc. operates this website.\n\n" + sep.join(
        SENTENCE.format(i=i) for i in range(n)) + "\n"


def _words(size: int) -> str:
    words = "we collect and share your personal data with our partners and affiliates "
    return (words * (size // len(words) + 1))[:size]


KINDS = {  # name: (file suffix, base size, text of a file of that size)
    "sentences": (".txt", 1000, lambda n: _sentences(n, "\n")),
    "one-line": (".txt", 1000, lambda n: _sentences(n, " ")),
    "no-stop": (".txt", 100_000, _words),
    "nesting": (".html", 2000, lambda n: "<html><body>" + "<div>" * n + "<p>" + SENTENCE.format(i=0) + "</p>"
                + "</div>" * n + "</body></html>"),
    # the hostile units carry English function words, so the files pass the language check and reach segmenting
    "markdown": (".md", 50_000, lambda n: "# Privacy\n\n" + SENTENCE.format(i=0) + "\n\n" + "**we the " * (n // 9)),
    "md-links": (".md", 50_000, lambda n: "# Privacy\n\n" + SENTENCE.format(i=0) + "\n\n" + "[we the](" * (n // 9)),
    "comments": (".txt", 5000, lambda n: "<!-- we share the data -->" * n + "\n" + SENTENCE.format(i=0) + "\n"),
    "capitals": (".txt", 25,
                 lambda n: "Privacy Policy\n\n" + ("We and the " + "A" * 4000 + " respects your privacy.\n") * n),
    "dots": (".txt", 100_000, lambda n: SENTENCE.format(i=0) + " " + ("we. . the.. " * (n // 12)) + "\n"),
}

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from kg.errors import KgError
from kg.graphio import serialize_triples
from kg.pipeline import Task, new_extractor, work
extractor = new_extractor()
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
result = work(Task(sys.argv[2]), extractor)
if not isinstance(result, KgError):
    serialize_triples(result.triples)
seconds = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
failed = result.message if isinstance(result, KgError) else None
print(json.dumps({"seconds": seconds, "rss_mb": rss / 1024, "growth_mb": (rss - rss0) / 1024,
                  "statements": None if failed else result.policy.statements, "error": failed}))
"""


def measure(path: Path, limit: float) -> dict:
    try:
        out = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT), str(path)], capture_output=True, text=True,
                             timeout=limit + 60)  # + model loading
    except subprocess.TimeoutExpired:
        return {"seconds": None, "error": f"killed at {limit + 60:g} s wall (model loading included)"}
    if out.returncode != 0:
        return {"seconds": None, "error": (out.stderr.strip().splitlines() or ["crashed"])[-1]}
    point = json.loads(out.stdout.strip().splitlines()[-1])
    if point["seconds"] > limit:
        point["error"] = f"over {limit:g} s"
    return point


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kinds", nargs="+", choices=sorted(KINDS), default=list(KINDS))
    parser.add_argument("--factors", nargs="+", type=int, default=[1, 2, 4, 8])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every base size (a quick check: 0.1)")
    parser.add_argument("--limit", type=float, default=600.0, help="seconds before a point is killed")
    parser.add_argument("--json", type=Path, help="also write the points as JSON")
    args = parser.parse_args()
    points = []
    print("| kind | size | file bytes | seconds | ratio to 1x | peak RSS MB | RSS growth MB | statements |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.kinds:
            suffix, base, make = KINDS[kind]
            first = None
            for factor in args.factors:
                size = max(1, int(base * args.scale * factor))
                path = Path(tmp, f"{kind}-{factor}{suffix}")
                path.write_text(make(size), encoding="utf-8")
                start = time.perf_counter()
                point = {"kind": kind, "factor": factor, "size": size, "bytes": path.stat().st_size,
                         **measure(path, args.limit)}
                point["wall"] = time.perf_counter() - start
                points.append(point)
                seconds = point["seconds"]
                if first is None and seconds:
                    first = seconds
                ratio = f"{seconds / first:.1f}" if seconds and first else "-"
                shown = f"{seconds:.2f}" if seconds is not None else point["error"]
                note = f" ({point['error']})" if point.get("error") and seconds is not None else ""
                print(f"| {kind} | {factor}x {size:,} | {point['bytes']:,} | {shown}{note} | {ratio} | "
                      f"{point.get('rss_mb', 0):.0f} | {point.get('growth_mb', 0):.0f} | "
                      f"{point.get('statements') if point.get('statements') is not None else '-'} |", flush=True)
                path.unlink()
    if args.json:
        args.json.write_text(json.dumps(points, indent=1) + "\n", encoding="utf-8")
    print(f"\ncommand: python benchmarks/adversarial.py {' '.join(sys.argv[1:])}".rstrip())


if __name__ == "__main__":
    main()
