"""Character and whitespace normalization of article text.

The text keeps its structure: lines separated by "\\n", paragraphs by "\\n\\n". Only forms whose
meaning cannot change are folded (NFC everywhere, NFKC for spaces, ligatures and full-width
letters and digits), so CJK punctuation, ZWJ/ZWNJ and bidi marks are left alone.
"""

from __future__ import annotations

import re
import unicodedata

# Removed outright: zero-width space, word joiner, BOM / zero-width no-break space, soft hyphen.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad\u180e"), None)
_LINE_SEPARATORS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n\n", "\x0b": "\n", "\x0c": "\n"}

# Tokens of Penn-Treebank-style tokenised text (as in Timeline17) and what they stand for.
_PTB_BRACKETS = {
    "-LRB-": "(",
    "-RRB-": ")",
    "-LSB-": "[",
    "-RSB-": "]",
    "-LCB-": "{",
    "-RCB-": "}",
}
_PTB_BRACKET_RE = re.compile("|".join(map(re.escape, _PTB_BRACKETS)))
_TOKENISED_HINT = re.compile(r" [,.;:!?](?: |$)| n't\b| 's\b|-LRB-|-RRB-|``", re.MULTILINE)

_SPACES = re.compile(r"[ \t]+")
_SPACE_BEFORE_COMMA = re.compile(r"(?<=\S) +([,.])(?=\s|$|[\"')\]])", re.MULTILINE)
_MANY_BREAKS = re.compile(r"\n{3,}")


def _fold_char(ch: str) -> str:
    """NFKC for one character where it is safe; the character itself otherwise."""
    code = ord(ch)
    if ch in "\t\n":
        return ch
    category = unicodedata.category(ch)
    if category == "Cs":  # a lone surrogate (from a "\\ud800" escape): not encodable text
        return "\ufffd"
    if category == "Zs":
        return " "
    if category == "Cc":
        return ""
    if 0xFB00 <= code <= 0xFB06:  # Latin ligatures: ﬁ ﬂ ...
        return unicodedata.normalize("NFKC", ch)
    if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
        return chr(code - 0xFEE0)  # full-width digits and Latin letters
    return ch


_FOLDABLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\ufb00-\ufb06\uff10-\uff19"
    "\uff21-\uff3a\uff41-\uff5a\ud800-\udfff]"
)


def fold_characters(text: str) -> str:
    """NFC, line separators unified, invisible and control characters dropped, safe NFKC folds."""
    for old, new in _LINE_SEPARATORS.items():
        text = text.replace(old, new)
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = _FOLDABLE.sub(lambda m: _fold_char(m.group(0)), text)
    return text.replace("\t", " ")


def looks_tokenised(text: str) -> bool:
    """True for text split into tokens with spaces ("word , word ." "do n't" "-LRB-")."""
    return len(_TOKENISED_HINT.findall(text)) >= 2


_DETOKENISE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\\/"), "/"),
    (re.compile(r"(?:^|(?<= ))``(?: |$)", re.MULTILINE), '"'),
    (re.compile(r"(?:^| )''(?= |$)", re.MULTILINE), '"'),
    (
        re.compile(
            r"\b(ca|wo|do|does|did|is|are|was|were|has|have|had|could|would|should|must|need|ai) n't\b", re.I
        ),
        r"\1n't",
    ),
    (re.compile(r"(?<=\w) ('s|'re|'ve|'ll|'d|'m|')(?=\s|$)", re.I), r"\1"),
    (re.compile(r"([(\[{]) +"), r"\1"),
    (re.compile(r" +([)\]}])"), r"\1"),
    (re.compile(r"(?<=\S) +([,.;:!?%])(?=\s|$|[\"')\]])", re.MULTILINE), r"\1"),
    # Penn Treebank writes the pound sign as "#"; it splits figures before commas and points ("60 ,000")
    # ("# 50m", "# 1,200", "# 350"; a small bare "# 41" stays: a number sign is likelier there)
    (re.compile(r"(?<![\w#])# ?(?=\d[\d,.]*\s?(?:m|bn|k|million|billion)\b|\d{1,3}(?:,\d{3})+|\d+\.\d|\d{3,})"), "£"),
    (re.compile(r"([$£€¥]) +(?=\d)"), r"\1"),
    (re.compile(r"(?<=\d) ([,.])(?=\d)"), r"\1"),
)


def _fix_quote_spacing(line: str) -> str:
    """Attach straight double quotes to the words they enclose: '" We go , "' -> '"We go,"'."""
    if line.count('"') % 2:
        return line
    parts = line.split('"')
    for i in range(1, len(parts), 2):
        parts[i] = parts[i].strip()
    return '"'.join(parts)


def detokenise(text: str) -> str:
    """Undo Penn-Treebank tokenisation: brackets, `` '' quotes, spaces before punctuation, n't."""
    text = _PTB_BRACKET_RE.sub(lambda m: _PTB_BRACKETS[m.group(0)], text)
    for pattern, repl in _DETOKENISE:
        text = pattern.sub(repl, text)
    return "\n".join(_fix_quote_spacing(line) for line in text.split("\n"))


def repair_whitespace(text: str) -> str:
    """Runs of spaces collapsed, lines stripped, blank lines turned into one paragraph break."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = _SPACE_BEFORE_COMMA.sub(r"\1", text)
    return _MANY_BREAKS.sub("\n\n", text).strip("\n")


def normalize_text(text: str) -> str:
    """Normalized text: see the module docstring. Idempotent."""
    text = fold_characters(text)
    if looks_tokenised(text):
        text = detokenise(_SPACES.sub(" ", text))
    return repair_whitespace(text)
