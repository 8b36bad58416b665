"""Extract stage, rule family by rule family, on minimal sentences (real spaCy pipeline, real ontology labels).

Each family has a positive case, a negative (polarity) case where it applies, and a near miss that must not fire.
Independent of the benchmark data.
"""
import hashlib
from pathlib import Path

import pytest
from spacy.errors import MatchPatternError
from spacy.matcher import Matcher

from kg.extract import rules
from kg.extract.patterns import PatternMatcher
from kg.extract.statements import body_sentences
from kg.ingest import read_document
from kg.model import Document
from kg.normalize import normalize
from kg.segment import segment
from kg.vocab import AUD, DC, ORG, PPKG, PUR, RIGHT, RK, SEC

pytestmark = pytest.mark.slow
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"


def run(extractor, text: str):
    raw = text.encode()
    doc = Document("t.txt", "t.txt", "text/plain", text, hashlib.sha256(raw).hexdigest(), "utf-8")
    seg = segment(doc)
    extraction = extractor.extract(seg)
    return extraction, normalize(extraction.statements)


def practices(extractor, text, kind=None):
    _, ps = run(extractor, text)
    return [p for p in ps if kind is None or p.kind == kind]


def only(extractor, text, kind):
    found = practices(extractor, text, kind)
    assert len(found) == 1, found
    return found[0]


# -- sharing and selling, with polarity and scope --------------------------------------------------------------
def test_share_positive_with_kind_and_category(extractor):
    p = only(extractor, "We share your email address with advertisers.", "share")
    assert not p.negated
    assert str(DC.EmailAddress) in p.data
    assert [r.kind for r in p.recipients] == [str(RK.Advertiser)]
    assert p.evidence.rule == "share.verb.v1"


def test_share_negated_generic_information(extractor):
    # "this information" is the information the sentence before names (here: generic personal information)
    p = only(extractor, "We use the information you provide to process payments. We will not share this "
                        "information with any third parties.", "share")
    assert p.negated
    assert p.data == (str(DC.PersonalInformation),)
    assert [r.kind for r in p.recipients] == [str(RK.ThirdParty)]


def test_share_negated_by_no_on_the_subject_with_purpose(extractor):
    p = only(extractor, "No mobile information will be shared with third parties for marketing purposes.", "share")
    assert p.negated
    assert str(PUR.Marketing) in p.purposes


def test_share_negated_with_condition(extractor):
    p = only(extractor, "We will not share your personal information with third parties except as described in "
                        "this policy.", "share")
    assert p.negated
    assert p.condition and p.condition.startswith("except as described")


def test_negation_hung_on_the_auxiliary(extractor):
    p = only(extractor, "Acme also will not, except for the reasons stated below, disclose to third parties the "
                        "personal information of any customer.", "share")
    assert p.negated


def test_sell_negated_and_coordinated_verbs(extractor):
    sells = practices(extractor, "We will not sell, rent, lease or barter your personal information.", "sell")
    assert sells and all(p.negated for p in sells)
    assert only(extractor, "We do not sell your personal information.", "sell").negated


def test_description_of_the_policy_is_not_a_practice(extractor):
    assert practices(extractor, "This Privacy Policy describes how we collect, use and share your information.") \
        == []


def test_user_as_subject_is_not_a_practice(extractor):
    assert practices(extractor, "If you use our services, you agree to these terms.", "use") == []


def test_provide_you_with_is_not_sharing(extractor):
    assert practices(extractor, "We use your data to provide you with our services.", "share") == []


def test_named_organisation_receives_data(extractor):
    p = only(extractor, "We use Stripe and PayPal services to process the payments made to us.", "share")
    assert {r.name for r in p.recipients} == {"Stripe", "PayPal"}
    assert {r.org for r in p.recipients} == {str(ORG.Stripe), str(ORG.PayPal)}
    assert {r.kind for r in p.recipients} == {str(RK.PaymentProcessor)}


@pytest.mark.parametrize("text, org, kind", [
    ("We send crash reports to Sentry so that we can fix errors.", ORG.Sentry, RK.ServiceProvider),
    ("Usage data is shared with Flurry, which measures how the app is used.", ORG.Flurry, RK.AnalyticsProvider),
    ("Ad networks such as AppLovin may collect your advertising ID.", ORG.AppLovin, RK.Advertiser),
])
def test_app_sdk_vendors_are_named_recipients(extractor, text, org, kind):
    found = [r for p in practices(extractor, text) for r in p.recipients if r.org == str(org)]
    assert found and found[0].kind == str(kind)


