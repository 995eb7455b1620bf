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
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from storyline.enrich.entities import extract_mentions_many, find_missed_mentions, known_names
from storyline.enrich.names import normalize_name
from storyline.enrich.resolve import resolve
from storyline.model import EntityMention

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


@dataclass(frozen=True)
class GoldMention:
    tokens: tuple[int, ...]  # token indices into the document's token list
    chain: str
    text: str


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
    if markables is not None:
        for el in markables:
            m_id = el.get("m_id", "")
            if el.tag == "ENTITY_MENTION" and el.get("syntactic_type") == "NAM":
                toks = tuple(sorted(index[a.get("t_id", "")] for a in el.iter("token_anchor")))
                if toks:
                    names[m_id] = toks
            elif el.tag == "ENTITY":
                instances[m_id] = el.get("instance_id") or f"{doc_id}#{m_id}"
    chain_of: dict[str, str] = {}
    if relations is not None:
        for rel in relations.iter("REFERS_TO"):
            target = rel.find("target")
            if target is None or target.get("m_id") not in instances:
                continue
            chain = instances[target.get("m_id", "")]
            for src in rel.iter("source"):
                chain_of[src.get("m_id", "")] = chain
    mentions = tuple(
        GoldMention(toks, chain_of.get(m_id, f"{doc_id}#single{m_id}"), " ".join(words[t] for t in toks))
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
    if markables is not None:
        for el in markables:
            if not el.tag.startswith(_ECB_ENTITY_PREFIXES):
                continue
            m_id = el.get("m_id", "")
            anchors = [a.get("t_id", "") for a in el.iter("token_anchor")]
            if anchors:
                spans[m_id] = tuple(sorted(index[a] for a in anchors if a in index))
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
            GoldMention(toks, chain_of.get(m_id, f"{doc_id}#single{m_id}"), " ".join(words[t] for t in toks))
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
    docs: Sequence[GoldDocument], second_pass: bool = True
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
    resolved = resolve([(d.doc_id, t, ms) for d, t, ms in zip(docs, texts, mentions, strict=True)])
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
