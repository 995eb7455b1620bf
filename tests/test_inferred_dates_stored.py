"""Inferred dates in the engine, on both backends: an undated plain-text article joining a story of
dated reports gets an inferred date (stored apart from its stated one, with the evidence), its relative
expressions resolved from it and marked inferred, again whenever the story changes; a stated date is
never overwritten."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from storyline.dossier import export_json, story_json, story_markdown
from storyline.model import Article, TimeExpression
from storyline.pipeline import ingest_articles, ingest_paths
from storyline.store import Store, StoredInferredDate


def report(n: int, day: str) -> Article:
    return Article(
        text=(f"The Velmora bridge collapsed on 4 March 2024, killing 12 people, Ana Ribeiro of the Velmora "
              f"fire service said. Rescue teams searched the Velmora river for survivors (update {n})."),
        title=f"Velmora bridge collapse: report {n}", source=f"Outlet {n}", published=day, language="en",
        url=f"https://outlet{n}.example/velmora-bridge",
    )


UNDATED = (
    "Velmora bridge collapse: divers find two more victims\n\n"
    "Divers searching the Velmora river found two more victims of the Velmora bridge collapse on Sunday, "
    "Ana Ribeiro of the Velmora fire service said.\n"
    "The bridge collapsed on 4 March 2024, killing 12 people.\n"
)


def _undated_id(store: Store) -> str:
    return next(a.id for a in store.list_articles() if not a.article.published)


def test_an_undated_article_joining_a_story_gets_an_inferred_date(store: Store, tmp_path: Path) -> None:
    ingest_articles(store, [report(1, "2024-03-05"), report(2, "2024-03-06"), report(3, "2024-03-07")])
    path = tmp_path / "divers.txt"
    path.write_text(UNDATED, encoding="utf-8")
    ingest_paths(store, [str(path)])
    ident = _undated_id(store)
    stored = store.get_article(ident)
    assert stored.article.published is None  # the stated date stays unknown
    assert stored.story_id is not None and len(store.get_story(stored.story_id).article_ids) == 4

    row = store.inferred_dates([ident])[ident]
    inferred = date.fromisoformat(row.date)
    assert date(2024, 3, 4) <= inferred <= date(2024, 3, 12)
    assert row.method == "text+story" and row.story_id == stored.story_id
    assert {r["published"] for r in row.evidence["reports"]} == {"2024-03-05", "2024-03-06", "2024-03-07"}
    assert "Sunday" in {c["text"] for c in row.evidence["clues"]}
    # "on Sunday" resolved from the inferred date: the Sunday on or before it, and marked inferred
    sunday = next(t for t in row.resolved if t.text.endswith("Sunday"))
    assert sunday.value == (inferred - timedelta(days=(inferred.weekday() + 1) % 7)).isoformat()

    story = story_json(store, stored.story_id)
    article = next(a for a in story["articles"] if a["id"] == ident)
    assert article["published"] is None
    assert article["published_inferred"]["date"] == row.date and article["published_inferred"]["inferred"]
    assert any(t["text"].endswith("Sunday") and t["inferred"] for t in article["published_inferred"]["resolved"])
    events = [e for e in story["timeline"] if e["date"] == sunday.value]
    assert events and all(e["inferred"] for e in events if e["articles"] == [ident])
    assert any(e["inferred"] and e["articles"] == [ident] for e in events)
    # the dated reports' events are not inferred
    assert not any(e["inferred"] for e in story["timeline"] if ident not in e["articles"])
    assert f"{row.date} (inferred)" in story_markdown(story)
    exported = next(a for s in export_json(store)["stories"] for a in s["articles"] if a["id"] == ident)
    assert exported["published"] is None and exported["published_inferred"]["date"] == row.date
    if store.url.endswith(".db"):  # the story page marks it (one backend is enough: the page reads the JSON)
        from fastapi.testclient import TestClient

        from storyline.serve import create_app

        with TestClient(create_app(store.url)) as client:
            page = client.get(f"/stories/{stored.story_id}").text
            api = client.get(f"/api/v1/articles/{ident}").json()
        assert f"{row.date} (inferred)" in page and "inferred date" in page
        assert api["published"] is None and api["published_inferred"]["date"] == row.date
        assert any(t["text"].endswith("Sunday") and t["inferred"] for t in api["published_inferred"]["resolved"])

    # The story changes (a later report): the date is inferred again from the new story and re-resolved.
    ingest_articles(store, [report(4, "2024-03-11"), report(5, "2024-03-12")])
    again = store.inferred_dates([ident])[ident]
    assert {r["published"] for r in again.evidence["reports"]} >= {"2024-03-11", "2024-03-12"}
    assert again.computed_at > row.computed_at
    sunday2 = next(t for t in again.resolved if t.text.endswith("Sunday"))
    day2 = date.fromisoformat(again.date)
    assert sunday2.value == (day2 - timedelta(days=(day2.weekday() + 1) % 7)).isoformat()


def test_a_stated_date_is_never_overwritten(store: Store, tmp_path: Path) -> None:
    ingest_articles(store, [report(1, "2024-03-05"), report(2, "2024-03-06")])
    dated = store.list_articles()[0]
    # the store refuses an inferred date for an article with a stated one
    row = StoredInferredDate(dated.id, dated.story_id or "s", "2024-03-09", "story", 0.5, {}, (), "2024-03-09T00:00Z")
    assert store.save_inferred_dates(dated.story_id or "s", [row]) == 0
    assert store.inferred_dates([dated.id]) == {}
    # the engine infers nothing for dated articles, and never touches their date
    path = tmp_path / "divers.txt"
    path.write_text(UNDATED, encoding="utf-8")
    ingest_paths(store, [str(path)])
    ident = _undated_id(store)
    assert set(store.inferred_dates([a.id for a in store.list_articles()])) == {ident}
    assert {a.article.published for a in store.list_articles() if a.id != ident} == {"2024-03-05", "2024-03-06"}
    story = story_json(store, dated.story_id or "")
    assert all(a["published_inferred"] is None for a in story["articles"] if a["id"] != ident)
    # an undated article given its date later (a new version stating it): its inferred date goes
    wire = Article(text=UNDATED.split("\n\n", 1)[1], title="Divers find two more victims", language="en",
                   url="https://wire.example/velmora-divers")
    ingest_articles(store, [wire])
    wire_id = next(a.id for a in store.list_articles() if a.article.url == wire.url)
    assert wire_id in store.inferred_dates([wire_id])
    ingest_articles(store, [Article(text=wire.text + "Updated with the victims' names.", title=wire.title,
                                    language="en", url=wire.url, published="2024-03-10")])
    assert store.get_article(wire_id).article.published == "2024-03-10"
    assert store.inferred_dates([wire_id]) == {}


def test_inferred_dates_are_stored_replaced_and_cleared(store: Store) -> None:
    ingest_articles(store, [report(1, "2024-03-05")], )
    store_article = Article(text="Divers found two more victims on Sunday.", title="Divers", language="en")
    ingest_articles(store, [store_article])
    ident = _undated_id(store)
    sunday = TimeExpression(36, 42, "Sunday", "DATE", "2024-03-10")
    first = StoredInferredDate(ident, "s1", "2024-03-10", "text+story", 0.25,
                               {"method": "text+story", "clues": [{"text": "Sunday"}]}, (sunday,), "t1")
    assert store.save_inferred_dates("s1", [first]) == 1
    got = store.inferred_dates([ident, "nope"])
    assert list(got) == [ident] and got[ident] == first
    second = StoredInferredDate(ident, "s2", "2024-03-11", "story", 0.5, {}, (), "t2")
    assert store.save_inferred_dates("s2", [second]) == 1
    assert store.inferred_dates([ident])[ident] == second
    assert store.save_inferred_dates("s2", [], clear=[ident]) == 0
    assert store.inferred_dates([ident]) == {}
    store.save_inferred_dates("s2", [second])
    store.reset_stories()  # derived from the stories: dropped with them
    assert store.inferred_dates([ident]) == {}
