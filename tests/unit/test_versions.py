"""kg.history: the semantic diff of two policy graphs, the version list, and naming stored versions.

The graphs are made by ``kg.graph.policy_graph`` from small hand-made records, so every expected entry follows
from the record edits written in each test.
"""
from __future__ import annotations

import hashlib
import json

import pytest
from rdflib import RDF, Graph, Literal
from rdflib.namespace import PROV

from kg import __version__

from kg.compare import diff_policies, render_diff
from kg.errors import BadGraph, KgError
from kg.graph import build_graph, policy_graph, policy_header, unique_triples
from kg.history import VERSIONS_QUERY, controller_named, find_version, list_versions, render_versions
from kg.model import (Contact, ControllerInfo, Document, Evidence, PolicyHeader, PolicyRecord, Practice, PrivacyContact,
                      RecipientMention, Retention)
from kg.resources import rules_version
from kg.sparql import run_query
from kg.store import _plan_add
from kg.view import read_policy
from kg.vocab import AUD, DC, ID, ONTOLOGY_VERSION, PPKG, PUR, RIGHT, RK

ADVERTISERS = RecipientMention(kind=str(RK.Advertiser))
THIRD_PARTIES = RecipientMention(kind=str(RK.ThirdParty))


class Policy:
    """Builds a PolicyRecord whose evidence offsets point into its own text (sentences are appended in order)."""

    def __init__(self, name: str = "acme.txt", company: str | None = "Acme Inc.", date: str | None = "2023-01-01",
                 preamble: str | None = None, rule_suffix: str = ""):
        self.name, self.company, self.date, self.rule_suffix = name, company, date, rule_suffix
        self.text = preamble or f"Privacy policy ({name}, {company}, {date})."  # other file, other hash
        self.items: list[tuple[str, dict]] = []
        self.emails: list[str] = []
        self.dpo: str | None = None

    def say(self, sentence: str, kind: str, negated: bool = False, **fields) -> Policy:
        self.items.append((sentence, dict(kind=kind, negated=negated, **fields)))
        return self

    def record(self) -> PolicyRecord:
        text = self.text
        spans = []
        for sentence, _ in self.items:
            text += " "
            spans.append((len(text), sentence))
            text += sentence
        sha = hashlib.sha256(text.encode()).hexdigest()
        doc = Document(path=self.name, name=self.name, media_type="text/plain", text=text, sha256=sha,
                       encoding="utf-8")

        def ev(i: int, start: int, sentence: str, rule: str) -> Evidence:
            return Evidence(doc_id=doc.doc_id, sentence_index=i, start=start, end=start + len(sentence),
                            text=sentence, section=(), rule=rule + self.rule_suffix)

        practices = tuple(Practice(evidence=ev(i, start, sentence, f"{fields['kind']}.test.v1"), **fields)
                          for i, ((start, sentence), (_, fields)) in enumerate(zip(spans, self.items)))
        head = ev(0, 0, self.text, "controller.test.v1")
        controller = None
        if self.company:
            contacts = tuple(Contact("email", e, head) for e in self.emails)
            pc = PrivacyContact(role="Data Protection Officer", evidence=head, name=self.dpo, is_dpo=True) \
                if self.dpo else None
            controller = ControllerInfo(legal_name=self.company, evidence=head, contacts=contacts, privacy_contact=pc)
        return PolicyRecord(document=doc, controller=controller, practices=practices, model="test", date=self.date)

    def graph(self) -> Graph:
        return policy_graph(self.record())


def base(**kw) -> Policy:
    return (Policy(**kw)
            .say("We collect your e-mail address.", "collect", data=(str(DC.EmailAddress),))
            .say("We do not sell your personal information.", "sell", True, data=(str(DC.PersonalInformation),),
                 recipients=(THIRD_PARTIES,))
            .say("We keep e-mails for up to 1 year.", "retain", data=(str(DC.EmailAddress),),
                 retention=(Retention("temporal", "for up to 1 year", iso="P1Y", days=365.0, bound="upper"),)))


def versions_of(graph: Graph):
    return list_versions(run_query(graph, VERSIONS_QUERY))


def entries(diff, status):
    return [(p.kind, p.label) for p in diff.of(status)]


def test_identical_policies_do_not_differ():
    d = diff_policies(base().graph(), base().graph())
    assert not d.differs and d.practices == [] and d.facts == []
    assert render_diff(d).endswith("no differences\n")


