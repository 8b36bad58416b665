"""Small graphs written by hand after docs/graph-model.md (not through kg.graph), for export/validate/query tests.

``PolicyWriter`` writes one policy's triples exactly as the graph contract describes them; ``sample_graph()`` is
two policies sharing a named recipient (Stripe) and a recipient kind (advertisers):

* Acme Inc. (acme.txt): address, e-mail contact, a DPO; collects e-mail and IP address to provide the service,
  shares e-mail with Stripe for payments and usage data with advertisers, does not sell, keeps e-mails up to
  2 years and account data until the account is closed; rights of access, rectification, erasure, complaint;
  consent as legal basis. Conforms to core and to every GDPR shape.
* Beta LLC (beta.txt): no contact details, no DPO, no purposes, no rights, no legal basis; collects name and
  e-mail, shares e-mail with advertisers and Stripe, does not share phone numbers with third parties, keeps
  data "as long as necessary" (indeterminate). Conforms to core; GDPR findings are listed in test_validate.py.
"""
from __future__ import annotations

import hashlib

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from kg.vocab import DC, DPV, ID, LB, LOC, OA, ORG, PPKG, PUR, RIGHT, RK, SCHEMA, bind_prefixes

PRACTICE = {  # kind in the IRI -> (class, dpv:hasProcessing)
    "collect": (PPKG.CollectionPractice, DPV.Collect),
    "use": (PPKG.UsePractice, DPV.Use),
    "share": (PPKG.SharingPractice, DPV.Share),
    "sell": (PPKG.SalePractice, DPV.Share),
    "retain": (PPKG.RetentionPractice, DPV.Store),
    "transfer": (PPKG.TransferPractice, DPV.CrossBorderTransfer),
}
RETENTION_KIND = {"temporal": DPV.TemporalDuration, "until_event": DPV.UntilEventDuration,
                  "endless": DPV.EndlessDuration, "indeterminate": DPV.IndeterminateDuration}


def _h(*parts: object, n: int = 12) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:n]


