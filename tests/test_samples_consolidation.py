"""Consolidation on the bundled sample corpus: planted conflicts, resolved relative dates, cited brief.

Each event's story is built directly from the manifest's English articles (not from clustering), then
consolidated as the dossier does it (entities resolved, near-copies set aside). The gold is
tests/data/samples_manifest.json.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import SAMPLES_MANIFEST, stored_by_manifest_id
from storyline.consolidate.brief import build_brief
from storyline.consolidate.facts import Fact, FactValue, cross_check, extract_claims
from storyline.consolidate.sentences import content_words, stem
from storyline.consolidate.timeline import build_story_timeline
from storyline.dossier import annotated, resolve_story_entities
from storyline.model import AnnotatedArticle
from storyline.pipeline import ingest_paths
from storyline.store import open_store

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = SAMPLES_MANIFEST
LANGUAGE = {a["id"]: a["language"] for a in MANIFEST["articles"]}


def _stored_by_manifest_id(store: Any) -> dict[str, AnnotatedArticle]:
    return {eid: annotated(store, stored) for eid, stored in stored_by_manifest_id(store).items()}


class Event:
    def __init__(self, gold: dict[str, Any], items: dict[str, AnnotatedArticle]) -> None:
        self.gold = gold
        english = [items[a] for a in gold["articles"] if LANGUAGE[a] == "en"]
        resolved, entities = resolve_story_entities(english)
        self.originals = [a for a in resolved if a.duplicate_of is None] or resolved
        self.by_manifest = {mid: items[mid] for mid in gold["articles"]}
        self.texts = {a.id: a.article.text for a in self.originals}
        self.facts = cross_check(extract_claims(self.originals, entities))
        self.timeline = build_story_timeline(self.originals)
        self.brief = build_brief(self.originals, self.facts, self.timeline)

    def locate(self, manifest_id: str, text: str) -> tuple[str, int, int] | None:
        aid = self.by_manifest[manifest_id].id
        body = self.texts.get(aid)  # None for a near-copy set aside or another language
        if body is None or text not in body:
            return None
        start = body.index(text)
        return aid, start, start + len(text)

    def value_of(self, manifest_id: str, text: str) -> tuple[Fact, FactValue] | None:
        where = self.locate(manifest_id, text)
        if where is None:
            return None
        aid, start, end = where
        for fact in self.facts:
            for value in fact.values:
                if any(s.article_id == aid and s.start < end and start < s.end for s in value.spans):
                    return fact, value
        return None


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Event]]:
    store = open_store(str(tmp_path_factory.mktemp("samples") / "samples.db"))
    ingest_paths(store, [str(ROOT / "samples")])
    items = _stored_by_manifest_id(store)
    yield {eid: Event(gold, items) for eid, gold in MANIFEST["events"].items()}
    store.close()


def _check_fact(event: Event, gold: dict[str, Any]) -> str:
    """'ok'; 'conflict' (agreed values told apart as a disagreement); 'split' (values in different
    facts); 'wrong' (wrong status or grouping); 'missing' (fewer than two planted values extracted)."""
    found = []
    for value in gold["values"]:
        if value["value"] is None:
            continue
        hit = event.value_of(value["article"], value["text"])
        if hit is not None:
            found.append((value, hit))
    if len(found) < 2:
        return "missing"
    for _gold_a, (fact_a, value_a) in found:
        for _gold_b, (fact_b, value_b) in found:
            apart = fact_a is fact_b and fact_a.status == "conflicting" and value_a.cluster != value_b.cluster
            if gold["expected_status"] == "agreed" and apart:
                return "conflict"  # an agreed fact told as a disagreement
    facts = {id(fact) for _, (fact, _) in found}
    if len(facts) != 1:
        return "split"
    fact = found[0][1][0]
    if fact.status != gold["expected_status"]:
        return "wrong"
    for gold_a, (_, value_a) in found:
        for gold_b, (_, value_b) in found:
            same_cluster = value_a.cluster == value_b.cluster
            if gold["expected_status"] == "agreed" and not same_cluster:
                return "wrong"
            if gold_a["value"] == gold_b["value"] and gold_a["unit"] == gold_b["unit"] and not same_cluster:
                return "wrong"
    return "ok"


def _planted(events: dict[str, Event], status: str) -> list[tuple[str, str]]:
    out = []
    for eid, event in events.items():
        for gold in event.gold["facts"]:
            if gold["expected_status"] == status:
                out.append((f"{eid}: {gold['attribute']} ({gold['qualifier']})", _check_fact(event, gold)))
    return out


def test_planted_conflicts_are_flagged(events: dict[str, Event]) -> None:
    results = _planted(events, "conflicting")
    ok = [name for name, result in results if result == "ok"]
    # reached: 7 of 7 (e1 deaths 7 -> 9, e2 evacuated, e3 armoured price and annual output,
    # e4 cost and start of construction 2006 vs 2018, e5 premium)
    assert len(results) == 7
    assert len(ok) >= 6, results


def test_agreed_facts_are_not_flagged_conflicting(events: dict[str, Event]) -> None:
    results = _planted(events, "agreed")
    assert [r for r in results if r[1] in ("conflict", "wrong")] == []
    ok = [r for r in results if r[1] == "ok"]
    assert len(ok) >= 18, results  # reached 21 of 29; the rest are not extracted as comparable values


def test_death_toll_update_is_reported_with_its_evolution(events: dict[str, Event]) -> None:
    hit = events["e1"].value_of("e1-mpa", "At least seven workers were killed")
    assert hit is not None
    fact, _ = hit
    assert fact.status == "conflicting" and fact.is_update
    days = [day for day, _, _ in fact.evolution]
    assert days == sorted(days) and days[0] == "2024-02-19" and days[-1] > "2024-02-19"


def test_variant_qualifiers_stand_apart(events: dict[str, Event]) -> None:
    e3 = events["e3"]
    civil = e3.value_of("e3-deccan", "3.1 tonnes")
    armoured = e3.value_of("e3-mpa", "4.2 tonnes")
    assert civil is not None and armoured is not None
    assert civil[0] is not armoured[0]
    assert civil[0].status == "agreed" and armoured[0].status == "agreed"
    assert "civilian" in (civil[0].qualifier or "") and "armo" in (armoured[0].qualifier or "")
    price = e3.value_of("e3-tokyo", "around $1 million")
    assert price is not None and price[0].status == "conflicting" and "armo" in (price[0].qualifier or "")


def test_subjects_are_the_story_object_and_noise_is_dropped(events: dict[str, Event]) -> None:
    e3 = events["e3"]
    price = e3.value_of("e3-deccan", "₹2.75 crore")
    # the vehicle, under whichever of its three spellings (Sarathi, Saarthi, Sarthi) names the folded entity
    assert price is not None and re.fullmatch(r"Sa+r?a?thi Kavach", price[0].subject_name)
    for event in events.values():
        for fact in event.facts:
            assert not re.match(r"number of (?:things|wheels|people|countries|companies)$", fact.attribute)
            if fact.status == "conflicting" and fact.attribute in ("amount", "price", "cost"):
                texts = " ".join(v.text for v in fact.values)
                assert " a year" not in texts, fact


def test_relative_dates_land_on_their_timeline_events(events: dict[str, Event]) -> None:
    total = hit = 0
    missed = []
    for eid, event in events.items():
        for gold in event.gold["relative_dates"]:
            if LANGUAGE[gold["article"]] != "en":
                continue
            where = event.locate(gold["article"], gold["text"])
            if where is None:
                continue
            total += 1
            aid, start, _ = where
            dated = [
                ev.date
                for ev in event.timeline
                for ref in ev.sentences
                if ref.article_id == aid and ref.start <= start < ref.end
            ]
            if gold["resolved"] in dated:
                hit += 1
            else:
                missed.append((eid, gold["article"], gold["text"], gold["resolved"], dated))
    assert total >= 40
    assert hit / total >= 0.75, missed  # reached: see the report in the module's history


def test_background_events_are_marked(events: dict[str, Event]) -> None:
    e2 = events["e2"]
    founded = [ev for ev in e2.timeline if ev.date == "1962"]
    assert founded and all(ev.background for ev in founded)
    assert not any(ev.background for ev in e2.timeline if ev.date.startswith("2024-03"))


def _supported(sentence: str, body: str) -> bool:
    """The article contains the sentence, or a sentence sharing most content words with it (the
    shorter of the two mostly inside the other: a paraphrase)."""
    if sentence in body:
        return True
    words = {stem(w) for w in content_words(sentence)}
    for own in re.split(r"(?<=[.!?])\s+|\n+", body):
        other = {stem(w) for w in content_words(own)}
        if words and other and len(words & other) / min(len(words), len(other)) >= 0.5:
            return True
    return False


# Words of attribution are in most sentences of a report: two sentences do not repeat each other by
# both saying who said them (spaCy's English stop words, which content_words drops, do not hold them).
ATTRIBUTION = frozenset({"said", "says", "told", "according"})


def test_briefs_are_cited_and_do_not_repeat(events: dict[str, Event]) -> None:
    for eid, event in events.items():
        brief = event.brief
        assert 5 <= len(brief) <= 8, (eid, [b.text for b in brief])
        for line in brief:
            assert line.articles, line
            if line.kind == "extract":
                for aid in line.articles:
                    assert _supported(line.text, event.texts[aid]), (eid, line.text, aid)
            else:
                assert line.text.startswith(("Outlets disagree on", "Reports of")), line.text
        for i, a in enumerate(brief):
            for b in brief[i + 1 :]:
                wa, wb = set(content_words(a.text)) - ATTRIBUTION, set(content_words(b.text)) - ATTRIBUTION
                assert len(wa & wb) / max(1, min(len(wa), len(wb))) < 0.8, (eid, a.text, b.text)


def test_planted_conflicts_are_stated_in_the_briefs(events: dict[str, Event]) -> None:
    stated = 0
    for event in events.values():
        conflicts = [b for b in event.brief if b.kind in ("conflict", "update")]
        stated += len(conflicts)
        for line in conflicts:
            assert len(line.articles) >= 2
    assert stated >= 5
