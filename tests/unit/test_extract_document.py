"""Extraction that reads a policy as a document, error class by error class (issue #13), on sentences written for
these tests: lists and definitions, who acts and in which direction, headings and questions, negation scope, tables.

Each class has a positive case, a negative or polarity case where it applies, and a near miss that must not fire.
"""
import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.extract.definitions import Terms, find_definitions
from kg.model import Document
from kg.normalize import normalize
from kg.segment import is_question, segment
from kg.vocab import DC, PUR, RK

pytestmark = pytest.mark.slow


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


def test_this_named_information_includes_expands_the_practice_before(extractor):
    text = "We collect diagnostic data automatically. This diagnostic data includes your device model and crash logs."
    [listed] = about(practices(extractor, text, "collect"), "This diagnostic data")
    assert listed.evidence.rule == "collect.includes.v1" and str(DC.DeviceType) in listed.data
    # near miss: a possessive names other data, no expansion of the practice before
    text = "We collect diagnostic data automatically. Our marketing data includes your device model."
    assert not about(practices(extractor, text), "Our marketing data")


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


def test_a_party_whose_rights_an_item_protects_receives_nothing(extractor):
    text = ("We may share your information as follows:\n"
            "- To protect the rights, property or safety of our company, our users or the public.\n"
            "- With our payment processors.")
    found = practices(extractor, text, "share")
    protect = [p for p in found if p.evidence.text.startswith("To protect")]
    assert protect and not protect[0].recipients
    # near miss: the item that names a recipient keeps it
    assert [str(RK.PaymentProcessor)] in [[r.kind for r in p.recipients] for p in found]


# -- 3. headings and questions -------------------------------------------------------------------------------
def test_headings_and_questions_are_context_not_statements(extractor):
    text = ("Information We Share\n\nDo we use cookies? Yes, we use cookies to remember your preferences.\n\n"
            "How we use your information\n\nWe use your e-mail address to send you receipts.")
    seg, found = run(extractor, text)
    assert found and all(not is_question(p.evidence.text) for p in found)
    headings = {h.text for h in seg.headings}
    assert {"Information We Share", "Do we use cookies?", "How we use your information"} <= headings
    assert all(p.evidence.text not in headings for p in found)


def test_a_title_inside_a_paragraph_is_context_not_a_statement(extractor):
    seg, found = run(extractor, "We keep records as the law requires. Information We Share With Others. We share "
                                "your e-mail address with our mailing provider. Location Data We Collect.")
    assert not [p for p in found if "Information We Share" in p.evidence.text or "Location Data" in p.evidence.text]
    [share] = [p for p in found if p.kind == "share"]
    assert share.data == (str(DC.EmailAddress),)


# titles of more than one word (a lone word such as "Cookies" may be an item of the section it follows)
_TITLES = ["INFORMATION WE SHARE", "Your Choices", "Information We Collect About You.",
           "Third Party Service Providers.", "TYPES OF INFORMATION WE COLLECT"]
