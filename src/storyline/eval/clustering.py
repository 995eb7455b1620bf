"""Story clustering evaluation on ECB+ (topics 1-35) and WikiRef.

ECB+: each CROMER XML document is an article; its text is its tokens joined by spaces, its title
the first sentence (a leading URL line, as in the "ecbplus" half, is skipped: it is the page
address, not text); no dates. All documents of all topics go through one online clusterer in a
seeded shuffled order. Gold: the subtopic (folder + "ecb"/"ecbplus" suffix, i.e. the seminal event)
and the topic (folder). WikiRef220: title = first line, topic from the file name, topic level only.

Scores: B-cubed and pairwise precision/recall/F1, mean and spread (population std) over seeds.
Reference: batch TF-IDF agglomerative clustering (average-linkage cosine) with the best distance
threshold in hindsight.

Reading files is the caller's business here only in `load_*`; scoring functions are pure.
"""

from __future__ import annotations

import random
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from storyline.cluster import ClusterConfig, ClusterInput, OnlineClusterer, tokenize

__all__ = [
    "ClusteringReport",
    "EvalDoc",
    "batch_reference",
    "bcubed",
    "evaluate_ecbplus",
    "evaluate_wikiref",
    "format_report",
    "load_ecbplus",
    "load_wikiref",
    "pairwise",
    "run_online",
]


@dataclass(frozen=True)
class EvalDoc:
    doc: ClusterInput
    labels: dict[str, str]  # level -> gold cluster ("subtopic", "topic")