class PolicyWriter:
    """Adds one policy's triples to ``graph``; every sentence passed in must occur in ``text``."""

    def __init__(self, graph: Graph, source: str, text: str, *, date: str | None = None):
        self.g, self.text = graph, text
        sha = hashlib.sha256(text.encode()).hexdigest()
        self.iri = ID[f"policy/{sha[:16]}"]
        self.controller: URIRef | None = None
        for p, o in [(RDF.type, PPKG.PrivacyPolicy), (PPKG.sourceFile, Literal(source)),
                     (PPKG.contentHash, Literal(sha)), (PPKG.mediaType, Literal("text/plain")),
                     (PPKG.textLength, Literal(len(text), datatype=XSD.integer)),
                     (PPKG.extractorModel, Literal("hand-written"))]:
            self.g.add((self.iri, p, o))
        if date:
            self.g.add((self.iri, DCTERMS.modified, Literal(date, datatype=XSD.date)))

    def evidence(self, node: URIRef, sentence: str, rule: str) -> URIRef:
        start = self.text.index(sentence)
        for p, o in [(RDF.type, PPKG.Evidence), (DCTERMS.source, self.iri), (OA.exact, Literal(sentence)),
                     (OA.start, Literal(start, datatype=XSD.integer)),
                     (OA.end, Literal(start + len(sentence), datatype=XSD.integer)), (PPKG.rule, Literal(rule)),
                     (PPKG.sentenceIndex, Literal(self.text[:start].count("\n"), datatype=XSD.integer))]:
            self.g.add((node, p, o))
        return node

    def publisher(self, slug: str, name: str, sentence: str, *, country: str | None = None,
                  address: str | None = None, email: str | None = None,
                  dpo: tuple[str, str] | None = None) -> URIRef:
        """The controller ``kgid:org/{slug}``; ``dpo`` is (name, role) of its privacy contact."""
        org = self.controller = ID[f"org/{slug}"]
        self.g.add((self.iri, DCTERMS.publisher, org))
        for p, o in [(RDF.type, PPKG.Controller), (RDF.type, DPV.Organisation), (DPV.hasName, Literal(name))]:
            self.g.add((org, p, o))
        self.g.add((org, PPKG.evidence, self.evidence(URIRef(f"{self.iri}/evidence/{_h(name)}"), sentence,
                                                      "controller.name.v1")))
        if country:
            self.g.add((org, DPV.hasCountry, LOC[country]))
        if address:
            self.g.add((org, DPV.hasAddress, Literal(address)))
        contact = None
        if email:
            contact = ID[f"org/{slug}/contact/email-{_h(email)}"]
            self.g.add((org, PPKG.hasContactPoint, contact))
            self.g.add((contact, RDF.type, PPKG.ContactPoint))
            self.g.add((contact, SCHEMA.email, Literal(email)))
            self.g.add((contact, PPKG.evidence, self.evidence(URIRef(f"{self.iri}/evidence/{_h(email)}"), sentence,
                                                              "contact.email.v1")))
        if dpo:
            node = ID[f"org/{slug}/privacy-contact"]
            self.g.add((org, PPKG.hasPrivacyContact, node))
            for p, o in [(RDF.type, PPKG.PrivacyContact), (RDF.type, DPV.DataProtectionOfficer),
                         (DPV.hasName, Literal(dpo[0])), (PPKG.role, Literal(dpo[1]))]:
                self.g.add((node, p, o))
            if contact is not None:
                self.g.add((node, PPKG.hasContactPoint, contact))
        return org

    def _statement(self, kind: str, sentence: str, negated: bool, cls: URIRef, link: URIRef) -> URIRef:
        node = URIRef(f"{self.iri}/{kind.replace('_', '-')}/{_h(kind, sentence, negated)}")
        self.g.add((self.iri, link, node))
        for c in (cls, PPKG.Statement):
            self.g.add((node, RDF.type, c))
        self.g.add((node, PPKG.negated, Literal(negated)))
        self.g.add((node, PPKG.evidence, self.evidence(URIRef(f"{node}/evidence"), sentence, f"{kind}.test.v1")))
        return node

    def practice(self, kind: str, sentence: str, *, negated: bool = False, data: tuple[URIRef, ...] = (),
                 purposes: tuple[URIRef, ...] = (), recipients: tuple[URIRef, ...] = (),
                 retention: tuple[dict, ...] = (), necessity: URIRef | None = None,
                 disclosure: URIRef | None = None, countries: tuple[str, ...] = (),
                 safeguards: tuple[str, ...] = (), condition: str | None = None) -> URIRef:
        """A data practice; ``recipients`` are nodes from ``recipient()``; ``retention`` items are dicts with
        ``kind`` (temporal/until_event/endless/indeterminate), ``label`` and optional ``iso``, ``days``,
        ``bound`` (a ppkg:DurationBound) and ``trigger`` (a ppkg:RetentionTrigger); ``necessity`` is a
        dpv:hasNecessity value (dpv:Required ...), ``disclosure`` a ppkg:ccpaDisclosure kind, ``countries`` and
        ``safeguards`` the ppkg:transferCountry / ppkg:transferSafeguard texts of a transfer; ``condition`` its
        ppkg:condition."""
        cls, processing = PRACTICE[kind]
        node = self._statement(kind, sentence, negated, cls, PPKG.hasPractice)
        if condition is not None:
            self.g.add((node, PPKG.condition, Literal(condition)))
        self.g.add((node, RDF.type, PPKG.DataPractice))
        self.g.add((node, DPV.hasProcessing, processing))
        if kind == "sell":
            self.g.add((node, RDF.type, PPKG.SharingPractice))
            self.g.add((node, PPKG.ccpaDisclosure, PPKG.Sale))
        if disclosure is not None:
            self.g.add((node, PPKG.ccpaDisclosure, disclosure))
        if necessity is not None:
            self.g.add((node, DPV.hasNecessity, necessity))
        for c in countries:
            self.g.add((node, PPKG.transferCountry, Literal(c)))
        for s in safeguards:
            self.g.add((node, PPKG.transferSafeguard, Literal(s)))
        if self.controller is not None:
            self.g.add((node, DPV.hasDataController, self.controller))
        for p, values in [(DPV.hasPersonalData, data), (DPV.hasPurpose, purposes), (DPV.hasRecipient, recipients)]:
            for v in values:
                self.g.add((node, p, v))
        for i, r in enumerate(retention):
            period = URIRef(f"{node}/retention/{i}")
            self.g.add((node, DPV.hasStorageCondition, period))
            for c in (PPKG.RetentionPeriod, RETENTION_KIND[r["kind"]]):
                self.g.add((period, RDF.type, c))
            self.g.add((period, RDFS.label, Literal(r["label"])))
            if "iso" in r:
                self.g.add((period, RDF.value, Literal(r["iso"], datatype=XSD.duration)))
            if "days" in r:
                self.g.add((period, PPKG.durationDays, Literal(r["days"], datatype=XSD.decimal)))
            if "bound" in r:
                self.g.add((period, PPKG.durationBound, r["bound"]))
            if "trigger" in r:
                self.g.add((period, PPKG.retentionTrigger, r["trigger"]))
        return node

    def rights(self, sentence: str, *rights: URIRef, negated: bool = False) -> URIRef:
        node = self._statement("right", sentence, negated, PPKG.RightStatement, PPKG.hasRightStatement)
        for r in rights:
            self.g.add((node, DPV.hasRight, r))
        return node

    def legal_basis(self, sentence: str, *bases: URIRef, interest: str | None = None) -> URIRef:
        node = self._statement("legal_basis", sentence, False, PPKG.LegalBasisStatement, PPKG.hasStatement)
        for b in bases:
            self.g.add((node, DPV.hasLegalBasis, b))
        if interest:
            self.g.add((node, PPKG.legitimateInterest, Literal(interest)))
        return node