def test_added_and_removed_practice():
    new = base().say("We share your e-mail address with advertisers for marketing.", "share",
                     data=(str(DC.EmailAddress),), purposes=(str(PUR.Marketing),), recipients=(ADVERTISERS,))
    d = diff_policies(base().graph(), new.graph())
    assert entries(d, "removed") == [] and entries(d, "changed") == []
    [added] = d.of("added")
    assert added.kind == "share"
    assert [t.iri for t in added.data] == [str(DC.EmailAddress)]
    assert [t.iri for t in added.purposes] == [str(PUR.Marketing)]
    assert [t.iri for t in added.recipients] == [str(ID['recipient/Advertiser'])]  # kgid: node of the kind
    # labels are the ontology's skos:prefLabel
    assert added.label == "share: email address; recipient: advertiser; purpose: for marketing purposes"
    assert [(a.attribute, a.new) for a in added.attributes] == [("negated", ("no",))]
    assert [e.text for e in added.new_evidence] == ["We share your e-mail address with advertisers for marketing."]
    assert added.old_evidence == ()

    back = diff_policies(new.graph(), base().graph())  # the other way round: removed
    assert [p.label for p in back.of("removed")] == [added.label] and not back.of("added")
    assert [e.text for e in back.of("removed")[0].old_evidence] == [e.text for e in added.new_evidence]


def test_changed_polarity_sell():
    new = Policy()
    for sentence, fields in base().items:
        if fields["kind"] == "sell":
            sentence, fields = "We may sell your personal information.", {**fields, "negated": False}
        new.say(sentence, **fields)
    d = diff_policies(base().graph(), new.graph())
    assert not d.of("added") and not d.of("removed")
    [changed] = d.of("changed")
    assert changed.label == "sell: personal information; recipient: third party"
    assert [(a.attribute, a.old, a.new) for a in changed.attributes] == [("negated", ("yes",), ("no",))]
    assert [e.text for e in changed.old_evidence] == ["We do not sell your personal information."]
    assert [e.text for e in changed.new_evidence] == ["We may sell your personal information."]


def test_changed_retention_but_not_its_wording():
    def with_retention(r: Retention) -> Policy:
        p = Policy()
        for sentence, fields in base().items:
            p.say(sentence if fields["kind"] != "retain" else f"We keep e-mails {r.text}.",
                  **({**fields, "retention": (r,)} if fields["kind"] == "retain" else fields))
        return p

    two_years = with_retention(Retention("temporal", "for up to 2 years", iso="P2Y", days=730.0, bound="upper"))
    d = diff_policies(base().graph(), two_years.graph())
    [changed] = d.of("changed")
    assert changed.kind == "retain" and len(d.practices) == 1
    assert [(a.attribute, a.old, a.new) for a in changed.attributes] == [("retention", ("up to P1Y",), ("up to P2Y",))]
    assert [e.text for e in changed.new_evidence] == ["We keep e-mails for up to 2 years."]

    # the same period in other words is no change; a trigger is
    reworded = with_retention(Retention("temporal", "for a maximum of twelve months", iso="P1Y", days=365.0,
                                        bound="upper"))
    assert not diff_policies(base().graph(), reworded.graph()).differs
    triggered = with_retention(Retention("temporal", "for 1 year after your last login", iso="P1Y", days=365.0,
                                         bound="upper", trigger="LastActivity"))
    [changed] = diff_policies(base().graph(), triggered.graph()).of("changed")
    assert [(a.old, a.new) for a in changed.attributes] == [(("up to P1Y",), ("up to P1Y from last activity",))]


def test_changed_condition():
    new = Policy()
    for sentence, fields in base().items:
        if fields["kind"] == "collect":
            sentence, fields = "If you register, we collect your e-mail address.", {**fields,
                                                                                     "condition": "If you register"}
        new.say(sentence, **fields)
    [changed] = diff_policies(base().graph(), new.graph()).of("changed")
    assert [(a.attribute, a.old, a.new) for a in changed.attributes] == [("condition", (), ("If you register",))]


def test_only_provenance_differs():
    """Other document (hash, IRIs), other file name, other offsets, rules and sentence wording, and a practice
    stated twice: no differences."""
    other = Policy(name="acme-copy.html", preamble="A much longer preamble that shifts every offset. " * 3,
                   rule_suffix=".other")
    for sentence, fields in base().items:
        other.say(sentence.replace("We", "Acme"), **fields)
    other.say("Again: we collect e-mail addresses.", "collect", data=(str(DC.EmailAddress),))
    old, new = base().graph(), other.graph()
    assert set(old.subjects(RDF.type, PPKG.Statement)).isdisjoint(new.subjects(RDF.type, PPKG.Statement))
    d = diff_policies(old, new)
    assert not d.differs, render_diff(d)


