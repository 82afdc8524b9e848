"""The search pipeline: understand -> retrieve -> fuse -> decide -> present.

Why hybrid: the full-text index (BM25, Porter stemming) finds names and rare
words ("Magnus Skjegstad", "Jitsu") that a small embedding model scores near
zero; embeddings find meaning that shares no word with the summary. Each
stage is a module of its own, small and tested alone; `Searcher.search` only
runs them in order.

A `Searcher` keeps an in-memory snapshot (ids, facets, one normalised
float32 matrix) and swaps it when the store's entries or vectors change;
queries are safe from several threads (the bot and the web server call it
through `asyncio.to_thread`).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from almanac.embeddings import Embedder, document_text, embed_missing, missing_count, parts_model
from almanac.entry import Entry
from almanac.search.adapter import QuestionAdapter, load_adapter
from almanac.search.decide import DEFAULT_MODEL, DecisionModel, decide, signals
from almanac.search.fuse import FusionWeights, fuse
from almanac.search.present import by_date, empty_filter_note, highlight
from almanac.search.retrieve import entries_of, everyday_name, measured_with, retrieve, top
from almanac.search.snapshot import Snapshot, load_snapshot
from almanac.search.understand import understand
from almanac.store.database import out_of_reach, reason_of
from almanac.text import first_sentence
from almanac.words import asks_for_listing

log = logging.getLogger(__name__)

#: Most missing vectors a searcher computes itself (more are left to ingest): before its first
#: answer, and in a long-running process in the background (`Searcher._embed_later`).
EMBED_ON_SEARCH = 256
#: Seconds a long-running searcher waits before embedding what another process just wrote
#: without vectors: the ingest that wrote them is usually embedding them itself (a cron ingest
#: beside `almanac serve` embedded the same 200 entries twice, on two cores).
EMBED_GRACE_SECONDS = 30.0
#: Default probability at or above which the best entry counts as an answer.
DEFAULT_STRICTNESS = 0.55
#: An ordered answer ("the first paper on unikernels") sorts by date the entries scoring within this
#: share of the best. Over the ten evaluation questions with an order and words to rank by (six on the
#: eighteen archives, four on those kept unseen), 0.2 to 0.35 answer the same nine right first; 0.4
#: also finds one more (a maiden speech scoring 0.61 of the best), 0.5 finds it but loses two others,
#: 0.15 and 0.1 lose one and two. Without that one archive 0.2 to 0.4 tie, and a tie keeps this value.
ORDER_RELEVANCE = 0.25
#: How many of the best-ranked entries an ordered question naming something ("the latest on
#: MirageOS") takes as relevant when they hold the name, however they rank. It was four times the
#: page asked for, so `--limit 1` and the default five answered the same question differently
#: (the review of December 2026); forty is what the evaluation measured (its questions ask for ten).
ORDER_NAMED_POOL = 40


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
    #: How many entries answer (a listing may hold more than the page shows).
    total: int = 0
    #: A sentence for the reader when there is no answer or a listing is partial.
    note: str | None = None
    #: The decision's signals and why it answered or refused (`ask --explain`).
    explain: dict | None = None

    def to_json(self, explain: bool = False) -> dict:
        """The answer as `almanac ask --json` and `/api/search` give it (`explain`: with the signals)."""
        out = {
            "query": self.query,
            "answered": self.answered,
            "filters": self.filters,
            "total": self.total,
            "note": self.note,
            "results": [h.to_json() for h in self.hits],
        }
        if explain and self.explain is not None:
            out["explain"] = self.explain
        return out


class Standout:
    """How far an entry's cosine stands above the next nine, in standard deviations of all cosines.

    The spread and the eleven best cosines are found once per question (O(n)),
    so judging several hits costs no more sorting.
    """

    def __init__(self, pooled: np.ndarray, allowed: np.ndarray):
        self.pooled = pooled
        idx = np.flatnonzero(allowed)
        values = pooled[idx]
        self.usable = len(values) >= 3
        self.spread = float(values.std()) or 1.0 if self.usable else 1.0
        k = min(11, len(values))
        best = idx[np.argpartition(-values, k - 1)[:k]] if k else idx
        self.best = sorted(best.tolist(), key=lambda i: -pooled[i])

    def standout(self, i: int) -> float:
        if not self.usable:
            return 0.0
        others = [self.pooled[j] for j in self.best if j != i][:9]
        return (float(self.pooled[i]) - float(np.mean(others))) / self.spread


#: The note for a question without a letter or a digit in it.
NO_WORDS_NOTE = "The question has no words to search for; ask about a topic, a name, a kind or a date."
#: The note for a question of glue and chat words alone ("hi", "thanks!", "who is he?").
NOTHING_ASKED_NOTE = ("The question names nothing to look for; ask about a topic, a name, a kind or a date, "
                      "or “what's in the archive?” for the newest entries.")


def utc_today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


class Searcher:
    """Answers questions from a store with one embedder; see the module docstring."""

    def __init__(
        self,
        store,
        embedder: Embedder,
        embed_documents: Callable[[object], int] | None = None,
        strictness: float = DEFAULT_STRICTNESS,
        weights: FusionWeights | None = None,
        model: DecisionModel | None = None,
        today: Callable[[], dt.date] = utc_today,
        use_parts: bool = True,
        person: str = "",
        adapter: QuestionAdapter | None | str = "shipped",
    ):
        """`embedder` encodes questions; `embed_documents(store)` fills in missing vectors
        (default: `embed_missing` with `embedder`); `today()` anchors "last year"; `person`: whose
        archive it is (`[site] author`), beside the names its sources say (`almanac.person`).
        `adapter`: the map that moves question vectors towards how entries are written
        (`almanac.search.adapter`): by default the one shipped for `embedder`'s model, if any;
        None leaves questions as the model encodes them."""
        self.store = store
        self.embedder = embedder
        self.embed_documents = embed_documents or (lambda s: embed_missing(s, embedder))
        self.strictness = strictness
        self.weights = weights or FusionWeights()
        self.model = model or DEFAULT_MODEL
        self.today = today
        self.use_parts = use_parts
        self.people = (person,) if person.strip() else ()
        self.adapter = load_adapter(embedder.model_name) if adapter == "shipped" else adapter
        self._snapshot: Snapshot | None = None
        #: (snapshot, its matrix @ adapter.v.T): `QuestionAdapter.moved_cosines`.
        self._projection: tuple[Snapshot, np.ndarray] | None = None
        self._lock = threading.Lock()
        self._embedding: threading.Thread | None = None

    # --- the in-memory snapshot ------------------------------------------------

    def _projected(self, snap: Snapshot) -> np.ndarray:
        """`snap`'s matrix projected on the adapter's directions, computed once per snapshot (a
        tuple assigned whole, so a thread racing another computes it twice at worst)."""
        held = self._projection
        if held is None or held[0] is not snap:
            held = (snap, snap.matrix @ self.adapter.v.T)
            self._projection = held
        return held[1]

    def _current(self) -> Snapshot:
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
                snap = self._load(first=snap is None)
                self._snapshot = snap
            return snap
        finally:
            self._lock.release()

    def _load(self, first: bool = True) -> Snapshot:
        # The version is read before the data (and after any embedding done here), so a
        # write that lands meanwhile leaves the snapshot looking stale: the next
        # question reloads, rather than a newer archive hiding behind an old version.
        for _ in range(3):
            version = self.store.search_version()
            missing = missing_count(self.store, self.embedder.model_name)
            if 0 < missing <= EMBED_ON_SEARCH:
                # A few entries added or edited without embedding. Before the first answer (a
                # one-shot `almanac ask`), embed them now. In a process already answering, the
                # question that noticed them must not wait for it (200 entries kept one waiting
                # 48 s): they rank on words until a thread of their own embeds them.
                if not first:
                    self._embed_later()
                    break
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
        return load_snapshot(self.store, self.embedder.model_name, self.embedder.dims, version)

    def _embed_later(self) -> None:
        """Embed missing vectors in a thread, one such thread at a time, after EMBED_GRACE_SECONDS
        (the ingest that wrote the entries is usually embedding them). Its writes change the
        store's search version, so the next question reloads with them."""
        if self._embedding is not None and self._embedding.is_alive():
            return

        def embed() -> None:
            time.sleep(EMBED_GRACE_SECONDS)
            try:
                if 0 < missing_count(self.store, self.embedder.model_name) <= EMBED_ON_SEARCH:
                    self.embed_documents(self.store)
            except Exception as exc:
                if out_of_reach(exc):
                    # The store closed while the thread waited (the process stopping) or the database
                    # is gone: no fault of the embedding, and the next reload tries again. One line,
                    # as the scheduler and the server log an outage, not a traceback.
                    log.warning("embedding the entries without vectors skipped: %s", reason_of(exc))
                else:
                    log.exception("embedding the entries without vectors failed")

        self._embedding = threading.Thread(target=embed, name="almanac-embed", daemon=True)
        self._embedding.start()

    # --- searching ---------------------------------------------------------------

    def understand(self, query: str, kind: str | None = None, year: int | None = None):
        """The first stage alone: what `search` reads `query` as, and so the texts it will embed
        (`Question.to_encode`); the evaluation embeds many questions' texts in one batch with it."""
        return understand(query, self.store, self._current(), kind, year, self.today(), people=self.people)

    def search(self, query: str, limit: int = 5, kind: str | None = None, year: int | None = None) -> SearchResult:
        """The best entries for `query`, or `answered=False` (no hits, a `note`) when nothing is close."""
        snap = self._current()
        question = understand(query, self.store, snap, kind, year, self.today(), people=self.people)
        parsed = question.parsed
        if parsed.count:  # "the last 3 talks": no more than that many
            limit = min(limit, parsed.count)
        filters = parsed.filters()
        if question.corrected:
            filters["corrected"] = dict(question.corrected)
        if question.person_named:  # read as whose work is asked about, not as words to find
            filters["person"] = list(question.person_named)
        if len(snap) == 0:
            return SearchResult(parsed.text, False, filters)

        kind_mask = self._kind_mask(snap, parsed)
        dated = self._date_mask(snap, parsed)
        # Dates a description names only prefer their entries (`ParsedQuery.date_strict`): `fuse`.
        allowed = kind_mask & dated if parsed.date_strict else kind_mask
        if parsed.has_filters and not allowed.any():
            titles = {e.id: e.title for e in self.store.get_many(
                [snap.ids[i] for i in np.flatnonzero(kind_mask)][:10_000])}
            note = empty_filter_note(snap, parsed, kind_mask, titles)
            return SearchResult(parsed.text, False, filters, note=note,
                                explain={"reason": "refuses: the filters select no entry"})
        if not question.terms:
            if not (parsed.has_filters or parsed.order or parsed.count):
                # "?", a lone quote, an invisible character, "hi", "thanks!": nothing was asked, so
                # nothing answers (not a listing of the whole archive, as a question that only
                # filters gets, or one that asks for it: "what's in the archive?").
                if not any(c.isalnum() for c in query):
                    return SearchResult(parsed.text, False, filters, note=NO_WORDS_NOTE,
                                        explain={"reason": "refuses: the question has no words"})
                if not asks_for_listing(query):
                    return SearchResult(parsed.text, False, filters, note=NOTHING_ASKED_NOTE,
                                        explain={"reason": "refuses: the question names nothing to look for"})
            return self._listing(snap, parsed, allowed, filters, limit)

        # A description's content is encoded on its own, in the same call: a second pass, 5 ms of
        # a 16 ms question at 10,000 entries (bench/search.py `describing_p50_ms`). Pooling its
        # tokens out of the question's one pass costs nothing but tells answers from unrelated
        # descriptions a little worse (leave-one-archive-out over twelve collections: R@1 0.931
        # against 0.933, two more near-field questions answered).
        vectors = self.embedder.encode(question.to_encode)
        qvec, content_vec = vectors[0], (vectors[1] if len(vectors) > 1 else None)
        # Whether the archive answers is decided on the model's own ranking, the cosines the
        # decision was calibrated on; which entry answers, on the adapted one's
        # (`almanac.search.adapter`), which ranks right first more often but, judged, would move
        # the line between answering and refusing (see that module).
        model = parts_model(self.embedder.model_name) if self.use_parts else None
        evidence = retrieve(question, snap, self.store, qvec, allowed, model, content_vec)
        score, pooled = fuse(evidence, snap, parsed, allowed, self.weights, dated)
        judged = top(score, 1)
        shown, ranked_score = evidence, score
        if self.adapter is not None and judged:
            moved = self.adapter.apply(vectors)
            shown = measured_with(evidence, snap, self.store, moved[0], allowed, model,
                                  moved[1] if len(moved) > 1 else None,
                                  dense=self.adapter.moved_cosines(evidence.dense, self._projected(snap), qvec))
            ranked_score, _ = fuse(shown, snap, parsed, allowed, self.weights, dated)
        # More candidates than shown: those that are not relevant enough are skipped (see below).
        order = top(ranked_score, max(limit, 1) * 4 if not parsed.order else len(snap))
        if not order:
            return SearchResult(parsed.text, False, filters)
        best = order[0]
        candidates = order
        seen: dict[int, set[str]] = {}
        # "what did she publish in Science?": only the entries writing it as a name hold that word.
        name_word = everyday_name(question)
        naming = set(evidence.named) if name_word else set()

        def matched(i: int) -> set[str]:
            """The question's words entry `i` holds: asked for the likely hits together, then as needed."""
            if i not in seen:
                batch = [j for j in [i, *candidates[: max(limit, 1) * 2]] if j not in seen]
                found = snap.terms_matching(self.store, list(question.terms), [snap.ids[j] for j in batch])
                seen.update({j: found.get(snap.ids[j], set()) for j in batch})
            return seen[i] - {name_word} if name_word and i not in naming else seen[i]

        spread = Standout(pooled, allowed)

        def judge(i: int):
            parts = evidence.parts.get(i)
            sentence = float(parts.max()) if parts is not None and len(parts) else float(evidence.dense[i])
            values = signals(question, matched(i), float(pooled[i]), sentence, spread.standout(i),
                             embedded=bool(snap.matrix[i].any()), content=evidence.content.get(i),
                             year=int(snap.years[i]) or None)
            return decide(values, self.model, self.strictness)

        decision = judge(judged[0])
        explain = {**decision.to_json(), "best": snap.ids[best], "terms": list(question.terms)}
        if judged[0] != best:
            explain["judged"] = snap.ids[judged[0]]
        log.debug("query %r: %s", parsed.text, explain)
        if not decision.answered:
            return SearchResult(parsed.text, False, filters, explain=explain)
        if parsed.order:
            # "the first paper on unikernels": the relevant ones, then by date. A name in the question
            # makes each of the likely hits holding it relevant however it ranks ("the first TED
            # talk": the one naming TED only in a tag ranks below one saying "TED" three times).
            names = [t for t in question.terms if t in parsed.names]
            likely = set(order[:ORDER_NAMED_POOL]) if names else set()
            relevant = [i for i in order if ranked_score[i] >= ranked_score[best] - ORDER_RELEVANCE * abs(ranked_score[best])
                        or i in likely and matched(i).issuperset(names)]
            keys = snap.order_keys()
            chosen = sorted(relevant, key=lambda i: (-keys[i] if parsed.order == "newest" else keys[i]))[:limit]
        else:
            # "Also relevant" must mean it. When a name or a rare word found the answer, further
            # hits are those holding the question's words; otherwise each is judged as the answer was.
            by_words = decision.signals["rare_hit"] > 0 and decision.signals["coverage"] >= 0.5

            def relevant(i: int) -> bool:
                if by_words:
                    return bool(matched(i))
                return judge(i).answered

            chosen = [best]
            for i in order[1:]:
                if len(chosen) >= limit:
                    break
                if relevant(i):
                    chosen.append(i)
        entries = entries_of(chosen, snap, self.store)
        hits = []
        for i in chosen:
            entry = entries.get(snap.ids[i])
            if entry is not None:
                text = highlight(entry.summary, question.terms, parsed.consumed, shown.parts.get(i))
                hits.append(Hit(entry, float(ranked_score[i]), text))
        return SearchResult(parsed.text, bool(hits), filters, hits, total=len(hits), explain=explain)

    def _listing(self, snap: Snapshot, parsed, allowed: np.ndarray, filters: dict, limit: int) -> SearchResult:
        """Every entry the filters select (all entries when there are none), by date."""
        order = by_date(snap, allowed, newest_first=parsed.order != "oldest", exact_first=parsed.day is not None)
        total = len(order)
        chosen = order[:limit]
        entries = entries_of(chosen, snap, self.store)
        hits = [Hit(entries[snap.ids[i]], 1.0, first_sentence(entries[snap.ids[i]].summary))
                for i in chosen if snap.ids[i] in entries]
        note = None
        if total > len(hits) and not parsed.order:
            note = f"{total} entries match; showing the newest {len(hits)}."
        explain = {"reason": f"answers: the question only filters and {total} entries match"}
        return SearchResult(parsed.text, bool(hits), filters, hits, total=total, note=note, explain=explain)

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
        order = top(scores, limit)
        entries = entries_of(order, snap, self.store)
        return [
            Hit(entries[snap.ids[j]], float(scores[j]), first_sentence(entries[snap.ids[j]].summary))
            for j in order
            if snap.ids[j] in entries
        ]

    def related_table(self, limit: int) -> dict[str, list[str]]:
        """Every entry's `limit` closest in meaning (not itself, best first, ties by position), by id:
        `similar` for the whole archive at once, as a site build asks.

        One `similar` per entry is a matrix-vector product and a read of the store each: a build
        of 100,000 entries' pages spent 11 minutes there (the scale review). Here the products
        are matrix-matrix, a block of rows at a time (each block's scores at most 16 MB), and
        only ids are returned (the build has the entries). An entry without a vector yet gets none.
        """
        snap = self._current()
        matrix, n = snap.matrix, len(snap)
        k = min(limit, n - 1)
        if k <= 0:
            return {ident: [] for ident in snap.ids}
        table: dict[str, list[str]] = {}
        block = max(1, min(1024, (4 << 20) // n))
        for start in range(0, n, block):
            rows = matrix[start : start + block]
            scores = rows @ matrix.T
            scores[np.arange(len(rows)), np.arange(start, start + len(rows))] = -np.inf
            best = np.argpartition(scores, n - k, axis=1)[:, n - k :]
            for r, row in enumerate(best):
                if not rows[r].any():
                    table[snap.ids[start + r]] = []
                    continue
                row = row[np.lexsort((row, -scores[r, row]))]  # as `top` orders them
                table[snap.ids[start + r]] = [snap.ids[j] for j in row if np.isfinite(scores[r, j])]
        return table

    # --- filters -------------------------------------------------------------------

    @staticmethod
    def _kind_mask(snap: Snapshot, parsed) -> np.ndarray:
        n = len(snap)
        if not (parsed.kind and parsed.kind_strict):
            return np.ones(n, dtype=bool)
        mask = np.zeros(len(snap), dtype=bool)
        for kind, tag in parsed.kinds_asked:  # "papers and talks": either
            mask |= snap.kind_mask(kind) & snap.tag_mask(tag) if tag else snap.kind_mask(kind)
        return mask

    @staticmethod
    def _date_mask(snap: Snapshot, parsed) -> np.ndarray:
        mask = np.ones(len(snap), dtype=bool)
        if parsed.year_from is not None:
            mask &= snap.years >= parsed.year_from
        if parsed.year_to is not None:
            mask &= snap.years <= parsed.year_to
        if parsed.years:
            mask &= np.isin(snap.years, parsed.years)
        if parsed.months:
            mask &= np.isin(snap.months, list(parsed.months))
        if parsed.day is not None:
            # An entry dated only to the month may be from that day too: it stays in.
            mask &= (snap.days == parsed.day) | (snap.days == 0)
        if parsed.span is not None:
            keys = snap.date_keys() - 1  # year * 12 + month - 1
            lo, hi = parsed.span
            dated_to_month = (snap.months > 0) & (keys >= lo) & (keys <= hi)
            # An entry known only to its year is in when its year begins inside the span.
            january = snap.years.astype(np.int64) * 12
            dated_to_year = (snap.months == 0) & (january >= lo) & (january <= hi)
            mask &= dated_to_month | dated_to_year
        return mask
