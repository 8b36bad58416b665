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

import dataclasses
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from spacy.attrs import TAG
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Token

from kg.extract import rules
from kg.extract.definitions import Terms, find_definitions
from kg.extract.lexicon import SCHEMES, ConceptMatcher, Lexicon, Mention
from kg.extract.lexicon import expand as _expand
from kg.extract.patterns import PatternMatcher, TokenTable
from kg.extract.prefilter import Prefilter
from kg.extract.tables import TableReader, TableState
from kg.model import PRACTICE_KINDS, Evidence, RecipientMention, Segmented, Sentence, Statement
from kg.normalize.countries import country_code, find_countries
from kg.normalize.durations import find_retention_phrases, parse_retention
from kg.segment import is_question
from kg.vocab import PPKG

# Nouns that stand for "the personal information" when no category is named ("we will not share this information").
GENERIC_DATA = {"information", "data", "datum", "detail", "record", "pii"}
# Subjects that mean the user, not the company, is acting ("if you use our service").
# Subjects that make a sentence about the policy itself ("This policy describes how we collect ...").
META_SUBJECTS = {"policy", "statement", "notice", "document", "section", "agreement"}
USER_SUBJECTS = {"you", "user", "visitor", "customer", "member", "subscriber", "parent", "guardian", "child"}
COMPANY_SUBJECTS = {"we", "us", "ourselves", "i"}
# verbs whose object does what their complement says: "we allow our partners to collect" (the partners collect)
PERMISSION_VERBS = {"allow", "permit", "enable", "let", "authorize", "authorise", "help", "employ", "engage", "hire"}
# "we use third-party analytics providers to collect ...": the party used does what the infinitive says, for the
# company (only when the object is a party the sentence names: "we use cookies to collect" is the company's own)
MEANS_VERBS = {"use", "utilize", "utilise", "retain", "contract", "commission", "deploy", "rely"}
MEANS_ONLY = {"employ", "leverage"}  # verbs of using that are a use of data only when data is their object
# "they are obligated not to sell it", "we require our vendors to ...": duties of the party bound
OBLIGING = {"authorized", "permitted", "obligate", "obligated", "oblige", "require", "prohibit", "forbid", "bind",
            "bound", "contract"}
# "they are prohibited from using it": kept from doing it
RESTRAINING = {"prohibit", "restrict", "bar", "forbid", "prevent", "preclude", "ban", "refrain"}
# "if we become aware that ...", "we learn that ...": what follows is supposed, not practised
KNOWING = {"aware", "learn", "discover", "notice", "suspect", "realize", "realise"}
# "if you prefer that we do not share it", "you can direct us not to share it": the reader's wish
WISHING = {"prefer", "wish", "want", "direct", "instruct"}
# "to ensure that your data is not disclosed": an aim of a safeguard, not a denial
AIMING = {"ensure", "prevent", "avoid", "guarantee"}
OTHER_PARTIES = {"provider", "partner", "advertiser", "party", "vendor", "network", "affiliate", "agency", "authority",
                 "enforcement", "government", "court", "aggregator", "processor", "contractor", "third", "company"}
RIGHT_HOLDERS = USER_SUBJECTS | {"resident", "consumer", "individual", "person", "subject", "anyone", "everyone"}
ANAPHORIC_NOUNS = {"company", "service", "provider", "vendor", "partner", "network", "party", "tool",
                   "technology", "feature", "plugin", "plug-in", "widget", "sdk", "integration", "advertiser", "site",
                   "website", "platform", "server", "entity", "organization",
                   "organisation", "business", "firm", "affiliate", "agency", "processor", "contractor", "supplier"}
# "your Agent Name", "partner ID": an attribute of a party named by a party's word, no party
ATTRIBUTE_NOUNS = {"name", "id", "number", "code"}
# a list's lead-in that denies what its items say ("Cookies will not:", "We never:", "We do not:")
DENYING_LEAD_IN = re.compile(r"\b(?:not|never|n't)\s*:\s*$", re.I)
# "we do not share it except in aggregate form": the exception is a disclosure of the data, aggregated
AGGREGATED = {"aggregate", "aggregated", "anonymized", "anonymised", "de-identified", "deidentified"}
BOUNDED = re.compile(r"\b(?:longer|more|in\s+excess\s+of|beyond)\b", re.I)  # "not (for) longer than necessary"
RETAIN_VERBS = {"retain", "archive"}  # retention statements even without a stated period (if about data)
# Contacting the company is a choice only when it is how to act on one ("e-mail us to unsubscribe").
CHOICE_ACTIONS = {"opt", "unsubscribe", "stop", "withdraw", "object", "refuse", "decline", "exclude", "revoke", "cease",
                  "restrict", "limit"}
# ... or where the reader takes themselves off a list ("remove your name from our mailing list"); deleting or updating
# the data itself ("contact us to delete your information") is a right of access, not a choice
LISTS = {"list", "mailing", "mailings", "newsletter", "distribution", "program", "programme", "communication"}
LIST_ACTIONS = {"remove", "delete", "take", "drop"}
COMPANY_RESERVATION = re.compile(r"\b(we|company|it)\s+(also\s+)?reserves?\s+the\s+right\b", re.I)
# "unauthorized attempts to upload or change information": an attack described, not a right of the user
UNAUTHORIZED = re.compile(r"\bunauthori[sz]ed\b", re.I)
READERS_WISH = re.compile(r"\byou\s+(?:would\s+like|'d\s+like|wish|want|desire)\b", re.I)
SECOND_PERSON = re.compile(r"\b(you|your|yourself|users?|visitors?|customers?|members?)\b", re.I)
MERGER_VERBS = {"transfer", "sell", "assign", "acquire", "convey"}
PURPOSE_SIDE = {"share": 2, "sell": 2, "transfer": 2, "retain": 1}
DISCLOSURE_KINDS = {"share", "sell", "transfer"}
KIND_RANK = {"transfer": 3, "sell": 2, "share": 2}
# rules ranked apart from their kind: "sending a notice to your e-mail address" uses the address (over any other
# rule on the same word); an example, or a named organisation after "send ... to", gives way to the other sharing
# rules on the same word (their provenance stays)
RULE_RANK = {"use.contact-you.v2": 4, "share.provide-example.v1": 1, "share.provide-to-org.v1": 1}
# "For example, we may provide your age and gender": an example of the disclosure just stated, to its recipients
EXAMPLE_PROVIDE = "share.provide-example.v1"
ELABORATION = re.compile(r"^\W*(?:for\s+(?:example|instance)|in\s+particular|specifically|e\.\s?g\.|"
                         r"to\s+illustrate|as\s+an\s+example)\b", re.I)


def _rank(kind: str, rule: str) -> int:
    return RULE_RANK.get(rule, KIND_RANK.get(kind, 0))
DELETION_VERBS = {"delete", "erase", "destroy", "purge", "anonymize", "anonymise", "remove"}
CONDITION_MARKERS = {"unless", "except", "if", "when", "whenever", "where", "provided", "without", "only", "upon"}
NEGATORS = {"not", "n't", "never", "neither", "nor"}
DNT_VERBS = {"respond", "honor", "honour", "recognize", "recognise", "support", "respect", "react", "comply",
             "process", "alter", "change", "obey", "acknowledge", "follow", "act", "treat", "accommodate", "interpret"}
SIGNALS = re.compile(r"\b(?:these|such|those|this|that|the|any)\s+(?:browser\s+)?(?:signals?|requests?|headers?)\b",
                     re.I)  # Do Not Track referred back to
DNT_NEGATIVE_HEADS = {"unable", "incapable"}  # "we are unable to respond to DNT signals"
NOTIFYING = re.compile(r"\b(notify|notice|inform|post|posting|alert|let you know)\b", re.I)
# "we may change this policy from time to time", "this policy may be amended", "we reserve the right to modify it"
DESCRIBING = {"describe", "explain", "outline", "tell", "detail", "summarize", "summarise", "cover"}
CHANGE_LEMMAS = {"change", "update", "modify", "revise", "amend", "alter", "amendment", "revision", "modification"}
POLICY_WORDS = {"policy", "statement", "notice", "it", "term", "practice", "provision", "portion", "part"}
WILL_CHANGE = re.compile(r"\b(from\s+time\s+to\s+time|periodically|at\s+any\s+time|occasionally|in\s+the\s+future)\b",
                         re.I)
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


@dataclass
class _Context:
    """What the earlier sentences of a document tell a later one."""

    terms: Terms  # the document's defined terms ("Personal Information means ...")
    sentences: list[Sentence] = field(default_factory=list)  # the body sentences (Terms.where indexes them)
    # statements of the sentences that introduce the open lists ("We collect:"), by the level of the list they open
    heads: dict[int, tuple[Statement, ...]] = field(default_factory=dict)
    previous: tuple[Statement, ...] = ()  # practices of the latest sentence that stated any
    previous_at: tuple[int, tuple[str, ...]] = (-9, ())  # that sentence's index and section
    antecedents: tuple[RecipientMention, ...] = ()  # parties named in the previous sentence ("These companies")
    # practices of this sentence that name no personal data ("we log non-PII"): not stated, but what a following
    # "This information includes your IP address" expands
    latent: list[Statement] = field(default_factory=list)
    lead_in: bool = False  # the sentence before introduced a list ("We collect:") or was an item of it
    table: TableState = field(default_factory=TableState)  # the table being read: its header row
    # list levels whose lead-in ends in a denial ("Cookies will not:", "We never:"): its items are denials
    denying: set[int] = field(default_factory=set)

    def advance(self, sentence: Sentence, found: list[Statement], head: tuple[Statement, ...],
                named: tuple[RecipientMention, ...], unmarked_item: bool = False, opens_list: bool = False) -> None:
        """Move past ``sentence``; ``opens_list``: it introduces a list though it does not end in ":" (its first
        item follows the colon: "Examples of what we collect: Attributes such as ...")."""
        level = sentence.level if sentence.block_kind == "item" else 0
        if not unmarked_item:  # this sentence closes deeper lists
            self.heads = {k: v for k, v in self.heads.items() if k < level}
            self.denying = {k for k in self.denying if k < level}
        ends = sentence.text.rstrip().endswith(":")
        if ends or opens_list:
            self.heads[level] = head
            if ends and DENYING_LEAD_IN.search(sentence.text):
                self.denying.add(level)
        self.lead_in = unmarked_item or (sentence.block_kind != "item" and (ends or opens_list))
        practices = tuple(s for s in found if s.kind in PRACTICE_KINDS) or tuple(self.latent)
        self.latent = []
        if practices:
            self.previous, self.previous_at = practices, (sentence.index, sentence.section)
        self.antecedents = named

    def head(self, sentence: Sentence, fragment: bool = False) -> tuple[Statement, ...]:
        """What a list item inherits: the statements of the nearest lead-in above it. A fragment right after a
        lead-in ("We may collect:" / "Device locations, such as GPS or Wi-Fi signals.") is an item whose marker
        was lost."""
        if sentence.block_kind != "item":
            return self.heads.get(0, ()) if fragment and self.lead_in and sentence.block_kind == "paragraph" else ()
        above = [k for k in self.heads if k < sentence.level]
        return self.heads[max(above)] if above else ()

    def denied(self, sentence: Sentence, fragment: bool = False) -> bool:
        """An item of a list whose lead-in denies ("Cookies will not:" / "Collect any information about visitors")."""
        if sentence.block_kind != "item":
            return fragment and self.lead_in and sentence.block_kind == "paragraph" and 0 in self.denying
        above = [k for k in self.heads if k < sentence.level]
        return bool(above) and max(above) in self.denying

    def referent(self, sentence: Sentence, back: int = 2) -> tuple[Statement, ...]:
        """The practices "this information" in ``sentence`` refers back to: the latest ones of its section, at
        most ``back`` sentences back."""
        index, section = self.previous_at
        return self.previous if section == sentence.section and sentence.index - index <= back else ()


