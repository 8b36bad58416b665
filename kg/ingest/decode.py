"""Bytes to text: byte-order marks, UTF-8, a guessed legacy encoding; and the checks that reject an input early
(binary content, no text, not English)."""
from __future__ import annotations

import codecs
import re
from functools import cache
from importlib.resources import files

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

    In order: a byte-order mark wins (UTF-8, UTF-16, UTF-32, strictly); UTF-16 without a mark is recognised by
    its zero bytes (English text in UTF-16 has one in every other byte); otherwise the bytes are read as UTF-8,
    and any byte that is not part of a valid UTF-8 sequence is read as Windows-1252 (what Latin-1 text almost
    always is in practice; its five undefined bytes become U+FFFD), with a warning that says how many and where.
    So a Latin-1 or Windows-1252 policy decodes right, and one stray byte in a UTF-8 file costs that byte only.
    Text that is valid UTF-8 but was mis-decoded before it was saved ("â€™" for "’") is repaired by ``ftfy``
    where its mojibake detector is sure, with a warning.
    Raises ``UnreadableInput`` for binary content or a byte-order mark the bytes do not follow.
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
        wide = _utf16_without_bom(raw)
        if wide is None:
            raise UnreadableInput(path, BINARY)
        try:
            text = raw.decode(wide)
        except UnicodeDecodeError as e:
            raise UnreadableInput(path, f"looks like {wide} without a byte-order mark but is not ({e.reason})",
                                  hint="save the file as UTF-8") from None
        return _checked(text, path), wide, [f"no byte-order mark; decoded as {wide} from its zero bytes"]
    try:
        text, encoding, warnings = raw.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as e:
        first = e.start
        text, bad = _utf8_else_cp1252(raw)
        encoding = "windows-1252" if bad == _count_non_ascii(raw) else "utf-8+windows-1252"
        warnings = [f"not UTF-8: {bad} byte(s) read as Windows-1252 (a guess; the first at byte {first})"
                    if encoding == "windows-1252" else
                    f"{bad} byte(s) that are not UTF-8 (the first at byte {first}) read as Windows-1252"]
    text = _checked(text, path)
    repaired = _repair_mojibake(text)
    if repaired is not None:
        text = repaired
        warnings.append("mojibake repaired: the text had been decoded with the wrong encoding before it was saved")
    return text, encoding, warnings


def _utf16_without_bom(raw: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when the zero bytes are where UTF-16 puts them for mostly-Latin text (over a
    third of the odd bytes, or of the even ones, and almost none of the others), else None."""
    sample = raw[:65536]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2 or 1
    if len(sample) % 2 == 0 and odd > half / 3 and even < half / 50:
        return "utf-16-le"
    if len(sample) % 2 == 0 and even > half / 3 and odd < half / 50:
        return "utf-16-be"
    return None


_ESCAPED_RE = re.compile("[\udc80-\udcff]+")  # bytes that are not UTF-8, as "surrogateescape" keeps them


def _utf8_else_cp1252(raw: bytes) -> tuple[str, int]:
    """``raw`` as UTF-8 with each byte that is not part of a valid UTF-8 sequence read as Windows-1252 (U+FFFD
    for its five undefined bytes); and how many such bytes there were."""
    text = raw.decode("utf-8", errors="surrogateescape")
    bad = 0

    def as_cp1252(match: re.Match[str]) -> str:
        nonlocal bad
        bad += len(match.group())
        return match.group().encode("utf-8", errors="surrogateescape").decode("cp1252", errors="replace")

    return _ESCAPED_RE.sub(as_cp1252, text), bad


def _count_non_ascii(raw: bytes) -> int:
    return len(raw) - len(raw.decode("ascii", errors="ignore"))


def _repair_mojibake(text: str) -> str | None:
    """``text`` with its mojibake undone by ``ftfy.fix_encoding``, or None when there is none: ftfy changes text
    only where its badness heuristic is sure ("â€™" for "’", "‚Äú" for "“"; ordinary accented words are left
    alone). About 0.3 s per MB of non-ASCII text; ASCII text has no mojibake and is not looked at."""
    if text.isascii():
        return None
    import ftfy

    fixed = ftfy.fix_encoding(text)
    return fixed if fixed != text else None


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