_SENTENCES = st.sampled_from([
    "We collect your e-mail address.", "We share your location with advertisers.", "We do not sell your data.",
    "Do we sell your data?", "What do we collect?", "We keep logs for 30 days.", "You can delete your account.",
    "Why do we collect it?", "How we use your information", "Cookies", *_TITLES,
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
        assert p.evidence.text not in _TITLES, p


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
    # a relative clause: the party it describes acts
    ("Ads may be delivered by advertising partners, who may set cookies on your device.", [(False, ("Advertiser",))]),
    # the party employed to do it
    ("We employ contractors to collect your postal address.", [(False, ("ServiceProvider",))]),
    # having access is collecting
    ("Analytics companies may access your IP address to help us understand use.", [(False, ("AnalyticsProvider",))]),
    # near miss: the company alone
    ("We collect your e-mail address to answer you.", [(True, ())]),
    # the party engaged to do it, in brackets as an infinitive relative
    ("We analyze (and may engage third parties to analyze) your IP address.", [(False, ("ThirdParty",))]),
    # the party the company uses to do it: it collects, and so does the company through it
    ("We use third-party analytics providers to collect your device identifier.",
     [(False, ("AnalyticsProvider",)), (True, ())]),
    # near miss: what the company uses is no party ("cookies"): the company alone
    ("We use cookies to collect your IP address.", [(True, ())]),
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


@pytest.mark.parametrize("text", [
    "If you turn off cookies, then you may not be able to access and use parts of the app or the information in it.",
    "If you block cookies, you will be unable to use the information and features of our site.",
])
def test_what_the_reader_is_able_to_do_is_no_practice(extractor, text):
    assert not [p for p in practices(extractor, text) if p.kind in ("collect", "use", "share")]


def test_what_the_company_is_able_to_do_is_its_practice(extractor):  # near miss
    [found] = practices(extractor, "We are able to collect your location when the app is open.", "collect")
    assert str(DC.Location) in found.data or any("Location" in d for d in found.data)


@pytest.mark.parametrize("text", [
    "You can opt out of receiving marketing e-mails from us at any time.",
    "We give every subscriber the opportunity to stop receiving our newsletters.",
    "Each mailing includes a way for the recipient to opt out of receiving future mailings.",
    "Members who join the mailing list may receive regular e-mails from the site.",
    "We honour a member's request to receive the digest by e-mail.",
    "We offer the option not to receive these kinds of communications.",
    "To stop receiving text messages, reply STOP.",
])
def test_what_the_reader_receives_is_no_collection(extractor, text):
    assert not practices(extractor, text, "collect")


@pytest.mark.parametrize("text, data", [
    # near misses: the company (or a party) receives, or what is received is the reader's data
    ("We may receive e-mail messages from parents who contact us.", "EmailAddress"),
    ("We receive your e-mail address when you subscribe to our newsletter.", "EmailAddress"),
    ("We receive information about the offers you redeemed from our partners, such as your zip code.", "PostalCode"),
    ("We may receive information about your location from our advertising partners.", "Location"),
])
def test_what_the_company_receives_is_collected(extractor, text, data):
    found = practices(extractor, text, "collect")
    assert any(d.endswith("#" + data) for p in found for d in p.data), [p.data for p in found]


def test_an_instruction_to_the_reader_includes_its_participles(extractor):
    text = "If you have any questions, please contact our privacy team using the contact details below."
    assert not practices(extractor, text, "use")
    # near miss: what the company says it does, inside an instruction to take note
    [use] = practices(extractor, "Please note that we use your e-mail address to send you receipts.", "use")
    assert use.data == (str(DC.EmailAddress),)
    # ... and what the company does after "and": its own clause, not part of the instruction
    [use] = practices(extractor, "Please write to our support team and we will use your postal address to send "
                                 "you a replacement.", "use")
    assert use.data == (str(DC.PostalAddress),)


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


def test_data_a_recipient_handles_is_not_the_data_shared(extractor):
    [share] = practices(extractor, "We share your purchase history with vendors who send emails for us.", "share")
    assert str(DC.EmailAddress) not in share.data


def test_the_companys_own_contact_address_is_not_data(extractor):
    found = practices(extractor, "Owner contact email: privacy@example.org. We collect the information you "
                                 "give us, owner contact email: privacy@example.org.", "collect")
    assert found and all(str(DC.EmailAddress) not in p.data for p in found)


def test_an_exception_to_a_denial_is_a_disclosure_for_its_purpose(extractor):
    found = practices(extractor, "We will not share your data with third parties unless legally required to do so.")
    denial = [p for p in found if p.negated]
    exception = [p for p in found if not p.negated]
    assert len(denial) == 1 and not denial[0].purposes
    assert len(exception) == 1 and exception[0].purposes == (str(PUR.LegalCompliance),)
    assert exception[0].evidence.rule == "share.exception.v1"
    assert exception[0].condition == "unless legally required to do so"
    # near miss: an exception that names no purpose states no disclosure of its own
    assert all(p.negated for p in practices(extractor, "We do not share your data except as described here."))


def test_providing_access_to_a_database_is_a_disclosure(extractor):
    [share] = practices(extractor, "We may provide access to our database to cooperate with law enforcement "
                                   "officials.", "share")
    assert [r.kind for r in share.recipients] == [str(RK.LawEnforcement)]
    assert not practices(extractor, "We provide you access to your account.", "share")


@pytest.mark.parametrize(("text", "kind"), [
    ("Comments you post on our message boards become public.", "Public"),
    ("The information that you post in our forums is made available publicly.", "Public"),
    ("Your profile may be viewed by other members.", "OtherUsers"),
    ("Reviews you submit are visible to other users of the service.", "OtherUsers"),
])
def test_what_the_service_shows_others_is_a_disclosure(extractor, text, kind):
    [share] = practices(extractor, text, "share")
    assert not share.negated and [r.kind for r in share.recipients] == [str(RK[kind])]
    assert share.evidence.rule == "share.visible.v2"


@pytest.mark.parametrize("text", [
    "Several choices are available to users of the service.",  # options, not data, and not "other users"
    "Our annual report is available to the public.",  # no personal data
    "This information is available to registered students.",
])
def test_availability_that_discloses_nothing(extractor, text):
    assert not practices(extractor, text, "share")


def test_not_publicly_visible_is_a_denial(extractor):
    [share] = practices(extractor, "Your e-mail address is not publicly visible.", "share")
    assert share.negated and share.data == (str(DC.EmailAddress),)


def test_parties_referred_back_to_collect(extractor):
    found = practices(extractor, "We work with analytics providers. These entities may use cookies to collect your "
                                 "IP address.", "collect")
    assert found and all(p.third_party_collects for p in found)
    assert {r.kind for p in found for r in p.recipients} == {str(RK.AnalyticsProvider)}


def test_a_verb_the_parser_reads_as_a_noun(extractor):
    # en_core_web_sm tags "collects" in "Google Analytics collects ..." as a noun
    found = practices(extractor, "Google Analytics collects and stores information from users of the app, such as "
                                 "your IP address.", "collect")
    assert found and found[0].third_party_collects and found[0].recipients[0].name == "Google Analytics"
    assert str(DC.IPAddress) in found[0].data


def test_this_information_expands_a_practice_on_non_personal_data(extractor):
    found = practices(extractor, "We automatically log non-personal information when you visit. This information "
                                 "includes your IP address and browser type.", "collect")
    assert [p.evidence.rule for p in found] == ["collect.includes.v1"]
    assert {str(DC.IPAddress), str(DC.BrowserType)} <= set(found[0].data)


def test_fragments_after_a_lead_in_are_its_items(extractor):
    text = ("Here are examples of the device information we collect:\n\nAttributes such as the operating system.\n\n"
            "Device locations, such as through GPS or Bluetooth signals.\n\nWe care about your privacy.\n\n"
            "Device names and models.")
    found = practices(extractor, text, "collect")
    assert [p.evidence.rule for p in found] == ["collect.verb.v2", "collect.list.v1", "collect.list.v1"]
    assert str(DC.OperatingSystem) in found[1].data and str(DC.PreciseLocation) in found[2].data


def test_fragments_after_a_lead_in_with_its_first_item_run_in(extractor):
    text = ("We collect data from the phones where you install our app. Some of the device data we collect: "
            "Settings such as the language and the time zone.\n\n"
            "Location signals, such as GPS, Bluetooth or Wi-Fi signals.\n\n"
            "Connection details such as the name of your mobile operator and IP address.")
    found = practices(extractor, text, "collect")
    assert [p.evidence.rule for p in found][-2:] == ["collect.list.v1", "collect.list.v1"]
    assert {str(DC.Bluetooth), str(DC.WiFiAccessPoint)} <= set(found[-2].data)
    assert {str(DC.MobileCarrier), str(DC.IPAddress)} <= set(found[-1].data)


@pytest.mark.parametrize("lead", [
    "Note: we do not sell what you tell us.",  # a clause after the colon, no list
    "Effective date: 1 March 2024.",  # no practice before the colon
])
def test_no_items_without_a_practice_and_a_verbless_first_item(extractor, lead):
    assert practices(extractor, lead + "\n\nYour name and e-mail address.", "collect") == []


def test_inferring_a_location_is_collecting_it(extractor):
    [p] = practices(extractor, "We may infer your location from information about nearby cell towers.", "collect")
    assert p.evidence.rule == "collect.infer.v1" and not p.third_party_collects
    # near miss: a purpose phrase inside another practice does not take its data away
    found = practices(extractor, "We collect your IP address for purposes of determining your coarse location.",
                      "collect")
    assert [p.evidence.rule for p in found] == ["collect.verb.v2"]


@pytest.mark.parametrize("text", [
    "You may be required to provide the following information: your age or birthday.",
    "When ordering, you may be asked to enter your: name, e-mail address or mailing address.",
])
def test_what_the_reader_is_asked_to_provide_is_collected(extractor, text):
    [p] = practices(extractor, text, "collect")
    assert p.evidence.rule == "collect.provide.v2" and not p.negated and not p.third_party_collects


def test_what_the_reader_chooses_to_share_with_friends_is_not_collected(extractor):
    assert not practices(extractor, "If you choose to share your location with friends, they will see it.",
                         "collect")


def test_not_including_denies_what_it_lists(extractor):
    found = practices(extractor, "These companies may use information (not including your name or e-mail address) "
                                 "about your visits to this site.", "collect")
    denied = [p for p in found if p.negated]
    assert denied and set(denied[0].data) == {str(DC.Name), str(DC.EmailAddress)}
    assert all(str(DC.Name) not in p.data for p in found if not p.negated)


@pytest.mark.parametrize("text", [
    "If you have any questions about how these other websites use your information, contact them.",
    "If applicable, this list would include the categories of personal information that was shared.",
    "If a user decides to opt in to our mailing list, they will receive our newsletters.",
    "To access our Terms in other languages, change the language setting of your session.",
])
def test_no_practice_of_the_company(extractor, text):
    assert not [p for p in practices(extractor, text) if p.kind in ("collect", "use", "share")]


def test_this_information_is_what_was_named_before(extractor):
    [denial] = practices(extractor, "We collect your phone number. We do not sell this information.", "sell")
    assert denial.negated and denial.data == (str(DC.PhoneNumber),)
    [denial] = practices(extractor, "We collect your e-mail address and we will not share it with advertisers.",
                         "share")
    assert denial.negated and denial.data == (str(DC.EmailAddress),)
    # near miss: nothing named before it, so the denial is not one of all personal information
    assert not practices(extractor, "We will not share this information with any third parties.", "share")


def test_a_participle_the_parser_coordinates_is_no_practice(extractor):
    found = practices(extractor, "We may use customer information for new, unanticipated uses not previously "
                                 "disclosed in this policy.")
    assert [p.kind for p in found] == ["use"] and not found[0].negated


def test_a_list_inherits_the_clause_nearest_its_colon(extractor):
    text = ("Our administrators will not access the content of your files, but they may access the following "
            "information about them:\n\n- The date and time of the most recent modification.")
    found = practices(extractor, text, "collect")
    [item] = about(found, "The date")
    assert not item.negated and not item.third_party_collects


_WORDS = st.sampled_from([
    "we", "they", "them", "you", "users", "it", "this", "such", "information", "data", "e-mail", "address",
    "collect", "share", "disclose", "sell", "use", "access", "keep", "not", "never", "unless", "except", "by",
    "to", "with", "third", "parties", "advertisers", "who", "which", "that", "may", "be", "is", "publicly",
    "available", "including", "but", "limited", "(", ")", ",", ":", ";", ".", "?", "Google", "Analytics",
    "collects", "allow", "ensure", "aware", "more", "than", "other", "users", "following", "-", "*", "|",
])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(_WORDS, min_size=1, max_size=25), min_size=1, max_size=5))
def test_extraction_never_fails_on_any_word_salad(extractor, lines):
    seg, found = run(extractor, "\n".join(" ".join(words) for words in lines))
    for p in found:
        assert seg.document.text[p.evidence.start:p.evidence.end] == p.evidence.text


