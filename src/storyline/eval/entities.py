"""Evaluation of named-entity mentions and their cross-document folding.

Corpora (read in place):

- MEANTIME (CAT XML): `<token t_id sentence>`; `<ENTITY_MENTION m_id syntactic_type>` with
  `<token_anchor>`s; `<ENTITY m_id instance_id>` instances; `<REFERS_TO>` links mentions
  (sources) to an instance (target). Gold mentions: syntactic_type="NAM". Gold chain: the
  target's `instance_id` (shared across the documents of a topic), else a document-local id;
  a mention without a link is its own chain. Only sentences 0-5 (title, date line and the
  first four sentences) are annotated, so only they are scored.
- ECB+ (CROMER XML): entity markables are the HUMAN_PART*, LOC_* and NON_HUMAN_PART* tags;
  `CROSS_DOC_COREF` links them to an instance whose `instance_id` names the chain,
  `INTRA_DOC_COREF` gives a document-local chain. ECB+ marks no syntactic type, so a gold
  *name* is a markable whose words (after a leading "the") all start with a capital letter
  (connectors such as "of" allowed), that is not a pronoun, and, when it is one word at the
  start of a sentence, whose word is capitalised somewhere else mid-sentence. Only the
  sentences listed in ECBplus_coreference_sentences.csv are scored (as its README advises).

Per topic the documents' tokens are joined by spaces (sentences by newlines), NER runs on
each text, the missed-mention pass adds names recognised elsewhere in the topic, and
`resolve` folds the topic's mentions. Scores:

- mention detection P/R/F1 against the gold names, by token span: exact (same tokens) and
  overlap (a one-to-one pairing of spans sharing a token). NORP mentions are left out (the
  corpora mark nationality words as modifiers, not names).
- B-cubed P/R/F1 of the chains, over the gold mentions that were detected (overlap match):
  each such mention's gold chain and system entity are both restricted to detected gold
  mentions. Undetected gold mentions count in mention recall only.
- merge precision: of the pairs of distinct surface forms (normalized) that the system put
  in one entity, the share that gold also puts in one chain.
"""

from __future__ import annotations

import csv
import time
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storyline.enrich.entities import extract_mentions_many, find_missed_mentions, known_names
from storyline.enrich.matcher import NameMatcher
from storyline.enrich.names import normalize_name
from storyline.enrich.resolve import resolve
from storyline.model import EntityMention

if TYPE_CHECKING:
    from storyline.enrich.name_training import PairSet

_ECB_ENTITY_PREFIXES = ("HUMAN_PART", "LOC_", "NON_HUMAN_PART")
_PRONOUNS = frozenset(
    [
        "i",
        "me",
        "my",
        "he",
        "him",
        "his",
        "she",
        "her",
        "hers",
        "it",
        "its",
        "we",
        "us",
        "our",
        "they",
        "them",
        "their",
        "you",
        "your",
        "this",
        "that",
        "these",
        "those",
        "who",
        "whom",
        "which",
        "what",
        "here",
        "there",
    ]
)
# MEANTIME annotates the title, the date line and the first sentences of each article only.
MEANTIME_SCORED = frozenset(range(6))
_NAME_CONNECTORS = frozenset(
    [
        "of",
        "and",
        "de",
        "du",
        "la",
        "le",
        "von",
        "van",
        "der",
        "al",
        "bin",
        "the",
        "for",
        "&",
        "'s",
        "'",
        "-",
        ".",
        "on",
        "in",
    ]
)


_MEANTIME_TYPES = {"PER": "PERSON", "ORG": "ORG", "LOC": "GPE", "PRO": "PRODUCT", "FIN": "ORG", "MIX": "ORG"}
_ECB_TYPES = {
    "HUMAN_PART_PER": "PERSON",
    "HUMAN_PART_ORG": "ORG",
    "HUMAN_PART_GPE": "GPE",
    "HUMAN_PART_VEH": "PRODUCT",
    "LOC_FAC": "FAC",
    "LOC_GEO": "LOC",
    "LOC_OTHER": "LOC",
    "NON_HUMAN_PART": "PRODUCT",
}


@dataclass(frozen=True)
class GoldMention:
    tokens: tuple[int, ...]  # token indices into the document's token list
    chain: str
    text: str
    label: str = ""  # the gold type in spaCy's labels (PERSON, ORG, GPE, ...), "" when unknown


