"""Name normalization and the keys used to compare entity names.

Everything here is a pure function of strings: no model, no corpus. `resolve` builds on these.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import OSA
from rapidfuzz.fuzz import ratio
from unidecode import unidecode

from storyline.text.words import stemmer

# Words that introduce a name but are not part of it ("President Putin", "Mr. Smith").
TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "sir",
        "dame",
        "lord",
        "lady",
        "president",
        "vice",
        "prime",
        "minister",
        "premier",
        "chancellor",
        "king",
        "queen",
        "prince",
        "princess",
        "pope",
        "rev",
        "reverend",
        "gen",
        "general",
        "col",
        "colonel",
        "maj",
        "major",
        "capt",
        "captain",
        "lt",
        "sgt",
        "sergeant",
        "adm",
        "admiral",
        "gov",
        "governor",
        "sen",
        "senator",
        "rep",
        "representative",
        "judge",
        "justice",
        "mayor",
        "chairman",
        "chairwoman",
        "ceo",
        "cfo",
        "secretary",
        "director",
        "leader",
        "chief",
        "commander",
        "officer",
        "coach",
        "saint",
        "st",
        "ambassador",
        "minister",
        "foreign",
        "defence",
        "defense",
        "finance",
        "state",
        "supreme",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "analyst",
        "actor",
        "actress",
        "singer",
        "rapper",
        "star",
        "quarterback",
        "qb",
    ]
)
# Titles that are never a person's first name: stripping them is safe in any position.
_LEADING_ONLY_TITLES = TITLES - {"general", "major", "justice", "saint", "st", "king", "prince"}

# Endings that name an organisation's legal form, not the organisation.
ORG_SUFFIXES = frozenset(
    [
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "ltd",
        "limited",
        "llc",
        "plc",
        "ag",
        "sa",
        "spa",
        "nv",
        "bv",
        "gmbh",
        "se",
        "group",
        "holdings",
        "holding",
    ]
)
# Words that describe an organisation's trade after its name ("Ford Motors", "AirTran Airways",
# "Apple Computer"): dropped, with the legal forms, when comparing organisation names.
ORG_DESCRIPTORS = frozenset(
    [
        "motor",
        "motors",
        "airlines",
        "airline",
        "airways",
        "computer",
        "computers",
        "automotive",
        "system",
        "systems",
        "technology",
        "technologies",
        "industries",
        "solutions",
        "enterprises",
    ]
)

_GENERIC_WORDS = frozenset(
    [
        "general",
        "united",
        "american",
        "national",
        "international",
        "british",
        "european",
        "first",
        "new",
        "great",
        "royal",
    ]
)

# Common nouns of organisation and facility names ("Workers' Union", "Base Tunnel"): such a word
# used alone is not a short form of the one name that contains it.
ORG_NOUNS = frozenset(
    [
        "union",
        "bank",
        "university",
        "college",
        "school",
        "council",
        "agency",
        "authority",
        "ministry",
        "department",
        "commission",
        "committee",
        "court",
        "party",
        "police",
        "army",
        "navy",
        "force",
        "exchange",
        "market",
        "airport",
        "station",
        "tunnel",
        "bridge",
        "hospital",
        "museum",
        "church",
        "institute",
        "foundation",
        "association",
        "federation",
        "club",
        "league",
        "team",
        "office",
        "house",
        "post",
        "times",
        "news",
        "daily",
        "city",
        "county",
        "base",
        "centre",
        "center",
        "street",
        "road",
        "fund",
        "trust",
        "board",
        "service",
        "services",
        "network",
        "press",
        "media",
        "research",
        "securities",
        "capital",
        "partners",
        "studio",
        "studios",
        "plant",
        "factory",
        "mine",
        "port",
        "park",
        "hotel",
        "north",
        "south",
        "east",
        "west",
        "central",
        "state",
        "federal",
    ]
)

# Function words skipped when building an acronym ("Bank of England" -> "BE" and "BOE").
CONNECTORS = frozenset(
    [
        "of",
        "the",
        "and",
        "for",
        "de",
        "du",
        "des",
        "la",
        "le",
        "von",
        "van",
        "der",
        "den",
        "al",
        "el",
        "y",
        "e",
        "di",
        "da",
        "&",
        "in",
        "on",
        "at",
        "to",
    ]
)

_APOSTROPHES = "'\u2019\u2018`\u00b4"
_POSSESSIVE = re.compile(r"(?:['\u2019]s|s['\u2019])$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015_/]+")
_DROP = re.compile(r"[^a-z0-9 &]+")
_MULTI_SPACE = re.compile(r" +")
_INITIALISM = re.compile(r"^(?:[A-Za-z]\.){2,}$")


def fold(text: str) -> str:
    """ASCII, case-folded form of `text` (accents and scripts transliterated)."""
    return unidecode(unicodedata.normalize("NFKC", text)).casefold()


def normalize_name(text: str) -> str:
    """A comparable form of a name: ASCII, lower case, hyphens as spaces, dots and other
    punctuation dropped, a leading "the" and a trailing possessive removed.

    "Kim Jong-Un" -> "kim jong un", "the U.S.'s" -> "us", "Gazprom's" -> "gazprom".
    Idempotent: normalize_name(normalize_name(x)) == normalize_name(x).
    """
    s = unidecode(unicodedata.normalize("NFKC", text)).strip()
    s = _POSSESSIVE.sub("", s)
    s = s.casefold()
    s = _SEPARATORS.sub(" ", s)
    s = s.replace(".", "")
    s = _DROP.sub("", s)
    s = _MULTI_SPACE.sub(" ", s).strip()
    while s.startswith("the "):
        s = s[4:]
    if s == "the":
        return ""
    return s


def name_tokens(text: str) -> tuple[str, ...]:
    """Tokens of the normalized name."""
    norm = normalize_name(text)
    return tuple(norm.split()) if norm else ()


def strip_titles(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Tokens without leading titles ("president vladimir putin" -> "vladimir putin").

    The last token is always kept, so a title alone stays a name.
    """
    i = 0
    while i < len(tokens) - 1 and tokens[i] in _LEADING_ONLY_TITLES:
        i += 1
    return tokens[i:]