class SentenceExtractor:
    """Compiled rules and vocabulary for one spaCy pipeline; call :meth:`extract` per document."""

    def __init__(self, nlp: Language, lexicon: Lexicon):
        self.nlp = nlp
        self.lexicon = lexicon
        self.concepts = ConceptMatcher(nlp, lexicon, rules.load("data") + rules.load("concepts"))
        self.triggers, self.trigger_rules = _matcher(nlp, rules.load("triggers"), anchored=True)
        self.cues, self.cue_rules = _matcher(nlp, rules.load("cues"), anchored=False)
        self.purpose_patterns, self.purpose_rules = _matcher(nlp, rules.load("purposes"), anchored=False)
        self.tables = TableReader(lexicon, self.concepts, self.purpose_patterns, self.purpose_rules)
        # which sentences can hold a statement (``read``): the words every matcher's hits need
        self.prefilter = Prefilter(nlp, self.concepts.phrases,
                                   [r["pattern"] for name in ("triggers", "cues", "purposes") for r in rules.load(name)]
                                   + self.concepts.mention_patterns)
        self.counts: Counter[str] = Counter()  # sentences parsed, skipped, parsed late (``read``)
        self.sections = rules.load("sections")
        self._kinds_of_heading: dict[str, frozenset[str]] = {}  # per document: heading -> section kinds
        self._dnt_at: tuple[int, tuple[str, ...]] = (-9, ())
        self.children = next((c for label, c in lexicon.labels.get("audience", ()) if label == "children"), None)
        self.acquirer = _concept(lexicon, "recipient", "Acquirer")
        self.merger = _concept(lexicon, "purpose", "MergerAcquisition")
        self.dont_use = _concept(lexicon, "choice", "DontUseService")
        self.contact_company = _concept(lexicon, "choice", "ContactCompany")
        self.user_content = _concept(lexicon, "data", "UserContent")
        self.legal_compliance = _concept(lexicon, "purpose", "LegalCompliance")
        browser = _concept(lexicon, "choice", "BrowserControls")
        self.browser_controls = {c for c in lexicon.pref if c == browser or browser in lexicon.ancestors(c)}
        # measures that alone describe how data is prepared for a use ("we may anonymize it and share it with
        # researchers"), not a safeguard: a security statement only where a cue or the section says so
        self.data_handling = {c for c in (_concept(lexicon, "security", n) for n in
                                          ("Anonymisation", "Pseudonymisation", "DataMinimisation")) if c}

    # -- per document -------------------------------------------------------------------------------------------
    def extract(self, seg: Segmented, docs: Iterable[Doc]) -> list[Statement]:
        """Statements of a document; ``docs`` are the parsed texts of ``body_sentences(seg)``, in order.

        The document is read as a whole: its defined terms first (``kg.extract.definitions``, tokenizer only), then
        sentence by sentence, each with what the sentences before it set up (a list's lead-in, the practice "this
        information" refers to, the parties "they" refers to)."""
        sentences = body_sentences(seg)
        parsed = iter(docs)
        return self._read(seg, sentences, self._terms(sentences), lambda sentence: next(parsed))

    def read(self, seg: Segmented, parse: Callable[[Iterator[Doc]], Iterator[Doc]]) -> list[Statement]:
        """The statements ``extract`` finds, parsing only the sentences that can hold one: ``parse`` turns
        tokenized sentences into parsed ones, in order (``nlp.pipe``). A sentence on which no matcher can hit
        (``kg.extract.prefilter``) gives no statement and changes nothing the next sentences read, unless it is a
        table row, ends in ":" (a list's lead-in), may refer back to Do Not Track or names an age: those are always
        parsed. One that follows a list's lead-in may be an item whose marker was lost; whether it is depends on
        its part-of-speech tags, so it is parsed when it comes to that (``self.counts``: how many of each)."""
        sentences = body_sentences(seg)
        terms = self._terms(sentences)
        extra = tuple(tuple(self.nlp.vocab.strings.add(w) for w in phrase) for phrase in terms.phrases)
        decided: list[Doc | None] = []  # per sentence: its tokens when it is to be parsed, else None

        def to_parse() -> Iterator[Doc]:
            for sentence in sentences:
                tokens = self.nlp.make_doc(sentence.text)
                keep = sentence.block_kind == "row" or sentence.text.rstrip().endswith(":") or \
                    bool(SIGNALS.search(sentence.text) or AGE.search(sentence.text)) or \
                    self.prefilter.may_hit(tokens, extra)
                decided.append(tokens if keep else None)
                if keep:
                    yield tokens

        parsed = parse(to_parse())
        ready: deque[Doc] = deque()  # parsed, for sentences not reached yet
        position = iter(range(len(sentences)))

        def doc_of(sentence: Sentence) -> Doc | None:
            i = next(position)
            while len(decided) <= i:  # the parser has not read this far yet: let it
                try:
                    ready.append(next(parsed))
                except StopIteration:
                    break
            if decided[i] is None:
                self.counts["skipped"] += 1
                return None
            self.counts["parsed"] += 1
            return ready.popleft() if ready else next(parsed)

        return self._read(seg, sentences, terms, doc_of)

    def _terms(self, sentences: list[Sentence]) -> Terms:
        self._kinds_of_heading.clear()
        self._dnt_at = (-9, ())  # the latest sentence naming Do Not Track
        terms = find_definitions((s.text for s in sentences), self.nlp.make_doc, self.concepts)
        terms.compile(self.nlp)
        return terms

    def _read(self, seg: Segmented, sentences: list[Sentence], terms: Terms,
              doc_of: Callable[[Sentence], Doc | None]) -> list[Statement]:
        """The loop of ``extract`` and ``read``: ``doc_of`` gives each sentence's parse in turn, or None for one
        the prefilter ruled out (parsed here only if it may be a list item, see ``read``)."""
        out: list[Statement] = []
        context = _Context(terms, sentences)
        for sentence in sentences:
            doc = doc_of(sentence)
            if doc is None:
                if not (sentence.block_kind == "paragraph" and context.lead_in and context.heads.get(0)):
                    context.advance(sentence, [], (), ())  # what sentence() gives a sentence without any hit
                    continue
                self.counts["parsed late"] += 1
                doc = self.nlp(sentence.text)
            facts = self.tables.read(seg, sentence, doc, context.table) if sentence.block_kind == "row" else None
            if facts is not None:  # a table's header row, or a row read by its header's columns (kg.extract.tables)
                out.extend(facts)
                context.advance(sentence, [], (), ())
                continue
            fragment = _fragment(doc)
            denied = context.denied(sentence, fragment)
            found, named = self.sentence(seg, sentence, doc, context)
            if denied:
                found = [dataclasses.replace(s, negated=True) if s.kind in PRACTICE_KINDS else s for s in found]
            out.extend(found)
            # what a list introduced here inherits: its practices, else the practice it names no data for ("We
            # collect the following:"), else the kind its cue names ("You have the following rights:")
            # ("The types of information we collect are as follows: (1) ...": its first item run in after the colon)
            inline = sentence.block_kind == "paragraph" and _first_item_inline(doc)
            head = _lead_in(sentence, found) or (tuple(context.latent) or self._cue_only_head(seg, sentence, doc)
                                                 if sentence.text.rstrip().endswith(":") or inline else ())
            context.advance(sentence, found, head, named,
                            unmarked_item=sentence.block_kind == "paragraph" and context.lead_in and fragment
                            and bool(context.heads.get(0)),
                            opens_list=inline and any(s.kind in PRACTICE_KINDS for s in head))
        return out

    def _cue_only_head(self, seg: Segmented, sentence: Sentence, doc: Doc) -> tuple[Statement, ...]:
        """A list introduction without a fact of its own ("You have the following rights:")."""
        kinds = {self.cue_rules[m][0] for m, _, _ in self.cues(doc) if not self.cue_rules[m][2]} | \
            self._section_kinds(sentence)
        return tuple(self._statement(seg, sentence, doc, k, f"{k}.list.v1")
                     for k in sorted(kinds & {"right", "security", "choice"}))

    # -- per sentence --------------------------------------------------------------------------------------------
    def sentence(self, seg: Segmented, sentence: Sentence, doc: Doc,
                 context: _Context | None = None) -> tuple[list[Statement], tuple[RecipientMention, ...]]:
        """Statements of one sentence, and the parties it names (antecedents for "they" in the next one)."""
        context = context or _Context(Terms())
        inherited = context.head(sentence, fragment=_fragment(doc))
        antecedents = context.antecedents
        table = TokenTable(doc)  # the token attributes the rule matchers read, read once
        found = self.concepts(doc, table)
        org_ends = {m.end for m in found if m.scheme == "org"}
        mentions = [m for m in found if (m.scheme == "org" or (m.scheme == "recipient" and not _attribute_of(doc, m)))
                    or (m.scheme != "recipient" and
                        not ((_inside_name(doc, m) and m.start not in org_ends) or _negative_term(doc, m.start) or
                             (m.scheme == "data" and _example_of_not_personal(doc, m))))]
        mentions = _without_descriptions(mentions, doc, self.lexicon)
        mentions, used_terms = _with_terms(mentions, context.terms, doc)
        for match_id, start, end in self.purpose_patterns(doc, table):  # purposes written as verb + object
            mentions.extend(Mention("purpose", concept, start, end) for concept in self.purpose_rules[match_id][2])
        by_scheme: dict[str, list[Mention]] = {}
        for m in mentions:
            by_scheme.setdefault(m.scheme, []).append(m)
        cue_kinds: dict[str, str] = {}
        # cues that state their value ("update your profile"), with the token they start at
        valued: list[tuple[str, str, tuple[str, ...], int]] = []
        for match_id, start, end in self.cues(doc, table):
            kind, rule, values = self.cue_rules[match_id]
            if kind == "dnt" and _tracking_verb(doc, start, end):
                continue  # "we do not track you across sites" says what the company does, it names no DNT signal
            if values:
                valued.append((kind, rule, values, start))
            else:
                cue_kinds.setdefault(kind, rule)
        section_kinds = self._section_kinds(sentence)
        statements: list[Statement] = []

        triggers = self._triggers(doc, sentence.text, table)
        statements += self._practices(seg, sentence, doc, triggers, mentions, antecedents, context.latent,
                                      context.referent(sentence, back=1))
        statements = self._legal_retention(statements)
        specific_data = [m for m in by_scheme.get("data", ()) if m.concept != self.lexicon.roots.get("data")]
        if not statements:
            referent = context.referent(sentence) if by_scheme.get("data") and (
                EXPANSION.match(sentence.text) or EXAMPLES.match(sentence.text) and _fragment(doc)) else ()
            for head in inherited or referent:  # a list item, or "This information may include ..."
                if head.kind in PRACTICE_KINDS:
                    statements += self._inherited_practice(seg, sentence, doc, head, by_scheme,
                                                           "list" if inherited else "includes")
            if not statements and "share" in section_kinds and not inherited and _fragment(doc) and \
                    (by_scheme.get("recipient") or by_scheme.get("org") or
                     any(m.concept == self.merger for m in by_scheme.get("purpose", ()))):
                # an item of a "How we share information" section: "With vendors, consultants and partners"
                statements += self._practice_from_list(seg, sentence, doc, "share", False, "share.section.v1",
                                                       by_scheme)
            if not statements and not inherited and specific_data and (service := _service_line(doc, by_scheme)):
                # a line of a list of the services built into a site or app: "Google Analytics - for usage
                # monitoring, including your IP address", "Firebase: crash reports and your device identifier":
                # the service collects that data through it
                statements.append(self._statement(
                    seg, sentence, doc, "collect", "collect.service-line.v1",
                    data=_unique(m.concept for m in specific_data),
                    purposes=_unique(m.concept for m in by_scheme.get("purpose", ())),
                    recipients=(self._recipient(doc, service),), third_party_collects=True))
            if "collect" in section_kinds and specific_data and not inherited and not statements \
                    and "right" not in cue_kinds \
                    and not any(kind == "right" for kind, _, _, _ in valued):  # "you can update your profile"
                statements += self._practice_from_list(seg, sentence, doc, "collect", False,
                                                       "collect.section.v1", by_scheme)
        inherited_kinds = {s.kind for s in inherited}
        for kind, scheme in (("right", "right"), ("legal_basis", "legal_basis"), ("security", "security"),
                             ("choice", "choice")):
            values = _unique(m.concept for m in by_scheme.get(scheme, ())
                             if kind != "right" or not _asked_by_another(doc[m.start]))
            if not values:
                continue
            rule = cue_kinds.get(kind) or (f"{kind}.section.v1" if kind in section_kinds else None) \
                or (f"{kind}.list.v1" if kind in inherited_kinds else None) \
                or ("right.wish.v1" if kind == "right" and READERS_WISH.search(sentence.text) else None)
            # ("if you would like to have your information corrected, contact us": the wish names the right)
            if not rule and kind == "security" and any(v != self.lexicon.roots.get("security") and
                                                       v not in self.data_handling for v in values):
                rule = "security.mention.v1"  # a specific measure ("access is limited to employees who need it")
            if not rule and kind == "choice" and any(v == self.dont_use or v in self.browser_controls for v in values):
                rule = "choice.mention.v1"  # "if you do not agree with this policy, please do not use the site",
                # "you can set your browser to notify you of cookies": the mechanism says it is a choice
            if rule and _describes_policy(doc):
                continue  # "This policy tells you how to opt out": an outline of the policy, which says it later
            if rule and kind == "choice" and not SECOND_PERSON.search(sentence.text):
                continue  # a choice is offered to the reader; "X is a member of the NAI" offers none
            if kind == "choice" and self.contact_company in values:
                if not _choice_action(doc):
                    values = tuple(v for v in values if v != self.contact_company)  # "contact us with questions"
                    if not values:
                        continue
                elif not rule and SECOND_PERSON.search(sentence.text):
                    rule = "choice.contact.v1"  # "If you no longer wish to receive our mailings, call us"
            if rule and kind == "right" and (COMPANY_RESERVATION.search(sentence.text) or
                                             UNAUTHORIZED.search(sentence.text)):
                continue  # "we reserve the right to access ... your information" is the company's, not yours
            if rule:
                statements.append(self._statement(seg, sentence, doc, kind, rule, values=values,
                                                  negated=_sentence_negated(doc) if kind == "right" else False))
        for kind, rule, values, start in valued:
            if any(s.kind == kind and set(values) <= set(s.values) for s in statements):
                continue  # the labels said it already ("transmitted to another controller")
            if kind == "right" and UNAUTHORIZED.search(sentence.text):
                continue
            if _describes_policy(doc) or kind == "security" and set(values) <= {self.lexicon.roots.get("security")} \
                    and any(s.kind == "security" for s in statements):
                continue  # "This notice explains how we protect"; "SSL encryption to protect data" names its measure
            if kind == "security" and (_described(doc[start]) or _readers_act(doc[start])):
                continue  # "this policy explains how we protect ...", "we encourage you to encrypt your files"
            statements.append(self._statement(seg, sentence, doc, kind, rule, values=values,
                                              negated=_sentence_negated(doc)))
        statements = self._most_specific(self._most_specific(statements, "security"), "choice")
        statements += self._audience(seg, sentence, doc, by_scheme, cue_kinds)
        if "dnt" in cue_kinds:
            statements.append(self._statement(seg, sentence, doc, "dnt", "dnt.stance.v1", values=(_dnt(doc),)))
            self._dnt_at = (sentence.index, sentence.section)
        elif SIGNALS.search(sentence.text) and self._dnt_at[1] == sentence.section and \
                sentence.index - self._dnt_at[0] <= 3:
            # "Some browsers send Do Not Track signals. We do not respond to these signals."
            stance = _dnt(doc)
            if stance != str(PPKG.DntUnclear):
                statements.append(self._statement(seg, sentence, doc, "dnt", "dnt.anaphora.v1", values=(stance,)))
        if "change" in cue_kinds and (NOTIFYING.search(sentence.text) or _policy_may_change(doc)):
            methods = tuple(name for name, rx in NOTIFICATION if rx.search(sentence.text))
            statements.append(self._statement(seg, sentence, doc, "change", cue_kinds["change"], texts=methods))
        named = tuple(self._recipient(doc, m) for m in mentions if m.scheme in ("recipient", "org"))
        if used_terms:  # a practice whose data a defined term brought keeps the definition as its context
            statements = [self._with_definitions(seg, sentence, st, used_terms, context) for st in statements]
        return _merge(statements), named

    def _with_definitions(self, seg: Segmented, sentence: Sentence, statement: Statement, used: list[str],
                          context: _Context) -> Statement:
        defined = [t for t in used if set(context.terms.concepts[t]) & set(statement.data)]
        sentences = context.sentences
        evidence = tuple(self._evidence(seg, sentences[context.terms.where[t]], context.terms.rules[t])
                         for t in defined if 0 <= context.terms.where.get(t, -1) < len(sentences)
                         and sentences[context.terms.where[t]].index != sentence.index)
        return dataclasses.replace(statement, context=statement.context + evidence) if evidence else statement

    @staticmethod
    def _evidence(seg: Segmented, sentence: Sentence, rule: str) -> Evidence:
        return Evidence(seg.document.doc_id, sentence.index, sentence.start, sentence.end,
                        seg.document.text[sentence.start:sentence.end], sentence.section, rule)

    def _legal_retention(self, statements: list[Statement]) -> list[Statement]:
        """What a retention period says about the practice: kept "as long as required by law" is for complying with
        the law (the period names the purpose); "we do not keep it (for) longer than necessary / more than 2 years"
        keeps it for that long (the denial bounds the period, it does not deny the retention)."""
        if not any(s.kind == "retain" and s.retention for s in statements):
            return statements
        out = []
        for s in statements:
            if s.kind == "retain" and s.retention:
                legal = self.legal_compliance
                if legal and legal not in s.purposes and any(
                        (r := parse_retention(t)) is not None and r.trigger == "LegalPeriodExpiry"
                        for t in s.retention):
                    s = dataclasses.replace(s, purposes=s.purposes + (legal,))
                if s.negated and any(BOUNDED.search(t) for t in s.retention):
                    s = dataclasses.replace(s, negated=False)
            out.append(s)
        return out

    def _most_specific(self, statements: list[Statement], kind: str) -> list[Statement]:
        """Drop the values of ``kind`` statements that a more specific value of the same sentence says already
        ("encrypted in transit ... with SSL": SSL, not encryption in general)."""
        named = {v for s in statements if s.kind == kind for v in s.values}
        broader = {a for v in named for a in self.lexicon.ancestors(v)}
        if not broader & named:
            return statements
        out = []
        for s in statements:
            if s.kind == kind:
                values = tuple(v for v in s.values if v not in broader)
                if not values:
                    continue
                s = dataclasses.replace(s, values=values)
            out.append(s)
        return out

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
        matches = [(self.trigger_rules[match_id], start, end) for match_id, start, end in self.triggers(doc, table)]
        # what the reader receives (newsletters, offers, "... from us") is no collection, unless the company is
        # the one receiving ("we receive e-mail messages from parents"): a "not_collect" rule on the verb
        received = {doc[start:end][anchor].i for (kind, _, anchor), start, end in matches
                    if kind == "not_collect" and doc[end - 1].dep_ not in ("compound", "amod", "nmod")}
        for (kind, rule, anchor), start, end in matches:
            token = doc[start:end][anchor]
            if kind == "not_collect" or (kind == "collect" and token.i in received and not _agent(token).company):
                continue
            if kind in ("collect", "use", "share", "sell") and not rule.startswith("collect.provide.") and \
                    (_user_acts(token) or _advice(token) or _anyone_acts(token)):
                continue  # "when you share content", "your password should never be shared"
            if _in_name(token) or _defines(token):
                continue  # a "Do Not Sell My Personal Information" link; '"Processing" means ... collecting'
            if (kind in DISCLOSURE_KINDS and _delegated(token)) or _supposed(token) or \
                    (kind in ("collect", "use", "share", "sell") and _restrained(token)):
                continue  # "we do not allow them to disclose it": theirs; "if we learn that X was disclosed"
            if (_reduced_relative(token) and token.lemma_ not in MERGER_VERBS and not _party_agent(token)) \
                    or _subjectless_infinitive(token) or _users_right(token) or _about_the_policy(token) \
                    or _describes_data(token) or _asked_about(token):
                continue  # ("assets transferred" may still be a merger disclosure: decided with the purposes)
            if rule == EXAMPLE_PROVIDE and not ELABORATION.match(text) and _helped_party(token) is None:
                continue  # "we provide X" alone names no recipient; after "We share ... with advertisers." it does
            if rule == "transfer.country.v1":
                if has_country is None:
                    has_country = country_code(text) is not None
                if not has_country:
                    continue
            if token.i in found and _rank(kind, rule) <= _rank(found[token.i].kind, found[token.i].rule):
                continue  # a more specific rule on the same token wins (transfer > share > retain/use/collect)
            found[token.i] = _Trigger(token, kind, rule)
        triggers = sorted(found.values(), key=lambda t: t.token.i)
        for t in triggers:
            t.condition = _condition_span(t.token) or _inside_condition(t.token)
        return [t for t in triggers
                if not any(o.condition and o.condition[0] <= t.token.i < o.condition[1] and o is not t
                           for o in triggers)]

    def _practices(self, seg: Segmented, sentence: Sentence, doc: Doc, triggers: list[_Trigger],
                   mentions: list[Mention], antecedents: tuple[RecipientMention, ...] = (),
                   latent: list[Statement] | None = None, referents: tuple[Statement, ...] = ()) -> list[Statement]:
        # an example's "provide" is a disclosure only by the company, after a disclosure to named recipients or for
        # a party it helps; otherwise it is no trigger at all (and owns none of the sentence's words)
        earlier_recipients = any(r.kind in ("share", "sell") and not r.negated and r.recipients for r in referents)
        triggers = [t for t in triggers if t.rule != EXAMPLE_PROVIDE or _helped_party(t.token) is not None or (
            earlier_recipients and _agent(t.token).company)]
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
            if _reduced_relative(trig.token) and not merger and not _party_agent(trig.token):
                continue
            if trig.kind == "use" and trig.token.lemma_.lower() in MEANS_ONLY and \
                    not _data_head(trig.token, mentions):
                continue  # "we employ security measures to protect it", "we employ contractors": no use of data
            group = groups[trig.token.i]
            # coordinated triggers share data and recipients; purposes cross from one to another only within the
            # same side ("use or disclose ... if required by law": the legal purpose is the disclosure's)
            # ... and all purposes of the group go to its most specific side: disclosure, then retention, then
            # collection/use ("retain and use ... to comply with legal obligations" is a retention purpose)
            top = max(side(t) for t in group)
            owned = [m for t in group for m in t.mentions if m.scheme != "purpose" or side(trig) == top]
            # purposes and data named anywhere in the sentence apply when the trigger owns none itself
            referred: tuple[Evidence, ...] = ()
            data_mentions = [m for m in owned if m.scheme == "data" and
                             not _describes_party(doc, m, mentions, trig.token)] or \
                ([m for m in mentions if m.scheme == "data" and not _describes_party(doc, m, mentions, trig.token)]
                 if len(triggers) == 1 and trig.rule != "collect.access.v1" else []) or \
                _shared_subject(doc, trig.token, mentions)  # "X is not sold, but is used to ...": X is used
            # a denial covers exactly its object: "(but not your name)", "does not include X", "except X"
            flipped = [m for m in data_mentions if _flipped(doc, m, trig.token)]
            data = _unique(m.concept for m in data_mentions if m not in flipped)
            if not data and (_generic_object(trig.token) or trig.kind == "retain"):
                # a retention period applies to "the information" even when the sentence names no category
                root = self.lexicon.roots.get("data")
                data = (root,) if root else ()
                if _anaphoric_object(trig.token):
                    # "this information", "such data", "it": what was named before it, in this sentence or the
                    # practices just before; a denial of nothing named is no denial of all personal information
                    earlier = _unique(m.concept for m in mentions if m.scheme == "data" and m.start < trig.token.i)
                    before = _unique(c for r in referents for c in r.data)
                    data = earlier or before or (data if not _negated(trig.token) else ())
                    if not earlier and _negated(trig.token) and any(
                            _qualified_generic(t) for t in doc[:trig.token.i]):
                        data = ()  # "text messaging opt-in data ...; this information will not be shared": a
                        # kind of data the sentence names and we have no category for; no denial of all data
                    elif not earlier and before:  # the sentence before says what "this information" is
                        referred = tuple(dict.fromkeys(r.evidence for r in referents))
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
            condition = _condition(doc, trig.condition)
            if negated and (than := _comparative(trig.token)) is not None:
                negated, condition = False, than  # "will not release more information than is necessary"
            if flipped and trig.condition and any(trig.condition[0] <= m.start < trig.condition[1] for m in flipped):
                condition = None  # "except your e-mail address" names data, not a condition
            kind = trig.kind
            if trig.kind == "retain" and trig.token.lemma_ in DELETION_VERBS:
                negated = False  # "we will not delete X until ..." still states how long X is kept
            kwargs: dict = {"context": referred} if referred else {}
            subjects = _unique(m.concept for m in mentions if m.scheme == "audience" and
                               _about_subjects(doc, m, trig.token))
            if subjects:  # "we do not knowingly collect personal information from children under 13"
                kwargs["subjects"] = subjects
            if trig.kind == "retain":
                phrases = retention_phrases()
                if not phrases and (trig.token.lemma_ not in RETAIN_VERBS or not _data_object(trig.token, owned)):
                    if data and not negated and _holds(trig.token, owned, parties=frozenset(
                            i for m in mentions if m.scheme in ("recipient", "org") for i in range(m.start, m.end))) \
                            and any(d != self.lexicon.roots.get("data") for d in data):
                        # "we keep the unique ID of your device": what the company holds it has collected
                        out.append(self._statement(seg, sentence, doc, "collect", "collect.holds.v1", data=data,
                                                   purposes=purposes, anchor=trig.token, condition=condition))
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
            elif trig.kind in ("share", "sell") and any(c.lower_ == "between" for c in trig.token.children):
                continue  # "information exchanged between you and the website": a conversation, not a disclosure
            elif trig.kind in ("share", "sell") and _to_us(trig.token):
                # "our partners may share information with us": the company receives it; a collection of its own
                kind, recipients = "collect", ()
            elif trig.kind in ("share", "sell"):
                if not recipients and trig.kind == "share" and not negated and \
                        not trig.rule.startswith("share.provide-to"):
                    recipients = tuple(self._recipient(doc, m) for m in mentions if m.scheme in ("recipient", "org")
                                       and _receives(doc[m.start], {trig.token.i}, strict=False))
                if trig.rule == "share.visible.v2":
                    # "that information can be viewed publicly", "becomes available to other users"
                    near = " ".join(t.lower_ for t in doc[max(0, trig.token.i - 2):trig.token.i + 4])
                    if "public" in near or not recipients:
                        local = "Public" if "public" in near else "OtherUsers"
                        recipients = (RecipientMention(kind=f"{SCHEMES['recipient']}{local}"),)
                if not recipients and trig.rule.startswith("share.provide-to"):
                    continue  # "provide you with our services" is not sharing; "send it to Acme" names no party
                    # we know of (share.provide-to-org.v1 only counts an organisation of the vocabulary)
                if trig.rule == EXAMPLE_PROVIDE and not recipients and (helped := _helped_party(trig.token)):
                    # "we help advertisers reach our users by providing your device ID": to the advertisers
                    helped_words = {t.i for t in helped.subtree}
                    recipients = tuple(self._recipient(doc, m) for m in mentions
                                       if m.scheme in ("recipient", "org") and m.start in helped_words)
                if trig.rule == EXAMPLE_PROVIDE:
                    recipients = recipients or tuple(dict.fromkeys(
                        r for ref in referents if ref.kind in ("share", "sell") and not ref.negated
                        for r in ref.recipients))
                    if not recipients:
                        continue  # an example of nothing disclosed before
                if not recipients and trig.rule == "share.transfer.v1":
                    if self.acquirer and self.merger in purposes:
                        recipients = (RecipientMention(kind=self.acquirer),)
                    else:
                        continue  # "transfer" without a receiving party: not a disclosure
            elif trig.kind in ("collect", "use"):
                parties = [m for m in mentions if m.scheme in ("recipient", "org")]
                agent = _agent(trig.token, frozenset(i for m in parties for i in range(m.start, m.end)))
                collectors = tuple(self._recipient(doc, m) for m in parties if m.start in agent.tokens)
                if not collectors and (agent.pronoun or _anaphoric_subject(trig.token)):
                    # "We use Google Analytics. These services collect ...", "we do not allow them to use it"
                    collectors = antecedents or ((RecipientMention(kind=self.lexicon.roots["recipient"]),)
                                                 if agent.pronoun and "recipient" in self.lexicon.roots else ())
                helpers = tuple(self._recipient(doc, m) for m in parties if _helps(doc[m.start], trig.token))
                recipients = ()
                if collectors or helpers:
                    # "Google Analytics collects ...", "advertisers may use cookies ...", "we collect it (ourselves
                    # or using third-party services)": a third party collects, and so does the company when it is
                    # a subject too ("we and our partners collect") or works through the third party
                    if data and (agent.company or (helpers and not collectors)):
                        out.append(self._statement(seg, sentence, doc, kind, trig.rule, negated=negated, data=data,
                                                   purposes=purposes, anchor=trig.token,
                                                   condition=_condition(doc, trig.condition)))
                    kind = "collect"
                    kwargs["third_party_collects"] = True
                    recipients = tuple(dict.fromkeys(collectors + helpers))
            if not data and (merger or trig.rule == "share.access.v1") and kind == "share" and \
                    "data" in self.lexicon.roots:
                # "we may buy or sell assets": the customer data goes along; "provide access to our database"
                data = (self.lexicon.roots["data"],)
            if not data and trig.rule == "share.visible.v2" and kind == "share":
                # "comments posted to our pages are public": what users post, else their information
                posted = any(t.lemma_.lower() in ("post", "content", "comment", "upload", "submit", "posting")
                             for t in doc)
                if posted and self.user_content:
                    data = (self.user_content,)
                elif any(t.lemma_.lower() in GENERIC_DATA | {"profile"} and not _not_personal(t) for t in doc) and \
                        "data" in self.lexicon.roots:
                    data = (self.lexicon.roots["data"],)
            if negated and data and kind in DISCLOSURE_KINDS and trig.condition and \
                    doc[trig.condition[0]].lower_ in ("unless", "except"):
                # "we do not disclose it unless required by law": the exception is a disclosure, for its purposes
                span = range(*trig.condition)
                excepted = _unique(m.concept for m in mentions if m.scheme == "purpose" and m.start in span)
                if any(doc[i].lower_ in AGGREGATED for i in span):
                    # "... will not be shared with third parties, except in aggregate form": shared, aggregated
                    out.append(self._statement(seg, sentence, doc, kind, f"{kind}.exception.v1", data=data,
                                               purposes=excepted, recipients=recipients, anchor=trig.token,
                                               condition=condition, **kwargs))
                elif excepted:
                    purposes = tuple(p for p in purposes if p not in excepted)
                    out.append(self._statement(seg, sentence, doc, kind, f"{kind}.exception.v1", data=data,
                                               purposes=excepted, recipients=recipients, anchor=trig.token,
                                               condition=condition, **kwargs))
            if recipients and (kind in DISCLOSURE_KINDS or kwargs.get("third_party_collects")):
                # "service providers who help us maintain our website", "vendors such as companies that process
                # payments": what a recipient is there for is what it receives the data for
                purposes = _unique(purposes + _described_purposes(doc, mentions, recipients, self._recipient))
            if flipped:
                out.append(self._statement(seg, sentence, doc, kind, trig.rule, negated=not negated,
                                           data=_unique(m.concept for m in flipped), purposes=purposes,
                                           recipients=recipients, anchor=trig.token, **kwargs))
            if not data and kind != "transfer":
                if latent is not None and kind in PRACTICE_KINDS:
                    latent.append(self._statement(seg, sentence, doc, kind, trig.rule, negated=negated,
                                                  purposes=purposes, recipients=recipients, anchor=trig.token,
                                                  **kwargs))
                continue
            out.append(self._statement(seg, sentence, doc, kind, trig.rule, negated=negated, data=data,
                                       purposes=purposes, recipients=recipients, anchor=trig.token,
                                       condition=condition, **kwargs))
        out += self._named_org_sharing(seg, sentence, doc, triggers, mentions)
        return out

    def _named_org_sharing(self, seg: Segmented, sentence: Sentence, doc: Doc, triggers: list[_Trigger],
                           mentions: list[Mention]) -> list[Statement]:
        """ "We use Stripe and PayPal services to process the payments": a named organisation receives data."""
        if any(t.kind in ("share", "sell") for t in triggers):
            return []
        uses = [t for t in triggers if t.kind == "use" and not _negated(t.token)]
        objects = {t.i for u in uses for c in u.token.children if c.dep_ in ("dobj", "nsubjpass")
                   for t in c.subtree}  # "we use Stripe and PayPal": not "how Google uses data", "Google's policy"
        orgs = [m for m in mentions if m.scheme == "org" and m.start in objects and doc[m.end - 1].tag_ != "POS"
                and not (m.end < len(doc) and doc[m.end].tag_ == "POS")]
        if not orgs or not uses:
            return []
        data = _unique(m.concept for m in mentions if m.scheme == "data") or \
            ((self.lexicon.roots["data"],) if "data" in self.lexicon.roots else ())
        return [self._statement(seg, sentence, doc, "share", "share.named-org.v1", data=data,
                                purposes=_unique(m.concept for m in mentions if m.scheme == "purpose"),
                                recipients=tuple(self._recipient(doc, m) for m in orgs), anchor=uses[0].token)]

    def _inherited_practice(self, seg: Segmented, sentence: Sentence, doc: Doc, head: Statement,
                            by_scheme: dict[str, list[Mention]], how: str) -> list[Statement]:
        """The practice of a list item or of "This information may include ...": what the sentence names (data,
        recipients, purposes) in place of the same slot of ``head``, the rest (polarity, agent) from ``head``; what
        the item excludes ("the network you use but not your phone number") has the opposite polarity."""
        root = next((t for t in doc if t.dep_ == "ROOT"), doc[0])
        flipped = [m for m in by_scheme.get("data", ()) if _flipped(doc, m, root)]
        data = _unique(m.concept for m in by_scheme.get("data", ()) if m not in flipped)
        purposes = _unique(m.concept for m in by_scheme.get("purpose", ()))
        named = tuple(self._recipient(doc, m) for s in ("recipient", "org") for m in by_scheme.get(s, ())
                      if not _whose(doc[m.start]))
        if how == "includes" and not data:
            return []
        if not (data or purposes or (named and head.kind in ("share", "sell"))):
            return []  # the item adds nothing this practice can hold
        kind, recipients = head.kind, head.recipients
        parties = [m for s in ("recipient", "org") for m in by_scheme.get(s, ())]
        if kind in ("collect", "use") and not head.third_party_collects and doc[0].lower_ in ("with", "to") and \
                any(m.start <= 4 for m in parties):
            kind = "share"  # "With our payment processors": an item of a sharing list, whatever list it is in
        if named and (kind in ("share", "sell") or head.third_party_collects):
            recipients = named
        if kind in DISCLOSURE_KINDS and not recipients and self.merger in purposes and self.acquirer:
            recipients = (RecipientMention(kind=self.acquirer),)  # "In connection with a merger or sale"
        out = [self._statement(seg, sentence, doc, kind, f"{kind}.{how}.v1", negated=head.negated,
                               context=(head.evidence,),
                               data=data or head.data, purposes=purposes or head.purposes, recipients=recipients,
                               third_party_collects=head.third_party_collects, retention=head.retention)]
        if flipped:
            out.append(self._statement(seg, sentence, doc, kind, f"{kind}.{how}.v1", negated=not head.negated,
                                       context=(head.evidence,), data=_unique(m.concept for m in flipped),
                                       purposes=purposes or head.purposes, recipients=recipients,
                                       third_party_collects=head.third_party_collects, retention=head.retention))
        return out

    def _practice_from_list(self, seg, sentence, doc, kind, negated, rule, by_scheme) -> list[Statement]:
        recipients = tuple(self._recipient(doc, m) for s in ("recipient", "org") for m in by_scheme.get(s, ())) \
            if kind in ("share", "sell") else ()
        if kind == "collect" and rule.endswith(".section.v1") and not by_scheme.get("data"):
            return []
        rule = rule if rule.endswith((".list.v1", ".section.v1")) else f"{kind}.list.v1"
        data = _unique(m.concept for m in by_scheme.get("data", ()))
        purposes = _unique(m.concept for m in by_scheme.get("purpose", ()))
        if kind in DISCLOSURE_KINDS:
            data = data or ((self.lexicon.roots["data"],) if "data" in self.lexicon.roots else ())
            if not recipients and self.merger in purposes and self.acquirer:
                recipients = (RecipientMention(kind=self.acquirer),)
        return [self._statement(seg, sentence, doc, kind, rule, negated=negated, data=data, purposes=purposes,
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


def _lead_in(sentence: Sentence, found: list[Statement]) -> tuple[Statement, ...]:
    """What the items of a list introduced by ``sentence`` inherit: its statements, the practices of the clause
    nearest the colon only ("we will not access your files, but we may access the following information:")."""
    practices = [s for s in found if s.kind in PRACTICE_KINDS]
    if len({s.negated for s in practices}) < 2:
        return tuple(found)
    last = max(practices, key=lambda s: sentence.text.rfind(s.evidence.matched) if s.evidence.matched else -1)
    return tuple(s for s in found if s.kind not in PRACTICE_KINDS or s.negated == last.negated)


def body_sentences(seg: Segmented) -> list[Sentence]:
    """The sentences the extractor parses: headings and questions only give context, never a statement."""
    return [s for s in seg.sentences if s.block_kind != "heading" and not is_question(s.text)]


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


def _attribute_of(doc: Doc, m: Mention) -> bool:
    """A party's word as the modifier of one of its attributes names no party: "your Agent Name" (a player's name
    in a game), "the partner ID", "vendor number"."""
    nxt = doc[m.end] if m.end < len(doc) else None
    return nxt is not None and nxt.lemma_.lower() in ATTRIBUTE_NOUNS and doc[m.end - 1].dep_ == "compound" and \
        doc[m.end - 1].head.i == nxt.i


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
        if t.token.dep_ in ("conj", "dep") and head.i in by_token and _negated(t.token) == _negated(head):
            # (clauses of opposite polarity do not share what they are about: "we will not share your e-mail
            # address with advertisers, but we share your information with our partners")
            parent[find(t.token.i)] = find(head.i)
        elif _elided_repeat(t.token) and (same := next((o for o in triggers if o.token.lemma_ == t.token.lemma_ and
                                                        o.token.i < t.token.i), None)):
            # "we analyze (and may engage third parties to analyze) your data": the repeated verb's object is elided
            parent[find(t.token.i)] = find(same.token.i)
    groups: dict[int, list[_Trigger]] = {}
    for i in by_token:
        groups.setdefault(find(i), []).append(by_token[i])
    return {i: groups[find(i)] for i in by_token}


def _shared_subject(doc: Doc, token: Token, mentions: list[Mention]) -> list[Mention]:
    """The data a passive conjunct shares as its subject with the verb before it, whatever their polarities ("IP
    addresses are not stored, but are used to determine your region": the addresses are used); the objects of that
    verb stay its own ("we do not sell your e-mail address, but use cookies"), and a conjunct with an object of its
    own is about that object ("... and use that information")."""
    if token.dep_ != "conj" or any(c.dep_ in ("nsubj", "nsubjpass", "expl", "dobj") for c in token.children):
        return []
    subject = {t.i for c in token.head.children if c.dep_ == "nsubjpass" for t in c.subtree}
    return [m for m in mentions if m.scheme == "data" and m.start in subject]


def _without_descriptions(mentions: list[Mention], doc: Doc, lexicon: Lexicon) -> list[Mention]:
    """Data mentions that only describe another data mention, by a broader category, are not data of their own:
    "the Advertising ID is an anonymous identifier", "Google Advertising ID, Google's anonymous identifier for
    advertising" (not an item of a list the parser hung as an apposition: "names, a valid credit card")."""
    data = [m for m in mentions if m.scheme == "data"]
    if len(data) < 2:
        return mentions

    def described(m: Mention) -> bool:
        head = doc[m.start:m.end].root
        if not any((c.dep_ == "det" and c.lower_ in ("a", "an")) or (c.dep_ == "poss" and c.pos_ == "PROPN")
                   for c in head.children):
            return False  # "an anonymous identifier", "Google's identifier"; not an item of a list the parser
            # hung as an apposition ("your name, e-mail address, phone number")
        other: Token | None
        if head.dep_ == "appos":
            other = head.head
        elif head.dep_ == "attr" and head.head.lemma_ == "be":
            other = next((c for c in head.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        else:
            return False
        return other is not None and any(o is not m and o.start <= other.i < o.end and
                                         m.concept in lexicon.ancestors(o.concept) for o in data)

    return [m for m in mentions if m.scheme != "data" or not described(m)]


LINE_MARKS = {"-", "\u2013", "\u2014", ":"}


def _service_line(doc: Doc, by_scheme: dict[str, list[Mention]]) -> Mention | None:
    """A verbless line that opens with a named organisation and a dash or colon ("Google Analytics - for usage
    monitoring, including ...", "AdMob by Google: ..."): the organisation's entry in a list of services."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    mark = next((t.i for t in doc[:6] if t.text in LINE_MARKS), None)
    if root is None or root.pos_ in ("VERB", "AUX") or mark is None or \
            any(t.pos_ in ("VERB", "AUX") for t in doc[:mark]):
        return None
    # the name (or "<product> by <maker>") is all that comes before the mark
    return next((m for m in by_scheme.get("org", ()) if m.end == mark), None)


def _helped_party(token: Token) -> Token | None:
    """The party a company helps by doing it: "we help advertisers reach our users by providing your device ID"
    (the object of "help", "assist", "enable", "allow" above "by ...ing")."""
    if token.dep_ != "pcomp" or token.head.lower_ != "by":
        return None
    helping = PERMISSION_VERBS | {"assist"}
    verb = token.head.head
    below: Token | None = None  # "help advertisers reach": the clause under "help" whose subject is the party
    while verb.dep_ in ("xcomp", "ccomp", "advcl") and verb.lemma_.lower() not in helping:
        below, verb = verb, verb.head
    if verb.lemma_.lower() not in helping:
        return None
    parties = [c for c in verb.children if c.dep_ in ("dobj", "dative")] + \
        ([c for c in below.children if c.dep_ == "nsubj"] if below is not None else [])
    return next((c for c in parties if c.pos_ in ("NOUN", "PROPN")), None)


def _elided_repeat(token: Token) -> bool:
    """A verb inside brackets with nothing after it: "(and may engage third parties to analyze)"."""
    nxt = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
    return nxt is not None and nxt.text == ")" and not any(c.dep_ in ("dobj", "prep") for c in token.children) \
        and any(t.text == "(" for t in token.doc[max(0, token.i - 12):token.i])


def _negated(token: Token) -> bool:
    """Negation on the verb, on its coordination head (when it shares the subject), or "no" on its arguments; a
    conjunct after "nor" ("we do not sell it, nor do we share it")."""
    seen = set()
    while token.i not in seen:
        seen.add(token.i)
        if token.dep_ == "conj" and any(c.dep_ == "cc" and c.lower_ == "nor" for c in (
                *token.children, *(c for c in token.head.children if token.head.i < c.i < token.i))):
            return True
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
            if token.pos_ in ("NOUN", "PROPN") and token.dep_ == "dobj" and token.head.pos_ in ("VERB", "AUX") and \
                    not any(c.dep_ in ("det", "poss", "amod", "compound") for c in token.children):
                # "we do not ask you for, access or track ...": a bare verb the tagger took for the object noun of
                # the verb before it
                token = token.head
            continue
        if (token.dep_ in ("xcomp", "aux", "acomp", "oprd") and token.head.pos_ in ("VERB", "AUX")) or \
                (token.dep_ == "ccomp" and token.head.lemma_.lower() in PERMISSION_VERBS):
            token = token.head  # "we do not intend to sell", "we are not going to share", "we do not allow X to"
            continue
        break
    return False


def _sentence_negated(doc: Doc) -> bool:
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    return root is not None and any(c.dep_ == "neg" for c in root.children) and root.lemma_ in ("have", "provide")


@dataclass(frozen=True)
class _Agent:
    """Who does what a verb says: its subject's tokens, and whether they include the reader or the company."""

    tokens: frozenset[int]
    user: bool = False  # "you", "users", "parents"
    company: bool = False  # "we", "us", "ourselves"
    pronoun: bool = False  # "them" in "we do not allow them to use it": parties named elsewhere


def _agent(token: Token, parties: frozenset[int] = frozenset()) -> _Agent:
    """The agent of a verb: its subject (or the "by" agent of a passive); a subjectless complement takes the
    subject of the verb it completes ("we use cookies to collect": we collect; "you agree not to disclose": you
    disclose; "in order to share photos, you must ..."), or the object of a verb of permission ("we allow our
    partners to collect": the partners collect). ``parties``: the tokens of the third parties the sentence names;
    a subject in capitals that is none of them is taken for the company's own name ("Acme or third parties")."""
    seen = set()
    if token.pos_ in ("NOUN", "PROPN") and token.tag_ in ("NNS", "NNPS", "VBZ"):
        # a verb the parser took for a noun ("Google Analytics collects ..."): its subject is what comes before
        start = next((t.i + 1 for t in reversed(token.doc[:token.i]) if t.is_punct), 0)
        return _Agent(frozenset(range(start, token.i)),
                      company=any(t.lower_ in COMPANY_SUBJECTS for t in token.doc[start:token.i]))
    while token.i not in seen:
        seen.add(token.i)
        subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass", "agent")]
        if not subjects and token.dep_ in ("acl", "relcl") and token.head.pos_ in ("NOUN", "PROPN") and \
                token.head.lower_ != "order" and any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children):
            # "we employ contractors to collect it", "(and may engage third parties to analyze)": the contractors,
            # the third parties collect
            return _Agent(frozenset(range(token.head.left_edge.i, token.head.i + 1)),
                          user=token.head.lemma_.lower() in USER_SUBJECTS)
        if subjects and token.dep_ == "relcl" and all(c.lower_ in ("who", "which", "that") for c in subjects):
            subjects = [token.head]  # "advertising partners, who may set cookies": the partners set them
            return _Agent(frozenset(range(token.head.left_edge.i, token.head.i + 1)),
                          user=token.head.lemma_.lower() in USER_SUBJECTS,
                          company=token.head.lower_ in COMPANY_SUBJECTS)
        if subjects:
            heads = [h for c in subjects for h in (c, *c.conjuncts)]
            if any(c.dep_ == "agent" for c in subjects):
                heads = [h for c in subjects if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"
                         for h in (g, *g.conjuncts)] + [c for c in subjects if c.dep_ != "agent"]
            if heads and all(h.lower_ in ("they", "them") for h in heads) and \
                    (earlier := _earlier_subject(token, heads)):
                # "administrators will not access your files, but they may access ...": they are the administrators
                return _Agent(frozenset(range(earlier.left_edge.i, earlier.i + 1)),
                              user=earlier.lemma_.lower() in USER_SUBJECTS,
                              company=earlier.lemma_.lower() in STAFF or earlier.pos_ == "PROPN" and
                              earlier.i not in parties)
            they_users = bool(heads) and all(h.lower_ in ("they", "them") for h in heads) and \
                _users_named(token.doc)
            return _Agent(frozenset(t.i for c in subjects for t in c.subtree),
                          user=they_users or any(h.lemma_.lower() in USER_SUBJECTS and not any(
                              c.lower_ in ("other", "another", "third") for c in h.children) for h in heads),
                          company=any(h.lower_ in COMPANY_SUBJECTS or (h.pos_ == "PROPN" and parties and
                                                                       h.i not in parties) for h in heads),
                          pronoun=bool(heads) and all(_refers_back(h) for h in heads) and not _users_named(token.doc))
        if token.dep_ in ("xcomp", "advcl") and token.head.lemma_.lower() in PERMISSION_VERBS:
            allowed = [c for c in token.head.children if c.dep_ in ("dobj", "dative")]
            if any(c.lower_ in ("them", "him", "her", "it") for c in allowed):
                # "enable them to collect": them are the parties of the clause above, if it names any
                above = _agent(token.head, parties)
                if above.tokens & parties:
                    return _Agent(above.tokens)
                return _Agent(frozenset(c.i for c in allowed), pronoun=True)
            if allowed:
                return _Agent(frozenset(t.i for c in allowed for t in c.subtree),
                              user=any(c.lemma_.lower() in USER_SUBJECTS for c in allowed),
                              company=any(c.lower_ in COMPANY_SUBJECTS for c in allowed))
        if token.dep_ in ("xcomp", "advcl") and token.head.lemma_.lower() in MEANS_VERBS and parties:
            used = [c for c in token.head.children if c.dep_ == "dobj"]
            used_tokens = frozenset(t.i for c in used for t in c.subtree)
            if used_tokens & parties:
                # "we use third-party analytics software to collect it": the software's provider collects, and
                # so does the company through it when it is the one using it
                return _Agent(used_tokens, company=_agent(token.head, parties).company)
        if token.dep_ == "xcomp" or (token.dep_ in ("advcl", "conj", "pcomp", "acl") and token.head.pos_ in
                                     ("VERB", "AUX")) or (token.dep_ == "conj" and token.pos_ in ("VERB", "AUX")):
            # (a verb's conjunct the tagger took for an adjective: "view, correct and/or update" still shares
            # the subject of "view")
            token = token.head
        elif token.dep_ == "acomp" and token.head.pos_ in ("VERB", "AUX") and \
                any(c.dep_ == "xcomp" and c.i in seen for c in token.children):
            token = token.head  # "you may not be able to access the site": access -> able -> be (you)
        elif token.dep_ == "acl" and token.head.lower_ == "order" and token.head.head.dep_ == "prep":
            token = token.head.head.head  # "in order to share ...": order -> In -> the verb of the clause
        elif token.dep_ == "pcomp" and token.tag_ == "VBG" and token.head.dep_ == "prep" and \
                token.head.head.pos_ in ("VERB", "AUX"):
            token = token.head.head  # "you can update it by accessing your profile": you access it
        else:
            break
    return _Agent(frozenset())


def _asked_about(token: Token) -> bool:
    """A practice inside an indirect question: "questions about how these websites use your information",
    "learn more about how Google uses data", "we talk about what information we collect" (not a relative clause:
    "the information which we collect" is a practice)."""
    verb = token
    while verb.dep_ == "conj" and verb.head.i != verb.i:
        verb = verb.head
    if any(c.lower_ in ("how", "whether", "why") and c.dep_ in ("advmod", "mark") for c in verb.children):
        return True
    return verb.dep_ in ("pcomp", "ccomp", "pobj") and any(
        c.tag_ in ("WDT", "WP") or any(d.tag_ in ("WDT", "WP") and d.dep_ == "det" for d in c.children)
        for c in verb.children if c.dep_ in ("dobj", "nsubjpass"))


def _describes_data(token: Token) -> bool:
    """ "information that can be used to identify you", "the categories of personal information that was shared":
    a passive clause that says what data is, not a practice."""
    return token.dep_ == "relcl" and token.head.lemma_.lower() in GENERIC_DATA | {"category", "type", "kind"} and \
        any(c.dep_ == "auxpass" for c in token.children) and not _party_agent(token)


def _delegated(token: Token) -> bool:
    """A disclosure someone else is allowed, forbidden or obliged to make: "we do not authorize them to use or
    disclose it", "service providers are not permitted to share it", "they are obligated not to sell it". It binds
    the other party; it is not the company's own ("we are required to disclose it" is)."""
    while token.dep_ == "conj":
        token = token.head
    head = token.head
    if token.dep_ not in ("xcomp", "ccomp") or head.lemma_.lower() not in PERMISSION_VERBS | OBLIGING:
        return False
    bound = [c for c in head.children if c.dep_ in ("dobj", "dative", "nsubjpass")] or \
        [c for c in token.children if c.dep_ == "nsubj"]
    return not any(c.lower_ in COMPANY_SUBJECTS for c in bound)


def _restrained(token: Token) -> bool:
    """What another party is kept from doing: "these companies are prohibited from using it", "they are restricted
    from selling it". It binds that party; it is no practice of anyone ("we are prohibited from sharing it" stays the
    company's; "restricted from using it other than to provide the services" allows that use)."""
    while token.dep_ == "conj":
        token = token.head
    prep = token.head
    if token.dep_ != "pcomp" or prep.lower_ != "from" or prep.head.lemma_.lower() not in RESTRAINING:
        return False
    after = token.doc[token.i + 1:]
    if any(t.lower_ == "except" or (t.lower_ == "other" and t.i + 1 < len(t.doc) and t.doc[t.i + 1].lower_ == "than")
           for t in after):
        return False  # "restricted from using it other than to provide the services": that use is allowed
    bound = [c for c in prep.head.children if c.dep_ in ("nsubjpass", "nsubj", "dobj")]
    return not any(c.lower_ in COMPANY_SUBJECTS for c in bound)


def _supposed(token: Token) -> bool:
    """A practice only supposed in a clause of knowing or wishing: "if we become aware that a child's data was
    collected", "in the event we learn that your information has been disclosed" (a breach, a mistake), "if you
    prefer that we do not share it"; or a denial that is the aim of a safeguard ("to ensure it is not disclosed")."""
    negated = None
    for t in token.ancestors:
        lemma = t.lemma_.lower()
        if lemma in WISHING:
            return True
        if (lemma in KNOWING or any(c.dep_ == "acomp" and c.lemma_.lower() in KNOWING for c in t.children)) and \
                _agent(t if t.pos_ in ("VERB", "AUX") else t.head).company:
            return True  # "if we learn that", "we become aware that" (not "please be aware that")
        if lemma in AIMING:  # "to ensure that it is not disclosed": a goal, not a denial
            negated = _negated(token) if negated is None else negated
            if negated:
                return True
        if t.dep_ == "ROOT":
            break
    return False


STAFF = {"administrator", "employee", "staff", "personnel", "team", "representative", "officer", "engineer",
         "moderator", "department"}


def _earlier_subject(verb: Token, heads: list[Token]) -> Token | None:
    """The noun subject of an earlier clause of the same sentence, that "they" refers to."""
    for t in reversed(verb.doc[:min(h.i for h in heads)]):
        if t.dep_ in ("nsubj", "nsubjpass") and t.pos_ in ("NOUN", "PROPN") and t.lemma_.lower() not in GENERIC_DATA:
            return t
    return None


def _users_named(doc: Doc) -> bool:
    """The sentence has the reader as a subject ("If User decides to opt in, they will ..."): "they" is them."""
    return any(t.dep_ in ("nsubj", "nsubjpass") and t.lemma_.lower() in USER_SUBJECTS - {"you"} for t in doc)


def _refers_back(noun: Token) -> bool:
    """ "they", "these entities", "such companies": parties named before, not here."""
    return noun.lower_ in ("they", "them") or (noun.lemma_.lower() in ANAPHORIC_NOUNS and any(
        d.lower_ in ("these", "those", "such", "said") for d in noun.children))


INDEFINITE = {"anyone", "anybody", "someone", "somebody", "everyone", "everybody", "others", "people", "hacker",
              "criminal", "stranger", "impersonator", "fraudster"}


def _anyone_acts(token: Token) -> bool:
    """ "If someone asks for your password", "information that lets anyone else access your account": an act of
    nobody in particular, not a practice of the company."""
    agent = _agent(token)
    return bool(agent.tokens) and not agent.company and \
        all(token.doc[i].lemma_.lower() in INDEFINITE or token.doc[i].is_punct or
            token.doc[i].lower_ in ("else", "other", "any", "some", "malicious", "unauthorized")
            for i in agent.tokens)


QUOTE_MARKS = {'"', "\u201c", "\u201d", "\u201e", "``", "''"}
NAME_LENGTH = 12  # tokens: a quoted link, button or feature name is short; a longer quotation may state a practice
NAME_NOUNS = {"signal", "signals", "feature", "setting", "settings", "request", "requests", "header", "mechanism",
              "preference", "preferences", "option", "browser", "browsers", "standard", "link", "button", "page",
              "form", "policy"}


def _in_name(token: Token) -> bool:
    """The trigger is a word of a name, not a verb of the company's: inside a short quotation ('a "do not track"
    feature', 'the "Do Not Sell My Personal Information" link'), in a capitalised "Do Not ..." name (our Do Not
    Share My Data page), or "do not track" followed by what it names ("do not track signals")."""
    doc = token.doc
    sent = token.sent if doc.has_annotation("SENT_START") else doc[:]
    marks = [t.i for t in sent if t.text in QUOTE_MARKS]
    opened = [i for i in marks if i < token.i]
    closed = [i for i in marks if i > token.i]
    if len(opened) % 2 == 1 and closed and closed[0] - opened[-1] <= NAME_LENGTH + 1:
        return True
    words = [doc[i] for i in range(max(sent.start, token.i - 2), token.i)]
    if len(words) == 2 and [w.lower_ for w in words] in (["do", "not"], ["don", "'t"]):
        if all(w.text[:1].isupper() for w in words) and token.text[:1].isupper() and words[0].i > sent.start:
            return True  # Title Case mid-sentence: a name
        following = doc[token.i + 1] if token.i + 1 < sent.end else None
        if following is not None and (following.lower_ in NAME_NOUNS or following.text in ("(", "/")):
            return True
    return False


def _about_subjects(doc: Doc, mention: Mention, trigger: Token) -> bool:
    """The audience ``mention`` says whose data the practice is about: it hangs below the trigger (or a verb
    coordinated with it: "collect or solicit ... from") through "from", "of", "about", "by" or "under" ("collect
    personal information from children", "information of minors", "from anyone under the age of 13"), not in a
    clause of its own ("children may use the app, so we collect ...")."""
    def shares_subject(verb: Token) -> bool:  # "collect or solicit": one subject, one object
        return not any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)

    verbs = {trigger.i} | {c.i for c in trigger.children if c.dep_ == "conj" and shares_subject(c)} | \
        ({trigger.head.i} if trigger.dep_ == "conj" and shares_subject(trigger) else set())
    token = doc[mention.start:mention.end].root
    seen = set()
    while token.i not in verbs and token.i not in seen:
        seen.add(token.i)
        own_clause = token.dep_ in ("advcl", "ccomp", "relcl", "conj") and token.pos_ in ("VERB", "AUX")
        if own_clause or token.dep_ == "ROOT":
            return False
        if token.dep_ == "prep" and token.lower_ in ("from", "of", "about", "by", "under", "regarding"):
            return _below(token.head, verbs)
        token = token.head
    return False


def _below(token: Token, verbs: set[int]) -> bool:
    """``token`` is one of ``verbs`` or in the subtree of one (its object or an argument of it), not in a clause
    of its own below it ("we do not sell X, and we do not collect Y from children": not the sale's)."""
    while token.i not in verbs:
        if token.head.i == token.i or (token.dep_ in ("conj", "advcl", "ccomp", "relcl", "xcomp") and
                                       token.pos_ in ("VERB", "AUX")):
            return False
        token = token.head
    return True


def _defines(token: Token) -> bool:
    """A definition ('"Processing" means using or disclosing information', '"Share" refers to ...') states what a
    word means, no practice; "This means that we do not share" still states one (its own clause and subject)."""
    root = token
    while root.dep_ != "ROOT" and root.head.i != root.i:
        if root.dep_ in ("ccomp", "advcl", "relcl") and any(c.dep_ in ("nsubj", "nsubjpass") for c in root.children):
            return False
        root = root.head
    if root.i == token.i or root.lemma_.lower() not in ("mean", "refer"):
        return False
    subject = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")]
    return bool(subject) and subject[0].lower_ not in ("this", "that", "it", "which")


def _user_acts(token: Token) -> bool:
    """True when the reader does the verb ("if you use our service", "you agree not to disclose your password",
    "Never share your password with anyone")."""
    return _agent(token).user or _imperative(token)


def _imperative(token: Token) -> bool:
    """An instruction to the reader: the sentence opens with "never", "do not", "please" or "always" before the
    bare verb ("Never share your password", "Please do not send us sensitive data"). A bare verb alone is how list
    items under "We may:" read ("Share your information with our partners"), so it is no instruction."""
    verb = token
    while verb.dep_ in ("conj", "advcl", "xcomp") and verb.head.i != verb.i and \
            (verb.dep_ == "conj" or verb.tag_ == "VBG") and \
            not any(c.dep_ in ("nsubj", "nsubjpass", "mark") for c in verb.children):
        verb = verb.head  # "please contact us using the details below": using is part of the instruction
    if verb.dep_ != "ROOT" or verb.tag_ != "VB" or any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in
                                                       verb.children):
        return False
    start = verb.sent.start if verb.doc.has_annotation("SENT_START") else 0
    # a clause before the verb is not the instruction's ("If you prefer not to ..., don't use the Sites")
    aside = {t.i for c in verb.children if c.dep_ in ("advcl", "prep", "npadvmod", "intj") and c.i < verb.i
             and c.lower_ not in ("please", "kindly") for t in c.subtree}
    before = [t.lower_ for t in verb.doc[start:verb.i] if not t.is_punct and t.i not in aside]
    return bool(before) and all(w in ("never", "do", "not", "n't", "please", "always", "kindly") for w in before)


def _advice(token: Token) -> bool:
    """ "Your password should never be shared with anyone": advice to the reader, not a practice of the company."""
    verbs = [token] + ([token.head] if token.dep_ in ("conj", "xcomp") else [])
    return any(c.lemma_ == "should" for v in verbs for c in v.children if c.dep_ == "aux") and \
        not _agent(token).company


def _party_agent(token: Token) -> bool:
    """A participle with a "by" agent ("information collected by third parties"): a practice of that agent."""
    return any(c.dep_ == "agent" and any(g.dep_ == "pobj" and g.pos_ in ("NOUN", "PROPN") for g in c.children)
               for c in token.children)


def _to_us(token: Token) -> bool:
    """ "share ... with us", "disclose ... to us": the company is the one that receives."""
    return any(c.dep_ in ("prep", "dative") and c.lower_ in ("with", "to") and
               any(g.lower_ in ("us", "we") for g in c.children if g.dep_ == "pobj") for c in token.children)


def _helps(party: Token, verb: Token) -> bool:
    """The party is the means by which the verb is done: "we collect it (ourselves or using third-party services)",
    "through our analytics providers", "via advertising partners"."""
    token = party
    for _ in range(6):
        head = token.head
        if head.i == token.i or token.i == verb.i:
            return False
        if head.lower_ in ("using", "through", "via") and head.i > verb.i:
            return _governed_by(head, verb)
        token = head
    return False


def _governed_by(token: Token, verb: Token) -> bool:
    while token.head.i != token.i:
        if token.head.i == verb.i:
            return True
        if token.head.pos_ in ("VERB", "AUX") and token.dep_ not in ("advcl", "xcomp", "prep", "pcomp"):
            return False
        token = token.head
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
    """A participle describing a noun ("payment methods used", "uses not previously disclosed"): not a practice.
    The parser sometimes hangs such a participle on the main verb as a conjunct: a conjunct with no "and"/"or",
    no auxiliary and no subject of its own is one."""
    if token.dep_ == "acl" and token.tag_ == "VBN":
        return True
    return token.dep_ == "conj" and token.tag_ == "VBN" and \
        not any(c.dep_ in ("aux", "auxpass", "nsubj", "nsubjpass") for c in token.children) and \
        not any(c.dep_ == "cc" for c in token.head.children if c.i < token.i)


def _users_right(token: Token) -> bool:
    """What a right lets the user do ("the right to obtain a copy", "you are entitled to receive your data and to
    have it transmitted"): the user's act, not a practice of the company. A right's title counts however it is
    parsed ("Right to Access Your Personal Data.")."""
    if token.i >= 2 and token.doc[token.i - 1].lower_ == "to" and token.doc[token.i - 2].text in ("Right", "RIGHT"):
        return True
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


def _whose(token: Token) -> bool:
    """A party named as the owner or topic of something, not as a party of its own: "(to protect) the rights,
    property or safety of Google, our users or the public", "information about our partners"."""
    for _ in range(8):
        head = token.head
        if head.i == token.i:
            return False
        if head.pos_ == "ADP" and head.lower_ in ("of", "about", "regarding", "concerning") and token.dep_ == "pobj":
            return True
        if head.pos_ in ("VERB", "AUX"):
            return False
        token = head
    return False


def _receives(token: Token, triggers: set[int], strict: bool = True) -> bool:
    """A party mention is a recipient of the trigger only if no other verb, and no "about"/"of", stands between
    them ("disclose ... to protect the safety of other users": the users are protected, not recipients;
    "companies outside of Google": Google receives nothing). Not ``strict``: a party anywhere in the sentence
    qualifies unless "of"/"about"/"outside"/"except" governs it. The subject of the disclosure ("Reddit does not
    share ... with advertisers") and the owner of a recipient ("Google's affiliates") receive nothing."""
    if token.pos_ in ("NOUN", "PROPN") and ((token.dep_ == "nsubj" and token.head.i in triggers) or
                                            token.dep_ == "poss" or
                                            (token.i + 1 < len(token.doc) and token.doc[token.i + 1].tag_ == "POS")):
        return False
    while token.i not in triggers:
        head = token.head
        if head.i == token.i:
            return not strict
        if strict and head.pos_ in ("VERB", "AUX") and head.i not in triggers:
            return False
        if head.lower_ in ("outside", "except", "besides", "than") or \
                (strict and token.dep_ == "pobj" and head.lower_ in ("about", "of", "regarding", "concerning")):
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
        if c.lemma_.lower() in ANAPHORIC_NOUNS and \
                any(d.lower_ in ("these", "those", "such", "the") for d in c.children):
            return True
    return False


def _data_object(token: Token, owned: list[Mention]) -> bool:
    """The verb's object is data: a data-category mention it governs, or a generic "information"/"data"."""
    objects = {t.i for c in token.children if c.dep_ in ("dobj", "nsubjpass") for t in c.subtree}
    return any(m.scheme == "data" and m.start in objects for m in owned) or any(
        token.doc[i].lemma_.lower() in GENERIC_DATA for i in objects)


HOLDING_VERBS = {"keep", "store", "hold", "maintain"}
ON_DEVICE = {"device", "phone", "computer", "browser", "handset", "smartphone", "tablet", "machine"}


def _holds(token: Token, owned: list[Mention], parties: frozenset[int] = frozenset()) -> bool:
    """ "We keep the unique ID of your device", "your e-mail address is stored by us": the company holds the data
    it names as the verb's object, so it has collected it. Not where it is kept on the reader's device ("stored
    locally on your phone"), nor what others keep ("your bank stores your card number"), nor keeping it safe ("we
    urge you to keep your password secret")."""
    if token.lemma_.lower() not in HOLDING_VERBS or not _data_object(token, owned):
        return False
    if any(c.pos_ == "ADJ" and c.dep_ in ("ccomp", "xcomp", "oprd", "acomp") or c.dep_ == "dobj" and any(
            a.pos_ == "ADJ" and a.i > c.i for a in c.children) for c in token.children) or any(
            c.dep_ in ("dobj", "dative") and c.lemma_.lower() in USER_SUBJECTS for a in token.ancestors
            for c in a.children):
        return False
    if any(c.dep_ == "prep" and any(g.lemma_.lower() == "minimum" for g in c.children) for c in token.children):
        return False  # "we will keep the communications to a minimum"
    if any(c.lower_ == "locally" for c in token.children) or any(
            c.dep_ == "prep" and any(g.lemma_.lower() in ON_DEVICE and any(
                d.lower_ in ("your", "the", "user", "user's", "their") for d in g.children)
                for g in c.children if g.dep_ == "pobj") for c in token.children):
        return False
    return _agent(token, parties).company


def _data_head(token: Token, mentions: list[Mention]) -> bool:
    """The verb's object itself is data ("employ your e-mail address"), not a means that handles it ("employ
    measures to protect your information")."""
    heads = [c for c in token.children if c.dep_ in ("dobj", "nsubjpass")]
    return any(h.lemma_.lower() in GENERIC_DATA or any(m.scheme == "data" and m.start <= h.i < m.end for m in mentions)
               for h in heads)


NOT_PERSONAL = frozenset({"non", "non-", "anonymous", "anonymized", "anonymised", "aggregate", "aggregated",
                          "de-identified", "deidentified", "statistical"})


def _not_personal(noun: Token) -> bool:
    """ "Non-personal information", "anonymous data", "aggregated information": not data about a person."""
    return any(t.lower_ in NOT_PERSONAL for t in noun.doc[max(0, noun.left_edge.i):noun.i])


def _described_purposes(doc: Doc, mentions: list[Mention], recipients: tuple[RecipientMention, ...],
                        as_recipient: Callable[[Doc, Mention], RecipientMention]) -> tuple[str, ...]:
    """The purposes named in the clauses that describe the recipients: "companies who assist us in marketing",
    "third parties that provide us with services, such as technical maintenance or market research"."""
    heads = [doc[m.start:m.end].root for m in mentions if m.scheme in ("recipient", "org")
             and as_recipient(doc, m) in recipients]
    spans = [(t.i, t.right_edge.i) for h in heads for t in h.children if t.dep_ in ("relcl", "acl", "appos", "prep")
             and t.i > h.i]
    return _unique(m.concept for m in mentions if m.scheme == "purpose" and any(a <= m.start <= b for a, b in spans))


def _describes_party(doc: Doc, mention: Mention, mentions: list[Mention], verb: Token) -> bool:
    """The data mention is in a clause, other than the practice's own, that describes a party: "we share it with
    vendors who send emails for us" (what the vendors do, not the data shared). "Information collected by third
    parties, which may include your location" lists data, whatever noun the parser hangs it on."""
    parties = {i for m in mentions if m.scheme in ("recipient", "org") for i in range(m.start, m.end)}
    token = doc[mention.start:mention.end].root
    while token.head.i != token.i and token.i != verb.i:
        if token.dep_ in ("relcl", "acl") and token.head.i in parties and token.lemma_.lower() not in INCLUDE_VERBS:
            return True
        token = token.head
    return False


AGGREGATE = frozenset({"aggregate", "aggregated", "statistical", "de-identified", "deidentified"})


def _example_of_not_personal(doc: Doc, mention: Mention) -> bool:
    """ "Aggregated data such as statistical or demographic data": an example of data about no one in particular.
    ("Anonymous data such as your IP address or device ID" still names identifiers: a policy's "anonymous" is a
    claim, aggregation is a fact of the data.)"""
    token = doc[mention.start:mention.end].root
    for _ in range(4):
        if token.dep_ not in ("appos", "pobj", "prep", "conj", "amod", "compound", "nmod") or token.head.i == token.i:
            return False
        token = token.head
        if token.pos_ in ("NOUN", "PROPN") and any(
                t.lower_ in AGGREGATE for t in doc[max(0, token.left_edge.i):token.i]):
            return True
    return False


def _anaphoric_object(token: Token) -> bool:
    """The verb's data is named elsewhere: "we do not share this information", "we keep it", "such data"."""
    objects = [c for c in token.children if c.dep_ in ("dobj", "nsubjpass")]
    if not objects and token.dep_ == "conj":
        objects = [c for c in token.head.children if c.dep_ in ("dobj", "nsubjpass")]
    return any(o.lower_ in ("it", "them", "this", "these", "that", "such") or any(
        d.lower_ in ("this", "that", "these", "those", "such", "said") for d in o.children) for o in objects)


def _generic_object(token: Token) -> bool:
    """The verb acts on "information"/"data"/"it" without naming a category."""
    window = list(token.subtree) + (list(token.head.children) if token.dep_ == "conj" else [])
    return any(t.lemma_.lower() in GENERIC_DATA and t.pos_ in ("NOUN", "PROPN") and t.dep_ != "compound"
               and not _not_personal(t) for t in window) or any(
        c.dep_ in ("dobj", "nsubjpass") and c.lower_ in ("it", "them", "this", "these", "such") for c in window)


def _condition(doc: Doc, span: tuple[int, int] | None) -> str | None:
    """The clause that limits a practice ("except as described in this policy", "unless you consent"), from its
    ``_condition_span``."""
    return doc[span[0]:span[1]].text.strip(" ,;.") if span else None


INCLUDE_VERBS = {"include", "contain", "comprise", "cover", "encompass", "involve"}
EXCLUDING = {"except", "excluding", "excepting"}


def _flipped(doc: Doc, mention: Mention, trigger: Token) -> bool:
    """Whether a data mention has the opposite polarity of the practice that owns it: "we collect your zip code
    (but not your name)", "the information we collect does not include your card number", "we do not collect
    personal information except your e-mail address", "other than your e-mail address"."""
    if _in_excluding_brackets(doc, mention.start):
        return True  # "(not including your name, address or e-mail address)", however the parser hangs the list
    token = doc[mention.start:mention.end].root
    flips, seen = 0, set()
    while token.i != trigger.i and token.i not in seen:
        seen.add(token.i)
        if token.pos_ in ("NOUN", "PROPN") and any(c.dep_ == "neg" for c in token.children):
            flips += 1  # "not your name"
        if token.dep_ == "pobj" and (token.head.lower_ in EXCLUDING or (
                token.head.lower_ == "than" and token.head.i > 0 and doc[token.head.i - 1].lower_ == "other")):
            flips += 1
        if token.lemma_.lower() in INCLUDE_VERBS and (any(c.dep_ == "neg" for c in token.children) or (
                token.i > 0 and doc[token.i - 1].lower_ == "not" and token.dep_ in ("prep", "pcomp", "acl"))) and \
                not _either_way(token):
            flips += 1  # "does not include", "(not including your name)"
        if token.head.i == token.i:
            break
        token = token.head
    return flips % 2 == 1


PLAIN_DATA_WORDS = frozenset({"personal", "personally", "identifiable", "identifying", "your", "all", "any", "such",
                              "this", "that", "these", "those", "other", "additional", "certain", "some", "the", "user",
                              "customer", "private", "sensitive", "collected", "same", "more", "following"})


def _qualified_generic(head: Token) -> bool:
    """A generic data word narrowed by words we have no category for: "text messaging originator opt-in data" (not
    "personal data", "your information", "such information")."""
    if head.lemma_.lower() not in GENERIC_DATA:
        return False
    modifiers = [c for c in head.children if c.dep_ in ("compound", "amod", "nmod") and c.i < head.i]
    return any(c.lower_ not in PLAIN_DATA_WORDS for c in modifiers)


def _either_way(token: Token) -> bool:
    """ "including or not including PII", "whether or not it includes": both ways, so no exclusion."""
    before = [t.lower_ for t in token.doc[max(0, token.i - 4):token.i]]
    return "or" in before[-3:-1] and (any(t in ("whether", "with", "including") for t in before) or
                                       token.lemma_.lower() in before)


def _in_excluding_brackets(doc: Doc, i: int) -> bool:
    """Token ``i`` is inside brackets that open with an exclusion: "(but not ...", "(not including ...",
    "(excluding ...", "(except ..."."""
    for j in range(i - 1, max(-1, i - 40), -1):
        if doc[j].text == ")":
            return False
        if doc[j].text == "(":
            opening = [t.lower_ for t in doc[j + 1:min(i, j + 3)]]
            return bool(opening) and (opening[0] in EXCLUDING or opening[:2] in (["but", "not"], ["not", "including"])
                                      or opening[0] == "excluding")
    return False


def _comparative(token: Token) -> str | None:
    """ "will not release more information than it believes is necessary" denies the excess, not the practice:
    the "than ..." clause, which is the condition of the practice, or ``None``."""
    objects = [t for c in token.children if c.dep_ in ("dobj", "nsubjpass") for t in c.subtree]
    if not any(t.lower_ in ("more", "less", "fewer") for t in objects):
        return None
    than = next((t for t in token.doc[token.i:] if t.lower_ == "than"), None)
    if than is None:
        return None
    end = next((t.i for t in token.doc[than.i:] if t.text in (".", ";")), len(token.doc))
    return token.doc[than.i:end].text.strip(" ,")


def _inside_condition(token: Token) -> tuple[int, int] | None:
    """The clause a practice is itself the condition of: "If we plan to share your content with a third party, we
    will ask your parents first" states a disclosure only under that condition."""
    verb = token
    for _ in range(4):
        if verb.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in ("if", "unless", "when", "whenever", "where")
                                        for c in verb.children):
            return verb.left_edge.i, verb.right_edge.i + 1
        if verb.dep_ not in ("xcomp", "conj") or verb.head.i == verb.i:
            return None
        verb = verb.head
    return None


