"""A Markdown note's body as the plain text of its summary.

A note's body is Markdown: headings, emphasis, links, lists, code. The summary
is shown as text (Discord embeds, feeds, the site) and read by search sentence
by sentence, so the markup goes and the structure stays as sentences:

- each heading, paragraph, list item and table cell ends as a sentence does
  (a period is added after a last letter or digit), so "## Why Rust" and the
  paragraph after it are two sentences, not one run-on;
- but a heading before the first paragraph that only labels the note (one
  word: "# Background", "## Abstract") or repeats its title is left out: the
  summary's first sentence is what a link card and a result show, and where
  the entry's kind is first read from ("Background. I gave a talk ..." showed
  a label and read as an article). A body of headings alone keeps them;
- a link is its text, an Obsidian wiki link (`[[Page|text]]`) too; an image is left out (its alt text rarely says what the
  entry is); inline code keeps its text; a code block is left out (code is not
  what an entry is about); HTML is reduced to its text.

Parsed with markdown-it-py (CommonMark, plus tables and strikethrough), not with
regular expressions: emphasis, nested lists and snake_case words follow its
rules. A body with no markup comes out as the same words.
"""

from __future__ import annotations

import functools
import re

from almanac.sources.html_text import html_to_text
from almanac.sources.text import as_sentence


@functools.lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def markdown_to_text(body: str, title: str = "") -> str:
    """The plain text of a Markdown body, one sentence or more per block, without the labels
    heading it (module docstring); `title` is the note's."""
    sentences, labels = [], 0  # labels: how many of the first sentences are headings to leave out
    heading = False
    for token in _parser().parse(body):
        if token.type in ("heading_open", "heading_close"):
            heading = token.type == "heading_open"
            continue
        if token.type == "inline":
            text = _inline_text(token.children or [])
        elif token.type == "html_block":
            text = html_to_text(token.content)
        else:
            continue
        text = " ".join(text.split())
        if text:
            labels += heading and labels == len(sentences) and _labels_only(text, title)
            sentences.append(as_sentence(text))
    return " ".join(sentences[labels:] if labels < len(sentences) else sentences)


def _labels_only(heading: str, title: str) -> bool:
    """Whether a heading says nothing of its own: one word, or the note's title again."""
    words = _words(heading)
    return len(words) <= 1 or words == _words(title)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


#: An Obsidian or Foam wiki link, `[[Page]]`, `[[Page#Heading|shown text]]`, or an embed `![[image.png]]`.
_WIKI_LINK = re.compile(r"(!?)\[\[([^\[\]|]*)(?:\|([^\[\]]*))?\]\]")


def _wiki_text(match: re.Match) -> str:
    """What a wiki link shows: its own text, else the page it names (an embed shows nothing)."""
    if match.group(1):
        return ""
    return (match.group(3) or match.group(2).replace("#", " ")).strip()


def _inline_text(children) -> str:
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return _WIKI_LINK.sub(_wiki_text, "".join(parts))
