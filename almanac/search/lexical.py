"""A snapshot's full text in memory: the store's postings, ranked as FTS5's bm25() ranks them.

Why: FTS5's `bm25()` reads each matching row's length from a table of its
own, a b-tree search per row: 4 to 6 ms a question at 10,000 entries and
about 10 at 100,000, as much as encoding the question. Read once per version
of the archive (`Store.fulltext_postings`), the same postings rank a question
in under a millisecond, with FTS5's arithmetic (`almanac.bm25`), so the
scores, the 200 kept and the answers are the same (tests/test_snapshot.py
compares them with FTS5's, bit for bit). Which entries hold which words
(`matching`) is read from them too.

A word FTS5 reads as several tokens ("v2.0", "xen_summit") is a phrase;
questions with one are left to the store, which matches phrases itself.
"""

from __future__ import annotations

import numpy as np

from almanac.bm25 import Postings

#: Most words whose tokens an index remembers (a few MB); past it the cache starts again.
MAX_CACHED_TOKENS = 50_000


class LexicalIndex:
    """A store's postings with rows named by a snapshot's entry numbers."""

    def __init__(self, postings: Postings, size: int):
        self.postings = postings
        #: snapshot entry number -> the postings' row (-1: none, e.g. added after the postings were read)
        self.rows_of = np.full(size, -1, dtype=np.int32)
        known = np.flatnonzero((postings.where >= 0) & (postings.where < size))
        self.rows_of[postings.where[known]] = known
        self._tokens: dict[str, tuple[str, ...] | None] = {}

    def tokens(self, store, words) -> dict[str, tuple[str, ...] | None]:
        """Each word's tokens as the index reads it (None: not searched), asked of the store once per word."""
        known = self._tokens
        missing = [w for w in dict.fromkeys(words) if w not in known]
        if missing:
            if len(known) > MAX_CACHED_TOKENS:
                known.clear()
            known.update(store.fulltext_tokens(missing))
        return {w: known[w] for w in words}

    def rank(self, store, words: list[str], limit: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(snapshot entry numbers, BM25), as `store.fts_rank(words, limit)` ranks them; None if a word
        is a phrase of several tokens."""
        tokens = self.tokens(store, words)
        single = []
        for word in words:
            found = tokens[word]
            if found is None:
                continue  # no letter or digit: not searched, as the store drops it
            if len(found) != 1:
                return None
            single.append(found[0])
        rows, scores = self.postings.top(single, limit)
        numbers = self.postings.where[rows]
        keep = numbers >= 0  # rows of entries the snapshot does not have take their place, as in the store
        return numbers[keep], scores[keep]

    def matching(self, store, terms: list[str], ids: list[str], numbers: list[int]) -> dict[str, set[str]] | None:
        """As `store.terms_matching(terms, ids)`: which of `terms` each entry (snapshot `numbers`, named
        `ids`) holds; None if a term is a phrase of several tokens."""
        tokens = self.tokens(store, terms)
        asked = [(t, tokens[t]) for t in terms if tokens[t] is not None]
        if any(len(found) != 1 for _, found in asked):
            return None
        out: dict[str, set[str]] = {i: set() for i in ids}
        rows = self.rows_of[np.asarray(numbers, dtype=np.int64)]
        for term, (token,) in asked:
            holding = self.postings.rows(token)
            if not len(holding):
                continue
            at = np.minimum(np.searchsorted(holding, rows), len(holding) - 1)
            for j in np.flatnonzero((rows >= 0) & (holding[at] == rows)).tolist():
                out[ids[j]].add(term)
        return out
