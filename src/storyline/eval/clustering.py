"""Story clustering evaluation on ECB+ (topics 1-35), WikiRef and the SemEval-2022 Task 8 pairs.

The hand-set clusterer (`storyline.cluster`) is scored by `evaluate_ecbplus`/`evaluate_wikiref`; the
learned article-to-story scorer (`storyline.storyscore`) by `evaluate_learned`, always held out (ECB+
in leave-topics-out folds, WikiRef by a model that never saw it, SemEval in folds by connected pair
component), each figure with its dev figure (the model trained on everything) beside it. The
engine's own clusterer (hand-set scores in one language, the learned scorer across languages, articles
carrying their vectors as the pipeline stores them) is run on the same ECB+ and SemEval folds with the
fold's held-out model ("pipeline clusterer").

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
from typing import Any

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
def run_online(
    docs: Sequence[EvalDoc], seed: int, config: ClusterConfig | None = None,
    vectors: Mapping[str, Any] | None = None, scorer: Any = None,
) -> dict[str, str]:
    """Shuffle with `seed`, cluster online; article id -> final story id (merges resolved).
    With `vectors` (article id -> unit vector), the articles carry them as the pipeline gives them
    (float16 bytes), so the clusterer joins across languages with `scorer` (default: the shipped one)."""
    order = list(docs)
    random.Random(seed).shuffle(order)
    clusterer = OnlineClusterer(config, scorer)
    if vectors is not None:
        from dataclasses import replace as _with

        from storyline.embed import pack

        order = [EvalDoc(_with(d.doc, vector=pack(vectors[d.doc.article_id])), d.labels) for d in order]
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


# -- the learned scorer, held out ------------------------------------------------------------
def run_learned(docs: Sequence[ClusterInput], vectors: Mapping[str, object], scorer: object, seed: int) -> dict[str, str]:
    """Shuffle with `seed`, cluster online with the learned scorer; article id -> story number."""
    from storyline.storyscore import LearnedClusterer, StoryScorer

    assert isinstance(scorer, StoryScorer)
    order = list(docs)
    random.Random(seed).shuffle(order)
    clusterer = LearnedClusterer(scorer)
    return {d.article_id: str(clusterer.add(d, vectors[d.article_id])) for d in order}  # type: ignore[arg-type]


def _f1(pred: Sequence[bool], gold: Sequence[bool]) -> float:
    tp = sum(p and g for p, g in zip(pred, gold, strict=True))
    fp = sum(p and not g for p, g in zip(pred, gold, strict=True))
    fn = sum(g and not p for p, g in zip(pred, gold, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _pearson(x: Sequence[float], y: Sequence[float]) -> float:
    return statistics.correlation(list(x), list(y)) if len(x) > 2 else 0.0


@dataclass
class LearnedReport:
    """Figures of the learned scorer: name -> (held-out, dev); references beside."""

    figures: dict[str, tuple[float, float]] = field(default_factory=dict)
    references: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def evaluate_learned(
    root: Path,
    folds: int = 5,
    seeds: Sequence[int] = (0,),
    cache: Path | None = None,
    corpora: Sequence[str] = ("ecbplus", "wikiref", "semeval"),
) -> LearnedReport:
    """Held-out figures of the learned scorer, each beside its dev figure (the model trained on all).

    - ECB+ topics 1-35 in `folds` leave-topics-out folds: a model trained on the other topics (plus
      WikiRef and SemEval) clusters each fold's articles online; subtopic B-cubed F1 over all folds.
    - WikiRef220: a model trained without any WikiRef clusters it online; topic B-cubed F1.
    - SemEval pairs in `folds` folds by connected component: Pearson of the pair score (the join
      probability, both ways averaged) against Overall (sign flipped: Overall is a distance),
      monolingual and cross-lingual; same-story F1 (Overall <= 1.5 vs >= 3.5) through the online
      clusterer run over each fold's articles.
    """
    from storyline.train_clustering import (
        DEFAULT_CACHE,
        DIFF_MIN,
        SAME_MAX,
        corpus_decisions,
        load_training_data,
        semeval_decisions,
        semeval_pair_rows,
        train,
    )

    data = load_training_data(root, cache=cache or DEFAULT_CACHE,
                              wikiref="wikiref" in corpora, semeval="semeval" in corpora)
    ecb_dec = corpus_decisions(data.ecb, data.vectors)
    wiki_dec = corpus_decisions(data.wiki, data.vectors) if data.wiki.docs else []
    sem_dec = semeval_decisions(data) if data.sem_pairs else []
    pool = [*ecb_dec, *wiki_dec, *sem_dec]
    full = train(data, (), pool)
    report = LearnedReport()

    def fold_fit(held: set[str]) -> object:
        return train(data, held, pool)

    if "ecbplus" in corpora:
        topics = sorted({g for g in data.ecb.group.values()}, key=lambda g: int(g[3:]))
        models: dict[int, object] = {}
        for seed in seeds:
            held_pred: dict[str, str] = {}
            dev_pred: dict[str, str] = {}
            for k in range(folds):
                held = set(topics[k::folds])
                docs = [d for d in data.ecb.docs if data.ecb.group[d.article_id] in held]
                model = models[k] = fold_fit(held)
                held_pred.update({a: f"{k}:{s}" for a, s in run_learned(docs, data.vectors, model, seed).items()})
                dev_pred.update({a: f"{k}:{s}" for a, s in run_learned(docs, data.vectors, full, seed).items()})
            gold = {a: s for a, s in data.ecb.story.items()}
            report.figures[f"ECB+ subtopic B3 F1 (seed {seed})"] = (bcubed(held_pred, gold)[2], bcubed(dev_pred, gold)[2])
            # The hand-set clusterer on the same fold streams, for reference.
            old: dict[str, str] = {}
            hybrid: dict[str, str] = {}
            for k in range(folds):
                held = set(topics[k::folds])
                fold_docs = [EvalDoc(d, {"subtopic": data.ecb.story[d.article_id]}) for d in data.ecb.docs
                             if data.ecb.group[d.article_id] in held]
                old.update({a: f"{k}:{s}" for a, s in run_online(fold_docs, seed).items()})
                hybrid.update({a: f"{k}:{s}" for a, s in run_online(
                    fold_docs, seed, vectors=data.vectors, scorer=models[k]).items()})
            report.references[f"ECB+ subtopic B3 F1, hand-set ClusterConfig (seed {seed})"] = bcubed(old, gold)[2]
            report.references[f"ECB+ subtopic B3 F1, pipeline clusterer with vectors (seed {seed})"] = bcubed(
                hybrid, gold)[2]

    if data.wiki.docs:
        model = fold_fit(set(data.wiki.group.values()))
        for seed in seeds:
            gold = data.wiki.story
            report.figures[f"WikiRef220 topic B3 F1 (seed {seed})"] = (
                bcubed(run_learned(data.wiki.docs, data.vectors, model, seed), gold)[2],
                bcubed(run_learned(data.wiki.docs, data.vectors, full, seed), gold)[2])

    if data.sem_pairs:
        components = sorted({g for g in data.sem_group.values()}, key=lambda g: int(g[3:]))
        scores: dict[str, list[tuple[float, float, float, bool]]] = {"held": [], "dev": []}
        same: dict[str, list[tuple[bool, bool, bool]]] = {
            "held": [], "dev": [], "hand-set": [], "pipeline held": [], "pipeline dev": []}
        for k in range(folds):
            held = set(components[k::folds])
            pairs = [p for p in data.sem_pairs if data.sem_group[p.a] in held]
            aids = sorted({x for p in pairs for x in (p.a, p.b)})
            docs = [data.sem_docs[a] for a in aids]
            rows = semeval_pair_rows(data, pairs)
            model = fold_fit(held)
            for name, m in (("held", model), ("dev", full)):
                prob = m.probability(rows).reshape(-1, 2).mean(axis=1)  # type: ignore[attr-defined]
                scores[name].extend((float(s), p.overall, 0.0, p.cross) for s, p in zip(prob, pairs, strict=True))
                for seed in seeds:
                    pred = run_learned(docs, data.vectors, m, seed)
                    same[name].extend((pred[p.a] == pred[p.b], p.overall <= SAME_MAX, p.cross) for p in pairs
                                      if p.overall <= SAME_MAX or p.overall >= DIFF_MIN)
            for seed in seeds:
                runs = [("hand-set", run_online([EvalDoc(d, {}) for d in docs], seed))]
                # the engine's clusterer: hand-set scores in one language, the learned scorer across
                for name, m in (("pipeline held", model), ("pipeline dev", full)):
                    runs.append((name, run_online([EvalDoc(d, {}) for d in docs], seed, vectors=data.vectors,
                                                  scorer=m)))
                for name, pred in runs:
                    same[name].extend((pred[p.a] == pred[p.b], p.overall <= SAME_MAX, p.cross) for p in pairs
                                      if p.overall <= SAME_MAX or p.overall >= DIFF_MIN)
        for cross, label in ((False, "monolingual"), (True, "cross-lingual")):
            figs = []
            for name in ("held", "dev"):
                sel = [(s, o) for s, o, _, c in scores[name] if c == cross]
                figs.append(_pearson([s for s, _ in sel], [-o for _, o in sel]))
            report.figures[f"SemEval Pearson vs Overall, {label}"] = (figs[0], figs[1])
            f1s = []
            for name in ("held", "dev", "hand-set"):
                sel2 = [(p, g) for p, g, c in same[name] if c == cross]
                f1s.append(_f1([p for p, _ in sel2], [g for _, g in sel2]))
            report.figures[f"SemEval same-story F1 (online), {label}"] = (f1s[0], f1s[1])
            sel4 = {name: [(p, g) for p, g, c in same[name] if c == cross] for name in ("pipeline held", "pipeline dev")}
            held_f1, dev_f1 = (_f1([p for p, _ in v], [g for _, g in v]) for v in sel4.values())
            report.figures[f"SemEval same-story F1 (pipeline clusterer), {label}"] = (held_f1, dev_f1)
            report.references[f"SemEval same-story F1 (online), {label}, hand-set ClusterConfig"] = f1s[2]
        vec = [(float(data.vectors[p.a] @ data.vectors[p.b]), p.overall, p.cross) for p in data.sem_pairs]
        for cross, label in ((False, "monolingual"), (True, "cross-lingual")):
            sel3 = [(s, o) for s, o, c in vec if c == cross]
            report.references[f"SemEval Pearson of the plain vector cosine, {label}"] = _pearson(
                [s for s, _ in sel3], [-o for _, o in sel3])
    report.notes.append(f"shipped-style model trained on all: threshold {full.threshold:.2f}")
    return report


def format_learned(report: LearnedReport) -> str:
    lines = ["Learned article-to-story scorer: held-out (dev beside)"]
    lines += [f"  {name:<52} {held:.3f}  (dev {dev:.3f})" for name, (held, dev) in report.figures.items()]
    lines += [f"  reference: {name:<52} {value:.3f}" for name, value in report.references.items()]
    lines += [f"  {note}" for note in report.notes]
    return "\n".join(lines)
