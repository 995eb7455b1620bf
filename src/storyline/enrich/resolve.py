"""Folding entity mentions of many documents into canonical entities.

Mentions with the same normalized name form one *node*; nodes are joined (union-find) by
evidence, strongest first:

1. the same name once titles ("President"), legal forms ("Corporation") and trade words
   ("Motors", "Systems") are dropped and later words put in the singular ("Vantorra Battery
   Systems" ~ "Vantorra Batteries");
2. an acronym and the one multi-word name it abbreviates ("KCNA", "U.S.");
3. a close spelling variant (`names.close_spelling`) with the same label family, when the
   two spellings never occur in the same document (one writer keeps one spelling) and
   their contexts agree (a shared co-occurring entity or shared words around the mentions);
   a two-word person name in the other order ("Hayasaka Kenjiro") under the same conditions;
4. a short person name ("Putin", "Kim") goes, mention by mention, to the one full name in
   the same document that contains it; where the document has none, to the one full name it
   went to elsewhere (or the only one in the whole collection). A surname the NER labelled
   otherwise ("Mulally" as ORG) goes to the one person of its document with that surname;
   "A. Sethupathi" goes to "Anirudh Sethupathi";
5. the distinctive word of an organisation, facility or product name used alone ("Vantorra",
   "Chiefs") goes to the one longer name that every document using it names (`_fold_short_names`);
6. the learned name matcher (`matcher.NameMatcher`): names that share a cheap blocking key are
   scored pairwise (spellings across scripts and inflections, sound keys, containment, acronym
   fit, label agreement, shared context) and joined best first above its threshold, unless a
   pair of multi-word person names of the two sides scores below its veto ("Boris Johnson"
   and "Stanley Johnson" keep apart even where a bare "Johnson" matches both).

A one-word name the small NER model tags PERSON in some sentences and ORG, GPE or PRODUCT in
others is one entity unless a longer person name contains it ("Harrison Ford").

PERSON merges with other labels only by those mislabelling rules; GPE/LOC/FAC are one family; ORG, PRODUCT, EVENT,
WORK_OF_ART and LAW another; NORP is alone.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from storyline.config import ENRICH, EnrichConfig
from storyline.enrich.matcher import NameMatcher, candidate_pairs, context_overlap, default_matcher
from storyline.enrich.names import (
    CONNECTORS,
    NameView,
    acronyms_of,
    close_spelling,
    entity_key,
    inflects,
    is_distinctive,
    looks_like_acronym,
    name_tokens,
    name_view,
    org_key,
    phonetic_token,
    strip_titles,
)
from storyline.model import Entity, EntityMention
from storyline.text.words import stop_words

Doc = tuple[str, str, Sequence[EntityMention]]
MentionId = tuple[str, int, int]

FAMILIES: dict[str, str] = {
    "PERSON": "PER",
    "GPE": "PLACE",
    "LOC": "PLACE",
    "FAC": "PLACE",
    "ORG": "THING",
    "PRODUCT": "THING",
    "EVENT": "THING",
    "WORK_OF_ART": "THING",
    "LAW": "THING",
    "NORP": "NORP",
}


def family(label: str) -> str:
    return FAMILIES.get(label, label)


@dataclass(frozen=True)
class ResolvedEntities:
    entities: tuple[Entity, ...]
    mention_keys: dict[MentionId, str]  # (doc_id, start, end) -> Entity.key

    def key_of(self, doc_id: str, mention: EntityMention) -> str | None:
        return self.mention_keys.get((doc_id, mention.start, mention.end))

    def by_key(self) -> dict[str, Entity]:
        return {e.key: e for e in self.entities}


@dataclass
class _Mention:
    doc: int
    doc_id: str
    start: int
    end: int
    text: str
    label: str
    form: str  # normalized, titles dropped
    language: str = ""
    node: int = -1


@dataclass
class _Node:
    form: str
    family: str
    mentions: list[int]
    docs: set[int]
    acronym: bool = False
    labels: Counter[str] = field(default_factory=Counter)


_WORDS = re.compile(r"[A-Za-z][A-Za-z'-]{3,}")


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # the smaller index is the root: deterministic whatever the order of calls
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def _form_of(text: str, label: str) -> str:
    tokens = name_tokens(text)
    if family(label) == "PER":
        tokens = strip_titles(tokens)
    return " ".join(tokens)


def _build(
    docs: Sequence[Doc], languages: Sequence[str | None] | None = None
) -> tuple[list[_Mention], list[_Node]]:
    mentions: list[_Mention] = []
    for d, (doc_id, _text, doc_mentions) in enumerate(docs):
        lang = (languages[d] or "") if languages is not None else ""
        for given in doc_mentions:
            form = _form_of(given.text, given.label)
            if form:
                mentions.append(
                    _Mention(d, doc_id, given.start, given.end, given.text, given.label, form, lang)
                )
    # a form's family is its majority family; a strong minority of PERSON (or of non-PERSON)
    # readings of the same form gets its own node
    fam_counts: dict[str, Counter[str]] = defaultdict(Counter)
    for m in mentions:
        fam_counts[m.form.replace(" ", "")][family(m.label)] += 1
    nodes: list[_Node] = []
    index: dict[tuple[str, str], int] = {}
    for i, m in enumerate(mentions):
        compact = m.form.replace(" ", "")
        counts = fam_counts[compact]
        fam = family(m.label)
        majority = max(sorted(counts), key=lambda f: counts[f])
        per, total = counts["PER"], sum(counts.values())
        split = 2 <= per <= total - 2 and min(per, total - per) / total >= 0.3
        if not split or (fam == "PER") == (majority == "PER"):
            fam = majority
        else:
            others = Counter({f: c for f, c in counts.items() if (f == "PER") == (fam == "PER")})
            fam = max(sorted(others), key=lambda f: others[f])
        key = (compact, fam)
        if key not in index:
            index[key] = len(nodes)
            nodes.append(_Node(form=m.form, family=fam, mentions=[], docs=set()))
        node = nodes[index[key]]
        node.mentions.append(i)
        node.docs.add(m.doc)
        node.labels[m.label] += 1
        m.node = index[key]
    for node in nodes:
        texts = [mentions[i].text for i in node.mentions]
        node.acronym = " " not in node.form and sum(looks_like_acronym(t) for t in texts) * 2 > len(texts)
    return mentions, nodes


def _contexts(
    docs: Sequence[Doc], mentions: list[_Mention], nodes: list[_Node], window: int = 60
) -> tuple[list[set[str]], list[set[str]]]:
    """Per node: the other forms in its documents, and the content words around its mentions."""
    forms_by_doc: dict[int, set[str]] = defaultdict(set)
    for m in mentions:
        forms_by_doc[m.doc].add(m.form)
    entities: list[set[str]] = []
    words: list[set[str]] = []
    for node in nodes:
        ents: set[str] = set()
        for d in node.docs:
            ents |= forms_by_doc[d]
        ents.discard(node.form)
        entities.append(ents)
        ws: set[str] = set()
        for i in node.mentions:
            m = mentions[i]
            text = docs[m.doc][1]
            around = text[max(0, m.start - window) : m.start] + " " + text[m.end : m.end + window]
            stop = stop_words(m.language or "en")  # the document's language; English when unknown
            ws |= {w.lower() for w in _WORDS.findall(around) if w.lower() not in stop}
        words.append(ws)
    return entities, words


def _contexts_agree(a: int, b: int, entities: list[set[str]], words: list[set[str]]) -> bool:
    shared_entities = (entities[a] & entities[b]) - {""}
    return bool(shared_entities) or len(words[a] & words[b]) >= 3


def _merge_exactish(nodes: list[_Node], uf: _UnionFind) -> None:
    """Same name without a legal form or trade word ("general motors corporation" ~ "general
    motors", "ford motor company" ~ "ford")."""
    by_core: dict[tuple[str, str], int] = {}
    for i, node in enumerate(nodes):
        if node.family == "PER":
            continue
        key = (org_key(tuple(node.form.split())), node.family)
        if key in by_core:
            uf.union(by_core[key], i)
        else:
            by_core[key] = i


def _merge_acronym_prefixes(nodes: list[_Node], uf: _UnionFind) -> None:
    """A name whose leading words are written as their acronym and the full name ("UN Security
    Council" ~ "United Nations Security Council", "EU Commission" ~ "European Union
    Commission"): same family, same remaining words."""
    full: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, node in enumerate(nodes):
        toks = node.form.split()
        if node.family == "PER" or len(toks) < 3:
            continue
        for k in range(2, len(toks)):
            lead = [t for t in toks[:k] if t not in CONNECTORS]
            if len(lead) >= 2:
                full[("".join(t[0] for t in lead) + " " + " ".join(toks[k:]), node.family)].append(i)
    for i, node in enumerate(nodes):
        toks = node.form.split()
        if node.family == "PER" or len(toks) < 2 or not 2 <= len(toks[0]) <= 5:
            continue
        cands = {uf.find(j) for j in full.get((node.form, node.family), []) if j != i}
        if len(cands) == 1:
            uf.union(cands.pop(), i)


def _merge_acronyms(nodes: list[_Node], uf: _UnionFind) -> set[int]:
    """Join each acronym to the one multi-word name it abbreviates; returns acronym nodes joined."""
    expansions: dict[str, list[int]] = defaultdict(list)
    for i, node in enumerate(nodes):
        if node.family == "PER" or " " not in node.form:
            continue
        for acro in acronyms_of(tuple(node.form.split())):
            expansions[acro.replace("&", "")].append(i)
    joined: set[int] = set()
    for i, node in enumerate(nodes):
        if not node.acronym or node.family == "PER":
            continue
        letters = node.form.replace("&", "")
        cands = [j for j in expansions.get(letters, []) if nodes[j].family == node.family]
        if not cands:
            cands = [j for j in expansions.get(letters, []) if nodes[j].family != "NORP"]
        roots = sorted({uf.find(j) for j in cands})
        if len(roots) > 1:
            # prefer the expansion that shares documents with the acronym
            shared = {r: sum(len(nodes[j].docs & node.docs) for j in cands if uf.find(j) == r) for r in roots}
            best = max(shared.values())
            roots = [r for r in roots if shared[r] == best] if best > 0 else roots
        if len(roots) == 1:
            uf.union(roots[0], i)
            joined.add(i)
    return joined


def _merge_spelling(
    nodes: list[_Node], uf: _UnionFind, entities: list[set[str]], words: list[set[str]]
) -> None:
    blocks: dict[tuple[str, int, str], list[int]] = defaultdict(list)
    for i, node in enumerate(nodes):
        toks = node.form.split()
        if node.acronym:
            continue
        head = phonetic_token(toks[0])[:1]
        blocks[(node.family, len(toks), head)].append(i)
    for members in blocks.values():
        for x in range(len(members)):
            a = members[x]
            for b in members[x + 1 :]:
                if uf.find(a) == uf.find(b):
                    continue
                na, nb = nodes[a], nodes[b]
                if na.docs & nb.docs:
                    continue
                if not close_spelling(na.form, nb.form):
                    continue
                if _contexts_agree(a, b, entities, words):
                    uf.union(a, b)
    _merge_name_order(nodes, uf, entities, words)


def _merge_name_order(
    nodes: list[_Node], uf: _UnionFind, entities: list[set[str]], words: list[set[str]]
) -> None:
    """A two-word person name written family name first ("Hayasaka Kenjiro") and given name
    first ("Kenjiro Hayasaka"), each word possibly spelt differently ("Kenjirou"), by writers
    who keep to one order (never both in one document) in agreeing contexts."""
    people = [
        i
        for i, node in enumerate(nodes)
        if node.family == "PER" and not node.acronym and len(node.form.split()) == 2
    ]
    by_sound: dict[frozenset[str], list[int]] = defaultdict(list)
    for i in people:
        first, last = nodes[i].form.split()
        if min(len(first), len(last)) < 3:
            continue
        by_sound[frozenset((phonetic_token(first)[:1], phonetic_token(last)[:1]))].append(i)
    for members in by_sound.values():
        for x, a in enumerate(members):
            first, last = nodes[a].form.split()
            reversed_form = f"{last} {first}"
            for b in members[x + 1 :]:
                if uf.find(a) == uf.find(b) or nodes[a].docs & nodes[b].docs:
                    continue
                if close_spelling(reversed_form, nodes[b].form) and _contexts_agree(a, b, entities, words):
                    uf.union(a, b)


def _is_short_of(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """Person names: every short token in the full name, in order ("putin" of "vladimir
    putin", "jong un" of "kim jong un"); a one-letter token stands for a word with that
    initial ("a sethupathi" of "anirudh sethupathi") when a whole word follows it."""
    initials = any(len(t) == 1 for t in short)
    if len(short) > len(full) or (len(short) == len(full) and not initials):
        return False
    if initials and (len(short[-1]) == 1 or short == full):
        return False
    it = iter(full)
    return all(any(w == tok or (len(tok) == 1 and len(w) > 1 and w[0] == tok) for w in it) for tok in short)


_ORG_LABELS = frozenset(["ORG", "FAC", "PRODUCT"])
# Ties between the labels of one entity go to the more specific reading: a name tagged GPE by
# one outlet and ORG by another as often ("Saarthi Kavach") is the organisation or product.
_LABEL_ORDER = {
    lab: i
    for i, lab in enumerate(
        ["PERSON", "ORG", "PRODUCT", "FAC", "EVENT", "WORK_OF_ART", "LAW", "GPE", "LOC", "NORP"]
    )
}
_PLACES = frozenset(["PLACE", "NORP"])


def _top_label(node: _Node) -> str:
    return min(node.labels, key=lambda lab: (-node.labels[lab], lab)) if node.labels else ""


def _rejoin_mislabelled_persons(nodes: list[_Node], uf: _UnionFind) -> None:
    """A one-word name split into a PERSON node and another node (`_build`) is one entity when
    no longer person name of the collection contains the word: "Shirakawa" tagged PERSON in
    some sentences and ORG or GPE in others is the company, where "Ford" next to "Harrison
    Ford" may be the actor."""
    by_form: dict[str, list[int]] = defaultdict(list)
    for i, node in enumerate(nodes):
        if " " not in node.form and not node.acronym:
            by_form[node.form].append(i)
    person_words: set[str] = set()
    for node in nodes:
        if node.family == "PER" and " " in node.form:
            person_words.update(node.form.split())
    for form, members in by_form.items():
        if len(members) < 2 or form in person_words:
            continue
        if any(nodes[i].family == "PER" for i in members) and any(nodes[i].family != "PER" for i in members):
            for i in members[1:]:
                uf.union(members[0], i)


def _fold_short_names(
    mentions: list[_Mention], nodes: list[_Node], uf: _UnionFind, acronym_nodes: set[int]
) -> dict[int, int]:
    """Mention index -> cluster root, for short names that go to a full name.

    A PERSON form of one or two words goes to the one longer PERSON name of its document that
    contains it; where its document has none, to the one full name it went to elsewhere, or
    the only one of the collection. A one-word name the NER labelled otherwise ("Mulally" as
    ORG, "Hayasaka" as GPE) goes to the one person with that name when every document it
    occurs in names that person (a form also used on its own is left alone).

    Otherwise a distinctive word of an organisation, facility or product name used alone
    ("Vantorra" for "Vantorra Batteries", "Chiefs" for "Kansas City Chiefs") goes to that name
    when every document using the word introduces that name, and no other longer name
    containing the word, before it: a parent company or a place named on its own ("Airbus"
    beside "Airbus A380", "Indonesia" beside "Garuda Indonesia") is used without the longer
    name in other documents. A word tagged PERSON folds so only when it is never also tagged
    otherwise and no person name contains it.
    """
    per_doc: dict[int, set[int]] = defaultdict(set)
    org_doc: dict[int, set[int]] = defaultdict(set)
    for i, node in enumerate(nodes):
        if node.family == "PER":
            for d in node.docs:
                per_doc[d].add(i)
        elif " " in node.form and not node.acronym:
            for d in node.docs:
                org_doc[d].add(i)
    first_at: dict[tuple[int, int], int] = {}
    for m in mentions:
        at = first_at.get((m.node, m.doc))
        if at is None or m.start < at:
            first_at[(m.node, m.doc)] = m.start
    families_of: dict[str, set[str]] = defaultdict(set)
    for node in nodes:
        families_of[node.form.replace(" ", "")].add(node.family)
    labels_of: dict[int, Counter[str]] = defaultdict(Counter)
    for i, node in enumerate(nodes):
        labels_of[uf.find(i)].update(node.labels)
    assigned: dict[int, int] = {}
    for s, node in enumerate(nodes):
        if node.acronym or s in acronym_nodes:
            continue
        short = tuple(node.form.split())
        is_person = node.family == "PER"
        if (is_person and len(short) > 2) or (not is_person and len(short) != 1):
            continue

        def candidates(
            pool: set[int], s: int = s, short: tuple[str, ...] = short, is_person: bool = is_person
        ) -> set[int]:
            out = set()
            for j in pool:
                if uf.find(j) == uf.find(s):
                    continue
                full = tuple(nodes[j].form.split())
                if (is_person and _is_short_of(short, full)) or (
                    not is_person and len(full) > 1 and short[0] in full
                ):
                    out.add(uf.find(j))
            return out

        votes: Counter[int] = Counter()
        undecided: list[int] = []
        found: dict[int, int] = {}
        for d in sorted(node.docs):
            roots = candidates(per_doc[d])
            doc_mentions = [k for k in node.mentions if mentions[k].doc == d]
            if len(roots) == 1:
                root = next(iter(roots))
                votes[root] += 1
                for k in doc_mentions:
                    found[k] = root
            elif not roots:
                undecided.extend(doc_mentions)
        if not is_person:
            # a mislabelled surname only when every document of the form names that person
            if len(votes) == 1 and votes.total() == len(node.docs):
                assigned.update(found)
                continue
        else:
            assigned.update(found)
            target: int | None = None
            if undecided and len(votes) == 1:
                target = next(iter(votes))
            elif undecided and not votes:
                everywhere = candidates(set(range(len(nodes))))
                if len(everywhere) == 1:
                    target = next(iter(everywhere))
            if target is not None:
                for k in undecided:
                    assigned[k] = target
            if votes or target is not None or families_of[node.form] != {"PER"}:
                continue
        if votes or len(short) != 1 or not is_distinctive(short[0]) or families_of[node.form] & _PLACES:
            continue
        org = _short_form_target(s, short[0], nodes, uf, per_doc, org_doc, first_at, labels_of)
        if org is not None:
            for k in node.mentions:
                assigned[k] = org
    return assigned


def _short_form_target(
    s: int,
    word: str,
    nodes: list[_Node],
    uf: _UnionFind,
    per_doc: dict[int, set[int]],
    org_doc: dict[int, set[int]],
    first_at: dict[tuple[int, int], int],
    labels_of: dict[int, Counter[str]],
) -> int | None:
    """The one organisation, facility or product name that every document of node `s` (one
    distinctive `word`) names, at least one of them before using the word alone, and where no
    person name claims the word ("Giovanni Bellandi" beside "Colorifici Bellandi"), or None."""
    own = uf.find(s)
    target: int | None = None
    before = False
    for d in sorted(nodes[s].docs):
        if any(" " in nodes[j].form and word in nodes[j].form.split() for j in per_doc[d]):
            return None
        roots: set[int] = set()
        for j in org_doc[d]:
            root = uf.find(j)
            if root == own or word not in nodes[j].form.split():
                continue
            roots.add(root)
            before = before or first_at[(j, d)] < first_at[(s, d)]
        if len(roots) != 1:
            return None
        root = next(iter(roots))
        if target is not None and root != target:
            return None
        target = root
    if target is None or not before:
        return None
    labels = labels_of[target]
    if sum(labels[lab] for lab in _ORG_LABELS) * 2 < labels.total():
        return None
    return target


def _canonical(texts: list[str], short: list[bool]) -> str:
    """Most frequent full form (not a short name or acronym), then the longest, then A-Z."""
    pool = [t for t, s in zip(texts, short, strict=True) if not s] or texts
    counts = Counter(pool)
    return min(counts, key=lambda t: (-counts[t], -len(t), t))


def node_views(mentions: list[_Mention], nodes: list[_Node]) -> list[NameView]:
    """The matcher's view of each node: its most frequent surface form, in the language of
    that form's first mention."""
    views = []
    for node in nodes:
        texts = Counter(mentions[i].text for i in node.mentions)
        surface = min(texts, key=lambda t: (-texts[t], t))
        lang = next(mentions[i].language for i in node.mentions if mentions[i].text == surface)
        views.append(name_view(surface, lang, node.family))
    return views


def node_contexts(mentions: list[_Mention], views: list[NameView], top: int = 30) -> list[set[str]]:
    """Per node, the keys (first stem) of the names most often met in its documents."""
    by_doc: dict[int, set[int]] = defaultdict(set)
    for m in mentions:
        by_doc[m.doc].add(m.node)
    counts: list[Counter[str]] = [Counter() for _ in views]
    for members in by_doc.values():
        keys = {n: views[n].stems[0][:5] for n in members if views[n].stems}
        for n in members:
            own = keys.get(n)
            counts[n].update(k for o, k in keys.items() if o != n and k != own)
    return [{k for k, _ in c.most_common(top)} for c in counts]


def _learned_pair_allowed(na: _Node, nb: _Node, va: NameView, vb: NameView, overlap: float) -> bool:
    """The pairs the learned matcher may join. A person never joins another family (the
    mislabelling rules do that). Between two names of languages that do not inflect names,
    in one script (English, French...), the rules above know more and the matcher only adds
    what they allow: a bare word and a longer name are a short form (`_fold_short_names`)
    unless one is the other's acronym; two names of one document are one only with the same
    stems (one writer keeps one spelling); two one-word names must be close spellings in
    agreeing contexts."""
    if (na.family == "PER") != (nb.family == "PER"):
        return False
    if va.script != vb.script or inflects(va.language) or inflects(vb.language):
        return True
    if (len(va.stems) == 1) != (len(vb.stems) == 1) and not (va.acronym or vb.acronym):
        return False
    same_stems = va.stems == vb.stems
    if na.docs & nb.docs and not same_stems:
        return False
    if len(va.stems) == 1 and not same_stems:
        return overlap > 0.0 and close_spelling(na.form, nb.form)
    return True


def _merge_learned(
    mentions: list[_Mention], nodes: list[_Node], uf: _UnionFind, matcher: NameMatcher
) -> None:
    """Join nodes the learned matcher scores above its threshold, best pairs first; a join is
    refused when two multi-word person names, one on each side, score below its veto."""
    views = node_views(mentions, nodes)
    contexts = node_contexts(mentions, views)
    pairs = []
    overlaps = []
    for a, b in candidate_pairs(views):
        overlap = context_overlap(contexts[a], contexts[b])
        if _learned_pair_allowed(nodes[a], nodes[b], views[a], views[b], overlap):
            pairs.append((a, b))
            overlaps.append(overlap)
    if not pairs:
        return
    probs = matcher.score_pairs(views, pairs, overlaps)
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(nodes)):
        members[uf.find(i)].append(i)
    scored: dict[tuple[int, int], float] = {p: float(q) for p, q in zip(pairs, probs, strict=True)}

    def full_person(i: int) -> bool:
        return views[i].family == "PER" and len(views[i].stems) >= 2

    def prob(a: int, b: int) -> float:
        key = (a, b) if a < b else (b, a)
        if key not in scored:
            ov = context_overlap(contexts[a], contexts[b])
            scored[key] = float(matcher.score_pairs(views, [key], [ov])[0])
        return scored[key]

    order = sorted(range(len(pairs)), key=lambda k: (-probs[k], pairs[k]))
    for k in order:
        if probs[k] < matcher.threshold:
            break
        a, b = pairs[k]
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb:
            continue
        left = [i for i in members[ra] if full_person(i)]
        right = [i for i in members[rb] if full_person(i)]
        if any(prob(x, y) < matcher.veto for x in left for y in right):
            continue
        uf.union(ra, rb)
        root = uf.find(ra)
        other = rb if root == ra else ra
        members[root].extend(members.pop(other))


def resolve(
    docs: Sequence[Doc],
    languages: Sequence[str | None] | None = None,
    matcher: NameMatcher | bool | None = True,
) -> ResolvedEntities:
    """Canonical entities of the mentions of `docs` ((doc_id, text, mentions) each) and the
    entity key of every mention ((doc_id, start, end) -> key). Deterministic.

    `languages` gives each document's language (for stemming inflected names); `matcher` is
    the learned name matcher (True: the shipped one; False or None: rules only)."""
    mentions, nodes = _build(docs, languages)
    if not mentions:
        return ResolvedEntities(entities=(), mention_keys={})
    uf = _UnionFind(len(nodes))
    _merge_exactish(nodes, uf)
    _merge_acronym_prefixes(nodes, uf)
    acronym_nodes = _merge_acronyms(nodes, uf)
    entities_ctx, words_ctx = _contexts(docs, mentions, nodes)
    _merge_spelling(nodes, uf, entities_ctx, words_ctx)
    chosen = default_matcher() if matcher is True else matcher or None
    if chosen is not None:
        _merge_learned(mentions, nodes, uf, chosen)
    _rejoin_mislabelled_persons(nodes, uf)
    overrides = _fold_short_names(mentions, nodes, uf, acronym_nodes)

    clusters: dict[int, list[int]] = defaultdict(list)
    for k, m in enumerate(mentions):
        root = overrides.get(k, uf.find(m.node))
        clusters[uf.find(root)].append(k)

    built: list[tuple[str, str, tuple[str, ...], list[int]]] = []
    for members in clusters.values():
        labels = Counter(mentions[k].label for k in members)
        label = min(labels, key=lambda lab: (-labels[lab], _LABEL_ORDER.get(lab, len(_LABEL_ORDER)), lab))
        texts = [mentions[k].text.strip() for k in members]
        lengths = [len(mentions[k].form.split()) for k in members]
        longest = max(lengths)
        short = [
            nodes[mentions[k].node].acronym or n < longest for k, n in zip(members, lengths, strict=True)
        ]
        name = _canonical(texts, short)
        aliases = tuple(sorted(set(texts), key=lambda t: (t.casefold(), t)))
        built.append((label, name, aliases, members))
    built.sort(
        key=lambda b: (entity_key(b[0], b[1]), min((mentions[k].doc_id, mentions[k].start) for k in b[3]))
    )

    entities: list[Entity] = []
    keys: dict[MentionId, str] = {}
    used: Counter[str] = Counter()
    for label, name, aliases, members in built:
        key = entity_key(label, name)
        used[key] += 1
        if used[key] > 1:
            key = f"{key}#{used[key]}"
        entities.append(Entity(key=key, name=name, label=label, aliases=aliases))
        for k in members:
            m = mentions[k]
            keys[(m.doc_id, m.start, m.end)] = key
    return ResolvedEntities(entities=tuple(entities), mention_keys=keys)


def with_keys(
    doc_id: str, mentions: Sequence[EntityMention], resolved: ResolvedEntities
) -> list[EntityMention]:
    """The mentions of one document with their `entity_key` filled in from `resolved`."""
    return [replace(m, entity_key=resolved.key_of(doc_id, m)) for m in mentions]


def entity_salience(
    docs: Sequence[Doc], resolved: ResolvedEntities, outlets: Sequence[str | None] | None = None, *,
    config: EnrichConfig = ENRICH,
) -> dict[str, float]:
    """Salience of each entity across outlets: in each document, log(1 + mentions) plus one
    when it is named in the first fifth of the text; an outlet counts its best document once;
    the outlets' scores are summed (a name every outlet leads with wins), places weigh half."""
    import math

    labels = {e.key: e.label for e in resolved.entities}
    weights = config.subject_label_weights  # places and nationalities are a story's subject less often
    per_outlet: dict[tuple[str, str], float] = {}
    for d, (doc_id, text, mentions) in enumerate(docs):
        outlet = (outlets[d] if outlets is not None else None) or doc_id
        counts: Counter[str] = Counter()
        early: set[str] = set()
        for m in mentions:
            key = resolved.key_of(doc_id, m)
            if key is None:
                continue
            counts[key] += 1
            if m.start <= max(200, len(text) // 5):
                early.add(key)
        for key, n in counts.items():
            score = (math.log1p(n) + (1.0 if key in early else 0.0)) * weights.get(labels.get(key, ""), 1.0)
            per_outlet[(outlet, key)] = max(per_outlet.get((outlet, key), 0.0), score)
    total: dict[str, float] = defaultdict(float)
    for (_outlet, key), score in per_outlet.items():
        total[key] += score
    return dict(total)


def focal_entity(
    docs: Sequence[Doc], resolved: ResolvedEntities, outlets: Sequence[str | None] | None = None, *,
    config: EnrichConfig = ENRICH,
) -> str | None:
    """The key of a story's main subject (highest `entity_salience`; ties to the smaller key), or
    None when nothing was named."""
    salience = entity_salience(docs, resolved, outlets, config=config)
    positive = {k: v for k, v in salience.items() if v > 0}
    if not positive:
        return None
    return min(positive, key=lambda k: (-positive[k], k))