def test_ads_based_on_data_use_the_data(extractor):
    [p] = practices(extractor, "We may show you ads based on your location and your interests.", "use")
    assert p.evidence.rule == "use.based-on.v1" and str(DC.Location) in p.data
    assert str(PUR.Advertising) in p.purposes


def test_what_a_recipient_is_there_for_is_the_purpose_of_sharing(extractor):
    [share] = practices(extractor, "We may share information about you with service providers (such as companies "
                                   "who assist us in marketing).", "share")
    assert str(PUR.Marketing) in share.purposes
    [share] = practices(extractor, "We may allow access to our database by third parties that provide us with "
                                   "services, such as technical maintenance.", "share")
    assert share.evidence.rule == "share.access.v1" and share.purposes


@pytest.mark.parametrize("text", [
    "We may contact you by e-mail to answer your questions.",
    "We will notify you of changes by sending a notice to the primary e-mail address in your account.",
    "From time to time we may send e-mail to your e-mail account about new features.",  # "e-mail": three tokens
])
def test_contacting_the_reader_uses_the_address(extractor, text):
    [p] = practices(extractor, text, "use")
    assert p.evidence.rule == "use.contact-you.v2" and p.data == (str(DC.EmailAddress),)
    # near miss: the reader contacting the company uses nothing of the reader's
    assert not practices(extractor, "You may contact us by e-mail with any question.", "use")


