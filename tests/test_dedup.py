"""Near-duplicate index: planted edited copies are found, distinct articles are not."""

from __future__ import annotations

import json
import random

from storyline.dedup import NearDuplicateIndex, jaccard, shingle_hashes

WORDS = ["river", "council", "budget", "storm", "harbour", "vote", "police", "mayor", "school", "bridge", "court", "price", "market", "factory", "strike", "minister", "hospital", "village", "election", "fire", "train", "airport", "museum", "festival", "farmer", "drought", "bank", "tax", "road", "flood", "union", "teacher", "nurse", "shop", "ferry", "tunnel", "border"]


def article(rng: random.Random, sentences: int = 25) -> list[str]:
    return [" ".join(rng.choices(WORDS, k=rng.randint(10, 18))) + " ." for _ in range(sentences)]


def test_planted_copies_are_found_and_distinct_articles_are_not() -> None:
    rng = random.Random(7)
    originals = {f"o{i}": article(rng) for i in range(40)}
    index = NearDuplicateIndex()
    for aid, sentences in originals.items():
        assert index.add(aid, "\n".join(sentences)) is None, aid
    for aid, sentences in originals.items():
        edited = list(sentences)
        del edited[3:6]  # sentences dropped
        edited[1], edited[8] = edited[8], edited[1]  # reordered
        edited[0] = "A wholly different headline for the same report"
        edited.append("Copyright 2024 . All rights reserved .")
        assert index.add("copy-" + aid, "\n".join(edited)) == aid


def test_copy_of_a_copy_points_to_the_earliest_article() -> None:
    rng = random.Random(3)
    text = article(rng, 30)
    index = NearDuplicateIndex()
    assert index.add("a", "\n".join(text)) is None
    assert index.add("b", "\n".join(text[:-3])) == "a"
    assert index.add("c", "\n".join([*text[:-4], "Advertisement"])) == "a"
    assert index.duplicate_of("c") == "a"
    assert index.duplicate_of("a") is None


def test_empty_and_short_texts_do_not_match_everything() -> None:
    index = NearDuplicateIndex()
    assert index.add("e", "") is None
    assert index.add("f", "") is None
    assert index.add("g", "storm hits coast") is None
    assert index.add("h", "storm hits coast") == "g"
    assert index.add("i", "flood hits town") is None


def test_jaccard_of_shingle_sets() -> None:
    a = shingle_hashes("one two three four five six seven", shingle=3)
    b = shingle_hashes("one two three four five six eight", shingle=3)
    assert a.size == 5
    assert jaccard(a, b) == 4 / 6


def test_index_survives_its_plain_state() -> None:
    rng = random.Random(11)
    text = "\n".join(article(rng))
    index = NearDuplicateIndex()
    index.add("x", text)
    index.add("x2", text + "\nA near copy .")
    index.add("empty", "")
    meta, arrays = index.state()
    restored = NearDuplicateIndex.from_state(json.loads(json.dumps(meta)), arrays)
    assert len(restored) == 3 and restored.duplicate_of("x2") == "x"
    assert restored.add("y", text + "\nMore at eleven .") == "x"