def test_providing_the_reader_with_a_named_product_is_no_sharing(extractor):  # near miss
    assert not practices(extractor, "We provide you with Google Maps features in the app.", "share")


# -- collection ------------------------------------------------------------------------------------------------
def test_collect_list_items_inherit_the_introducing_sentence(extractor):
    text = "2. What data is collected?\n\nWe may collect the following personal data about you:\n" \
           "- your name;\n- your e-mail address;\n- your IP address.\n"
    found = practices(extractor, text, "collect")
    data = {d for p in found for d in p.data}
    assert {str(DC.Name), str(DC.EmailAddress), str(DC.IPAddress)} <= data
    assert any(p.evidence.rule == "collect.list.v1" for p in found)


def test_third_party_collects(extractor):
    p = only(extractor, "Google Analytics collects your IP address.", "collect")
    assert p.third_party_collects
    assert [r.org for r in p.recipients] == [str(ORG.GoogleAnalytics)]


def test_collect_negated(extractor):
    p = only(extractor, "We do not knowingly collect personal information from children under 13.", "collect")
    assert p.negated


def test_company_name_word_is_not_a_category(extractor):
    found = practices(extractor, "Acme Communications processes your data on its own behalf.")
    assert all(str(DC.Communications) not in p.data for p in found)


# -- retention -------------------------------------------------------------------------------------------------
def test_retention_stated_period_with_bound_and_trigger(extractor):
    p = only(extractor, "We retain your personal data for up to 2 years after account closure.", "retain")
    (r,) = p.retention
    assert (r.kind, r.iso, r.bound, r.trigger) == ("temporal", "P2Y", "upper", "AccountClosure")


def test_retention_limited_and_indefinite(extractor):
    (r,) = only(extractor, "We keep your information as long as your account is active.", "retain").retention
    assert (r.kind, r.trigger) == ("until_event", "AccountClosure")
    (r,) = only(extractor, "We may store feedback records indefinitely.", "retain").retention
    assert r.kind == "endless"


def test_storage_without_a_period_is_not_a_retention_statement(extractor):
    assert practices(extractor, "We store your data on secure servers.", "retain") == []


# -- other statement kinds -------------------------------------------------------------------------------------
def test_children_audience_with_age(extractor):
    (a,) = practices(extractor, "Our services are not directed to children under 13.", "audience")
    assert str(AUD.Children) in a.values and a.numbers == (13,)


def test_age_without_children_context_is_not_an_audience(extractor):
    assert practices(extractor, "We deliver orders within 13 days.", "audience") == []


@pytest.mark.parametrize("sentence, stance", [
    ("We do not respond to Do Not Track signals.", PPKG.DntNotHonoured),
    ("We honor Do Not Track signals.", PPKG.DntHonoured),
    ("Some browsers offer a Do Not Track feature.", PPKG.DntUnclear),
])
def test_do_not_track(extractor, sentence, stance):
    (d,) = practices(extractor, sentence, "dnt")
    assert d.values == (str(stance),)


def test_rights(extractor):
    (r,) = practices(extractor, "You have the right to request access to and erasure of your personal data.",
                     "right")
    assert {str(RIGHT.Access), str(RIGHT.Erasure)} <= set(r.values)


def test_right_word_without_a_cue_is_not_a_right(extractor):
    assert practices(extractor, "Unauthorized access to our servers is prevented.", "right") == []


def test_security_measures(extractor):
    (s,) = practices(extractor, "We use SSL encryption to protect your data.", "security")
    assert set(s.values) & {str(SEC.SSL), str(SEC.Encryption), str(SEC.EncryptionInTransit)}


def test_policy_change_notification(extractor):
    (c,) = practices(extractor, "If we change this policy, we will notify you by email.", "change")
    assert c.texts == ("email",)


# -- controller ------------------------------------------------------------------------------------------------
def test_controller_name_contacts_and_alias(extractor):
    text = ('In this policy, "Acme" refers to Acme Widgets Inc. Acme is the data controller.\n\n'
            "Contact our Data Protection Officer at dpo[at]acme.example.\n\n"
            "Acme Widgets Inc.\n12 Main Street, Springfield, IL 62701\n")
    extraction, _ = run(extractor, text)
    c = extraction.controller
    assert c.legal_name == "Acme Widgets Inc."
    assert "Acme" in c.aliases
    assert c.country == "US"
    assert [x.value for x in c.contacts if x.kind == "email"] == ["dpo@acme.example"]
    assert c.privacy_contact.is_dpo


