"""Telephone numbers (kg.normalize.phones) and countries (kg.normalize.countries)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.normalize.countries import country_code, country_name, find_countries
from kg.normalize.phones import find_phones, normalize_phone

PHONES = [
    ("Telephone: 310.532.5000", "310.532.5000", "+1 310 532 5000"),  # calsoft
    ("Call (418) 937-4447.", "(418) 937-4447", "+1 418 937 4447"),
    ("toll free 1-800-555-0199", "1-800-555-0199", "+1 800 555 0199"),
    ("phone +1 418 555 0100", "+1 418 555 0100", "+1 418 555 0100"),
    ("phone +1 (418) 555-0100", "+1 (418) 555-0100", "+1 418 555 0100"),
    ("phone +14185550100", "+14185550100", "+1 418 555 0100"),
    ("tel 418 555-0100 ext. 23", "418 555-0100 ext. 23", "+1 418 555 0100 ext. 23"),
    ("tel 418-555-0100x12", "418-555-0100x12", "+1 418 555 0100 ext. 12"),
    ("UK: +44 20 7946 0958", "+44 20 7946 0958", "+44 20 7946 0958"),
    ("UK: +44 (0)20 7946 0958", "+44 (0)20 7946 0958", "+44 20 7946 0958"),
    ("UK: 0044 20 7946 0958", "0044 20 7946 0958", "+44 20 7946 0958"),
    ("UK: +442079460958.", "+442079460958", "+442079460958"),
    ("France +33 1 23 45 67 89", "+33 1 23 45 67 89", "+33 1 23 45 67 89"),
    ("Berlin +49 (30) 1234567", "+49 (30) 1234567", "+49 30 1234567"),
    ("India +91-22-1234-5678", "+91-22-1234-5678", "+91 22 1234 5678"),
]

NOT_PHONES = [
    "Dated 12-12-2023 and 2023-12-12.", "Torrance, CA 90502", "ZIP 90502-1234", "ID 1234567890",
    "order 12345678901234", "19701 Hamilton Ave. Suite 190", "call 555-0100", "(418) 137-4447", "+30 days",
    "build 2.418.555.0100", "12.12.2023", "+44 20", "18 U.S.C. §§ 2702(b)(8)",
]


@pytest.mark.parametrize("text, written, normal", PHONES)
def test_find_phones(text, written, normal):
    [(start, end, got)] = find_phones(text)
    assert (text[start:end], got) == (written, normal)
    assert normalize_phone(written) == normal


@pytest.mark.parametrize("text", NOT_PHONES)
def test_not_a_phone(text):
    assert find_phones(text) == []


def test_several_phones():
    text = "Call (418) 937-4447 or +44 20 7946 0958; fax 310.532.5001."
    assert [p for _, _, p in find_phones(text)] == ["+1 418 937 4447", "+44 20 7946 0958", "+1 310 532 5001"]


def test_normalize_phone_of_something_else():
    assert normalize_phone("hello") is None
    assert normalize_phone("(418) 937-4447 and more") is None


@given(st.integers(200, 999), st.integers(200, 999), st.integers(0, 9999),
       st.sampled_from(["({a}) {e}-{l}", "{a}-{e}-{l}", "{a}.{e}.{l}", "1-{a}-{e}-{l}", "+1 {a} {e} {l}",
                        "+1{a}{e}{l}", "1 ({a}) {e}-{l}"]))
def test_north_american_formats(area, exchange, line, fmt):
    written = fmt.format(a=area, e=exchange, l=f"{line:04}")
    assert find_phones(f"Call {written} today") == [(5, 5 + len(written), f"+1 {area} {exchange} {line:04}")]


COUNTRIES = [
    ("132 Ch. des Buttes, Havre aux Maisons G4T 5L3, Canada", "CA"),  # cubesoft
    ("19701 Hamilton Ave. Suite 190, Torrance, CA 90502, USA", "US"),
    ("store it in, the United States and other countries", "US"),
    ("United States of America", "US"),
    ("the U.S.", "US"),
    ("U.S.A.", "US"),
    ("the EU-U.S. Privacy Shield", "US"),
    ("US-based", "US"),
    ("London, UK", "GB"),
    ("London, United Kingdom", "GB"),
    ("Manchester, England", "GB"),
    ("Belfast, Northern Ireland", "GB"),
    ("Dublin 2, Ireland", "IE"),
    ("Berlin, Germany", "DE"),
    ("10115 Berlin, Deutschland", "DE"),
    ("Paris, FRANCE", "FR"),
    ("Amsterdam, The Netherlands", "NL"),
    ("Bangalore, India", "IN"),
    ("Sydney NSW 2000, Australia", "AU"),
    ("Sydney, New South Wales", "AU"),
    ("Singapore 018989", "SG"),
    ("Tokyo, Japan", "JP"),
    ("Beijing, People's Republic of China", "CN"),
    ("São Paulo, Brazil", "BR"),
    ("Zürich, Switzerland", "CH"),
    ("Tel Aviv, Israel", "IL"),
    ("Seoul, Republic of Korea", "KR"),
    ("Pyongyang, North Korea", "KP"),
    ("Istanbul, Türkiye", "TR"),
    ("Dubai, UAE", "AE"),
    ("Santa Fe, New Mexico", "US"),
    ("Mexico City, Mexico", "MX"),
]

NOT_COUNTRIES = [
    "contact us", "Contact Us", "CONTACT US", "ABOUT US", "let us know", "Torrance, CA 90502", "18 U.S.C. 2702",
    "in india", "canadian", "Indiana", "the European Union", "Georgia", "Jersey City", "",
]


@pytest.mark.parametrize("text, code", COUNTRIES)
def test_country_code(text, code):
    assert country_code(text) == code


@pytest.mark.parametrize("text", NOT_COUNTRIES)
def test_no_country(text):
    assert country_code(text) is None


def test_the_last_country_is_the_address_country():
    text = "Acme (formerly of Germany), 1 Main St, Toronto, Canada"
    assert [c for _, _, c in find_countries(text)] == ["DE", "CA"]
    assert country_code(text) == "CA"


@pytest.mark.parametrize("code, name", [("CA", "Canada"), ("us", "United States"), ("GB", "United Kingdom"),
                                        ("XX", None), ("", None)])
def test_country_name(code, name):
    assert country_name(code) == name


def test_country_table_size_and_round_trip():
    codes = {country_code(country_name(code) or "") for code in
             ("US", "GB", "CA", "IN", "AU", "SG", "JP", "CN", "BR", "CH", "IL", "DE", "FR", "IE")}
    assert len(codes) == 14
    eu = ["AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
          "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"]
    assert all(country_code(country_name(code)) == code for code in eu)