def test_this_information_after_an_opening_phrase(extractor):
    found = practices(extractor, "The app may send information to third party services. Depending on your settings, "
                                 "this information may include your e-mail address.", "share")
    [listed] = about(found, "Depending")
    assert listed.evidence.rule == "share.includes.v1" and listed.data == (str(DC.EmailAddress),)


@pytest.mark.parametrize(("text", "condition"), [
    ("When you contact us, we may share your e-mail address with our support vendor.", "When you contact us"),
    ("If you register, we collect your e-mail address.", "If you register"),
])
def test_a_condition_is_its_clause(extractor, text, condition):
    [p] = [p for p in practices(extractor, text) if p.kind in ("share", "collect")]
    assert p.condition == condition


def test_a_disclosure_inside_an_if_clause_is_conditional(extractor):
    [share] = practices(extractor, "If we plan to share your e-mail address with a third party, we will ask you "
                                   "first.", "share")
    assert share.condition and share.condition.startswith("If we plan to share")


def test_what_information_we_collect_is_a_topic_not_a_practice(extractor):
    assert not practices(extractor, "In this section we talk about what information we collect.", "collect")
    assert practices(extractor, "We describe below the e-mail address which we collect.", "collect")


def test_targeting_by_data_uses_it(extractor):
    [p] = practices(extractor, "Advertisers may choose their audience by location, age and gender.", "collect")
    assert p.third_party_collects and {str(DC.Location), str(DC.Age), str(DC.Gender)} <= set(p.data)
    assert not practices(extractor, "You can choose by category.")


def test_an_excluding_bracket_denies_every_item_in_it(extractor):
    found = practices(extractor, "These companies may use information (not including your name, address, e-mail "
                                 "address or telephone number) about your visits.", "collect")
    positive = {d for p in found if not p.negated for d in p.data}
    assert not positive & {str(DC.Name), str(DC.EmailAddress), str(DC.PhoneNumber)}


# -- provenance: the other sentences a statement was read with ------------------------------------------------
def test_a_fact_keeps_the_sentences_it_was_read_with(extractor):
    text = ("We share Personal Information with advertisers. Personal Information means your name and e-mail "
            "address.\n\nWe collect the following:\n\n- your postal address\n\nWe collect your phone number. We do "
            "not sell this information.")
    found = practices(extractor, text)
    [share] = about(found, "We share")
    assert [(c.rule, c.text) for c in share.context] == [
        ("definition.means.v1", "Personal Information means your name and e-mail address.")]
    [item] = about(found, "your postal")
    assert [c.text for c in item.context] == ["We collect the following:"]
    [denial] = about(found, "We do not sell")
    assert [c.text for c in denial.context] == ["We collect your phone number."]
    assert not about(found, "We collect your phone")[0].context


def test_context_evidence_is_in_the_graph(extractor):
    from kg.graph import policy_graph
    from kg.model import PolicyRecord
    from kg.vocab import PPKG
    seg, found = run(extractor, "We collect the following:\n\n- your postal address")
    g = policy_graph(PolicyRecord(seg.document, None, tuple(found), "test"))
    contexts = list(g.objects(None, PPKG.contextEvidence))
    assert contexts and all((c, PPKG.rule, None) in g for c in contexts)


@pytest.mark.parametrize("text", [
    "If someone asks for your password, please notify us.",
    "Do not give out information that lets anyone else access your account.",
    "Never share the password of your account with anyone.",
    "Please do not send us sensitive data.",
])
def test_nobody_in_particular_and_instructions_are_no_practice(extractor, text):
    assert not [p for p in practices(extractor, text) if p.kind in ("collect", "use", "share", "sell")]


