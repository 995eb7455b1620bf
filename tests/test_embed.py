"""Multilingual article vectors: the lead that is embedded, compact storage, one space across languages."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.embed import DIM, LEAD_WORDS, article_vector, embed_texts, lead, pack, unpack


def test_lead_is_title_then_first_words_without_repeating_the_title() -> None:
    body = "Flood in Verrin\n" + " ".join(f"w{i}" for i in range(500))
    text = lead("Flood in  Verrin", body)
    assert text.startswith("Flood in Verrin\nw0 w1 ")
    assert len(text.split("\n", 1)[1].split()) == LEAD_WORDS
    assert lead(None, "") == ""


@settings(deadline=None, max_examples=60)
@given(st.lists(st.floats(min_value=-1, max_value=1, allow_nan=False), min_size=DIM, max_size=DIM))
def test_pack_is_float16_bytes_and_round_trips(values: list[float]) -> None:
    vec = np.asarray(values, dtype=np.float32)
    data = pack(vec)
    assert len(data) == 2 * DIM
    back = unpack(data)
    norm = float(np.linalg.norm(vec))
    if norm > 0.01:
        assert float(back @ vec) / norm > 0.999
        assert abs(float(np.linalg.norm(back)) - 1.0) < 1e-4


def test_one_event_in_three_languages_is_closer_than_another_event() -> None:
    vecs = embed_texts([
        "Fire at chemical plant forces 3,000 to flee\nA fire at the Lindenholz chemical plant near Verrin "
        "forced about 3,000 residents to leave their homes on Tuesday, the fire brigade said.",
        "Un incendie dans une usine chimique force 3 000 habitants à fuir\nUn incendie dans l'usine chimique "
        "Lindenholz près de Verrin a contraint mardi quelque 3 000 habitants à quitter leur domicile.",
        "Brand in Chemiewerk: 3000 Anwohner müssen fliehen\nEin Brand im Chemiewerk Lindenholz bei Verrin "
        "hat am Dienstag rund 3000 Anwohner gezwungen, ihre Häuser zu verlassen, teilte die Feuerwehr mit.",
        "Central bank raises interest rates\nThe central bank raised its main interest rate by a quarter "
        "point on Thursday, citing persistent inflation in services.",
        "",
    ])
    assert vecs.shape == (5, DIM) and vecs.dtype == np.float32
    assert not vecs[4].any()  # no text: a zero vector
    sims = vecs[:4] @ vecs[:4].T
    for i, j in ((0, 1), (0, 2), (1, 2)):
        assert sims[i, j] > 0.5
        assert sims[i, j] > max(sims[i, 3], sims[j, 3]) + 0.3


def test_article_vector_is_the_packed_vector_of_title_and_lead() -> None:
    data = article_vector("Storm closes ports", "Ports along the coast closed on Monday as the storm arrived.")
    assert len(data) == 2 * DIM
    direct = embed_texts([lead("Storm closes ports", "Ports along the coast closed on Monday as the storm arrived.")])[0]
    assert float(unpack(data) @ direct) > 0.999