def recipient(graph: Graph, kind: URIRef, name: str | None = None, *, slug: str | None = None,
              org: URIRef | None = None) -> URIRef:
    """A named recipient ``kgid:org/{slug}`` or an unnamed kind ``kgid:recipient/{LocalName}`` (shared)."""
    local = str(kind).rsplit("#", 1)[-1]
    node = ID[f"org/{slug}"] if name else ID[f"recipient/{local}"]
    graph.add((node, RDF.type, PPKG.Recipient))
    graph.add((node, PPKG.recipientKind, kind))
    if name:
        graph.add((node, RDF.type, DPV.Organisation))
        graph.add((node, DPV.hasName, Literal(name)))
        if org is not None:
            graph.add((node, PPKG.organisation, org))
    else:
        graph.add((node, RDFS.label, Literal(local.lower() + "s")))
    return node


ACME_TEXT = """Acme Inc., 1 Main Street, Berlin, is the controller; write to privacy@acme.example.
Our data protection officer is Jane Roe.
We collect your e-mail address and IP address to provide the service.
We share your e-mail address with Stripe to process payments.
We share usage data with advertisers for advertising.
We do not sell your personal information.
We keep e-mails for up to 2 years and account data as long as your account is active.
You have the right to access, correct and erase your data and to lodge a complaint.
We rely on your consent.
"""

BETA_TEXT = """Beta LLC runs this site.
We collect your name and e-mail address.
We share your e-mail address with advertisers and with Stripe.
We will not share your phone number with third parties.
We keep data as long as necessary.
"""


def acme(g: Graph) -> PolicyWriter:
    lines = ACME_TEXT.splitlines()
    w = PolicyWriter(g, "acme.txt", ACME_TEXT, date="2024-01-31")
    w.publisher("acme-inc", "Acme Inc.", lines[0], country="DE", address="1 Main Street, Berlin",
                email="privacy@acme.example", dpo=("Jane Roe", "Data Protection Officer"))
    stripe = recipient(g, RK.PaymentProcessor, "Stripe", slug="stripe", org=ORG.Stripe)
    ads = recipient(g, RK.Advertiser)
    w.practice("collect", lines[2], data=(DC.EmailAddress, DC.IPAddress), purposes=(PUR.ServiceProvision,))
    w.practice("share", lines[3], data=(DC.EmailAddress,), purposes=(PUR.Payment,), recipients=(stripe,))
    w.practice("share", lines[4], data=(DC.UsageData,), purposes=(PUR.Advertising,), recipients=(ads,))
    w.practice("sell", lines[5], negated=True, data=(DC.PersonalInformation,))
    w.practice("retain", lines[6], data=(DC.EmailAddress,), retention=(
        dict(kind="temporal", label="for up to 2 years", iso="P2Y", days="730.0", bound=PPKG.UpperBound),
        dict(kind="until_event", label="as long as your account is active", trigger=PPKG.AccountClosure)))
    w.rights(lines[7], RIGHT.Access, RIGHT.Rectification, RIGHT.Erasure, RIGHT.Complaint)
    w.legal_basis(lines[8], LB.Consent)
    return w