def strip_org_suffix(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Tokens without trailing legal forms ("general motors corporation" -> "general motors")."""
    end = len(tokens)
    while end > 1 and tokens[end - 1] in ORG_SUFFIXES:
        end -= 1
    return tokens[:end]


def org_core(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Tokens without trailing legal forms and trade descriptors ("ford motor company" ->
    "ford", "apple computer inc" -> "apple"); at least one token is kept."""
    end = len(strip_org_suffix(tokens))
    while end > 1 and tokens[end - 1] in ORG_DESCRIPTORS:
        end -= 1
    if end == 1 and tokens[0] in _GENERIC_WORDS:  # "General Motors" is not "General"
        return strip_org_suffix(tokens)
    return tokens[:end]


def singular(token: str) -> str:
    """A plural trade word in the singular ("batteries" -> "battery", "motors" -> "motor");
    other words unchanged ("glass", "status", "analysis")."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def org_key(tokens: tuple[str, ...]) -> str:
    """Comparison key of an organisation name: `org_core` with the words after the first in the
    singular, without spaces ("vantorra batteries" and "vantorra battery systems" agree)."""
    core = org_core(tokens)
    return "".join([core[0], *(singular(t) for t in core[1:])]) if core else ""


def is_distinctive(token: str) -> bool:
    """Whether a word of an organisation, facility or product name can name it alone: not a
    function word, legal form, trade word, title or common noun of such names, at least three
    letters ("vantorra", "fenwright", "bellandi"; not "union", "group", "new")."""
    return (
        len(token) >= 3
        and token.isalpha()
        and token not in CONNECTORS
        and token not in ORG_SUFFIXES
        and token not in ORG_DESCRIPTORS
        and singular(token) not in ORG_DESCRIPTORS
        and token not in ORG_NOUNS
        and token not in _GENERIC_WORDS
        and token not in TITLES
    )


def compact(text: str) -> str:
    """Normalized name without spaces: "kim jong un" and "kim jongun" agree."""
    return normalize_name(text).replace(" ", "")


def looks_like_acronym(surface: str) -> bool:
    """ "KCNA", "U.S.", "GM": all capitals (dots allowed), two to seven letters."""
    s = surface.strip()
    if _INITIALISM.match(s):
        return True
    letters = s.replace(".", "").replace("&", "")
    return 2 <= len(letters) <= 7 and letters.isalpha() and letters.isupper()


def acronyms_of(tokens: tuple[str, ...]) -> frozenset[str]:
    """Acronyms a multi-word name can be written as: initials of every word, and of the
    words other than connectors ("bank of england" -> {"boe", "be"})."""
    if len(tokens) < 2:
        return frozenset()
    every = "".join(t[0] for t in tokens if t and t != "&")
    content = "".join(t[0] for t in tokens if t and t not in CONNECTORS)
    out = {every, content}
    core = strip_org_suffix(tokens)
    if core != tokens and len(core) >= 2:
        out.add("".join(t[0] for t in core if t not in CONNECTORS))
    return frozenset(a for a in out if len(a) >= 2)


_VOWELS = set("aeiouy")
_CONSONANT_CLASS = str.maketrans({"c": "k", "q": "k", "z": "s", "v": "f", "w": "", "h": "", "j": "j"})


def phonetic_token(token: str) -> str:
    """A coarse sound key of one token: a vowel start is "a", later vowels, h and w are
    dropped, similar consonants share a letter, doubled letters collapse.

    "aurus", "auras" and "orus" all give "ars"; "austria" gives "astr", "australia" "astrl".
    """
    t = "".join(ch for ch in fold(token) if ch.isalpha())
    if not t:
        return ""
    t = t.replace("ph", "f").replace("ck", "k").replace("sch", "sh")
    head = "a" if t[0] in _VOWELS else t[0].translate(_CONSONANT_CLASS) or t[0]
    rest = "".join(ch for ch in t[1:] if ch not in _VOWELS).translate(_CONSONANT_CLASS)
    out = head
    for ch in rest:
        if ch != out[-1]:
            out += ch
    # "ng" at the end of a token sounds like "n" in romanised names (jong / jun are close).
    return out


def phonetic_key(text: str) -> str:
    """Sound key of a whole name: token keys joined by spaces."""
    return " ".join(phonetic_token(t) for t in name_tokens(text))


def spelling_similarity(a: str, b: str) -> float:
    """Similarity in [0, 1] of two normalized names, in order (not token-sorted, so
    "kim jong un" and "kim yo jong" stay far apart)."""
    if not a or not b:
        return 0.0
    return max(ratio(a, b), ratio(a.replace(" ", ""), b.replace(" ", ""))) / 100.0


def edit_distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`."""
    return int(OSA.distance(a, b))


def close_spelling(a: str, b: str) -> bool:
    """Whether two normalized names are plausibly one name spelt (or transliterated)
    differently: few edits for their length, same number of words and either the same sound
    key or a very close spelling. Identical names are close.

    Close: "aurus"/"auras"/"orus", "kim jong un"/"kim jun un".
    Not close: "austria"/"australia", "kim jong un"/"kim yo jong", "john smith"/"john brown".
    """
    if a == b:
        return True
    ta, tb = a.split(), b.split()
    if not ta or not tb or len(ta) != len(tb):
        return False
    # Each word must be close to its counterpart; a first word (or single word) must keep its
    # first sound so "Smith"/"Brown" or "Austria"/"Ostria"-like swaps of unrelated words fail.
    for wa, wb in zip(ta, tb, strict=True):
        if wa == wb:
            continue
        if any(ch.isdigit() for ch in wa + wb):  # "A350" is not "A380", "747" not "737"
            return False
        d = edit_distance(wa, wb)
        longest = max(len(wa), len(wb))
        if longest < 4 or d > 2 or d > longest // 2:
            return False
        pa, pb = phonetic_token(wa), phonetic_token(wb)
        # one edit in a long word is a typo; otherwise the sounds must agree, a final "g" aside
        # ("jong"/"jun")
        if pa != pb and not (d == 1 and longest >= 6) and pa.removesuffix("g") != pb.removesuffix("g"):
            return False
    return True


def entity_key(label: str, name: str) -> str:
    """Stable key of a canonical entity: "PERSON:kim jong un"."""
    return f"{label}:{normalize_name(name)}"


# --- keys and features of the learned name matcher -----------------------------------------------

# Snowball stemmers of the languages that inflect names; Ukrainian and Bulgarian share most Russian endings, Slovene
# and Croatian the Serbian ones (Latin script).
_STEMMER_OF = {
    "ru": "ru", "uk": "ru", "bg": "ru", "cs": "cs", "sk": "cs", "pl": "pl", "sl": "sr", "hr": "sr", "sr": "sr",
    "bs": "sr", "fi": "fi", "hu": "hu", "tr": "tr", "lt": "lt", "el": "el",
}  # fmt: skip
# Spellings of one sound across romanisations and Slavic orthographies, longest first.
_SKELETON_RULES = (
    ("shch", "s"),
    ("sch", "s"),
    ("dzh", "j"),
    ("dz", "z"),
    ("zh", "z"),
    ("kh", "h"),
    ("ch", "c"),
    ("cz", "c"),
    ("sh", "s"),
    ("sz", "s"),
    ("rz", "z"),
    ("ts", "c"),
    ("tz", "c"),
    ("ph", "f"),
    ("th", "t"),
    ("ck", "k"),
    ("x", "ks"),
    ("q", "k"),
    ("w", "v"),
    ("j", "i"),
    ("y", "i"),
)
_DOUBLED = re.compile(r"(.)\1+")
_NON_INITIAL_H = re.compile(r"(?<=.)h")
_SCRIPT_RANGES = (("cyrillic", 0x0400, 0x052F), ("greek", 0x0370, 0x03FF), ("cjk", 0x3040, 0x9FFF))


def script_of(text: str) -> str:
    """The script of the first letter of `text`: "latin", "cyrillic", "greek", "cjk" or "other"."""
    for ch in text:
        if ch.isalpha():
            code = ord(ch)
            if code < 0x0250:
                return "latin"
            for name, lo, hi in _SCRIPT_RANGES:
                if lo <= code <= hi:
                    return name
            return "other"
    return "other"


def inflects(language: str | None) -> bool:
    """Whether names are declined in `language` (Slavic, Baltic, Finnic, Hungarian, Greek,
    Turkish): its forms of one name differ by their endings."""
    return (language or "").lower()[:2] in _STEMMER_OF


def skeleton(token: str) -> str:
    """A transliterated token reduced to its consonant-and-vowel skeleton, so the spellings of
    one name in different scripts and orthographies agree: "dzhonson" and "johnson" both give
    "ionson", "lukaszenka" and "lukashenka" "lukasenka". Input: lower-case ASCII."""
    s = token.replace("'", "")
    for old, new in _SKELETON_RULES:
        s = s.replace(old, new)
    s = _NON_INITIAL_H.sub("", s)
    return _DOUBLED.sub(r"\1", s)


def stem_token(token: str, language: str | None) -> str:
    """A token without its inflection, transliterated and skeletonised: "Джонсона" (ru),
    "Johnsona" (pl) and "Johnson" (en) give "ionson". The language's Snowball stemmer where it
    has one, then trailing vowels are dropped (at least three letters kept)."""
    lang = (language or "").lower()[:2]
    word = unicodedata.normalize("NFKC", token).casefold()
    stemming = _STEMMER_OF.get(lang)
    if stemming is None and script_of(word) == "cyrillic":
        stemming = "ru"
    if stemming is not None and len(word) > 3:
        word = stemmer(stemming)(word)
    s = skeleton("".join(ch for ch in unidecode(word).casefold() if ch.isalnum()))
    stripped = s.rstrip("aeiou")
    return stripped if len(stripped) >= 3 else s[: max(3, len(stripped))]


@dataclass(frozen=True)
class NameView:
    """What the matcher compares of one name, computed once per distinct name."""

    form: str  # normalized (transliterated, lower case) name
    tokens: tuple[str, ...]
    stems: tuple[str, ...]  # per content token, see `stem_token`
    skeleton: str  # the stems joined without spaces
    metaphone: str
    initials: str
    acronym: bool
    family: str  # "PER", "PLACE", "THING", "NORP" or "" when unknown
    language: str
    script: str
    digits: str


def name_view(surface: str, language: str | None = None, family: str = "") -> NameView:
    """The comparable view of one surface name in its language."""
    import jellyfish

    raw_tokens = [t for t in _SEPARATORS.split(unicodedata.normalize("NFKC", surface).strip()) if t]
    raw_tokens = [_POSSESSIVE.sub("", t) for t in raw_tokens]
    tokens = name_tokens(surface)
    stems = tuple(
        stem_token(t, language)
        for t in raw_tokens
        if normalize_name(t) and normalize_name(t) not in CONNECTORS and normalize_name(t) not in ORG_SUFFIXES
    )
    if not stems:
        stems = tuple(skeleton(t) for t in tokens)
    joined = "".join(stems)
    content = [t for t in tokens if t not in CONNECTORS]
    return NameView(
        form=" ".join(tokens),
        tokens=tokens,
        stems=stems,
        skeleton=joined,
        metaphone=jellyfish.metaphone(joined) if joined.isalpha() else joined,
        initials="".join(t[0] for t in content if t),
        acronym=looks_like_acronym(surface),
        family=family,
        language=(language or "").lower()[:2],
        script=script_of(surface),
        digits="".join(ch for ch in surface if ch.isdigit()),
    )


FEATURES = (
    "ratio_form",
    "ratio_skeleton",
    "token_sort_stems",
    "token_set_stems",
    "partial_skeleton",
    "jaro_winkler_skeleton",
    "stem_jaccard",
    "containment",
    "last_token",
    "first_token",
    "first_name_conflict",
    "metaphone_ratio",
    "acronym_fit",
    "token_count_diff",
    "length_ratio",
    "same_language",
    "same_script",
    "same_family",
    "family_known",
    "digits_differ",
    "context_overlap",
    "single_tokens",
    "same_stems",
)


def _token_match(a: str, b: str) -> bool:
    import jellyfish

    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return min(len(a), len(b)) >= 3 and jellyfish.jaro_winkler_similarity(a, b) >= 0.9


def _acronym_fit(a: NameView, b: NameView) -> float:
    for short, long in ((a, b), (b, a)):
        if short.acronym and len(long.tokens) >= 2:
            letters = short.form.replace(" ", "")
            if letters in (long.initials, "".join(t[0] for t in long.tokens)):
                return 1.0
            if letters == "".join(s[0] for s in long.stems):
                return 1.0
    return 0.0


def pair_features(a: NameView, b: NameView, context_overlap: float = 0.0) -> list[float]:
    """The matcher's features of two names (in the order of `FEATURES`)."""
    import jellyfish
    from rapidfuzz import fuzz

    sa, sb = " ".join(a.stems), " ".join(b.stems)
    set_a, set_b = set(a.stems), set(b.stems)
    short, long = (a.stems, b.stems) if len(a.stems) <= len(b.stems) else (b.stems, a.stems)
    contained = sum(1 for t in short if any(_token_match(t, u) for u in long)) / len(short) if short else 0.0
    last = float(bool(a.stems and b.stems) and _token_match(a.stems[-1], b.stems[-1]))
    first = float(bool(a.stems and b.stems) and _token_match(a.stems[0], b.stems[0]))
    conflict = float(len(a.stems) >= 2 and len(b.stems) >= 2 and bool(last) and not first)
    both_known = bool(a.family and b.family)
    la, lb = len(a.skeleton), len(b.skeleton)
    return [
        ratio(a.form, b.form) / 100.0,
        ratio(a.skeleton, b.skeleton) / 100.0,
        fuzz.token_sort_ratio(sa, sb) / 100.0,
        fuzz.token_set_ratio(sa, sb) / 100.0,
        fuzz.partial_ratio(a.skeleton, b.skeleton) / 100.0,
        jellyfish.jaro_winkler_similarity(a.skeleton, b.skeleton) if a.skeleton and b.skeleton else 0.0,
        len(set_a & set_b) / len(set_a | set_b) if set_a | set_b else 0.0,
        contained,
        last,
        first,
        conflict,
        ratio(a.metaphone, b.metaphone) / 100.0,
        _acronym_fit(a, b),
        float(abs(len(a.stems) - len(b.stems))),
        min(la, lb) / max(la, lb) if la and lb else 0.0,
        float(a.language == b.language and bool(a.language)),
        float(a.script == b.script),
        float(both_known and a.family == b.family),
        float(both_known),
        float(a.digits != b.digits),
        context_overlap,
        float(len(a.stems) == 1 and len(b.stems) == 1),
        float(sa == sb),
    ]
