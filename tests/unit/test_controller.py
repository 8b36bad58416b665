"""Controller names, cue by cue (kg.extract.controller; no spaCy): a positive case, a negative one and a near miss
each, written for these tests (no benchmark text), and a property: a fragment is never returned as a name."""
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract import controller
from kg.extract.controller import find_controller, matches_key, site_keys
from kg.model import Document
from kg.segment import segment


def seg_of(text: str, title: str | None = None, site_name: str | None = None, media_type: str = "text/plain"):
    doc = Document("t.txt", "t.txt", media_type, text, hashlib.sha256(text.encode()).hexdigest(), "utf-8",
                   title=title, site_name=site_name)
    return segment(doc)


def name_of(text: str, **kw) -> str | None:
    found, _ = find_controller(seg_of(text, **kw))
    return found.legal_name if found else None


def rule_of(text: str, **kw) -> str:
    found, _ = find_controller(seg_of(text, **kw))
    return found.evidence.rule


FILLER = "\n\nWe collect your e-mail address when you sign up. We keep it for two years.\n"


# -- one cue at a time: (text, expected name or None) -----------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    # "X is the data controller"
    ("Zentrova Labs GmbH is the data controller of your personal data." + FILLER, "Zentrova Labs GmbH"),
    ("The controller of your personal data is Harbeck Tools Ltd." + FILLER, "Harbeck Tools Ltd."),
    ("Ask your employer who the data controller is." + FILLER, None),
    # X ("we", "us"), X (the "Company"), X, ... (collectively "we")
    ('Brindle Works ("we", "us", "our") makes the Brindle app.' + FILLER, "Brindle Works"),
    ('Osmund Ridge Software (the "Company") respects your choices.' + FILLER, "Osmund Ridge Software"),
    ('Quillon Media, Inc., a Delaware corporation, and its affiliates (collectively, "Quillon", "we" or "us") '
     "run this site." + FILLER, "Quillon Media, Inc."),
    ('Ferro Analytics ("Ferro") counts visits for many websites.' + FILLER, None),  # a short name, not "we"
    ('Personal Information ("PII") means data about you.' + FILLER, None),
    ('The terms "we", "us" and "our" refer to Quorra Studio.' + FILLER, "Quorra Studio"),
    ('The terms "you" and "your" refer to the visitor.' + FILLER, None),
    # the copyright line
    ("© 2021 Tarnwell Books Ltd. All rights reserved." + FILLER, "Tarnwell Books Ltd."),
    ("Copyright 2019-2023 Velloran Audio. All Rights Reserved." + FILLER, "Velloran Audio"),
    ("Please contact the United States Copyright Office to register a work." + FILLER, None),
    ("Copyrights and trademarks belong to their owners." + FILLER, None),
    # "Welcome to X", "Thank you for using X"
    ("Welcome to Pelloquin! This policy explains what we do." + FILLER, "Pelloquin"),
    ("Thank you for using Drumlin Notes." + FILLER, "Drumlin Notes"),
    ("Welcome to our website. This policy explains what we do." + FILLER, None),
    # "X is committed to", "X respects", "X takes your privacy seriously", "privacy is important to X"
    ("Marrowfield Games is committed to protecting your privacy." + FILLER, "Marrowfield Games"),
    ("Your privacy is very important to Tessaly Travel." + FILLER, "Tessaly Travel"),
    ("The law is committed to protecting children." + FILLER, None),
    # a heading line: "X Privacy Policy", "Privacy Policy of X", "X's Privacy Notice"
    ("Orrin Maps Privacy Policy\n\nLast updated: March 3, 2022" + FILLER, "Orrin Maps"),
    ("Privacy Policy for Calbrook Cameras\n\nLast updated: March 3, 2022" + FILLER, "Calbrook Cameras"),
    ("Privacy Policy\n\nLast updated: March 3, 2022" + FILLER, None),
    # "This site is operated by X", "X may update this policy", "Owner and Data Controller: X"
    ("This website is operated by Halvard & Sons Ltd. on behalf of its members." + FILLER, "Halvard & Sons Ltd."),
    ("Ostrava Apps may update this policy from time to time." + FILLER, "Ostrava Apps"),
    ("Owner and Data Controller: Pinecrest Labs LLC - Oregon (USA)" + FILLER, "Pinecrest Labs LLC"),
    ("This policy was prepared with the modules provided by Formbuilder." + FILLER, None),  # a policy generator
    # the line above the postal address: an organisation, never a person
    ("Write to us at:\n\nBrackenridge Outfitters Inc.\n\n45 Elm Road\n\nBoise, ID 83702" + FILLER,
     "Brackenridge Outfitters Inc."),
    ("Write to us at:\n\nTolliver Law Department\n\n45 Elm Road\n\nBoise, ID 83702" + FILLER, "Tolliver"),
    ("Write to us at:\n\nJane Morrow\n\n45 Elm Road\n\nBoise, ID 83702" + FILLER, None),
    ("Write to us at:\n\nPrivacy Team\n\n45 Elm Road\n\nBoise, ID 83702" + FILLER, None),
    # "We at X", "At X, we"
    ("We at Kestrel Bicycles care about your data." + FILLER, "Kestrel Bicycles"),
    ("At Lumengrove, we believe in plain language." + FILLER, "Lumengrove"),
    ("At any time, we may ask you to confirm your identity." + FILLER, None),
])
def test_cue(text, expected):
    assert name_of(text) == expected