def _condition_span(token: Token) -> tuple[int, int] | None:
    """Token range [start, end) of the condition clause of ``token``, if it has one."""
    for t in token.subtree:
        other_than = t.lower_ == "than" and t.i > 0 and t.doc[t.i - 1].lower_ == "other"
        if (t.lower_ not in CONDITION_MARKERS and not other_than) or t.i < token.i - 12:
            continue
        if other_than:  # "other than as described above"
            span = [x for x in t.doc[t.i - 1:] if x.is_sent_start is not True and x.text not in (".", ";")][:25]
            return span[0].i, span[-1].i + 1
        if t.dep_ == "mark" or (t.dep_ == "advmod" and t.head.pos_ in ("VERB", "AUX") and t.head.i != token.i
                                 and t.i < t.head.i):
            span = list(t.head.subtree)  # "if you register", "when you contact us": the clause it opens
        elif t.dep_ in ("prep", "advmod", "cc") or t.pos_ in ("ADP", "SCONJ"):
            span = list(t.subtree)
            if len(span) == 1:  # a marker the parser left alone: up to the end of its clause
                span = [x for x in token.doc[t.i:] if x.is_sent_start is not True][:25]
                end = next((k for k, x in enumerate(span) if k and x.text in (",", ";", ".")), len(span))
                span = span[:end]
        else:
            continue
        if len(span) >= 2:
            return span[0].i, span[-1].i + 1
    return None


