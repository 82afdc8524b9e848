"""Small text helpers shared by embedding and search: sentences and crude stems."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

#: Where a sentence may end: after . ! ? and space, before a capital, a digit or a quote.
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(“])")
#: Abbreviations whose dot ends no sentence: titles before a name ("Dr. Sylvia Earle", "St. Louis",
#: "Sen. Michael Bennet", "John F. Kennedy Jr. Forum"), a case's "v." ("Reed v. Reed") and a
#: citation's "No. 1", "vol. 7", "pp. 3".
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st sen rep gov gen col lt sgt capt rev fr jr sr mt ft no nos vol vols pp p v vs".split()
)
#: A word of letters, or letters with dots between ("U.S", "D.C", "J.K"), as it stands before its dot.
_DOTTED_WORD = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]+")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ers", "ies", "ied", "ed", "es", "er", "ly", "s")
_WORD_RE = re.compile(r"[^\W_]+")

#: Fields saying where an entry appeared or who was in it, which readers keep as the summary's last
#: sentences under their names ("Venue: Nature.", `almanac.sources.fields`); what follows such a
#: label is a name however it is written, though the colon before it may start a sentence.
CONTEXT_FIELDS = ("venue", "event", "conference", "location", "place", "publisher", "journal", "publication",
                  "show", "host", "guest", "guests", "speaker", "speakers", "authors", "citation")

#: Most sentences of one summary embedded on their own (the rest are still in the whole-entry vector).
MAX_PARTS = 16


def ends_no_sentence(word: str) -> bool:
    """Whether the dot after `word` (written without it) is an abbreviation's, not a sentence's end.

    An initial ("Katherine J. Mack"), dotted letters ("the U.S. Senate", "the D.C. Circuit") and a
    title or a case's "v." stand before more of the same sentence: over the 33 evaluation
    archives, each of the 130-odd such dots before a capital was inside a sentence (cutting there
    left "Avi Friedlander, Katherine J." as an entry's first sentence, and as a part it embeds).
    """
    if not _DOTTED_WORD.fullmatch(word):  # a number ("version 2.0."), a parenthesis, a quote
        return False
    return (len(word) == 1 and word.isupper()) or "." in word or word.lower() in _ABBREVIATIONS


def _boundaries(text: str) -> Iterator[re.Match]:
    """The matches of _SENTENCE_RE in `text` where a sentence really ends (a blank line always does)."""
    for match in _SENTENCE_RE.finditer(text):
        last = text[max(0, match.start() - 40) : match.start()].split()
        word = last[-1].lstrip("(\"'“‘") if last else ""
        if "\n\n" in match.group() or not word.endswith(".") or not ends_no_sentence(word[:-1]):
            yield match


def sentences(text: str) -> list[str]:
    """The sentences of a summary (split after . ! ? before a capital, digit or quote, except
    after an abbreviation's dot: `ends_no_sentence`)."""
    text = text.strip()
    out, start = [], 0
    for match in _boundaries(text):
        out.append(text[start : match.start()])
        start = match.end()
    out.append(text[start:])
    return [s.strip() for s in out if s.strip()]


def cut_at_word(text: str, limit: int) -> str:
    """`text` cut short at a word, with "…", in at most `limit` characters: a link card's
    description, a title made from a post's text (each asks only when the text is too long, or
    unfinished). A cut with no space in its second half is made inside the word rather than
    leaving almost nothing."""
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…"


def first_sentence(text: str) -> str:
    """`sentences(text)[0]` (or ""), found without splitting the rest of the text."""
    text = text.strip()
    end = next(_boundaries(text), None)
    return (text[: end.start()] if end else text).strip()


@functools.lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A crude English stem, enough to match "talks"/"talk" and "deployed"/"deployment".

    Cached: an archive's words repeat, and every question stems the sentences of its hits.
    """
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def stems(text: str) -> set[str]:
    return {stem(w) for w in _WORD_RE.findall(text)}


def entry_parts(title: str, summary: str) -> list[str]:
    """What an entry is embedded as besides its whole text: its title and each sentence.

    A question often matches one sentence of a long summary ("the one where he
    explained ...") while the whole-entry vector averages it away.
    """
    parts = [title] + sentences(summary)
    return parts[:MAX_PARTS]


_MARKDOWN = re.compile(r"([\\*_~`|\[\]<>])")
#: Line starts Discord reads as a heading or a list item ("# Heading", "- item").
_LINE_MARKS = re.compile(r"^([ \t]*)(#{1,3}[ \t]|-[ \t])", re.MULTILINE)


def escape_markdown(text: str) -> str:
    """Archive text shown as itself where Discord renders Markdown (embed descriptions, field
    values): a summary's "[free Nitro](https://...)" was a disguised link posted under the bot's
    name, "||...||" a spoiler, "# ..." a heading. Escaped, each shows as written."""
    text = _MARKDOWN.sub(r"\\\1", text or "")
    return _LINE_MARKS.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
