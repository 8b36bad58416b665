"""Extraction that reads a policy as a document, error class by error class (issue #13), on sentences written for
these tests: lists and definitions, who acts and in which direction, headings and questions, negation scope, tables.

Each class has a positive case, a negative or polarity case where it applies, and a near miss that must not fire.
"""
import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph

from kg.extract import Extractor
from kg.extract.definitions import Terms, find_definitions
from kg.model import Document
from kg.normalize import normalize
from kg.resources import ontology_files
from kg.segment import is_question, segment
from kg.vocab import DC, PUR, RK

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def extractor():
    g = Graph()
    for f in ontology_files():
        g.parse(f)
    return Extractor(g)


def run(extractor, text: str):
    raw = text.encode()
    doc = Document("t.txt", "t.txt", "text/plain", text, hashlib.sha256(raw).hexdigest(), "utf-8")
    seg = segment(doc)
    return seg, normalize(extractor.extract(seg).statements)


def practices(extractor, text, kind=None):
    return [p for p in run(extractor, text)[1] if kind is None or p.kind == kind]


def about(found, sentence_start: str):
    return [p for p in found if p.evidence.text.startswith(sentence_start)]


def terms_of(extractor, *sentences: str) -> Terms:
    return find_definitions(sentences, extractor.pipeline.nlp.make_doc, extractor.sentences.concepts)


# -- 1. lists and definitions ------------------------------------------------------------------------------------
def test_this_information_may_include_inherits_the_practice_before(extractor):
    found = practices(extractor, "We collect information when you register for an account. This information may "
                                 "include, without limitation: name, e-mail address, job title, phone number.")
    [listed] = about(found, "This information")
    assert listed.kind == "collect" and not listed.negated and listed.evidence.rule == "collect.includes.v1"
    assert {str(DC.Name), str(DC.EmailAddress), str(DC.PhoneNumber)} <= set(listed.data)


def test_expansion_keeps_the_denial_and_the_recipients(extractor):
    found = practices(extractor, "We never share this data with advertisers. Such data includes your phone number.")
    [listed] = about(found, "Such data")
    assert listed.kind == "share" and listed.negated
    assert listed.data == (str(DC.PhoneNumber),)
    assert [r.kind for r in listed.recipients] == [str(RK.Advertiser)]


def test_expansion_needs_a_practice_just_before_in_the_same_section(extractor):
    # near miss: nothing stated before, so "This information" has nothing to expand
    assert not practices(extractor, "This information may include your name and phone number.")
    # near miss: three sentences back is too far
    text = ("We collect your e-mail address. Our office is in Paris. It opened in 2001. We like it. "
            "This information may include your phone number.")
    assert not about(practices(extractor, text), "This information")


def test_a_defined_term_carries_its_categories_wherever_it_is_used(extractor):
    text = ("We collect Personal Information when you register. Personal Information means your name, e-mail "
            "address and phone number.")
    [collect] = about(practices(extractor, text, "collect"), "We collect")
    assert {str(DC.Name), str(DC.EmailAddress), str(DC.PhoneNumber)} <= set(collect.data)


def test_a_bracketed_defined_term(extractor):
    text = ("We ask for your name and e-mail address (collectively, \"Contact Data\"). "
            "We share Contact Data with our marketing partners.")
    [share] = practices(extractor, text, "share")
    assert {str(DC.Name), str(DC.EmailAddress)} <= set(share.data)


def test_definition_rules(extractor):
    terms = terms_of(extractor, "\"Log Data\" includes your IP address and browser type.",
                     "Usage Information consists of pages visited.",
                     "Your name and phone number (together \"Contact Details\" or \"PII\") are needed.")
    assert set(terms.concepts) == {"log data", "usage information", "contact details", "pii"}
    assert set(terms.concepts["log data"]) == {str(DC.IPAddress), str(DC.BrowserType)}
    assert terms.rules["log data"] == "definition.means.v1"
    assert terms.rules["pii"] == "definition.collectively.v1"
    # near misses: a pronoun refers back, "does not include" defines nothing, "the information" is no term
    assert not terms_of(extractor, "This information includes your IP address.",
                        "Personal Information does not include your IP address.",
                        "The information may include your name.").concepts


