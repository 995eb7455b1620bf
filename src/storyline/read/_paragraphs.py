"""Paragraph structure: plain text and HTML fragments to "\\n\\n"-separated blocks."""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

_NEWLINES = re.compile(r"\r\n?|\u2028|\x85")
_BLANK_LINE = re.compile(r"\n[ \t\f\v]*\n")
_FINAL_PUNCT = tuple(".!?:;\"'”’»)…]")
_HEADLINE_END_BAD = tuple(".,;:")
_ANY_WS = re.compile(r"\s+")

_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "tr",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "main",
        "figure",
        "figcaption",
        "hr",
        "address",
        "nav",
        "form",
        "fieldset",
        "details",
        "summary",
        "center",
    ]
)
_SKIP_TAGS = frozenset(
    ["script", "style", "noscript", "template", "head", "title", "iframe", "object", "svg", "math"]
)
_CELL_TAGS = frozenset(("td", "th"))
# without huge_tree libxml2 silently drops what is nested deeper than 255 elements, and deeper than
# MAX_DEPTH even with it
_HUGE_PARSER = lxml.html.HTMLParser(huge_tree=True)
MAX_DEPTH = 2048  # libxml2's depth limit with huge_tree (a property of the parser, not a setting)


class TooDeeplyNested(ValueError):
    """HTML nested deeper than the parser keeps: its inner text would be lost."""

    def __init__(self) -> None:
        super().__init__(f"too deeply nested: HTML elements nested more than {MAX_DEPTH} levels deep")


def tree_depth(root: lxml.etree._Element) -> int:
    """How many elements deep the tree goes (without recursion)."""
    depth = deepest = 0
    for event, _ in lxml.etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def normalize_newlines(text: str) -> str:
    return _NEWLINES.sub("\n", text).replace("\u2029", "\n\n").replace("\f", "\n\n")


def looks_like_headline(line: str) -> bool:
    """Short, ends without a period or comma, has letters: a title rather than a sentence of text."""
    line = line.strip()
    if not line or len(line) > 200 or len(line.split()) > 25:
        return False
    if line.endswith(_HEADLINE_END_BAD) and not line.endswith("..."):
        return False
    return any(ch.isalpha() for ch in line) and not line[0].islower()


def _is_hard_wrapped(lines: list[str]) -> bool:
    if len(lines) < 3:
        return False
    longest = max(len(line) for line in lines)
    uniform = longest <= 100 and all(len(line) >= 0.6 * longest for line in lines[:-1])
    # wrapped text breaks lines mid-sentence; short sentences one per line are not wrapped
    return uniform and any(not line.endswith(_FINAL_PUNCT) for line in lines[:-1])


def _merge_block(lines: list[str]) -> list[str]:
    """Lines of one block to paragraphs: soft-wrapped lines are joined, others kept apart."""
    if _is_hard_wrapped(lines):
        return [" ".join(lines)]
    out: list[str] = []
    for line in lines:
        if out and not out[-1].endswith(_FINAL_PUNCT) and line[:1].islower():
            out[-1] = out[-1] + " " + line
        else:
            out.append(line)
    return out


def plain_paragraphs(text: str) -> list[str]:
    """Paragraphs of plain text: blocks split on blank lines, then on lines that are not wrapped."""
    paragraphs: list[str] = []
    for block in _BLANK_LINE.split(normalize_newlines(text)):
        lines = [line.strip() for line in block.split("\n")]
        lines = [line for line in lines if line]
        if lines:
            paragraphs.extend(_merge_block(lines))
    return paragraphs


def join(paragraphs: list[str]) -> str:
    return "\n\n".join(p for p in paragraphs if p)


class _Collector:
    """Walks an element tree, cutting a paragraph at each block element."""

    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.current: list[str] = []

    def add(self, text: str | None) -> None:
        if text:
            self.current.append(text)

    def cut(self) -> None:
        raw = "".join(self.current)
        self.current = []
        group: list[str] = []
        for piece in [*raw.split("\x00"), ""]:
            line = _ANY_WS.sub(" ", piece).strip()
            if line:
                group.append(line)
            elif group:  # an empty line (two <br> in a row) ends the paragraph
                self.paragraphs.append("\n".join(group))
                group = []

    def walk(self, root: lxml.etree._Element) -> None:
        """Visits the tree in document order without recursion (pages may nest thousands deep)."""
        # comments and processing instructions go, their tails (text) stay
        lxml.etree.strip_elements(root, lxml.etree.Comment, lxml.etree.ProcessingInstruction, with_tail=False)
        walker = lxml.etree.iterwalk(root, events=("start", "end"))
        for event, element in walker:
            tag = element.tag if isinstance(element.tag, str) else None
            name = tag.lower().rsplit("}", 1)[-1] if tag else None
            if event == "start":
                if name is None or name in _SKIP_TAGS:
                    walker.skip_subtree()  # a script, a style: only the tail is text
                    continue
                if name in _BLOCK_TAGS:
                    self.cut()
                if name == "br":
                    self.add("\x00")
                self.add(element.text)
                continue
            if name in _CELL_TAGS:
                self.add(" | ")
            if name in _BLOCK_TAGS:
                self.cut()
            if element is not root:
                self.add(element.tail)


def html_fragment_paragraphs(fragment: str, *, strict: bool = False) -> list[str]:
    """Paragraphs of an HTML fragment (a feed entry's content); <br> keeps a line break. With
    `strict`, a fragment nested deeper than the parser keeps raises TooDeeplyNested."""
    if "<" not in fragment:
        return plain_paragraphs(_unescape_plain(fragment))
    try:
        root = lxml.html.document_fromstring(
            f"<html><body><div>{fragment}</div></body></html>", parser=_HUGE_PARSER
        )
    except (lxml.etree.ParserError, ValueError):
        return plain_paragraphs(fragment)
    if strict and fragment.count("<") >= MAX_DEPTH and tree_depth(root) >= MAX_DEPTH:
        raise TooDeeplyNested()
    collector = _Collector()
    body = root.find("body")
    collector.walk(body if body is not None else root)
    collector.cut()
    return [p.replace(" | \n", "\n").removesuffix(" |").strip() for p in collector.paragraphs]


def _unescape_plain(text: str) -> str:
    import html

    return html.unescape(text)
