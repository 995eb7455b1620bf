"""The learned article-to-story scorer: shipped model, cross-lingual stories, held-out gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import require_shared
from storyline.cluster import ClusterInput
from storyline.embed import embed_texts, lead
from storyline.storyscore import FEATURES, MODEL_VERSION, LearnedClusterer, StoryScorer, load_scorer

REPORTS = [
    ClusterInput("en", "Fire at Lindenholz chemical plant forces 3,000 to flee",
                 "A fire at the Lindenholz chemical plant near Verrin forced about 3,000 residents to leave their "
                 "homes on Tuesday. The Verrin fire brigade said the blaze started in a storage hall at 4 a.m. "
                 "and was under control by noon. Two workers were treated for smoke inhalation.",
                 published="2026-03-03", language="en"),
    ClusterInput("fr", "Incendie à l'usine chimique Lindenholz : 3 000 habitants évacués",
                 "Un incendie dans l'usine chimique Lindenholz, près de Verrin, a contraint mardi quelque 3 000 "
                 "habitants à quitter leur domicile. Selon les pompiers de Verrin, le feu s'est déclaré vers 4 "
                 "heures dans un hangar de stockage et a été maîtrisé à midi. Deux ouvriers ont été soignés.",
                 published="2026-03-03", language="fr"),
    ClusterInput("de", "Brand im Chemiewerk Lindenholz: 3000 Anwohner evakuiert",
                 "Ein Brand im Chemiewerk Lindenholz bei Verrin hat am Dienstag rund 3000 Anwohner gezwungen, "
                 "ihre Häuser zu verlassen. Die Feuerwehr Verrin teilte mit, das Feuer sei gegen 4 Uhr in einer "
                 "Lagerhalle ausgebrochen und bis zum Mittag unter Kontrolle gebracht worden.",
                 published="2026-03-03", language="de"),
    ClusterInput("other", "Central bank raises interest rates by a quarter point",
                 "The central bank raised its main interest rate by a quarter point on Thursday, citing "
                 "persistent inflation in services. Markets had expected the move; the currency rose slightly.",
                 published="2026-03-05", language="en"),
]


def test_shipped_model_is_plain_versioned_json() -> None:
    path = Path(__file__).parents[1] / "src" / "storyline" / "data" / "story_scorer.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == MODEL_VERSION and tuple(data["features"]) == FEATURES
    scorer = load_scorer()
    assert 0.0 < scorer.threshold < 1.0 and len(scorer.coef) == len(FEATURES)
    with pytest.raises(ValueError):
        StoryScorer.from_json(dict(data, version=MODEL_VERSION + 1))


def test_french_english_german_reports_of_one_event_form_one_story() -> None:
    vectors = embed_texts([lead(d.title, d.text) for d in REPORTS])
    clusterer = LearnedClusterer()
    stories = [clusterer.add(doc, vec) for doc, vec in zip(REPORTS, vectors, strict=True)]
    assert stories[0] == stories[1] == stories[2]
    assert stories[3] != stories[0]
    assert clusterer.stories[stories[0]].languages.keys() == {"en", "fr", "de"}


@pytest.mark.eval
def test_gate_ecbplus_topics_1_to_10_held_out() -> None:
    """A model trained on ECB+ topics 11-35 only clusters topics 1-10, which it never saw."""
    from storyline.eval.clustering import bcubed, run_learned
    from storyline.train_clustering import corpus_decisions, fit, load_training_data

    root = require_shared("ecbplus").parent
    data = load_training_data(root, cache=None, wikiref=False, semeval=False)
    held = {f"ecb{t}" for t in range(1, 11)}
    decisions = [x for x in (d.without(held) for d in corpus_decisions(data.ecb, data.vectors)) if x is not None]
    model = fit(decisions, hard=3)
    docs = [d for d in data.ecb.docs if data.ecb.group[d.article_id] in held]
    assert len(docs) > 200
    p, r, f = bcubed(run_learned(docs, data.vectors, model, 0), {d.article_id: data.ecb.story[d.article_id] for d in docs})
    assert f >= GATE_F1, (p, r, f)


# Measured 0.886 (B-cubed P 0.825, R 0.957) with the toolkit's per-language stems and stop words (0.908
# with the old English suffix rules, while the mean over the topic folds rose 0.860 -> 0.868); a small margin.
GATE_F1 = 0.87
