"""Small hand-written policies, turned into graphs by the real graph stage, for query/validate/export tests.

Two companies: Acme (contact, DPO, rights, a sale denial, sharing with Stripe and advertisers, a 2-year and an
until-closure retention) and Beta (sharing e-mail with advertisers and Stripe, no stated period, no rights).
"""
import hashlib

from kg.graph import build_graph
from kg.model import (Contact, ControllerInfo, Document, Evidence, PolicyRecord, Practice, PrivacyContact,
                      RecipientMention, Retention)
from kg.vocab import DC, LB, ORG, PPKG, PUR, RIGHT, RK


def _record(name: str, text: str, controller: str | None, facts: list[tuple], **controller_kw) -> PolicyRecord:
    sha = hashlib.sha256(text.encode()).hexdigest()
    doc = Document(f"{name}.txt", f"{name}.txt", "text/plain", text, sha, "utf-8")

    def ev(sentence: str, rule: str) -> Evidence:
        start = text.index(sentence)
        index = text[:start].count("\n")
        return Evidence(sha[:16], index, start, start + len(sentence), sentence, ("Privacy",), rule)

    practices = tuple(Practice(kind, negated, ev(sentence, f"{kind}.test.v1"), **values)
                      for kind, negated, sentence, values in facts)
    info = None
    if controller:
        first = text.split("\n")[0]
        info = ControllerInfo(controller, ev(first, "controller.test.v1"), **{
            k: (tuple(Contact(kind, value, ev(first, "contact.test.v1")) for kind, value in v) if k == "contacts"
                else v) for k, v in controller_kw.items()})
    return PolicyRecord(doc, info, practices, "test", "2024-01-31" if controller == "Acme Inc." else None)


ACME_TEXT = """Acme Inc. is the data controller; write to privacy@acme.example.
We collect your e-mail address and IP address to provide the service.
We share your e-mail address with Stripe to process payments.
We share usage data with advertisers for advertising.
We do not sell your personal information.
We keep e-mails for up to 2 years and account data as long as your account is active.
You have the right to access and erase your data and to lodge a complaint.
We rely on your consent.
Our services are not directed to children under 13.
We do not respond to Do Not Track signals.
"""

BETA_TEXT = """Beta LLC runs this site.
We collect your name and e-mail address.
We share your e-mail address with advertisers and with Stripe.
We will not share your phone number with third parties.
We keep data as long as necessary.
"""


def acme() -> PolicyRecord:
    lines = ACME_TEXT.split("\n")
    return _record("acme", ACME_TEXT, "Acme Inc.", [
        ("collect", False, lines[1], dict(data=(str(DC.EmailAddress), str(DC.IPAddress)),
                                          purposes=(str(PUR.ServiceProvision),))),
        ("share", False, lines[2], dict(data=(str(DC.EmailAddress),), purposes=(str(PUR.Payment),),
                                        recipients=(RecipientMention(str(RK.PaymentProcessor), "Stripe",
                                                                     str(ORG.Stripe)),))),
        ("share", False, lines[3], dict(data=(str(DC.UsageData),), purposes=(str(PUR.Advertising),),
                                        recipients=(RecipientMention(str(RK.Advertiser)),))),
        ("sell", True, lines[4], dict(data=(str(DC.PersonalInformation),))),
        ("retain", False, lines[5], dict(data=(str(DC.EmailContent),), retention=(
            Retention("temporal", "for up to 2 years", "P2Y", 730.0, "upper"),
            Retention("until_event", "as long as your account is active", trigger="AccountClosure")))),
        ("right", False, lines[6], dict(values=(str(RIGHT.Access), str(RIGHT.Erasure), str(RIGHT.Complaint)))),
        ("legal_basis", False, lines[7], dict(values=(str(LB.Consent),))),
        ("audience", False, lines[8], dict(values=("https://w3id.org/privacy-kg/audience#Children",),
                                           numbers=(13,))),
        ("dnt", False, lines[9], dict(values=(str(PPKG.DntNotHonoured),))),
    ], contacts=(("email", "privacy@acme.example"),), country="DE", aliases=("Acme",),
        privacy_contact=None)


def beta() -> PolicyRecord:
    lines = BETA_TEXT.split("\n")
    return _record("beta", BETA_TEXT, "Beta LLC", [
        ("collect", False, lines[1], dict(data=(str(DC.Name), str(DC.EmailAddress)))),
        ("share", False, lines[2], dict(data=(str(DC.EmailAddress),), recipients=(
            RecipientMention(str(RK.Advertiser)),
            RecipientMention(str(RK.PaymentProcessor), "Stripe", str(ORG.Stripe))))),
        ("share", True, lines[3], dict(data=(str(DC.PhoneNumber),), recipients=(RecipientMention(str(RK.ThirdParty)),))),
        ("retain", False, lines[4], dict(data=(str(DC.PersonalInformation),), retention=(
            Retention("indeterminate", "as long as necessary", trigger="PurposeFulfilled"),))),
    ])


def sample_graph():
    return build_graph([acme(), beta()])