def test_no_controller_is_reported_not_invented(extractor):
    extraction, _ = run(extractor, "we collect your email address to send newsletters.\n")
    assert extraction.controller is None
    assert any("controller" in w for w in extraction.warnings)


# -- rules added for depth (OPP-115 issue) ---------------------------------------------------------------------
@pytest.mark.parametrize("sentence, right", [
    ("You can update your account information at any time.", RIGHT.Rectification),
    ("Registered users can view their profile information in the account page.", RIGHT.Access),
    ("You may delete your account from the settings page.", RIGHT.DeleteAccount),
    ("You can deactivate your account at any time.", RIGHT.DeactivateAccount),
])
def test_rights_from_verbs(extractor, sentence, right):
    values = {v for r in practices(extractor, sentence, "right") for v in r.values}
    assert str(right) in values


def test_browser_settings_are_not_an_edit_right(extractor):
    values = {v for r in practices(extractor, "You can change your browser settings to refuse cookies.", "right")
              for v in r.values}
    assert str(RIGHT.Rectification) not in values


def test_third_party_collects_when_it_is_the_subject(extractor):
    found = practices(extractor, "Advertisers may use cookies to collect information about your visits.", "collect")
    assert found and all(p.third_party_collects and [r.kind for r in p.recipients] == [str(RK.Advertiser)]
                         for p in found)


@pytest.mark.parametrize("text", [
    "Third-party SDKs in our games may collect your advertising ID.",
    "Some third party keyboards may record the passwords you type.",
])
def test_a_third_party_product_collects_for_its_provider(extractor, text):
    found = practices(extractor, text, "collect")
    assert found and all(p.third_party_collects and [r.kind for r in p.recipients] == [str(RK.ThirdParty)]
                         for p in found)


def test_third_party_cookies_stay_data(extractor):  # near miss: a cookie is what is collected, not who collects
    found = practices(extractor, "We use third-party cookies to remember your preferences.", "use")
    assert found and str(DC.Cookie) in found[0].data


def test_they_refers_to_the_party_named_before(extractor):
    text = "We use Google Analytics to understand how the site is used.\n\n" \
           "These services collect your IP address and the pages you visit.\n"
    collected = [p for p in practices(extractor, text, "collect") if p.third_party_collects]
    assert collected and collected[0].recipients[0].org == str(ORG.GoogleAnalytics)


def test_transfer_to_a_named_country(extractor):
    (t,) = practices(extractor, "Your personal information may be transferred to and stored in the United States.",
                     "transfer")
    assert t.countries == ("US",)


@pytest.mark.parametrize("text, countries", [
    ("When we transfer your data outside the UK, we rely on standard contractual clauses.", ()),
    ("Your information may be transferred to countries other than Canada.", ()),
    ("We may transfer your data from the EU to the United States.", ("US",)),
    ("We may transfer your data from Germany to the United States.", ("US",)),
    ("Data collected in France may be transferred to and stored in Singapore.", ("SG",)),  # near miss: "in"
    # near miss: where the reader lives outside a country, the data goes to that country
    ("If you are located outside of the United States, your information may be transferred to our servers.",
     ("US",)),
])
def test_a_country_the_data_leaves_is_no_destination(extractor, text, countries):
    (t,) = practices(extractor, text, "transfer")
    assert t.countries == countries


def test_merger_disclosure_goes_to_the_acquirer(extractor):
    text = "In the event of a merger or acquisition, your personal information may be among the assets transferred."
    (s,) = practices(extractor, text, "share")
    assert not s.negated and [r.kind for r in s.recipients] == [str(RK.Acquirer)]
    assert str(PUR.MergerAcquisition) in s.purposes


@pytest.mark.parametrize("sentence, purpose", [
    ("We use your information to better understand how visitors use our website.", PUR.Analytics),
    ("We use your e-mail address to respond to your inquiries.", PUR.CustomerSupport),
    ("We use cookies to personalize your experience.", PUR.Personalisation),
])
def test_purposes_written_as_verb_and_object(extractor, sentence, purpose):
    (p,) = practices(extractor, sentence, "use")
    assert str(purpose) in p.purposes