@pytest.mark.parametrize("text", [
    'Browsers with a "do not track" feature enabled may still accept cookies.',
    'California residents may click the "Do Not Sell My Personal Information" link on our home page.',
    "To exercise this right, visit our Do Not Share My Data page.",
    "Some browsers send do not track signals to the websites you visit.",
])
def test_a_name_holding_a_verb_states_no_practice(extractor, text):
    """A link, page or feature named "Do Not Sell ..." is no denial of selling (nor "do not track" of tracking)."""
    assert not [p for p in practices(extractor, text) if p.kind in ("collect", "use", "share", "sell")]


def test_a_quotation_too_long_for_a_name_still_counts(extractor):
    for text in ('"We do not sell your personal information to data brokers, advertisers or any other company, for '
                 'any reason."', 'We do not sell, as we said in our "Privacy Promise", your personal information.'):
        found = [p for p in practices(extractor, text) if p.kind in ("share", "sell")]
        assert found and all(p.negated for p in found), text


def test_a_definition_states_no_practice(extractor):
    text = ('"Processing" means using cookies on a computer or using information in any way, including, but not '
            "limited to, collecting, storing, deleting, using, combining and disclosing information.")
    assert not [p for p in practices(extractor, text) if p.kind in ("collect", "use", "share", "sell")]


def test_this_means_that_still_states_a_practice(extractor):
    found = practices(extractor, "This means that we do not share your browsing history with advertisers.", "share")
    assert found and found[0].negated


def test_an_instruction_after_a_condition_is_the_readers(extractor):
    text = "If you prefer not to have your personal information transferred abroad, do not use the Sites."
    assert not [p for p in practices(extractor, text) if p.kind == "use"]


CHILDREN = "https://w3id.org/privacy-kg/audience#Children"


@pytest.mark.parametrize("text", [
    "We do not knowingly collect personal information from children under 13.",
    "Acme does not knowingly collect personally identifiable information from persons under the age of 13.",
    "We do not knowingly collect or solicit personal information from anyone under the age of 16.",
    "We do not use or disclose to third parties any personal information of minors for advertising.",
])
def test_a_practice_limited_to_children_says_whose_data(extractor, text):
    """A COPPA sentence denies collecting children's data, not everyone's: the practice keeps whose data it is."""
    found = [p for p in practices(extractor, text) if p.kind in ("collect", "use", "share")]
    assert found and all(p.negated and p.subjects == (CHILDREN,) for p in found), found


def test_an_audience_in_a_clause_of_its_own_does_not_limit_the_practice(extractor):
    found = practices(extractor, "Children may use the app, so we collect your e-mail address to verify your age.",
                      "collect")
    assert found and not any(p.subjects for p in found)


def test_whose_data_keeps_a_limited_and_a_general_statement_apart(extractor):
    found = practices(extractor, "We do not sell personal information, and we do not knowingly collect personal "
                                 "information from children under 13.")
    assert sorted((p.kind, p.subjects) for p in found if p.kind != "audience") == [("collect", (CHILDREN,)),
                                                                                ("sell", ())]


def test_a_bare_verb_item_is_still_a_practice(extractor):
    found = practices(extractor, "We may:\n\n- Use and share your information with our survey partners.", "share")
    assert found and not found[0].negated


def test_password_protected_is_no_password(extractor):
    assert all(str(DC.Password) not in p.data for p in practices(extractor, "We store the information we collect "
                                                                             "on password-protected servers."))


def test_a_site_named_as_the_subject_is_the_company(extractor):
    found = practices(extractor, "We collect the search terms you use. Example.gov may anonymize and provide this "
                                 "information to third party entities for research.", "share")
    assert found and found[0].data == (str(DC.SearchHistory),)


def test_features_referred_back_to_are_the_party_that_offers_them(extractor):
    found = practices(extractor, "Our app includes social media features, such as the Facebook Like button. These "
                                 "features may collect your IP address.", "collect")
    assert [(p.third_party_collects, [r.name for r in p.recipients]) for p in found] == [(True, ["Facebook"])]


def test_a_fragment_of_examples_expands_the_practice_before(extractor):
    found = practices(extractor, "We may use third-party service providers to collect non-personal information. "
                                 "Information such as your IP address and browser type.")
    listed = about(found, "Information such as")
    assert {(p.kind, p.third_party_collects) for p in listed} >= {("collect", True)}
    assert all(set(p.data) == {str(DC.IPAddress), str(DC.BrowserType)} for p in listed)
    # near miss: a full sentence that gives examples is read on its own, not as an expansion
    found = practices(extractor, "We may use third-party service providers to collect non-personal information. "
                                 "Information such as your IP address helps us fix errors.")
    assert not [p for p in about(found, "Information such as") if p.third_party_collects]


def test_either_way_is_no_denial(extractor):
    found = practices(extractor, "The advertising companies may use information (including or not including "
                                 "your e-mail address) about your visits to this site.", "collect")
    assert found and not any(p.negated for p in found)


def test_non_precise_location_is_approximate(extractor):
    found = practices(extractor, "These partners may obtain your non-precise location information, such as your "
                                 "zip code.", "collect")
    assert found and all(str(DC.PreciseLocation) not in p.data for p in found)
    assert any(str(DC.ApproximateLocation) in p.data for p in found)
    # written with a space after the hyphen, "non- precise" still negates the term
    found = practices(extractor, "These partners may obtain other non- precise location information.", "collect")
    assert all(str(DC.PreciseLocation) not in p.data for p in found)


def test_a_feature_named_for_its_data(extractor):
    found = practices(extractor, "Our app uses Google Analytics Demographics and Interest Reporting.", "share")
    assert found and {str(DC.Demographic), str(DC.Interest)} <= set(found[0].data)
    assert [r.name for r in found[0].recipients] == ["Google Analytics"]


