"""The SKOS concept schemes in ontology/concepts/: structure, labels, DPV alignment and OPP-115 mappings.

These files are the extraction vocabulary (kg/extract/lexicon.py) and the bridge to DPV 2.3 and to the
OPP-115 benchmark; see docs/decisions/0001-iris-and-dpv-alignment.md for the rules checked here.
"""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg.resources import data_dir, dpv_files
from kg.vocab import APP350, AUD, CHOICE, DC, DPV, EU_GDPR, LB, OPP, ORG, PD, PPKG, PUR, RIGHT, RK, SEC, TECH

CONCEPTS = data_dir("ontology") / "concepts"
FILES = sorted(CONCEPTS.glob("*.ttl"))
README = Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks" / "opp115-dev" / "README.md"

# file -> namespace of the concepts it defines
FILE_NS = {
    "data-categories.ttl": DC, "purposes.ttl": PUR, "recipients.ttl": RK, "legal-bases.ttl": LB,
    "rights.ttl": RIGHT, "organisations.ttl": ORG, "security.ttl": SEC, "choices.ttl": CHOICE,
    "audiences.ttl": AUD, "opp115.ttl": OPP, "app350.ttl": APP350,
}
# benchmark annotation schemes (OPP-115, APP-350): their values are mapping targets, never extraction vocabulary
BENCH = (str(OPP), str(APP350))
# our schemes (the OPP-115 schemes are found by rdf:type in opp115.ttl)
OUR_SCHEMES = {ns: ns["Scheme"] for ns in (DC, PUR, RK, LB, RIGHT, ORG, SEC, CHOICE, AUD)}
TREES = {DC: DC.PersonalInformation, PUR: PUR.AnyPurpose, RK: RK.ThirdParty, SEC: SEC.SecurityMeasure}
# the OPP-115 scheme every non-root concept of these trees must reach
OPP_TARGET = {DC: OPP.PersonalInformationType, PUR: OPP.Purpose, RK: OPP.ThirdPartyEntity}
MATCH = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch)
ALL_MATCH = MATCH + (SKOS.narrowMatch, SKOS.relatedMatch)
LABELS = (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
VENDORED = (str(DPV), str(PD), str(EU_GDPR), str(TECH))
# OPP-115 values our scheme carries although the benchmark excludes them (README: "Other" and "Unspecified")
EXCLUDED_VALUES = {"Other"}


@pytest.fixture(scope="module")
def g() -> Graph:
    graph = Graph()
    for f in FILES:
        graph.parse(f)
    return graph


@pytest.fixture(scope="module")
def full(g) -> Graph:
    """Our concept files plus the core ontology, as kg/resources.ontology_files() loads them."""
    graph = Graph()
    graph += g
    graph.parse(data_dir("ontology") / "privacy-kg.ttl")
    return graph


def concepts(g: Graph, ns=None) -> set[URIRef]:
    out = {c for c in g.subjects(RDF.type, SKOS.Concept) if isinstance(c, URIRef)}
    return {c for c in out if str(c).startswith(str(ns))} if ns is not None else out


def norm(label) -> str:
    return " ".join(str(label).lower().split())


def opp_schemes(g: Graph) -> set[URIRef]:
    return {s for s in g.subjects(RDF.type, SKOS.ConceptScheme) if str(s).startswith(str(OPP))}


def nearest_opp(g: Graph, concept: URIRef, scheme: URIRef) -> list[URIRef]:
    """OPP values of ``scheme`` mapped on ``concept`` or on its nearest ancestor that has such a mapping."""
    seen = set()
    node = concept
    while node is not None and node not in seen:
        seen.add(node)
        found = [o for p in MATCH for o in g.objects(node, p) if (o, SKOS.inScheme, scheme) in g]
        if found:
            return found
        node = g.value(node, SKOS.broader)
    return []


# ------------------------------------------------------------------ files and concepts
def test_expected_files_present():
    assert {f.name for f in FILES} >= set(FILE_NS)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_file_parses_and_defines_concepts_in_its_namespace(path):
    graph = Graph().parse(path)
    defined = concepts(graph)
    assert defined, path.name
    ns = FILE_NS.get(path.name)
    if ns is not None:
        stray = sorted(str(c) for c in defined if not str(c).startswith(str(ns)))
        assert not stray, f"{path.name} defines concepts outside {ns}: {stray}"


def test_each_concept_has_one_english_preflabel_and_one_scheme(g):
    problems = []
    for c in sorted(concepts(g)):
        prefs = list(g.objects(c, SKOS.prefLabel))
        if len(prefs) != 1 or not isinstance(prefs[0], Literal) or prefs[0].language != "en":
            problems.append(f"{c}: prefLabels {prefs}")
        schemes = list(g.objects(c, SKOS.inScheme))
        if len(schemes) != 1 or (schemes[0], RDF.type, SKOS.ConceptScheme) not in g:
            problems.append(f"{c}: schemes {schemes}")
        elif not str(c).startswith(BENCH) and OUR_SCHEMES.get(next(
                (ns for ns in OUR_SCHEMES if str(c).startswith(str(ns))), None)) != schemes[0]:
            problems.append(f"{c}: in {schemes[0]}, not the scheme of its namespace")
    assert not problems, "\n".join(problems)


def test_labels_are_english_literals(g):
    bad = [(c, p, o) for p in LABELS for c, o in g.subject_objects(p)
           if not isinstance(o, Literal) or o.language != "en" or not str(o).strip()]
    assert not bad, bad[:10]


def test_schemes_carry_no_skos_labels(g):
    # The lexicon reads every SKOS label of an IRI in our namespaces: a labelled scheme would become a concept.
    labelled = [s for s in g.subjects(RDF.type, SKOS.ConceptScheme) for p in LABELS if (s, p, None) in g]
    assert not labelled, labelled


# ------------------------------------------------------------------ hierarchy
def test_mono_hierarchy_within_scheme_and_acyclic(g):
    problems = []
    for c in sorted(concepts(g)):
        parents = list(g.objects(c, SKOS.broader))
        if len(parents) > 1:
            problems.append(f"{c}: {len(parents)} skos:broader")
            continue
        if parents and g.value(parents[0], SKOS.inScheme) != g.value(c, SKOS.inScheme):
            problems.append(f"{c}: broader {parents[0]} is in another scheme")
        seen, node = {c}, parents[0] if parents else None
        while node is not None:
            if node in seen:
                problems.append(f"{c}: cycle through {node}")
                break
            seen.add(node)
            node = g.value(node, SKOS.broader)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("ns", list(TREES), ids=lambda ns: str(ns).rsplit("/", 1)[-1])
def test_tree_has_one_root_that_every_concept_reaches(g, ns):
    root = TREES[ns]
    members = concepts(g, ns)
    roots = {c for c in members if g.value(c, SKOS.broader) is None}
    assert roots == {root}
    assert (root, SKOS.topConceptOf, OUR_SCHEMES[ns]) in g
    for c in members:
        node = c
        while g.value(node, SKOS.broader) is not None:
            node = g.value(node, SKOS.broader)
        assert node == root, c


def test_lexicon_finds_the_roots_the_extractor_uses(full):
    lexicon = pytest.importorskip("kg.extract.lexicon")
    lex = lexicon.load_lexicon(full)
    assert lex.roots["data"] == str(DC.PersonalInformation)
    assert lex.roots["recipient"] == str(RK.ThirdParty)
    assert lex.org_kind[str(ORG.Stripe)] == str(RK.PaymentProcessor)


def test_concepts_named_by_other_modules_exist(g):
    # docs/graph-model.md, tests/unit/test_graph.py and kg/extract/statements.py rely on these
    for c in (DC.PersonalInformation, DC.EmailAddress, DC.UsageData, DC.Communications, PUR.Payment,
              RK.ThirdParty, RK.PaymentProcessor, RK.Affiliate, RK.ServiceProvider, ORG.Stripe, LB.Consent,
              LB.Contract, LB.LegalObligation, LB.LegitimateInterest, LB.VitalInterest, LB.PublicInterest,
              RIGHT.Access, RIGHT.Rectification, RIGHT.Erasure, RIGHT.Restriction, RIGHT.Portability,
              RIGHT.Objection, RIGHT.WithdrawConsent, RIGHT.Complaint, RIGHT.OptOutOfSale,
              RIGHT.NonDiscrimination, RIGHT.RightToKnow, AUD.Children, AUD.Californians, AUD.Europeans,
              SEC.Encryption, CHOICE.OptOutLink):
        assert (c, RDF.type, SKOS.Concept) in g, c
    assert "children" in {norm(o) for p in LABELS for o in g.objects(AUD.Children, p)}


def test_counts(g):
    assert len(concepts(g, DC)) >= 60
    assert len(concepts(g, PUR)) >= 20
    assert len(concepts(g, RK)) >= 12
    assert len(concepts(g, ORG)) >= 40


# ------------------------------------------------------------------ labels
def _labels_by_scheme(g: Graph) -> dict[URIRef, dict[str, set[URIRef]]]:
    out: dict[URIRef, dict[str, set[URIRef]]] = defaultdict(lambda: defaultdict(set))
    for c in concepts(g):
        scheme = g.value(c, SKOS.inScheme)
        for p in LABELS:
            for label in g.objects(c, p):
                out[scheme][norm(label)].add(c)
    return out


def test_lowercase_labels_unique_within_scheme(g):
    dupes = [(str(scheme), label, sorted(map(str, cs)))
             for scheme, table in _labels_by_scheme(g).items() for label, cs in table.items() if len(cs) > 1]
    assert not dupes, "\n".join(map(str, dupes))


def test_labels_unique_across_extraction_schemes(g):
    # The matcher keeps one concept per span, so the same words in two schemes would make one of them silent.
    owners: dict[str, set[URIRef]] = defaultdict(set)
    for scheme, table in _labels_by_scheme(g).items():
        if scheme in OUR_SCHEMES.values():
            for label, cs in table.items():
                owners[label] |= cs
    shared = {label: sorted(map(str, cs)) for label, cs in owners.items() if len(cs) > 1}
    assert not shared, shared


def test_generated_plural_variants_do_not_collide(g):
    lexicon = pytest.importorskip("kg.extract.lexicon")
    problems = []
    for scheme, table in _labels_by_scheme(g).items():
        if scheme not in OUR_SCHEMES.values():
            continue
        forms: dict[str, set[URIRef]] = defaultdict(set)
        for label, cs in table.items():
            for form in lexicon.variants(label):
                forms[form] |= cs
        problems += [(form, sorted(map(str, cs))) for form, cs in forms.items() if len(cs) > 1]
    assert not problems, problems


# ------------------------------------------------------------------ DPV alignment
@pytest.fixture(scope="module")
def vendored_subjects() -> set[str]:
    graph = Graph()
    for f in dpv_files():
        graph.parse(f)
    return {str(s) for s in graph.subjects() if isinstance(s, URIRef)}


def test_every_dpv_iri_referenced_exists_in_the_vendored_files(g, vendored_subjects):
    used = {str(t) for triple in g for t in triple if isinstance(t, URIRef) and str(t).startswith(VENDORED)}
    missing = sorted(used - vendored_subjects)
    assert not missing, missing
    assert len(used) > 100  # the schemes really are aligned


def test_dpv_terms_are_only_mapping_targets(g):
    # we never assert hierarchy or scheme membership about DPV IRIs (their own files do that)
    bad = [(s, p) for s, p, _ in g if str(s).startswith(VENDORED)]
    assert not bad, bad[:10]
    bad = [(s, o) for s, o in g.subject_objects(SKOS.broader) if str(o).startswith(VENDORED)]
    assert not bad, bad[:10]


# ------------------------------------------------------------------ OPP-115
def _readme_slots() -> dict[str, list[str]]:
    slots: dict[str, list[str]] = {}
    current = None
    for line in README.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"^### `([a-z_]+)`\s*$", line):
            current = slots.setdefault(m.group(1), [])
        elif line.startswith("## "):
            current = None
        elif current is not None and (m := re.match(r"^- (.+?) \(\d+\)\s*$", line)):
            current.append(m.group(1))
    return slots