def test_non_personal_information_is_not_personal_information(extractor):
    found = practices(extractor, "We share Non-Personal Information with our partners.", "share")
    assert all(str(DC.PersonalInformation) not in p.data for p in found)


def test_list_items_inherit_data_recipients_and_purposes(extractor):
    text = ("We use your e-mail address for the following purposes:\n\n- To send you newsletters\n"
            "- To answer your questions\n\nWe may share your information with:\n\n- Our payment processors\n"
            "- In connection with a merger or sale of our business")
    found = practices(extractor, text)
    [news] = about(found, "To send")
    assert news.kind == "use" and str(DC.EmailAddress) in news.data and str(PUR.Marketing) in news.purposes
    [processors] = about(found, "Our payment")
    assert processors.kind == "share" and [r.kind for r in processors.recipients] == [str(RK.PaymentProcessor)]
    [merger] = about(found, "In connection")
    assert merger.kind == "share" and [r.kind for r in merger.recipients] == [str(RK.Acquirer)]


def test_items_of_a_sharing_section(extractor):
    text = ("How we share information\n\nWith vendors, consultants and other service providers.\n\n"
            "In connection with any merger or sale of company assets.\n\nWe value your trust.")
    found = practices(extractor, text)
    assert [p.kind for p in found] == ["share", "share"]
    assert str(RK.ServiceProvider) in [r.kind for r in found[0].recipients]
    assert [r.kind for r in found[1].recipients] == [str(RK.Acquirer)]
    # near miss: the same fragments outside a sharing section say nothing
    assert not practices(extractor, "Our values\n\nWith vendors, consultants and other service providers.")


# -- 3. headings and questions -------------------------------------------------------------------------------
def test_headings_and_questions_are_context_not_statements(extractor):
    text = ("Information We Share\n\nDo we use cookies? Yes, we use cookies to remember your preferences.\n\n"
            "How we use your information\n\nWe use your e-mail address to send you receipts.")
    seg, found = run(extractor, text)
    assert found and all(not is_question(p.evidence.text) for p in found)
    headings = {h.text for h in seg.headings}
    assert {"Information We Share", "Do we use cookies?", "How we use your information"} <= headings
    assert all(p.evidence.text not in headings for p in found)


_SENTENCES = st.sampled_from([
    "We collect your e-mail address.", "We share your location with advertisers.", "We do not sell your data.",
    "Do we sell your data?", "What do we collect?", "We keep logs for 30 days.", "You can delete your account.",
    "How we use your information", "INFORMATION WE SHARE", "Cookies", "Your Choices", "Why do we collect it?",
])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(_SENTENCES, min_size=1, max_size=3), min_size=1, max_size=6))
def test_no_statement_comes_from_a_heading_or_a_question(extractor, paragraphs):
    text = "\n\n".join(" ".join(p) for p in paragraphs)
    seg, found = run(extractor, text)
    headings = {(h.start, h.end) for h in seg.headings}
    for p in found:
        assert not is_question(p.evidence.text), p
        assert (p.evidence.start, p.evidence.end) not in headings, p


# -- 2. who acts, and in which direction -------------------------------------------------------------------------
def collected_by(found):
    """(first-party?, recipient kinds) of each collection statement."""
    return sorted((not p.third_party_collects, tuple(sorted(r.kind.rsplit("#")[-1] for r in p.recipients)))
                  for p in found if p.kind == "collect")


@pytest.mark.parametrize(("text", "expected"), [
    # a named kind of third party as subject: it collects, the company does not
    ("Advertising networks may collect your device identifier.", [(False, ("Advertiser",))]),
    # the company and a third party together: both collect
    ("We and our service providers collect your e-mail address.", [(False, ("ServiceProvider",)), (True, ())]),
    ("Acme or third parties may collect your IP address.", [(False, ("ThirdParty",)), (True, ())]),
    # permission: the permitted party collects
    ("We allow our advertising partners to collect your location.", [(False, ("Advertiser",))]),
    # the means: the company collects through a third party
    ("We collect your IP address (ourselves or using third party services).", [(False, ("ThirdParty",)), (True, ())]),
    # a participle with a "by" agent
    ("Information collected by analytics providers, which may include your location, is governed by their terms.",
     [(False, ("AnalyticsProvider",))]),
    # near miss: the company alone
    ("We collect your e-mail address to answer you.", [(True, ())]),
])
def test_who_collects(extractor, text, expected):
    assert collected_by(practices(extractor, text)) == expected


