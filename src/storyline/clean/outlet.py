"""Outlet names: one name per site, whatever the feed or page called itself.

A feed's channel title or a page's site name often carries a section ("World news | The Northgate
Chronicle", "The Tokyo Harbour Times - Business", "Reuters: Top News", "Latest news RSS"). The name
is cut at its separators (| – — - : · • » ::), parts made only of section or feed words are dropped
("World news", "Business", "Home", "RSS feed", "Latest news"), and of what is left the part matching
the link's domain is taken (else a part that reads as a publication's name, else the last). When
nothing but section words is left, the site is named by its domain.

`normalize_outlet` is idempotent, and adding a section or feed affix to a name does not change it.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit


def _words(listing: str) -> frozenset[str]:
    return frozenset(listing.split())


# words of section titles and feed labels: a part made only of these names no outlet
_SECTION_WORDS = _words(
    """
    news latest top breaking headlines headline stories story home homepage front page main all
    rss atom feed feeds xml channel syndication edition editions section sections articles article
    world international global national local regional domestic foreign nation us uk eu europe asia
    africa americas politics political business economy economics markets market finance financial
    money companies industry tech technology science health medicine sport sports football cricket
    culture arts entertainment lifestyle life style travel food environment climate weather opinion
    opinions comment commentary analysis editorial editorials features feature video videos audio
    podcast podcasts photos gallery live updates update blog blogs today daily in brief briefs
    most recent popular read viewed new newest more other misc general en english
    the and of for from on & + - en-us en-gb
    """
)
# words that make a part read as a publication's name
_MASTHEAD_WORDS = _words(
    """
    times post chronicle herald gazette tribune journal press mercury guardian telegraph observer
    express mail star sun courier record independent standard review ledger agency wire dispatch
    monitor examiner inquirer bulletin sentinel register advertiser globe mirror echo reporter
    network broadcasting radio tv television newspaper magazine weekly
    """
)
_SEPARATOR = re.compile(r"\s+(?:[|–—·•»:]|::|-{1,2})\s+|\s*[|–—·•»]\s*|:\s+")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+(?:[-'’.&][^\W_]+)*|[&+]", re.UNICODE)
_EDGE = " \t|-–—·•»:;,"  # separators left at a name's edges (other characters are kept as given)
_HOST_NOISE = frozenset(("www", "m", "rss", "feeds", "feed", "news", "amp", "mobile", "en", "edition"))
_TLD = _words(
    "com net org info biz co uk us ca au nz in jp de fr it es nl be ch at ie za ng ke br mx ar ru cn hk sg "
    "my ph pk lk bd ae sa il tr gr pt pl cz se no dk fi ro hu eu io news tv online media"
)


def normalize_outlet(name: str | None, link: str | None = None) -> str | None:
    """The outlet's name from a feed title or site name and, when known, a link to its site."""
    host = _host(link)
    if name is None:
        return host
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", name)).strip(_EDGE)
    if not text:
        return host
    parts = [p.strip(_EDGE) for p in _SEPARATOR.split(text)]
    named = [_without_affixes(p) for p in parts if p.strip(_EDGE)]
    named = [p for p in named if p and not _is_section(p)]
    if not named:
        return host or text
    label = _site_label(host)
    if label:
        for part in named:
            if _matches(part, label):
                return part
    if len(named) == 1:
        return named[0]
    mastheads = [p for p in named if _is_masthead(p)]
    if mastheads:
        return mastheads[0]
    return host or named[-1]


def _is_section(part: str) -> bool:
    words = [w.lower() for w in _WORD.findall(part)]
    return all(w in _SECTION_WORDS for w in words)


def _is_masthead(part: str) -> bool:
    words = [w.lower() for w in _WORD.findall(part)]
    return bool(words) and (words[0] == "the" or any(w in _MASTHEAD_WORDS for w in words))


def _without_affixes(part: str) -> str:
    """A part without feed labels around it ("X RSS feed", "RSS: X", "X - Home" already split)."""
    words = part.split(" ")
    while len(words) > 1 and _is_affix(words[-1]):
        words.pop()
    while len(words) > 1 and _is_affix(words[0]):
        words.pop(0)
    return " ".join(words).strip(_EDGE)


def _is_affix(word: str) -> bool:
    return word.strip(_EDGE).lower() in ("rss", "atom", "feed", "feeds", "xml", "homepage", "home")


def _host(link: str | None) -> str | None:
    if not link:
        return None
    try:
        host = urlsplit(link.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    labels = host.split(".")
    while len(labels) > 2 and labels[0] in _HOST_NOISE:
        labels.pop(0)
    return ".".join(labels)


def _site_label(host: str | None) -> str | None:
    """The distinctive label of a host: "northgatechronicle" of "www.northgatechronicle.co.uk"."""
    if not host:
        return None
    labels = [label for label in host.split(".") if label not in _TLD and label not in _HOST_NOISE]
    if not labels:
        return None
    return _compact(max(labels, key=len)) or None


def _compact(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _matches(part: str, label: str) -> bool:
    compact = _compact(part)
    bare = compact.removeprefix("the")
    if len(label) < 3:
        return compact == label or bare == label
    return label in (compact, bare) or (len(label) >= 4 and (label in compact or bare in label))
