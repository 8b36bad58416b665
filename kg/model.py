"""Frozen records passed between the pipeline stages.

ingest -> Document -> segment -> Segmented (sections, sentences) -> extract -> Statement -> normalize -> Practice
-> graph. Provenance (document, section, sentence, character offsets, rule id) is a field from the first stage on.
All character offsets are into ``Document.text`` (the decoded text of a .txt/.md file, verbatim; for HTML, the
text layer extracted from the markup), so ``document.text[start:end]`` is always the evidence text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Document:
    """One input file, decoded. ``text`` is what every offset refers to."""

    path: str  # as given on the command line
    name: str  # file name, used as the policy's source identifier
    media_type: str  # "text/plain", "text/html" or "text/markdown"
    text: str
    sha256: str  # of the raw bytes
    encoding: str
    warnings: tuple[str, ...] = ()
    title: str | None = None  # HTML: the page's <title>, a cue to its publisher's name
    site_name: str | None = None  # HTML: <meta property="og:site_name"> (or application-name)

    @property
    def doc_id(self) -> str:
        """Short content hash used in IRIs: same bytes, same IRIs."""
        return self.sha256[:16]


@dataclass(frozen=True)
class Block:
    """A unit of cleaned text: a heading, a paragraph or a list item.

    ``text`` is cleaned (hard wraps joined, list markers and navigation debris removed, e-mails de-obfuscated);
    ``origin[i]`` is the offset in ``Document.text`` of ``text[i]``, and ``origin[len(text)]`` is the end offset
    of the block in the document, so any span of the block maps back to the document. Offsets increase, except
    that characters cleaning produced may share one: the " | " between the cells of a plain-text table's row
    stands for the tab or the spaces between them.
    """

    kind: str  # "heading" | "paragraph" | "item" | "row" (a table row, its cells separated by " | ")
    text: str
    origin: tuple[int, ...]
    level: int = 0  # heading depth (1 = top) or list nesting depth

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of ``text`` to document offsets."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span {start}:{end} outside block of length {len(self.text)}")
        return self.origin[start], self.origin[end - 1] + 1


@dataclass(frozen=True)
class Sentence:
    """A sentence with its place in the document."""

    index: int  # 0-based position in the document
    text: str  # cleaned text: what the extractor reads
    start: int  # offsets into Document.text
    end: int
    section: tuple[str, ...]  # heading path, outermost first
    block_kind: str  # kind of the block it came from ("heading", "paragraph", "item", "row")
    origin: tuple[int, ...] = field(repr=False, default=())  # document offset of each char of text, plus end
    level: int = 0  # of its block: a list item's nesting depth (1 = top), a heading's depth, else 0

    def doc_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the sentence's cleaned text to document offsets."""
        if not self.origin:
            return self.start + start, self.start + end
        return self.origin[start], self.origin[end - 1] + 1


@dataclass(frozen=True)
class Segmented:
    """A document cut into sections and sentences."""

    document: Document
    sentences: tuple[Sentence, ...]
    headings: tuple[Sentence, ...]  # headings are also sentences (block_kind "heading") for controller/date cues


@dataclass(frozen=True)
class Evidence:
    """Where a statement comes from: the sentence, its offsets, and the rule that fired."""

    doc_id: str
    sentence_index: int
    start: int
    end: int
    text: str  # == Document.text[start:end]
    section: tuple[str, ...]
    rule: str  # e.g. "share.verb.v1"
    matched: str = ""  # the words a value was read from, when narrower than the sentence


@dataclass(frozen=True)
class RecipientMention:
    """A recipient as written: a named organisation and/or a kind concept IRI."""

    kind: str  # concept IRI in the recipient-kind scheme
    name: str | None = None  # organisation name when the text names one ("Stripe")
    org: str | None = None  # concept IRI in the organisation scheme, when known


@dataclass(frozen=True)
class Statement:
    """Raw output of the extractor for one sentence (values are concept IRIs or raw strings)."""

    kind: str  # see STATEMENT_KINDS
    negated: bool
    evidence: Evidence
    data: tuple[str, ...] = ()  # data-category concept IRIs
    purposes: tuple[str, ...] = ()
    recipients: tuple[RecipientMention, ...] = ()
    legal_bases: tuple[str, ...] = ()
    retention: tuple[str, ...] = ()  # raw retention phrases, normalised later
    values: tuple[str, ...] = ()  # concept IRIs for rights, choices, security measures, audiences, DNT stance
    condition: str | None = None
    third_party_collects: bool = False  # "Google ... collect" (third party collects on our site)
    numbers: tuple[int, ...] = ()  # e.g. the children's age threshold
    texts: tuple[str, ...] = ()  # raw strings, e.g. policy-change notification methods
    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-2 destinations of a transfer
    safeguards: tuple[str, ...] = ()  # transfer safeguards as named ("standard contractual clauses")
    subjects: tuple[str, ...] = ()  # audience concept IRIs a practice is limited to ("from children under 13")
    # other sentences it was read with (a term's definition, its list's lead-in, what "this information" refers to)
    context: tuple[Evidence, ...] = ()