def test_legal_purpose_belongs_to_the_disclosure_not_the_use(extractor):
    found = practices(extractor, "We may use or disclose your personal information to comply with the law.")
    kinds = {p.kind: p for p in found}
    assert str(PUR.LegalCompliance) in kinds["share"].purposes
    assert str(PUR.LegalCompliance) not in kinds.get("use", kinds["share"]).purposes or "use" not in kinds


@pytest.mark.parametrize("sentence", [
    "We currently take no action to respond to Do Not Track signals.",
    "Our site is not set up to respond to Do Not Track signals.",
    "We are unable to respond to Do Not Track signals at this time.",
])
def test_do_not_track_refusals_in_other_words(extractor, sentence):
    (d,) = practices(extractor, sentence, "dnt")
    assert d.values == (str(PPKG.DntNotHonoured),)


def test_indirect_question_about_dnt_is_unclear(extractor):
    (d,) = practices(extractor, "California law requires us to disclose how we respond to Do Not Track signals.",
                     "dnt")
    assert d.values == (str(PPKG.DntUnclear),)


def test_company_reserving_a_right_is_not_a_user_right(extractor):
    assert practices(extractor, "We reserve the right to access and share your personal information with others.",
                     "right") == []


def test_merger_is_not_a_purpose_of_first_party_use(extractor):
    text = "In the event of a merger or acquisition, we may use and transfer your personal information."
    for p in practices(extractor, text):
        if p.kind in ("use", "collect"):
            assert str(PUR.MergerAcquisition) not in p.purposes


def test_retention_owns_the_purpose_of_retain_and_use(extractor):
    found = practices(extractor, "We will retain and use your information as necessary to comply with our legal "
                                 "obligations.")
    by_kind = {p.kind: p for p in found}
    assert str(PUR.LegalCompliance) in by_kind["retain"].purposes
    assert "use" not in by_kind or str(PUR.LegalCompliance) not in by_kind["use"].purposes


# -- the rule matcher (kg.extract.patterns): spaCy Matcher's results, found only where a match can start ----------
def _pair(nlp, patterns: dict[str, list[dict]]):
    reference, fast = Matcher(nlp.vocab), PatternMatcher(nlp.vocab)
    for key, pattern in patterns.items():
        reference.add(key, [pattern])
        fast.add(key, [pattern])
    return reference, fast


@pytest.fixture(scope="module")
def example_docs(extractor):
    """The parsed body sentences of the five example policies."""
    texts = [s.text for path in sorted(EXAMPLES.iterdir()) for s in body_sentences(segment(read_document(path)))]
    return list(extractor.pipeline.nlp.pipe(texts))


@pytest.mark.parametrize("name", ["triggers", "cues", "purposes", "data", "concepts"])
def test_rule_matcher_returns_spacys_matches_in_spacys_order(extractor, example_docs, name):
    patterns = {f"{r['id']}#{i}": r["pattern"] for i, r in enumerate(rules.load(name)) if "pattern" in r}
    reference, fast = _pair(extractor.pipeline.nlp, patterns)
    assert fast.fast  # every pattern of the rule files is compiled, none left to spaCy
    expected = [reference(doc) for doc in example_docs]
    assert sum(map(len, expected)) > (100 if name in ("triggers", "cues", "purposes") else 20)
    assert [fast(doc) for doc in example_docs] == expected


