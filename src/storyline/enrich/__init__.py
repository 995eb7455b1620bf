"""The `enrich` stage: time expressions, quantities and money, entity mentions.

Annotators are registered by name with a version, so a stored article records what produced its
annotations and `storyline enrich` can re-run them after an upgrade. Each is a pure function of the
cleaned article; offsets index into `Article.text`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from storyline.config import ENRICH, EnrichConfig
from storyline.model import Article, EntityMention, Quantity, TimeExpression
from storyline.store.base import Annotations


@dataclass(frozen=True)
class AnnotatorOutput:
    timexes: tuple[TimeExpression, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    mentions: tuple[EntityMention, ...] = ()
    note: str | None = None  # why nothing was produced, e.g. "unsupported language: fr"


@dataclass(frozen=True)
class Annotator:
    name: str
    version: str
    run: Callable[[Article, EnrichConfig], AnnotatorOutput]


def _timex(article: Article, config: EnrichConfig) -> AnnotatorOutput:
    from storyline.enrich.timex import tag

    found = tuple(tag(article.text, article.published, config=config))
    note = None if article.published else "no publication date: relative expressions left unresolved"
    return AnnotatorOutput(timexes=found, note=note)


def _quantities(article: Article, config: EnrichConfig) -> AnnotatorOutput:
    from storyline.enrich.quantities import extract_quantities

    return AnnotatorOutput(quantities=tuple(extract_quantities(article.text, article.published, article.language)))


def _entities(article: Article, config: EnrichConfig) -> AnnotatorOutput:
    from storyline.enrich.entities import ner_result

    result = ner_result(article.text, article.language)
    return AnnotatorOutput(mentions=tuple(result.mentions), note=result.note)


REGISTRY: dict[str, Annotator] = {
    a.name: a
    for a in (
        Annotator("timex", "1", _timex),
        Annotator("quantities", "2", _quantities),
        Annotator("entities", "2", _entities),
    )
}


def annotate(article: Article, names: Sequence[str] | None = None, *, config: EnrichConfig = ENRICH) -> Annotations:
    """Run the registered annotators (all, or those named) on one cleaned article."""
    timexes: list[TimeExpression] = []
    quantities: list[Quantity] = []
    mentions: list[EntityMention] = []
    notes: dict[str, str] = {}
    for name in names or list(REGISTRY):
        annotator = REGISTRY[name]
        result = annotator.run(article, config)
        timexes.extend(result.timexes)
        quantities.extend(result.quantities)
        mentions.extend(result.mentions)
        notes[name] = f"v{annotator.version}" + (f": {result.note}" if result.note else "")
    return Annotations(tuple(timexes), tuple(quantities), tuple(mentions), notes)
