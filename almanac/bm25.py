"""BM25 as SQLite's FTS5 computes it (`fts5Bm25Function`), in numpy, and postings to compute it from.

Two places rank words without FTS5's own `bm25()`, and both must give its
scores to the last bit, so that an answer never depends on where the words
were ranked: PostgreSQL (posting blocks fetched per question, see
`almanac.store.fulltext.Tsvector`) and a search snapshot's in-memory copy of
SQLite's FTS5 postings (`almanac.search.lexical`). FTS5 is the reference:
k1 1.2, b 0.75, each phrase's f its weighted count in the row (the title
counting double), the row's length in tokens, and the same IEEE doubles in
the same order of operations (phrases summed in the question's order, from
0.0; an absent phrase adds 0.0, which changes nothing). Its `ORDER BY score
LIMIT n` keeps, among equal scores, the rows it met first: rowid order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: FTS5's bm25() weight of each column of `entries_fts` (title, date label, summary, tags).
COLUMN_WEIGHTS = (2.0, 1.0, 1.0, 1.0)


def phrase_scores(df: int, f: np.ndarray, dl: np.ndarray, n_docs: int, avgdl: float) -> np.ndarray:
    """One phrase's BM25 in each row holding it (`df` rows; f and dl float64), as FTS5 computes it."""
    idf = math.log((n_docs - df + 0.5) / (df + 0.5))
    if idf <= 0.0:
        idf = 1e-6
    return idf * ((f * 2.2) / (f + 1.2 * (0.25 + 0.75 * dl / avgdl)))


def average_length(n_docs: int, total_tokens: int) -> float:
    return total_tokens / n_docs if n_docs and total_tokens else 1.0


def best(keys: np.ndarray, scores: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """The `limit` highest scores with their keys, best first, equal scores by key (as FTS5's sort keeps them)."""
    if len(keys) > limit > 0:
        kth = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        keep = scores >= kth  # every row scoring at least the limit-th best, ties included
        keys, scores = keys[keep], scores[keep]
    order = np.lexsort((keys, -scores))[: max(limit, 0)]
    return keys[order], scores[order]


def bm25_top(phrases: list[tuple[np.ndarray, np.ndarray, np.ndarray]], n_docs: int, total_tokens: int,
             limit: int) -> tuple[np.ndarray, np.ndarray]:
    """The best `limit` rows for a question: (keys, scores), best first, equal scores by key.

    `phrases` holds, per phrase of the question in its order, the rows that
    hold it (keys ascending in rowid order: rowids, or positions in rowid
    order), its f in each (float64) and each row's length in tokens (float64).
    `n_docs` and `total_tokens` are the whole index's row count and length.
    """
    if not phrases:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    avgdl = average_length(n_docs, total_tokens)
    parts = [phrase_scores(len(keys), f, dl, n_docs, avgdl) for keys, f, dl in phrases]
    keys, at = np.unique(np.concatenate([keys for keys, _, _ in phrases]), return_inverse=True)
    scores = np.bincount(at, weights=np.concatenate(parts))  # per row, in the phrases' order
    return best(keys, scores, limit)


@dataclass
class Postings:
    """A whole full-text index in memory: per token, the rows holding it and its f in each.

    Rows are numbered 0..n-1 in rowid order (`where` gives each row's number
    in the reader's own numbering of entries, -1 for a row it does not
    know); token t's postings are `docs[starts[t]:starts[t + 1]]` (ascending)
    with `freqs` alongside. `n_docs` and `total_tokens` are the index's totals.
    """

    terms: dict[str, int]
    starts: np.ndarray
    docs: np.ndarray
    freqs: np.ndarray
    lengths: np.ndarray  # float64, tokens per row
    where: np.ndarray
    n_docs: int
    total_tokens: int

    def rows(self, token: str) -> np.ndarray:
        """The rows holding `token` (ascending; empty if none)."""
        t = self.terms.get(token)
        if t is None:
            return self.docs[:0]
        return self.docs[self.starts[t] : self.starts[t + 1]]

    def phrase(self, token: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(rows, f, lengths) of a one-token phrase, for `bm25_top`; None if no row holds it."""
        t = self.terms.get(token)
        if t is None:
            return None
        start, end = self.starts[t], self.starts[t + 1]
        docs = self.docs[start:end]
        return docs, self.freqs[start:end].astype(np.float64), self.lengths[docs]

    def top(self, tokens: list[str], limit: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows, scores) of the best `limit` rows for one-token phrases `tokens`, as FTS5 ranks them.

        As `bm25_top`, but summed into one array of every row (phrase by phrase, so each row's sum
        is in the same order): no sort of the rows found, 3 to 4 times faster at 10,000 entries.
        """
        phrases = [p for p in map(self.phrase, tokens) if p is not None]
        if not phrases:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        avgdl = average_length(self.n_docs, self.total_tokens)
        scores = np.zeros(len(self.lengths), dtype=np.float64)
        for docs, f, dl in phrases:
            scores[docs] += phrase_scores(len(docs), f, dl, self.n_docs, avgdl)  # a row once per phrase
        # every part is above zero (idf >= 1e-6, f >= 1), so the rows found are those above zero
        found = phrases[0][0] if len(phrases) == 1 else np.flatnonzero(scores)
        return best(found, scores[found], limit)