SYNTHETIC = {
    "plus": [{"LOWER": "we"}, {"IS_ALPHA": True, "OP": "+"}, {"LOWER": "data"}],
    "exactly-two": [{"LOWER": "we"}, {"OP": "{2}"}, {"LOWER": "your"}],
    "range": [{"LEMMA": {"IN": ["share", "sell"]}}, {"OP": "{1,3}", "IS_PUNCT": False},
              {"LOWER": {"IN": ["with", "to"]}}],
    "leading-optional": [{"LOWER": "not", "OP": "?"}, {"LEMMA": "share"}],
    "star-not-in": [{"LEMMA": "share"}, {"OP": "*", "LOWER": {"NOT_IN": [".", ";"]}}, {"LOWER": "partners"}],
    "no-sentence-start": [{"LOWER": "data"}, {"IS_SENT_START": False, "OP": "*"}, {"LOWER": "partners"}],
    "pos-dep": [{"POS": "VERB", "DEP": {"NOT_IN": ["amod"]}}, {"POS": "DET", "OP": "?"}, {"TAG": "NN"}],
    "title": [{"LOWER": "in"}, {"OP": "?", "LOWER": "the"}, {"IS_TITLE": True}],
    "number": [{"LIKE_NUM": True}, {"LOWER": {"IN": ["years", "days"]}}],
    "anywhere": [{"IS_PUNCT": False, "OP": "?"}, {"ORTH": ","}],
    # indexed on a later token: the tokens before it optional, or without a word to index on
    "leading-range": [{"LOWER": {"IN": ["your", "personal", "contact"]}, "OP": "{0,2}"}, {"LOWER": "data"}],
    "unindexed-first": [{"IS_PUNCT": False}, {"POS": "ADV", "OP": "?"}, {"LEMMA": "share"}],
    "not-in-first": [{"LOWER": {"NOT_IN": ["we"]}}, {"LOWER": "with"}],
    "unbounded-before": [{"IS_ALPHA": True, "OP": "+"}, {"LOWER": "partners"}],
}
SENTENCES = [
    "We share your data with partners and we share it with partners.",
    "We do not share or sell your personal data to advertising partners; data stays with partners.",
    "We store your data in the United States for 2 years, or 30 days after you close your account.",
    "We use the data we collect to improve the site, to send you offers, and to protect our users.",
    "Data. Partners receive reports, and we collect data about partners.",
    "Sometimes we may share your contact details.",
]


def test_rule_matcher_operators_and_attributes_match_spacy(extractor):
    nlp = extractor.pipeline.nlp
    reference, fast = _pair(nlp, SYNTHETIC)
    assert fast.fast
    docs = list(nlp.pipe(SENTENCES))
    expected = [reference(doc) for doc in docs]
    assert all(expected) and len({k for matches in expected for k, _, _ in matches}) == len(SYNTHETIC)
    assert [fast(doc) for doc in docs] == expected
    assert fast.fallbacks > 0  # matches ending at the same token: that Doc was handed to spaCy, for its order


@pytest.mark.parametrize("pattern", [
    [{"LOWER": {"REGEX": "^shar"}}],  # an operator it does not compile
    [{"LEMMA": "share"}, {"OP": "?"}],  # an optional last token
    [{"LEMMA": "share"}, {"OP": "!", "LOWER": "not"}, {"LOWER": "your"}],
])
def test_rule_matcher_hands_what_it_cannot_compile_to_spacy(extractor, pattern):
    nlp = extractor.pipeline.nlp
    reference, fast = _pair(nlp, {"p": pattern})
    assert not fast.fast
    docs = list(nlp.pipe(SENTENCES))
    assert [fast(doc) for doc in docs] == [reference(doc) for doc in docs]


def test_rule_matcher_validates_patterns_like_spacy(extractor):
    with pytest.raises(MatchPatternError):
        PatternMatcher(extractor.pipeline.nlp.vocab).add("bad", [[{"LEMMA": {"INN": ["share"]}}]])


# -- the accelerated attribute ruler (kg.extract.nlp): the unmodified pipeline's annotations, token for token ------
def test_accelerated_pipeline_annotates_like_the_unmodified_one(example_docs):
    from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, TAG

    from kg.extract.nlp import load_pipeline

    fast, official = load_pipeline().nlp, load_pipeline(accelerated=False).nlp
    assert fast is not official and fast.get_pipe("attribute_ruler").match is not None
    # whole example texts and their body sentences: POS, morphology and lemmas are the attribute ruler's output
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in sorted(EXAMPLES.iterdir())]
    texts += [doc.text for doc in example_docs]
    attrs = [POS, TAG, LEMMA, MORPH, DEP, HEAD]
    got = [doc.to_array(attrs) for doc in fast.pipe(texts)]
    expected = [doc.to_array(attrs) for doc in official.pipe(texts)]
    assert sum(len(a) for a in expected) > 20_000
    assert all(a.shape == b.shape and (a == b).all() for a, b in zip(got, expected))


def test_accelerated_attribute_ruler_keeps_the_regex_rules(extractor):
    """The ruler's few REGEX patterns stay with spaCy's Matcher: "ain't" still gets the lemma "be"."""
    doc = extractor.pipeline.nlp("You ain't gonna need it.")
    assert [t.lemma_ for t in doc[:4]] == ["you", "be", "not", "go"]