@dataclass(frozen=True)
class GoldDocument:
    doc_id: str
    topic: str
    tokens: tuple[str, ...]
    sentences: tuple[int, ...]  # sentence number of each token
    mentions: tuple[GoldMention, ...]
    scored_sentences: frozenset[int] | None = None  # None: all


@dataclass
class EntityScores:
    documents: int = 0
    gold: int = 0
    system: int = 0
    exact: int = 0
    overlap: int = 0
    b3_precision: float = 0.0
    b3_recall: float = 0.0
    b3_mentions: int = 0
    merge_pairs: int = 0
    merge_correct: int = 0
    seconds_ner: float = 0.0
    characters: int = 0
    per_topic: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    wrong_merges: list[tuple[str, str, str]] = field(default_factory=list, repr=False)

    @staticmethod
    def _f(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r else 0.0

    def detection(self, exact: bool = True) -> tuple[float, float, float]:
        hits = self.exact if exact else self.overlap
        p = hits / self.system if self.system else 0.0
        r = hits / self.gold if self.gold else 0.0
        return p, r, self._f(p, r)

    @property
    def b3(self) -> tuple[float, float, float]:
        if not self.b3_mentions:
            return 0.0, 0.0, 0.0
        p = self.b3_precision / self.b3_mentions
        r = self.b3_recall / self.b3_mentions
        return p, r, self._f(p, r)

    @property
    def merge_precision(self) -> float:
        return self.merge_correct / self.merge_pairs if self.merge_pairs else 1.0

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.seconds_ner if self.seconds_ner else 0.0


# --- readers -----------------------------------------------------------------------------------


def _tokens(root: ET.Element) -> tuple[dict[str, int], list[str], list[int]]:
    index: dict[str, int] = {}
    words: list[str] = []
    sentences: list[int] = []
    for tok in root.iter("token"):
        index[tok.get("t_id", "")] = len(words)
        words.append(tok.text or "")
        sentences.append(int(tok.get("sentence", "0")))
    return index, words, sentences


def read_meantime_document(path: Path, topic: str) -> GoldDocument:
    root = ET.parse(path).getroot()
    doc_id = root.get("doc_name") or path.stem
    index, words, sentences = _tokens(root)
    markables = root.find("Markables")
    relations = root.find("Relations")
    names: dict[str, tuple[int, ...]] = {}
    instances: dict[str, str] = {}
    types: dict[str, str] = {}
    if markables is not None:
        for el in markables:
            m_id = el.get("m_id", "")
            if el.tag == "ENTITY_MENTION" and el.get("syntactic_type") == "NAM":
                toks = tuple(sorted(index[a.get("t_id", "")] for a in el.iter("token_anchor")))
                if toks:
                    names[m_id] = toks
            elif el.tag == "ENTITY":
                instances[m_id] = el.get("instance_id") or f"{doc_id}#{m_id}"
                types[m_id] = _MEANTIME_TYPES.get(el.get("ent_type", ""), "")
    chain_of: dict[str, str] = {}
    type_of: dict[str, str] = {}
    if relations is not None:
        for rel in relations.iter("REFERS_TO"):
            target = rel.find("target")
            if target is None or target.get("m_id") not in instances:
                continue
            chain = instances[target.get("m_id", "")]
            for src in rel.iter("source"):
                chain_of[src.get("m_id", "")] = chain
                type_of[src.get("m_id", "")] = types.get(target.get("m_id", ""), "")
    mentions = tuple(
        GoldMention(
            toks,
            chain_of.get(m_id, f"{doc_id}#single{m_id}"),
            " ".join(words[t] for t in toks),
            type_of.get(m_id, ""),
        )
        for m_id, toks in sorted(names.items(), key=lambda kv: kv[1])
    )
    return GoldDocument(doc_id, topic, tuple(words), tuple(sentences), mentions, MEANTIME_SCORED)


def read_meantime(root: Path) -> dict[str, list[GoldDocument]]:
    """Topic (corpus folder) -> its documents, sorted by file name."""
    topics: dict[str, list[GoldDocument]] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        docs = [read_meantime_document(f, folder.name) for f in sorted(folder.glob("*.xml"))]
        if docs:
            topics[folder.name] = docs
    return topics


def _is_name(
    toks: Sequence[int], words: Sequence[str], sentences: Sequence[int], capitalised_mid: set[str]
) -> bool:
    ws = [words[t] for t in toks]
    while ws and ws[0].lower() == "the":
        ws = ws[1:]
        toks = toks[1:]
    if not ws or (len(ws) == 1 and ws[0].lower() in _PRONOUNS):
        return False
    if not any(w[:1].isalpha() for w in ws):
        return False
    for w in ws:
        if w.lower() in _NAME_CONNECTORS or not w[:1].isalpha():
            continue
        if not w[:1].isupper():
            return False
    first = toks[0]
    sentence_start = first == 0 or sentences[first - 1] != sentences[first]
    return not (len(ws) == 1 and sentence_start and ws[0] not in capitalised_mid)


def _scored_sentences(root: Path) -> dict[str, frozenset[int]]:
    path = root / "ECBplus_coreference_sentences.csv"
    out: dict[str, set[int]] = defaultdict(set)
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out[f"{row['Topic']}_{row['File']}"].add(int(row["Sentence Number"]))
    return {k: frozenset(v) for k, v in out.items()}


def read_ecbplus_document(path: Path, topic: str, scored: frozenset[int] | None) -> GoldDocument:
    root = ET.parse(path).getroot()
    doc_id = path.stem
    index, words, sentences = _tokens(root)
    capitalised_mid = {
        w for i, w in enumerate(words) if i > 0 and sentences[i - 1] == sentences[i] and w[:1].isupper()
    }
    markables = root.find("Markables")
    relations = root.find("Relations")
    spans: dict[str, tuple[int, ...]] = {}
    instances: dict[str, str] = {}
    kinds: dict[str, str] = {}
    if markables is not None:
        for el in markables:
            if not el.tag.startswith(_ECB_ENTITY_PREFIXES):
                continue
            m_id = el.get("m_id", "")
            anchors = [a.get("t_id", "") for a in el.iter("token_anchor")]
            if anchors:
                spans[m_id] = tuple(sorted(index[a] for a in anchors if a in index))
                kinds[m_id] = _ECB_TYPES.get(el.tag, "")
            else:
                instances[m_id] = el.get("instance_id") or f"{doc_id}#{m_id}"
    chain_of: dict[str, str] = {}
    if relations is not None:
        for rel in relations:
            target = rel.find("target")
            if target is None:
                continue
            t_id = target.get("m_id", "")
            if rel.tag == "CROSS_DOC_COREF":
                chain = rel.get("note") or instances.get(t_id) or f"{doc_id}#{t_id}"
            elif rel.tag == "INTRA_DOC_COREF":
                chain = f"{doc_id}#intra{t_id}"
            else:
                continue
            for src in rel.iter("source"):
                chain_of[src.get("m_id", "")] = chain
    mentions = []
    for m_id, toks in sorted(spans.items(), key=lambda kv: kv[1]):
        if not toks or not _is_name(toks, words, sentences, capitalised_mid):
            continue
        if scored is not None and sentences[toks[0]] not in scored:
            continue
        # a leading "the" is not part of the name span
        while toks and words[toks[0]].lower() == "the":
            toks = toks[1:]
        mentions.append(
            GoldMention(
                toks,
                chain_of.get(m_id, f"{doc_id}#single{m_id}"),
                " ".join(words[t] for t in toks),
                kinds.get(m_id, ""),
            )
        )
    return GoldDocument(doc_id, topic, tuple(words), tuple(sentences), tuple(mentions), scored)


def read_ecbplus(root: Path, topics: Iterable[int | str] | None = None) -> dict[str, list[GoldDocument]]:
    scored = _scored_sentences(root)
    wanted = {str(t) for t in topics} if topics is not None else None
    out: dict[str, list[GoldDocument]] = {}
    folders = sorted(
        (p for p in root.iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name)
    )
    for folder in folders:
        if wanted is not None and folder.name not in wanted:
            continue
        docs = [
            read_ecbplus_document(f, folder.name, scored.get(f.stem, frozenset()))
            for f in sorted(folder.glob("*.xml"))
        ]
        if docs:
            out[folder.name] = docs
    return out


# --- running the system ------------------------------------------------------------------------


def _render(doc: GoldDocument) -> tuple[str, list[tuple[int, int]]]:
    """Text of the tokens (spaces within, newline between sentences) and each token's offsets."""
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    pos = 0
    for i, word in enumerate(doc.tokens):
        if i:
            sep = "\n" if doc.sentences[i] != doc.sentences[i - 1] else " "
            parts.append(sep)
            pos += 1
        offsets.append((pos, pos + len(word)))
        parts.append(word)
        pos += len(word)
    return "".join(parts), offsets


def _token_span(start: int, end: int, offsets: list[tuple[int, int]]) -> tuple[int, ...]:
    return tuple(i for i, (s, e) in enumerate(offsets) if s < end and start < e)


def run_system(
    docs: Sequence[GoldDocument], second_pass: bool = True, matcher: NameMatcher | bool | None = True
) -> tuple[list[list[tuple[tuple[int, ...], str, str]]], float, int]:
    """Per document, the system's (token span, entity key, surface) triples; NER seconds; chars."""
    rendered = [_render(d) for d in docs]
    texts = [t for t, _ in rendered]
    started = time.perf_counter()
    results = extract_mentions_many(texts, ["en"] * len(texts))
    elapsed = time.perf_counter() - started
    mentions: list[list[EntityMention]] = [r.mentions for r in results]
    if second_pass:
        known = known_names(m for ms in mentions for m in ms if m.label != "NORP")
        extra = find_missed_mentions(texts, known, mentions)
        mentions = [
            sorted([*a, *b], key=lambda m: (m.start, m.end)) for a, b in zip(mentions, extra, strict=True)
        ]
    resolved = resolve(
        [(d.doc_id, t, ms) for d, t, ms in zip(docs, texts, mentions, strict=True)],
        ["en"] * len(docs),
        matcher=matcher,
    )
    out: list[list[tuple[tuple[int, ...], str, str]]] = []
    for d, (_, offsets), ms in zip(docs, rendered, mentions, strict=True):
        triples = []
        for m in ms:
            if m.label == "NORP":
                continue
            span = _token_span(m.start, m.end, offsets)
            key = resolved.key_of(d.doc_id, m)
            if span and key is not None:
                triples.append((span, key, m.text))
        out.append(triples)
    return out, elapsed, sum(len(t) for t in texts)


def _score_topic(
    docs: Sequence[GoldDocument], system: list[list[tuple[tuple[int, ...], str, str]]], scores: EntityScores
) -> None:
    matched: list[tuple[str, str, str]] = []  # (gold chain, system key, system surface) of detected gold
    for doc, triples in zip(docs, system, strict=True):
        if doc.scored_sentences is not None:
            triples = [t for t in triples if doc.sentences[t[0][0]] in doc.scored_sentences]
        scores.documents += 1
        scores.gold += len(doc.mentions)
        scores.system += len(triples)
        gold_spans = {g.tokens: g for g in doc.mentions}
        scores.exact += sum(1 for span, _, _ in triples if span in gold_spans)
        # one-to-one overlap pairing: exact pairs first, then by largest token overlap
        used_sys: set[int] = set()
        pairs: dict[int, int] = {}
        for gi, g in enumerate(doc.mentions):
            for si, (span, _, _) in enumerate(triples):
                if si not in used_sys and span == g.tokens:
                    pairs[gi] = si
                    used_sys.add(si)
                    break
        # gold names are often whole noun phrases ("U.S. automaker Chrysler"); their head is
        # to the right, so the rightmost overlapping system mention is preferred
        cands = []
        for gi, g in enumerate(doc.mentions):
            if gi in pairs:
                continue
            gset = set(g.tokens)
            for si, (span, _, _) in enumerate(triples):
                if si not in used_sys and gset & set(span):
                    cands.append((-span[0], gi, si))
        for _, gi, si in sorted(cands):
            if gi not in pairs and si not in used_sys:
                pairs[gi] = si
                used_sys.add(si)
        scores.overlap += len(pairs)
        for gi, si in pairs.items():
            g = doc.mentions[gi]
            matched.append((g.chain, triples[si][1], normalize_name(triples[si][2])))
    if not matched:
        return
    gold_members: dict[str, list[int]] = defaultdict(list)
    sys_members: dict[str, list[int]] = defaultdict(list)
    for i, (chain, key, _) in enumerate(matched):
        gold_members[chain].append(i)
        sys_members[key].append(i)
    p_sum = r_sum = 0.0
    for chain, key, _ in matched:
        in_gold = set(gold_members[chain])
        in_system = set(sys_members[key])
        inter = len(in_gold & in_system)
        p_sum += inter / len(in_system)
        r_sum += inter / len(in_gold)
    scores.b3_precision += p_sum
    scores.b3_recall += r_sum
    scores.b3_mentions += len(matched)
    topic = docs[0].topic if docs else "?"
    tp, tr = p_sum / len(matched), r_sum / len(matched)
    scores.per_topic[topic] = (tp, tr, EntityScores._f(tp, tr))
    for key, members in sys_members.items():
        chains_by_form: dict[str, set[str]] = defaultdict(set)
        for i in members:
            chains_by_form[matched[i][2]].add(matched[i][0])
        forms = sorted(chains_by_form)
        for a in range(len(forms)):
            for b in range(a + 1, len(forms)):
                scores.merge_pairs += 1
                if chains_by_form[forms[a]] & chains_by_form[forms[b]]:
                    scores.merge_correct += 1
                else:
                    scores.wrong_merges.append((key, forms[a], forms[b]))


def evaluate_topics(topics: dict[str, list[GoldDocument]], second_pass: bool = True) -> EntityScores:
    scores = EntityScores()
    for _topic, docs in sorted(topics.items()):
        system, seconds, chars = run_system(docs, second_pass=second_pass)
        scores.seconds_ner += seconds
        scores.characters += chars
        _score_topic(docs, system, scores)
    return scores


def evaluate_meantime(
    root: Path, topics: Iterable[str] | None = None, second_pass: bool = True
) -> EntityScores:
    """Scores on MEANTIME (`root` holds corpus_* folders); `topics` picks folders by name."""
    data = read_meantime(root)
    if topics is not None:
        wanted = set(topics)
        data = {k: v for k, v in data.items() if k in wanted}
    return evaluate_topics(data, second_pass=second_pass)


def evaluate_ecbplus(
    root: Path, topics: Iterable[int | str] | None = None, second_pass: bool = True
) -> EntityScores:
    """Scores on ECB+ (`root` holds numbered topic folders); all topics present by default."""
    return evaluate_topics(read_ecbplus(root, topics), second_pass=second_pass)


def format_report(scores: EntityScores, title: str = "entities") -> str:
    ep, er, ef = scores.detection(exact=True)
    op, orr, of = scores.detection(exact=False)
    bp, br, bf = scores.b3
    lines = [
        f"{title}: {scores.documents} documents, {scores.gold} gold names, {scores.system} system mentions",
        f"  mention detection exact   P {ep:.3f}  R {er:.3f}  F1 {ef:.3f}",
        f"  mention detection overlap P {op:.3f}  R {orr:.3f}  F1 {of:.3f}",
        f"  cross-document B-cubed    P {bp:.3f}  R {br:.3f}  F1 {bf:.3f}  "
        f"(over {scores.b3_mentions} detected gold names)",
        f"  merges of distinct forms  precision {scores.merge_precision:.3f}  "
        f"({scores.merge_correct}/{scores.merge_pairs} form pairs)",
        f"  NER speed                 {scores.docs_per_second:.1f} docs/s "
        f"({scores.characters / scores.seconds_ner if scores.seconds_ner else 0:.0f} chars/s)",
    ]
    for topic, (p, r, f) in sorted(scores.per_topic.items()):
        lines.append(f"    topic {topic}: B-cubed P {p:.3f} R {r:.3f} F1 {f:.3f}")
    return "\n".join(lines)


# --- SlavicNER: cross-document, cross-language resolution and mention recall ----------------------

SLAVIC_LABELS = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG", "EVT": "EVENT", "PRO": "PRODUCT"}
SLAVIC_LANGUAGES = ("bg", "cs", "pl", "ru", "sl", "uk")


@dataclass(frozen=True)
class TextGoldDocument:
    """A document with character-offset gold mentions: (start, end, surface, label, entity id)."""

    doc_id: str
    topic: str
    language: str
    text: str
    mentions: tuple[tuple[int, int, str, str, str], ...]


def read_slavicner(root: Path, topics: Iterable[str] | None = None) -> dict[str, list[TextGoldDocument]]:
    """Topic -> documents of SlavicNER (`root` holds docs.jsonl.gz), in file order."""
    import gzip
    import json

    wanted = set(topics) if topics is not None else None
    out: dict[str, list[TextGoldDocument]] = defaultdict(list)
    with gzip.open(root / "docs.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if wanted is not None and row["topic"] not in wanted:
                continue
            mentions = tuple(
                (int(s), int(e), surface, SLAVIC_LABELS.get(kind, "ORG"), entity)
                for s, e, surface, _lemma, kind, entity in row["mentions"]
            )
            out[row["topic"]].append(
                TextGoldDocument(row["id"], row["topic"], row["lang"], row["text"], mentions)
            )
    return dict(out)


def gold_mention_docs(
    docs: Sequence[TextGoldDocument],
) -> tuple[list[tuple[str, str, list[EntityMention]]], list[str | None], dict[tuple[str, int, int], str]]:
    """The documents as `resolve` takes them (gold spans and labels), their languages, and
    the gold entity of each mention ((doc_id, start, end) -> entity id)."""
    as_docs: list[tuple[str, str, list[EntityMention]]] = []
    gold: dict[tuple[str, int, int], str] = {}
    for d in docs:
        ms = []
        for s, e, surface, label, entity in d.mentions:
            if (d.doc_id, s, e) in gold:
                continue
            gold[(d.doc_id, s, e)] = entity
            ms.append(EntityMention(s, e, surface, label))
        as_docs.append((d.doc_id, d.text, ms))
    return as_docs, [d.language for d in docs], gold


@dataclass
class ResolutionScores:
    """B-cubed of the system's entities over gold mentions, overall and across languages."""

    mentions: int = 0
    b3_precision: float = 0.0
    b3_recall: float = 0.0
    cross_mentions: int = 0
    cross_precision: float = 0.0
    cross_recall: float = 0.0
    merge_pairs: int = 0
    merge_correct: int = 0
    per_topic: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def b3(self) -> tuple[float, float, float]:
        if not self.mentions:
            return 0.0, 0.0, 0.0
        p, r = self.b3_precision / self.mentions, self.b3_recall / self.mentions
        return p, r, EntityScores._f(p, r)

    @property
    def cross_language(self) -> tuple[float, float, float]:
        if not self.cross_mentions:
            return 0.0, 0.0, 0.0
        p, r = self.cross_precision / self.cross_mentions, self.cross_recall / self.cross_mentions
        return p, r, EntityScores._f(p, r)

    @property
    def merge_precision(self) -> float:
        return self.merge_correct / self.merge_pairs if self.merge_pairs else 1.0


def score_resolution(
    topic: str,
    items: Sequence[tuple[str, str, str, str]],
    scores: ResolutionScores,
) -> None:
    """Add one topic's (gold entity, system key, language, normalized surface) mentions.

    Cross-language B-cubed counts, for each mention, only the mentions of other languages in
    its gold chain and its system entity (mentions with neither are left out)."""
    gold_members: dict[str, list[int]] = defaultdict(list)
    sys_members: dict[str, list[int]] = defaultdict(list)
    for i, (chain, key, _, _) in enumerate(items):
        gold_members[chain].append(i)
        sys_members[key].append(i)
    gold_lang: dict[str, Counter[str]] = {c: Counter(items[i][2] for i in m) for c, m in gold_members.items()}
    sys_lang: dict[str, Counter[str]] = {k: Counter(items[i][2] for i in m) for k, m in sys_members.items()}
    both: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for chain, key, lang, _ in items:
        both[(chain, key)][lang] += 1
    p_sum = r_sum = 0.0
    for chain, key, lang, _ in items:
        inter_counts = both[(chain, key)]
        inter = sum(inter_counts.values())
        p_sum += inter / len(sys_members[key])
        r_sum += inter / len(gold_members[chain])
        other_inter = inter - inter_counts[lang]
        other_sys = len(sys_members[key]) - sys_lang[key][lang]
        other_gold = len(gold_members[chain]) - gold_lang[chain][lang]
        if other_sys or other_gold:
            scores.cross_mentions += 1
            scores.cross_precision += other_inter / other_sys if other_sys else 1.0
            scores.cross_recall += other_inter / other_gold if other_gold else 1.0
    scores.mentions += len(items)
    scores.b3_precision += p_sum
    scores.b3_recall += r_sum
    if items:
        tp, tr = p_sum / len(items), r_sum / len(items)
        scores.per_topic[topic] = (tp, tr, EntityScores._f(tp, tr))
    for members in sys_members.values():
        chains_by_form: dict[str, set[str]] = defaultdict(set)
        for i in members:
            chains_by_form[items[i][3]].add(items[i][0])
        forms = sorted(chains_by_form)
        for a in range(len(forms)):
            for b in range(a + 1, len(forms)):
                scores.merge_pairs += 1
                scores.merge_correct += int(bool(chains_by_form[forms[a]] & chains_by_form[forms[b]]))


def evaluate_gold_resolution(
    topics: dict[str, list[TextGoldDocument]],
    matcher: NameMatcher | bool | None = True,
    scores: ResolutionScores | None = None,
) -> ResolutionScores:
    """Resolution of the gold mentions of each topic (all its languages together)."""
    out = scores if scores is not None else ResolutionScores()
    for topic, docs in sorted(topics.items()):
        as_docs, languages, gold = gold_mention_docs(docs)
        started = time.perf_counter()
        resolved = resolve(as_docs, languages, matcher=matcher)
        out.seconds += time.perf_counter() - started
        lang_of = {d.doc_id: d.language for d in docs}
        text_of = {d.doc_id: d.text for d in docs}
        items = [
            (
                entity,
                resolved.mention_keys.get((doc_id, s, e), f"none:{doc_id}:{s}"),
                lang_of[doc_id],
                normalize_name(text_of[doc_id][s:e]),
            )
            for (doc_id, s, e), entity in gold.items()
        ]
        score_resolution(topic, items, out)
    return out


def format_resolution(scores: ResolutionScores, title: str) -> str:
    bp, br, bf = scores.b3
    cp, cr, cf = scores.cross_language
    lines = [
        f"{title}: {scores.mentions} gold mentions resolved in {scores.seconds:.1f} s",
        f"  cross-document B-cubed    P {bp:.3f}  R {br:.3f}  F1 {bf:.3f}",
        f"  cross-language B-cubed    P {cp:.3f}  R {cr:.3f}  F1 {cf:.3f}  (over {scores.cross_mentions} mentions)",
        f"  merges of distinct forms  precision {scores.merge_precision:.3f}  "
        f"({scores.merge_correct}/{scores.merge_pairs} form pairs)",
    ]
    for topic, (p, r, f) in sorted(scores.per_topic.items()):
        lines.append(f"    topic {topic}: B-cubed P {p:.3f} R {r:.3f} F1 {f:.3f}")
    return "\n".join(lines)


@dataclass
class RecallScores:
    """Mention detection per language: gold mentions found (any overlap), system mentions."""

    gold: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    system: Counter[str] = field(default_factory=Counter)
    correct: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    characters: Counter[str] = field(default_factory=Counter)

    def recall(self, lang: str) -> float:
        return self.found[lang] / self.gold[lang] if self.gold[lang] else 0.0

    def precision(self, lang: str) -> float:
        return self.correct[lang] / self.system[lang] if self.system[lang] else 0.0

    def mean_recall(self, languages: Sequence[str] = SLAVIC_LANGUAGES) -> float:
        """Mean of the recalls of the given languages that have gold mentions."""
        present = [lang for lang in languages if self.gold[lang]]
        return sum(self.recall(lang) for lang in present) / len(present) if present else 0.0


def evaluate_slavic_recall(
    topics: dict[str, list[TextGoldDocument]], per_language: int | None = None, scores: RecallScores | None = None
) -> RecallScores:
    """Mention recall (and precision) per language on the documents of `topics` (the first
    `per_language` documents of each language and topic when given). Languages with a model
    run first; their names are the known names that confirm capitalised candidates in the
    languages without one (Czech, Polish, Slovene)."""
    from storyline.enrich.ner import recognizer_for

    out = scores if scores is not None else RecallScores()
    for _topic, all_docs in sorted(topics.items()):
        taken: Counter[str] = Counter()
        docs = []
        for d in all_docs:
            if per_language is None or taken[d.language] < per_language:
                taken[d.language] += 1
                docs.append(d)
        with_model = [d for d in docs if recognizer_for(d.language) is not None]
        without = [d for d in docs if recognizer_for(d.language) is None]
        known: dict[str, str] = {}
        for group in (with_model, without):
            started = time.perf_counter()
            results = extract_mentions_many([d.text for d in group], [d.language for d in group], known=known)
            elapsed = time.perf_counter() - started
            for d, res in zip(group, results, strict=True):
                out.seconds[d.language] += elapsed / max(1, len(group))
                out.characters[d.language] += len(d.text)
                if group is with_model:
                    for m in res.mentions:
                        known.setdefault(m.text, m.label)
                spans = sorted({(s, e) for s, e, *_ in d.mentions})
                sys_spans = [(m.start, m.end) for m in res.mentions]
                out.gold[d.language] += len(spans)
                out.system[d.language] += len(sys_spans)
                out.found[d.language] += sum(1 for s, e in spans if any(a < e and s < b for a, b in sys_spans))
                out.correct[d.language] += sum(1 for a, b in sys_spans if any(a < e and s < b for s, e in spans))
    return out


def format_recall(scores: RecallScores, title: str) -> str:
    lines = [f"{title}: mention detection (overlap) per language"]
    for lang in sorted(scores.gold):
        secs = scores.seconds.get(lang, 0.0)
        rate = scores.characters[lang] / secs if secs else 0.0
        lines.append(
            f"  {lang}: recall {scores.recall(lang):.3f}  precision {scores.precision(lang):.3f}  "
            f"({scores.found[lang]}/{scores.gold[lang]} gold, {scores.system[lang]} system, {rate:.0f} chars/s)"
        )
    langs = [lang for lang in SLAVIC_LANGUAGES if lang in scores.gold]
    if langs:
        lines.append(f"  mean recall over {len(langs)} languages: {scores.mean_recall(langs):.3f}")
    return "\n".join(lines)


def evaluate_slavicner_folds(
    names_root: Path,
    shared: Path | None,
    topics: Iterable[str] | None = None,
    log: Any = None,
    pairs: PairSet | None = None,
) -> tuple[ResolutionScores, ResolutionScores, ResolutionScores]:
    """Leave-one-topic-out resolution of SlavicNER gold mentions: for each topic, a matcher
    trained without it (`name_training`), then scored on it. Returns (held-out, rules only,
    shipped matcher: trained on every topic, the tuned-on figure)."""
    from storyline.enrich.matcher import NameMatcher
    from storyline.enrich.name_training import collect, fit

    data = read_slavicner(names_root / "slavicner", topics)
    if pairs is None:
        pairs = collect(names_root, shared, log=log)
    held, rules, shipped = ResolutionScores(), ResolutionScores(), ResolutionScores()
    for topic, docs in sorted(data.items()):
        matcher = NameMatcher(fit(pairs.without([topic])))
        evaluate_gold_resolution({topic: docs}, matcher=matcher, scores=held)
        evaluate_gold_resolution({topic: docs}, matcher=False, scores=rules)
        evaluate_gold_resolution({topic: docs}, matcher=True, scores=shipped)
        if log:
            log(f"{topic}: held-out B-cubed F1 {held.per_topic[topic][2]:.3f}")
    return held, rules, shipped


def evaluate_meantime_folds(
    root: Path, names_root: Path, shared: Path, log: Any = None, pairs: PairSet | None = None
) -> tuple[EntityScores, EntityScores, EntityScores]:
    """MEANTIME through the whole chain (NER, second pass, resolution): with a matcher trained
    without the scored topic (held-out), with rules only, and with the shipped matcher."""
    from storyline.enrich.matcher import NameMatcher
    from storyline.enrich.name_training import collect, fit

    data = read_meantime(root)
    if pairs is None:
        pairs = collect(names_root, shared, log=log)
    held, rules, shipped = EntityScores(), EntityScores(), EntityScores()
    for topic, docs in sorted(data.items()):
        matcher = NameMatcher(fit(pairs.without([f"meantime/{topic}"])))
        for scores, chosen in ((held, matcher), (rules, False), (shipped, True)):
            system, seconds, chars = run_system(docs, matcher=chosen)
            scores.seconds_ner += seconds
            scores.characters += chars
            _score_topic(docs, system, scores)
    return held, rules, shipped
