"""A Markdown note's body as the plain text of its summary.

A note's body is Markdown: headings, emphasis, links, lists, code. The summary
is shown as text (Discord embeds, feeds, the site) and read by search sentence
by sentence, so the markup goes and the structure stays as sentences:

- each heading, paragraph, list item and table cell ends as a sentence does
  (a period is added after a last letter or digit), so "## Why Rust" and the
  paragraph after it are two sentences, not one run-on;
- a link is its text; an image is left out (its alt text rarely says what the
  entry is); inline code keeps its text; a code block is left out (code is not
  what an entry is about); HTML is reduced to its text.

Parsed with markdown-it-py (CommonMark, plus tables and strikethrough), not with
regular expressions: emphasis, nested lists and snake_case words follow its
rules. A body with no markup comes out as the same words.
"""

from __future__ import annotations

import functools

from almanac.sources.html_text import html_to_text
from almanac.sources.text import as_sentence


@functools.lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def markdown_to_text(body: str) -> str:
    """The plain text of a Markdown body, one sentence or more per block (module docstring)."""
    sentences = []
    for token in _parser().parse(body):
        if token.type == "inline":
            text = _inline_text(token.children or [])
        elif token.type == "html_block":
            text = html_to_text(token.content)
        else:
            continue
        text = " ".join(text.split())
        if text:
            sentences.append(as_sentence(text))
    return " ".join(sentences)


def _inline_text(children) -> str:
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)
