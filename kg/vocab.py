"""Namespaces of privacy-kg and the vocabularies it reuses, bound once, by name.

``PPKG`` is a closed namespace: a typo such as ``PPKG.hasPractise`` raises AttributeError instead of minting
a new predicate. tests/unit/test_vocab.py keeps its term list equal to the terms ontology/privacy-kg.ttl defines.
"""
from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace

BASE = "https://w3id.org/privacy-kg/"


class PPKG(DefinedNamespace):
    """privacy-kg core ontology (ontology/privacy-kg.ttl)."""

    _NS = Namespace(BASE + "ns#")
    _fail = True

    # classes
    PrivacyPolicy: URIRef
    Controller: URIRef
    PrivacyContact: URIRef
    ContactPoint: URIRef
    Recipient: URIRef
    Statement: URIRef
    DataPractice: URIRef
    CollectionPractice: URIRef
    UsePractice: URIRef
    SharingPractice: URIRef
    SalePractice: URIRef
    RetentionPractice: URIRef
    TransferPractice: URIRef
    RightStatement: URIRef
    LegalBasisStatement: URIRef
    AudienceStatement: URIRef
    DoNotTrackStatement: URIRef
    SecurityStatement: URIRef
    ChoiceStatement: URIRef
    PolicyChangeStatement: URIRef
    Evidence: URIRef
    RetentionPeriod: URIRef
    RetentionTrigger: URIRef
    DurationBound: URIRef
    Review: URIRef
    Verdict: URIRef
    Rejected: URIRef
    Confirmed: URIRef
    DoNotTrackStance: URIRef
    CcpaDisclosureKind: URIRef
    NameSource: URIRef
    # individuals
    RetentionTriggers: URIRef
    AccountClosure: URIRef
    LastActivity: URIRef
    ServiceCancellation: URIRef
    PurposeFulfilled: URIRef
    LegalPeriodExpiry: URIRef
    Collection: URIRef
    DeletionRequest: URIRef
    UpperBound: URIRef
    ExactBound: URIRef
    LowerBound: URIRef
    DntHonoured: URIRef
    DntNotHonoured: URIRef
    DntUnclear: URIRef
    Sale: URIRef
    Sharing: URIRef
    NameFromText: URIRef
    NameFromManifest: URIRef
    # properties
    hasStatement: URIRef
    hasPractice: URIRef
    hasRightStatement: URIRef
    sourceFile: URIRef
    contentHash: URIRef
    mediaType: URIRef
    textLength: URIRef
    extractorModel: URIRef
    sourceUrl: URIRef
    jurisdiction: URIRef
    retrievedOn: URIRef
    publisherNameSource: URIRef
    alias: URIRef
    hasContactPoint: URIRef
    hasPrivacyContact: URIRef
    role: URIRef
    recipientKind: URIRef
    organisation: URIRef
    collector: URIRef
    negated: URIRef
    condition: URIRef
    ccpaDisclosure: URIRef
    legitimateInterest: URIRef
    ageThreshold: URIRef
    audience: URIRef
    doNotTrackStance: URIRef
    securityMeasure: URIRef
    choiceType: URIRef
    notificationMethod: URIRef
    transferCountry: URIRef
    transferSafeguard: URIRef
    durationDays: URIRef
    durationBound: URIRef
    verdict: URIRef
    retentionTrigger: URIRef
    evidence: URIRef
    contextEvidence: URIRef
    BuildActivity: URIRef
    softwareVersion: URIRef
    ontologyVersion: URIRef
    ruleSetVersion: URIRef
    sectionPath: URIRef
    sentenceIndex: URIRef
    rule: URIRef
    matchedText: URIRef


# owl:versionIRI of ontology/privacy-kg.ttl (tests/unit/test_vocab.py keeps the two equal)
ONTOLOGY_VERSION = URIRef(BASE + "ns/0.1.0")

DPV = Namespace("https://w3id.org/dpv#")
PD = Namespace("https://w3id.org/dpv/pd#")
EU_GDPR = Namespace("https://w3id.org/dpv/legal/eu/gdpr#")
TECH = Namespace("https://w3id.org/dpv/tech#")
LOC = Namespace("https://w3id.org/dpv/loc#")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")