def test_them_in_a_complement_is_the_subject(extractor):
    found = practices(extractor, "Such third parties may use SDKs in our app to enable them to collect your "
                                 "location.", "collect")
    assert found and all(p.third_party_collects for p in found)


def test_shared_with_us_is_a_collection_not_a_disclosure(extractor):
    found = practices(extractor, "Our advertising partners may share information about you with us, such as your "
                                 "gender.")
    assert [p.kind for p in found] == ["collect"]
    assert not found[0].third_party_collects and str(DC.Gender) in found[0].data


@pytest.mark.parametrize("text", [
    "Your password should never be shared with anyone.",  # advice to the reader
    "You agree not to disclose your password to any third party.",  # the reader acts
    "In order to share photos with other members, you must create an account.",  # the reader acts
    "When you share your location with friends, they can see where you are.",
])
def test_the_reader_is_not_the_company(extractor, text):
    assert not practices(extractor, text, "share")


def test_a_party_outside_of_which_data_goes_is_no_recipient(extractor):
    found = practices(extractor, "We may share your e-mail address with companies outside of Google.", "share")
    assert all(r.name != "Google" for p in found for r in p.recipients)


# -- 4. negation scoped to its object, exceptions as conditions --------------------------------------------------
def polarity(found, kind):
    return sorted((p.negated, tuple(sorted(d.rsplit("#")[-1] for d in p.data))) for p in found if p.kind == kind)


def test_but_not_denies_exactly_its_object(extractor):
    found = practices(extractor, "We collect your zip code (but not your name or your e-mail address).")
    assert polarity(found, "collect") == [(False, ("PostalCode",)), (True, ("EmailAddress", "Name"))]


def test_does_not_include_denies_what_it_lists(extractor):
    found = practices(extractor, "The information we collect does not include your credit card number.")
    assert polarity(found, "collect") == [(True, ("PaymentCard",))]


def test_except_data_is_stated_positively(extractor):
    found = practices(extractor, "We do not collect personal information, except your e-mail address.")
    assert polarity(found, "collect") == [(False, ("EmailAddress",)), (True, ("PersonalInformation",))]
    assert all(p.condition is None for p in found)


@pytest.mark.parametrize(("text", "condition"), [
    ("We do not share your personal information with third parties except as described in this policy.",
     "except as described in this policy"),
    ("We will not sell your personal information without your consent.", "without your consent"),
    ("We do not share your e-mail address with advertisers, other than as described above.",
     "other than as described above"),
])
def test_exceptions_are_the_condition_of_a_denial(extractor, text, condition):
    [denial] = practices(extractor, text)
    assert denial.negated and denial.condition == condition


def test_a_comparative_is_no_denial(extractor):
    [p] = practices(extractor, "Acme will not release more information than it believes is necessary to comply "
                               "with the law.", "share")
    assert not p.negated and p.condition.startswith("than it believes")


@pytest.mark.parametrize("text", [
    "We will ask for your consent before using your information for new uses not previously disclosed.",
    "We do not authorize them to use or disclose the information for their own marketing.",
    "Service providers are not permitted to share your information with anyone.",
    "They are obligated not to sell or disclose this information.",
    "If you prefer that we do not share your information, you can tell us.",
    "Passwords are hashed to ensure that they are not disclosed to anyone.",
    "If we become aware that your information has been disclosed to unauthorized third parties, we will notify you.",
    "Including, but not limited to, your name, we collect what you give us.",
])
def test_no_denial_of_sharing_by_the_company(extractor, text):
    assert not [p for p in practices(extractor, text) if p.kind in ("share", "sell") and p.negated]


def test_near_misses_keep_their_meaning(extractor):
    # "we are required to disclose" is the company's own disclosure; "besides cookies" adds, it does not exclude
    assert polarity(practices(extractor, "We are required to disclose your e-mail address to the tax office."),
                    "share") == [(False, ("EmailAddress",))]
    assert all(not p.negated for p in practices(extractor, "Besides cookies, we also use web beacons."))
    [denial] = practices(extractor, "We never sell your e-mail address.")
    assert denial.negated and denial.condition is None