# -- metrics ---------------------------------------------------------------------------------
def bcubed(pred: Mapping[str, str], gold: Mapping[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall, F1 of a predicted clustering against gold (item -> cluster)."""
    items = list(gold)
    if not items:
        return 0.0, 0.0, 0.0
    pc: dict[str, set[str]] = defaultdict(set)
    gc: dict[str, set[str]] = defaultdict(set)
    for i in items:
        pc[pred[i]].add(i)
        gc[gold[i]].add(i)
    p = r = 0.0
    for i in items:
        inter = len(pc[pred[i]] & gc[gold[i]])
        p += inter / len(pc[pred[i]])
        r += inter / len(gc[gold[i]])
    p, r = p / len(items), r / len(items)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def pairwise(pred: Mapping[str, str], gold: Mapping[str, str]) -> tuple[float, float, float]:
    """Pairwise precision, recall, F1 over all pairs of items put together."""
    joint = Counter((pred[i], gold[i]) for i in gold)
    same_both = sum(n * (n - 1) // 2 for n in joint.values())
    same_pred = sum(n * (n - 1) // 2 for n in Counter(pred[i] for i in gold).values())
    same_gold = sum(n * (n - 1) // 2 for n in Counter(gold.values()).values())
    p = same_both / same_pred if same_pred else 1.0
    r = same_both / same_gold if same_gold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


# -- corpora ---------------------------------------------------------------------------------
_TOKEN = re.compile(r'<token[^>]*\bsentence="(\d+)"[^>]*>([^<]*)</token>')
_ECB_NAME = re.compile(r"^(\d+)_(\d+)(ecbplus|ecb)\.xml$")


def _unescape(s: str) -> str:
    return s.replace("&quot;", '"').replace("&apos;", "'").replace("&lt;", "<").replace("&gt;", ">").replace(
        "&amp;", "&"
    )


def ecbplus_document(xml: str) -> tuple[str, str]:
    """(title, text) of one CROMER XML document: tokens joined by spaces, sentence by sentence."""
    sentences: dict[int, list[str]] = defaultdict(list)
    for sent, tok in _TOKEN.findall(xml):
        sentences[int(sent)].append(_unescape(tok))
    lines = [" ".join(sentences[k]) for k in sorted(sentences)]
    while len(lines) > 1 and lines[0].replace(" ", "").lower().startswith(("http:", "https:", "www.")):
        lines.pop(0)
    if not lines:
        return "", ""
    return lines[0], "\n".join(lines[1:])


def load_ecbplus(
    root: Path,
    topics: Iterable[int] = range(1, 36),
    entities: Callable[[str], list[str]] | None = None,
) -> list[EvalDoc]:
    docs = []
    wanted = set(topics)
    for folder in sorted(root.iterdir(), key=lambda p: p.name):
        if not folder.is_dir() or not folder.name.isdigit() or int(folder.name) not in wanted:
            continue
        for path in sorted(folder.glob("*.xml")):
            m = _ECB_NAME.match(path.name)
            if not m:
                continue
            title, text = ecbplus_document(path.read_text(encoding="utf-8"))
            ents = entities(title + "\n" + text) if entities else []
            docs.append(
                EvalDoc(
                    ClusterInput(path.name, title, text, entities=ents, language="en"),
                    {"subtopic": m.group(1) + m.group(3), "topic": m.group(1)},
                )
            )
    return docs


def wikiref_topic(name: str) -> str:
    """Topic of a WikiRef file name: 'ParisAttacks2015 (12).txt', 'barack.obama.3.txt' -> stem."""
    stem = re.sub(r"\.txt$", "", name)
    stem = re.sub(r"\s*\(\d+\)$", "", stem)
    return re.sub(r"\.\d+$", "", stem).lower()


def load_wikiref(
    root: Path, subset: str = "WikiRef220", entities: Callable[[str], list[str]] | None = None
) -> list[EvalDoc]:
    docs = []
    for path in sorted((root / subset).glob("*.txt")):
        raw = path.read_text(encoding="utf-8", errors="replace")
        lines = [ln.strip() for ln in raw.splitlines() if ln.strip()]
        title, text = (lines[0], "\n".join(lines[1:])) if lines else ("", "")
        ents = entities(title + "\n" + text) if entities else []
        docs.append(EvalDoc(ClusterInput(path.name, title, text, entities=ents, language="en"),
                            {"topic": wikiref_topic(path.name)}))
    return docs


def ner_entities() -> Callable[[str], list[str]] | None:
    """Entity names from `storyline.enrich.entities.extract_mentions` when it exists, else None."""
    try:
        from storyline.enrich.entities import extract_mentions
    except ImportError:
        return None

    def names(text: str) -> list[str]:
        return [m.entity_key or m.text for m in extract_mentions(text, "en")]

    return names


# -- runs ------------------------------------------------------------------------------------
def run_online(docs: Sequence[EvalDoc], seed: int, config: ClusterConfig | None = None) -> dict[str, str]:
    """Shuffle with `seed`, cluster online; article id -> final story id (merges resolved)."""
    order = list(docs)
    random.Random(seed).shuffle(order)
    clusterer = OnlineClusterer(config)
    raw = {d.doc.article_id: clusterer.add(d.doc).story_id for d in order}
    return {aid: clusterer.resolve(sid) for aid, sid in raw.items()}


@dataclass
class ClusteringReport:
    corpus: str
    n_docs: int
    seeds: tuple[int, ...]
    # level -> metric name -> per-seed values
    scores: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    n_stories: list[int] = field(default_factory=list)
    reference: dict[str, float] = field(default_factory=dict)  # batch agglomerative, best in hindsight

    def mean(self, level: str, metric: str) -> float:
        return statistics.fmean(self.scores[level][metric])

    def spread(self, level: str, metric: str) -> float:
        return statistics.pstdev(self.scores[level][metric])


def _score_run(report: ClusteringReport, pred: Mapping[str, str], docs: Sequence[EvalDoc]) -> None:
    for level in docs[0].labels:
        gold = {d.doc.article_id: d.labels[level] for d in docs}
        for name, fn in (("b3", bcubed), ("pair", pairwise)):
            p, r, f = fn(pred, gold)
            level_scores = report.scores.setdefault(level, {})
            for metric, value in ((f"{name}_p", p), (f"{name}_r", r), (f"{name}_f1", f)):
                level_scores.setdefault(metric, []).append(value)
    report.n_stories.append(len(set(pred.values())))


_THRESHOLDS = tuple(step / 20 for step in range(4, 20))


def batch_reference(
    docs: Sequence[EvalDoc], level: str, thresholds: Iterable[float] = _THRESHOLDS
) -> dict[str, float]:
    """Batch TF-IDF (title + text, our tokeniser) agglomerative average-linkage cosine clustering;
    the distance threshold with the best B-cubed F1 in hindsight."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [d.doc.title + "\n" + d.doc.text for d in docs]
    matrix = TfidfVectorizer(tokenizer=tokenize, lowercase=False, sublinear_tf=True, token_pattern=None)
    x = matrix.fit_transform(texts).toarray()
    gold = {d.doc.article_id: d.labels[level] for d in docs}
    best = {"b3_f1": -1.0}
    for t in thresholds:
        labels = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="average", distance_threshold=t
        ).fit_predict(x)
        pred = {d.doc.article_id: str(lab) for d, lab in zip(docs, labels, strict=True)}
        bp, br, bf = bcubed(pred, gold)
        pp, pr, pf = pairwise(pred, gold)
        if bf > best["b3_f1"]:
            best = {"threshold": t, "b3_p": bp, "b3_r": br, "b3_f1": bf, "pair_p": pp, "pair_r": pr, "pair_f1": pf}
    return best


def _evaluate(
    corpus: str,
    docs: Sequence[EvalDoc],
    seeds: Sequence[int],
    config: ClusterConfig | None,
    reference_level: str | None,
) -> ClusteringReport:
    report = ClusteringReport(corpus, len(docs), tuple(seeds))
    for seed in seeds:
        _score_run(report, run_online(docs, seed, config), docs)
    if reference_level is not None:
        report.reference = batch_reference(docs, reference_level)
        report.reference["level"] = reference_level  # type: ignore[assignment]
    return report


def evaluate_ecbplus(
    root: Path,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    topics: Iterable[int] = range(1, 36),
    config: ClusterConfig | None = None,
    use_ner: bool = False,
    reference: bool = True,
) -> ClusteringReport:
    """ECB+ topics (1-35 only) in one stream; subtopic- and topic-level scores over seeded orders."""
    topics = [t for t in topics if 1 <= t <= 35]  # 36-45 are held out: never read
    entities = ner_entities() if use_ner else None
    if use_ner and entities is None:
        raise RuntimeError("use_ner: storyline.enrich.entities.extract_mentions is not available")
    docs = load_ecbplus(root, topics, entities)
    return _evaluate("ECB+" + (" (NER entities)" if use_ner else ""), docs, seeds, config,
                     "subtopic" if reference else None)


def evaluate_wikiref(
    root: Path,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    subset: str = "WikiRef220",
    config: ClusterConfig | None = None,
    use_ner: bool = False,
    reference: bool = True,
) -> ClusteringReport:
    entities = ner_entities() if use_ner else None
    if use_ner and entities is None:
        raise RuntimeError("use_ner: storyline.enrich.entities.extract_mentions is not available")
    docs = load_wikiref(root, subset, entities)
    return _evaluate(subset + (" (NER entities)" if use_ner else ""), docs, seeds, config,
                     "topic" if reference else None)


def format_report(report: ClusteringReport) -> str:
    lines = [f"{report.corpus}: {report.n_docs} documents, seeds {list(report.seeds)}, "
             f"stories {statistics.fmean(report.n_stories):.1f}"]
    for level, scores in report.scores.items():
        parts = []
        for metric in ("b3_p", "b3_r", "b3_f1", "pair_p", "pair_r", "pair_f1"):
            vals = scores[metric]
            parts.append(f"{metric} {statistics.fmean(vals):.3f}±{statistics.pstdev(vals):.3f}")
        lines.append(f"  {level:<9} " + "  ".join(parts))
    if report.reference:
        ref = report.reference
        lines.append(
            f"  batch agglomerative TF-IDF reference ({ref['level']}, best threshold {ref['threshold']:.2f} "
            f"in hindsight): b3_f1 {ref['b3_f1']:.3f}  pair_f1 {ref['pair_f1']:.3f}"
        )
    return "\n".join(lines)


# -- SemEval-2022 Task 8 pairs ---------------------------------------------------------------
@dataclass(frozen=True)
class SemevalPair:
    a: str  # article ids
    b: str
    overall: float  # 1 (same story) .. 4 (unrelated)
    cross: bool  # the two articles are in different languages


def semeval_document(text: str) -> tuple[str, str]:
    """(title, text) of a SemEval article: the title is followed by two spaces in these texts."""
    title, sep, body = text.partition("  ")
    if not sep or len(title) > 300:
        return "", text.strip()
    return title.strip(), body.strip()


def load_semeval(path: Path) -> tuple[dict[str, ClusterInput], list[SemevalPair]]:
    """The articles (by id, "sem:" + the pair id's half) and the rated pairs of `training_set.csv`."""
    import csv

    csv.field_size_limit(1 << 30)
    docs: dict[str, ClusterInput] = {}
    pairs: list[SemevalPair] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            ids = ["sem:" + part for part in row["pair_id"].split("_")]
            langs = [row["lang1"], row["lang2"]]
            for aid, lang, key in zip(ids, langs, ("text1", "text2"), strict=True):
                if aid not in docs:
                    title, text = semeval_document(row[key])
                    docs[aid] = ClusterInput(aid, title, text, language=lang)
            pairs.append(SemevalPair(ids[0], ids[1], float(row["Overall"]), langs[0] != langs[1]))
    return docs, pairs


def pair_components(pairs: Sequence[SemevalPair]) -> dict[str, int]:
    """Article id -> connected component of the pair graph (components numbered by first appearance)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        ra, rb = find(p.a), find(p.b)
        if ra != rb:
            parent[rb] = ra
    roots: dict[str, int] = {}
    out: dict[str, int] = {}
    for p in pairs:
        for x in (p.a, p.b):
            out[x] = roots.setdefault(find(x), len(roots))
    return out