def test_key_is_the_whole_set_of_categories():
    new = Policy()
    for sentence, fields in base().items:
        if fields["kind"] == "collect":
            fields = {**fields, "data": (str(DC.EmailAddress), str(DC.Name))}
        new.say(sentence, **fields)
    d = diff_policies(base().graph(), new.graph())
    assert entries(d, "removed") == [("collect", "collect: email address")]
    assert entries(d, "added") == [("collect", "collect: email address, name")]


def test_other_statements_rights_and_facts():
    old = base()
    old.emails, old.dpo = ["privacy@acme.example"], None
    old.say("You may access your data.", "right", values=(str(RIGHT.Access),))
    old.say("We do not knowingly collect data from children under 13.", "audience", values=(str(AUD.Children),),
            numbers=(13,))
    old.say("We honour Do Not Track signals.", "dnt", values=(str(PPKG.DntHonoured),))
    new = Policy(date="2024-06-30")
    new.emails, new.dpo = ["dpo@acme.example"], "Jane Roe"
    for sentence, fields in base().items:
        new.say(sentence, **fields)
    new.say("You may access your data.", "right", values=(str(RIGHT.Access),))
    new.say("You may ask us to delete your data.", "right", values=(str(RIGHT.Erasure),))
    new.say("We do not knowingly collect data from children under 16.", "audience", values=(str(AUD.Children),),
            numbers=(16,))
    new.say("We do not respond to Do Not Track signals.", "dnt", values=(str(PPKG.DntNotHonoured),))
    d = diff_policies(old.graph(), new.graph())
    facts = {f.fact: (f.old, f.new) for f in d.facts}
    assert facts == {
        "date": (("2023-01-01",), ("2024-06-30",)),
        "contact e-mail": (("privacy@acme.example",), ("dpo@acme.example",)),
        "privacy contact": ((), ("Data Protection Officer (Jane Roe) [DPO]",)),
        "children's age threshold": (("13",), ("16",)),
        "Do Not Track": (("honoured",), ("not honoured",)),
    }
    assert [f.fact for f in d.facts] == ["date", "contact e-mail", "privacy contact", "children's age threshold",
                                         "Do Not Track"]
    assert entries(d, "added") == [("right", "right: right to erasure"), ("dnt", "dnt: not honoured")]
    assert entries(d, "removed") == [("dnt", "dnt: honoured")]
    [age] = d.of("changed")
    assert age.label == "audience: children" and [(a.attribute, a.old, a.new) for a in age.attributes] == [
        ("age threshold", ("13",), ("16",))]


def test_json_and_markdown_carry_the_same_entries():
    new = base(date="2024-01-01").say("We share your e-mail address with advertisers.", "share",
                                      data=(str(DC.EmailAddress),), recipients=(ADVERTISERS,))
    d = diff_policies(base().graph(), new.graph())
    data = json.loads(render_diff(d, "json"))
    assert data["summary"] == {"added": 1, "removed": 0, "changed": 0, "facts": 1}
    [added] = data["practices"]["added"]
    assert added["label"] == "share: email address; recipient: advertiser"
    assert added["new_evidence"][0]["text"] == "We share your e-mail address with advertisers."
    assert data["old"]["date"] == "2023-01-01" and data["new"]["date"] == "2024-01-01"
    md = render_diff(d, "markdown")
    assert "## Added practices (1)" in md and "- **share: email address; recipient: advertiser**" in md
    text = render_diff(d)
    assert "  + share: email address; recipient: advertiser" in text and "~ date: 2023-01-01 -> 2024-01-01" in text


def _rebuilt_by(graph: Graph, software: str | None = None, rules: str | None = None) -> Graph:
    """``graph`` as another release (``software``) or rule set (``rules``) would have written its build activity;
    with neither, as a release before builds were recorded (no prov:wasGeneratedBy at all)."""
    for policy, activity in list(graph.subject_objects(PROV.wasGeneratedBy)):
        if software is None and rules is None:
            graph.remove((policy, PROV.wasGeneratedBy, activity))
            graph.remove((activity, None, None))
        for prop, value in ((PPKG.softwareVersion, software), (PPKG.ruleSetVersion, rules)):
            if value is not None:
                graph.set((activity, prop, Literal(value)))
    return graph


