"""Online story clustering on small hand-written reports."""

from __future__ import annotations

import json

from storyline.cluster import (
    ClusterConfig,
    ClusterInput,
    OnlineClusterer,
    entity_proxy,
    recluster,
    tokenize,
)

QUAKE_A = [
    ("A magnitude 6.3 earthquake strikes Lima", "The earthquake struck near Lima, Peru, on Tuesday, killing 12 "
     "people. Peruvian president Alan Garcia visited the damaged districts of Callao."),
    ("Peru earthquake death toll rises", "Rescuers in Lima and Callao pulled survivors from rubble after the "
     "Peru earthquake. Alan Garcia declared an emergency in Lima."),
    ("Lima earthquake: Garcia promises aid", "Alan Garcia promised aid for Callao and Lima after the magnitude "
     "6.3 earthquake in Peru damaged hundreds of homes."),
]
QUAKE_B = [
    ("Strong earthquake hits Sumatra", "A magnitude 7.1 earthquake struck off Sumatra, Indonesia, killing "
     "30 people in Padang. President Susilo Bambang Yudhoyono sent rescuers to Padang."),
    ("Indonesia earthquake: Padang buildings collapse", "Buildings collapsed in Padang after the Sumatra "
     "earthquake. Yudhoyono said the Indonesia earthquake toll would rise."),
    ("Sumatra earthquake survivors wait for aid", "Survivors in Padang, Sumatra, waited for aid as Indonesia "
     "counted the dead of the earthquake. Yudhoyono visited Padang."),
]
REHAB = [
    ("Lindsay Lohan checks into rehab", "Lindsay Lohan entered the Betty Ford Center in California, her "
     "spokesman said."),
    ("Tara Reid checks into rehab", "Tara Reid entered Promises Treatment Center in Malibu, her "
     "representative told People magazine."),
]


def docs(pairs: list[tuple[str, str]], prefix: str, published: str | None = None) -> list[ClusterInput]:
    return [ClusterInput(f"{prefix}{i}", t, x, (), published, "en") for i, (t, x) in enumerate(pairs)]


def interleaved() -> list[ClusterInput]:
    a, b = docs(QUAKE_A, "a"), docs(QUAKE_B, "b")
    return [a[0], b[0], a[1], b[1], a[2], b[2]]


def test_two_earthquakes_are_two_stories() -> None:
    clusterer = OnlineClusterer()
    got = {d.article_id: clusterer.add(d).story_id for d in interleaved()}
    assert got["a0"] == got["a1"] == got["a2"]
    assert got["b0"] == got["b1"] == got["b2"]
    assert got["a0"] != got["b0"]


def test_two_celebrities_in_rehab_are_two_stories() -> None:
    clusterer = OnlineClusterer()
    first, second = (clusterer.add(d) for d in docs(REHAB, "r"))
    assert first.is_new and second.is_new
    assert first.story_id != second.story_id


def test_same_order_gives_same_ids() -> None:
    runs = []
    for _ in range(2):
        clusterer = OnlineClusterer()
        runs.append([clusterer.add(d) for d in interleaved()])
    assert runs[0] == runs[1]
    assert runs[0][0].story_id == "s00000001"


def test_languages_are_kept_apart() -> None:
    clusterer = OnlineClusterer()
    en = clusterer.add(ClusterInput("en", *QUAKE_A[0], (), None, "en"))
    es = clusterer.add(ClusterInput("es", *QUAKE_A[0], (), None, "es"))
    assert en.story_id != es.story_id


def test_quiet_story_stops_attracting_weak_matches_but_a_strong_match_resumes_it() -> None:
    config = ClusterConfig(time_penalty=0.5)
    a = docs(QUAKE_A, "a", "2024-01-01")
    fresh, late = OnlineClusterer(config), OnlineClusterer(config)
    for c in (fresh, late):
        c.add(a[0])
    follow_up = QUAKE_A[1]
    assert fresh.add(ClusterInput("f", *follow_up, (), "2024-01-02", "en")).is_new is False
    assert late.add(ClusterInput("f", *follow_up, (), "2024-01-25", "en")).is_new is True
    resumed = OnlineClusterer()
    resumed.add(a[0])
    strong = ClusterInput("s", QUAKE_A[0][0], QUAKE_A[0][1] + " Aid arrived.", (), "2024-01-25", "en")
    assert resumed.add(strong).is_new is False


def test_expired_story_leaves_the_index() -> None:
    clusterer = OnlineClusterer()
    a = docs(QUAKE_A, "a", "2024-01-01")
    clusterer.add(a[0])
    later = docs(REHAB, "r", "2024-06-01")
    clusterer.add(later[0])
    assert clusterer.active_stories == 1
    assert clusterer.add(ClusterInput("a9", *QUAKE_A[1], (), "2024-06-02", "en")).is_new