def beta(g: Graph) -> PolicyWriter:
    lines = BETA_TEXT.splitlines()
    w = PolicyWriter(g, "beta.txt", BETA_TEXT)
    w.publisher("beta-llc", "Beta LLC", lines[0])
    stripe = recipient(g, RK.PaymentProcessor, "Stripe", slug="stripe", org=ORG.Stripe)
    w.practice("collect", lines[1], data=(DC.Name, DC.EmailAddress))
    w.practice("share", lines[2], data=(DC.EmailAddress,), recipients=(recipient(g, RK.Advertiser), stripe))
    w.practice("share", lines[3], negated=True, data=(DC.PhoneNumber,), recipients=(recipient(g, RK.ThirdParty),))
    w.practice("retain", lines[4], data=(DC.PersonalInformation,), retention=(
        dict(kind="indeterminate", label="as long as necessary", trigger=PPKG.PurposeFulfilled),))
    return w


def sample_graph() -> Graph:
    """Acme and Beta in one graph (fresh each call, so tests may modify it)."""
    g = bind_prefixes(Graph())
    acme(g)
    beta(g)
    return g


def acme_graph() -> tuple[Graph, PolicyWriter]:
    """Acme alone: conforms to every core and GDPR shape; tests remove one fact to break one shape."""
    g = bind_prefixes(Graph())
    return g, acme(g)


# -- a third policy for the query library, network and report tests (added; Acme and Beta above are unchanged) --
from kg.vocab import AUD  # noqa: E402


def statement(w: PolicyWriter, kind: str, sentence: str, cls: URIRef, values: tuple[tuple[URIRef, object], ...],
              *, negated: bool = False) -> URIRef:
    """A non-practice statement (audience, Do Not Track, ...) of class ``cls`` with (property, value) pairs;
    plain Python values become literals (int -> xsd:integer)."""
    node = w._statement(kind, sentence, negated, cls, PPKG.hasStatement)
    for p, v in values:
        w.g.add((node, p, v if isinstance(v, (URIRef, Literal)) else Literal(v)))
    return node


def transfer(w: PolicyWriter, sentence: str, *, data: tuple[URIRef, ...], country: str | None = None,
             safeguard: str | None = None) -> URIRef:
    node = w.practice("transfer", sentence, data=data)
    if country:
        w.g.add((node, PPKG.transferCountry, Literal(country)))
    if safeguard:
        w.g.add((node, PPKG.transferSafeguard, Literal(safeguard)))
    return node


GAMMA_TEXT = """Gamma Corp., 5 Congress Avenue, Austin, Texas, publishes this policy.
We collect your phone number and precise location to provide the service.
We share your phone number with advertisers for advertising.
We share usage data with Google for analytics.
We never share contact information with third parties.
We do not sell your personal information.
We keep logs for 90 days and backups indefinitely.
Our service is not directed to children under 16.
We do not respond to Do Not Track signals.
We rely on our legitimate interests and on our contract with you.
Your data may be transferred to the United States under standard contractual clauses.
"""


def gamma(g: Graph) -> PolicyWriter:
    """Gamma Corp. (gamma.txt, US): collects phone number and precise location; shares the phone number with
    advertisers (contradicting its own "never share contact information with third parties") and usage data
    with Google (an analytics provider); does not sell; keeps logs 90 days and backups indefinitely; children
    under 16; does not honour Do Not Track; legitimate interest and contract; transfers to the United States."""
    lines = GAMMA_TEXT.splitlines()
    w = PolicyWriter(g, "gamma.txt", GAMMA_TEXT, date="2023-06-01")
    w.publisher("gamma-corp", "Gamma Corp.", lines[0], country="US", address="5 Congress Avenue, Austin, Texas")
    google = recipient(g, RK.AnalyticsProvider, "Google", slug="google", org=ORG.Google)
    w.practice("collect", lines[1], data=(DC.PhoneNumber, DC.PreciseLocation), purposes=(PUR.ServiceProvision,))
    w.practice("share", lines[2], data=(DC.PhoneNumber,), purposes=(PUR.Advertising,),
               recipients=(recipient(g, RK.Advertiser),))
    w.practice("share", lines[3], data=(DC.UsageData,), purposes=(PUR.Analytics,), recipients=(google,))
    w.practice("share", lines[4], negated=True, data=(DC.ContactInformation,),
               recipients=(recipient(g, RK.ThirdParty),))
    w.practice("sell", lines[5], negated=True, data=(DC.PersonalInformation,))
    w.practice("retain", lines[6], data=(DC.LogData,), retention=(
        dict(kind="temporal", label="for 90 days", iso="P90D", days="90.0"),
        dict(kind="endless", label="indefinitely")))
    statement(w, "audience", lines[7], PPKG.AudienceStatement,
              ((PPKG.audience, AUD.Children), (PPKG.ageThreshold, Literal(16, datatype=XSD.integer))))
    statement(w, "dnt", lines[8], PPKG.DoNotTrackStatement, ((PPKG.doNotTrackStance, PPKG.DntNotHonoured),))
    w.legal_basis(lines[9], LB.LegitimateInterest, LB.Contract)
    transfer(w, lines[10], data=(DC.PersonalInformation,), country="United States",
             safeguard="standard contractual clauses")
    return w


