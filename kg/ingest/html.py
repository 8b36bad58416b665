"""The text layer of an HTML page: what a reader sees, one block per line, with light Markdown structure.

Headings come out as ``## Title`` (one ``#`` per level) and list items as ``- item`` (indented two spaces per
nesting level), so :mod:`kg.ingest.clean` reads HTML structure the way it reads Markdown. Table rows come out as
``| cell | cell``. Page furniture (scripts, styles, navigation, header, footer, forms, buttons) is dropped.
Malformed markup never raises: the parser is the forgiving :class:`html.parser.HTMLParser`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote

# Elements whose content is page furniture or code, never policy text.
SKIPPED = frozenset({
    "script", "style", "noscript", "template", "title", "nav", "header", "footer", "aside", "form", "button",
    "select", "svg", "iframe", "object",
})
_BLOCKS = frozenset({
    "address", "article", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "hr", "main", "p", "pre", "section", "summary", "table", "tbody", "thead",
    "tfoot",
})
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_LISTS = frozenset({"ul", "ol", "menu"})
# Skipped elements whose end tag sloppy pages forget; their text is kept rather than losing the rest of the page.
_REPAIRABLE = frozenset({"nav", "header", "footer", "aside", "form"})
_SPACE_RE = re.compile(r"\s+")
_CF_HREF_RE = re.compile(r"/cdn-cgi/l/email-protection#([0-9a-fA-F]+)")
_SITE_NAME_META = frozenset({"og:site_name", "application-name", "apple-mobile-web-app-title"})


def decode_cloudflare(hexed: str) -> str | None:
    """Decode Cloudflare's ``data-cfemail`` value (first byte is the XOR key), or ``None`` if malformed.

    >>> decode_cloudflare("543d3a323b14312c35392438317a373b39")
    'info@example.com'
    """
    try:
        data = bytes.fromhex(hexed)
    except ValueError:
        return None
    if len(data) < 2:
        return None
    decoded = bytes(b ^ data[0] for b in data[1:])
    try:
        text = decoded.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if "@" in text and text.isprintable() else None


class _TextLayer(HTMLParser):
    def __init__(self, keep: frozenset[tuple[int, int]]):
        super().__init__(convert_charrefs=True)
        self.keep = keep  # positions of skipped elements never closed: their text is kept (see extract_text)
        self.out: list[str] = []
        self.breaks = 0  # newlines owed before the next text
        self.prefix = ""  # owed before the next text: a heading or item marker, or a cell separator
        self.skipping: list[tuple[str, tuple[int, int]]] = []
        self.pre = 0
        self.lists = 0  # depth of open <ul>/<ol>
        self.cells = 0  # cells seen in the current table row
        self.in_cell = 0
        self.empty_last = False  # the row's latest cell had no text (its bar is written: see _empty_cell)
        self.replacing: str | None = None  # tag of an element whose content was replaced by a decoded address
        self.mailto: list[tuple[str, int]] = []  # open <a href="mailto:…"> links: (address, len(out) at the start)
        self.title: list[str] | None = None  # the first <title>'s text, once it has started
        self.title_done = False
        self.site_name: str | None = None  # <meta property="og:site_name"> or <meta name="application-name">

    # -- output -------------------------------------------------------------------------------------------------

    def _break(self, n: int) -> None:
        """Owe ``n`` newlines, unless a marker waits for its text or the break would split a table cell."""
        if self.in_cell:
            if self.out and not self.out[-1].endswith(" "):
                self.out.append(" ")
        elif not self.prefix:
            self.breaks = max(self.breaks, n)

    def _text(self, text: str) -> None:
        if not self.pre:
            text = _SPACE_RE.sub(" ", text)
        at_line_start = not self.out or self.breaks > 0 or self.out[-1].endswith("\n")
        if at_line_start or self.out[-1].endswith(" "):
            text = text.lstrip(" ")
        if not text:
            return
        if self.out and self.breaks:
            self.out.append("\n" * self.breaks)
        self.breaks = 0
        if self.prefix:
            if self.prefix == " | " and (at_line_start or self.out[-1].endswith(" ")):
                self.prefix = "| "
            self.out.append(self.prefix)
            self.prefix = ""
            self.empty_last = False
        self.out.append(text)

    def _empty_cell(self) -> None:
        """A cell that got no text keeps its place in the row: its bar is written anyway ("| a | | c"), and a row
        that ends with one gets a closing bar, so that no column shifts."""
        if self.prefix not in ("| ", " | "):
            return
        self.prefix = ""
        if self.out and self.breaks:
            self.out.append("\n" * self.breaks)
        self.breaks = 0
        self.out.append("|" if not self.out or self.out[-1].endswith(("\n", " ")) else " |")
        self.empty_last = True

    def _end_row(self) -> None:
        self._empty_cell()
        if self.empty_last:
            self.out.append(" |")
        self.empty_last = False
        self.in_cell = 0

    def text(self) -> str:
        lines = [line.rstrip() for line in "".join(self.out).split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")

    # -- parser events ------------------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta" and self.site_name is None:
            values = {name: value or "" for name, value in attrs}
            if (values.get("property") or values.get("name", "")).lower() in _SITE_NAME_META:
                self.site_name = " ".join(values.get("content", "").split()) or None
        if tag == "title" and self.title is None and not self.skipping:
            self.title = []
        if self.skipping or self.replacing:
            if tag in SKIPPED and self.skipping:
                self.skipping.append((tag, self.getpos()))
            return
        if tag in SKIPPED and self.getpos() not in self.keep:
            self.skipping.append((tag, self.getpos()))
            return
        values = {name: value or "" for name, value in attrs}
        address = self._protected_address(values)
        if address:
            self._text(address)
            self.replacing = tag
            return
        href = values.get("href", "")
        if tag == "a" and href[:7].lower() == "mailto:":
            self.mailto.append((unquote(href[7:].split("?", 1)[0]).strip(), len(self.out)))
        if tag in _HEADINGS:
            self._break(2)
            self.prefix = "#" * _HEADINGS[tag] + " "
        elif tag in _LISTS:
            self._break(1 if self.lists else 2)
            self.lists += 1
        elif tag == "li":
            self.breaks = max(self.breaks, 1)
            self.prefix = "  " * max(self.lists - 1, 0) + "- "
        elif tag == "tr":
            self._end_row()  # of a row whose </tr> was left out
            self._break(1)
            self.cells = 0
        elif tag in ("td", "th"):
            self._empty_cell()  # of a cell whose </td> was left out
            self.prefix = "| " if self.cells == 0 else " | "
            self.cells += 1
            self.in_cell += 1
        elif tag == "br" and self.in_cell:
            self._break(1)  # a line break inside a cell does not end the row
        elif tag == "br":
            self.breaks = min(self.breaks + 1, 2) if self.out else 0
        elif tag in _BLOCKS:
            if tag == "pre":
                self.pre += 1
            self._break(2)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            return  # <button/>: an empty element, nothing to skip
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.title is not None:
            self.title_done = True
        if self.skipping:
            if any(t == tag for t, _ in self.skipping):
                while self.skipping.pop()[0] != tag:
                    pass
            return
        if self.replacing:
            if tag == self.replacing:
                self.replacing = None
            return
        if self.mailto and tag == "a":
            address, start = self.mailto.pop()
            if address and "@" not in "".join(self.out[start:]):
                self._text(f" ({address})")
        if tag in _HEADINGS:
            self.prefix = ""
            self._break(2)
        elif tag in _LISTS:
            self.lists = max(self.lists - 1, 0)
            self.prefix = ""
            self._break(1 if self.lists else 2)
        elif tag == "li":
            self.prefix = ""
            self.breaks = max(self.breaks, 1)
        elif tag in ("td", "th"):
            self._empty_cell()
            self.in_cell = max(self.in_cell - 1, 0)
        elif tag in ("tr", "table"):
            self._end_row()
            self._break(1 if tag == "tr" else 2)
        elif tag in _BLOCKS:
            if tag == "pre" and self.pre:
                self.pre -= 1
            self._break(2)

    def handle_data(self, data: str) -> None:
        if not self.skipping and not self.replacing:
            self._text(data)
        elif self.title is not None and not self.title_done and len(self.skipping) == 1 and \
                self.skipping[0][0] == "title":
            self.title.append(data)

    @staticmethod
    def _protected_address(attrs: dict[str, str]) -> str | None:
        """The address behind Cloudflare's e-mail protection on this element, if any."""
        if "data-cfemail" in attrs:
            return decode_cloudflare(attrs["data-cfemail"])
        match = _CF_HREF_RE.search(attrs.get("href", ""))
        return decode_cloudflare(match.group(1)) if match else None


