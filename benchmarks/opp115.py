"""OPP-115 policy-level benchmark: build the graph of DIR/policies/*.txt, read predictions out of it by SPARQL.

    python benchmarks/opp115.py --data ../shared/benchmarks/opp115-dev --pred pred.json
    python ../shared/benchmarks/score.py --gold ../shared/benchmarks/opp115-dev/gold.json --pred pred.json

The graph is built with the normal pipeline (kg.api), exactly as `privacy-kg build` does. Every prediction is a
SPARQL answer over that graph plus the ontology: a fact's concept, walked up ``skos:broader*`` to the nearest
concept mapped (skos:exactMatch/closeMatch/broadMatch) to a value of the slot's OPP-115 scheme in
ontology/concepts/opp115.ttl. No text is read here. The OPP-115 texts and labels stay outside the repository.

It also times, in the same run, the bare spaCy model (``en_core_web_sm`` with NER disabled) over the same texts,
and prints both throughputs in words per second.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from devset import PREFIXES, build, mapped, oxigraph_of, sources

FIRST_PARTY = """
  ?policy ppkg:hasPractice ?p . ?p ppkg:negated false .
  { ?p a ppkg:CollectionPractice } UNION { ?p a ppkg:UsePractice }
  FILTER NOT EXISTS { ?p ppkg:collector ?who }
"""
THIRD_PARTY = """
  ?policy ppkg:hasPractice ?p . ?p ppkg:negated false .
  { ?p a ppkg:SharingPractice } UNION { ?p a ppkg:CollectionPractice ; ppkg:collector ?who }
"""
RETENTION = """
  ?policy ppkg:hasPractice ?p . ?p a ppkg:RetentionPractice ; ppkg:negated false .
"""


def concept_slot(pattern: str, scheme: str) -> str:
    """Policies' values of one slot, through the concept mappings."""
    return PREFIXES + f"""
SELECT DISTINCT ?source ?label WHERE {{
  ?policy a ppkg:PrivacyPolicy ; ppkg:sourceFile ?source .
  {pattern}
  {mapped(scheme)}
}}"""


SLOTS: dict[str, str] = {
    "first_party_data": concept_slot(FIRST_PARTY + "?p dpv:hasPersonalData ?c .", "opp:PersonalInformationType"),
    "first_party_purposes": concept_slot(FIRST_PARTY + "?p dpv:hasPurpose ?c .", "opp:Purpose"),
    "third_party_data": concept_slot(THIRD_PARTY + "?p dpv:hasPersonalData ?c .", "opp:PersonalInformationType"),
    "third_party_purposes": concept_slot(THIRD_PARTY + "?p dpv:hasPurpose ?c .", "opp:Purpose"),
    "retention_purposes": concept_slot(RETENTION + "?p dpv:hasPurpose ?c .", "opp:RetentionPurpose"),
    "security_measures": concept_slot("?policy ppkg:hasStatement ?s . ?s a ppkg:SecurityStatement ; "
                                      "ppkg:negated false ; ppkg:securityMeasure ?c .", "opp:SecurityMeasure"),
    "access_types": concept_slot("?policy ppkg:hasRightStatement ?s . ?s ppkg:negated false ; dpv:hasRight ?c .",
                                 "opp:AccessType"),
    "choice_types": concept_slot("?policy ppkg:hasStatement ?s . ?s a ppkg:ChoiceStatement ; "
                                 "ppkg:negated false ; ppkg:choiceType ?c .", "opp:ChoiceType"),
    # audience concepts, each with every value mapped on it or on an ancestor, not only the nearest: audiences nest
    # as groups of people (residents of the EU are also users from other countries), where data categories do not
    "audiences": PREFIXES + """
SELECT DISTINCT ?source ?label WHERE {
  ?policy a ppkg:PrivacyPolicy ; ppkg:sourceFile ?source ; ppkg:hasStatement ?s .
  ?s a ppkg:AudienceStatement ; ppkg:negated false ; ppkg:audience ?c .
  ?c skos:broader* ?anc . ?anc skos:exactMatch|skos:closeMatch|skos:broadMatch ?v .
  ?v skos:inScheme opp:AudienceType ; skos:prefLabel ?label .
}""",
    # the period's DPV duration class is mapped from the OPP value (opp:retention-* skos:closeMatch dpv:...)
    "retention_period": PREFIXES + """
SELECT DISTINCT ?source ?label WHERE {
  ?policy a ppkg:PrivacyPolicy ; ppkg:sourceFile ?source .
  """ + RETENTION + """
  ?p dpv:hasStorageCondition ?period . ?period a ?cls .
  ?v skos:closeMatch ?cls ; skos:inScheme opp:RetentionPeriod ; skos:prefLabel ?label .
}""",
    # a recipient with a name is a "Named third party" unless its kind maps to affiliate / other users / public
    "third_party_entities": PREFIXES + """
SELECT DISTINCT ?source ?label WHERE {
  ?policy a ppkg:PrivacyPolicy ; ppkg:sourceFile ?source .
  """ + THIRD_PARTY + """
  ?p dpv:hasRecipient|ppkg:collector ?r . ?r ppkg:recipientKind ?c .
  """ + mapped("opp:ThirdPartyEntity", label="?kindLabel") + """
  OPTIONAL { ?r dpv:hasName ?name }
  BIND(IF(BOUND(?name) && !(?v IN (opp:entity-OtherPartOfCompanyAffiliate, opp:entity-OtherUsers, opp:entity-Public)),
          "Named third party", STR(?kindLabel)) AS ?label)
}""",
    # stated stances win over "mentioned, but unclear"
    "do_not_track": PREFIXES + """
SELECT DISTINCT ?source ?label WHERE {
  ?policy a ppkg:PrivacyPolicy ; ppkg:sourceFile ?source ; ppkg:hasStatement ?s .
  ?s a ppkg:DoNotTrackStatement ; ppkg:doNotTrackStance ?c .
  ?c skos:exactMatch ?v . ?v skos:inScheme opp:DoNotTrackPolicy ; skos:prefLabel ?label .
  FILTER (?c != ppkg:DntUnclear || NOT EXISTS {
    ?policy ppkg:hasStatement/ppkg:doNotTrackStance ?other . FILTER(?other != ppkg:DntUnclear) })
}""",
    # a statement's category is mapped from its class, and so is the controller identification (OPP-115 files
    # the company's identity and contact details under "Other"); third-party collection counts as sharing
    "practices": PREFIXES + """
SELECT DISTINCT ?source ?label WHERE {
  ?policy a ppkg:PrivacyPolicy ; ppkg:sourceFile ?source .
  {
    ?policy ppkg:hasPractice|ppkg:hasStatement|ppkg:hasRightStatement ?s .
    ?s ppkg:negated false ; a ?cls .
    ?cls skos:exactMatch|skos:closeMatch|skos:broadMatch ?v .
    ?v skos:inScheme opp:PracticeCategory ; skos:prefLabel ?l .
    FILTER NOT EXISTS { ?s ppkg:collector ?who . ?s a ppkg:CollectionPractice }
    BIND(STR(?l) AS ?label)
  } UNION {
    ?policy ppkg:hasPractice ?s . ?s a ppkg:CollectionPractice ; ppkg:negated false ; ppkg:collector ?who .
    BIND("Third Party Sharing/Collection" AS ?label)
  } UNION {
    ?policy <http://purl.org/dc/terms/publisher> ?org . ?org a ?cls .
    ?cls skos:exactMatch|skos:closeMatch|skos:broadMatch ?v .
    ?v skos:inScheme opp:PracticeCategory ; skos:prefLabel ?l .
    BIND(STR(?l) AS ?label)
  }
}""",
}
# OPP-115's catch-all values are not scored (README of the benchmark), except the practice category "Other".
UNSCORED = {"Other", "Unspecified"}