def library_graph() -> Graph:
    """Acme, Beta and Gamma in one graph (fresh each call): the query library's, network's and report's fixture."""
    g = bind_prefixes(Graph())
    acme(g)
    beta(g)
    gamma(g)
    return g


# -- a policy that states everything GDPR Art. 13 and the CCPA ask for: the completeness shapes' fixture --
ZENITH_TEXT = """Zenith GmbH, 2 Harbour Road, Hamburg, is the controller; write to privacy@zenith.example.
Our data protection officer is John Doe.
We collect your e-mail address and IP address to provide the service; you must give us your e-mail address to sign up.
We share your e-mail address with payment processors to process payments.
We do not sell your personal information.
We do not share your personal information for cross-context behavioural advertising.
We keep personal information as long as your account is active.
We transfer data to the United States under standard contractual clauses.
We rely on your consent and on our legitimate interest in preventing fraud.
You have the right to access, rectify, erase, restrict, port and object, to withdraw consent and to lodge a complaint.
You have the right to know, to delete and not to be discriminated against.
We do not make decisions based solely on automated processing.
"""


def zenith(g: Graph) -> PolicyWriter:
    """Zenith GmbH (zenith.txt): states everything GDPR Art. 13 and the CCPA notice ask for, including the
    conditional items (consent and legitimate interest as bases, a transfer with its safeguard)."""
    lines = ZENITH_TEXT.splitlines()
    w = PolicyWriter(g, "zenith.txt", ZENITH_TEXT, date="2024-06-30")
    w.publisher("zenith-gmbh", "Zenith GmbH", lines[0], country="DE", address="2 Harbour Road, Hamburg",
                email="privacy@zenith.example", dpo=("John Doe", "Data Protection Officer"))
    w.practice("collect", lines[2], data=(DC.EmailAddress, DC.IPAddress), purposes=(PUR.ServiceProvision,),
               necessity=DPV.Required)
    w.practice("share", lines[3], data=(DC.EmailAddress,), purposes=(PUR.Payment,),
               recipients=(recipient(g, RK.PaymentProcessor),))
    w.practice("sell", lines[4], negated=True, data=(DC.PersonalInformation,))
    w.practice("share", lines[5], negated=True, data=(DC.PersonalInformation,), disclosure=PPKG.Sharing)
    w.practice("retain", lines[6], data=(DC.PersonalInformation,), retention=(
        dict(kind="until_event", label="as long as your account is active", trigger=PPKG.AccountClosure),))
    w.practice("transfer", lines[7], countries=("United States",), safeguards=("standard contractual clauses",))
    w.legal_basis(lines[8], LB.Consent, LB.LegitimateInterest, interest="preventing fraud")
    w.rights(lines[9], RIGHT.Access, RIGHT.Rectification, RIGHT.Erasure, RIGHT.Restriction, RIGHT.Portability,
             RIGHT.Objection, RIGHT.WithdrawConsent, RIGHT.Complaint)
    w.rights(lines[10], RIGHT.RightToKnow, RIGHT.Erasure, RIGHT.NonDiscrimination)
    w.rights(lines[11], RIGHT.AutomatedDecisionObjection, negated=True)
    return w


def zenith_graph() -> tuple[Graph, PolicyWriter]:
    """Zenith alone: conforms to every core, GDPR and CCPA shape; tests remove one fact to break one shape."""
    g = bind_prefixes(Graph())
    return g, zenith(g)
