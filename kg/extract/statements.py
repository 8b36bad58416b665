"""Sentence-level extraction: practices with polarity, conditions and scope, and the other statement kinds.

For each sentence the spaCy parse gives three kinds of hits:

- concept mentions (``kg.extract.lexicon``): data categories, purposes, recipient kinds, organisations, rights,
  legal bases, security measures, choices, audiences;
- practice triggers (``rules/triggers.jsonl``): the verb or noun of collect/use/share/sell/retain/transfer;
- cues (``rules/cues.jsonl``) and the section's heading words (``rules/sections.jsonl``) that license the other
  statement kinds.

A mention belongs to the trigger that governs it in the dependency tree (its nearest trigger ancestor, else the
nearest trigger in the sentence); coordinated triggers ("collect and store", "sell, rent or lease") share their
mentions and their negation. Negation is read from the parse ("not"/"never" on the verb or its coordination
head, "no" on its subject or object). Items of a list inherit the practice of the sentence that introduces the
list ("... may collect the following personal data:").
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Token

from kg.extract import rules
from kg.extract.lexicon import SCHEMES, ConceptMatcher, Lexicon, Mention
from kg.extract.lexicon import expand as _expand
from kg.extract.patterns import PatternMatcher, TokenTable
from kg.model import PRACTICE_KINDS, Evidence, RecipientMention, Segmented, Sentence, Statement
from kg.normalize.countries import country_code
from kg.normalize.durations import find_retention_phrases
from kg.vocab import PPKG

# Nouns that stand for "the personal information" when no category is named ("we will not share this information").
GENERIC_DATA = {"information", "data", "datum", "detail", "record", "pii"}
# Subjects that mean the user, not the company, is acting ("if you use our service").
# Subjects that make a sentence about the policy itself ("This policy describes how we collect ...").
META_SUBJECTS = {"policy", "statement", "notice", "document", "section", "agreement"}
USER_SUBJECTS = {"you", "user", "visitor", "customer", "member", "subscriber", "parent", "guardian", "child"}
RIGHT_HOLDERS = USER_SUBJECTS | {"resident", "consumer", "individual", "person", "subject", "anyone", "everyone"}
ANAPHORIC_NOUNS = {"company", "service", "provider", "vendor", "partner", "network", "party", "tool",
                   "technology", "advertiser", "site", "website", "platform", "server"}
RETAIN_VERBS = {"retain", "archive"}  # retention statements even without a stated period (if about data)
# Contacting the company is a choice only when it is how to act on one ("e-mail us to unsubscribe").
CHOICE_ACTIONS = {"opt", "unsubscribe", "remove", "delete", "stop", "withdraw", "cancel", "deactivate", "disable",
                  "object", "refuse", "decline", "restrict", "limit", "exclude", "revoke"}
COMPANY_RESERVATION = re.compile(r"\b(we|company|it)\s+(also\s+)?reserves?\s+the\s+right\b", re.I)
# "unauthorized attempts to upload or change information": an attack described, not a right of the user
UNAUTHORIZED = re.compile(r"\bunauthori[sz]ed\b", re.I)
SECOND_PERSON = re.compile(r"\b(you|your|users?|visitors?|customers?|members?)\b", re.I)
MERGER_VERBS = {"transfer", "sell", "assign", "acquire", "convey"}
PURPOSE_SIDE = {"share": 2, "sell": 2, "transfer": 2, "retain": 1}
DISCLOSURE_KINDS = {"share", "sell", "transfer"}
KIND_RANK = {"transfer": 3, "sell": 2, "share": 2}
DELETION_VERBS = {"delete", "erase", "destroy", "purge", "anonymize", "anonymise", "remove"}
CONDITION_MARKERS = {"unless", "except", "if", "when", "whenever", "where", "provided", "without", "only", "upon"}
NEGATORS = {"not", "n't", "never", "neither", "nor"}
DNT_VERBS = {"respond", "honor", "honour", "recognize", "recognise", "support", "respect", "react", "comply",
             "process", "alter", "change", "obey", "acknowledge", "follow", "act", "treat", "accommodate", "interpret"}
DNT_NEGATIVE_HEADS = {"unable", "incapable"}  # "we are unable to respond to DNT signals"
NOTIFICATION = (("email", re.compile(r"\be-?mail", re.I)),
                ("website", re.compile(r"\b(post|posting|posted|this page|our (web)?site|website|homepage)\b", re.I)),
                ("in-service notice", re.compile(r"\b(in-app|within the (service|app|application)|"
                                                 r"prominent notice|notification)\b", re.I)))
# Transfer safeguards by the name recorded in the graph (rules/safeguards.jsonl; a consent derogation is none).
SAFEGUARDS = tuple((r["name"], re.compile(r["regex"], re.I)) for r in rules.load("safeguards"))
AGE = re.compile(r"\b(?:under|below|younger than)\s+(?:the\s+age\s+of\s+)?(\d{1,2})\b"
                 r"|\b(\d{1,2})\s+years?\s+(?:of\s+age|old)\b|\bage\s+of\s+(\d{1,2})\b", re.I)
AGE_WORDS = re.compile(r"\b(child|children|minor|minors|kid|kids|teen|teens|age|persons|individuals|anyone)\b",
                       re.I)


@dataclass
class _Trigger:
    token: Token
    kind: str
    rule: str
    mentions: list[Mention] = field(default_factory=list)
    condition: tuple[int, int] | None = None  # token range of its condition clause (``_condition_span``)


class SentenceExtractor:
    """Compiled rules and vocabulary for one spaCy pipeline; call :meth:`extract` per document."""

    def __init__(self, nlp: Language, lexicon: Lexicon):
        self.lexicon = lexicon
        self.concepts = ConceptMatcher(nlp, lexicon, rules.load("data"))
        self.triggers, self.trigger_rules = _matcher(nlp, rules.load("triggers"), anchored=True)
        self.cues, self.cue_rules = _matcher(nlp, rules.load("cues"), anchored=False)
        self.purpose_patterns, self.purpose_rules = _matcher(nlp, rules.load("purposes"), anchored=False)
        self.sections = rules.load("sections")
        self._kinds_of_heading: dict[str, frozenset[str]] = {}  # per document: heading -> section kinds
        self.children = next((c for label, c in lexicon.labels.get("audience", ()) if label == "children"), None)
        self.acquirer = _concept(lexicon, "recipient", "Acquirer")
        self.merger = _concept(lexicon, "purpose", "MergerAcquisition")
        self.dont_use = _concept(lexicon, "choice", "DontUseService")
        self.contact_company = _concept(lexicon, "choice", "ContactCompany")

    # -- per document -------------------------------------------------------------------------------------------
    def extract(self, seg: Segmented, docs: Iterable[Doc]) -> list[Statement]:
        """Statements of a document; ``docs`` are the parsed texts of ``body_sentences(seg)``, in order."""
        out: list[Statement] = []
        self._kinds_of_heading.clear()
        list_head: tuple[tuple[str, bool, str], ...] = ()  # (kind, negated, rule) of a sentence ending in ":"
        antecedents: tuple[RecipientMention, ...] = ()  # parties named in the previous sentence ("These companies")
        for sentence, doc in zip(body_sentences(seg), docs):
            found, antecedents = self.sentence(seg, sentence, doc, list_head if sentence.block_kind == "item" else (),
                                               antecedents)
            out.extend(found)
            if sentence.block_kind != "item":
                list_head = tuple((s.kind, s.negated, s.evidence.rule) for s in found) \
                    if sentence.text.rstrip().endswith(":") else ()
                if sentence.text.rstrip().endswith(":") and not list_head:
                    list_head = self._cue_only_head(sentence, doc)
        return out

    def _cue_only_head(self, sentence: Sentence, doc: Doc) -> tuple[tuple[str, bool, str], ...]:
        """A list introduction without a fact of its own ("You have the following rights:")."""
        kinds = {self.cue_rules[m][0] for m, _, _ in self.cues(doc) if not self.cue_rules[m][2]} | \
            self._section_kinds(sentence)
        return tuple((k, False, f"{k}.list.v1") for k in sorted(kinds & {"right", "security", "choice"}))

    # -- per sentence --------------------------------------------------------------------------------------------
    def sentence(self, seg: Segmented, sentence: Sentence, doc: Doc,
                 inherited: tuple[tuple[str, bool, str], ...] = (),
                 antecedents: tuple[RecipientMention, ...] = ()) -> tuple[list[Statement], tuple[RecipientMention, ...]]:
        """Statements of one sentence, and the parties it names (antecedents for "they" in the next one)."""
        table = TokenTable(doc)  # the token attributes the rule matchers read, read once
        mentions = [m for m in self.concepts(doc, table)
                    if m.scheme in ("org", "recipient") or not _inside_name(doc, m)]
        for match_id, start, end in self.purpose_patterns(doc, table):  # purposes written as verb + object
            mentions.extend(Mention("purpose", concept, start, end) for concept in self.purpose_rules[match_id][2])
        by_scheme: dict[str, list[Mention]] = {}
        for m in mentions:
            by_scheme.setdefault(m.scheme, []).append(m)
        cue_kinds: dict[str, str] = {}
        valued: list[tuple[str, str, tuple[str, ...]]] = []  # cues that state their value ("update your profile")
        for match_id, _, _ in self.cues(doc, table):
            kind, rule, values = self.cue_rules[match_id]
            if values:
                valued.append((kind, rule, values))
            else:
                cue_kinds.setdefault(kind, rule)
        section_kinds = self._section_kinds(sentence)
        statements: list[Statement] = []

        triggers = self._triggers(doc, sentence.text, table)
        statements += self._practices(seg, sentence, doc, triggers, mentions, antecedents)
        specific_data = [m for m in by_scheme.get("data", ()) if m.concept != self.lexicon.roots.get("data")]
        if not statements:
            for kind, negated, rule in inherited:
                if kind in PRACTICE_KINDS and by_scheme.get("data"):
                    statements += self._practice_from_list(seg, sentence, doc, kind, negated, rule, by_scheme)
            if "collect" in section_kinds and specific_data and not inherited and "right" not in cue_kinds \
                    and not any(kind == "right" for kind, _, _ in valued):  # "you can update your profile"
                statements += self._practice_from_list(seg, sentence, doc, "collect", False,
                                                       "collect.section.v1", by_scheme)
        inherited_kinds = {k for k, _, _ in inherited}
        for kind, scheme in (("right", "right"), ("legal_basis", "legal_basis"), ("security", "security"),
                             ("choice", "choice")):
            values = _unique(m.concept for m in by_scheme.get(scheme, ()))
            if not values:
                continue
            rule = cue_kinds.get(kind) or (f"{kind}.section.v1" if kind in section_kinds else None) \
                or (f"{kind}.list.v1" if kind in inherited_kinds else None)
            if not rule and kind == "security" and any(v != self.lexicon.roots.get("security") for v in values):
                rule = "security.mention.v1"  # a specific measure ("access is limited to employees who need it")
            if not rule and kind == "choice" and self.dont_use in values:
                rule = "choice.mention.v1"  # "if you do not agree with this policy, please do not use the site"
            if rule and kind == "choice" and not SECOND_PERSON.search(sentence.text):
                continue  # a choice is offered to the reader; "X is a member of the NAI" offers none
            if kind == "choice" and self.contact_company in values and \
                    not any(t.lemma_.lower() in CHOICE_ACTIONS for t in doc):
                values = tuple(v for v in values if v != self.contact_company)  # "contact us with questions"
                if not values:
                    continue
            if rule and kind == "right" and (COMPANY_RESERVATION.search(sentence.text) or
                                             UNAUTHORIZED.search(sentence.text)):
                continue  # "we reserve the right to access ... your information" is the company's, not yours
            if rule:
                statements.append(self._statement(seg, sentence, doc, kind, rule, values=values,
                                                  negated=_sentence_negated(doc) if kind == "right" else False))
        for kind, rule, values in valued:
            if any(s.kind == kind and set(values) <= set(s.values) for s in statements):
                continue  # the labels said it already ("transmitted to another controller")
            if kind == "right" and UNAUTHORIZED.search(sentence.text):
                continue
            statements.append(self._statement(seg, sentence, doc, kind, rule, values=values,
                                              negated=_sentence_negated(doc)))
        statements += self._audience(seg, sentence, doc, by_scheme, cue_kinds)
        if "dnt" in cue_kinds:
            statements.append(self._statement(seg, sentence, doc, "dnt", "dnt.stance.v1", values=(_dnt(doc),)))
        if "change" in cue_kinds and re.search(r"\b(notify|notice|inform|post|posting|alert|let you know)\b",
                                               sentence.text, re.I):
            methods = tuple(name for name, rx in NOTIFICATION if rx.search(sentence.text))
            statements.append(self._statement(seg, sentence, doc, "change", cue_kinds["change"], texts=methods))
        named = tuple(self._recipient(doc, m) for m in mentions if m.scheme in ("recipient", "org"))
        return _merge(statements), named

    def _section_kinds(self, sentence: Sentence) -> set[str]:
        heading = " ".join(sentence.section[-2:]).lower()
        if heading not in self._kinds_of_heading:  # a section's sentences share their heading
            self._kinds_of_heading[heading] = frozenset(
                r["kind"] for r in self.sections if any(w in heading for w in r["heading"])) if heading else frozenset()
        return set(self._kinds_of_heading[heading])

    def _triggers(self, doc: Doc, text: str, table: TokenTable | None = None) -> list[_Trigger]:
        """The practice triggers of the sentence ``doc`` (parsed from ``text``)."""
        found: dict[int, _Trigger] = {}
        has_country = None
        for match_id, start, end in self.triggers(doc, table):
            kind, rule, anchor = self.trigger_rules[match_id]
            token = doc[start:end][anchor]
            if kind in ("collect", "use", "share") and rule != "collect.provide.v1" and _user_is_subject(token):
                continue
            if (_reduced_relative(token) and token.lemma_ not in MERGER_VERBS) or _subjectless_infinitive(token) \
                    or _users_right(token) \
                    or _about_the_policy(token):
                continue  # ("assets transferred" may still be a merger disclosure: decided with the purposes)
            if rule == "transfer.country.v1":
                if has_country is None:
                    has_country = country_code(text) is not None
                if not has_country:
                    continue
            if token.i in found and KIND_RANK.get(kind, 0) <= KIND_RANK.get(found[token.i].kind, 0):
                continue  # a more specific rule on the same token wins (transfer > share > retain/use/collect)
            found[token.i] = _Trigger(token, kind, rule)
        triggers = sorted(found.values(), key=lambda t: t.token.i)
        for t in triggers:
            t.condition = _condition_span(t.token)
        return [t for t in triggers
                if not any(o.condition and o.condition[0] <= t.token.i < o.condition[1] and o is not t
                           for o in triggers)]

    def _practices(self, seg: Segmented, sentence: Sentence, doc: Doc, triggers: list[_Trigger],
                   mentions: list[Mention], antecedents: tuple[RecipientMention, ...] = ()) -> list[Statement]:
        if not triggers:
            return []
        by_token = {t.token.i: t for t in triggers}
        for m in mentions:
            owner = _owner(doc[m.start], by_token) or min(triggers, key=lambda t: abs(t.token.i - m.start))
            owner.mentions.append(m)
        groups = _coordination_groups(triggers)
        phrases_found: list[list] = []  # the sentence's retention phrases, found once and only if asked for

        def retention_phrases() -> list:
            if not phrases_found:
                phrases_found.append(find_retention_phrases(sentence.text))
            return phrases_found[0]

        def side(t: _Trigger) -> int:
            """Rank for purpose ownership; a retention verb ranks only if it will make a retention statement."""
            if t.kind == "retain" and t.token.lemma_ not in RETAIN_VERBS and not retention_phrases():
                return 0
            return PURPOSE_SIDE.get(t.kind, 0)

        sentence_top = max(side(t) for t in triggers)
        out = []
        merger = self.merger is not None and any(m.concept == self.merger for m in mentions)
        for trig in triggers:
            if _reduced_relative(trig.token) and not merger:
                continue
            group = groups[trig.token.i]
            # coordinated triggers share data and recipients; purposes cross from one to another only within the
            # same side ("use or disclose ... if required by law": the legal purpose is the disclosure's)
            # ... and all purposes of the group go to its most specific side: disclosure, then retention, then
            # collection/use ("retain and use ... to comply with legal obligations" is a retention purpose)
            top = max(side(t) for t in group)
            owned = [m for t in group for m in t.mentions if m.scheme != "purpose" or side(trig) == top]
            # purposes and data named anywhere in the sentence apply when the trigger owns none itself
            data = _unique(m.concept for m in owned if m.scheme == "data") or \
                (_unique(m.concept for m in mentions if m.scheme == "data") if len(triggers) == 1 else ())
            if not data and (_generic_object(trig.token) or trig.kind == "retain"):
                # a retention period applies to "the information" even when the sentence names no category
                root = self.lexicon.roots.get("data")
                data = (root,) if root else ()
            # purposes the trigger does not govern apply too, unless a more specific practice in the same sentence
            # may own them ("we use your data and may disclose it to comply with the law": the disclosure's)
            purposes = _unique(m.concept for m in owned if m.scheme == "purpose") or (
                _unique(m.concept for m in mentions if m.scheme == "purpose") if side(trig) == sentence_top else ())
            if trig.kind not in DISCLOSURE_KINDS and self.merger in purposes:
                # a merger is what a disclosure to the acquirer is for, not a purpose of collecting or using data
                purposes = tuple(p for p in purposes if p != self.merger)
            recipients = tuple(self._recipient(doc, m) for m in owned if m.scheme in ("recipient", "org")
                               and _receives(doc[m.start], {t.token.i for t in group}))
            negated = _negated(trig.token)
            kind = trig.kind
            if trig.kind == "retain" and trig.token.lemma_ in DELETION_VERBS:
                negated = False  # "we will not delete X until ..." still states how long X is kept
            kwargs: dict = {}
            if trig.kind == "retain":
                phrases = retention_phrases()
                if not phrases and (trig.token.lemma_ not in RETAIN_VERBS or not _data_object(trig.token, owned)):
                    continue  # "stored on secure servers" says where, not how long; "partners we retained"
                kwargs["retention"] = tuple(sentence.text[s:e] for s, e, _ in phrases)
            elif trig.kind == "transfer":
                kwargs["countries"], kwargs["safeguards"] = _transfer_details(sentence.text)
            if merger and kind in DISCLOSURE_KINDS and not negated:
                # "in a merger, your information may be among the assets transferred/sold": to the acquirer
                kind = "share"
                kwargs = {k: v for k, v in kwargs.items() if k not in ("countries", "safeguards")}
                if not recipients and self.acquirer:
                    recipients = (RecipientMention(kind=self.acquirer),)
            elif trig.kind in ("share", "sell"):
                if not recipients and trig.kind == "share" and not negated:
                    recipients = tuple(self._recipient(doc, m) for m in mentions if m.scheme in ("recipient", "org"))
                if not recipients and trig.rule == "share.provide-to.v1":
                    continue  # "provide you with our services" is not sharing
                if not recipients and trig.rule == "share.transfer.v1":
                    if self.acquirer and self.merger in purposes:
                        recipients = (RecipientMention(kind=self.acquirer),)
                    else:
                        continue  # "transfer" without a receiving party: not a disclosure
            elif trig.kind in ("collect", "use"):
                subject = _subject_tokens(trig.token)
                collectors = tuple(self._recipient(doc, m) for m in mentions
                                   if m.scheme in ("recipient", "org") and m.start in subject)
                if not collectors and antecedents and _anaphoric_subject(trig.token):
                    collectors = antecedents  # "We use Google Analytics. These services collect ..."
                if collectors:  # "Google Analytics collects ...", "advertisers may use cookies ..."
                    kind = "collect"
                    kwargs["third_party_collects"] = True
                    recipients = collectors
                else:
                    recipients = ()
            if not data and merger and kind == "share" and "data" in self.lexicon.roots:
                data = (self.lexicon.roots["data"],)  # "we may buy or sell assets": the customer data goes along
            if not data and kind != "transfer":
                continue
            out.append(self._statement(seg, sentence, doc, kind, trig.rule, negated=negated, data=data,
                                       purposes=purposes, recipients=recipients, anchor=trig.token,
                                       condition=_condition(doc, trig.condition), **kwargs))
        out += self._named_org_sharing(seg, sentence, doc, triggers, mentions)
        return out

    def _named_org_sharing(self, seg: Segmented, sentence: Sentence, doc: Doc, triggers: list[_Trigger],
                           mentions: list[Mention]) -> list[Statement]:
        """ "We use Stripe and PayPal services to process the payments": a named organisation receives data."""
        if any(t.kind in ("share", "sell") for t in triggers):
            return []
        orgs = [m for m in mentions if m.scheme == "org"]
        uses = [t for t in triggers if t.kind == "use" and not _negated(t.token)]
        if not orgs or not uses:
            return []
        data = _unique(m.concept for m in mentions if m.scheme == "data") or \
            ((self.lexicon.roots["data"],) if "data" in self.lexicon.roots else ())
        return [self._statement(seg, sentence, doc, "share", "share.named-org.v1", data=data,
                                purposes=_unique(m.concept for m in mentions if m.scheme == "purpose"),
                                recipients=tuple(self._recipient(doc, m) for m in orgs), anchor=uses[0].token)]

    def _practice_from_list(self, seg, sentence, doc, kind, negated, rule, by_scheme) -> list[Statement]:
        recipients = tuple(self._recipient(doc, m) for s in ("recipient", "org") for m in by_scheme.get(s, ())) \
            if kind in ("share", "sell") else ()
        if kind == "collect" and rule.endswith(".section.v1") and not by_scheme.get("data"):
            return []
        rule = rule if rule.endswith((".list.v1", ".section.v1")) else f"{kind}.list.v1"
        return [self._statement(seg, sentence, doc, kind, rule, negated=negated,
                                data=_unique(m.concept for m in by_scheme.get("data", ())),
                                purposes=_unique(m.concept for m in by_scheme.get("purpose", ())),
                                recipients=recipients)]

    def _audience(self, seg, sentence, doc, by_scheme, cue_kinds) -> list[Statement]:
        values = list(_unique(m.concept for m in by_scheme.get("audience", ())))
        ages = tuple(sorted({int(next(g for g in m.groups() if g)) for m in AGE.finditer(sentence.text)}))
        ages = ages if AGE_WORDS.search(sentence.text) else ()
        if ages and self.children and self.children not in values and \
                re.search(r"\b(child|children|minor|minors|kid|kids)\b", sentence.text, re.I):
            values.append(self.children)
        if not values:
            return []
        rule = cue_kinds.get("audience", "audience.mention.v1") if ages else "audience.mention.v1"
        return [self._statement(seg, sentence, doc, "audience", rule, values=tuple(values), numbers=ages)]

    def _recipient(self, doc: Doc, m: Mention) -> RecipientMention:
        if m.scheme == "org":
            name = self.lexicon.pref.get(m.concept) or doc[m.start:m.end].text
            kind = self.lexicon.org_kind.get(m.concept) or self.lexicon.roots.get("recipient", "")
            return RecipientMention(kind=kind, name=name, org=m.concept)
        return RecipientMention(kind=m.concept)

    def _statement(self, seg: Segmented, sentence: Sentence, doc: Doc, kind: str, rule: str, *,
                   negated: bool = False, anchor: Token | None = None, **values) -> Statement:
        text = seg.document.text[sentence.start:sentence.end]
        matched = ""
        if anchor is not None:
            words = [anchor] + [c for c in anchor.children if c.dep_ in ("aux", "auxpass", "neg")]
            lo, hi = min(w.idx for w in words), max(w.idx + len(w) for w in words)
            matched = sentence.text[lo:hi]  # the text ``doc`` was parsed from
        evidence = Evidence(seg.document.doc_id, sentence.index, sentence.start, sentence.end, text,
                            sentence.section, rule, matched)
        return Statement(kind=kind, negated=negated, evidence=evidence, **values)


def body_sentences(seg: Segmented) -> list[Sentence]:
    """The sentences the extractor parses (headings only give context)."""
    return [s for s in seg.sentences if s.block_kind != "heading"]


def _matcher(nlp: Language, rule_list: tuple[dict, ...], anchored: bool) -> tuple[PatternMatcher, dict]:
    """A matcher over the rules (validated at load; spaCy ``Matcher`` semantics, see ``kg.extract.patterns``)
    and a table match id -> (kind, rule id[, anchor])."""
    matcher = PatternMatcher(nlp.vocab, validate=True)
    table = {}
    for i, rule in enumerate(rule_list):
        key = f"{rule['id']}#{i}"
        matcher.add(key, [rule["pattern"]])
        extra = (rule.get("anchor", 0),) if anchored else (tuple(_expand(v) for v in rule.get("values", ())),)
        table[nlp.vocab.strings[key]] = (rule["kind"], rule["id"]) + extra
    return matcher, table


def _inside_name(doc: Doc, m: Mention) -> bool:
    """A capitalised word that continues a proper name ("CubeSoft Communications"), not a data category."""
    first = doc[m.start]
    prev = doc[m.start - 1] if m.start > 0 else None
    return first.text[:1].isupper() and prev is not None and prev.pos_ == "PROPN" and prev.text[:1].isupper()


def _concept(lexicon: Lexicon, scheme: str, local: str) -> str | None:
    """The IRI of a concept the rules rely on, if the ontology still defines it."""
    iri = f"{SCHEMES[scheme]}{local}"
    return iri if iri in lexicon.pref else None


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _owner(token: Token, triggers: dict[int, _Trigger]) -> _Trigger | None:
    """The nearest trigger at or above ``token`` in the dependency tree."""
    seen = set()
    while token.i not in seen:
        if token.i in triggers:
            return triggers[token.i]
        seen.add(token.i)
        token = token.head
    return None


def _coordination_groups(triggers: list[_Trigger]) -> dict[int, list[_Trigger]]:
    """Triggers joined by coordination ("collect and store") form one group that shares mentions."""
    by_token = {t.token.i: t for t in triggers}
    parent = {i: i for i in by_token}

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for t in triggers:
        head = t.token.head
        if t.token.dep_ in ("conj", "dep") and head.i in by_token:
            parent[find(t.token.i)] = find(head.i)
    groups: dict[int, list[_Trigger]] = {}
    for i in by_token:
        groups.setdefault(find(i), []).append(by_token[i])
    return {i: groups[find(i)] for i in by_token}


def _negated(token: Token) -> bool:
    """Negation on the verb, on its coordination head (when it shares the subject), or "no" on its arguments."""
    seen = set()
    while token.i not in seen:
        seen.add(token.i)
        if any(c.dep_ == "neg" or c.lower_ in NEGATORS for c in token.children):
            return True
        if any(g.dep_ == "neg" for c in token.children if c.dep_ in ("aux", "auxpass") for g in c.children):
            return True  # "will not, except for ..., disclose": the parser hangs "not" on "will"
        for c in token.children:
            if c.dep_ in ("nsubj", "nsubjpass", "dobj") and any(
                    g.dep_ == "det" and g.lower_ == "no" for g in c.children):
                return True
            if c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in ("nothing", "none", "nobody"):
                return True
        if token.dep_ in ("conj", "dep") and not any(c.dep_ in ("nsubj", "nsubjpass") for c in token.children) \
                and not any(c.dep_ == "cc" and c.lower_ in ("but", "yet") for c in token.head.children
                            if token.head.i < c.i < token.i):
            token = token.head
            continue
        if token.dep_ in ("xcomp", "aux") and token.head.pos_ in ("VERB", "AUX"):
            token = token.head  # "we do not intend to sell", "we are not going to share"
            continue
        break
    return False


def _sentence_negated(doc: Doc) -> bool:
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    return root is not None and any(c.dep_ == "neg" for c in root.children) and root.lemma_ in ("have", "provide")


def _user_is_subject(token: Token) -> bool:
    """True when the user does the verb ("if you use our service", "when you share content")."""
    for t in (token, token.head if token.dep_ in ("conj", "xcomp") else token):
        for c in t.children:
            if c.dep_ == "nsubj" and c.lemma_.lower() in USER_SUBJECTS:
                return True
    return False


def _about_the_policy(token: Token) -> bool:
    """The verb or a verb above it has the policy as subject: a description of the notice, not a practice."""
    seen = set()
    while token.i not in seen:
        seen.add(token.i)
        if any(c.dep_ in ("nsubj", "nsubjpass") and c.lemma_.lower() in META_SUBJECTS for c in token.children):
            return True
        token = token.head
    return False


def _reduced_relative(token: Token) -> bool:
    """A participle describing a noun ("payment methods used", "uses not previously disclosed"): not a practice."""
    return token.dep_ == "acl" and token.tag_ == "VBN"


def _users_right(token: Token) -> bool:
    """What a right lets the user do ("the right to obtain a copy", "you are entitled to receive your data and to
    have it transmitted"): the user's act, not a practice of the company."""
    while token.dep_ == "conj" and token.head.i != token.i:
        token = token.head
    head = token.head
    if token.dep_ == "acl" and head.lemma_.lower() in ("right", "entitlement"):
        holder = head.head  # "you have the right to", "we reserve the right to"
    elif token.dep_ == "xcomp" and head.lemma_.lower() in ("entitle", "entitled"):
        holder = head
    else:
        return False
    subjects = [c for c in holder.children if c.dep_ in ("nsubj", "nsubjpass")]
    return holder.lemma_.lower() != "reserve" and (
        not subjects or any(c.lemma_.lower() in RIGHT_HOLDERS for c in subjects))


def _subjectless_infinitive(token: Token) -> bool:
    """A list item of what the user may do ("To obtain the deletion of your data"), not what the company does."""
    if any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in token.children) or token.tag_ != "VB":
        return False
    start = token.sent.start if token.doc.has_annotation("SENT_START") else 0
    prefix = [t for t in token.doc[start:token.i] if not t.is_punct]
    return len(prefix) <= 6 and (not prefix or prefix[0].lower_ in ("to", "in", "obtain", "request")) and \
        token.dep_ in ("ROOT", "xcomp", "conj", "advcl")