def test_ip_address_to_locate_is_ip_based_location(extractor):
    [found] = practices(extractor, "We collect your zip code and the state associated with your IP address.",
                        "collect")
    assert {str(DC.IPBasedLocation), str(DC.IPAddress), str(DC.PostalCode)} <= set(found.data)
    # near miss: an IP address and a location side by side
    [found] = practices(extractor, "We collect your IP address and your precise location.", "collect")
    assert str(DC.IPBasedLocation) not in found.data


def test_a_billing_address_is_a_postal_address(extractor):
    [found] = practices(extractor, "We collect your billing address.", "collect")
    assert {str(DC.PostalAddress), str(DC.BillingInformation)} <= set(found.data)


def test_employing_measures_is_no_use_of_data(extractor):
    assert not practices(extractor, "We employ administrative and technical measures designed to protect your "
                                    "information from unauthorized access.", "use")
    # near miss: employing the data itself is a use
    [found] = practices(extractor, "We employ your e-mail address to send you news.", "use")
    assert found.data == (str(DC.EmailAddress),)


def test_of_interest_to_you_names_no_data(extractor):
    found = practices(extractor, "Advertisers may use information about your visits to provide ads about goods "
                                 "of interest to you.")
    assert found and all(str(DC.Interest) not in p.data for p in found)
    # near miss: your interests are data
    found = practices(extractor, "Advertisers may use information about your interests.")
    assert any(str(DC.Interest) in p.data for p in found)


def test_an_example_of_a_disclosure_goes_to_its_recipients(extractor):
    found = practices(extractor, "We may share limited information with advertisers. For example, we may provide "
                                 "your age and your gender so that you receive relevant offers.", "share")
    [example] = about(found, "For example")
    assert set(example.data) == {str(DC.Age), str(DC.Gender)}
    assert [r.kind for r in example.recipients] == [str(RK.Advertiser)]
    # near misses: an example after no disclosure, and "provide" alone, disclose nothing
    assert not practices(extractor, "We collect your name. For example, we may provide your age to improve the app.",
                         "share")
    assert not practices(extractor, "We may provide your age to improve the app.", "share")


def test_helping_a_party_by_providing_data_discloses_it_to_them(extractor):
    [found] = practices(extractor, "We may help advertisers reach our users by providing your device ID.", "share")
    assert found.data == (str(DC.DeviceIdentifier),) and [r.kind for r in found.recipients] == [str(RK.Advertiser)]
    # near miss: helping the reader is no disclosure
    assert not practices(extractor, "We help you save time by providing your saved addresses.", "share")


def test_a_line_of_a_list_of_services_is_that_service_collecting(extractor):
    found = practices(extractor, "Google Analytics - for usage monitoring, including your IP address.", "collect")
    assert [(p.data, p.third_party_collects, [r.name for r in p.recipients]) for p in found] == [
        ((str(DC.IPAddress),), True, ["Google Analytics"])]
    # near misses: a sentence with a verb after the name is read as a sentence; a line without a service names none
    assert not [p for p in practices(extractor, "Google Analytics: we count visits with your IP address.")
                if p.evidence.rule == "collect.service-line.v1"]
    assert not practices(extractor, "Contact - your name and e-mail address.")


def test_an_outline_of_the_policy_grants_no_right(extractor):
    assert not [s for s in run(extractor, "Here we explain what we collect, how you can access or modify that "
                                          "information, and how it is protected.")[1] if s.kind == "right"]
    # near miss: the right itself
    assert [s for s in run(extractor, "You can access or modify your information in your account settings.")[1]
            if s.kind == "right"]


def test_a_generic_word_describing_a_category_is_not_data_of_its_own(extractor):
    [found] = practices(extractor, "Our apps use the Google Advertising ID, an anonymous identifier for advertising.",
                        "use")
    assert found.data == (str(DC.AdvertisingIdentifier),)
    # near miss: two categories side by side are both data
    [found] = practices(extractor, "We collect your advertising ID and other identifiers.", "collect")
    assert str(DC.Identifier) in found.data


@pytest.mark.parametrize(("text", "expected"), [
    # the company named as the subject discloses; it does not receive
    ("Reddit does not share your personal information with advertisers.", ["Advertiser"]),
    # the owner of the recipients is no recipient
    ("Google may share information with Google's affiliates.", ["Affiliate"]),
    # near miss: the subject of a passive "be given access" is who receives
    ("Third parties may be given access to your location.", ["ThirdParty"]),
])
def test_who_receives_a_disclosure(extractor, text, expected):
    [found] = practices(extractor, text, "share")
    assert sorted(r.kind.rsplit("#")[-1] for r in found.recipients) == expected


def test_clauses_of_opposite_polarity_keep_their_own_objects(extractor):
    found = practices(extractor, "We will not share your e-mail address with advertisers, but we share your "
                                 "information with our partners.", "share")
    assert sorted((p.negated, p.data, tuple(r.kind.rsplit("#")[-1] for r in p.recipients)) for p in found) == [
        (False, (str(DC.PersonalInformation),), ("BusinessPartner",)),
        (True, (str(DC.EmailAddress),), ("Advertiser",))]
    # near miss: coordinated verbs of one polarity share their object
    found = practices(extractor, "We do not sell or share your e-mail address.")
    assert {(p.kind, p.negated, p.data) for p in found} == {("sell", True, (str(DC.EmailAddress),)),
                                                           ("share", True, (str(DC.EmailAddress),))}


