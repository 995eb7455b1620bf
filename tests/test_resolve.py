"""Folding of name variants into canonical entities, and the names that must stay apart."""

from __future__ import annotations

from collections.abc import Sequence

from storyline.enrich.resolve import ResolvedEntities, resolve, with_keys
from storyline.model import EntityMention


def mentions(text: str, names: Sequence[tuple[str, str]]) -> list[EntityMention]:
    """Mentions of each (surface, label), at successive occurrences in `text`."""
    out: list[EntityMention] = []
    pos: dict[str, int] = {}
    for surface, label in names:
        start = text.index(surface, pos.get(surface, 0))
        pos[surface] = start + len(surface)
        out.append(EntityMention(start, start + len(surface), surface, label))
    return out


def doc(doc_id: str, text: str, names: Sequence[tuple[str, str]]) -> tuple[str, str, list[EntityMention]]:
    return doc_id, text, mentions(text, names)


def key_of(
    resolved: ResolvedEntities, docs: Sequence[tuple[str, str, list[EntityMention]]], surface: str
) -> set[str]:
    """Keys given to every mention with this surface form."""
    out = set()
    for doc_id, _, ms in docs:
        for m in ms:
            if m.text == surface:
                key = resolved.key_of(doc_id, m)
                assert key is not None
                out.add(key)
    return out


KOREA = [
    doc(
        "a",
        "Kim Jong Un visited a factory in Pyongyang. Kim praised the workers, the Korean Central "
        "News Agency said. Vladimir Putin sent greetings; President Putin also invited him to Moscow.",
        [
            ("Kim Jong Un", "PERSON"),
            ("Pyongyang", "GPE"),
            ("Kim", "PERSON"),
            ("Korean Central News Agency", "ORG"),
            ("Vladimir Putin", "PERSON"),
            ("President Putin", "PERSON"),
            ("Moscow", "GPE"),
        ],
    ),
    doc(
        "b",
        "Kim Jong-un met Putin in Pyongyang, KCNA reported. "
        "Putin gave him an Aurus limousine made in Moscow.",
        [
            ("Kim Jong-un", "PERSON"),
            ("Putin", "PERSON"),
            ("Pyongyang", "GPE"),
            ("KCNA", "ORG"),
            ("Putin", "PERSON"),
            ("Aurus", "PRODUCT"),
            ("Moscow", "GPE"),
        ],
    ),
    doc(
        "c",
        "Kim Jun Un drove the Auras car given by Putin around Pyongyang, KCNA said. "
        "His sister Kim Yo Jong watched.",
        [
            ("Kim Jun Un", "PERSON"),
            ("Auras", "PRODUCT"),
            ("Putin", "PERSON"),
            ("Pyongyang", "GPE"),
            ("KCNA", "ORG"),
            ("Kim Yo Jong", "PERSON"),
        ],
    ),
    doc(
        "d",
        "An Orus limousine carried Kim Jong-Un through Pyongyang after Putin left, U.S. officials said. "
        "The United States protested; US envoys met in Moscow.",
        [
            ("Orus", "PRODUCT"),
            ("Kim Jong-Un", "PERSON"),
            ("Pyongyang", "GPE"),
            ("Putin", "PERSON"),
            ("U.S.", "GPE"),
            ("United States", "GPE"),
            ("US", "GPE"),
            ("Moscow", "GPE"),
        ],
    ),
]


def test_kim_jong_un_variants_fold_into_one_person() -> None:
    resolved = resolve(KOREA)
    keys = set()
    for surface in ["Kim Jong Un", "Kim Jong-un", "Kim Jong-Un", "Kim Jun Un", "Kim"]:
        keys |= key_of(resolved, KOREA, surface)
    assert len(keys) == 1
    entity = resolved.by_key()[keys.pop()]
    assert entity.label == "PERSON"
    assert {"Kim Jong Un", "Kim Jong-un", "Kim Jun Un", "Kim"} <= set(entity.aliases)


def test_kim_yo_jong_stays_apart() -> None:
    resolved = resolve(KOREA)
    assert key_of(resolved, KOREA, "Kim Yo Jong").isdisjoint(key_of(resolved, KOREA, "Kim Jong Un"))


def test_putin_variants_fold_and_the_full_name_is_canonical() -> None:
    resolved = resolve(KOREA)
    keys = key_of(resolved, KOREA, "Vladimir Putin") | key_of(resolved, KOREA, "Putin")
    keys |= key_of(resolved, KOREA, "President Putin")
    assert len(keys) == 1
    assert resolved.by_key()[next(iter(keys))].name == "Vladimir Putin"


def test_brand_spelt_three_ways_folds() -> None:
    resolved = resolve(KOREA)
    keys = (
        key_of(resolved, KOREA, "Aurus") | key_of(resolved, KOREA, "Auras") | key_of(resolved, KOREA, "Orus")
    )
    assert len(keys) == 1


def test_acronyms_fold_into_their_expansion() -> None:
    resolved = resolve(KOREA)
    assert key_of(resolved, KOREA, "KCNA") == key_of(resolved, KOREA, "Korean Central News Agency")
    us = (
        key_of(resolved, KOREA, "U.S.")
        | key_of(resolved, KOREA, "United States")
        | key_of(resolved, KOREA, "US")
    )
    assert len(us) == 1
    assert resolved.by_key()[next(iter(us))].name == "United States"


