"""Stage 2, retrieve: what each entry has in common with the question, by words and by meaning.

- meaning: the cosine of the question with every entry's whole vector (one
  matrix product), and, for the best few candidates, with each of their
  parts (title, sentences), fetched from the store;
- words: BM25 from the store's full-text index for the content words,
  rarest first within a budget (a word in over half the entries has no
  BM25 weight and costs the most), ranked from the snapshot's copy of the
  index's postings once it has one (`Snapshot.lexical_rank`);
- names: which of the entries the words found hold the whole of a name of
  several words the question writes, or its one word when that is all it
  asks and is rare in English (`name_holders`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from almanac.words import is_rare, name_terms, names_it, writes_run

#: Entries whose parts are scored per question (best by whole vector, plus the best by words).
PART_CANDIDATES = 48
#: Lexical candidates fetched from the full-text index per question.
FTS_CANDIDATES = 200
#: Words in more than this share of entries are not sent to the full-text index.
COMMON_TERM_SHARE = 0.5
#: Most entries the full-text index is asked to score per question.
FTS_ROW_BUDGET = 10_000


@dataclass
class Evidence:
    #: Cosine of the question with each entry's whole vector (0 where none).
    dense: np.ndarray
    #: BM25 of each entry for the content words (0 where no word occurs).
    lexical: np.ndarray
    #: entry index -> cosines of its parts (title first, then its sentences).
    parts: dict[int, np.ndarray] = field(default_factory=dict)
    #: entry index -> the best cosine of its whole vector or a part with the content of a
    #: described item (`Question.content`), for the same candidates as `parts`; empty otherwise.
    content: dict[int, float] = field(default_factory=dict)
    #: Entries (among those the words found) holding every word of a name of several words the
    #: question writes ("Ben Green", "Little Rock"), or its only word when rare in English
    #: ("Haslemere"): the entries that name is about.
    named: list[int] = field(default_factory=list)
    #: entry index -> its parts' vectors (title first, then its sentences), for the same candidates
    #: as `parts`: kept so that `measured_with` can score them with other question vectors.
    blocks: dict[int, np.ndarray] = field(default_factory=dict, repr=False)


def top(scores: np.ndarray, k: int) -> list[int]:
    """Indexes of the k highest finite scores, best first (ties by index)."""
    k = min(k, len(scores))
    if k <= 0:
        return []
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    part = part[np.lexsort((part, -scores[part]))]  # best first, ties by index
    return part[np.isfinite(scores[part])].tolist()


def lexical_terms(terms, counts: dict[str, int], n: int) -> list[str]:
    """The terms worth sending to the full-text index, rarest first (see FTS_ROW_BUDGET)."""
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


def name_holders(question, snap, store, found: np.ndarray) -> list[int]:
    """Which of the entries `found` by words hold a whole name of several words from the question
    (or its one word, when that is all it has and is rare in English).

    "anything he did with Ben Green?": two everyday words, so neither is rare and BM25 weighs
    them little, while the meaning of such a question is close to every profile of the person.
    A name is one thing, so the entries holding all of it are what the question is about (one
    lookup of those words in the entries found, and only when the question writes such a name).
    """
    if len(question.terms) == 1 and is_rare(question.terms[0]):
        # "anything she did in Haslemere?": one word, rare in English, is all the question asks
        # about, and a bare place or name means next to nothing to the model (its cosine with the
        # entry that holds it can fall below one that does not): the entries found hold it.
        return [int(i) for i in found]
    if (word := everyday_name(question)) and len(found):
        # "what did she publish in Science?": the one word is everyday English written as a name,
        # so the entries that hold the name are those writing it with a capital too ("Report in
        # Science with ..."), not every mention of science.
        entries = entries_of(found, snap, store)
        return as_written(question.name_runs, capitalised_holders(word, snap, entries, found), snap, store, entries)
    names = [n for n in name_terms(question.terms, question.name_runs) if len(n) > 1]
    if not names or not len(found):
        return []
    ids = [snap.ids[i] for i in found]
    held = snap.terms_matching(store, sorted(set().union(*names)), ids)
    holders = [int(i) for i, entry_id in zip(found, ids) if any(n <= held.get(entry_id, set()) for n in names)]
    return as_written(question.name_runs, holders, snap, store)


def as_written(runs: list[tuple[str, ...]], holders: list[int], snap, store, entries: dict | None = None) -> list[int]:
    """Of `holders`, those writing one of the question's names of several words (`runs`) word
    after word as the question does ("the New York Times", "The Guardian"), when any does; else
    all of them.

    Holding a name's words is not always holding the name: "a new poem ... at times ... York"
    holds new, york and times; "The Last Guardian", a game, holds Guardian written as a name.
    An entry that writes the name itself is about it more surely. When none does (the archive
    writes "Ben J. Green", or "Times of New York") the words decide, as before.
    """
    if not runs or len(holders) < 2:
        return holders
    if entries is None:
        entries = entries_of(holders, snap, store)
    exact = [i for i in holders if (e := entries.get(snap.ids[i])) is not None
             and writes_run(f"{e.title} | {e.summary} | {' '.join(e.tags)}", runs)]
    return exact or holders


def everyday_name(question) -> str | None:
    """The question's one content word when it is everyday English written as a name ("Science",
    "Nature", "Chicago"), else None: such a word is held only by entries that write it as a name
    (`almanac.words.names_it`), in ranking (`name_holders`) and in the decision (`Searcher`)."""
    if len(question.terms) == 1 and question.terms[0] in question.parsed.names and not is_rare(question.terms[0]):
        return question.terms[0]
    return None


def entries_of(numbers, snap, store) -> dict:
    """Entry id -> entry, for the snapshot's entries `numbers` (one read of the store), as the
    snapshot knows them: one changed since it was taken is left out until the next one."""
    return {e.id: e for e in store.get_many([snap.ids[i] for i in numbers], as_of=snap.content_hashes(numbers))}


def capitalised_holders(word: str, snap, entries: dict, found: np.ndarray) -> list[int]:
    """Which of the entries `found` (`entries`: them by id) write `word` as a name (`almanac.words.names_it`)
    or are tagged with it: a tag is the owner's own word for what the entry is about, and tags are
    written in lower case whatever they name ("ted" on a talk given at TEDGlobal)."""
    return [int(i) for i in found if (e := entries.get(snap.ids[i])) is not None
            and (names_it(e.title, e.summary, word) or word in (t.lower() for t in e.tags))]


def retrieve(question, snap, store, qvec: np.ndarray, allowed: np.ndarray, parts_model: str | None,
             content_vec: np.ndarray | None = None) -> Evidence:
    """The evidence for one question; parts are scored for the PART_CANDIDATES best entries by
    meaning and a quarter as many by words, with the question and with `content_vec` (the
    vector of `question.content`) when there is one."""
    n = len(snap)
    dense = snap.matrix @ qvec
    lexical = np.zeros(n, dtype=np.float32)
    words = lexical_terms(question.terms, question.doc_counts, n)
    if words:
        found, scores = snap.lexical_rank(store, words, FTS_CANDIDATES)
        lexical[found] = scores
    hits = np.flatnonzero(lexical)  # the entries the full-text index returned: a few hundred at most
    evidence = Evidence(dense=dense, lexical=lexical, named=name_holders(question, snap, store, hits))
    if parts_model:
        by_words = hits[allowed[hits]] if not allowed.all() else hits
        by_words = by_words[np.argsort(-lexical[by_words], kind="stable")[: PART_CANDIDATES // 4]].tolist()
        fetch_parts(evidence, [*best_by_meaning(dense, allowed), *by_words], snap, store, parts_model)
        _score_parts(evidence, snap, qvec, content_vec)
    return evidence


def best_by_meaning(dense: np.ndarray, allowed: np.ndarray) -> list[int]:
    """The PART_CANDIDATES entries of `allowed` nearest the question by their whole vectors."""
    return top(dense if allowed.all() else np.where(allowed, dense, -np.inf), PART_CANDIDATES)


def fetch_parts(evidence: Evidence, candidates: list[int], snap, store, parts_model: str) -> None:
    """Adds the parts' vectors of those `candidates` the evidence has none of yet (one read)."""
    wanted = list(dict.fromkeys(i for i in candidates if i not in evidence.blocks))
    if not wanted:
        return
    blocks = store.vector_blocks(parts_model, snap.content_hashes(wanted))
    for i in wanted:
        block = blocks.get(snap.ids[i])
        if block is not None and block.shape[1] == snap.matrix.shape[1]:
            evidence.blocks[i] = block


def measured_with(evidence: Evidence, snap, store, qvec: np.ndarray, allowed: np.ndarray,
                  parts_model: str | None, content_vec: np.ndarray | None = None,
                  dense: np.ndarray | None = None) -> Evidence:
    """The same question's evidence with its meaning measured by other vectors of it (the adapted
    ones, `almanac.search.adapter`): the words found stay; every cosine is `qvec`'s (and
    `content_vec`'s; `dense`: `qvec`'s with every entry, when computed another way), and the
    entries nearest `qvec` have their parts fetched too."""
    out = Evidence(dense=snap.matrix @ qvec if dense is None else dense, lexical=evidence.lexical,
                   named=evidence.named, blocks=dict(evidence.blocks))
    if parts_model:
        fetch_parts(out, best_by_meaning(out.dense, allowed), snap, store, parts_model)
        _score_parts(out, snap, qvec, content_vec)
    return out


def _score_parts(evidence: Evidence, snap, qvec: np.ndarray, content_vec: np.ndarray | None) -> None:
    for i, block in evidence.blocks.items():
        evidence.parts[i] = block @ qvec
        if content_vec is not None:
            evidence.content[i] = max(float((block @ content_vec).max()), float(snap.matrix[i] @ content_vec))
