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


def seq_doc(doc_id: str, text: str, names: Sequence[tuple[str, str]]) -> tuple[str, str, list[EntityMention]]:
    """Like `doc`, each mention searched after the previous one (so "Vantorra" is not found
    inside an earlier "Vantorra Batteries")."""
    out: list[EntityMention] = []
    pos = 0
    for surface, label in names:
        start = text.index(surface, pos)
        pos = start + len(surface)
        out.append(EntityMention(start, pos, surface, label))
    return doc_id, text, out


def test_short_form_of_an_organisation_folds() -> None:
    """The distinctive word of a company name used alone, even tagged PERSON by the NER, and a
    trade-word variant of the name ("Battery Systems" for "Batteries") fold into the name."""
    docs = [
        seq_doc(
            "a",
            "Vantorra Batteries said a fire hit its plant. Vantorra employs 900 people.",
            [("Vantorra Batteries", "ORG"), ("Vantorra", "PERSON")],
        ),
        seq_doc(
            "b",
            "Vantorra Battery Systems confirmed the deaths. Vantorra shut the site.",
            [("Vantorra Battery Systems", "ORG"), ("Vantorra", "ORG")],
        ),
        seq_doc(
            "c",
            "Fenwright Instruments plc agreed a takeover. Fenwright shares rose.",
            [("Fenwright Instruments plc", "ORG"), ("Fenwright", "ORG")],
        ),
    ]
    resolved = resolve(docs)
    vantorra = key_of(resolved, docs, "Vantorra Batteries") | key_of(resolved, docs, "Vantorra")
    vantorra |= key_of(resolved, docs, "Vantorra Battery Systems")
    assert len(vantorra) == 1
    assert key_of(resolved, docs, "Fenwright") == key_of(resolved, docs, "Fenwright Instruments plc")


def test_short_form_claimed_by_a_person_or_used_alone_stays_apart() -> None:
    """ "Bellandi" beside both "Colorifici Bellandi" and its chairman "Giovanni Bellandi" is not
    the company; "Airbus" used in documents without "Airbus A380" is not the aircraft."""
    docs = [
        seq_doc(
            "a",
            "Colorifici Bellandi closed the plant, chairman Giovanni Bellandi said. Bellandi wept.",
            [("Colorifici Bellandi", "ORG"), ("Giovanni Bellandi", "PERSON"), ("Bellandi", "PERSON")],
        ),
        seq_doc(
            "b",
            "The Airbus A380 flew. Airbus said more would follow.",
            [("Airbus A380", "PRODUCT"), ("Airbus", "ORG")],
        ),
        seq_doc("c", "Airbus cut prices.", [("Airbus", "ORG")]),
    ]
    resolved = resolve(docs)
    assert key_of(resolved, docs, "Bellandi").isdisjoint(key_of(resolved, docs, "Colorifici Bellandi"))
    assert key_of(resolved, docs, "Airbus").isdisjoint(key_of(resolved, docs, "Airbus A380"))


def test_person_name_order_and_initials_fold() -> None:
    docs = [
        seq_doc(
            "a",
            "Kenjiro Hayasaka, chief of Shirakawa Optronics, spoke in Tokyo.",
            [("Kenjiro Hayasaka", "PERSON"), ("Shirakawa Optronics", "ORG"), ("Tokyo", "GPE")],
        ),
        seq_doc(
            "b",
            "Hayasaka Kenjiro of Shirakawa Optronics met bankers in Tokyo. Hayasaka smiled.",
            [
                ("Hayasaka Kenjiro", "PERSON"),
                ("Shirakawa Optronics", "ORG"),
                ("Tokyo", "GPE"),
                ("Hayasaka", "GPE"),
            ],
        ),
        seq_doc(
            "c",
            "Kenjirou Hayasaka of Shirakawa Optronics said the deal was done; A. Sethupathi agreed.",
            [("Kenjirou Hayasaka", "PERSON"), ("Shirakawa Optronics", "ORG"), ("A. Sethupathi", "PERSON")],
        ),
        seq_doc(
            "d",
            "Anirudh Sethupathi of Shirakawa Optronics praised the deal.",
            [("Anirudh Sethupathi", "PERSON"), ("Shirakawa Optronics", "ORG")],
        ),
    ]
    resolved = resolve(docs)
    hayasaka = set()
    for surface in ("Kenjiro Hayasaka", "Hayasaka Kenjiro", "Kenjirou Hayasaka", "Hayasaka"):
        hayasaka |= key_of(resolved, docs, surface)
    assert len(hayasaka) == 1
    assert key_of(resolved, docs, "A. Sethupathi") == key_of(resolved, docs, "Anirudh Sethupathi")


def test_one_name_tagged_person_and_organisation_folds_when_no_person_has_it() -> None:
    """The small NER model tags a company's name PERSON in some sentences: with no person name
    containing it, the readings are one entity (next to "Harrison Ford", "Ford" may be him)."""
    docs = [
        seq_doc(
            "a",
            "Shirakawa will buy the firm. Shirakawa said so. Shirakawa Optronics is in Tokyo.",
            [("Shirakawa", "PERSON"), ("Shirakawa", "ORG"), ("Shirakawa Optronics", "ORG"), ("Tokyo", "GPE")],
        ),
        seq_doc(
            "b",
            "Shirakawa Optronics agreed. Shirakawa paid cash; Shirakawa shares fell.",
            [("Shirakawa Optronics", "ORG"), ("Shirakawa", "PRODUCT"), ("Shirakawa", "PERSON")],
        ),
    ]
    resolved = resolve(docs)
    keys = key_of(resolved, docs, "Shirakawa") | key_of(resolved, docs, "Shirakawa Optronics")
    assert len(keys) == 1