def test_spelling_variants_need_agreeing_context() -> None:
    docs = [
        doc(
            "a",
            "The Aurus limousine was built in Moscow for Putin.",
            [("Aurus", "PRODUCT"), ("Moscow", "GPE"), ("Putin", "PERSON")],
        ),
        doc("b", "Farmers in Kenya bought an Auras tractor.", [("Kenya", "GPE"), ("Auras", "PRODUCT")]),
    ]
    resolved = resolve(docs)
    assert key_of(resolved, docs, "Aurus").isdisjoint(key_of(resolved, docs, "Auras"))


def test_different_names_stay_apart() -> None:
    docs = [
        doc(
            "a",
            "Austria and Germany signed the treaty in Vienna. John Smith spoke.",
            [("Austria", "GPE"), ("Germany", "GPE"), ("Vienna", "GPE"), ("John Smith", "PERSON")],
        ),
        doc(
            "b",
            "Australia and Germany signed the treaty in Vienna. John Brown spoke.",
            [("Australia", "GPE"), ("Germany", "GPE"), ("Vienna", "GPE"), ("John Brown", "PERSON")],
        ),
        doc(
            "c",
            "Georgia sent troops. George Walker met the Georgia delegation.",
            [("Georgia", "GPE"), ("George Walker", "PERSON"), ("Georgia", "GPE")],
        ),
        doc(
            "d",
            "George gave a speech in Vienna about Germany.",
            [("George", "PERSON"), ("Vienna", "GPE"), ("Germany", "GPE")],
        ),
    ]
    resolved = resolve(docs)
    assert key_of(resolved, docs, "Austria").isdisjoint(key_of(resolved, docs, "Australia"))
    assert key_of(resolved, docs, "John Smith").isdisjoint(key_of(resolved, docs, "John Brown"))
    assert key_of(resolved, docs, "Georgia").isdisjoint(key_of(resolved, docs, "George"))
    assert key_of(resolved, docs, "George") == key_of(resolved, docs, "George Walker")
    assert len(key_of(resolved, docs, "Germany")) == 1


def test_person_and_organisation_never_merge() -> None:
    docs = [
        doc(
            "a",
            "Harrison Ford said Ford would not buy a car from Ford.",
            [("Harrison Ford", "PERSON"), ("Ford", "PERSON"), ("Ford", "ORG")],
        ),
        doc(
            "b",
            "Ford cut jobs; Ford Motor Company and Ford shares fell. Ford, the actor, smiled.",
            [("Ford", "ORG"), ("Ford Motor Company", "ORG"), ("Ford", "ORG"), ("Ford", "PERSON")],
        ),
    ]
    resolved = resolve(docs)
    labels: dict[str, set[str]] = {}
    for doc_id, _, ms in docs:
        for m in ms:
            key = resolved.key_of(doc_id, m)
            assert key is not None
            labels.setdefault(key, set()).add(m.label)
    assert all(len(found) == 1 for found in labels.values()), labels
    assert len(labels) == 2


def test_ambiguous_surname_is_not_folded() -> None:
    docs = [
        doc(
            "a",
            "John Smith and Jane Smith arrived. Smith spoke first.",
            [("John Smith", "PERSON"), ("Jane Smith", "PERSON"), ("Smith", "PERSON")],
        ),
    ]
    resolved = resolve(docs)
    smith = key_of(resolved, docs, "Smith")
    assert smith.isdisjoint(key_of(resolved, docs, "John Smith"))
    assert smith.isdisjoint(key_of(resolved, docs, "Jane Smith"))


def test_legal_form_and_trade_words_fold() -> None:
    docs = [
        doc(
            "a",
            "General Motors Corporation (GM) and Ford Motor Company reported.",
            [("General Motors Corporation", "ORG"), ("GM", "ORG"), ("Ford Motor Company", "ORG")],
        ),
        doc("b", "General Motors and Ford cut jobs.", [("General Motors", "ORG"), ("Ford", "ORG")]),
    ]
    resolved = resolve(docs)
    gm = key_of(resolved, docs, "General Motors Corporation") | key_of(resolved, docs, "GM")
    gm |= key_of(resolved, docs, "General Motors")
    assert len(gm) == 1
    assert key_of(resolved, docs, "Ford") == key_of(resolved, docs, "Ford Motor Company")
    assert gm.isdisjoint(key_of(resolved, docs, "Ford"))


def test_keys_are_deterministic_and_order_independent() -> None:
    first = resolve(KOREA)
    second = resolve(list(reversed(KOREA)))
    assert first.mention_keys == second.mention_keys
    assert sorted(e.key for e in first.entities) == sorted(e.key for e in second.entities)
    assert len({e.key for e in first.entities}) == len(first.entities)


def test_with_keys_fills_mentions() -> None:
    resolved = resolve(KOREA)
    doc_id, _, ms = KOREA[1]
    keyed = with_keys(doc_id, ms, resolved)
    assert all(m.entity_key is not None for m in keyed)
    assert keyed[1].entity_key == keyed[4].entity_key  # both "Putin"


def test_empty_input() -> None:
    resolved = resolve([])
    assert resolved.entities == ()
    assert resolved.mention_keys == {}
