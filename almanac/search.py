"""Hybrid search over the archive: filters from the question, BM25, embeddings, fusion.

Why hybrid: BM25 (SQLite FTS5, Porter stemming) finds names and rare words
("Magnus Skjegstad", "Jitsu") that a small embedding model scores near zero;
embeddings find meaning that shares no word with the summary. Neither alone
can tell an off-topic question from a name lookup, so "is this an answer?"
uses both: how much of the question's rare vocabulary the best entry
contains (IDF-weighted coverage) and how close it is in meaning.

A `Searcher` keeps an in-memory snapshot (ids, facets, one normalised float32
matrix) and swaps it when the store's entries or vectors change; queries are
safe from several threads (the bot and the web server call it through
`asyncio.to_thread`).
"""

from __future__ import annotations

import logging
import math
import re
import threading
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from almanac.embeddings import Embedder, document_text, embed_missing
from almanac.entry import Entry
from almanac.query import ParsedQuery, parse_query

log = logging.getLogger(__name__)

#: Lexical candidates fetched from FTS5 per query.
FTS_CANDIDATES = 200
#: Words in more than this share of entries are not sent to FTS5 (no BM25 weight, much work).
COMMON_TERM_SHARE = 0.5
#: Most missing vectors a search computes itself before answering (more are left to ingest).
EMBED_ON_SEARCH = 256
#: Most entries FTS5 is asked to score per question (see `_lexical_terms`).
FTS_ROW_BUDGET = 10_000
#: Weight of the dense cosine against BM25 normalised to the best lexical match.
DENSE_WEIGHT = 1.0
#: How much better (in coverage) an entry of another kind must match to override a kind word.
KIND_RELAX_MARGIN = 0.25
#: Hits after the first are shown only when they score at least this share of the best.
RELATIVE_FLOOR = 0.2
#: Score added per filter an entry satisfies when filters had to become boosts.
BOOST = 0.5


@dataclass
class Hit:
    entry: Entry
    score: float
    highlight: str

    def to_json(self) -> dict:
        return {**self.entry.to_json(), "score": round(float(self.score), 4), "highlight": self.highlight}


@dataclass
class SearchResult:
    query: str
    answered: bool
    filters: dict
    hits: list[Hit] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "query": self.query,
            "answered": self.answered,
            "filters": self.filters,
            "results": [h.to_json() for h in self.hits],
        }


@dataclass(frozen=True)
class _Snapshot:
    """What a searcher holds in memory for one version of the store."""

    version: tuple[int, int]
    ids: list[str]
    index: dict[str, int]
    years: np.ndarray
    months: np.ndarray  # 0 where unknown
    kinds: np.ndarray  # object array of kind names
    tags: list[tuple[str, ...]]
    matrix: np.ndarray  # (n, dims), rows normalised; zero rows where no vector


@dataclass(frozen=True)
class Thresholds:
    """When the best entry counts as an answer (tuned on tests/eval_questions.py)."""

    #: IDF-weighted share of the question's words found in the entry that answers alone.
    coverage: float = 0.6
    #: Cosine that answers alone.
    dense: float = 0.5
    #: Coverage plus cosine that answers (neither strong alone, both fair together).
    together: float = 0.75
    #: Coverage that answers when the archive uses every word of the question somewhere
    #: (off-topic questions almost always hold words the archive never uses).
    coverage_known: float = 0.4


