"""Text decoding: BOM, declared charset, UTF-8, then charset-normalizer. Never assumed."""

from __future__ import annotations

import codecs
import re
from typing import Literal

import charset_normalizer

from storyline.config import READ, ReadConfig

Kind = Literal["text", "html", "xml"]


class DecodeError(ValueError):
    """The bytes are not text in any encoding we could establish."""


_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Magic numbers of common binary formats that must never be taken for text.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x7fELF", "ELF executable"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\x28\xb5\x2f\xfd", "zstd archive"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\xcf\xfa\xed\xfe", "Mach-O executable"),
    (b"\xca\xfe\xba\xbe", "Java class or Mach-O binary"),
    (b"\x00asm", "WebAssembly binary"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office document"),
)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""", re.IGNORECASE)
_BALTIC = frozenset(("cp1257", "iso8859_13", "iso8859_4", "iso8859_10", "cp775", "mac_latin2"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")
# Labels that mean "a single-byte Western encoding": browsers read them as windows-1252.
_WESTERN = {"iso-8859-1", "latin-1", "latin1", "iso8859-1", "us-ascii", "ascii", "cp1252", "windows-1252"}


def binary_kind(data: bytes) -> str | None:
    """Name of the binary format `data` starts with, or None when it may be text."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    head = data[:8192]
    if b"\x00" in head and bom_encoding(head) is None and _utf16_without_bom(head) is None:
        return "binary data"
    return None


def bom_encoding(data: bytes) -> str | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return None


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 without a BOM shows as zero bytes on every even or every odd position."""
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    return None


def declared_encoding(data: bytes, kind: Kind) -> str | None:
    """Charset declared inside the document (XML declaration or HTML meta), if any."""
    head = data[:4096]
    if kind in ("xml", "html"):
        match = _XML_ENCODING.search(head)
        if match:
            return match.group(1).decode("ascii").lower()
    if kind == "html":
        match = _META_CHARSET.search(head)
        if match:
            return match.group(1).decode("ascii").lower()
    return None


def _usable(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _WESTERN:
        return "cp1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # A document that declares UTF-16/32 but has no BOM is in fact ASCII-compatible.
    if name.startswith(("utf-16", "utf-32")):
        return None
    return name


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode(data: bytes, *, kind: Kind = "text", declared: str | None = None,
           config: ReadConfig = READ) -> tuple[str, str]:
    """Text of `data` and the encoding used. `declared` is an outer hint (an HTTP charset).

    Raises DecodeError for binary content or bytes no encoding explains.
    """
    bom = bom_encoding(data)
    if bom:
        text = _try(data[len(codecs.BOM_UTF8) if bom == "utf-8" else 0 :], bom)
        if text is None:
            raise DecodeError(f"invalid {bom} text after its byte order mark")
        text = text.removeprefix("\ufeff")
        return _checked(text), bom
    kind_name = binary_kind(data)
    if kind_name:
        raise DecodeError(f"binary content ({kind_name}), not text")
    utf16 = _utf16_without_bom(data[:8192])
    if utf16:
        text = _try(data, utf16)
        if text is not None:
            return _checked(text), utf16
    for label in (declared, declared_encoding(data, kind)):
        encoding = _usable(label)
        if encoding:
            text = _try(data, encoding)
            if text is not None:
                return _checked(text), encoding
    text = _try(data, "utf-8")
    if text is not None:
        return _checked(text), "utf-8"
    nearly = _nearly_utf8_or_western(data, config.encoding_few_bad_bytes)
    if nearly is not None:
        return _checked(nearly[0]), nearly[1]
    encoding = _guess(data, config)
    text = _try(data, encoding) if encoding else None
    if encoding is None or text is None:
        raise DecodeError("undecodable bytes: no text encoding fits")
    return _checked(text), encoding


def _nearly_utf8_or_western(data: bytes, few_bad_bytes: int = READ.encoding_few_bad_bytes) -> tuple[str, str] | None:
    """Text that is UTF-8 or plain ASCII but for a few stray bytes, which a statistical guess over so
    little evidence gets wrong (one bad byte in English text read as cp775).

    Text with valid multi-byte UTF-8 and a few invalid bytes is UTF-8 with U+FFFD for those bytes.
    ASCII text with a few high bytes is windows-1252 when each of them reads as a letter inside a
    word ("caf\xe9") or as its typographic punctuation (quotes, dashes); otherwise (a stray byte
    between words) the bytes are corrupt and become U+FFFD in UTF-8.
    """
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    lenient = data.decode("utf-8", errors="replace")
    replacements = lenient.count("\ufffd")
    bad = replacements - _encoded_replacements(data)
    valid_multibyte = len(lenient) - len(lenient.encode("ascii", errors="ignore")) - replacements
    few = max(few_bad_bytes, len(data) // 500)
    if valid_multibyte and bad <= max(2, valid_multibyte // 10) and bad <= few:
        return lenient, "utf-8"
    if valid_multibyte or high > few:
        return None  # a real legacy encoding: leave it to the statistical guess
    western = _try(data, "cp1252")
    if western is not None and all(_western_fits(western, m.start()) for m in _NON_ASCII.finditer(western)):
        return western, "cp1252"
    return lenient, "utf-8"


_HIGH_BYTES = bytes(range(0x80, 0x100))
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_WESTERN_PUNCTUATION = frozenset("‘’‚“”„–—…•€£°©®™«»\xa0§¢")


def _encoded_replacements(data: bytes) -> int:
    """U+FFFD characters that the data itself encodes (they are not decoding failures)."""
    return data.count("\ufffd".encode())


def _western_fits(text: str, pos: int) -> bool:
    """A windows-1252 character that reads as text: punctuation, or a letter next to a letter."""
    ch = text[pos]
    if ch in _WESTERN_PUNCTUATION:
        return True
    if not ch.isalpha():
        return False
    before = text[pos - 1] if pos > 0 else ""
    after = text[pos + 1] if pos + 1 < len(text) else ""
    return before.isalpha() or after.isalpha()


def _guess(data: bytes, config: ReadConfig = READ) -> str | None:
    """charset-normalizer's best match, with one correction: it often ranks a Baltic code page
    first for Western European text in windows-1252 (French "à" read as "ą"); when windows-1252
    fits about as well, the far commoner windows-1252 is taken."""
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    if "cp1252" in best.could_be_from_charset:
        return "cp1252"  # same text either way: name the usual one
    if best.encoding in _BALTIC:
        for match in matches:
            if (
                "cp1252" in match.could_be_from_charset
                and match.chaos <= best.chaos + config.encoding_chaos_tie
                and match.coherence >= best.coherence - config.encoding_coherence_tie
            ):
                return "cp1252"
    return best.encoding


def _checked(text: str) -> str:
    """Refuse text that is mostly control characters: binary data that happened to decode."""
    sample = text[:20000]
    if sample and len(_CONTROL.findall(sample)) > max(8, len(sample) // 20):
        raise DecodeError("binary content (too many control characters), not text")
    return text