def test_diff_says_what_built_each_side():
    """Each side of a diff names the release and rule set that built it; when they differ, or one is unknown, the
    header says plainly that a difference may come from the tool."""
    built = f"privacy-kg {__version__}, {rules_version()}"
    same = diff_policies(base().graph(), base(date="2024-01-01").graph())
    assert same.old.built_by == same.new.built_by == built and same.same_build is True and same.build_note is None
    assert render_diff(same).splitlines()[2] == f"built by: {built} (both sides)"
    assert "note:" not in render_diff(same) and f"**built by:** {built} (both sides)" in render_diff(same, "markdown")
    data = json.loads(render_diff(same, "json"))
    assert data["old"]["built_by"] == built and data["same_build"] is True and data["build_note"] is None
    assert data["new"]["build"] == {"software": f"privacy-kg {__version__}", "rules": rules_version(),
                                    "ontology": str(ONTOLOGY_VERSION)}

    rules = diff_policies(_rebuilt_by(base().graph(), rules="rules-000000000000"), base(date="2024-01-01").graph())
    assert rules.same_build is False and rules.old.built_by == f"privacy-kg {__version__}, rules-000000000000"
    lines = render_diff(rules).splitlines()
    assert lines[2] == f"built by: old privacy-kg {__version__}, rules-000000000000; new {built}"
    assert lines[3].startswith("note: the two sides were built by different rule sets: a difference may come "
                               "from the tool, not from the policy")
    assert "different rule sets" in json.loads(render_diff(rules, "json"))["build_note"]
    assert "> **Note:** the two sides were built by different rule sets" in render_diff(rules, "markdown")
    assert not rules.practices  # the note is about the builds; the practices compared are the same

    both = diff_policies(_rebuilt_by(base().graph(), software="privacy-kg 0.0.1", rules="rules-000000000000"),
                         base().graph())
    assert "different privacy-kg releases and rule sets" in (both.build_note or "")

    older = diff_policies(_rebuilt_by(base().graph()), base(date="2024-01-01").graph())
    assert older.old.built_by is None and older.old.build is None and older.same_build is None
    lines = render_diff(older).splitlines()
    assert lines[2] == f"built by: old unknown; new {built}"
    assert lines[3].startswith("note: what built the old side is unknown")
    assert json.loads(render_diff(older, "json"))["old"]["built_by"] is None


def test_a_graph_of_several_policies_needs_the_iri():
    a, b = base().record(), base(name="beta.txt", date="2024-01-01").record()
    both = build_graph([a, b])
    with pytest.raises(BadGraph):
        read_policy(both)
    view = read_policy(both, f"https://w3id.org/privacy-kg/id/policy/{a.document.doc_id}")
    assert view.source == "acme.txt" and len(view.statements) == 3
    assert not diff_policies(both, both, view.iri, view.iri).differs


def test_list_versions_orders_by_date_and_flags_same_dates():
    records = [base(date="2024-05-01").record(), base(name="acme-2022.txt", date="2022-01-01").record(),
               base(name="acme-cookies.txt", date="2024-05-01").record(),
               base(name="beta.txt", company="Beta LLC", date=None).record(),
               base(name="anon.txt", company=None).record()]
    controllers = versions_of(build_graph(records))
    assert [c.name for c in controllers] == ["Acme Inc.", "Beta LLC", "(no controller found) anon.txt"]
    acme = controllers[0]
    assert [(v.source, v.date) for v in acme.versions] == [
        ("acme-2022.txt", "2022-01-01"), ("acme-cookies.txt", "2024-05-01"), ("acme.txt", "2024-05-01")]
    assert acme.same_date == ["2024-05-01"]
    assert all(v.statements == 3 for v in acme.versions)
    text = render_versions(controllers)
    assert "Acme Inc. (kgid:org/acme-inc): 3 versions" in text and text.count("(same date)") == 2
    assert json.loads(render_versions(controllers, "json"))[0]["same_date"] == ["2024-05-01"]

    assert controller_named(controllers, "acme inc.") is acme
    assert controller_named(controllers, "https://w3id.org/privacy-kg/id/org/acme-inc") is acme
    assert controller_named(controllers, "Beta").name == "Beta LLC"
    with pytest.raises(KgError, match="no such controller"):
        controller_named(controllers, "Gamma")
    every = [v for c in controllers for v in c.versions]
    assert find_version(every, "acme.txt").date == "2024-05-01"
    assert find_version(every, "acme-2022.txt@2022-01-01").source == "acme-2022.txt"
    assert find_version(every, "kgid:policy/" + records[0].document.doc_id).source == "acme.txt"
    with pytest.raises(KgError, match="no such stored policy"):
        find_version(every, "acme.txt@1999-01-01")