def test_cue_records_its_rule_in_the_evidence():
    assert rule_of('Brindle Works ("we", "us") makes apps.' + FILLER) == "controller.we-defined.v2"
    assert rule_of("© 2021 Tarnwell Books Ltd. All rights reserved." + FILLER) == "controller.copyright.v2"
    found, _ = find_controller(seg_of("© 2021 Tarnwell Books Ltd. All rights reserved." + FILLER))
    assert found.evidence.matched == "Tarnwell Books Ltd."
    assert found.named_by == "text"


# -- the site's own domain: e-mail addresses and web addresses --------------------------------------------------
def test_email_domain_supports_the_name_it_spells():
    text = "Kelpwise keeps your data safe.\n\nQuestions? Write to us at privacy@kelpwise.com." + FILLER
    assert name_of(text) == "Kelpwise"


def test_email_domain_alone_is_the_last_resort():
    found, _ = find_controller(seg_of("If you have questions, contact us at hello@vantorra.io." + FILLER))
    assert (found.legal_name, found.evidence.rule) == ("vantorra.io", "controller.email-domain.v1")


def test_free_mail_mailbox_is_the_last_resort_when_it_is_one_word():
    assert name_of("If you have questions, contact us at orvellagames7@gmail.com." + FILLER) == "orvellagames"
    assert name_of("If you have questions, contact us at jane.doe1984@gmail.com." + FILLER) is None  # a person
    assert name_of("If you have questions, contact us at info@gmail.com." + FILLER) is None  # a role, not a name


def test_people_behind():
    assert name_of("We (the people behind the Tinsel app) keep little data." + FILLER) == "Tinsel"


def test_a_third_partys_address_is_not_ours():
    assert name_of("Read about ad choices or write to optout@adnetwork-example.com." + FILLER) is None


def test_lower_case_brand_needs_its_domain():
    text = "zently is committed to your privacy."
    assert name_of(text + FILLER) is None
    assert name_of(text + "\n\nContact us at help@zently.com." + FILLER) == "zently"


@pytest.mark.parametrize("name, key, expected", [
    ("New York Times Company", "nytimes", True),  # words and initials
    ("Smithsonian Institution", "si", True),
    ("Acme Widgets, Inc.", "acmewidgets", True),
    ("NBCUniversal Media LLC", "nbcuni", True),  # the domain shortens the name
    ("Mico", "micous", True),  # the name is most of the domain
    ("Lion", "lionmobi", False),  # ... but not a word that merely starts it
    ("Android", "kkemojiandroid", False),
    ("Google", "acme", False),
])
def test_matches_key(name, key, expected):
    assert matches_key(name, key) is expected


def test_site_keys_from_contact_addresses_and_own_site():
    seg = seg_of("This policy applies to www.orbelle-shoes.com.\n\nWrite to privacy@orbelle.co.uk or "
                 "marco.orbelle77@gmail.com.")
    assert {k.key: k.rule for k in site_keys(seg)} == {"orbelleshoes": "controller.site-url.v1",
                                                        "orbelle": "controller.email-domain.v1",
                                                        "marcoorbelle": "controller.email-local.v1"}


# -- the HTML page's title and site name -------------------------------------------------------------------------
def test_html_site_name_and_title():
    assert name_of("We collect e-mail addresses.", site_name="Glimmerware", media_type="text/html") == \
        "Glimmerware"
    assert name_of("We collect e-mail addresses.", title="Privacy Policy | Tovana Press",
                   media_type="text/html") == "Tovana Press"
    assert name_of("We collect e-mail addresses.", title="Privacy Policy", media_type="text/html") is None
    found, _ = find_controller(seg_of("We collect e-mail addresses.", title="Privacy Policy | Tovana Press",
                                      media_type="text/html"))
    assert (found.evidence.rule, found.evidence.matched) == ("controller.html-title.v1", "Tovana Press")


