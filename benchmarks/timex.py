"""Temporal tagger benchmark: sentences per second on the tbaq text, then the evaluation.

Run: .venv/bin/python benchmarks/timex.py [PATH-TO-TBAQ]
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

from storyline.enrich.timex import tag
from storyline.eval.timex import evaluate_corpus, format_report, held_out, parse_timeml

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "timeml" / "tbaq"
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])|\n\s*\n")


def sentences(root: Path) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for path in sorted(root.glob("*/*.tml")):
        doc = parse_timeml(path.read_text(encoding="utf-8"), path.name)
        out.extend((s.strip(), doc.dct) for s in _SPLIT.split(doc.text) if s.strip())
    return out


def speed(items: list[tuple[str, str | None]], runs: int = 5) -> float:
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        for text, dct in items:
            tag(text, dct)
        rates.append(len(items) / (time.perf_counter() - start))
    return statistics.median(rates)


def main(root: Path = DEFAULT) -> None:
    items = sentences(root)
    print(f"{len(items)} sentences: {speed(items):,.0f} sentences/second (median of 5 runs, one core)")
    for label, pick in (("all files", None), ("held-out (every 5th file)", held_out)):
        scores = {}
        for corpus in ("TimeBank", "AQUAINT"):
            folder = root / corpus
            names = sorted(p.name for p in folder.glob("*.tml"))
            scores[corpus] = evaluate_corpus(folder, pick(names) if pick else names)
        print(f"\n{label}\n{format_report(scores)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
