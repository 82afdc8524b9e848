"""Fit the kind model (almanac/kind_model.json) on every labelled archive, and score it honestly.

Every archive under tests/eval/ and tests/eval_unseen/ gives each of its entries' true kind
(`kinds` in its questions.json, whether or not its source says it). The shipped model is fitted
on all of them. How well it reads an archive it has never seen is measured by cross-fitting:
the archives, sorted by name, are dealt into FOLDS groups in turn, and each group is read by a
model fitted on the others (no archive's own entries ever teach the model that scores it).

    .venv/bin/python -m tests.eval.kind_fit            # cross-fitted figures, JSON
    .venv/bin/python -m tests.eval.kind_fit --write    # and write almanac/kind_model.json
"""

from __future__ import annotations

import argparse
import functools
import json
import pathlib

from almanac import kind_model
from almanac.entry import kinds_read
from almanac.kinds import infer_kind
from almanac.sources import read_source

EVAL_DIR = pathlib.Path(__file__).resolve().parent
TRAINING_DIRS = (EVAL_DIR, EVAL_DIR.parent / "eval_unseen")
FOLDS = 10

Example = tuple[str, str, "str | None", str]


def labelled(directory: pathlib.Path, name: str) -> tuple[list, list[Example]]:
    """(every entry the archive's sources hold, (title, summary, url, true kind) for each labelled one)."""
    raw = json.loads((directory / name / "questions.json").read_text(encoding="utf-8"))
    entries = [e for s in raw["sources"] for e in read_source(str(directory / name / s))]
    kinds = raw.get("kinds", {})
    return entries, [(e.title, e.summary, e.url, kinds[e.title]) for e in entries if e.title in kinds]


def training_archives(dirs=TRAINING_DIRS) -> dict[str, tuple[list, list[Example]]]:
    """Every labelled archive of `dirs`, by name (the names are unique across them)."""
    out = {}
    for directory in dirs:
        for path in sorted(p for p in directory.iterdir() if (p / "questions.json").exists()):
            entries, examples = labelled(directory, path.name)
            if examples:
                out[path.name] = (entries, examples)
    return out


def accuracy(entries: list, examples: list[Example], read) -> tuple[int, int, list[str]]:
    """(right, of, wrong titles) for one archive, its shows settled as ingest settles them."""
    said = dict(zip((e.title for e in entries), kinds_read(entries, read)))
    wrong = [t for t, _, _, k in examples if said.get(t) != k]
    return len(examples) - len(wrong), len(examples), wrong


def folds_of(names, folds: int = FOLDS) -> dict[str, int]:
    """The names, sorted, dealt into `folds` groups in turn: the folds every cross-fitted model of
    the evaluation uses (the kind model here, the question adapter in `tests.eval.adapter_fit`)."""
    return {n: i % folds for i, n in enumerate(sorted(names))}


def cross_fitted_readers(archives: dict[str, tuple[list, list[Example]]], folds: int = FOLDS) -> dict:
    """For each archive, the reading (`KindModel.kind`) of the model fitted on the archives dealt
    into the other `folds` - 1 groups: what scores it without its own entries teaching the model."""
    names = sorted(archives)
    fold_of = folds_of(names, folds)
    out = {}
    for fold in range(folds):
        held = [n for n in names if fold_of[n] == fold]
        model = kind_model.fit([x for n in names if n not in held for x in archives[n][1]])
        out.update(dict.fromkeys(held, model.kind))
    return out


def training_names(dirs=TRAINING_DIRS) -> set[str]:
    """The names of the archives the shipped model is fitted on (without reading their sources)."""
    return {p.name for d in dirs for p in d.iterdir()
            if (p / "questions.json").exists()
            and json.loads((p / "questions.json").read_text(encoding="utf-8")).get("kinds")}


@functools.cache
def _archives() -> dict:
    return training_archives()


@functools.cache
def readers_without(names: tuple[str, ...]) -> dict:
    """For each of `names` the shipped model is fitted on, the reading of a model fitted without
    it, so that evaluating an archive never asks the model about entries it learned from: one model
    fitted without all of them when they are at most a quarter of the training archives (tests/eval's
    seventeen), else each one's fold model (`cross_fitted_readers`: tests/eval_unseen). Other
    archives (the seed, archives written since) are not in the result: the shipped model never saw
    them. Fitted once per process for the same names: building the stores and scoring their kinds
    (`harness.kind_accuracy`) both ask."""
    archives = _archives()
    trained = [n for n in names if n in archives]
    if not trained:
        return {}
    if len(trained) <= len(archives) // 4:
        model = kind_model.fit([x for n, a in archives.items() if n not in trained for x in a[1]])
        return dict.fromkeys(trained, model.kind)
    readers = cross_fitted_readers(archives)
    return {n: readers[n] for n in trained}


def cross_fitted(archives: dict[str, tuple[list, list[Example]]],
                 folds: int = FOLDS) -> dict[str, tuple[int, int, list[str]]]:
    """Each archive's accuracy read by the model fitted on the archives of the other folds."""
    readers = cross_fitted_readers(archives, folds)
    return {n: accuracy(*archives[n], readers[n]) for n in archives}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write almanac/kind_model.json")
    args = parser.parse_args()
    archives = training_archives()
    crossed = cross_fitted(archives)
    rules = {n: accuracy(*a, lambda t, s, u: infer_kind(t, s, u)) for n, a in archives.items()}
    report = {"archives": len(archives), "entries": sum(len(a[1]) for a in archives.values())}
    for label, table in (("cross_fitted", crossed), ("rules_only", rules)):
        for part, names in (("eval", [n for n in archives if (EVAL_DIR / n).exists()]),
                            ("eval_unseen", [n for n in archives if not (EVAL_DIR / n).exists()])):
            right = sum(table[n][0] for n in names)
            of = sum(table[n][1] for n in names)
            report[f"{label}_{part}"] = f"{right}/{of} ({right / of:.3f})"
    if args.write:
        model = kind_model.fit([x for a in archives.values() for x in a[1]])
        about = {"fitted_on": "every archive under tests/eval and tests/eval_unseen (tests/eval/kind_fit.py)",
                 "archives": len(archives), "entries": report["entries"], "C": kind_model.FIT_C,
                 "min_entries": kind_model.MIN_ENTRIES}
        kind_model.MODEL_PATH.write_text(json.dumps(model.to_json(about), separators=(",", ":")) + "\n",
                                         encoding="utf-8")
        report["written"] = str(kind_model.MODEL_PATH)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