def _asked_by_another(token: Token) -> bool:
    """A right's words whose subject is another party: "an aggregation provider may request access to your data",
    "law enforcement may ask us to delete it" (the provider's request, not the reader's right)."""
    for t in [token, *token.ancestors]:
        subjects = [c for c in t.children if c.dep_ in ("nsubj", "nsubjpass")] if t.pos_ in ("VERB", "AUX") else []
        if subjects:
            return any(c.lemma_.lower() in OTHER_PARTIES for c in subjects)
    return False


def _choice_action(doc: Doc) -> bool:
    """The sentence says what the reader may decline: an opt-out verb ("unsubscribe", "stop", "withdraw"), leaving a
    list ("remove your name from our mailing list"), or a wish not to ("if you do not wish to receive", "if you
    prefer not to be included", "if you no longer want")."""
    for t in doc:
        lemma = t.lemma_.lower()
        if lemma in CHOICE_ACTIONS:
            return True
        if t.lower_ == "longer" and t.i > 0 and doc[t.i - 1].lower_ == "no" and t.head.pos_ in ("VERB", "AUX"):
            return True  # "request that we no longer use your information", "if you no longer wish to receive"
        if lemma in LIST_ACTIONS and any(c.lower_ in ("from", "off") and any(
                w.lemma_.lower() in LISTS for w in c.subtree) for c in t.children):
            return True
        if lemma in WISHING | {"like", "desire"} and t.pos_ == "VERB" and (
                any(c.dep_ == "neg" or c.lower_ == "longer" for c in t.children) or
                any(c.dep_ == "xcomp" and any(g.dep_ == "neg" for g in c.children) for c in t.children)):
            return True
    return False