def test_merge_keeps_the_older_id() -> None:
    # Body cosine only, so the scores are easy to reason about: the bridge matches both stories.
    config = ClusterConfig(threshold=0.5, w_title=0.0, w_body=1.0, w_entities=0.0, merge_threshold=0.0)
    clusterer = OnlineClusterer(config)
    first = clusterer.add(ClusterInput("x1", "", "harbour ferry tunnel", (), None, "en"))
    second = clusterer.add(ClusterInput("x2", "", "museum festival orchestra", (), None, "en"))
    assert first.story_id != second.story_id
    bridge = clusterer.add(ClusterInput("x3", "", "harbour ferry tunnel museum festival orchestra", (), None, "en"))
    assert bridge.story_id == first.story_id
    assert bridge.merged_from == (second.story_id,)
    assert not bridge.is_new
    assert clusterer.resolve(second.story_id) == first.story_id
    assert clusterer.active_stories == 1


def test_state_round_trip_continues_identically() -> None:
    items = interleaved()
    whole = OnlineClusterer()
    expected = [whole.add(d) for d in items]
    part = OnlineClusterer()
    for d in items[:3]:
        part.add(d)
    resumed = OnlineClusterer.from_state(json.loads(json.dumps(part.state_dict())))
    assert [resumed.add(d) for d in items[3:]] == expected[3:]


def test_recluster_is_deterministic() -> None:
    items = interleaved()
    first, second = recluster(items), recluster(list(items))
    assert first == second
    assert len(set(first.values())) == 2


def test_tokens_and_entity_proxy() -> None:
    # stems and stop words of the article's language (storyline.text.words), English when unknown
    assert tokenize("earthquakes") == tokenize("earthquake", "en")
    assert tokenize("churches countries glass") == tokenize("church country glass")
    assert "the" not in tokenize("The earthquake struck")
    ents = entity_proxy("The Peruvian president Alan Garcia visited Lima.")
    assert "alan garcia" in ents and "lima" in ents and "the" not in ents


def test_a_late_article_joins_the_story_active_at_its_own_date() -> None:
    clusterer = OnlineClusterer()
    a = docs(QUAKE_A, "a", "2024-01-01")
    first = clusterer.add(a[0])
    # The stream moves on by seven weeks before a report dated 2024-01-02 arrives.
    clusterer.add(ClusterInput("r0", *REHAB[0], (), "2024-02-20", "en"))
    late = clusterer.add(ClusterInput("a1", *QUAKE_A[1], (), "2024-01-02", "en"))
    assert late.story_id == first.story_id and not late.is_new
    # An undated report can join it too; a report dated far from the story's span cannot.
    assert clusterer.add(ClusterInput("a2", *QUAKE_A[2], (), None, "en")).story_id == first.story_id
    assert clusterer.add(ClusterInput("a3", *QUAKE_A[2], (), "2024-03-15", "en")).is_new


def test_attach_puts_an_article_in_the_given_story() -> None:
    clusterer = OnlineClusterer()
    a, b = docs(QUAKE_A, "a"), docs(QUAKE_B, "b")
    story_a = clusterer.add(a[0]).story_id
    story_b = clusterer.add(b[0]).story_id
    got = clusterer.attach(ClusterInput("copy", *QUAKE_B[1], (), None, "en"), story_a)
    assert got.story_id == story_a and not got.is_new and got.merged_from == ()
    assert clusterer.stories_opened == 2
    # The attached article now represents story A: a close follow-up of it goes there, not to B.
    follow = clusterer.add(ClusterInput("f", QUAKE_B[1][0], QUAKE_B[1][1] + " Aid arrived.", (), None, "en"))
    assert follow.story_id == story_a != story_b
    try:
        clusterer.attach(a[1], "s99999999")
    except KeyError:
        pass
    else:
        raise AssertionError("attach to an unknown story must fail")


def test_attach_reopens_an_expired_story_under_its_id() -> None:
    clusterer = OnlineClusterer()
    story = clusterer.add(docs(QUAKE_A, "a", "2024-01-01")[0]).story_id
    clusterer.add(ClusterInput("r0", *REHAB[0], (), "2024-09-01", "en"))
    assert clusterer.active_stories == 1
    assert clusterer.attach(ClusterInput("c", *QUAKE_A[1], (), "2024-09-02", "en"), story).story_id == story
    assert clusterer.active_stories == 2
    assert clusterer.add(ClusterInput("a2", *QUAKE_A[2], (), "2024-09-03", "en")).story_id == story