def _subject_tokens(token: Token) -> set[int]:
    """Tokens of the verb's subject; a subjectless complement takes its governing verb's ("X uses cookies to
    collect ...": X collects)."""
    seen = set()
    while token.i not in seen:
        seen.add(token.i)
        subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass", "agent")]
        if subjects:
            return {t.i for c in subjects for t in c.subtree}
        if token.dep_ not in ("xcomp", "advcl", "conj") or token.head.pos_ not in ("VERB", "AUX"):
            break
        token = token.head
    return set()


def _receives(token: Token, triggers: set[int]) -> bool:
    """A party mention is a recipient of the trigger only if no other verb, and no "about"/"of", stands between
    them ("disclose ... to protect the safety of other users": the users are protected, not recipients)."""
    while token.i not in triggers:
        head = token.head
        if head.i == token.i:
            return False
        if head.pos_ in ("VERB", "AUX") and head.i not in triggers:
            return False
        if token.dep_ == "pobj" and head.lower_ in ("about", "of", "regarding", "concerning"):
            return False
        token = head
    return True


def _anaphoric_subject(token: Token) -> bool:
    """The subject points back to parties named before: "they", "these companies", "such providers"."""
    for c in token.children:
        if c.dep_ not in ("nsubj", "nsubjpass"):
            continue
        if c.lower_ == "they":
            return True
        if c.lemma_.lower() in ANAPHORIC_NOUNS and any(d.lower_ in ("these", "those", "such", "the") for d in c.children):
            return True
    return False


