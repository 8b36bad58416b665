"""Vocabulary of the extractor: data categories (labels, tokenizer case splits, bracketed abbreviations, the pattern
rules of kg/extract/rules/data.jsonl) and the law in its own words (legal bases, rights, transfer safeguards).

Each class has a positive case, a negative or near miss that must not fire. The sentences are written for these
tests; none comes from a benchmark.
"""
import pytest

from kg.extract import rules
from kg.extract.lexicon import _bracketed_abbreviations, case_splits
from kg.vocab import DC, LB, RIGHT
from tests.unit.test_extract import run

pytestmark = pytest.mark.slow


def data_of(extractor, text: str) -> set[str]:
    """Every data category of every statement of ``text``."""
    _, statements = run(extractor, text)
    return {d for s in statements for d in s.data}


def mentioned(extractor, text: str) -> set[str]:
    """The data categories the concept matcher finds in ``text`` (practice or not)."""
    doc = extractor.pipeline.nlp(text)
    return {m.concept for m in extractor.sentences.concepts(doc) if m.scheme == "data"}


def values_of(extractor, text: str, kind: str) -> set[str]:
    _, statements = run(extractor, text)
    return {v for s in statements if s.kind == kind and not s.negated for v in s.values}


# -- new concepts -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,concept", [
    ("The app collects the IMEI of your phone.", DC.IMEI),
    ("We collect the international mobile equipment identity of the handset.", DC.IMEI),
    ("We record the IMSI stored on your SIM card.", DC.IMSI),
    ("We collect your SIM card serial number.", DC.SIMSerialNumber),
    ("The app records the ICCID of the SIM.", DC.SIMSerialNumber),
    ("We collect the SSID and BSSID of the network you are connected to.", DC.WiFiNetworkIdentifier),
    ("We collect information about nearby Wi-Fi access points.", DC.WiFiAccessPoint),
    ("Our app collects signals from Bluetooth beacons in our partners' shops.", DC.Bluetooth),
    ("We use cell tower triangulation to estimate where you are.", DC.CellTower),
    ("We collect the cell ID of the base station your phone uses.", DC.CellTower),
    ("We collect your city and postal code.", DC.City),
    ("We collect the name of your mobile carrier.", DC.MobileCarrier),
    ("We collect your mobile operator and connection type.", DC.MobileCarrier),
])
def test_new_data_categories(extractor, text, concept):
    assert str(concept) in data_of(extractor, text)


def test_mobile_network_information_is_not_the_carrier(extractor):
    found = data_of(extractor, "We collect your hardware model and mobile network information.")
    assert str(DC.NetworkInformation) in found and str(DC.MobileCarrier) not in found


@pytest.mark.parametrize("text", [
    "We may share device details with business partners such as your mobile carriers.",
    "We may disclose your information to service providers, including wireless carriers.",
])
def test_carriers_in_the_plural_are_parties_not_data(extractor, text):
    assert str(DC.MobileCarrier) not in mentioned(extractor, text)


def test_a_carrier_code_is_the_carrier(extractor):  # near miss of the plural: one carrier, named by a code
    assert str(DC.MobileCarrier) in data_of(extractor, "We log your operating system, carrier code and time zone.")


@pytest.mark.parametrize("text", [
    "We collect your IP address, the Wi-Fi networks you connect to and your device type.",
    "The app records the wireless networks that your phone has joined.",
])
def test_wifi_networks_a_device_uses_are_named_by_their_identifier(extractor, text):
    found = data_of(extractor, text)
    assert str(DC.WiFiNetworkIdentifier) in found and str(DC.WiFiAccessPoint) not in found


@pytest.mark.parametrize("text", [
    "We collect information about nearby Wi-Fi networks to estimate where you are.",
    "We collect Wi-Fi networks used to determine your location.",
])
def test_wifi_networks_as_location_signals_stay_signals(extractor, text):  # near miss
    found = data_of(extractor, text)
    assert str(DC.WiFiAccessPoint) in found and str(DC.WiFiNetworkIdentifier) not in found


@pytest.mark.parametrize("text", [
    "If you sign in with a social network, we receive your name, profile picture and friends list.",
    "We may share your list of friends and your followers with other players.",
])
def test_a_social_networks_friends_are_no_address_book(extractor, text):
    found = data_of(extractor, text)
    assert str(DC.FriendsList) in found and str(DC.ContactsList) not in found


