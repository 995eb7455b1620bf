"""What claim extraction knows about a whole story: its entities' name groups (spelling variants
folded), display names and labels, the focal object the story is about, and the variant qualifiers
the story contrasts ("civilian version" / "armoured version")."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from storyline.consolidate.cues import (
    AGENT_AFTER,
    FOCAL_LABELS,
    GENERIC_QUALIFIERS,
    LABEL_PRIORITY,
    OBJECT_LABELS,
    VARIANT,
    VARIANT_NOUNS,
    VARIANT_WORDS,
)
from storyline.consolidate.sentences import Sentence
from storyline.model import AnnotatedArticle, Entity


@dataclass
class StoryInfo:
    """What claim extraction knows about the whole story."""

    names: dict[str, str]  # representative entity key -> display name
    labels: dict[str, str]
    rep: dict[str, str]  # entity key -> representative key of its name group
    focal: str | None
    variants: dict[str, str]  # distinctive variant word (normalized) -> qualifier ("armoured version")


def _skeleton(name: str) -> str:
    """Spelling-tolerant key of a name's first word: first letter and following consonants, doubled
    letters collapsed ("Sarathi", "Saarthi", "Sarthi" -> "srth")."""
    first = re.sub(r"[^a-z]", "", (name.split() or [""])[0].lower())
    if not first:
        return ""
    rest = re.sub(r"[aeiouy]", "", first[1:])
    return re.sub(r"(.)\1+", r"\1", first[0] + rest)


def _name_groups(entities: Sequence[Entity]) -> dict[str, list[Entity]]:
    groups: dict[str, list[Entity]] = defaultdict(list)
    for entity in entities:
        skeleton = _skeleton(entity.name)
        groups[skeleton if len(skeleton) >= 3 else f"key:{entity.key}"].append(entity)
    return groups


def story_info(
    story: Sequence[AnnotatedArticle], entities: Sequence[Entity], sentences: list[Sentence]
) -> StoryInfo:
    groups = _name_groups(entities)
    article_sets: dict[str, set[str]] = defaultdict(set)
    mention_count: Counter[str] = Counter()
    agent_count: Counter[str] = Counter()
    known = {entity.key for entity in entities}
    texts = {item.id: item.article.text for item in story}
    for item in story:
        for mention in item.mentions:
            if mention.entity_key in known:
                key = mention.entity_key
                article_sets[key].add(item.id)
                mention_count[key] += 1
                if AGENT_AFTER.match(texts[item.id][mention.end : mention.end + 30]):
                    agent_count[key] += 1
    rep: dict[str, str] = {}
    names: dict[str, str] = {}
    labels: dict[str, str] = {}
    scores: dict[str, tuple[float, int, str]] = {}
    reports: dict[str, int] = {}  # representative key -> number of articles naming its group
    for members in groups.values():
        member_names = [m.name for m in members]
        best = max(members, key=lambda e: _display_rank(e, member_names, article_sets, mention_count))
        label_votes: Counter[str] = Counter()
        for member in members:
            specific = any(other != member.name and other in member.name for other in member_names)
            label_votes[member.label] += (mention_count[member.key] or 1) * (2 if specific else 1)
        label = max(
            label_votes,
            key=lambda lab: (
                label_votes[lab],
                -LABEL_PRIORITY.index(lab) if lab in LABEL_PRIORITY else -99,
            ),
        )
        for member in members:
            rep[member.key] = best.key
        names[best.key] = best.name
        labels[best.key] = label
        arts = set().union(*(article_sets[m.key] for m in members))
        reports[best.key] = len(arts)
        mentions = sum(mention_count[m.key] for m in members)
        agents = sum(agent_count[m.key] for m in members)
        if arts and label in FOCAL_LABELS:
            weight = 1.1 if label in OBJECT_LABELS else 1.0
            score = len(arts) * weight * (1.0 - 0.6 * agents / max(mentions, 1))
            scores[best.key] = (score, mentions, best.key)
    if len(story) > 1:
        # in a story of several reports, the object it is about is named by more than one of them
        scores = {key: score for key, score in scores.items() if reports[key] > 1}
    focal = max(scores, key=lambda k: scores[k]) if scores else None
    return StoryInfo(names, labels, rep, focal, _variant_vocabulary(sentences))


def _display_rank(
    entity: Entity, member_names: list[str], article_sets: dict[str, set[str]], mention_count: Counter[str]
) -> tuple[int, int, int, str]:
    """Which name of a group to show: the most reported, then the one containing the others."""
    contains = sum(other != entity.name and other in entity.name for other in member_names)
    return (
        len(article_sets[entity.key]) + contains,
        mention_count[entity.key],
        len(entity.name),
        entity.name,
    )


def focal_entity(story: Sequence[AnnotatedArticle], entities: Sequence[Entity]) -> Entity | None:
    """The object the story is about: the product, facility, event or organisation (name variants
    folded) mentioned by the most articles, less when it mostly speaks or owns ("X said", "X's")."""
    info = story_info(story, entities, [])
    if info.focal is None:
        return None
    return next((e for e in entities if e.key == info.focal), None)


def qualifier_key(phrase: str) -> str:
    """Spelling-neutral form of a qualifier word ("armoured" and "armored" meet)."""
    lowered = phrase.lower()
    return _OU_BEFORE_R.sub("o", lowered) if "our" in lowered else lowered


_OU_BEFORE_R = re.compile(r"ou(?=r)")


def _variant_vocabulary(sentences: list[Sentence]) -> dict[str, str]:
    """Distinctive words of the story's explicit variant qualifiers, when the story contrasts at least
    two ("civilian version" / "armoured version"): a clause saying just "armoured" means that variant."""
    qualifiers: dict[str, str] = {}
    for sentence in sentences:
        for phrase in explicit_variants(sentence.text):
            qualifiers.setdefault(qualifier_key(phrase), phrase)
    if len(qualifiers) < 2:
        return {}
    vocabulary: dict[str, str] = {}
    for key, phrase in qualifiers.items():
        for word in key.split():
            if word not in VARIANT_NOUNS and word not in STOPWORDS_Q and len(word) > 3:
                vocabulary.setdefault(word, phrase)
    return vocabulary


STOPWORDS_Q = frozenset({"the", "its", "their", "this", "that", "an", "a", "new", "for", "in"})


def explicit_variants(text: str) -> list[str]:
    found: list[str] = []
    if not VARIANT_WORDS.admits(text):  # most sentences: skip the costly pattern
        return found
    for match in VARIANT.finditer(text):
        phrase = " ".join(next(g for g in match.groups() if g).split()).lower()
        phrase = re.sub(r"^(?:the|its|their|this|that|an|a)\s+", "", phrase)
        if phrase in GENERIC_QUALIFIERS or re.fullmatch(r"(?:this|that|its|a|an)\s+\w+", phrase):
            continue
        if phrase.split()[0] in ("both", "each", "all", "two", "three", "every"):
            continue
        found.append(phrase)
    return found