def _data_object(token: Token, owned: list[Mention]) -> bool:
    """The verb's object is data: a data-category mention it governs, or a generic "information"/"data"."""
    objects = {t.i for c in token.children if c.dep_ in ("dobj", "nsubjpass") for t in c.subtree}
    return any(m.scheme == "data" and m.start in objects for m in owned) or any(
        token.doc[i].lemma_.lower() in GENERIC_DATA for i in objects)


def _generic_object(token: Token) -> bool:
    """The verb acts on "information"/"data"/"it" without naming a category."""
    window = list(token.subtree) + ([c for c in token.head.children] if token.dep_ == "conj" else [])
    return any(t.lemma_.lower() in GENERIC_DATA and t.pos_ in ("NOUN", "PROPN") and t.dep_ != "compound"
               for t in window) or any(
        c.dep_ in ("dobj", "nsubjpass") and c.lower_ in ("it", "them", "this", "these", "such") for c in window)


def _condition(doc: Doc, span: tuple[int, int] | None) -> str | None:
    """The clause that limits a practice ("except as described in this policy", "unless you consent"), from its
    ``_condition_span``."""
    return doc[span[0]:span[1]].text.strip(" ,;.") if span else None


def _condition_span(token: Token) -> tuple[int, int] | None:
    """Token range [start, end) of the condition clause of ``token``, if it has one."""
    for t in token.subtree:
        if t.lower_ not in CONDITION_MARKERS or t.i < token.i - 12:
            continue
        if t.dep_ == "mark":
            span = list(t.head.subtree)
        elif t.dep_ in ("prep", "advmod", "cc") or t.pos_ in ("ADP", "SCONJ"):
            span = list(t.subtree)
            if len(span) == 1:
                span = [x for x in token.doc[t.i:] if x.is_sent_start is not True][:25]
        else:
            continue
        if len(span) >= 2:
            return span[0].i, span[-1].i + 1
    return None