@pytest.mark.parametrize("text", [
    "With your permission, the app accesses your address book to find people you know.",
    "We may collect the phone numbers in your contact list to match them with other users.",
])
def test_an_address_book_is_a_contacts_list(extractor, text):  # near miss: not a postal address either
    found = data_of(extractor, text)
    assert str(DC.ContactsList) in found and str(DC.PostalAddress) not in found


@pytest.mark.parametrize("text", [
    "We share crash logs with our error monitoring provider to fix bugs.",
    "We receive diagnostic data and crash reports when the app stops unexpectedly.",
    "Error logs are deleted after 90 days.",
])
def test_crash_and_error_reports_are_diagnostic_data(extractor, text):
    assert str(DC.DiagnosticData) in data_of(extractor, text)


def test_a_report_to_a_regulator_is_no_diagnostic_data(extractor):  # near miss
    assert str(DC.DiagnosticData) not in mentioned(extractor, "We report data breaches to the regulator.")


def test_carrier_as_a_party_is_no_data(extractor):
    found = mentioned(extractor, "We may share device information with your wireless carrier.")
    assert str(DC.MobileCarrier) not in found and str(DC.DeviceInformation) in found


# -- labels in other case splits and across bracketed abbreviations -------------------------------------------------
def test_case_splits_of_a_label(extractor):
    nlp = extractor.pipeline.nlp
    splits = [[t.lower_ for t in d] for d in case_splits(nlp, "device id")]
    assert ["device", "i", "d"] in splits and ["device", "id"] in splits
    assert len(case_splits(nlp, "email address")) == 1  # the same split in every case: one phrase


@pytest.mark.parametrize("text,concept", [
    ("We collect your device ID.", DC.DeviceIdentifier),
    ("We collect your mobile device's unique device ID.", DC.DeviceIdentifier),
    ("We collect device IDs and advertising IDs.", DC.AdvertisingIdentifier),
    ("We log your user ID.", DC.Username),
])
def test_labels_with_id_in_any_case(extractor, text, concept):
    assert str(concept) in data_of(extractor, text)


def test_apple_id_is_not_a_device_id(extractor):
    assert str(DC.DeviceIdentifier) not in mentioned(extractor, "Sign in with your Apple ID to sync your notes.")


@pytest.mark.parametrize("text,concept", [
    ('We collect your Internet Protocol ("IP") address.', DC.IPAddress),
    ("We collect your IP (Internet Protocol) address.", DC.IPAddress),
    ('We collect the media access control ("MAC") address of your phone.', DC.MACAddress),
    ("We collect the International Mobile Equipment Identity (IMEI) number of your phone.", DC.IMEI),
])
def test_label_across_a_bracketed_abbreviation(extractor, text, concept):
    assert str(concept) in data_of(extractor, text)


def test_only_abbreviations_of_the_words_before_are_skipped(extractor):
    nlp = extractor.pipeline.nlp
    assert _bracketed_abbreviations(nlp.make_doc('Internet Protocol ("IP") address')) == [(2, 7)]
    assert _bracketed_abbreviations(nlp.make_doc("Internet Protocol (see below) address")) == []
    assert _bracketed_abbreviations(nlp.make_doc("your name (optional) address")) == []


# -- phrasings the labels cannot list (rules/data.jsonl) -------------------------------------------------------------
@pytest.mark.parametrize("text,concept", [
    ("We collect a unique identifier assigned to your device.", DC.DeviceIdentifier),
    ("We may collect the unique identifier for your mobile device.", DC.DeviceIdentifier),
    ("We collect device identification numbers.", DC.DeviceIdentifier),
    ("We collect the type of mobile device you use.", DC.DeviceType),
    ("When you play as a guest, we assign to your phone a random identifier and collect it with your scores.",
     DC.DeviceIdentifier),
    ("With crash reports we collect device and installation IDs.", DC.DeviceIdentifier),
    ("We collect your name, address and telephone number.", DC.PostalAddress),
    ("We collect contact and payment information.", DC.ContactInformation),
    ("We log your IP address to determine your approximate geographic location.", DC.IPBasedLocation),
    ("We collect your location based on your IP address.", DC.IPBasedLocation),
    ("We collect pages viewed and IP-based geographic location.", DC.IPBasedLocation),
    ("We collect your location based on Internet Protocol (\"IP\") address.", DC.IPBasedLocation),
    ("We may collect the city or zip code associated with your IP address.", DC.IPBasedLocation),
    ("We may collect the city or zip code associated with your IP address.", DC.PostalCode),
    ("We determine your location using GPS, Wi-Fi or Bluetooth.", DC.WiFiAccessPoint),
])
def test_data_pattern_rules(extractor, text, concept):
    assert str(concept) in data_of(extractor, text)


