"""Near-duplicate detection benchmark on Timeline17 with planted edited copies.

    .venv/bin/python benchmarks/dedup.py [--sizes 10000,100000] [--threshold 0.4] [--shingle 5]

1. The 2,304 real Timeline17 articles are run through the index alone: the near-duplicates found
   there are genuine (the same agency story in several outlets) and are reported separately.
2. For each size N, a stream is built of distinct base articles (the real ones, then composites of
   paragraph runs from several real articles of the same topic, so that two bases never share a
   passage by construction) plus planted edited copies (~20% of N): sentences dropped, reordered,
   the headline changed, boilerplate lines added, a few words changed, alone or combined. Each
   copy arrives after its source. Recall = planted copies attributed to their source's group;
   precision = detections that are right (a genuine Timeline17 near-duplicate counts as right).
Data is read in place from ../shared/data/timeline17.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from storyline.dedup import DEFAULT_SHINGLE, DEFAULT_THRESHOLD, NearDuplicateIndex  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "timeline17"

BOILERPLATE = [
    "Copyright 2010 Thomson Reuters . All rights reserved .",
    "Click here to subscribe to our daily newsletter .",
    "Follow us on Twitter and Facebook for the latest updates .",
    "This article was amended on the date shown to correct an error .",
    "Additional reporting by staff writers ; editing by the news desk .",
    "Share this article : Email | Print | Comments",
    "Advertisement",
    "Related stories : more coverage of this topic in our special section .",
]


@dataclass
class Doc:
    doc_id: str
    topic: str
    sentences: list[str]
    source: str | None = None  # planted copy: id of its source

    @property
    def text(self) -> str:
        return "\n".join(self.sentences)


def load_timeline17(root: Path = DATA) -> list[Doc]:
    docs = []
    for path in sorted(root.glob("*/articles.jsonl")):
        folder = path.parent.name
        topic = folder.split("_")[0]
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            sentences = [s.strip() for s in rec["text"].split("\n") if s.strip()]
            if len(sentences) >= 3:
                docs.append(Doc(f"{folder}/{rec['id']}", topic, sentences))
    return docs


def composite(rng: random.Random, pool: list[Doc], doc_id: str) -> Doc:
    """A new distinct article: runs of 2-6 sentences from 4-6 real articles of one topic."""
    topic = rng.choice(pool).topic
    same = [d for d in pool if d.topic == topic and len(d.sentences) >= 15]
    sentences: list[str] = []
    for src in rng.sample(same, k=min(len(same), rng.randint(4, 6))):
        run = rng.randint(2, 6)
        start = rng.randrange(len(src.sentences) - run)
        sentences.extend(src.sentences[start : start + run])
    return Doc(doc_id, topic, sentences)


def edit(rng: random.Random, doc: Doc, doc_id: str, vocabulary: list[str]) -> tuple[Doc, str]:
    sentences = list(doc.sentences)
    kinds = rng.sample(["drop", "reorder", "headline", "boilerplate", "words"], k=rng.randint(1, 3))
    for kind in kinds:
        if kind == "drop" and len(sentences) > 4:
            for _ in range(max(1, len(sentences) // 8)):
                sentences.pop(rng.randrange(1, len(sentences)))
        elif kind == "reorder":
            for _ in range(max(1, len(sentences) // 6)):
                i, j = rng.randrange(len(sentences)), rng.randrange(len(sentences))
                sentences[i], sentences[j] = sentences[j], sentences[i]
        elif kind == "headline":
            sentences[0] = " ".join(rng.choices(vocabulary, k=rng.randint(6, 12))).capitalize()
        elif kind == "boilerplate":
            for line in rng.sample(BOILERPLATE, k=rng.randint(1, 3)):
                sentences.insert(rng.choice([0, len(sentences)]), line)
        elif kind == "words":
            for _ in range(rng.randint(3, 8)):
                i = rng.randrange(len(sentences))
                words = sentences[i].split(" ")
                words[rng.randrange(len(words))] = rng.choice(vocabulary)
                sentences[i] = " ".join(words)
    return Doc(doc_id, doc.topic, sentences, source=doc.doc_id), "+".join(sorted(kinds))


def build_stream(rng: random.Random, real: list[Doc], size: int, copy_share: float = 0.2) -> list[Doc]:
    n_copies = int(size * copy_share)
    n_bases = size - n_copies
    bases = list(real[:n_bases])
    while len(bases) < n_bases:
        bases.append(composite(rng, real, f"mix/{len(bases)}"))
    vocabulary = [w for d in real[:200] for s in d.sentences[:3] for w in s.split() if w.isalpha()]
    timed: list[tuple[float, Doc]] = [(rng.random(), d) for d in bases]
    when = {d.doc_id: t for t, d in timed}
    for i in range(n_copies):
        src = rng.choice(bases)
        copy, kind = edit(rng, src, f"copy/{i}/{src.doc_id}", vocabulary)
        copy.doc_id = f"copy/{i}:{kind}"
        timed.append((when[src.doc_id] + rng.random() * (1 - when[src.doc_id]) + 1e-9, copy))
    timed.sort(key=lambda x: x[0])
    return [d for _, d in timed]


def genuine_duplicates(real: list[Doc], threshold: float, shingle: int) -> dict[str, str]:
    """Genuine near-duplicate groups among the real articles: every confirmed pair, joined
    transitively; maps each member of a group (but its representative) to the representative."""
    index = NearDuplicateIndex(threshold=threshold, shingle=shingle)
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for d in real:
        for other, _ in index.query(d.text):
            a, b = find(d.doc_id), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
        index.add(d.doc_id, d.text)
    return {x: find(x) for x in parent}


def run(size: int, real: list[Doc], genuine: dict[str, str], threshold: float, shingle: int, verbose: bool = False) -> dict:
    rng = random.Random(size)
    stream = build_stream(rng, real, size)
    index = NearDuplicateIndex(threshold=threshold, shingle=shingle)
    # Gold group of each doc: its source's root for copies; genuine Timeline17 duplicates share a root.
    def root(doc_id: str) -> str:
        return genuine.get(doc_id, doc_id)

    group: dict[str, str] = {}
    tp = fp = fn = 0
    misses: dict[str, int] = {}
    elapsed = 0.0
    for d in stream:
        group[d.doc_id] = root(d.source) if d.source else root(d.doc_id)
        t0 = time.perf_counter()
        found = index.add(d.doc_id, d.text)
        elapsed += time.perf_counter() - t0
        if found is not None:
            if group[found] == group[d.doc_id]:
                tp += 1
            else:
                fp += 1
                if verbose:
                    print("   FP:", d.doc_id, "->", found)
        elif d.source is not None:
            fn += 1
            kind = d.doc_id.split(":", 1)[1]
            misses[kind] = misses.get(kind, 0) + 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    copies = sum(1 for d in stream if d.source)
    recall = (copies - fn) / copies if copies else 1.0
    return {
        "size": size,
        "copies": copies,
        "precision": precision,
        "recall": recall,
        "false_positives": fp,
        "missed": fn,
        "missed_by_edit": misses,
        "articles_per_second": size / elapsed,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--shingle", type=int, default=DEFAULT_SHINGLE)
    parser.add_argument("--verbose", action="store_true", help="print every false positive")
    args = parser.parse_args(argv)
    real = load_timeline17()
    random.Random(0).shuffle(real)
    genuine = genuine_duplicates(real, args.threshold, args.shingle)
    print(f"threshold {args.threshold}, shingle {args.shingle}, num_perm 128")
    groups = len(set(genuine.values()))
    print(f"Timeline17: {len(real)} articles; genuine near-duplicates: {len(genuine)} articles copy another "
          f"({groups} groups), counted as right, not as planted copies")
    for size in [int(s) for s in args.sizes.split(",") if s]:
        r = run(size, real, genuine, args.threshold, args.shingle, args.verbose)
        print(
            f"N={r['size']:>7}  copies={r['copies']:>6}  precision={r['precision']:.4f}  "
            f"recall={r['recall']:.4f}  FP={r['false_positives']}  missed={r['missed']}  "
            f"{r['articles_per_second']:.0f} articles/s"
        )
        if r["missed_by_edit"]:
            print("   missed by edit kind:", dict(sorted(r["missed_by_edit"].items(), key=lambda x: -x[1])))


if __name__ == "__main__":
    main()
