"""Throughput of the consolidation stages on stories of 5, 50 and 500 Timeline17 articles.

Articles come from ../shared/data/timeline17 (read in place), annotated with the project's own time
expression tagger and quantity extractor (annotation is not timed). Timed: claims, cross-check, story
timeline and brief. Each run gets fresh copies of the articles (as a batch read from the store
would), so nothing cached on an article object carries over between runs. Prints the median wall
time and the median CPU time of the process (steadier on loaded cores) per story.
Usage: .venv/bin/python benchmarks/consolidate.py
"""

from __future__ import annotations

import copy
import json
import statistics
import sys
import time
from pathlib import Path

from storyline.consolidate.brief import build_brief
from storyline.consolidate.facts import cross_check, extract_claims
from storyline.consolidate.timeline import build_story_timeline
from storyline.model import AnnotatedArticle, Article

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "timeline17"
SIZES = (5, 50, 500)
LIMIT_500 = 10.0  # seconds


def load(n: int) -> list[AnnotatedArticle]:
    from storyline.enrich.quantities import extract_quantities
    from storyline.enrich.timex import tag

    rows = []
    for folder in sorted(DATA.glob("bpoil_*")):
        with (folder / "articles.jsonl").open(encoding="utf-8") as handle:
            rows += [(folder.name, json.loads(line)) for line in handle if line.strip()]
    out = []
    for outlet, row in rows[:n]:
        text, day = str(row["text"]), str(row["time"])[:10]
        out.append(
            AnnotatedArticle(
                id=f"{outlet}#{row['id']}",
                article=Article(text=text, published=day, source=outlet),
                timexes=tuple(tag(text, day)),
                quantities=tuple(extract_quantities(text, day)),
            )
        )
    return out


def consolidate(story: list[AnnotatedArticle]) -> int:
    facts = cross_check(extract_claims(story, []))
    timeline = build_story_timeline(story)
    return len(build_brief(story, facts, timeline)) + len(facts) + len(timeline)


def main() -> int:
    if not DATA.exists():
        print(f"{DATA} is absent", file=sys.stderr)
        return 1
    ok = True
    for n in SIZES:
        story = load(n)
        runs = max(3, 50 // n)
        wall: list[float] = []
        cpu: list[float] = []
        for _ in range(runs):
            fresh = [copy.copy(item) for item in story]
            started, started_cpu = time.perf_counter(), time.process_time()
            consolidate(fresh)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        seconds = statistics.median(wall)
        print(f"{len(story):4d} articles: {seconds:7.3f} s/story  {1 / seconds:8.2f} stories/s  "
              f"(median of {runs}; CPU {statistics.median(cpu):.3f} s/story)")
        if n == 500 and seconds >= LIMIT_500:
            ok = False
            print(f"  slower than {LIMIT_500} s", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
