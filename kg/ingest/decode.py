"""Bytes to text: byte-order marks, UTF-8, a guessed legacy encoding; and the checks that reject an input early
(binary content, no text, not English)."""
from __future__ import annotations

import codecs
import re
from functools import cache
from importlib.resources import files

import charset_normalizer

from kg.errors import NotEnglish, UnreadableInput

_BOMS = (  # UTF-32 before UTF-16: their little-endian marks share a prefix
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")
# the control characters (Unicode category Cc, which is closed: U+0000-U+001F, U+007F-U+009F) but _TEXT_CONTROLS
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
MAX_CONTROL_SHARE = 0.01  # more control characters than this and the "text" is binary
MIN_WORDS = 50  # below this many words the language check is skipped: too little evidence
MIN_ENGLISH_SHARE = 0.06  # English prose scores 0.40-0.50, cookie tables ~0.1, German or French below 0.02
_WORD_RE = re.compile(r"[^\W\d_]+")
BINARY = "binary file, not a text policy"


def decode_bytes(raw: bytes, path: str) -> tuple[str, str, list[str]]:
    """Decode ``raw``; return the text, the encoding used and warnings.

    A byte-order mark wins, then strict UTF-8, then charset-normalizer's best guess (with a warning).
    Raises ``UnreadableInput`` for binary content or bytes no encoding explains.
    """
    if raw.startswith(b"%PDF-"):
        raise UnreadableInput(path, "PDF file, not a text policy", hint="extract its text first, e.g. with pdftotext")
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw[len(bom):].decode(encoding)
            except UnicodeDecodeError as e:
                raise UnreadableInput(path, f"not valid {encoding} despite its byte-order mark ({e.reason})") from e
            return _checked(text, path), encoding, []
    if b"\x00" in raw:
        raise UnreadableInput(path, BINARY)
    try:
        return _checked(raw.decode("utf-8"), path), "utf-8", []
    except UnicodeDecodeError:
        pass
    guess = charset_normalizer.from_bytes(raw).best()
    if guess is None:
        raise UnreadableInput(path, "cannot tell the text encoding", hint="save the file as UTF-8")
    return _checked(str(guess), path), guess.encoding, [f"not UTF-8; decoded as {guess.encoding} (a guess)"]


def _checked(text: str, path: str) -> str:
    """Return ``text`` unless control characters show it is binary data decoded by accident."""
    controls = len(_CONTROL_RE.findall(text))
    if "\x00" in text or controls > MAX_CONTROL_SHARE * len(text):
        raise UnreadableInput(path, BINARY)
    return text


@cache
def english_words() -> frozenset[str]:
    """The function words of ``english.txt``."""
    lines = files(__package__).joinpath("english.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def english_share(text: str) -> tuple[float, int]:
    """Return the share of common English function words among the words of ``text``, and the word count.

    >>> english_share("We sell the data.")
    (0.5, 4)
    """
    words = _WORD_RE.findall(text)
    if not words:
        return 0.0, 0
    common = english_words()
    return sum(w.lower() in common for w in words) / len(words), len(words)


def check_english(text: str, path: str) -> None:
    """Raise ``NotEnglish`` when ``text`` has enough words to judge and few of them are English function words.

    Scripts without spaces between words (Chinese, Japanese) are judged by their letters instead.
    """
    letters = [] if text.isascii() else [c for c in text if c.isalpha()]  # ASCII letters are all Latin
    if len(letters) >= 4 * MIN_WORDS and sum(c < "\u0250" for c in letters) < len(letters) / 2:
        raise NotEnglish(path, "text is mostly in a non-Latin script, not English",
                         hint="privacy-kg reads English policies only")
    share, count = english_share(text)
    if count >= MIN_WORDS and share < MIN_ENGLISH_SHARE:
        raise NotEnglish(path, f"text does not look like English (only {share:.0%} of its {count} words are "
                               f"common English words)", hint="privacy-kg reads English policies only")