@dataclass(frozen=True)
class Page:
    """An HTML page as ingest keeps it: the text layer, repair warnings, and the names the page gives itself."""

    text: str
    warnings: list[str]
    title: str | None = None  # the <title>, whitespace collapsed
    site_name: str | None = None  # og:site_name or application-name


def extract_text(markup: str) -> tuple[str, list[str]]:
    """Return the text layer of ``markup`` and warnings about markup that had to be repaired (see ``extract_page``)."""
    page = extract_page(markup)
    return page.text, page.warnings


def extract_page(markup: str) -> Page:
    """The text layer of ``markup``, warnings about markup that had to be repaired, and the page's title and site
    name (a controller-name cue: ``kg.extract.controller``).

    A skipped element (``<nav>``, ``<header>``, …) left open would hide everything after it; its text is kept
    instead, with a warning. Addresses hidden by Cloudflare's e-mail protection are decoded.
    """
    keep: frozenset[tuple[int, int]] = frozenset()
    warnings: list[str] = []
    while True:
        parser = _TextLayer(keep)
        parser.feed(markup)
        parser.close()
        unclosed = [(tag, pos) for tag, pos in parser.skipping if tag in _REPAIRABLE]
        if not unclosed:
            title = " ".join("".join(parser.title or ()).split()) or None
            return Page(parser.text(), warnings, title, parser.site_name)
        # Keep the outermost unclosed element's text; inner ones are then seen afresh.
        tag, pos = unclosed[0]
        keep |= {pos}
        warnings.append(f"<{tag}> at line {pos[0]} is never closed; its text was kept")