def test_find_version_refuses_an_ambiguous_source_name():
    a1 = base(date="2023-01-01").record()
    a2 = base(date="2024-01-01").say("We collect your name.", "collect", data=(str(DC.Name),)).record()
    every = [v for c in versions_of(build_graph([a1, a2])) for v in c.versions]
    with pytest.raises(KgError, match="names 2 stored policies"):
        find_version(every, "acme.txt")
    assert find_version(every, "acme.txt@2024-01-01").statements == 4


# -- the store's add decision ---------------------------------------------------------------------------------
def _row(record: PolicyRecord) -> PolicyHeader:
    return PolicyHeader(record.document.doc_id, record.document.name, record.document.sha256, record.date)


@pytest.mark.parametrize("stored_date, new_date, outcome", [
    ("2023-01-01", "2024-01-01", "versioned"),  # both dated, dates differ: another version
    ("2023-01-01", "2023-01-01", "replaced"),  # same date: an edit of that version
    (None, "2024-01-01", "replaced"),  # an unknown date cannot be told apart
    ("2023-01-01", None, "replaced"),
    (None, None, "replaced"),
])
def test_plan_add_same_name(stored_date, new_date, outcome):
    stored = base(date=stored_date).record()
    new = base(date=new_date).say("We collect your name.", "collect", data=(str(DC.Name),)).record()
    result, drop = _plan_add([_row(stored)], _row(new))
    assert result == outcome
    assert drop == ([] if outcome == "versioned" else [stored.document.doc_id])


def test_plan_add_other_cases():
    a23, a24 = base(date="2023-01-01").record(), base(date="2024-01-01").say(
        "We collect your name.", "collect", data=(str(DC.Name),)).record()
    assert _plan_add([_row(a23)], _row(a23)) == ("unchanged", [])
    assert _plan_add([], _row(a23)) == ("added", [])
    other_name = base(name="acme-2023.txt", date="2023-01-01").say("Other text.", "change").record()
    assert _plan_add([_row(a23)], _row(other_name)) == ("added", [])  # same controller, same date, other file: kept
    a24_edit = base(date="2024-01-01").say("We collect your phone number.", "collect",
                                           data=(str(DC.PhoneNumber),)).record()
    # two stored versions: an edit of the 2024 one replaces only it; an undated file replaces both
    assert _plan_add([_row(a23), _row(a24)], _row(a24_edit)) == ("replaced", [a24.document.doc_id])
    undated = base(date=None).say("Undated.", "change").record()
    assert _plan_add([_row(a23), _row(a24)], _row(undated)) == ("replaced", [a23.document.doc_id, a24.document.doc_id])


def test_store_listing_and_graphs_equal_the_records(tmp_path):
    from kg.store import Store

    v23 = base(date="2023-01-01").record()
    v24 = base(date="2024-01-01").say("We collect your name.", "collect", data=(str(DC.Name),)).record()
    beta = base(name="beta.txt", company="Beta LLC").record()
    with Store(tmp_path / "db") as store:
        assert [store.add(policy_header(r), unique_triples(r)) for r in (v23, v24, beta)] == [
            "added", "versioned", "added"]
        listed = list_versions(store.query(VERSIONS_QUERY))  # SPARQL inside Oxigraph
        assert listed == versions_of(build_graph([v23, v24, beta]))  # the same query through rdflib
        [acme] = [c for c in listed if c.name == "Acme Inc."]
        assert [(v.source, v.date, v.statements) for v in acme.versions] == [
            ("acme.txt", "2023-01-01", 3), ("acme.txt", "2024-01-01", 4)]
        old, new = (store.graph(v.iri) for v in acme.versions)
    assert set(old) == set(policy_graph(v23)) and set(new) == set(policy_graph(v24))
    d = diff_policies(old, new)
    assert entries(d, "added") == [("collect", "collect: name")] and not d.of("removed") and not d.of("changed")
