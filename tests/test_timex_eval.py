"""Evaluation gate: the temporal tagger on a fixed half of TimeBank and AQUAINT (tbaq)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import require_shared
from storyline.eval.timex import evaluate_corpus, format_report, parse_timeml

# value F1 reached on every 2nd file (sorted by name), minus a margin of 0.02
GATES = {"TimeBank": 0.804, "AQUAINT": 0.768}  # reached 0.8246 / 0.7883
RELAXED_GATE = 0.92  # reached 0.953 / 0.941


def _subset(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.tml"))[::2]


@pytest.mark.eval
@pytest.mark.parametrize("corpus", sorted(GATES))
def test_value_f1_on_fixed_subset(corpus: str) -> None:
    folder = require_shared("timeml", "tbaq", corpus)
    scores = evaluate_corpus(folder, _subset(folder))
    print(format_report({corpus: scores}))
    assert scores.documents == len(_subset(folder))
    assert scores.gold > 200
    assert scores.value_f1 >= GATES[corpus]
    assert scores.relaxed_prf[2] >= RELAXED_GATE


def test_parse_timeml_offsets_point_at_gold_text() -> None:
    source = (
        '<TimeML><DCT><TIMEX3 tid="t0" type="DATE" value="1998-02-06" functionInDocument="CREATION_TIME">'
        '19980206</TIMEX3></DCT><TEXT>Prices &amp; rates fell <TIMEX3 tid="t1" type="DATE" '
        'value="1998-02-05">yesterday</TIMEX3>, <EVENT eid="e1">traders</EVENT> said.</TEXT></TimeML>'
    )
    doc = parse_timeml(source)
    assert doc.dct == "1998-02-06"
    assert doc.text == "Prices & rates fell yesterday, traders said."
    (gold,) = doc.timexes
    assert doc.text[gold.start : gold.end] == "yesterday" == gold.text
    assert (gold.type, gold.value) == ("DATE", "1998-02-05")