def _dnt(doc: Doc) -> str:
    """Stance on Do Not Track signals: honoured, not honoured, or unclear.

    A response verb ("respond", "honor", "recognize", "act on", ...) outside the phrase "Do Not Track" decides:
    negated anywhere on its path to the root ("we are not set up to respond", "we take no action to respond",
    "unable to respond") means not honoured; plainly asserted means honoured; only mentioned in an indirect
    question ("how we respond") or a question, or no such verb, means unclear.
    """
    dnt_tokens = {t.i for t in doc if t.lower_ in ("track", "dnt")}
    for i in list(dnt_tokens):  # the words of "Do Not Track" / "Do-Not-Track" themselves
        j = i - 1
        while j >= 0 and i - j <= 4 and doc[j].lower_ in ("do", "not", "-"):
            dnt_tokens.add(j)
            j -= 1
    if doc.text.rstrip().endswith("?"):
        return str(PPKG.DntUnclear)
    stances = set()
    for verb in doc:
        if verb.lemma_.lower() not in DNT_VERBS or verb.pos_ != "VERB" or verb.i in dnt_tokens:
            continue
        if any(c.lower_ in ("how", "whether") for c in verb.children) or \
                any(c.lower_ in ("how", "whether") for c in verb.head.children if verb.dep_ in ("xcomp", "conj")):
            continue  # "entitled to know how we respond"
        path = [verb, *verb.ancestors]
        negative = any(t.i not in dnt_tokens and (
            t.lemma_.lower() in DNT_NEGATIVE_HEADS or
            any(c.i not in dnt_tokens and (c.dep_ == "neg" or c.lower_ in NEGATORS) for c in t.children) or
            any(c.dep_ in ("dobj", "nsubj", "nsubjpass") and any(g.lower_ == "no" for g in c.children)
                for c in t.children)) for t in path)
        stances.add(PPKG.DntNotHonoured if negative else PPKG.DntHonoured)
    if PPKG.DntNotHonoured in stances:
        return str(PPKG.DntNotHonoured)
    return str(PPKG.DntHonoured if stances else PPKG.DntUnclear)


