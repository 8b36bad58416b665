"""Organisation names (kg.normalize.organisations)."""
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.normalize.organisations import (LEGAL_SUFFIXES, clean_name, has_legal_suffix, same_organisation, slug,
                                        strip_legal_suffix)


@pytest.mark.parametrize("raw, clean", [
    ("CubeSoft Communications Inc.", "CubeSoft Communications Inc."),
    ("  CONNACT   Cloud\nltd. ", "CONNACT Cloud ltd."),
    ("“Pro Softnet Corp.”", "Pro Softnet Corp."),
    ("The SoftSys Hosting,", "SoftSys Hosting"),
    ("the Acme Co.", "Acme Co."),
    ("Calsoft Systems.", "Calsoft Systems"),
    ("Calsoft Systems;", "Calsoft Systems"),
    ('"Acme Widgets Ltd".', "Acme Widgets Ltd"),
    ("Acme S.A.", "Acme S.A."),
    ("Foo L.L.C.", "Foo L.L.C."),
    ("Theodor Labs", "Theodor Labs"),  # "the" only as a word
    ("", ""),
])
def test_clean_name(raw, clean):
    assert clean_name(raw) == clean


@pytest.mark.parametrize("name, base", [
    ("CubeSoft Communications Inc.", "CubeSoft Communications"),
    ("CONNACT Cloud ltd.", "CONNACT Cloud"),
    ("Pro Softnet Corp.", "Pro Softnet"),
    ("Acme, Inc.", "Acme"),
    ("Acme Incorporated", "Acme"),
    ("Acme Holdings Limited", "Acme Holdings"),
    ("Acme LLC", "Acme"),
    ("Acme L.L.C.", "Acme"),
    ("Acme GmbH", "Acme"),
    ("Acme AG", "Acme"),
    ("Acme Pty Ltd", "Acme"),
    ("Acme B.V.", "Acme"),
    ("Acme N.V.", "Acme"),
    ("Acme PLC", "Acme"),
    ("Acme LLP", "Acme"),
    ("Acme S.r.l.", "Acme"),
    ("Acme SAS", "Acme"),
    ("Acme SARL", "Acme"),
    ("Acme Oy", "Acme"),
    ("Acme AB", "Acme"),
    ("Acme AS", "Acme"),
    ("SAP SE", "SAP"),
])
def test_strip_legal_suffix(name, base):
    assert has_legal_suffix(name)
    assert strip_legal_suffix(name) == base


@pytest.mark.parametrize("name", [
    "Calsoft Systems", "SoftSys Hosting", "Company", "Inc.", "Known as", "Acme Incubator", "Pro Softnet's", "",
    "Acme Ltda",
])
def test_no_legal_suffix(name):
    assert not has_legal_suffix(name)
    assert strip_legal_suffix(name) == clean_name(name)


def test_brief_suffixes_are_listed():
    for suffix in ("Inc.", "Inc", "Incorporated", "Corp.", "Corporation", "LLC", "L.L.C.", "Ltd.", "Limited", "ltd.",
                   "GmbH", "AG", "S.A.", "SAS", "SARL", "B.V.", "N.V.", "Pty Ltd", "PLC", "LLP", "Co.", "Company",
                   "S.r.l.", "Oy", "AB", "AS"):
        assert suffix in LEGAL_SUFFIXES


@pytest.mark.parametrize("name, key", [
    ("CubeSoft Communications Inc.", "cubesoft-communications-inc"),
    ("CONNACT Cloud ltd.", "connact-cloud-ltd"),
    ("Société Générale S.A.", "societe-generale-s-a"),
    ("Straße & Söhne GmbH", "strasse-sohne-gmbh"),
    ("  --Acme--  ", "acme"),
])
def test_slug(name, key):
    assert slug(name) == key


def test_slug_of_a_name_without_latin_letters_is_a_stable_hash():
    assert slug("株式会社") == slug("株式会社") != slug("有限会社")
    assert re.fullmatch(r"org-[0-9a-f]{10}", slug("株式会社"))


@pytest.mark.parametrize("a, b", [
    ("CONNACT Cloud ltd.", "Connact Cloud Ltd"),
    ("CubeSoft Communications Inc.", "CubeSoft Communications"),
    ("Pro Softnet Corp.", "Pro Softnet Corporation"),
    ("Pro Softnet", "ProSoftnet Corp."),
    ("The Acme Company, Inc.", "Acme Company"),
    ("AT&T Inc.", "AT and T"),
    ("Société Générale", "SOCIETE GENERALE S.A."),
])
def test_same_organisation(a, b):
    assert same_organisation(a, b) and same_organisation(b, a)


@pytest.mark.parametrize("a, b", [
    ("Acme", "Acme Widgets"), ("CubeSoft", "Calsoft"), ("", ""), ("Inc.", "Acme Inc."),
])
def test_different_organisations(a, b):
    assert not same_organisation(a, b)


names = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "Zs", "S")), max_size=40)


@given(names)
def test_slug_is_ascii_and_idempotent(name):
    key = slug(name)
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", key)
    assert slug(key) == key


@given(st.lists(st.from_regex(r"[A-Z][a-z]{1,8}", fullmatch=True), min_size=1, max_size=3),
       st.sampled_from(["Inc.", "Ltd", "GmbH", "LLC", "S.A.", ""]))
def test_same_organisation_ignores_case_and_suffix(words, suffix):
    name = " ".join(words)
    assert same_organisation(f"{name} {suffix}", name.upper())
    assert clean_name(clean_name(f" the {name} {suffix}, ")) == clean_name(f"{name} {suffix}")