def test_opp_values_are_the_benchmark_value_strings(g):
    if not README.is_file():
        pytest.skip(f"{README} not available (the benchmark folder lives outside the repository)")
    slots = _readme_slots()
    assert len(slots) >= 10
    covered = set()
    for scheme in opp_schemes(g):
        names = {str(n) for n in g.objects(scheme, SKOS.notation)}
        assert names and names <= set(slots), (scheme, names)
        covered |= names
        allowed = {v for n in names for v in slots[n]}
        labels = {str(g.value(c, SKOS.prefLabel)) for c in g.subjects(SKOS.inScheme, scheme)}
        assert labels - EXCLUDED_VALUES <= allowed, (scheme, sorted(labels - EXCLUDED_VALUES - allowed))
        assert allowed <= labels, (scheme, sorted(allowed - labels))
    assert covered == set(slots)


def test_opp_values_one_concept_per_label_and_scheme(g):
    for scheme in opp_schemes(g):
        labels = [str(g.value(c, SKOS.prefLabel)) for c in g.subjects(SKOS.inScheme, scheme)]
        assert labels and len(labels) == len(set(labels)), scheme


def test_mappings_point_from_our_concepts_to_opp_values(g):
    for p in ALL_MATCH:
        for s, o in g.subject_objects(p):
            assert not str(s).startswith(BENCH) or str(o).startswith(VENDORED), \
                f"mapping written on the benchmark value: {s} {p} {o}"
            if str(o).startswith(BENCH):
                assert (o, RDF.type, SKOS.Concept) in g, o
                assert p in MATCH, f"{s} {p} {o}: use exactMatch, closeMatch or broadMatch"


