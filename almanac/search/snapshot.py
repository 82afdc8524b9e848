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

The full text is ranked from the store's postings held here
(`almanac.search.lexical`), read on the snapshot's second question that has
words to rank: a process that answers one question (`almanac ask`) lets the
store rank it, rather than read every posting (0.3 s at 10,000 entries, a
few seconds and 30 to 40 MB at 100,000) to save a few milliseconds once.
While one thread reads them, the others keep asking the store.
"""

from __future__ import annotations

import collections
import logging
import threading
from dataclasses import dataclass, field

import numpy as np

from almanac.entry import SHOW, SHOW_KINDS
from almanac.search.lexical import LexicalIndex
from almanac.words import by_undoubled, tokens

log = logging.getLogger(__name__)

#: Most word counts a snapshot keeps (a few MB); past it the cache starts again.
MAX_CACHED_COUNTS = 50_000
#: Most kind and tag masks a snapshot keeps (kinds and tags are a handful; this only bounds it).
MAX_CACHED_MASKS = 64
#: The question (counting those with words to rank) on which a snapshot reads the store's postings.
LEXICAL_INDEX_ON_QUESTION = 2
#: When an archive is about "he" or "she" (`Snapshot.pronoun`): at least this many entries say the
#: pronoun, and this many times as many as say the other. Chosen before measuring: a clear majority.
PRONOUN_ENTRIES, PRONOUN_RATIO = 3, 3
#: What a snapshot holds when its store keeps no postings in memory (PostgreSQL ranks per question).
NO_INDEX = "none"


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
    #: Each entry's content hash (ASCII bytes: 3 MB at 100,000 entries, not 8 as str objects): what
    #: its part vectors must have been computed from (`content_hashes`).
    hashes: np.ndarray
    _vocabulary: dict[str, int] | None = field(default=None, repr=False)
    _undoubled: dict[str, str] | None = field(default=None, repr=False)
    _ordered: list[str] | None = field(default=None, repr=False)
    _frequent: tuple[int, list[str]] | None = field(default=None, repr=False)
    _people: tuple[str, ...] | None = field(default=None, repr=False)
    _vocab_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _doc_counts: dict[str, int] = field(default_factory=dict, repr=False)
    _lexical: LexicalIndex | str | None = field(default=None, repr=False)
    _lexical_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _lexical_asks: int = field(default=0, repr=False)
    _masks: dict[tuple[str, str], np.ndarray] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    def date_keys(self) -> np.ndarray:
        """Months since year 0 (the 1st month when only the year is known), for sorting by date."""
        return self.years.astype(np.int64) * 12 + np.maximum(self.months, 1)

    def sort_keys(self) -> np.ndarray:
        """Days since year 0, roughly, on the first day each entry may be from (the 1st when the day
        or month is unknown): what a period's bounds are compared with ("the latest before was ...",
        `almanac.search.present.empty_filter_note`)."""
        return self.date_keys() * 32 + np.maximum(self.days, 1)

    def order_keys(self) -> np.ndarray:
        """Days since year 0, roughly, for putting entries in date order ("the latest", "oldest
        first", a listing), an unknown month or day taken as the middle of what is known: an entry
        known only to 2023 sorts in mid-June 2023, one known only to May 2021 on the 16th.

        Why the middle: on the first day of its period (`sort_keys`), an entry known only to the year
        was older than every other entry of that year and "his most recent talk" skipped it for one
        from March. Which it really is, nobody can say; the middle is the guess that is wrong by
        least. On the 411 archives then kept unseen it put 15 right answers first that the first day
        did not and lost 9 (R@1 19,972 → 19,978; the eighteen 693 → 692: a podcast known only to
        2025 taken for newer than one of 4 June 2025); the last possible day for "the latest" and
        the first for "the first" instead: 19,964."""
        months = np.where(self.months > 0, self.months, 6)
        days = np.where(self.days > 0, self.days, 16)
        return (self.years.astype(np.int64) * 12 + months) * 32 + days

    def content_hashes(self, numbers: list[int]) -> dict[str, str]:
        """Entry id -> content hash of entries `numbers`, as the store's `vector_blocks` takes them."""
        return {self.ids[i]: self.hashes[i].decode("ascii") for i in numbers}

    def kind_mask(self, kind: str) -> np.ndarray:
        """Which entries are of `kind` (read-only; computed once per snapshot and kind). A show
        (`almanac.entry.SHOW`) is a podcast or a video."""
        if kind == SHOW:
            return self._mask(("kind", kind), lambda: np.isin(self.kinds, SHOW_KINDS))
        return self._mask(("kind", kind), lambda: self.kinds == kind)

    def tag_mask(self, tag: str) -> np.ndarray:
        """Which entries carry `tag` (read-only; once per snapshot and tag: a loop over every entry's
        tags, 10 ms at 100,000 entries, that questions naming a keynote or lecture paid each time)."""
        return self._mask(("tag", tag), lambda: np.fromiter((tag in t for t in self.tags), dtype=bool, count=len(self)))

    def _mask(self, key: tuple[str, str], build) -> np.ndarray:
        mask = self._masks.get(key)
        if mask is None:
            mask = build()
            mask.flags.writeable = False
            if len(self._masks) < MAX_CACHED_MASKS:
                self._masks[key] = mask
        return mask

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

    def pronoun(self, store) -> str | None:
        """"he" or "she": the pronoun the archive's entries use for the person they are about, when
        at least PRONOUN_ENTRIES entries say it and PRONOUN_RATIO times as many as say the other;
        None for an archive written in the first person or about several people."""
        counts = self.doc_counts(store, ["he", "she"])
        for one, other in (("he", "she"), ("she", "he")):
            if counts[one] >= PRONOUN_ENTRIES and counts[one] >= PRONOUN_RATIO * counts[other]:
                return one
        return None

    def person_names(self, store, configured: tuple[str, ...] = ()) -> tuple[str, ...]:
        """The archive's person's names (`almanac.person`): those `configured` (the `[site]
        author`) and those its sources say (`Store.people`, read once per snapshot)."""
        if self._people is None:
            self._people = tuple(store.people())
        return (*configured, *self._people)

    def lexical_index(self, store, build: bool = True) -> LexicalIndex | None:
        """The postings index, read now if this is the snapshot's LEXICAL_INDEX_ON_QUESTION-th question
        with words (`build`); None until then, while another thread reads it, or if the store keeps none."""
        index = self._lexical
        if index is not None or not build:
            return index if isinstance(index, LexicalIndex) else None
        self._lexical_asks += 1
        if self._lexical_asks < LEXICAL_INDEX_ON_QUESTION or not self._lexical_lock.acquire(blocking=False):
            return None
        try:
            if self._lexical is None:
                try:
                    postings = store.fulltext_postings(self.index)
                except Exception as exc:  # an optimisation only: never fail a question over it
                    log.warning("cannot read the full-text postings (%s); the store ranks words instead", exc)
                    postings = None
                self._lexical = NO_INDEX if postings is None else LexicalIndex(postings, len(self.ids))
        finally:
            self._lexical_lock.release()
        return self._lexical if isinstance(self._lexical, LexicalIndex) else None

    def lexical_rank(self, store, words: list[str], limit: int) -> tuple[np.ndarray, np.ndarray]:
        """(entry numbers, BM25) of the best `limit` entries for `words` (any of them), as the store's
        `fts_rank` ranks them: from the postings index when there is one, else by the store."""
        index = self.lexical_index(store)
        ranked = index.rank(store, words, limit) if index is not None else None
        if ranked is not None:
            return ranked
        found = [(self.index[entry_id], score) for entry_id, score in store.fts_rank(words, limit)
                 if entry_id in self.index]
        return (np.array([i for i, _ in found], dtype=np.int64), np.array([s for _, s in found], dtype=np.float64))

    def terms_matching(self, store, terms: list[str], ids: list[str]) -> dict[str, set[str]]:
        """As `store.terms_matching`: which of `terms` each of `ids` (entries of this snapshot) holds,
        from the postings index once it has been read."""
        index = self.lexical_index(store, build=False)
        if index is not None:
            found = index.matching(store, terms, ids, [self.index[i] for i in ids])
            if found is not None:
                return found
        return store.terms_matching(terms, ids)

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

    def undoubled(self, store) -> dict[str, str]:
        """The vocabulary's words by their form with doubled letters written once
        (`almanac.words.by_undoubled`), for typo correction: built once per snapshot, as a pass
        over 200,000 words takes ~0.4 s."""
        vocabulary = self.vocabulary(store)
        with self._vocab_lock:
            if self._undoubled is None:
                self._undoubled = by_undoubled(vocabulary)
            return self._undoubled

    def ordered_vocabulary(self, store) -> list[str]:
        """The vocabulary's words in sorted order, for finding the words that begin with a clipped one
        (`almanac.search.understand.clipped`) by bisection: built once per snapshot, as scanning
        200,000 words for each question takes ~15 ms."""
        vocabulary = self.vocabulary(store)
        with self._vocab_lock:
            if self._ordered is None:
                self._ordered = sorted(vocabulary)
            return self._ordered

    def frequent_words(self, store, min_entries: int) -> list[str]:
        """The vocabulary's words held by at least `min_entries` entries (the archive's own name,
        show and field words), for reading a variant of one (`almanac.search.understand.
        name_variants`): kept per snapshot, as picking them from 200,000 words takes ~10 ms."""
        vocabulary = self.vocabulary(store)
        with self._vocab_lock:
            if self._frequent is None or self._frequent[0] != min_entries:
                self._frequent = (min_entries, [w for w, n in vocabulary.items() if n >= min_entries])
            return self._frequent[1]


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
        hashes=np.array([f[6] for f in facets], dtype="S"),
    )