def test_a_denial_of_a_kind_of_data_we_cannot_name_denies_no_data(extractor):
    # "this information" after "opt-in data": narrower than personal information, and no category of ours
    assert not [p for p in practices(extractor, "Our categories exclude text messaging opt-in data and consent; "
                                                "this information will not be shared with any third parties.",
                                     "share") if p.negated]
    # near misses: a plain denial of personal data, and "this information" after a named category
    [found] = practices(extractor, "We will not share your personal data with third parties.", "share")
    assert found.negated and found.data == (str(DC.PersonalInformation),)
    found = practices(extractor, "We collect your e-mail address. This information will not be shared with "
                                 "advertisers.", "share")
    assert [(p.negated, p.data) for p in found] == [(True, (str(DC.EmailAddress),))]


# -- issue #13, extraction round 2: OPP-115 classes read from the errors (sentences written for these tests) ----------
def test_what_a_survey_yields_is_survey_data(extractor):
    [found] = practices(extractor, "We may gather personal details from you in connection with our optional reader "
                                   "surveys.", "collect")
    assert found.data == (str(DC.SurveyResponse),)
    [found] = practices(extractor, "We use your answers to our questionnaire to plan new features.", "use")
    assert str(DC.SurveyResponse) in found.data
    # near miss: information about a survey is not what the survey yields
    [found] = practices(extractor, "We collect information about our surveys and contests.", "collect")
    assert str(DC.SurveyResponse) not in found.data


def test_a_denial_except_in_aggregate_form_is_an_aggregated_disclosure(extractor):
    found = practices(extractor, "Details you give us in a poll will not be disclosed to third parties, except in "
                                 "aggregated form.", "share")
    assert sorted((p.negated, p.evidence.rule) for p in found) == [(False, "share.exception.v1"),
                                                                  (True, "share.verb.v1")]
    # near miss: an exception that names neither a purpose nor an aggregation discloses nothing of its own
    found = practices(extractor, "Your e-mail address will not be disclosed to third parties, except as set out "
                                 "in this notice.", "share")
    assert [p.negated for p in found] == [True]


def test_a_gerund_after_a_preposition_has_the_subject_of_its_clause(extractor):
    # "you can change it by accessing your profile": the reader accesses the profile, the company collects nothing
    assert not practices(extractor, "You can change, correct or update your details by accessing your member "
                                    "profile.", "collect")
    assert not practices(extractor, "By visiting our pages, you agree to the collection of your data as described "
                                    "here.")
    # near miss: the company's own gerund is still its practice
    [found] = practices(extractor, "We may improve our services by analyzing your usage data.", "use")
    assert found.negated is False and found.data == (str(DC.UsageData),)


def test_items_of_a_lead_in_ending_in_a_denial_are_denials(extractor):
    text = ("How our cookies work\n\nOur cookies will not:\n\n- store your postal address\n\n- record the pages you "
            "visit on other websites\n\nOur cookies will:\n\n- keep your language preference")
    found = {(p.evidence.text, p.negated) for p in practices(extractor, text) if p.evidence.rule.endswith(".list.v1")}
    assert ("store your postal address", True) in found
    assert ("record the pages you visit on other websites", True) in found
    # near miss: the items of the lead-in that does not deny stay positive
    assert all(not negated for sentence, negated in found if sentence.startswith("keep"))


@pytest.mark.parametrize("text", [
    "We keep your information as long as needed to enforce our community guidelines.",
    "We may retain records to enforce our House Rules.",
])
def test_rules_and_guidelines_are_terms_to_enforce(extractor, text):
    [found] = practices(extractor, text, "retain")
    assert str(PUR.EnforceTerms) in found.purposes


def test_enforcing_the_law_is_no_term_of_ours(extractor):
    # near miss: no rule, guideline or term named
    found = practices(extractor, "We may retain records to enforce security standards.", "retain")
    assert all(str(PUR.EnforceTerms) not in p.purposes for p in found)


def test_a_partys_word_modifying_an_attribute_names_no_party(extractor):
    [found] = practices(extractor, "Your location, along with your Agent Name, will be shared publicly with other "
                                   "players.", "share")
    assert [r.kind for r in found.recipients] == [str(RK.OtherUsers)]
    # near miss: the party itself
    [found] = practices(extractor, "We share your information with our agents.", "share")
    assert [r.kind for r in found.recipients] == [str(RK.ServiceProvider)]


@pytest.mark.parametrize("text", [
    "Our vendors are restricted from selling or sharing your e-mail address.",
    "These partners are prohibited from using your location data.",
    "Our firewall prevents intruders from collecting your account details.",
    "Other advertisers are prohibited from using your location data.",  # "other" is no exception here
])
def test_what_a_party_is_kept_from_doing_is_no_practice(extractor, text):
    assert not [p for p in practices(extractor, text) if p.kind in ("collect", "use", "share", "sell")]


def test_a_restriction_other_than_for_a_purpose_allows_that_use(extractor):
    # near miss: "other than to ..." names the use the party is allowed
    [found] = practices(extractor, "Our vendors are prohibited from using your e-mail address other than to deliver "
                                   "your orders.")
    assert found.third_party_collects and found.negated is False