STATEMENT_KINDS = (
    "collect", "use", "share", "sell", "retain", "transfer",
    "right", "legal_basis", "audience", "dnt", "security", "choice", "change",
)
PRACTICE_KINDS = ("collect", "use", "share", "sell", "retain", "transfer")


@dataclass(frozen=True)
class Retention:
    """A normalised retention period (see kg.normalize.durations)."""

    kind: str  # "temporal" | "until_event" | "endless" | "indeterminate"
    text: str  # the phrase it was read from
    iso: str | None = None  # ISO 8601 duration, e.g. "P7Y"
    days: float | None = None
    bound: str | None = None  # "upper" | "exact" | "lower"
    trigger: str | None = None  # local name of a ppkg:RetentionTrigger, e.g. "LastActivity"


@dataclass(frozen=True)
class Practice:
    """A normalised statement, ready for the graph."""

    kind: str
    negated: bool
    evidence: Evidence
    data: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()
    recipients: tuple[RecipientMention, ...] = ()
    legal_bases: tuple[str, ...] = ()
    retention: tuple[Retention, ...] = ()
    values: tuple[str, ...] = ()
    condition: str | None = None
    third_party_collects: bool = False
    numbers: tuple[int, ...] = ()
    texts: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    safeguards: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    context: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Contact:
    """A contact value with the sentence it was found in."""

    kind: str  # "email" | "phone" | "address" | "url"
    value: str
    evidence: Evidence


@dataclass(frozen=True)
class PrivacyContact:
    role: str  # "Privacy Officer", "Data Protection Officer", ...
    evidence: Evidence
    name: str | None = None
    is_dpo: bool = False
    contacts: tuple[Contact, ...] = ()


@dataclass(frozen=True)
class ControllerInfo:
    """Who publishes the policy and how to reach them."""

    legal_name: str
    evidence: Evidence | None  # where the text names it; None for a name given in a manifest that the text never writes
    aliases: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    country: str | None = None  # ISO 3166-1 alpha-2, e.g. "CA"
    privacy_contact: PrivacyContact | None = None
    named_by: str = "text"  # "text" (read by a cue: see evidence.rule) or "manifest" (given by the user)


@dataclass(frozen=True)
class PolicyMetadata:
    """What the user says about one input file in a build manifest (``kg.manifest``); every field optional."""

    controller: str | None = None  # preferred over the name extraction finds
    url: str | None = None  # where the policy was retrieved from
    jurisdiction: str | None = None  # as given: "EU", "US-CA", "Germany"
    retrieved: str | None = None  # ISO date of retrieval
    origin: str = ""  # "manifest.csv:3", for messages


@dataclass(frozen=True)
class JurisdictionCue:
    """A sentence that says whose data the policy is about: a place (a DPV ``loc:`` code) and its evidence."""

    location: str  # "EEA", "EU", "GB", "US-CA"
    evidence: Evidence


@dataclass(frozen=True)
class PolicyRecord:
    """Everything extracted from one document: the input of the graph stage."""

    document: Document
    controller: ControllerInfo | None  # None when the text never names its publisher (reported as a warning)
    practices: tuple[Practice, ...]
    model: str  # spaCy pipeline that ran, e.g. "en_core_web_sm 3.8.0"
    date: str | None = None  # ISO date of the policy version
    date_evidence: Evidence | None = None
    warnings: tuple[str, ...] = ()
    metadata: PolicyMetadata | None = None  # from a build manifest
    jurisdictions: tuple[JurisdictionCue, ...] = ()  # the places the policy's words address (kg.jurisdiction)


@dataclass(frozen=True)
class PolicyHeader:
    """What a store needs of a policy besides its triples: the name of its graph, and what decides whether it is
    new, repeats a stored policy, replaces one or is kept beside it as another version (``kg.store._plan_add``)."""

    iri: str  # the policy IRI, also the name of its graph in a store
    source: str  # the source file's name
    sha256: str  # of the file's bytes
    date: str | None = None  # the policy date



@dataclass(frozen=True)
class PlannedFile:
    """One input of a build: a policy file, or one record of a records file (``kg.records``).

    ``path``: the file, or ``FILE:LINE`` for a record (what messages name); ``digest``: the sha256 of its bytes (a
    record's: of its text or HTML, UTF-8), None when the file cannot be read that way (the pipeline says why);
    ``metadata``: its build-manifest row, or the record's own fields. A record carries its ``content`` (the bytes),
    its ``media_type`` and its ``source`` name (the policy's ``ppkg:sourceFile``); a file is read when built."""

    path: Path
    digest: str | None
    metadata: PolicyMetadata | None = None
    content: bytes | None = None
    media_type: str = "text/plain"
    source: str | None = None