class Searcher:
    """Answers questions from a store with one embedder; see the module docstring."""

    def __init__(
        self,
        store,
        embedder: Embedder,
        thresholds: Thresholds | None = None,
        embed_documents: Callable[[object], int] | None = None,
    ):
        """`embedder` encodes questions; `embed_documents(store)` fills in missing vectors
        (default: `embed_missing` with `embedder`)."""
        self.store = store
        self.embedder = embedder
        self.embed_documents = embed_documents or (lambda s: embed_missing(s, embedder))
        self.thresholds = thresholds or Thresholds()
        self._snapshot: _Snapshot | None = None
        self._lock = threading.Lock()

    # --- the in-memory snapshot ------------------------------------------------

    def _current(self) -> _Snapshot:
        """The snapshot for the store as it is now, reloading it if entries or vectors changed.

        While one thread reloads, others keep answering from the previous snapshot
        instead of queueing behind the reload.
        """
        version = self.store.search_version()
        snap = self._snapshot
        if snap is not None and snap.version == version:
            return snap
        if snap is not None:
            if not self._lock.acquire(blocking=False):
                return snap
        else:
            self._lock.acquire()
        try:
            snap = self._snapshot
            if snap is None or snap.version != self.store.search_version():
                snap = self._load()
                self._snapshot = snap
            return snap
        finally:
            self._lock.release()

    def _load(self) -> _Snapshot:
        # The version is read before the data (and after any embedding done here), so a
        # write that lands meanwhile leaves the snapshot looking stale: the next
        # question reloads, rather than a newer archive hiding behind an old version.
        for _ in range(3):
            version = self.store.search_version()
            missing = self.store.entries_missing_vectors_count(self.embedder.model_name)
            if 0 < missing <= EMBED_ON_SEARCH:
                # A few entries added or edited without embedding: embed them now, once.
                self.embed_documents(self.store)
                continue
            if missing:
                # Many (an `ingest --no-embed`): embedding them here would stall every
                # question for minutes. They rank on words until ingest or refresh embeds them.
                log.warning(
                    "%d entries have no %s vector yet; they are found by words only until "
                    "`almanac ingest` (or the scheduled refresh) embeds them",
                    missing, self.embedder.model_name,
                )
            break
        facets = self.store.entry_facets()
        ids = [f[0] for f in facets]
        index = {entry_id: i for i, entry_id in enumerate(ids)}
        dims = self.embedder.dims
        vec_ids, vectors = self.store.vectors(self.embedder.model_name)
        if vec_ids == ids and vectors.shape[1] == dims:
            matrix = vectors  # the usual case: every entry has a vector, same order
        else:
            matrix = np.zeros((len(ids), dims), dtype=np.float32)
            if len(vec_ids) and vectors.shape[1] == dims:
                rows = np.fromiter((index.get(i, -1) for i in vec_ids), dtype=np.int64, count=len(vec_ids))
                keep = rows >= 0
                matrix[rows[keep]] = vectors[keep]
            del vectors
        return _Snapshot(
            version=version,
            ids=ids,
            index=index,
            years=np.array([f[1] for f in facets], dtype=np.int32),
            months=np.array([f[2] or 0 for f in facets], dtype=np.int32),
            kinds=np.array([f[3] for f in facets], dtype=object),
            tags=[f[4] for f in facets],
            matrix=matrix,
        )

    # --- searching ---------------------------------------------------------------

    def search(self, query: str, limit: int = 5, kind: str | None = None, year: int | None = None) -> SearchResult:
        """The best entries for `query`, or `answered=False` and no hits when nothing is close."""
        parsed = parse_query(query, kind=kind, year=year)
        snap = self._current()
        filters = parsed.filters()
        n = len(snap.ids)
        if n == 0:
            return SearchResult(parsed.text, False, filters, [])

        mask, relaxed = self._filter_mask(snap, parsed)

        # Dense: the whole question (meaning includes the kind words).
        qvec = self.embedder.encode([parsed.text])[0]
        dense = snap.matrix @ qvec

        # Lexical: BM25 over the words left after filters were read out.
        terms = self._join_compounds(list(parsed.terms))
        weights, known, counts = self._term_weights(terms, n)
        lexical_terms = _lexical_terms(terms, counts, n)
        lexical = np.zeros(n, dtype=np.float32)
        if lexical_terms:
            for entry_id, score in self.store.fts_rank(lexical_terms, FTS_CANDIDATES):
                i = snap.index.get(entry_id)
                if i is not None:
                    lexical[i] = score

        def rank(allowed: np.ndarray, boost: np.ndarray | None) -> tuple[np.ndarray, list[int]]:
            top_lex = float(lexical[allowed].max()) if allowed.any() else 0.0
            fused = (lexical / top_lex if top_lex > 0 else lexical) + DENSE_WEIGHT * dense
            if boost is not None:
                fused = fused + BOOST * boost
            fused = np.where(allowed, fused, -np.inf)
            top = [i for i in _top(fused, max(limit, 1)) if np.isfinite(fused[i])]
            return fused, top

        score, order = rank(mask, self._filter_agreement(snap, parsed) if relaxed else None)
        if parsed.order and not terms:
            # "the most recent talk", "the earliest paper": by date, closest meaning first on ties.
            months = snap.years.astype(np.float64) * 12 + np.maximum(snap.months, 1)
            when = months if parsed.order == "newest" else -months
            by_date = np.where(mask, when + 0.01 * dense, -np.inf)
            order = [i for i in _top(by_date, max(limit, 1)) if np.isfinite(by_date[i])]
            score = np.where(mask, dense, -np.inf)
        if not order:
            return SearchResult(parsed.text, False, filters, [])

        best = order[0]
        matched = self.store.terms_matching(terms, [snap.ids[best]]) if terms else {}
        coverage = _coverage(weights, matched.get(snap.ids[best], set()))

        if parsed.kind and terms and not relaxed and coverage < 1.0:
            # A kind word may be loose ("the 1.0 release announcement" was a talk): if an
            # entry of another kind matches the question's words much better, the kind
            # becomes a boost instead of a filter.
            without_kind = ParsedQuery(parsed.text, parsed.terms, None, None, parsed.year_from, parsed.year_to, parsed.month)
            alt_mask, _ = self._filter_mask(snap, without_kind)
            alt_score, alt_order = rank(alt_mask, self._kind_agreement(snap, parsed))
            if alt_order and alt_order[0] != best:
                alt_id = snap.ids[alt_order[0]]
                alt_cov = _coverage(weights, self.store.terms_matching(terms, [alt_id]).get(alt_id, set()))
                if alt_cov >= coverage + KIND_RELAX_MARGIN:
                    score, order, best, coverage, relaxed = alt_score, alt_order, alt_order[0], alt_cov, True

        if relaxed:
            filters = {**filters, "relaxed": True}
        answered = self._is_answer(parsed, relaxed, coverage, float(dense[best]), known)
        if not answered and parsed.has_filters and not relaxed and known and lexical_terms \
                and not (lexical[mask] > 0).any():
            # "what did Anil talk about in 2015?": every word is the archive's own, but
            # none of them occurs in the entries the filters leave (the name is in other
            # titles), so the words cannot tell those entries apart: the filters answer.
            answered = True
        log.debug(
            "query %r: best %s coverage %.2f dense %.2f known %s answered %s",
            parsed.text, snap.ids[best], coverage, float(dense[best]), known, answered,
        )
        if not answered:
            return SearchResult(parsed.text, False, filters, [])

        chosen = order[:limit]
        if terms:
            # "Also relevant" means relevant: drop the tail that only filled the page.
            floor = RELATIVE_FLOOR * float(score[best])
            chosen = [i for i in chosen if i == best or score[i] >= floor]
        entries = {e.id: e for e in self.store.get_many([snap.ids[i] for i in chosen])}
        hits = []
        for i in chosen:
            entry = entries.get(snap.ids[i])
            if entry is not None:
                hits.append(Hit(entry, float(score[i]), highlight(entry.summary, terms, parsed.consumed)))
        return SearchResult(parsed.text, bool(hits), filters, hits)

    def similar(self, entry_id: str, limit: int = 5) -> list[Hit]:
        """Entries closest in meaning to `entry_id` (not itself). KeyError if unknown."""
        snap = self._current()
        i = snap.index.get(entry_id)
        if i is None:
            raise KeyError(entry_id)
        vector = snap.matrix[i]
        if not vector.any():
            entry = self.store.get(entry_id)
            if entry is None:  # removed since the snapshot was taken
                raise KeyError(entry_id)
            vector = self.embedder.encode([document_text(entry)])[0]
        scores = snap.matrix @ vector
        scores[i] = -np.inf
        order = [j for j in _top(scores, limit) if np.isfinite(scores[j])]
        entries = {e.id: e for e in self.store.get_many([snap.ids[j] for j in order])}
        return [
            Hit(entries[snap.ids[j]], float(scores[j]), first_sentence(entries[snap.ids[j]].summary))
            for j in order
            if snap.ids[j] in entries
        ]

    # --- pieces ------------------------------------------------------------------

    def _filter_mask(self, snap: _Snapshot, q: ParsedQuery) -> tuple[np.ndarray, bool]:
        """Entries passing the filters; if none pass, all entries (filters become boosts)."""
        n = len(snap.ids)
        mask = np.ones(n, dtype=bool)
        if not q.has_filters:
            return mask, False
        if q.kind:
            mask &= snap.kinds == q.kind
        if q.tag:
            mask &= np.fromiter((q.tag in t for t in snap.tags), dtype=bool, count=n)
        if q.year_from is not None:
            mask &= snap.years >= q.year_from
        if q.year_to is not None:
            mask &= snap.years <= q.year_to
        if q.month is not None:
            mask &= snap.months == q.month
        if mask.any():
            return mask, False
        return np.ones(n, dtype=bool), True

    def _filter_agreement(self, snap: _Snapshot, q: ParsedQuery) -> np.ndarray:
        """How many of the filters each entry satisfies (for boosting when filtering emptied)."""
        n = len(snap.ids)
        agree = np.zeros(n, dtype=np.float32)
        if q.kind:
            agree += snap.kinds == q.kind
        if q.year_from is not None or q.year_to is not None:
            lo = q.year_from if q.year_from is not None else -10_000
            hi = q.year_to if q.year_to is not None else 10_000
            agree += (snap.years >= lo) & (snap.years <= hi)
        if q.month is not None:
            agree += snap.months == q.month
        return agree

    def _kind_agreement(self, snap: _Snapshot, q: ParsedQuery) -> np.ndarray:
        agree = (snap.kinds == q.kind).astype(np.float32)
        if q.tag:
            agree += np.fromiter((q.tag in t for t in snap.tags), dtype=np.float32, count=len(snap.ids))
        return agree

    def _join_compounds(self, terms: list[str]) -> list[str]:
        """Adjacent words whose concatenation the archive uses are searched as that word.

        "Xen Summit" in a question then finds "XenSummit" in a summary (and "git
        hub" finds "GitHub"); a pair whose joined form the archive never uses is
        left as two words.
        """
        if len(terms) < 2:
            return terms
        counts = self.store.term_doc_counts([a + b for a, b in zip(terms, terms[1:])])
        out, i = [], 0
        while i < len(terms):
            if i + 1 < len(terms) and counts.get(terms[i] + terms[i + 1], 0) > 0:
                out.append(terms[i] + terms[i + 1])
                i += 2
            else:
                out.append(terms[i])
                i += 1
        return out

    def _term_weights(self, terms: list[str], n: int) -> tuple[dict[str, float], bool, dict[str, int]]:
        """IDF of each term (a word the archive never uses weighs the most), whether
        the archive uses every term somewhere, and each term's document count."""
        if not terms:
            return {}, False, {}
        counts = self.store.term_doc_counts(terms)
        weights = {t: math.log((n + 1) / (counts.get(t, 0) + 0.5)) for t in terms}
        return weights, all(counts.get(t, 0) > 0 for t in terms), counts

    def _is_answer(self, q: ParsedQuery, relaxed: bool, coverage: float, dense: float, known: bool) -> bool:
        """Whether the best entry answers: see `Thresholds`."""
        t = self.thresholds
        if not q.terms:
            # Only filters ("talks from February 2020") or an order ("the latest entries"):
            # an answer if they matched something.
            return (q.has_filters or q.order is not None) and not relaxed
        if known and coverage >= t.coverage_known:
            # Every word is the archive's own ("what did Anil talk about at NSDI?"): the
            # best entry need only hold a good part of them.
            return True
        return coverage >= t.coverage or dense >= t.dense or coverage + dense >= t.together


