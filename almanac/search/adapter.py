"""For ranking only: a question's vector moved towards how entries are written.

People ask in other words than an archive writes ("the one where she got the call about the
prize" for "Nobel Prize in Physics awarded"), and part of every question's vector is its asking
("the one where", "what did he say about"), which no entry shares. A low-rank linear map, added
to the question's vector and the sum made unit length again, learns across many archives which
directions of a question to weaken and which to strengthen so that it lands nearer the entry it
describes:

    q' = normalise(q + STRENGTH * (q @ u) @ v)        u: dims x rank, v: rank x dims

Only questions are moved: entries keep the vectors they were stored with, so nothing is
re-embedded and the one matrix in memory stays as it is (one 384 x 32 and one 32 x 384 product
per question, microseconds). The map belongs to one model: a configured other model, or a fake
one in tests, gets none (`load_adapter`).

The map chooses which entry answers, never whether one does (`Searcher.search`): that is decided
on the model's own ranking, the cosines the decision was calibrated on. Judged by those cosines,
the map's first answers are less often the model's own nearest and so score lower, off-topic
questions' most of all; the decision refitted on them (as `tests/eval/harness.py` fits it) then
chose a lower strictness, which answered 93 more unrelated questions on the 283 archives kept
unseen. Decided on the model's own ranking, every question is answered or refused as without the
map, and the shipped decision stays the fit on the evaluation archives.

`tests/eval/adapter_fit.py` fits it on every labelled evaluation archive (contrastive: each
question against its archive's other entries, scored by the pooled cosine the engine ranks by)
and measures it by cross-fitting, each archive's questions scored by a map fitted without them;
the numbers are in that module and in tests/eval/README.md.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass

import numpy as np

#: How much of the fitted move is made. The whole of it ranks best by the cosine alone
#: (cross-fitted over 301 archives: 10,178 of 11,176 first answers right, 10,098 unmoved; at
#: 0.7, 10,174), but a question that is mostly its asking ("what did Anil talk about in 2015?")
#: has little left once the asking is taken out, and moved whole it ranked a talk of 2015 whose
#: words it barely shares first, which the decision then refused. 0.7 is the largest of 1, 0.85,
#: 0.7 and 0.5 that keeps the seed's first answers where they were (`tests/eval_questions.py`).
STRENGTH = 0.7
#: The map shipped for the bundled model (`tests/eval/adapter_fit.py --write`).
SHIPPED = pathlib.Path(__file__).resolve().parent.parent / "question_adapter.npz"


@dataclass(frozen=True)
class QuestionAdapter:
    #: The embedding model whose question vectors this map moves.
    model_name: str
    u: np.ndarray  # dims x rank
    v: np.ndarray  # rank x dims

    def apply(self, vectors: np.ndarray) -> np.ndarray:
        """Rows of question vectors, each moved and made unit length again."""
        vectors = np.asarray(vectors, dtype=np.float32)
        moved = vectors + STRENGTH * ((vectors @ self.u) @ self.v)
        norms = np.linalg.norm(moved, axis=-1, keepdims=True)
        return moved / np.where(norms > 0, norms, 1.0)

    def moved_cosines(self, cosines: np.ndarray, projected: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """`matrix @ apply(vector)` without reading the matrix again: `cosines` is `matrix @ vector`
        and `projected` is `matrix @ v.T` (entries x rank, computed once per snapshot). The product
        is linear, so the moved cosines are the question's own plus STRENGTH times the projection's,
        over the moved vector's length. At 100,000 entries a second pass over the 150 MB matrix
        added 7 ms to a 14 ms question; the projection is a twelfth of its size."""
        vector = np.asarray(vector, dtype=np.float32)
        coords = vector @ self.u
        norm = float(np.linalg.norm(vector + STRENGTH * (coords @ self.v)))
        return (cosines + STRENGTH * (projected @ coords)) / (norm if norm > 0 else 1.0)

    def save(self, path: pathlib.Path | str) -> None:
        """Half precision: the map's entries are small corrections, and the file stays ~50 KB."""
        np.savez_compressed(path, model_name=np.array(self.model_name), u=self.u.astype(np.float16),
                            v=self.v.astype(np.float16))


def read_adapter(path: pathlib.Path | str) -> QuestionAdapter:
    with np.load(path) as data:
        return QuestionAdapter(str(data["model_name"]), data["u"].astype(np.float32), data["v"].astype(np.float32))


def load_adapter(model_name: str, path: pathlib.Path | str = SHIPPED) -> QuestionAdapter | None:
    """The map at `path` when it was fitted for `model_name`; None otherwise (another model's
    questions are left as they are: a map fitted on one model's vectors means nothing to another's)."""
    if not pathlib.Path(path).exists():
        return None
    adapter = read_adapter(path)
    return adapter if adapter.model_name == model_name else None