def test_an_identifier_assigned_to_an_account_is_no_device_id(extractor):  # near miss
    found = data_of(extractor, "We collect an identifier that we assign to your account.")
    assert str(DC.DeviceIdentifier) not in found and str(DC.Identifier) in found


def test_device_identification_number_is_not_a_government_id(extractor):
    assert str(DC.GovernmentIdentifier) not in data_of(extractor, "We collect device identification numbers.")


def test_the_number_of_devices_is_no_device_id(extractor):
    assert str(DC.DeviceIdentifier) not in mentioned(extractor, "We count the number of devices you use.")


def test_ip_address_alone_is_not_a_location(extractor):
    found = data_of(extractor, "We log your IP address and use GPS to determine your precise location.")
    assert str(DC.IPBasedLocation) not in found and str(DC.PreciseLocation) in found
    # near miss: a zip code beside an IP address associated with a device
    found = data_of(extractor, "We collect your zip code and the IP address associated with your device.")
    assert str(DC.IPBasedLocation) not in found and str(DC.PostalCode) in found


def test_wifi_service_is_no_location_signal(extractor):
    assert str(DC.WiFiAccessPoint) not in mentioned(extractor, "Our stores offer free Wi-Fi to visitors.")


def test_address_alone_outside_a_contact_list_is_not_data(extractor):
    assert str(DC.PostalAddress) not in mentioned(extractor, "Please send your questions to the address below.")


# -- misreadings ----------------------------------------------------------------------------------------------------
def test_device_name_is_not_a_persons_name(extractor):
    found = data_of(extractor, "We collect your device name and your device's name in the Bluetooth settings.")
    assert str(DC.Name) not in found and str(DC.HardwareInformation) in found


def test_names_of_things_are_not_a_persons_name(extractor):
    assert str(DC.Name) not in mentioned(extractor, "We record file names and domain names.")
    assert str(DC.Name) in mentioned(extractor, "We record your name and file names.")  # near miss


def test_business_name_is_a_contact_detail_not_demographic(extractor):
    found = data_of(extractor, "When you register, we collect your business name and phone number.")
    assert str(DC.CompanyName) in found and str(DC.Employer) not in found


def test_language_preferences_are_a_preference_not_demographic(extractor):
    found = data_of(extractor, "Cookies record your language preferences.")
    assert str(DC.LanguagePreference) in found and str(DC.Language) not in found


@pytest.mark.parametrize("text", [
    "If you have questions, contact us via email at privacy@example.com.",
    "You can reach us by phone or by e-mail.",
    "Email us with any questions about this policy.",
    "Please send us an e-mail if you want to opt out.",
])
def test_a_contact_channel_is_not_collected_data(extractor, text):
    assert not mentioned(extractor, text) & {str(DC.EmailAddress), str(DC.PhoneNumber)}


def test_an_email_address_sent_by_email_is_data(extractor):  # near miss
    assert str(DC.EmailAddress) in data_of(extractor, "We collect the email address you send us by email.")


@pytest.mark.parametrize("text", [
    "You must be at least 13 years of age to use our services.",
    "We do not collect information from children under the age of 13.",
    "If you are between the ages of 13 and 17, ask a parent before you register.",
    "Users below the minimum age may not create an account.",
    "We delete information collected from a child under age 13.",
])
def test_an_age_limit_is_not_age_data(extractor, text):
    assert str(DC.Age) not in mentioned(extractor, text)


def test_age_is_still_age_data(extractor):  # near miss
    assert str(DC.Age) in data_of(extractor, "We collect your age to confirm you are over 13.")


@pytest.mark.parametrize("text", [
    "Visit our office location in Berlin.",
    "Our servers may be located at any location worldwide.",
    "The report lists the names and addresses of all third parties with which we shared information.",
])
def test_the_company_and_its_partners_places_are_not_user_data(extractor, text):
    assert not mentioned(extractor, text) & {str(DC.Location), str(DC.Name), str(DC.PostalAddress)}


def test_user_location_is_still_location(extractor):  # near miss
    assert str(DC.Location) in data_of(extractor, "We collect your location when you use our app.")


def test_data_rules_have_ids_and_known_kinds():
    for rule in rules.load("data"):
        assert rule["id"].startswith("data.") and rule["kind"] in ("data", "not_data")
        assert ("values" in rule) == (rule["kind"] == "data")