def test_no_exact_match_chain_between_dpv_and_opp(g):
    # skos:exactMatch is transitive: exactMatch to both would equate a DPV term with a benchmark value
    for s, o in g.subject_objects(SKOS.exactMatch):
        if str(o).startswith(BENCH):
            assert not [d for d in g.objects(s, SKOS.exactMatch) if str(d).startswith(VENDORED)], s


def test_at_most_one_opp_value_per_concept_and_slot_scheme(g):
    counts: dict[tuple, int] = defaultdict(int)
    for p in MATCH:
        for s, o in g.subject_objects(p):
            if str(o).startswith(BENCH):
                counts[(s, g.value(o, SKOS.inScheme))] += 1
    assert not [k for k, n in counts.items() if n > 1]


APP350_GOLD = README.parents[1] / "app350-dev" / "gold.json"
APP350_FINE = ("Contact", "Contact_Address_Book", "Contact_City", "Contact_E_Mail_Address", "Contact_Password",
               "Contact_Phone_Number", "Contact_Postal_Address", "Contact_ZIP", "Demographic", "Demographic_Age",
               "Demographic_Gender", "Identifier", "Identifier_Ad_ID", "Identifier_Cookie_or_similar_Tech",
               "Identifier_Device_ID", "Identifier_IMEI", "Identifier_IMSI", "Identifier_IP_Address", "Identifier_MAC",
               "Identifier_Mobile_Carrier", "Identifier_SIM_Serial", "Identifier_SSID_BSSID", "Location",
               "Location_Bluetooth", "Location_Cell_Tower", "Location_GPS", "Location_IP_Address", "Location_WiFi")


