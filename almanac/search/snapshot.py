"""What a searcher holds in memory for one version of the store.

One normalised float32 matrix of whole-entry vectors (brute-force dot
product is exact and fast at this scale), the facets filters need (year,
month, kind, tags), and, built on first need, the archive's vocabulary for
correcting typos, and the counts of the words questions used (the store's
full text answers them, and they only change with the version). Part vectors
(titles and sentences) stay in the database and are fetched per question for
a few candidates only: holding them all would take 6 to 9 KB an entry (four
to six 384-float vectors), 0.6 to 0.9 GB at 100,000 entries, beside the
matrix's 154 MB.
"""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass, field

import numpy as np

from almanac.words import tokens

#: Most word counts a snapshot keeps (a few MB); past it the cache starts again.
MAX_CACHED_COUNTS = 50_000


@dataclass
class Snapshot:
    version: tuple[int, int]
    ids: list[str]
    index: dict[str, int]
    years: np.ndarray
    months: np.ndarray  # 0 where unknown
    days: np.ndarray  # 0 where unknown
    kinds: np.ndarray  # object array of kind names
    tags: list[tuple[str, ...]]
    matrix: np.ndarray  # (n, dims), rows normalised; zero rows where no vector
    _vocabulary: dict[str, int] | None = field(default=None, repr=False)
    _vocab_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _doc_counts: dict[str, int] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    def date_keys(self) -> np.ndarray:
        """Months since year 0 (the 1st month when only the year is known), for sorting by date."""
        return self.years.astype(np.int64) * 12 + np.maximum(self.months, 1)

    def sort_keys(self) -> np.ndarray:
        """Days since year 0, roughly (the 1st when the day or month is unknown): "the latest"
        within one month is the later day."""
        return self.date_keys() * 32 + np.maximum(self.days, 1)

    def doc_counts(self, store, terms) -> dict[str, int]:
        """In how many entries each of `terms` occurs (after stemming), asked of the store once per
        word and snapshot, all missing words in one call (on PostgreSQL a question's words cost
        one round trip the first time, none after)."""
        known = self._doc_counts
        missing = [t for t in dict.fromkeys(terms) if t not in known]
        if missing:
            if len(known) > MAX_CACHED_COUNTS:  # words from the open internet: bounded, not a leak
                known.clear()
            known.update(store.term_doc_counts(missing))
        return {t: known[t] for t in terms}

    def vocabulary(self, store) -> dict[str, int]:
        """Every word of the archive's titles, summaries and tags -> in how many entries it occurs.

        Built once per snapshot, on the first question that has a word the
        archive does not use (a typo candidate).
        """
        with self._vocab_lock:
            if self._vocabulary is None:
                counts: collections.Counter[str] = collections.Counter()
                for entry in store.entries():
                    counts.update(set(tokens(f"{entry.title} {entry.summary} {' '.join(entry.tags)}")))
                self._vocabulary = dict(counts)
            return self._vocabulary


def load_snapshot(store, model_name: str, dims: int, version: tuple[int, int]) -> Snapshot:
    facets = store.entry_facets()
    ids = [f[0] for f in facets]
    index = {entry_id: i for i, entry_id in enumerate(ids)}
    vec_ids, vectors = store.vectors(model_name)
    if vec_ids == ids and vectors.shape[1] == dims:
        matrix = vectors  # the usual case: every entry has a vector, same order
    else:
        matrix = np.zeros((len(ids), dims), dtype=np.float32)
        if len(vec_ids) and vectors.shape[1] == dims:
            rows = np.fromiter((index.get(i, -1) for i in vec_ids), dtype=np.int64, count=len(vec_ids))
            keep = rows >= 0
            matrix[rows[keep]] = vectors[keep]
        del vectors
    return Snapshot(
        version=version,
        ids=ids,
        index=index,
        years=np.array([f[1] for f in facets], dtype=np.int32),
        months=np.array([f[2] or 0 for f in facets], dtype=np.int32),
        days=np.array([f[3] or 0 for f in facets], dtype=np.int32),
        kinds=np.array([f[4] for f in facets], dtype=object),
        tags=[f[5] for f in facets],
        matrix=matrix,
    )
