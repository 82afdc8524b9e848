"""Stage 3, fuse: one score per entry from meaning, words and a described kind.

score = pooled cosine + lexical * BM25 / best BM25 + kind * (entry is of the kind described)
        + name * (entry holds a whole name of several words the question writes)

The pooled cosine mixes the whole entry's cosine with its best part's
(`parts` share): a question about one sentence of a long summary scores
like that sentence. The best part's cosine gives up a share (`second`) of
its lead over the second best part: a description of an entry usually
recalls more than one thing it says ("the radio chat about her new book
where she brought up a famous cellist"), while an entry that matches only
by one stray sentence is less likely the one meant. Leave-one-archive-out
over ten collections, `second` 0.25 against 0 (everything else as
chosen): R@1 0.919 -> 0.928 micro-averaged over 430 questions, better on
five archives and one question worse on two.

The weights are the best on all evaluation archives together
(`bench/search.py --fit`), unless the shipped ones rank within about one
question of them (`tests.eval.harness.MIN_GAIN`); each archive's reported
figures come from weights chosen without it. With ten collections, pooling half of
the best part in (`parts` 0.5) with words at 0.2 ranks best overall, and
leave-one-archive-out chooses both for all ten. With sixteen, a described
kind ("the podcast where...") adds 0.1, not 0.25: leave-one-archive-out
chooses 0.1 for 13 of the 16 (0.25 for chef, goodall and rbg), and for 15
of 18 once a biochemist's and a politician's archives joined. Since years
that name events stopped filtering, 0.25 ranks better over all eighteen by
less than one question's worth (16.595 against 16.581), and 0.1 stays
(chosen without them for 16 of 18; 0.25 for goodall and rbg).

`name` is set, not fitted: a name of several everyday words ("Ben Green",
"Little Rock") gets little BM25, and without it the question's other words
decide ("anything he did with ..." is close to every profile of the
person). Over sixteen collections it changes one question's first answer,
to the right entry. The same quarter goes to the entries holding a
question's only content word when it is rare in English ("anything she did
in Haslemere?"): a bare place or name means next to nothing to the model.
Over eighteen collections that moves no question; on a new archive (a
mathematician and broadcaster) it put the one entry naming the town first.

Measured and left out (December 2026; first answers ranked right with the
shipped weights, refusal off, on the eighteen collections and the seed, 732
questions, and on the eighteen kept unseen, 830): a description's content
without its frame (`Evidence.content`, which the decision reads) mixed into
the score at 0.25, 0.5 and 1.0 of its lead over the pooled cosine: 681 ->
683, 684, 680 and 768 -> 767, 766, 765 unseen; the content cut into pieces
at commas, conjunctions and prepositions, each piece's best part cosine
averaged and added at 0.1 to 0.4 (an entry recalling every piece): 681 ->
681-682 and 768 -> 767; and a learned linear ranker (pairwise logistic
regression over the twenty best entries' fused score, whole and part
cosines, title cosine, words, name, described kind and content, fitted
leave-one-archive-out): 435 -> 435-437 of the 482 questions it applies to,
and fitted on all, 504 -> 501-502 of 554 unseen. What gains on the eighteen
loses on the archives nothing was fitted on: these weights are where a
linear mix of this evidence stops improving.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from almanac.query import WRITTEN_KINDS


@dataclass(frozen=True)
class FusionWeights:
    lexical: float = 0.2
    parts: float = 0.5
    kind: float = 0.1
    second: float = 0.25
    #: Added for holding a whole name the question writes, or its one rare word (`Evidence.named`).
    name: float = 0.25
    #: Added for being of the dates a description names (`ParsedQuery.date_strict` False): as much as
    #: the kind a description names, so the entry of that time wins among close ones only.
    date: float = 0.1
    #: Added for being written (`almanac.query.WRITTEN_KINDS`) when a verb says the person wrote or
    #: published the entry asked about (`ParsedQuery.written`: "what did she publish in Science?").
    #: Set, not fitted: as much as a kind a description names, for a verb says less of the kind than
    #: the kind's own word ("did he write anything for Wired?" may be an interview). Passed through
    #: `kind` instead, it tipped the choice on the eighteen collections to `kind` 0.25 and strictness
    #: 0.45, which on the 151 archives kept unseen ranked 22 fewer first answers right and answered
    #: 81 more unrelated questions; set apart, the same 151 rank 5 more right and answer 4 fewer.
    written: float = 0.1


def pooled_dense(evidence, weights: FusionWeights) -> np.ndarray:
    pooled = evidence.dense.astype(np.float32, copy=True)
    for i, cosines in evidence.parts.items():
        if len(cosines):
            part = float(cosines.max())
            if weights.second and len(cosines) >= 2:
                part -= weights.second * (part - float(np.partition(cosines, -2)[-2]))
            best = max(float(pooled[i]), part)
            pooled[i] = (1 - weights.parts) * pooled[i] + weights.parts * best
    return pooled


def kind_match(snap, kind: str | None, tag: str | None) -> np.ndarray:
    match = np.zeros(len(snap), dtype=np.float32)
    if kind:
        match += snap.kind_mask(kind)
    if tag:
        match += snap.tag_mask(tag)
    return match


def fuse(evidence, snap, parsed, allowed: np.ndarray, weights: FusionWeights,
         dated: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(fused scores, -inf outside `allowed`; the pooled cosines). `dated`: the entries of the
    question's dates, preferred when those dates only describe (`ParsedQuery.date_strict`)."""
    pooled = pooled_dense(evidence, weights)
    top_lex = float(evidence.lexical[allowed].max()) if allowed.any() else 0.0
    lexical = evidence.lexical / top_lex if top_lex > 0 else evidence.lexical
    score = pooled + weights.lexical * lexical
    if evidence.named and weights.name:
        score[evidence.named] += weights.name
    if parsed.kind and not parsed.kind_strict:
        # "the paper or talk where ...": the best match of the kinds described
        match = np.max([kind_match(snap, k, t) for k, t in parsed.kinds_asked], axis=0)
        score = score + weights.kind * match
    if parsed.written and weights.written:
        score = score + weights.written * np.max([kind_match(snap, k, None) for k in WRITTEN_KINDS], axis=0)
    if dated is not None and not parsed.date_strict:
        score = score + weights.date * dated  # "the show where he dived the reef he first saw in 1957"
    return np.where(allowed, score, -np.inf), pooled