def _transfer_details(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Destination countries (ISO 3166 codes) and safeguards named in a transfer sentence."""
    code = country_code(text)
    return ((code,) if code else ()), tuple(name for name, rx in SAFEGUARDS if rx.search(text))


def _merge(statements: list[Statement]) -> list[Statement]:
    """One statement per (kind, polarity, rule) in a sentence, with the union of values."""
    merged: dict[tuple, Statement] = {}
    for s in statements:
        key = (s.kind, s.negated, s.evidence.rule, s.third_party_collects)
        if key not in merged:
            merged[key] = s
            continue
        m = merged[key]
        merged[key] = Statement(
            kind=m.kind, negated=m.negated, evidence=m.evidence,
            data=_unique(m.data + s.data), purposes=_unique(m.purposes + s.purposes),
            recipients=tuple(dict.fromkeys(m.recipients + s.recipients)),
            legal_bases=_unique(m.legal_bases + s.legal_bases), retention=_unique(m.retention + s.retention),
            values=_unique(m.values + s.values), condition=m.condition or s.condition,
            countries=_unique(m.countries + s.countries), safeguards=_unique(m.safeguards + s.safeguards),
            third_party_collects=m.third_party_collects, numbers=tuple(sorted(set(m.numbers + s.numbers))),
            texts=_unique(m.texts + s.texts))
    return list(merged.values())