# -- legal bases in the words of GDPR Art. 6 -------------------------------------------------------------------------
@pytest.mark.parametrize("text,basis", [
    ("We process your data where this is necessary for compliance with a legal obligation to which we are subject.",
     LB.LegalObligation),
    ("We process your data because you have given us consent to do so.", LB.Consent),
    ("We process your data on the basis of your consent.", LB.Consent),
    ("We use your information where it is required to enter into a contract with you.", LB.Contract),
    ("Processing is necessary for the performance of a contract with you.", LB.Contract),
    ("We process your data for our legitimate interests, such as improving our services.", LB.LegitimateInterest),
    ("We may process your data to protect your vital interests or those of another person.", LB.VitalInterest),
    ("We process data where necessary for a task carried out in the public interest.", LB.PublicInterest),
])
def test_gdpr_article_6_legal_bases(extractor, text, basis):
    assert str(basis) in values_of(extractor, text, "legal_basis")


@pytest.mark.parametrize("text", [
    "We may disclose your information if required by law.",
    "We will not share your data without your consent.",
    "We use your data to comply with our legal obligations.",
])
def test_no_legal_basis_statement_without_its_wording(extractor, text):
    assert not values_of(extractor, text, "legal_basis")


# -- rights phrased indirectly ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,right", [
    ("You have the right to obtain the deletion of your personal data.", RIGHT.Erasure),
    ("You may obtain the limitation of the processing of your data.", RIGHT.Restriction),
    ("You have the right to have your data passed on to another controller.", RIGHT.Portability),
    ("You can request that your personal data be transmitted to another controller.", RIGHT.Portability),
    ("You may not be discriminated against for exercising your rights.", RIGHT.NonDiscrimination),
    ("You can request an export of your personal information in JSON format.", RIGHT.Portability),
    ("You may ask for a copy of your data in a structured, machine-readable and commonly used format.",
     RIGHT.Portability),
    ("You have the right to object to the processing of your personal data.", RIGHT.Objection),
    ("You have the right to lodge a complaint with a supervisory authority.", RIGHT.Complaint),
    ("You may withdraw your consent at any time.", RIGHT.WithdrawConsent),
    ("If you wish to view, delete, or correct the information we hold, write to us.", RIGHT.Access),
    ("If you wish to view, delete, or correct the information we hold, write to us.", RIGHT.Erasure),
])
def test_indirect_rights(extractor, text, right):
    assert str(right) in values_of(extractor, text, "right")


def test_one_right_statement_when_labels_and_a_valued_cue_agree(extractor):
    _, statements = run(extractor, "You can request that your personal data be transmitted to another controller.")
    assert len([s for s in statements if s.kind == "right"]) == 1


@pytest.mark.parametrize("text", [
    "In the event of a merger, we may transfer your data to another company.",
    "We export our products to many countries.",
    "We monitor traffic to identify unauthorized attempts to upload or change information.",
])
def test_no_right_without_one(extractor, text):
    assert not values_of(extractor, text, "right")


@pytest.mark.parametrize("text", ["Right to Access Your Personal Data.", "Right To Access Your Information."])
def test_a_rights_title_is_no_practice(extractor, text):
    _, statements = run(extractor, "You can exercise any of the following rights by contacting us.\n\n  1. " + text +
                        " You have the right to access information held about you.\n  2. Right to Complain. You may "
                        "complain to a regulator.\n")
    assert not [s for s in statements if s.kind in ("collect", "use", "share")]


def test_what_a_right_lets_the_user_do_is_no_practice(extractor):
    _, statements = run(extractor, "You have the right to obtain a copy of your personal data.")
    assert not [s for s in statements if s.kind == "collect"]
    _, statements = run(extractor, "We reserve the right to share your information with our affiliates.")
    assert [s for s in statements if s.kind == "share"]  # near miss: the company's own reservation


# -- transfer safeguards ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,safeguard", [
    ("We transfer your data to the United States on the basis of standard contractual clauses.",
     "standard contractual clauses"),
    ("We transfer data to countries that benefit from an adequacy decision of the European Commission.",
     "adequacy decision"),
    ("Transfers within our group are governed by binding corporate rules.", "binding corporate rules"),
    ("We rely on the EU-U.S. Data Privacy Framework for transfers to our US parent.", "Data Privacy Framework"),
    ("Our parent complies with the Privacy Shield Principles for all onward transfers of personal information.",
     "Privacy Shield"),
    ("When we transfer your data outside the UK, we rely on the International Data Transfer Agreement.",
     "UK International Data Transfer Agreement"),
])
def test_transfer_safeguards(extractor, text, safeguard):
    _, statements = run(extractor, text)
    assert safeguard in {g for s in statements if s.kind == "transfer" for g in s.safeguards}


