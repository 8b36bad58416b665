"""Controller names: does ``find_controller`` name the company that publishes each policy?

    python benchmarks/controllers.py                          # both dev sets, one line per policy, then totals
    python benchmarks/controllers.py --only-disagreements     # just the lines to read by hand

Runs ingest -> segment -> ``kg.extract.controller.find_controller`` (no spaCy: a few seconds) over
``OPP/policies/*.txt`` (file names are ``<id>_<domain>.txt``: the domain is the site whose policy it is) and
``APP/policies/*.txt`` (``gold.json``: ``policies[id]["name"]``, the app's name, often its package name). Per
policy it prints the name found, the cue (rule id) that found it, and whether it agrees with the site or app name
by an automatic comparison of normalised tokens (``agrees``): the name's words (legal suffix, "the" and case
dropped, camelCase split) must spell the site's or app's key, whole words or their initials ("nytimes" =
"New York Times"), or one must contain the other. The comparison is a guide: a company behind an app ("Google
Inc." for "YouTube") or a parent company disagrees and may still be right, so every disagreement is read by hand
(BENCHMARKS.md, "Controller names"). The texts stay in ``../shared``; nothing of them is written here.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.extract.controller import find_controller  # noqa: E402
from kg.ingest import read_document  # noqa: E402
from kg.normalize.organisations import strip_legal_suffix  # noqa: E402
from kg.segment import segment  # noqa: E402

SHARED = ROOT.parent / "shared" / "benchmarks"
# Words that say nothing about which site or app: domain and package furniture, legal and generic words.
NOISE = {"www", "com", "org", "net", "edu", "gov", "io", "co", "uk", "us", "jp", "kr", "de", "fr", "info", "biz",
         "android", "app", "apps", "free", "mobile", "the", "inc", "llc", "ltd", "corp", "corporation", "company",
         "limited", "gmbh", "plc", "lp", "group"}
LINKS = {"of", "and", "the"}  # kept in a joined key ("bankofamerica") and also tried without


def _words(name: str) -> list[str]:
    """Lower-case words of a name: camelCase and letter/digit runs split, punctuation dropped."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name.replace("&", " and "))
    return list(re.findall(r"[a-z0-9]+", spaced.lower()))


def site_keys(site: str) -> set[str]:
    """Keys a name may spell: "sci-news.com" -> {"scinews"}; "com.allrecipes.spinner.free" -> {"allrecipes",
    "spinner"}; "AccuWeather" -> {"accuweather"}."""
    parts = site.split(".")
    if re.search(r"\.[a-z]{2,6}$", site) and not re.match(r"(?:com|org|net|io|jp|kr|co|mbinc12|xray)\.", site):
        parts = parts[:-1]  # a domain: drop its top-level domain (and a second-level "co" or "ac": kept as noise)
    keys = set()
    for part in parts:
        words = [w for w in _words(part) if w not in NOISE]
        keys |= {"".join(words), re.sub(r"^the", "", "".join(words))} | {w for w in words if len(w) >= 4}
    return {k for k in keys if len(k) >= 2}


def _spells(key: str, words: list[str]) -> bool:
    """Whether ``key`` is a run of consecutive ``words``, each written whole or as its initial."""
    def from_(i: int, at: int) -> bool:
        if at == len(key):
            return True
        if i == len(words):
            return False
        w = words[i]
        return (key.startswith(w, at) and from_(i + 1, at + len(w))) or \
            (key[at] == w[0] and from_(i + 1, at + 1))
    return any(from_(i, 0) for i in range(len(words)))


def agrees(name: str | None, site: str) -> bool:
    if not name:
        return False
    words = [w for w in _words(strip_legal_suffix(name)) if w not in NOISE]
    for ws in (words, [w for w in words if w not in LINKS]):
        if not ws:
            continue
        joined = "".join(ws)
        for key in site_keys(site):
            if joined == key or _spells(key, ws):
                return True
            if min(len(joined), len(key)) >= 4 and (key in joined or joined in key):
                return True
    return False


def corpus(name: str, folder: Path) -> list[tuple[str, Path, str]]:
    """(policy id, file, site or app name) for each policy of the dev set in ``folder``."""
    files = sorted((folder / "policies").glob("*.txt"), key=lambda p: p.name)
    if name == "opp115":
        return [(p.stem, p, p.stem.split("_", 1)[1]) for p in files]
    gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))["policies"]
    return [(p.stem, p, gold[p.stem]["name"]) for p in files if p.stem in gold]


def run(name: str, folder: Path, only_disagreements: bool) -> dict[str, int]:
    totals = {"policies": 0, "found": 0, "agree": 0, "disagree": 0, "none": 0}
    print(f"## {name} ({folder})")
    for pid, path, site in corpus(name, folder):
        seg = segment(read_document(path))
        controller, _ = find_controller(seg)
        found = controller.legal_name if controller else None
        ok = agrees(found, site)
        totals["policies"] += 1
        totals["found"] += found is not None
        totals["agree"] += ok
        totals["disagree"] += found is not None and not ok
        totals["none"] += found is None
        if only_disagreements and ok:
            continue
        verdict = "agree" if ok else ("NONE" if found is None else "DISAGREE")
        rule = controller.evidence.rule if controller else ""
        print(f"{verdict:8} {pid:34} site={site!r:40} found={found!r} {rule}")
    n = totals["policies"] or 1
    print(f"{name}: {totals['policies']} policies, name found {totals['found']} ({totals['found'] / n:.0%}), "
          f"agrees with the site/app name {totals['agree']} ({totals['agree'] / n:.0%}), disagrees "
          f"{totals['disagree']}, none {totals['none']}\n")
    return totals


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--opp", type=Path, default=SHARED / "opp115-dev", help="OPP-115 dev folder")
    ap.add_argument("--app", type=Path, default=SHARED / "app350-dev", help="APP-350 dev folder")
    ap.add_argument("--only-disagreements", action="store_true", help="print only the lines to read by hand")
    args = ap.parse_args()
    for name, folder in (("opp115", args.opp), ("app350", args.app)):
        if (folder / "policies").is_dir():
            run(name, folder, args.only_disagreements)
        else:
            print(f"{name}: {folder}/policies not found, skipped", file=sys.stderr)


if __name__ == "__main__":
    main()
