"""Issue 14: reports of one event in French, English and German form one story through the real
ingest pipeline (vectors computed in the per-article stage, stored, and used by the online clusterer),
while an unrelated report stays apart; the same stories come out in one ingest, in several, or rebuilt."""

from __future__ import annotations

from pathlib import Path

from storyline.cluster import ClusterConfig, ClusterInput, OnlineClusterer
from storyline.model import Article
from storyline.pipeline import Config, ingest_articles, recluster
from storyline.store import Store, open_store

DAM = [
    Article(
        title="Dam breach floods Ostrava valley villages, 1,200 evacuated",
        text="A breach in the Morlen dam flooded four villages in the Ostrava valley overnight, forcing "
             "about 1,200 people from their homes, regional officials said on Sunday. Rescue teams used "
             "boats to reach residents trapped on rooftops. The reservoir had risen after a week of heavy "
             "rain, and engineers had warned of cracks in the wall last spring.",
        published="2026-05-10", language="en", source="Valley Times", url="https://valley.example/dam",
    ),
    Article(
        title="Rupture du barrage de Morlen : 1 200 habitants évacués dans la vallée d'Ostrava",
        text="La rupture du barrage de Morlen a inondé dans la nuit quatre villages de la vallée d'Ostrava, "
             "obligeant quelque 1 200 personnes à quitter leur domicile, ont indiqué dimanche les autorités "
             "régionales. Les secours ont utilisé des bateaux pour atteindre des habitants réfugiés sur les "
             "toits. Le réservoir avait monté après une semaine de fortes pluies.",
        published="2026-05-10", language="fr", source="Le Courrier", url="https://courrier.example/barrage",
    ),
    Article(
        title="Dammbruch in Morlen: 1200 Menschen im Ostrava-Tal evakuiert",
        text="Ein Bruch des Morlen-Staudamms hat in der Nacht vier Dörfer im Ostrava-Tal überflutet und rund "
             "1200 Menschen aus ihren Häusern vertrieben, teilten die Regionalbehörden am Sonntag mit. "
             "Rettungskräfte erreichten mit Booten Bewohner, die auf Dächern festsaßen. Der Stausee war nach "
             "einer Woche mit starkem Regen angestiegen.",
        published="2026-05-11", language="de", source="Tagesblatt", url="https://tagesblatt.example/damm",
    ),
]
UNRELATED = Article(
    title="Chess federation elects new president",
    text="The national chess federation elected a new president at its annual congress on Saturday. The "
         "former grandmaster won 64 of the 90 votes and promised more tournaments for young players and a "
         "new training centre in the capital.",
    published="2026-05-10", language="en", source="Sports Daily", url="https://sports.example/chess",
)


def _stories(store: Store) -> set[frozenset[str]]:
    return {frozenset(s.article_ids) for s in store.list_stories()}


def test_french_english_german_reports_form_one_story_through_ingest(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "one.db")) as store:
        report = ingest_articles(store, [DAM[1], UNRELATED, DAM[0], DAM[2]], Config())
        assert report.new == 4 and report.clustered == 4
        ids = dict(zip(["fr", "chess", "en", "de"], report.ids, strict=True))
        assert all(store.article_vector(i) is not None for i in ids.values())
        stories = _stories(store)
        assert frozenset({ids["fr"], ids["en"], ids["de"]}) in stories
        assert frozenset({ids["chess"]}) in stories
        story = store.get_story(store.get_article(ids["de"]).story_id or "")
        assert set(story.languages) == {"en", "fr", "de"}
        recluster(store)
        assert _stories(store) == stories  # rebuilt: the same stories
    with open_store(str(tmp_path / "batches.db")) as store:  # one command per article: the saved state resumes
        for article in [DAM[1], UNRELATED, DAM[0], DAM[2]]:
            ingest_articles(store, [article], Config())
        assert _stories(store) == stories


def test_without_vectors_languages_stay_apart_and_the_flag_turns_it_off(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "t.db")) as store:
        ingest_articles(store, DAM, Config(embed=False))
        assert len(store.list_stories()) == 3  # the hand-set scores never join across languages
        vectors = {a.id: store.article_vector(a.id) for a in store.list_articles()}
    assert set(vectors.values()) == {None}
    # with vectors but cross_language off, the clusterer behaves as before
    from storyline import embed

    docs = [ClusterInput(str(i), a.title or "", a.text, published=a.published, language=a.language,
                         vector=embed.article_vector(a.title, a.text)) for i, a in enumerate(DAM)]
    off = OnlineClusterer(ClusterConfig(cross_language=False))
    assert len({off.add(d).story_id for d in docs}) == 3
    on = OnlineClusterer()
    assert len({on.add(d).story_id for d in docs}) == 1
    state = on.state_dict()
    assert all(isinstance(st["entities"], dict) for st in state["stories"])
    resumed = OnlineClusterer.from_state(state, on.vector_arrays())
    assert resumed.state_dict() == state
    assert {k: v.tobytes() for k, v in resumed.vector_arrays().items()} == {
        k: v.tobytes() for k, v in on.vector_arrays().items()}


def test_engine_state_keeps_story_vectors_as_float16_arrays_and_rejects_bad_ones() -> None:
    import io

    import numpy as np
    import pytest

    from storyline import embed, engine_state
    from storyline.dedup import NearDuplicateIndex

    docs = [ClusterInput(str(i), a.title or "", a.text, published=a.published, language=a.language,
                         vector=embed.article_vector(a.title, a.text)) for i, a in enumerate(DAM)]
    clusterer = OnlineClusterer()
    for doc in docs[:2]:
        clusterer.add(doc)
    data = engine_state.encode(NearDuplicateIndex(), clusterer)
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    assert arrays["cluster_vec_sums"].dtype == np.dtype("<f2") and arrays["cluster_vec_sums"].shape == (1, 512)
    _, resumed = engine_state.decode(data)
    assert resumed.add(docs[2]).story_id == clusterer.add(docs[2]).story_id == "s00000001"
    bad = dict(arrays, cluster_vec_sums=np.zeros((1, 7), dtype="<f2"))
    buf = io.BytesIO()
    np.savez_compressed(buf, **bad)
    with pytest.raises(engine_state.ClusterStateError):
        engine_state.decode(buf.getvalue())
