"""Small text helpers shared by embedding and search: sentences and crude stems."""

from __future__ import annotations

import functools
import re

_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(“])")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ers", "ies", "ied", "ed", "es", "er", "ly", "s")
_WORD_RE = re.compile(r"[^\W_]+")

#: Most sentences of one summary embedded on their own (the rest are still in the whole-entry vector).
MAX_PARTS = 16


def sentences(text: str) -> list[str]:
    """The sentences of a summary (split after . ! ? before a capital, digit or quote)."""
    return [s.strip() for s in _SENTENCE_RE.split(text.strip()) if s.strip()]


def first_sentence(text: str) -> str:
    """`sentences(text)[0]` (or ""), found without splitting the rest of the text."""
    text = text.strip()
    end = _SENTENCE_RE.search(text)
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