# -- issue 13, fine first-party labels (branch h13f) ---------------------------------------------------------------
def test_list_items_holding_a_relative_clause_are_items(extractor):
    found = practices(extractor, "We collect the following information:\n\nYour e-mail address.\n\nThe apps you "
                                 "install and the name of the mobile carrier you use.\n\nYour device ID.", "collect")
    data = {d for p in found if not p.negated for d in p.data}
    assert {str(DC.EmailAddress), str(DC.MobileCarrier), str(DC.DeviceIdentifier)} <= data


def test_a_sentence_with_a_main_verb_ends_the_list(extractor):  # near miss
    found = practices(extractor, "We collect the following information:\n\nYour e-mail address.\n\nWe never sell the "
                                 "data you give us.\n\nYour device ID.", "collect")
    assert str(DC.DeviceIdentifier) not in {d for p in found for d in p.data}


def test_a_lead_in_with_its_first_item_after_the_colon_opens_a_list(extractor):
    found = practices(extractor, "The kinds of information we collect are as follows: (1) reports of threats found on "
                                 "your tablet;\n\n(2) details of your tablet, including its device ID and the mobile "
                                 "carrier you use but not your phone number;", "collect")
    assert {str(DC.DeviceIdentifier), str(DC.MobileCarrier)} <= {d for p in found if not p.negated for d in p.data}
    # what the item excludes is denied, not collected
    assert str(DC.PhoneNumber) in {d for p in found if p.negated for d in p.data}
    assert str(DC.PhoneNumber) not in {d for p in found if not p.negated for d in p.data}


def test_a_lead_in_whose_first_item_has_a_relative_clause_opens_a_list(extractor):
    found = practices(extractor, "Our contractors may gather some information automatically, including but not limited "
                                 "to: the pages you open and the buttons you press;\n\nthe unique identifiers of your "
                                 "handset;\n\nyour IP address;", "collect")
    assert {str(DC.DeviceIdentifier), str(DC.IPAddress)} <= {d for p in found for d in p.data}


def test_a_label_before_a_colon_opens_no_list(extractor):  # near miss
    found = practices(extractor, "Effective date: the day you accept these terms.\n\nYour IP address.", "collect")
    assert not found


@pytest.mark.parametrize("text,concept", [
    ("We keep the unique ID of your device, if your device sends it during installation.", DC.DeviceIdentifier),
    ("Your e-mail address is stored by us.", DC.EmailAddress),
    ("We maintain a record of your phone number.", DC.PhoneNumber),
])
def test_what_the_company_holds_it_has_collected(extractor, text, concept):
    found = practices(extractor, text, "collect")
    assert [p.evidence.rule for p in found] == ["collect.holds.v1"] and str(concept) in found[0].data
    assert not found[0].negated


@pytest.mark.parametrize("text", [
    "We do not store your IP address.",  # not holding it says nothing of collecting it
    "Your photos are stored locally on your device.",
    "Your bank stores your card number.",
    "We urge you to keep your password safe.",
    "We keep your e-mail address confidential.",
    "We will keep our e-mails to you to a minimum.",
    "We keep your information on secure servers.",  # no category named
])
def test_holding_that_says_nothing_of_collecting(extractor, text):  # negatives and near misses
    assert not practices(extractor, text, "collect")


def test_a_conjunct_after_nor_is_denied(extractor):
    [sell, share] = sorted(practices(extractor, "We do not sell your e-mail address, nor do we share it with "
                                                "advertisers."), key=lambda p: p.kind)
    assert sell.negated and share.negated
    # near miss: "but" turns the polarity back
    found = practices(extractor, "We do not sell your data, but we share your e-mail address with partners.", "share")
    assert found and not any(p.negated for p in found)


def test_a_verb_the_tagger_took_for_a_noun_keeps_the_denial(extractor):
    found = practices(extractor, "We do not ask you for, access or track your precise location.", "collect")
    assert found and all(p.negated for p in found)
    # near miss: no denial
    found = practices(extractor, "We collect your name and track your location.", "collect")
    assert found and not any(p.negated for p in found)


@pytest.mark.parametrize("text,concept", [
    ("We choose which programmes to show you based in part on your postcode.", DC.PostalCode),
    ("We determine your eligibility for offers based on your age.", DC.Age),
])
def test_based_in_part_on_data_is_a_use(extractor, text, concept):
    found = practices(extractor, text, "use")
    assert found and str(concept) in found[0].data


def test_based_on_something_other_than_data_is_no_use(extractor):  # near miss
    assert not practices(extractor, "Prices are based in part on demand.", "use")


@pytest.mark.parametrize("text,kind,negated", [
    ("IP addresses are not stored, but are briefly used to work out your region.", "use", False),
    ("Your e-mail address is used to send you receipts and is never sold.", "sell", True),
])
def test_a_conjunct_shares_its_subject_whatever_its_polarity(extractor, text, kind, negated):
    found = practices(extractor, text, kind)
    assert found and all(p.negated is negated for p in found)
    assert str(DC.IPAddress if kind == "use" else DC.EmailAddress) in found[0].data


def test_a_conjunct_does_not_take_the_objects_of_a_verb_of_opposite_polarity(extractor):  # near miss
    [use] = practices(extractor, "We do not sell your e-mail address, but use cookies to improve the site.", "use")
    assert str(DC.EmailAddress) not in use.data and not use.negated