def predict(store, vocab: dict[str, list[str]] | None = None) -> dict[str, dict[str, list[str]]]:
    """Run every slot's query over the graph plus the ontology (``devset.oxigraph_of``).

    ``vocab`` (the benchmark's vocab.json, when the folder has one) drops values a slot does not score, such as
    "Social media data" under third-party sharing.
    """
    preds: dict[str, dict[str, set[str]]] = {stem: {slot: set() for slot in SLOTS} for stem in sources(store)}
    for slot, query in SLOTS.items():
        allowed = set(vocab[slot]) if vocab and slot in vocab else None
        for row in store.query(query):
            label = row["label"].value
            if (slot != "practices" and label in UNSCORED) or (allowed is not None and label not in allowed):
                continue
            preds[Path(row["source"].value).stem][slot].add(label)
    return {stem: {slot: sorted(v) for slot, v in slots.items()} for stem, slots in sorted(preds.items())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, type=Path, help="folder with policies/*.txt (OPP-115 layout)")
    ap.add_argument("--pred", required=True, type=Path, help="where to write the predictions (gold.json shape)")
    ap.add_argument("--graph", type=Path, help="also write the built graph as Turtle")
    ap.add_argument("--no-baseline", action="store_true", help="skip timing the bare spaCy model")
    args = ap.parse_args(argv)
    if not any((args.data / "policies").glob("*.txt")):
        print(f"error: {args.data / 'policies'}: no .txt policies", file=sys.stderr)
        return 2
    run = build(args.data / "policies", baseline=not args.no_baseline)
    start = time.perf_counter()
    vocab_file = args.data / "vocab.json"
    preds = predict(oxigraph_of(run.graph),
                    json.loads(vocab_file.read_text(encoding="utf-8")) if vocab_file.is_file() else None)
    read = time.perf_counter() - start
    args.pred.write_text(json.dumps(preds, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if args.graph:
        run.graph.serialize(args.graph, format="turtle")
    print(run.report())
    print(f"predictions read from the graph by SPARQL in {read:.1f} s -> {args.pred}")
    return 2 if run.summary.failed else 0


if __name__ == "__main__":
    sys.exit(main())
