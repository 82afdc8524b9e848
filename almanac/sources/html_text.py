"""The plain text of an HTML fragment (a feed item's summary), in linear time.

The standard library's HTMLParser rescans incomplete markup on every step: a
200 KB summary of repeated "<!--" takes it over a minute. Text is all a
summary needs, so this walks the fragment once with str.find: tags and
comments are dropped, scripts and styles with their content, block tags
(p, br, li, div) leave a space, and character references are decoded.
Malformed markup (a '<' never closed) is kept as text, as browsers do.
"""

from __future__ import annotations

import html
import re

from almanac.sources.text import as_sentence

_BLOCK = frozenset(("p", "br", "li", "div"))
#: A heading is a sentence of its own ("...as planned. Why Rust. I started..."), as in a Markdown body.
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_HEADING_END = "\x00"  # never in text: html.unescape turns "&#0;" into U+FFFD
_RAW_TEXT = frozenset(("script", "style"))
_RAW_END = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in _RAW_TEXT}
_NAME = re.compile(r"/?([A-Za-z][A-Za-z0-9-]*)")
_TAG_SPECIAL = re.compile("[\"'>]")


def _tag_end(fragment: str, start: int) -> int:
    """Index of the '>' closing the tag that opens at `start`, or -1.

    A '>' inside a quoted attribute value (`title="a>b"`) does not close it.
    Every search starts where the last one ended, so a tag costs its length.
    """
    i = start + 1
    while True:
        found = _TAG_SPECIAL.search(fragment, i)
        if found is None:
            return -1
        char, at = found.group(), found.start()
        if char == ">":
            return at
        if fragment[at - 1] != "=":  # an apostrophe in an unquoted value quotes nothing
            i = at + 1
            continue
        close = fragment.find(char, at + 1)
        if close < 0:
            return -1
        i = close + 1


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, whitespace folded."""
    parts: list[str] = []
    fragment = fragment.replace(_HEADING_END, "")  # a control character: dropped from every text anyway
    i, n = 0, len(fragment)
    while i < n:
        lt = fragment.find("<", i)
        if lt < 0:
            parts.append(fragment[i:])
            break
        parts.append(fragment[i:lt])
        following = fragment[lt + 1 : lt + 2]
        if fragment.startswith("<!--", lt):
            end = fragment.find("-->", lt + 4)
            i = n if end < 0 else end + 3
            continue
        if not following or not (following.isascii() and (following.isalpha() or following in "/!?")):
            parts.append("<")  # a '<' that opens no tag ("a < b") is text
            i = lt + 1
            continue
        gt = _tag_end(fragment, lt)
        if gt < 0:  # never closed: no later '>' can close anything either
            parts.append(fragment[lt:])
            break
        name_match = _NAME.match(fragment, lt + 1, gt)
        name = name_match.group(1).lower() if name_match else ""
        closing = following == "/"
        i = gt + 1
        if name in _BLOCK:
            parts.append(" ")
        elif name in _HEADINGS:
            parts.append(_HEADING_END)  # before it and after it, a sentence ends
        elif name in _RAW_TEXT and not closing:
            end = _RAW_END[name].search(fragment, i)
            i = n if end is None else end.end()
    text = html.unescape("".join(parts))
    if _HEADING_END in text:
        text = _end_headings(text.split(_HEADING_END))
    return " ".join(text.split())


def _end_headings(pieces: list[str]) -> str:
    """The text between heading ends joined, each ending as a sentence (`as_sentence`: "Why Rust?"
    stays, "Why Rust" becomes "Why Rust.")."""
    out: list[str] = []
    for piece in pieces:
        if out:
            out[-1] = as_sentence(out[-1].rstrip())
        if piece.strip() or not out:
            out.append(piece)
    return " ".join(out)
