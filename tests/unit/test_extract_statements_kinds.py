"""The statements that are not data practices, error class by error class (issue #13): audiences, policy changes,
security measures, user choices, rights of access, retention periods and purposes, Do Not Track. Every sentence
here is written for these tests.

Each class has a positive case, and a negative case or a near miss that must not fire.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from kg.normalize.durations import find_retention_phrases
from kg.vocab import AUD, CHOICE, PPKG, PUR, RIGHT, SEC
from tests.unit.test_extract import run

pytestmark = pytest.mark.slow


def statements(extractor, text: str, kind: str, negated: bool | None = False):
    return [s for s in run(extractor, text)[1] if s.kind == kind and (negated is None or s.negated == negated)]


def values_of(extractor, text: str, kind: str) -> set[str]:
    return {v for s in statements(extractor, text, kind) for v in s.values}


# -- audiences -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "If you are a California resident, you may ask us which third parties received your information.",
    "Residents of the State of California may reside in California and ask for a list of our disclosures.",
    "Users who live in California have additional rights under California law.",
])
def test_californians_named_by_residence(extractor, text):
    assert str(AUD.Californians) in values_of(extractor, text, "audience")


def test_a_place_in_california_is_no_audience(extractor):  # near miss
    assert not values_of(extractor, "Disputes will be mediated in San Francisco, California.", "audience")


def test_a_transfer_abroad_is_not_an_audience_but_eu_residents_are_users_from_other_countries(extractor, tmp_path,
                                                                                             monkeypatch):
    # only for this test: the benchmark scripts import each other as top-level modules
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import opp115  # noqa: E402
    from devset import oxigraph_of  # noqa: E402

    from kg.api import build_graph_of

    (tmp_path / "1_zorvane.com.txt").write_text(
        "We may transfer your information to our servers in Ireland.\n", encoding="utf-8")
    (tmp_path / "2_quelbeck.org.txt").write_text(
        "Residents of the European Union may ask us for a copy of their data.\n", encoding="utf-8")
    graph, _ = build_graph_of([tmp_path])
    preds = opp115.predict(oxigraph_of(graph))
    assert preds["1_zorvane.com"]["audiences"] == []
    assert preds["2_quelbeck.org"]["audiences"] == ["Citizens from other countries", "Europeans"]


# -- policy change -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "We may change this privacy policy from time to time.",
    "This Privacy Policy may be amended at any time.",
    "We reserve the right to make changes to this policy.",
    "Please review this notice periodically, as we may update it.",
])
def test_a_policy_that_may_change_without_a_word_on_notification(extractor, text):
    assert statements(extractor, text, "change")


@pytest.mark.parametrize("text", [
    "This privacy policy was last revised on May 1, 2014.",  # a date: "May" is no modal
    "You can update your preferences at any time as described in this policy.",  # the reader's act
])
def test_no_policy_change(extractor, text):
    assert not statements(extractor, text, "change")


# -- security ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "We use reasonable efforts to protect your personal information from unauthorized access.",
    "We have put in place administrative procedures to safeguard the information we collect.",
    "No method of transmission over the Internet is completely secure.",
    "We cannot guarantee the security of the information you send us.",
])
def test_security_in_general_words_and_disclaimers(extractor, text):
    assert values_of(extractor, text, "security") == {str(SEC.SecurityMeasure)}


@pytest.mark.parametrize("text", [
    "We may disclose information to protect our rights or the safety of our users.",  # protected: rights, safety
    "This notice explains how we protect your personal information.",  # an outline of the policy
    "We may anonymize your data and share it with researchers.",  # preparing data, not a safeguard
    "It is important for you to protect against unauthorized access to your password.",  # the reader's care
])
def test_no_security_measure(extractor, text):
    assert not statements(extractor, text, "security")


@pytest.mark.parametrize("text,measure", [
    ("This Privacy Policy explains how we protect your information.", None),  # the policy outlined
    ("Our security policies are reviewed periodically.", SEC.SecurityAudit),  # another policy: a measure
    ("Our policy is to encrypt card numbers with SSL.", SEC.SSL),  # "our policy is to": a practice
])
def test_an_outline_of_the_policy_and_other_policies(extractor, text, measure):
    assert values_of(extractor, text, "security") == ({str(measure)} if measure else set())


def test_the_specific_measure_of_a_sentence_wins(extractor):
    found = values_of(extractor, "Payment data is encrypted in transit using SSL to protect your information.",
                      "security")
    assert found == {str(SEC.SSL)}


@pytest.mark.parametrize("text,measure", [
    ("We limit employee access to user data.", SEC.AccessControl),
    ("Access to your personal information is restricted to staff who need it.", SEC.AccessControl),
    ("Your data is kept confidential by our staff.", SEC.Confidentiality),
    ("We protect your account information through the use of a password.", SEC.Authentication),
    ("We encrypt sensitive data.", SEC.Encryption),
])
def test_measures_in_other_words_than_their_labels(extractor, text, measure):
    assert str(measure) in values_of(extractor, text, "security")


def test_a_limit_on_the_readers_access_is_no_measure(extractor):  # near miss
    found = values_of(extractor, "If you disable cookies, we may limit your access to some features.", "security")
    assert str(SEC.AccessControl) not in found


# -- choices -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "To remove yourself from these mailings, please call our Customer Service Center at 1-800-555-0100.",
    "If you do not wish to receive our newsletter, send a letter to our Privacy Coordinator.",
    "If you prefer not to be included in our mailings, please notify us by email.",
    "If you would like us to no longer use your information, contact us.",
])
def test_opting_out_by_contacting_the_company(extractor, text):
    assert str(CHOICE.ContactCompany) in values_of(extractor, text, "choice")


@pytest.mark.parametrize("text", [
    "If you have questions about this policy, contact us.",
    "If you would like to update your information, contact our support team.",  # a right, not an opt-out
])
def test_contacting_the_company_is_not_always_a_choice(extractor, text):
    assert str(CHOICE.ContactCompany) not in values_of(extractor, text, "choice")


@pytest.mark.parametrize("text", [
    "You can set your browser to refuse all cookies.",
    "You may refuse to accept cookies by activating the setting on your browser.",
    "You may use the tools in your browser to decline or delete cookies.",
])
def test_browser_controls_in_other_words(extractor, text):
    assert str(CHOICE.BrowserControls) in values_of(extractor, text, "choice")


def test_browser_details_collected_are_no_choice(extractor):  # near miss
    assert not statements(extractor, "We record your browser type and version.", "choice")


def test_the_companys_preference_pages(extractor):
    assert str(CHOICE.PrivacySettings) in values_of(extractor, "You can adjust your e-mail preferences at any time.",
                                                    "choice")
    assert not statements(extractor, "We use cookies to remember your preferences.", "choice")  # near miss


def test_settings_kept_by_a_social_network_are_its_own(extractor):
    found = values_of(extractor, "You should review what they share by modifying your privacy settings directly "
                                 "with those social networking services.", "choice")
    assert str(CHOICE.SocialMediaSettings) in found and str(CHOICE.PrivacySettings) not in found


def test_not_giving_data_told_as_an_instruction(extractor):
    assert str(CHOICE.DontUseService) in values_of(
        extractor, "If you do not want to share your phone number, do not provide it.", "choice")
    # near miss: the company's not using is the reader's wish, not an instruction to the reader
    assert str(CHOICE.DontUseService) not in values_of(
        extractor, "If you prefer that we do not use this information, you may opt out.", "choice")


def test_an_outline_of_the_policy_offers_no_choice(extractor):
    assert not statements(extractor, "This policy also tells you how you can opt out of marketing e-mails.",
                          "choice")


# -- rights --------------------------------------------------------------------------------------------------------
def test_rights_on_capitalised_terms(extractor):
    found = values_of(extractor, "You may access and update your Personal Information in your account.", "right")
    assert {str(RIGHT.Access), str(RIGHT.Rectification)} <= found


@pytest.mark.parametrize("text,rights", [
    ("If you would like to have your personal information changed or removed, please contact us.",
     {RIGHT.Rectification, RIGHT.Erasure}),
    ("If you wish to make changes to any personal information you gave us, please contact us.",
     {RIGHT.Rectification}),
    ("If you submitted personal information and wish to review, update or delete it, please email your request.",
     {RIGHT.Access, RIGHT.Rectification, RIGHT.Erasure}),
])
def test_rights_told_in_other_words(extractor, text, rights):
    assert {str(r) for r in rights} <= values_of(extractor, text, "right")


@pytest.mark.parametrize("text,right", [
    ("To delete your Zorvane Games account, sign in and open the settings page.", RIGHT.DeleteAccount),
    ("You can deactivate your Quelbeck account at any time.", RIGHT.DeactivateAccount),
])
def test_an_account_named_by_its_brand(extractor, text, right):
    assert str(right) in values_of(extractor, text, "right")


def test_cancelling_the_account_closes_it(extractor):
    found = values_of(extractor, "You can cancel your account at any time.", "right")
    assert str(RIGHT.DeleteAccount) in found and str(RIGHT.DeactivateAccount) not in found


@pytest.mark.parametrize("text", [
    "We may keep aggregated data after you update or delete it.",  # a time, not what the reader may do
    "If you access your accounts from a mobile device, please sign out afterwards.",  # signing in
    "To do this, an aggregation provider may request access to your personal information.",  # another's request
    "You can cancel your subscription at any time.",  # no account is deactivated
])
def test_no_right_of_the_reader(extractor, text):
    found = values_of(extractor, text, "right")
    assert not found & {str(RIGHT.Access), str(RIGHT.DeactivateAccount), str(RIGHT.Rectification)}


# -- retention -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Please keep in mind that it may take up to four weeks to process your request.",
    "Someone less than 13-years-of-age may not register.",
])
def test_not_a_retention_period(text):
    assert not find_retention_phrases(text)


def test_the_time_a_deletion_takes_is_a_period(extractor):  # near miss
    assert find_retention_phrases("It may take up to 90 days for your data to be deleted.")


def test_kept_no_longer_than_necessary_is_a_limited_retention(extractor):
    [kept] = statements(extractor, "We do not store the e-mail address longer than necessary to send the card.",
                        "retain", negated=None)
    assert not kept.negated and kept.retention[0].kind == "indeterminate"


def test_a_period_set_by_law_names_the_legal_purpose(extractor):
    [kept] = statements(extractor, "We retain your order information only as long as required by law.", "retain")
    assert str(PUR.LegalCompliance) in kept.purposes
    [other] = statements(extractor, "We retain your order information for two years.", "retain")  # near miss
    assert str(PUR.LegalCompliance) not in other.purposes


# -- Do Not Track --------------------------------------------------------------------------------------------------
def test_a_stance_on_these_signals_after_do_not_track_is_named(extractor):
    text = ('Some browsers send "Do Not Track" signals to websites. We currently take no action in response to '
            "these signals.")
    [stance] = [s for s in statements(extractor, text, "dnt") if s.evidence.rule == "dnt.anaphora.v1"]
    assert stance.values == (str(PPKG.DntNotHonoured),)


def test_do_not_track_as_a_verb_phrase_is_no_dnt_statement(extractor):
    assert not statements(extractor, "We do not track you across third-party websites.", "dnt")


def test_a_response_named_in_a_noun_is_no_stance(extractor):
    text = ('Some browsers send "Do Not Track" signals. When a standard is adopted, we may revisit our policy on '
            "responding to these signals.")
    assert {v for s in statements(extractor, text, "dnt") for v in s.values} == {str(PPKG.DntUnclear)}