def test_app350_data_types_are_the_corpus_labels(g):
    labels = {str(g.value(c, SKOS.prefLabel)) for c in g.subjects(SKOS.inScheme, APP350.DataType)}
    assert labels - {"Other"} == set(APP350_FINE)
    if APP350_GOLD.is_file():  # the corpus's own list, when the benchmark folder is beside the project
        import json
        assert json.loads(APP350_GOLD.read_text(encoding="utf-8"))["meta"]["fine_labels"] == list(APP350_FINE)


@pytest.mark.parametrize("concept,label", [
    (DC.EmailAddress, "Contact_E_Mail_Address"), (DC.Name, "Other"), (DC.PaymentCard, "Other"),
    (DC.Cookie, "Identifier_Cookie_or_similar_Tech"), (DC.IPBasedLocation, "Location_IP_Address"),
    (DC.DateOfBirth, "Demographic_Age"), (DC.ContactInformation, "Contact"),
    (DC.IMEI, "Identifier_IMEI"), (DC.SIMSerialNumber, "Identifier_SIM_Serial"), (DC.City, "Contact_City"),
    (DC.WiFiNetworkIdentifier, "Identifier_SSID_BSSID"), (DC.CellTower, "Location_Cell_Tower"),
    (DC.WiFiAccessPoint, "Location_WiFi"), (DC.Bluetooth, "Location_Bluetooth"),
    (DC.MobileCarrier, "Identifier_Mobile_Carrier"), (DC.NetworkInformation, "Other"), (DC.CompanyName, "Other"),
])
def test_app350_nearest_value(g, concept, label):
    assert [str(g.value(v, SKOS.prefLabel)) for v in nearest_opp(g, concept, APP350.DataType)] == [label]


def test_every_data_category_reaches_an_app350_value(g):
    missing = [c for c in concepts(g, DC) if not nearest_opp(g, c, APP350.DataType)]
    assert not missing, sorted(map(str, missing))


@pytest.mark.parametrize("ns", list(OPP_TARGET), ids=lambda ns: str(ns).rsplit("/", 1)[-1])
def test_every_concept_reaches_an_opp_value(g, ns):
    scheme = OPP_TARGET[ns]
    missing = [c for c in concepts(g, ns) if c != TREES[ns] and not nearest_opp(g, c, scheme)]
    assert not missing, sorted(map(str, missing))