def _described(token: Token) -> bool:
    """The words stand in what a description says ("we provide this policy to explain how we protect ..."), not in a
    statement of their own."""
    return any(a.lemma_.lower() in DESCRIBING and a.pos_ == "VERB" for a in token.ancestors)


def _readers_act(token: Token) -> bool:
    """The verb is the reader's to do: "you should encrypt your files", "we encourage you to encrypt them"."""
    verb = token if token.pos_ in ("VERB", "AUX") else next((a for a in token.ancestors if a.pos_ == "VERB"), None)
    if verb is None:
        return False
    if any(c.dep_ in ("nsubj", "nsubjpass") and c.lemma_.lower() in USER_SUBJECTS for c in verb.children):
        return True
    return verb.dep_ == "xcomp" and any(c.dep_ == "dobj" and c.lemma_.lower() in USER_SUBJECTS
                                        for c in verb.head.children)


def _describes_policy(doc: Doc) -> bool:
    """The sentence's subject is the policy or a part of it: "This notice explains how we protect your data", "The
    purpose of this policy is to describe ...", "It also describes how you can access your data": an outline of the
    policy, not a statement of its own."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return False
    subjects = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")]
    if root.lemma_.lower() == "be" and any(c.lemma_.lower() in META_SUBJECTS for c in subjects):
        return False  # "Our policy is to encrypt card numbers": a practice
    return any(_this_policy(w) for c in subjects for w in c.subtree) or (
        root.lemma_.lower() in DESCRIBING and any(c.lower_ in ("it", "this") for c in subjects)) or (
        root.lemma_.lower() in DESCRIBING and any(c.lower_ in ("here", "below") for c in root.children))
    # ("Here we explain how you can access that information", "Below we describe ...")


def _this_policy(token: Token) -> bool:
    """A word for the policy itself ("this Privacy Policy", "the notice"), not another policy ("our security
    policies", "our data retention policy")."""
    return token.lemma_.lower() in META_SUBJECTS and all(
        c.lower_ in ("privacy", "cookie", "online", "website", "site", "data", "protection")
        for c in token.children if c.dep_ in ("compound", "amod"))


def _policy_may_change(doc: Doc) -> bool:
    """The policy itself may change: "We may change this policy from time to time", "This Privacy Policy may be
    amended", "we reserve the right to make changes to this statement"; not "This policy was last updated on ..."
    (a date, no future change) nor "you can update your settings as this policy describes" (the reader's act)."""
    if not (WILL_CHANGE.search(doc.text) or any(t.tag_ == "MD" or t.lemma_.lower() == "reserve" for t in doc)):
        return False
    for t in doc:
        if t.lemma_.lower() not in CHANGE_LEMMAS:
            continue
        if t.pos_ == "VERB":
            if any(c.dep_ == "nsubj" and c.lemma_.lower() in USER_SUBJECTS for c in t.children):
                continue
            changed = [w for c in t.children if c.dep_ in ("dobj", "nsubjpass") for w in c.subtree]
        elif t.pos_ == "NOUN":  # "changes to this policy", "any modification of these terms"
            around = list(t.children) + (list(t.head.children) if t.dep_ == "dobj" else [])  # "make changes to"
            changed = [w for c in around if c.dep_ == "prep" and c.lower_ in ("to", "in", "of") for w in c.subtree]
        else:
            continue
        if any(w.lemma_.lower() in POLICY_WORDS and w.pos_ in ("NOUN", "PROPN", "PRON") for w in changed):
            return True
    return False


def _tracking_verb(doc: Doc, start: int, end: int) -> bool:
    """ "do not track" written in lower case after its subject ("we do not track your visits"): a verb phrase, not
    the name of the Do Not Track signal."""
    words = doc[start:end]
    return words.text.islower() and start > 0 and doc[start - 1].dep_ in ("nsubj", "nsubjpass") and \
        doc[start - 1].pos_ in ("PRON", "PROPN", "NOUN")


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
        acting = verb.lemma_.lower() == "take" and any(c.lemma_.lower() == "action" for c in verb.children)
        if (verb.lemma_.lower() not in DNT_VERBS and not acting) or verb.pos_ != "VERB" or verb.i in dnt_tokens:
            continue  # "respond to", "honor", ...; "take (no) action in response to"
        if verb.dep_ == "pcomp" and (verb.head.head.pos_ == "NOUN" or
                                     verb.head.lower_ in ("on", "for", "about", "regarding", "concerning")):
            continue  # "a standard for responding", "our policy on responding to these signals": named, not done
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


NOT_DESTINATION = re.compile(r"\b(?:outside|beyond|other\s+than|out\s+of|from)\s+(?:of\s+)?(?:the\s+)?$", re.I)
RESIDING = re.compile(r"\b(?:reside|resides|residing|located|live|lives|living|based)\b(?:\W+\w+){0,2}\W*$", re.I)


def _transfer_details(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Destination countries (ISO 3166 codes) and safeguards named in a transfer sentence. A country the data
    leaves or stays out of is none ("outside the UK", "from the EU to the United States", "other than Canada"),
    but where the reader lives outside a country, that country is where the data goes ("if you are located
    outside the United States, your information will be transferred to our servers")."""
    found = []
    for start, _, code in find_countries(text):
        before = NOT_DESTINATION.search(text[:start])
        if before is None or RESIDING.search(text[:before.start()]):
            found.append(code)
    return ((found[-1],) if found else ()), tuple(name for name, rx in SAFEGUARDS if rx.search(text))


def _merge(statements: list[Statement]) -> list[Statement]:
    """One statement per (kind, polarity, rule, whose data) in a sentence, with the union of values."""
    merged: dict[tuple, Statement] = {}
    for s in statements:
        key = (s.kind, s.negated, s.evidence.rule, s.third_party_collects, s.subjects)
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
            third_party_collects=m.third_party_collects, subjects=m.subjects,
            numbers=tuple(sorted(set(m.numbers + s.numbers))),
            texts=_unique(m.texts + s.texts), context=tuple(dict.fromkeys(m.context + s.context)))
    return list(merged.values())



# "This information may include ...", "Such data includes ...", "These include ...": the sentence lists what the data
# of the practice just stated is made of.
EXPANSION = re.compile(
    r"^\W*(?:(?:depending|based|subject|according|in\s+addition|in\s+particular|for\s+example|generally|typically|"
    r"usually|also|however)\b[^,;:]{0,80},\s*)?(?:examples\s+of\s+)?(?:(?:this|such|these|that|those|said|"
    r"the\s+above|the\s+foregoing|the|"
    r"this\s+type\s+of|these\s+types\s+of)"
    r"\s+(?:personal\s+|collected\s+|additional\s+)?(?:information|data|details|info)|"
    r"(?:this|these|such|said)\s+[\w-]+\s+(?:information|data|details|info)|this|these|it|they)\s+"
    r"(?:(?:may|can|will|might|could|also|generally|typically|usually|often|includes?\s*,?\s*but\s+is)\s+){0,4}"
    r"(?:includes?|consists?\s+of|comprises?|contains?|covers?|(?:is|are)\s+(?:information|data|details)?)",
    re.I)


# "Information such as your IP address and browser type.", "Such as your name.", "Including the pages you visit.": a
# fragment (no finite verb) giving examples of the data of the practice just stated
EXAMPLES = re.compile(r"^\W*(?:(?:this|such|the|that|these|those)\s+)?(?:(?:personal|non-personal|collected|"
                      r"additional|usage|device|log|technical)\s+)?(?:information|data|details|info)?\s*,?\s*"
                      r"(?:such\s+as|including|like|e\.\s?g\.|for\s+example)\b", re.I)


FINITE_TAGS = frozenset(get_string_id(tag) for tag in ("VBZ", "VBP", "VBD", "MD"))


def _first_item_inline(doc: Doc) -> bool:
    """A list's lead-in with its first item run in after the colon, verbless ("Here are examples of the device
    information we collect: Attributes such as the operating system.") or with finite verbs only in clauses inside it
    ("including: the pages you view and the links you click;"): the verbless paragraphs after it are the other
    items."""
    colon = next((t.i for t in reversed(doc) if t.text == ":"), None)
    if colon is None or colon == 0:
        return False
    rest = doc[colon + 1:]
    return any(t.is_alpha for t in rest) and all(t.tag not in FINITE_TAGS or _subordinate(t, colon) for t in rest) \
        and not FINITE_TAGS.isdisjoint(t.tag for t in doc[:colon])


def _subordinate(token: Token, after: int = -1) -> bool:
    """The finite verb ``token`` is in a clause inside a noun phrase, one that starts after token ``after``: a
    relative or adverbial clause ("the links you click on", "your name when you register") or one with its own
    conjunction ("whether you open a message")."""
    return any(a.i > after and (a.dep_ in SUBORDINATE_DEPS or any(c.dep_ == "mark" for c in a.children))
               for a in (token, *token.ancestors))


# clauses that modify a word of a noun phrase ("the network you use", "your name when you register"): a finite verb
# in one is no main verb of the sentence
SUBORDINATE_DEPS = frozenset({"relcl", "acl", "advcl"})


def _fragment(doc: Doc) -> bool:
    """A sentence without a finite verb ("With our payment processors."), as list items often are; a noun phrase
    whose only finite verbs are in clauses inside it ("Information about the device you use, such as its carrier;")
    is one too, unless it opens with its clause ("When you register, your name.")."""
    if FINITE_TAGS.isdisjoint(doc.to_array(TAG).tolist()):
        return True
    root = doc[:].root
    if root.pos_ not in ("NOUN", "PROPN"):
        return False
    return all(t.tag not in FINITE_TAGS or _subordinate(t, root.i) for t in doc)


NEGATABLE = frozenset({"personal", "personally", "identifiable", "identifying", "pii", "sensitive", "precise"})


def _negative_term(doc: Doc, start: int) -> bool:
    """The words at ``start`` are the end of a "non-" term: "Non-Personal Information" is not personal information."""
    before = [t.lower_ for t in doc[max(0, start - 2):start]]
    return bool(before) and doc[start].lower_ in NEGATABLE and (before[-1] in ("non", "non-") or
                                                                before[-2:] == ["non", "-"])


def _with_terms(mentions: list[Mention], terms: Terms, doc: Doc) -> tuple[list[Mention], list[str]]:
    """``mentions`` plus the data categories of the defined terms used in ``doc`` (and those terms); a term's span
    replaces the shorter data mentions inside it ("Non-Personal Information" is not "personal information")."""
    found = [(s, e, term) for s, e, term in terms.mentions(doc) if not _negative_term(doc, s)]
    if not found:
        return mentions, []
    out = [m for m in mentions if m.scheme != "data" or not any(
        s <= m.start and m.end <= e and (m.start, m.end) != (s, e) for s, e, _ in found)]
    for start, end, term in found:
        out.extend(Mention("data", concept, start, end) for concept in terms.concepts[term])
    return sorted(out, key=lambda m: m.start), [term for _, _, term in found]
