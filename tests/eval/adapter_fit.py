"""Fit the question adapter (almanac/question_adapter.npz) on every labelled archive, and score it honestly.

Every archive under tests/eval/ and tests/eval_unseen/ (and the seed's own questions) pairs
questions with the entries that answer them. The adapter (`almanac.search.adapter`) is fitted
contrastively: each question's moved vector against every entry of its archive, scored by the
pooled cosine the engine ranks by (`almanac.search.fuse.pooled_dense`: the whole entry's cosine
mixed with its best sentence's), the entries that answer it made most likely. Filter questions
are left out (their answer is a listing, not a ranking).

How well a map reads archives it never learned from is measured by cross-fitting, as the kind
model is (`tests.eval.kind_fit`): the archives, sorted by name, are dealt into FOLDS groups, each
group scored by a map fitted on the others. The evaluation uses those maps too
(`adapters_without`): an archive of tests/eval_unseen is asked with its fold's map, the eighteen
of tests/eval (the seed included) with one map fitted without any of them, so no figure reported
for an archive comes from a map that saw its questions.

    .venv/bin/python -m tests.eval.adapter_fit --work DIR           # cross-fitted figures, JSON
    .venv/bin/python -m tests.eval.adapter_fit --work DIR --write   # and write both files

`--work` holds the archives' databases (built and embedded on first use, ~1 hour for all on two
cores; `bench/search.py --work DIR` builds the same ones). Fitting takes about a minute.

Settings (rank, strength of the pull towards no change, temperature, passes) were chosen by
cross-fitting over the 300 archives (December 2026): rank 32 and 64, full rank, and pulls of
1e-3 to 1e-2 rank the same within 0.2 points; full rank ranked 0.7 points worse by the cosine alone.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import random
from dataclasses import dataclass

import numpy as np

from almanac.embeddings import load_embedder, parts_model
from almanac.search.adapter import SHIPPED, QuestionAdapter
from almanac.search.fuse import FusionWeights
from almanac.store import Store
from tests.eval.kind_fit import FOLDS, folds_of

EVAL_DIR = pathlib.Path(__file__).resolve().parent
UNSEEN_DIR = EVAL_DIR.parent / "eval_unseen"
#: The maps the evaluation asks archives with (`adapters_without`).
FOLD_MAPS = EVAL_DIR / "question_adapters.npz"
RANK, PULL, TEMPERATURE, PASSES = 32, 3e-3, 0.05, 20


@dataclass
class ArchiveVectors:
    """One archive's entries (whole vectors, and each one's title and sentences) and the vectors of
    the questions that have answers, with the entries that answer each."""

    whole: np.ndarray  # entries x dims
    parts: list[np.ndarray]  # per entry: parts x dims (may be empty)
    questions: np.ndarray  # questions x dims
    answers: np.ndarray  # questions x entries, bool


def collect(name: str, directory: pathlib.Path, embedder, cache_dir: str, readers=None) -> ArchiveVectors | None:
    """The archive `name` of `directory`, built as the evaluation builds it (`vectors_of`)."""
    from tests.eval import harness

    return vectors_of(*harness.build_store(name, embedder, cache_dir, directory, readers), embedder)


def vectors_of(path: str, archive, embedder) -> ArchiveVectors | None:
    """The built archive at `path`, its questions read as the searcher reads them (the text it
    embeds for meaning: `Question.to_encode`); None when none of its questions has an answer."""
    from almanac.search.searcher import Searcher

    asked = [q for q in archive.questions if q.all is None and q.accept]
    if not asked:
        return None
    with Store(path) as store:
        searcher = Searcher(store, embedder, strictness=0.0, today=lambda: archive.today, adapter=None)
        snap = searcher._current()
        blocks = store.vector_blocks(parts_model(embedder.model_name), snap.content_hashes(list(range(len(snap)))))
        texts = [searcher.understand(q.q).to_encode[0] for q in asked]
    dims = snap.matrix.shape[1]
    parts = [blocks.get(i, np.zeros((0, dims), np.float32)) for i in snap.ids]
    index = {e: i for i, e in enumerate(snap.ids)}
    answers = np.zeros((len(asked), len(snap)), bool)
    for row, q in enumerate(asked):
        answers[row, [index[e] for e in q.accept]] = True
    return ArchiveVectors(np.array(snap.matrix, np.float32), parts, np.asarray(embedder.encode(texts), np.float32),
                          answers)


def training_archives(embedder, work: str) -> dict[str, ArchiveVectors]:
    """Every archive with questions under tests/eval (the seed's too) and tests/eval_unseen."""
    from tests.eval import harness

    out = {}
    for directory, names, cache in ((EVAL_DIR, harness.all_archives(), "eval"),
                                    (UNSEEN_DIR, harness.archive_names(UNSEEN_DIR), "held-out")):
        readers = harness.KindReaders(names, directory)
        for name in names:
            vectors = collect(name, directory, embedder, os.path.join(work, cache), readers)
            if vectors is not None:
                out[name] = vectors
    return out


class _Batch:
    """One archive as tensors: parts padded to the longest entry's."""

    def __init__(self, a: ArchiveVectors):
        import torch

        longest = max(1, max(len(p) for p in a.parts))
        padded = np.zeros((len(a.parts), longest, a.whole.shape[1]), np.float32)
        held = np.zeros((len(a.parts), longest), bool)
        for i, p in enumerate(a.parts):
            padded[i, : len(p)], held[i, : len(p)] = p, True
        self.whole, self.parts, self.held = torch.tensor(a.whole), torch.tensor(padded), torch.tensor(held)
        self.count = self.held.sum(1)
        self.questions, self.answers = torch.tensor(a.questions), torch.tensor(a.answers)


def pooled(batch: _Batch, questions, weights: FusionWeights = FusionWeights()):
    """`almanac.search.fuse.pooled_dense` for every question and entry at once (questions x entries)."""
    import torch

    whole = questions @ batch.whole.T
    cosines = torch.einsum("qd,epd->qep", questions, batch.parts).masked_fill(~batch.held[None], -9.0)
    two = cosines.topk(min(2, cosines.shape[2]), dim=2).values
    first = two[:, :, 0]
    second = two[:, :, 1] if two.shape[2] > 1 else first
    part = torch.where((batch.count >= 2)[None], first - weights.second * (first - second), first)
    part = torch.where((batch.count >= 1)[None], part, whole)
    return (1 - weights.parts) * whole + weights.parts * torch.maximum(whole, part)


def _moved(questions, u, v):
    moved = questions + (questions @ u) @ v
    return moved / moved.norm(dim=1, keepdim=True)


def fit(archives: list[ArchiveVectors], model_name: str, rank: int = RANK, pull: float = PULL,
        temperature: float = TEMPERATURE, passes: int = PASSES, seed: int = 0) -> QuestionAdapter:
    """The map fitted on `archives`: per archive and pass, one step of Adam on the cross-entropy of
    its questions' answers among its entries, plus `pull` times the map's squared size."""
    import torch

    batches = [_Batch(a) for a in archives]
    dims = batches[0].whole.shape[1]
    generator = torch.Generator().manual_seed(seed)
    u = (torch.randn(dims, rank, generator=generator) * 0.01).requires_grad_(True)
    v = torch.zeros(rank, dims, requires_grad=True)
    optimiser = torch.optim.Adam([u, v], lr=1e-3)
    order = random.Random(seed)
    with _one_thread():
        for _ in range(passes):
            order.shuffle(batches)
            for b in batches:
                scores = pooled(b, _moved(b.questions, u, v)) / temperature
                right = scores.masked_fill(~b.answers, -1e9)
                loss = (torch.logsumexp(scores, 1) - torch.logsumexp(right, 1)).mean() + pull * ((u @ v) ** 2).sum()
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
    return QuestionAdapter(model_name, u.detach().numpy().copy(), v.detach().numpy().copy())


class _one_thread:
    """Fitting is many small products: one math thread is as fast and the same every run."""

    def __enter__(self):
        import torch

        self.before = torch.get_num_threads()
        torch.set_num_threads(1)

    def __exit__(self, *exc):
        import torch

        torch.set_num_threads(self.before)


def first_right(a: ArchiveVectors, adapter: QuestionAdapter | None) -> int:
    """How many of the archive's questions have an answer first by the pooled cosine alone."""
    import torch

    b = _Batch(a)
    questions = torch.tensor(adapter.apply(a.questions)) if adapter else b.questions
    best = pooled(b, questions).argmax(1)
    return int(b.answers[torch.arange(len(best)), best].sum())


def eval_names() -> set[str]:
    from tests.eval import harness

    return set(harness.all_archives())


def cross_fitted(archives: dict[str, ArchiveVectors], model_name: str) -> dict[str, QuestionAdapter]:
    """Keyed "fold N" for each fold's map (fitted on the other folds) and "without eval" for the
    map fitted on tests/eval_unseen alone (what tests/eval's archives and the seed are asked with)."""
    fold = folds_of(list(archives))
    maps = {f"fold {k}": fit([a for n, a in sorted(archives.items()) if fold[n] != k], model_name)
            for k in range(FOLDS)}
    ours = eval_names()
    maps["without eval"] = fit([a for n, a in sorted(archives.items()) if n not in ours], model_name)
    return maps


def map_key(name: str, fold: dict[str, int], ours: set[str]) -> str:
    """Which stored map asks the archive `name`: one of tests/eval (or the seed) the map fitted on
    none of them, one of tests/eval_unseen its fold's. The evaluation (`adapters_without`) and this
    module's report (`main`) both ask by it, so the figures reported are those the evaluation sees."""
    return "without eval" if name in ours else f"fold {fold[name]}"


def save_maps(maps: dict[str, QuestionAdapter], fold: dict[str, int], path: pathlib.Path = FOLD_MAPS) -> None:
    arrays = {}
    for key, m in maps.items():
        arrays[f"{key}/u"], arrays[f"{key}/v"] = m.u.astype(np.float16), m.v.astype(np.float16)
    np.savez_compressed(path, model_name=np.array(next(iter(maps.values())).model_name),
                        folds=np.array(json.dumps(fold)), **arrays)


def stored_folds(path: pathlib.Path = FOLD_MAPS) -> dict[str, int]:
    """The fold of each archive the written maps were fitted on."""
    with np.load(path) as data:
        return json.loads(str(data["folds"]))


def adapters_without(names: list[str], path: pathlib.Path = FOLD_MAPS) -> dict[str, QuestionAdapter]:
    """For each of `names` the shipped map was fitted on, a map fitted without it: an archive of
    tests/eval_unseen its fold's, one of tests/eval (or the seed) the map fitted on none of them.
    Archives the shipped map never saw (written since, or a user's) are not in the result."""
    if not path.exists():
        return {}
    with np.load(path) as data:
        fold = json.loads(str(data["folds"]))
        model_name = str(data["model_name"])

        def at(key):
            return QuestionAdapter(model_name, data[f"{key}/u"].astype(np.float32), data[f"{key}/v"].astype(np.float32))

        ours = eval_names()
        return {n: at(map_key(n, fold, ours)) for n in names if n in fold}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="/tmp/almanac-bench", help="where the archives' databases are cached")
    parser.add_argument("--write", action="store_true", help="write the shipped map and the evaluation's maps")
    args = parser.parse_args()
    embedder = load_embedder("")
    archives = training_archives(embedder, args.work)
    maps = cross_fitted(archives, embedder.model_name)
    fold = folds_of(list(archives))
    ours = eval_names()
    report = {"archives": len(archives), "questions": sum(len(a.questions) for a in archives.values())}
    for part, names in (("eval", [n for n in archives if n in ours]), ("eval_unseen", [n for n in archives if n not in ours])):
        used = {n: maps[map_key(n, fold, ours)] for n in names}
        before = sum(first_right(archives[n], None) for n in names)
        after = sum(first_right(archives[n], used[n]) for n in names)
        of = sum(len(archives[n].questions) for n in names)
        report[f"first_by_cosine_{part}"] = f"{before} -> {after} of {of}"
    if args.write:
        fit(list(a for _, a in sorted(archives.items())), embedder.model_name).save(SHIPPED)
        save_maps(maps, fold)
        report["written"] = [str(SHIPPED), str(FOLD_MAPS)]
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
