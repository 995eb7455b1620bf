"""Recognition beyond English: one interface, models loaded per language, honest notes."""

from __future__ import annotations

from storyline.enrich import annotate
from storyline.enrich.entities import extract_mentions, ner_result, ner_support
from storyline.enrich.ner import capitalised_runs, model_note
from storyline.model import Article


def _texts(mentions: list) -> dict[str, str]:
    return {m.text: m.label for m in mentions}


def test_french_model_finds_people_and_places() -> None:
    found = _texts(extract_mentions("Emmanuel Macron a rencontré Olaf Scholz à Berlin mardi.", "fr"))
    assert found.get("Emmanuel Macron") == "PERSON"
    assert found.get("Berlin") == "GPE"


def test_russian_and_ukrainian_with_natasha() -> None:
    ru = _texts(extract_mentions("Владимир Путин встретился с Ангелой Меркель в Москве.", "ru"))
    assert ru.get("Владимир Путин") == "PERSON"
    assert ru.get("Москве") == "GPE"
    uk = ner_result("Володимир Зеленський прибув до Києва.", "uk")
    assert any(m.label == "PERSON" and "Зеленськ" in m.text for m in uk.mentions)
    assert uk.note is not None and "natasha" in uk.note  # a fallback, and it says so


def test_chinese_with_lac() -> None:
    text = "张三在北京市工作。"
    found = _texts(extract_mentions(text, "zh"))
    assert found.get("张三") == "PERSON"
    assert found.get("北京市") == "GPE"


def test_romance_fallback_and_languages_without_model_say_so() -> None:
    es = ner_result("Pedro Sánchez viajó a Bruselas con Ursula von der Leyen.", "es")
    assert _texts(es.mentions).get("Pedro Sánchez") == "PERSON"
    assert es.note is not None and "fr_core_news_sm" in es.note
    assert ner_support("es") is None and ner_support("fr") is None and ner_support("ru") is None
    assert model_note("ru") is None and model_note("en") is None
    pl = ner_result("Premier Boris Johnson spotkał się z Donaldem Tuskiem w Londynie.", "pl")
    assert pl.mentions == [] and pl.unsupported_language == "pl"
    assert ner_support("pl") is not None


def test_capitalised_candidates_confirmed_against_known_names_in_any_script() -> None:
    text = "Premier Borisa Johnsona skrytykował Brexit. Spotkanie w Londynie było krótkie."
    known = {"Борис Джонсон": "PERSON", "Brexit": "EVENT", "Лондон": "GPE"}
    found = _texts(ner_result(text, "pl", known=known).mentions)
    assert found.get("Borisa Johnsona") == "PERSON"
    assert found.get("Londynie") == "GPE"
    assert "Spotkanie" not in found and "Premier" not in found


def test_capitalised_runs_mark_sentence_starts() -> None:
    text = "Vláda řekla, že Andrej Babiš přijede. Zítra"
    runs = {text[s:e]: start for s, e, start in capitalised_runs(text)}
    assert runs == {"Vláda": True, "Andrej Babiš": False, "Zítra": True}


def test_article_notes_name_the_missing_model() -> None:
    article = Article(text="Andrej Babiš navštívil Prahu.", language="cs")
    notes = annotate(article, ["entities"]).notes["entities"]
    assert "no entity model for cs" in notes


def test_mention_edges_repaired_and_boilerplate_lines_ignored() -> None:
    from storyline.enrich.entities import clean_span, line_kind

    for raw, want in [
        ("Samsung (Korea", "Samsung"),
        ("Vantorra Pulse SM-X910", "Vantorra Pulse"),
        ("Gazprom)", "Gazprom"),
        ("Airbus A380", "Airbus A380"),
    ]:
        edges = clean_span(raw, 0, len(raw))
        assert edges is not None and raw[edges[0] : edges[1]] == want
    assert line_kind("Join the conversation: 12 Comments") == "widget"
    assert line_kind("Apple Unveils New iPhone In Cupertino") == "header"
    assert line_kind("Boeing delivered planes to Qantas in Sydney.") == "body"
    text = "Sign in to comment, Jim Walker\nBoeing delivered planes to Qantas in Sydney."
    found = {m.text for m in extract_mentions(text, "en")}
    assert "Jim Walker" not in found and "Qantas" in found


def test_slavicner_mention_recall_gate() -> None:
    """Mention recall per language on a fixed small subset of SlavicNER (no model here was
    trained on it): Russian by natasha, Ukrainian and Bulgarian by the same Russian model, Czech,
    Polish and Slovene by capitalised names confirmed against the names found in the others."""
    from conftest import require_shared
    from storyline.eval.entities import evaluate_slavic_recall, format_recall, read_slavicner

    topics = read_slavicner(require_shared("names", "slavicner"), ["nord_stream"])
    scores = evaluate_slavic_recall(topics, per_language=6)
    report = format_recall(scores, "slavicner gate")
    # measured on all six topics (10 docs per language and topic): ru 0.765, mean 0.539;
    # on this subset: see the report in the assertion messages
    assert len(scores.gold) == 6, report
    assert scores.recall("ru") >= 0.6, report
    assert scores.mean_recall() >= 0.3, report
    assert scores.precision("ru") >= 0.8, report