# concept schemes (ontology/concepts/*.ttl)
DC = Namespace(BASE + "data-category#")
PUR = Namespace(BASE + "purpose#")
RK = Namespace(BASE + "recipient#")
LB = Namespace(BASE + "legal-basis#")
RIGHT = Namespace(BASE + "right#")
ORG = Namespace(BASE + "organisation#")
SEC = Namespace(BASE + "security#")
CHOICE = Namespace(BASE + "choice#")
ACCESS = Namespace(BASE + "access#")
AUD = Namespace(BASE + "audience#")
OPP = Namespace(BASE + "opp115#")
APP350 = Namespace(BASE + "app350#")
SHAPES = Namespace(BASE + "shapes#")
# instance data
ID = Namespace(BASE + "id/")

PREFIXES: dict[str, Namespace | type[DefinedNamespace]] = {
    "ppkg": Namespace(BASE + "ns#"),
    "dpv": DPV,
    "pd": PD,
    "eu-gdpr": EU_GDPR,
    "tech": TECH,
    "loc": LOC,
    "oa": OA,
    "schema": SCHEMA,
    "dc": DC,
    "pur": PUR,
    "rk": RK,
    "lb": LB,
    "right": RIGHT,
    "org": ORG,
    "sec": SEC,
    "choice": CHOICE,
    "access": ACCESS,
    "aud": AUD,
    "opp": OPP,
    "app350": APP350,
    "kgid": ID,
    "skos": SKOS,
    "dct": DCTERMS,
    "prov": PROV,
    "xsd": XSD,
    "rdfs": RDFS,
    "rdf": RDF,
    "owl": OWL,
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind every privacy-kg prefix on ``graph`` (so Turtle output is readable) and return it."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


# -- the graph model's tables: written by kg.graph, read back by kg.view (docs/graph-model.md) -------------------
KIND_CLASS: dict[str, URIRef] = {  # statement kind (kg.model.STATEMENT_KINDS) -> its class
    "collect": PPKG.CollectionPractice,
    "use": PPKG.UsePractice,
    "share": PPKG.SharingPractice,
    "sell": PPKG.SalePractice,  # also typed ppkg:SharingPractice
    "retain": PPKG.RetentionPractice,
    "transfer": PPKG.TransferPractice,
    "right": PPKG.RightStatement,
    "legal_basis": PPKG.LegalBasisStatement,
    "audience": PPKG.AudienceStatement,
    "dnt": PPKG.DoNotTrackStatement,
    "security": PPKG.SecurityStatement,
    "choice": PPKG.ChoiceStatement,
    "change": PPKG.PolicyChangeStatement,
}
PROCESSING: dict[str, URIRef] = {  # data-practice kind -> its dpv:hasProcessing; the other kinds are not practices
    "collect": DPV.Collect,
    "use": DPV.Use,
    "share": DPV.Share,
    "sell": DPV.Share,
    "retain": DPV.Store,
    "transfer": DPV.CrossBorderTransfer,
}
VALUE_PROPERTY: dict[str, URIRef | None] = {  # other statement kind -> the property of the concepts it states
    "right": DPV.hasRight,
    "legal_basis": DPV.hasLegalBasis,
    "audience": PPKG.audience,
    "dnt": PPKG.doNotTrackStance,
    "security": PPKG.securityMeasure,
    "choice": PPKG.choiceType,
    "change": None,  # its notification methods are literals (ppkg:notificationMethod)
}
RETENTION_CLASS: dict[str, URIRef] = {
    "temporal": DPV.TemporalDuration,
    "until_event": DPV.UntilEventDuration,
    "endless": DPV.EndlessDuration,
    "indeterminate": DPV.IndeterminateDuration,
}
BOUND: dict[str, URIRef] = {"upper": PPKG.UpperBound, "exact": PPKG.ExactBound, "lower": PPKG.LowerBound}
CONTACT_PROPERTY: dict[str, URIRef] = {"email": SCHEMA.email, "phone": SCHEMA.telephone, "url": SCHEMA.url}