def test_consent_is_a_derogation_not_a_safeguard(extractor):
    _, statements = run(extractor, "We transfer your data outside the EEA with your explicit consent.")
    transfers = [s for s in statements if s.kind == "transfer"]
    assert transfers and not any(s.safeguards for s in transfers)


# -- issue #13: OPP-115 classes (sentences written for these tests) --------------------------------------------------
@pytest.mark.parametrize("text,concept", [
    ("Our server logs record the session identification number of each visit.", DC.Identifier),
    ("A web beacon can read the identification number of any cookie it finds.", DC.Cookie),
])
def test_a_technical_identification_number_is_no_government_id(extractor, text, concept):
    found = data_of(extractor, text)
    assert str(concept) in found and str(DC.GovernmentIdentifier) not in found


def test_a_personal_identification_number_is_still_a_government_id(extractor):
    # near miss: the label itself
    assert str(DC.GovernmentIdentifier) in data_of(extractor, "We ask for your national identification number.")


@pytest.mark.parametrize("text", [
    "We share your details with partners so that they can show you offers that match your interests.",
    "You may see fewer messages relevant to your needs and interests.",
    "We use cookies to show content tailored to your personal interests.",
])
def test_what_content_is_fitted_to_names_no_interest_data(extractor, text):
    assert str(DC.Interest) not in mentioned(extractor, text)


def test_interests_named_as_data_stay_data(extractor):
    # near miss: interests the company records
    assert str(DC.Interest) in data_of(extractor, "We record your hobbies and interests when you register.")


@pytest.mark.parametrize("text", [
    "Some features of our video player store settings on your computer.",
    "To watch live video on our app, we need to confirm where you are.",
    "Cookies may be set when our video products are used.",
])
def test_video_as_a_product_is_no_user_content(extractor, text):
    assert str(DC.Video) not in mentioned(extractor, text)


def test_videos_a_user_submits_are_user_content(extractor):
    # near miss: a recording the reader sends in
    assert str(DC.Video) in data_of(extractor, "If you upload a video to our site, we may show it to other members.")


# -- issue 13, fine first-party labels (branch h13f) ---------------------------------------------------------------
def test_an_advertising_identifier_tied_to_the_device_is_the_advertising_id(extractor):
    found = data_of(extractor, "We collect the resettable advertising identifier assigned to your device.")
    assert str(DC.AdvertisingIdentifier) in found and str(DC.DeviceIdentifier) not in found
    # near miss: an identifier assigned to the device, no advertising word
    assert str(DC.DeviceIdentifier) in data_of(extractor, "We collect a unique identifier assigned to your tablet.")


@pytest.mark.parametrize("text", [
    "We may read details of your phone (e.g. IMEI, MAC, Android ID, screen size).",
    "The app logs the IP address, device ID, MAC, software version and language.",
])
def test_mac_alone_in_a_list_of_identifiers_is_the_mac_address(extractor, text):
    assert str(DC.MACAddress) in mentioned(extractor, text)


@pytest.mark.parametrize("text", [
    "The game runs on all MAC, iPad and Android devices.",
    "We record your operating system (Windows, MAC or Linux) and screen size.",
    "Contact the MAC team for help with your order.",
])
def test_mac_as_a_platform_or_a_name_is_no_mac_address(extractor, text):  # near misses
    assert str(DC.MACAddress) not in mentioned(extractor, text)


def test_ip_derived_location_with_a_capitalised_address(extractor):
    assert str(DC.IPBasedLocation) in data_of(extractor, "We may collect the zip code associated with your "
                                                         "IP Address.")
    assert str(DC.IPBasedLocation) not in data_of(extractor, "We may collect your IP Address.")  # near miss


def test_geolocational_information_is_location(extractor):
    assert str(DC.Location) in data_of(extractor, "We only gather your geolocational information with your consent.")


def test_information_sent_by_email_is_no_email_address(extractor):
    assert str(DC.EmailAddress) not in mentioned(extractor, "We keep the information sent via e-mail for our records.")
    # near miss: the address itself
    assert str(DC.EmailAddress) in mentioned(extractor, "We keep the e-mail address provided by you.")
