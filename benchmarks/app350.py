"""APP-350 policy-level benchmark: build the graph of DIR/policies/*.txt, read data types by party out of it by SPARQL.

    python benchmarks/app350.py --data ../shared/benchmarks/app350-dev --pred pred.json
    python ../shared/benchmarks/app350-dev/score.py --data ../shared/benchmarks/app350-dev --pred pred.json

The graph is built with the normal pipeline (kg.api), exactly as `privacy-kg build` does. Every prediction is a
SPARQL answer over that graph plus the ontology, through the mappings of ontology/concepts/app350.ttl: a fact's
data category, walked up ``skos:broader*`` to the nearest concept mapped to an APP-350 data type. No text is read
here. The APP-350 texts and labels stay outside the repository (research use only).

Parties, as the APP-350 corpus defines them:

- ``1stParty``: the company collects or uses the data type: a positive data practice of the policy (collection,
  use, retention, sharing, sale or transfer: a company can only keep or pass on data it has) whose data is not
  collected by a third party (no ``ppkg:collector``);
- ``3rdParty``: a third party collects the data type through the app (a collection practice with a
  ``ppkg:collector``), or the company shares it with a recipient whose kind is mapped to ``app350:ThirdParty``
  (advertisers, analytics providers, partners, service providers ...; not the authorities a company answers to,
  nor the buyer of the business);
- ``3rdParty_anyrecipient`` (scored by score.py as a variant): sharing with any recipient at all.

``not_performed`` reads the negated practices the same way, except a denial limited to some people's data
(``dpv:hasDataSubject``: "we do not collect personal information from children under 13"), which says nothing of
the app's users at large. Coarse labels are the groups of the fine ones (the part
of the label before the first "_"), as the corpus defines them.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from devset import PREFIXES, build, mapped, oxigraph_of, sources

DATA = mapped("app350:DataType")
PARTY = mapped("app350:Party", concept="?kind", value="?party", label="?partyLabel")

FIRST_PARTY = """
  ?policy ppkg:hasPractice ?p . ?p ppkg:negated NEGATED ; dpv:hasPersonalData ?c .
  FILTER NOT EXISTS { ?p ppkg:collector ?who }
"""
THIRD_PARTY_COLLECTS = """
  ?policy ppkg:hasPractice ?p . ?p a ppkg:CollectionPractice ; ppkg:negated NEGATED ; ppkg:collector ?who ;
     dpv:hasPersonalData ?c .
"""
SHARED_WITH_THIRD_PARTY = """
  ?policy ppkg:hasPractice ?p . ?p a ppkg:SharingPractice ; ppkg:negated NEGATED ; dpv:hasRecipient ?r ;
     dpv:hasPersonalData ?c .
  ?r ppkg:recipientKind ?kind .
""" + PARTY + """
  FILTER (?party = app350:ThirdParty)
"""
SHARED_WITH_ANYONE = """
  ?policy ppkg:hasPractice ?p . ?p a ppkg:SharingPractice ; ppkg:negated NEGATED ; dpv:hasPersonalData ?c .
"""


def slot_query(pattern: str) -> str:
    return PREFIXES + f"""
SELECT DISTINCT ?source ?label WHERE {{
  ?policy a ppkg:PrivacyPolicy ; ppkg:sourceFile ?source .
  {pattern}
  {DATA}
}}"""


PARTIES = {
    "1stParty": (FIRST_PARTY,),
    "3rdParty": (THIRD_PARTY_COLLECTS, SHARED_WITH_THIRD_PARTY),
    "3rdParty_anyrecipient": (THIRD_PARTY_COLLECTS, SHARED_WITH_ANYONE),
}
UNSCORED = {"Other"}


def coarse_of(label: str) -> str:
    return label.split("_", 1)[0]


def predict(store) -> dict[str, dict]:
    """Predictions in the shape of the benchmark's gold.json, for every policy in the store."""
    preds = {stem: {pol: {"fine": {p: set() for p in PARTIES}} for pol in ("performed", "not_performed")}
             for stem in sources(store)}
    for pol, negated in (("performed", "false"), ("not_performed", "true")):
        for party, patterns in PARTIES.items():
            for pattern in patterns:
                pat = pattern.replace("NEGATED", negated)
                if negated == "true":
                    pat += "\n  FILTER NOT EXISTS { ?p dpv:hasDataSubject ?whose }\n"
                for row in store.query(slot_query(pat)):
                    label = row["label"].value
                    if label not in UNSCORED:
                        preds[Path(row["source"].value).stem][pol]["fine"][party].add(label)
    out = {}
    for stem, pols in preds.items():
        out[stem] = {pol: {"fine": {p: sorted(v) for p, v in d["fine"].items()},
                           "coarse": {p: sorted({coarse_of(x) for x in v}) for p, v in d["fine"].items()}}
                     for pol, d in pols.items()}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, type=Path, help="folder with policies/*.txt (APP-350 dev layout)")
    ap.add_argument("--pred", required=True, type=Path, help="where to write the predictions (gold.json shape)")
    ap.add_argument("--graph", type=Path, help="also write the built graph as Turtle")
    ap.add_argument("--no-baseline", action="store_true", help="skip timing the bare spaCy model")
    args = ap.parse_args(argv)
    if not any((args.data / "policies").glob("*.txt")):
        print(f"error: {args.data / 'policies'}: no .txt policies", file=sys.stderr)
        return 2
    run = build(args.data / "policies", baseline=not args.no_baseline)
    start = time.perf_counter()
    preds = predict(oxigraph_of(run.graph))
    read = time.perf_counter() - start
    args.pred.write_text(json.dumps({"policies": preds}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if args.graph:
        run.graph.serialize(args.graph, format="turtle")
    print(run.report())
    print(f"predictions read from the graph by SPARQL in {read:.1f} s -> {args.pred}")
    return 2 if run.summary.failed else 0


if __name__ == "__main__":
    sys.exit(main())
