"""Cross-check of a story's claims across its outlets.

`cross_check` groups the claims by subject and attribute, keeps different qualifiers ("civilian
version", "armoured version") side by side as separate facts, compares the normalized values (money in
USD at each article's date, units in their dimension's base unit, dates at their granularity) with a
tolerance for rounding and "about", and marks each fact agreed, conflicting, single-source or
unverified (several outlets whose values cannot be compared, e.g. a currency with no rate).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from storyline.consolidate.claims import Claim, SourceSpan, unit_dimension
from storyline.consolidate.cues import CUMULATIVE, LOWER_BOUND, UPPER_BOUND
from storyline.consolidate.dates import compatible, sort_key
from storyline.enrich.units import canonical_unit as _canonical_unit
from storyline.model import Quantity

Status = Literal["agreed", "conflicting", "single-source", "unverified"]


@dataclass(frozen=True)
class FactValue:
    """One value of a fact as the outlets state it, with every source that states it."""

    text: str  # exact source text of the first statement
    value: float | str | None  # number, ISO date or entity key
    unit: str | None
    normalized: dict[str, Any] | None  # the quantity's USD/EUR, or {"base": .., "unit": ..}
    qualifiers: tuple[str, ...]
    articles: tuple[str, ...]
    sources: tuple[str, ...]
    published: tuple[str, ...]
    spans: tuple[SourceSpan, ...]
    approximate: bool = False
    comparable: bool = True  # False when it could not be compared (money with no rate)
    cluster: int = 0  # values in the same cluster agree with each other
    attributions: tuple[str, ...] = ()


@dataclass(frozen=True)
class VersionValue:
    """One version's figure in a "differs by version" comparison: its qualifier, the value as first
    stated, the median normalized value (USD at each article's date, or the dimension's base unit)."""

    qualifier: str
    text: str
    normalized: float
    space: str  # "USD", "dim:mass", ... : the scale `normalized` is on
    articles: tuple[str, ...]


@dataclass(frozen=True)
class Fact:
    subject: str
    subject_name: str
    attribute: str
    qualifier: str | None  # the variant qualifier shared by the values, None when unqualified
    status: Status
    values: tuple[FactValue, ...]
    articles: tuple[str, ...]
    note: str | None = None
    # for a figure that changes with time (a death toll): (publication date, value text, article id)
    evolution: tuple[tuple[str, str, str], ...] = field(default=())
    # the same subject and attribute under other qualifiers, side by side ("differs by version"),
    # this fact's own version included; `spread` is (max - min) / min of their normalized values
    versions: tuple[VersionValue, ...] = field(default=())
    spread: float | None = None

    @property
    def is_update(self) -> bool:
        """True when a conflict reads as later reports raising an earlier figure."""
        return self.note is not None and self.note.startswith("updated")


@dataclass(frozen=True)
class CrossCheckConfig:
    """Thresholds and tolerances of the cross-check. Relative tolerances are fractions of the figure."""

    rounding_cap: float = 0.05  # a rounded figure ("$8bn") may stand for values this far off
    approximate: float = 0.10  # "about", "nearly", "some": this much more
    exchange: float = 0.04  # two outlets' conversions at slightly different rates
    conversion: float = (
        0.08  # a figure converted between unit systems is rounded again ("30 km" -> "20 miles")
    )
    lower_bound_slack: float = (
        0.5  # "more than 20" stands for up to 50% more (not for tolls, which get updated)
    )
    magnitude: float = 5.0  # measures this many times apart are of different things ("27 km" tunnel, "180 m")


DEFAULT_CONFIG = CrossCheckConfig()


@dataclass(frozen=True)
class _Point:
    """A claim placed on a comparison scale."""

    claim: Claim
    space: str  # values in different spaces cannot be compared
    value: float
    tolerance: float  # absolute
    comparable: bool
    normalized: dict[str, Any] | None


def cross_check(claims: Sequence[Claim], config: CrossCheckConfig = DEFAULT_CONFIG) -> list[Fact]:
    """Facts of the story: the claims grouped by subject and attribute, split by variant qualifier,
    with each fact's values clustered into agreeing sets and the fact's status."""
    groups: dict[tuple[str, str, str], list[Claim]] = defaultdict(list)
    claims = _dated_money(claims)
    for claim in claims:
        attribute = "cost" if claim.attribute == "price" else claim.attribute  # one group, named below
        groups[(claim.subject, attribute, _kind_family(claim))].append(claim)
    facts: list[Fact] = []
    for (_subject_key, attribute, _family), members in groups.items():
        for same_scale in _split_by_magnitude(members, attribute, config):
            parts = [
                _fact(part, qualifier, config) for qualifier, part in _split_by_qualifier(same_scale, config)
            ]
            facts.extend(_side_by_side(parts))
    facts.sort(key=lambda f: (f.subject, f.attribute, f.qualifier or ""))
    return facts


def _side_by_side(facts: list[Fact]) -> list[Fact]:
    """Facts of one subject and attribute under different qualifiers, compared with each other: each
    gets the versions' figures on one scale and their spread, noted "differs by version" (never a
    conflict: the versions are different things)."""
    versions: list[VersionValue] = []
    for fact in facts:
        if fact.qualifier is None:
            continue
        version = _version_value(fact)
        if version is not None:
            versions.append(version)
    spaces = Counter(v.space for v in versions)
    if not spaces:
        return facts
    space, count = spaces.most_common(1)[0]
    if count < 2:
        return facts
    shown = tuple(
        sorted((v for v in versions if v.space == space), key=lambda v: (v.normalized, v.qualifier))
    )
    low, high = shown[0].normalized, shown[-1].normalized
    spread = (high - low) / low if low > 0 else None
    listed = "; ".join(f"{v.qualifier} {v.text}" for v in shown)
    note = f"differs by version: {listed}" + (f" (spread {spread:.0%})" if spread is not None else "")
    out: list[Fact] = []
    for fact in facts:
        if fact.qualifier is None or all(v.qualifier != fact.qualifier for v in shown):
            out.append(fact)
            continue
        out.append(
            replace(fact, versions=shown, spread=spread, note=f"{fact.note}; {note}" if fact.note else note)
        )
    return out


def _version_value(fact: Fact) -> VersionValue | None:
    """The fact's figure on a comparable scale: the median of its comparable values."""
    scaled: list[tuple[float, str, FactValue]] = []
    for value in fact.values:
        if not value.comparable or not value.normalized or not isinstance(value.value, (int, float)):
            continue
        if isinstance(value.normalized.get("USD"), (int, float)):
            scaled.append((float(value.normalized["USD"]), "USD", value))
        elif isinstance(value.normalized.get("base"), (int, float)):
            scaled.append((float(value.normalized["base"]), str(value.normalized.get("space")), value))
    if not scaled:
        return None
    scaled.sort(key=lambda item: item[0])
    number, space, value = scaled[len(scaled) // 2]
    return VersionValue(fact.qualifier or "", value.text, number, space, fact.articles)


def _split_by_magnitude(claims: list[Claim], attribute: str, config: CrossCheckConfig) -> list[list[Claim]]:
    """Measures (not tolls, which grow) kept apart when their values are of different orders of
    magnitude: they describe different things, not a disagreement."""
    if attribute in CUMULATIVE or len(claims) < 2 or claims[0].kind != "quantity":
        return [claims]
    points = sorted(((_point(c, config).value, c) for c in claims), key=lambda p: p[0])
    if points[0][0] <= 0:
        return [claims]
    parts: list[list[Claim]] = [[points[0][1]]]
    last = points[0][0]
    last_unit = points[0][1].quantity.unit if points[0][1].quantity else None
    for value, claim in points[1:]:
        unit = claim.quantity.unit if claim.quantity else None
        # "1,000" and "62,000 barrels a day" are a disagreement; "180 m" and "27 km" are two things
        if value > last * config.magnitude and unit != last_unit:
            parts.append([])
        parts[-1].append(claim)
        last, last_unit = value, unit
    return parts


def _dated_money(claims: Sequence[Claim]) -> list[Claim]:
    """Sums of undated articles converted at the story's median publication date, so that an undated
    report's price still meets the dated ones."""
    days = sorted(c.published[:10] for c in claims if c.published and len(c.published) >= 10)
    if not days:
        return list(claims)
    story_day = days[len(days) // 2]
    out: list[Claim] = []
    for claim in claims:
        quantity = claim.quantity
        if (
            claim.kind == "money"
            and not claim.published
            and quantity is not None
            and quantity.value
            and quantity.unit
            and not (quantity.normalized or {}).get("USD")
        ):
            from storyline.enrich.money import normalize_money

            normalized = normalize_money(quantity.value, quantity.unit, story_day)
            if normalized.get("USD"):
                claim = replace(claim, quantity=replace(quantity, normalized=normalized))
        out.append(claim)
    return out


def _kind_family(claim: Claim) -> str:
    if claim.kind in ("date", "entity"):
        return claim.kind
    if claim.quantity is not None and claim.kind == "quantity":
        return unit_dimension(claim.quantity.unit) or "quantity"
    return claim.kind


def _split_by_qualifier(
    claims: list[Claim], config: CrossCheckConfig
) -> list[tuple[str | None, list[Claim]]]:
    """Claims under the same variant qualifier together. An unqualified claim joins the one qualified
    group its value agrees with, so "the car costs 130,000 euros" meets "the civilian version costs
    130,000 euros"; otherwise it stays with the unqualified claims."""
    qualified: dict[str, list[Claim]] = defaultdict(list)
    plain: list[Claim] = []
    for claim in claims:
        if claim.qualifiers:
            qualified[" / ".join(claim.qualifiers)].append(claim)
        else:
            plain.append(claim)
    if not qualified:
        return [(None, plain)] if plain else []
    # each claim placed on its scale once, not once per pair compared
    points = {id(claim): _point(claim, config) for claim in claims}
    rest: list[Claim] = []
    for claim in plain:
        point = points[id(claim)]
        fits = [
            name
            for name, part in qualified.items()
            if any(_agree_points(point, points[id(other)], config) for other in part)
        ]
        if len(fits) == 1:
            qualified[fits[0]].append(claim)
        else:
            rest.append(claim)
    out: list[tuple[str | None, list[Claim]]] = [(name, part) for name, part in qualified.items()]
    if rest:
        out.append((None, rest))
    return out


def _point(claim: Claim, config: CrossCheckConfig) -> _Point:
    if claim.kind == "date":
        return _Point(claim, "date", 0.0, 0.0, True, None)
    if claim.kind == "entity":
        return _Point(claim, "entity", 0.0, 0.0, True, None)
    quantity = claim.quantity
    assert quantity is not None and quantity.value is not None
    low = quantity.value
    high = quantity.value_max if quantity.value_max is not None else low
    bounded = _bounded(claim, quantity, config) if high == low else None
    if bounded is not None:
        # "more than 800" stands for 800 up to a little more, never for 774; "up to 149" the reverse
        low, high = bounded
        tolerance = (high - low) / 2
    else:
        tolerance = (
            (high - low) / 2
            + _rounding(quantity.value, config)
            + (_approximate(quantity.value, config) if quantity.approximate else 0.0)
        )
    middle = (low + high) / 2
    if claim.kind == "money":
        currency = quantity.unit or "?"
        normalized = quantity.normalized or {}
        usd = normalized.get("USD")
        if isinstance(usd, (int, float)) and quantity.value:
            factor = float(usd) / quantity.value
            return _Point(
                claim,
                "USD",
                middle * factor,
                tolerance * factor + config.exchange * abs(middle * factor),
                True,
                normalized,
            )
        if currency == "USD":
            return _Point(claim, "USD", middle, tolerance, True, {"USD": middle})
        return _Point(claim, f"money:{currency}", middle, tolerance, False, normalized or {"note": "no rate"})
    unit = quantity.unit or "count"
    factor = 1.0
    space = f"unit:{unit}"
    if quantity.unit:
        try:
            dimension, factor = _canonical_unit(quantity.unit)
            space = f"dim:{dimension}"
        except ValueError:
            pass
    if claim.kind == "count":
        space = "count"
        factor = 1.0
    base = middle * factor
    return _Point(claim, space, base, tolerance * factor, True, {"base": base, "space": space})


def _bounded(claim: Claim, quantity: Quantity, config: CrossCheckConfig) -> tuple[float, float] | None:
    """The interval a one-sided figure stands for: a lower bound ("more than", "over", "at least")
    from the figure up, an upper bound ("up to", "fewer than", "less than") from the figure down; a
    death toll, which is updated, reaches as far as "about" would, other figures config.lower_bound_slack.
    None for a figure that is not a bound."""
    value = quantity.value
    if value is None:
        return None
    lower = LOWER_BOUND.match(quantity.text) is not None
    if not lower and UPPER_BOUND.match(quantity.text) is None:
        return None
    toll = claim.attribute == "death toll"
    if lower:
        reach = _approximate(value, config) if toll else abs(value) * config.lower_bound_slack
        return value, value + reach
    reach = (
        _approximate(value, config)
        if toll
        else abs(value) * config.lower_bound_slack / (1 + config.lower_bound_slack)
    )
    return value - reach, value


def _step(value: float) -> float:
    """Unit of the figure's last significant digit (6.6e9 -> 1e8; 140 -> 10)."""
    magnitude = abs(value)
    step = 10 ** math.floor(math.log10(magnitude))
    while step > 1e-9 and abs(magnitude / step - round(magnitude / step)) > 1e-6:
        step /= 10
    return step


def _approximate(value: float, config: CrossCheckConfig) -> float:
    """Slack of "about": one unit of the figure's last digit, at most config.approximate of it ("about
    $6.6bn" is 6.5-6.7bn, "about 140" is 130-150)."""
    if value == 0:
        return 0.0
    return min(_step(value), config.approximate * abs(value))


def _rounding(value: float, config: CrossCheckConfig) -> float:
    """Half a unit of the figure's last significant digit, capped at config.rounding_cap of the figure:
    "$8bn" may stand for 8.3bn; an exact small count (11) has no such slack."""
    magnitude = abs(value)
    if magnitude == 0:
        return 0.0
    if magnitude < 1000 and float(magnitude).is_integer():
        return 0.0
    step = 10 ** math.floor(math.log10(magnitude))
    while step > 1e-9 and abs(magnitude / step - round(magnitude / step)) > 1e-6:
        step /= 10
    return min(step / 2, config.rounding_cap * magnitude)


def _agree_points(pa: _Point, pb: _Point, config: CrossCheckConfig) -> bool:
    a, b = pa.claim, pb.claim
    if a.kind != b.kind and {a.kind, b.kind} != {"count", "quantity"}:
        return False
    if a.kind == "date" and b.kind == "date":
        return a.date is not None and b.date is not None and compatible(a.date, b.date)
    if a.kind == "entity" and b.kind == "entity":
        return a.entity == b.entity
    if pa.space != pb.space:
        return False
    slack = max(pa.tolerance, pb.tolerance)
    if (
        a.kind == "quantity"
        and b.kind == "quantity"
        and a.quantity is not None
        and b.quantity is not None
        and a.quantity.unit != b.quantity.unit
    ):
        slack += config.conversion * max(abs(pa.value), abs(pb.value))
    return abs(pa.value - pb.value) <= slack


def _clusters(points: list[_Point], config: CrossCheckConfig) -> list[list[_Point]]:
    """Agreeing sets over the sorted values: a value joins the open set when it agrees with both the
    set's first and last member (linear in the number of values), else opens a new set."""
    if not points:
        return []
    kind = points[0].claim.kind
    if kind == "date":
        ordered = sorted(points, key=lambda p: sort_key(p.claim.date or "9999"))
    elif kind == "entity":
        ordered = sorted(points, key=lambda p: p.claim.entity or "")
    else:
        ordered = sorted(points, key=lambda p: (p.space, p.value))
    clusters: list[list[_Point]] = []
    for point in ordered:
        for cluster in reversed(clusters[-3:]):
            if _agree_points(point, cluster[0], config) and _agree_points(point, cluster[-1], config):
                cluster.append(point)
                break
        else:
            clusters.append([point])
    return clusters


def _fact(claims: list[Claim], qualifier: str | None, config: CrossCheckConfig) -> Fact:
    first = claims[0]
    points = [_point(claim, config) for claim in claims]
    comparable = [p for p in points if p.comparable]
    spaces = Counter(p.space for p in comparable)
    clusters = _clusters(comparable, config)
    # values that could not be compared form clusters of their own, flagged not comparable
    loose = _clusters([p for p in points if not p.comparable], config)
    articles = tuple(dict.fromkeys(c.article_id for c in claims))
    status: Status
    note: str | None = None
    conflicting_clusters = [c for c in clusters if c]
    by_space: dict[str, int] = Counter(c[0].space for c in conflicting_clusters)
    if len(articles) < 2:
        status = "single-source"
    elif any(n > 1 for n in by_space.values()) and _distinct_articles(conflicting_clusters):
        status = "conflicting"
    elif any(len({p.claim.article_id for p in c}) > 1 for c in clusters):
        status = "agreed"
    else:
        status = "unverified"
        if loose:
            note = "values in currencies with no exchange rate could not be compared"
    if len(spaces) > 1 and status != "single-source":
        note = (note + "; " if note else "") + "some values are in units that cannot be compared"
    evolution: tuple[tuple[str, str, str], ...] = ()
    if (
        status == "conflicting"
        and first.attribute in CUMULATIVE
        and first.kind in ("count", "money", "quantity")
    ):
        evolution, same_day = _evolution(comparable, clusters)
        if evolution:
            note = "updated over time: later reports give higher figures"
        elif same_day:
            note = "reports of the same day disagree"
        else:
            note = "figures differ between reports and do not simply rise over time"
    values: list[FactValue] = []
    for index, cluster in enumerate(clusters):
        values.extend(_values(cluster, index, comparable=True))
    for index, cluster in enumerate(loose, start=len(clusters)):
        values.extend(_values(cluster, index, comparable=False))
    attribute = "price" if any(c.attribute == "price" for c in claims) else first.attribute
    return Fact(
        subject=first.subject,
        subject_name=first.subject_name,
        attribute=attribute,
        qualifier=qualifier,
        status=status,
        values=tuple(values),
        articles=articles,
        note=note,
        evolution=evolution,
    )


def _distinct_articles(clusters: list[list[_Point]]) -> bool:
    """True when the disagreeing values do not all come from one single article."""
    return len({p.claim.article_id for c in clusters for p in c}) > 1


def _evolution(
    points: list[_Point], clusters: list[list[_Point]]
) -> tuple[tuple[tuple[str, str, str], ...], bool]:
    """The figure's evolution, (publication date, value text, article) in publication order, when it is
    one: reports of different days whose values rise from day to day, every day's reports agreeing
    with each other. Reports of the same day that disagree are a conflict, never a change over time.
    Returns (evolution or (), whether some day's reports disagree)."""
    cluster_of = {id(p): index for index, cluster in enumerate(clusters) for p in cluster}
    dated = sorted((p for p in points if p.claim.published), key=lambda p: (p.claim.published or "", p.value))
    by_day: dict[str, list[_Point]] = defaultdict(list)
    for p in dated:
        by_day[p.claim.published or ""].append(p)
    same_day = any(len({cluster_of.get(id(p), -1) for p in day}) > 1 for day in by_day.values())
    days = sorted(by_day)
    rising = (
        not same_day
        and len(days) > 1
        and all(
            max(p.value for p in by_day[a]) <= min(p.value for p in by_day[b]) + 1e-9
            for a, b in itertools.pairwise(days)
        )
    )
    if not rising:
        return (), same_day
    return tuple((p.claim.published or "", p.claim.span.text, p.claim.article_id) for p in dated), False


def _values(cluster: list[_Point], index: int, comparable: bool) -> list[FactValue]:
    grouped: dict[tuple[Any, ...], list[_Point]] = defaultdict(list)
    for point in cluster:
        claim = point.claim
        if claim.quantity is not None:
            key: tuple[Any, ...] = (
                claim.quantity.value,
                claim.quantity.value_max,
                claim.quantity.unit,
                claim.qualifiers,
            )
        else:
            key = (claim.date or claim.entity, claim.qualifiers)
        grouped[key].append(point)
    out: list[FactValue] = []
    for members in grouped.values():
        claim = members[0].claim
        value: float | str | None
        if claim.quantity is not None:
            value, unit = claim.quantity.value, claim.quantity.unit
        elif claim.kind == "date":
            value, unit = claim.date, None
        else:
            value, unit = claim.entity, None
        out.append(
            FactValue(
                text=claim.span.text,
                value=value,
                unit=unit,
                normalized=members[0].normalized,
                qualifiers=claim.qualifiers,
                articles=tuple(dict.fromkeys(p.claim.article_id for p in members)),
                sources=tuple(dict.fromkeys(p.claim.source or p.claim.article_id for p in members)),
                published=tuple(dict.fromkeys(p.claim.published for p in members if p.claim.published)),
                spans=tuple(p.claim.span for p in members),
                approximate=any(
                    p.claim.quantity is not None and p.claim.quantity.approximate for p in members
                ),
                comparable=comparable,
                cluster=index,
                attributions=tuple(
                    dict.fromkeys(p.claim.attribution for p in members if p.claim.attribution)
                ),
            )
        )
    return out


def describe_value(value: FactValue) -> str:
    """Human form of a value, from the source text: "130,000 euros", "about $300,000"."""
    return value.text