# -- never a fragment, never a third party by default -----------------------------------------------------------
@pytest.mark.parametrize("text", [
    "More Information is committed to this." + FILLER,  # heading words
    "The Bank respects your privacy." + FILLER,  # a kind of organisation
    "Personally Identifiable Information is important to us." + FILLER,
    "ICO Registration No. Z1234567 is the data controller." + FILLER,  # a registration number
    "Developer Company respects your privacy." + FILLER,
    "Safe Harbor Privacy Policy\n\nWe follow the principles." + FILLER,
])
def test_fragments_are_not_names(text):
    assert name_of(text) is None


def test_heading_run_into_a_sentence_is_cut_off():
    text = "More Other Information Marrowfield Games is committed to fair play.\n\n" \
           "You can write to Marrowfield Games by post." + FILLER
    assert name_of(text) == "Marrowfield Games"


def test_well_known_third_party_is_not_the_publisher_unless_it_says_so():
    third = "We use Google Analytics. Google Inc. may set cookies on your device." + FILLER
    assert name_of(third) is None
    own = 'Google LLC ("Google", "we", "us") provides the search service.' + FILLER
    assert name_of(own) == "Google LLC"


def test_only_company_with_a_legal_form_is_taken_when_nothing_better():
    assert name_of("Nordvik Travel AS processes bookings." + FILLER) == "Nordvik Travel AS"
    two = "Nordvik Travel AS and Sorbel Holdings Ltd. process bookings." + FILLER
    assert name_of(two) is None  # two companies and no cue: no guess


def test_legal_form_found_elsewhere_is_preferred():
    text = "Welcome to Orvanto!\n\nOrvanto Media Ltd.\n1 High Street, London SW1A 1AA" + FILLER
    found, _ = find_controller(seg_of(text))
    assert found.legal_name == "Orvanto Media Ltd."
    assert "Orvanto" in found.aliases


# -- a name given by a build manifest -----------------------------------------------------------------------------
def test_given_name_is_preferred_and_the_texts_kept_as_alias():
    found, warnings = find_controller(seg_of("Welcome to Pelloquin!" + FILLER), "Pelloquin Software Ltd.")
    assert (found.legal_name, found.named_by, found.aliases) == ("Pelloquin Software Ltd.", "manifest",
                                                                 ("Pelloquin",))
    assert found.evidence.rule == "controller.welcome.v1" and warnings == []


def test_given_name_that_differs_from_the_texts_is_a_warning():
    found, warnings = find_controller(seg_of("Welcome to Pelloquin!" + FILLER), "Hartwell Group plc")
    assert (found.legal_name, found.evidence, found.aliases) == ("Hartwell Group plc", None, ())
    assert warnings == ["the manifest names the controller 'Hartwell Group plc'; the text reads 'Pelloquin' "
                        "(controller.welcome.v1)"]


def test_given_name_where_the_text_finds_none_keeps_the_contacts():
    found, _ = find_controller(seg_of("We collect e-mail addresses. Write to help@orsted-example.net."),
                               "Orsted Example AG")
    assert found.legal_name == "Orsted Example AG"
    assert [c.value for c in found.contacts] == ["help@orsted-example.net"]


# -- property: whatever the words around the cues, no fragment is a name -----------------------------------------
NOT_NAMES = sorted(controller.FURNITURE | controller.GENERIC_NAMES | controller.NOT_A_NAME)
CUE_TEMPLATES = [
    "{} is committed to protecting your privacy.", "Welcome to {}!", "© 2020 {}. All rights reserved.",
    '{} ("we", "us") runs this service.', "{} Privacy Policy", "Privacy Policy of {}", "We at {} care.",
    "This website is operated by {}.", "{} may update this policy at any time.", "{} is the data controller.",
    "Your privacy is important to {}.", "Copyright {} 2020", "{}, Inc. respects your privacy.",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(NOT_NAMES), min_size=1, max_size=5),
       st.sampled_from(CUE_TEMPLATES), st.sampled_from(["title", "upper", "lower"]))
def test_a_fragment_is_never_returned(words, template, case):
    """Heading words, kinds of organisation and data terms, in any case and any cue, never make a name."""
    phrase = " ".join(getattr(w, case)() for w in words)
    text = template.format(phrase) + FILLER
    found, _ = find_controller(seg_of(text))
    assert found is None or found.legal_name.lower().split()[0] not in NOT_NAMES, (text, found.legal_name)