def _lexical_terms(terms: list[str], counts: dict[str, int], n: int) -> list[str]:
    """The terms worth sending to FTS5, rarest first.

    FTS5 scores every entry that holds any term, so a common word costs time
    in proportion to how common it is while adding little: a word in over half
    the entries has no BM25 weight at all (FTS5 clamps its IDF to ~0). Words
    are taken rarest first until they would make FTS5 score more than
    FTS_ROW_BUDGET entries; the rest are left to the dense side (and still
    count in coverage). On small archives nothing but the no-weight words is dropped.
    """
    chosen, rows = [], 0
    for term in sorted(terms, key=lambda t: counts.get(t, 0)):
        df = counts.get(term, 0)
        if df == 0:
            continue
        if df > n * COMMON_TERM_SHARE or (chosen and rows + df > FTS_ROW_BUDGET):
            break
        chosen.append(term)
        rows += df
    return chosen


def _top(scores: np.ndarray, k: int) -> list[int]:
    """Indexes of the k highest scores, best first."""
    k = min(k, len(scores))
    if k <= 0:
        return []
    if k < len(scores):
        part = np.argpartition(-scores, k - 1)[:k]
    else:
        part = np.arange(len(scores))
    return sorted(part.tolist(), key=lambda i: (-scores[i], i))


def _coverage(weights: dict[str, float], matched: set[str]) -> float:
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(w for t, w in weights.items() if t in matched) / total


# --- highlights -------------------------------------------------------------------

_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ers", "ies", "ied", "ed", "es", "er", "ly", "s")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_RE.split(text.strip()) if s.strip()]


def first_sentence(text: str) -> str:
    parts = sentences(text)
    return parts[0] if parts else ""


def _stem(word: str) -> str:
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def highlight(summary: str, terms: list[str], extra: tuple[str, ...] = ()) -> str:
    """The sentence of `summary` sharing the most of the question's words (else the first).

    `extra` words (the kind words read out as filters, e.g. "keynote") count half.
    """
    parts = sentences(summary)
    if not parts:
        return ""
    stems = {_stem(t) for t in terms}
    extra_stems = {_stem(t) for t in extra} - stems
    if not stems and not extra_stems:
        return parts[0]
    best, best_score = parts[0], 0.0
    for sentence in parts:
        words = {_stem(w) for w in re.findall(r"[^\W_]+", sentence)}
        score = len(stems & words) + 0.5 * len(extra_stems & words)
        if score > best_score:
            best, best_score = sentence, score
    return best