# The nearest-ancestor query documented in docs/decisions/0001-iris-and-dpv-alignment.md.
NEAREST = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?label WHERE {
  ?value skos:broader* ?anc .
  ?anc skos:exactMatch|skos:closeMatch|skos:broadMatch ?opp .
  ?opp skos:inScheme ?scheme ; skos:prefLabel ?label .
  FILTER NOT EXISTS {
    ?value skos:broader* ?nearer . ?nearer skos:broader+ ?anc .
    ?nearer skos:exactMatch|skos:closeMatch|skos:broadMatch ?opp2 . ?opp2 skos:inScheme ?scheme .
  }
}"""


@pytest.mark.parametrize("value,scheme,label", [
    (DC.PersonalInformation, OPP.PersonalInformationType, "Generic personal information"),
    (DC.Name, OPP.PersonalInformationType, "Contact"),
    (DC.EmailAddress, OPP.PersonalInformationType, "Contact"),
    (DC.PostalCode, OPP.PersonalInformationType, "Location"),
    (DC.AdvertisingIdentifier, OPP.PersonalInformationType, "IP address and device IDs"),
    (DC.Cookie, OPP.PersonalInformationType, "Cookies and tracking elements"),
    (DC.BrowserType, OPP.PersonalInformationType, "Computer information"),
    (DC.Password, OPP.PersonalInformationType, "Other"),
    (DC.PaymentCard, OPP.PersonalInformationType, "Financial"),
    (DC.CompanyName, OPP.PersonalInformationType, "Contact"),
    (DC.LanguagePreference, OPP.PersonalInformationType, "User profile"),
    (DC.CellTower, OPP.PersonalInformationType, "Location"),
    (DC.IMEI, OPP.PersonalInformationType, "IP address and device IDs"),
    (DC.MobileCarrier, OPP.PersonalInformationType, "Computer information"),
    (PUR.Payment, OPP.Purpose, "Basic service/feature"),
    (PUR.TargetedAdvertising, OPP.Purpose, "Advertising"),
    (PUR.EnforceTerms, OPP.Purpose, "Service operation and security"),
    (PUR.LawEnforcementRequest, OPP.Purpose, "Legal requirement"),
    (PUR.Payment, OPP.RetentionPurpose, "Perform service"),
    (RK.ThirdParty, OPP.ThirdPartyEntity, "Unnamed third party"),
    (RK.LawEnforcement, OPP.ThirdPartyEntity, "Named third party"),
    (RK.Affiliate, OPP.ThirdPartyEntity, "Other part of company/affiliate"),
    (SEC.SSL, OPP.SecurityMeasure, "Secure data transfer"),
    (RIGHT.CorrectInaccurate, OPP.AccessType, "Edit information"),
    (CHOICE.UnsubscribeLink, OPP.ChoiceType, "Opt-out link"),
    (AUD.Canadians, OPP.AudienceType, "Citizens from other countries"),
    (PPKG.DntNotHonoured, OPP.DoNotTrackPolicy, "Not honored"),
])
def test_nearest_ancestor_query(full, value, scheme, label):
    rows = full.query(NEAREST, initBindings={"value": value, "scheme": scheme})
    assert [str(r.label) for r in rows] == [label]
    assert [str(full.value(o, SKOS.prefLabel)) for o in nearest_opp(full, value, scheme)] == [label]


def test_practice_categories_mapped_from_statement_classes(full):
    for cls in (PPKG.CollectionPractice, PPKG.SharingPractice, PPKG.RetentionPractice, PPKG.SecurityStatement,
                PPKG.ChoiceStatement, PPKG.RightStatement, PPKG.PolicyChangeStatement,
                PPKG.DoNotTrackStatement, PPKG.AudienceStatement):
        assert (cls, RDF.type, None) in full, cls  # a class of the core ontology
        assert nearest_opp(full, cls, OPP.PracticeCategory), cls


# ------------------------------------------------------------------ organisations
def test_organisations_have_one_recipient_kind_in_the_recipient_scheme(g):
    problems = []
    for org in sorted(concepts(g, ORG)):
        kinds = list(g.objects(org, PPKG.recipientKind))
        if len(kinds) != 1 or g.value(kinds[0], SKOS.inScheme) != RK.Scheme:
            problems.append(f"{org}: {kinds}")
    assert not problems, "\n".join(problems)
