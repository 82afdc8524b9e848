"""Benchmark: kind inference on the evaluation archives, and its cost per 10,000 entries.

The kind model (almanac/kind_model.py) is fitted on these archives, so the accuracy printed here
flatters it; `python -m tests.eval.kind_fit` gives the figures on archives it was not fitted on.

Reads each archive in tests/eval/ with `read_source` (no store, no
embedding), classifies every labelled entry from its title and summary only
(the source's own `kind` is ignored, as `tests.eval.harness.kind_accuracy`
does) and compares with the archive's `kinds` map. Prints one JSON document:

- per archive: right / of and every wrong title with predicted vs true;
- total right / of;
- `classify_10k_s`: the median over --runs runs of `almanac.entry.classify`
  on 10,000 synthetic entries (titles and sentences of the seed and the
  archives, recombined by a fixed random seed, so the text looks like real
  entries);
- with `--baseline REV`: the same for almanac/kinds.py (and the tags) as of
  git revision REV, timed in the same runs, interleaved with the current
  code (the machine is shared: only a comparison in one run means much),
  and REV's accuracy.

- with `--fit`: the place factors (title, title head, lead, first sentence, names) and the minimum score of almanac/kinds.py
  chosen on every archive but one from a small grid (ties go to the shipped
  values), and that archive's accuracy with them (leave-one-archive-out);
  and the choice on all archives, which is what should ship.

    .venv/bin/python bench/kinds.py [--runs 7] [--baseline main] [--fit] [--archives scientist speaker]
"""

from __future__ import annotations

import argparse
import inspect
import itertools
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import types

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from almanac import kinds  # noqa: E402
from almanac.entry import classify, kinds_read  # noqa: E402
from almanac.sources import read_source  # noqa: E402
from tests.eval.harness import EVAL_DIR, SEED, archive_names  # noqa: E402


def archive_entries(name: str) -> tuple[dict[str, str], list]:
    """(title -> true kind, every entry the archive's sources hold)."""
    raw = json.loads((EVAL_DIR / name / "questions.json").read_text(encoding="utf-8"))
    entries = [e for s in raw["sources"] for e in read_source(str(EVAL_DIR / name / s))]
    return raw["kinds"], entries


def baseline_classify(rev: str):
    """`classify` as of git revision `rev`: its almanac/kinds.py and its talk tags, loaded aside."""
    source = subprocess.run(["git", "-C", REPO, "show", f"{rev}:almanac/kinds.py"], check=True,
                            capture_output=True, text=True).stdout
    module = types.ModuleType(f"kinds_{rev}")
    exec(compile(source, f"{rev}:almanac/kinds.py", "exec"), module.__dict__)
    keynote = re.compile(r"\bkeynotes?\b", re.IGNORECASE)
    lecture = re.compile(r"\b(?:lectures?|seminars?)\b", re.IGNORECASE)

    reads_links = "url" in inspect.signature(module.infer_kind).parameters  # revisions before link_kind do not

    def classify_then(title: str, summary: str, url: str | None = None):
        kind = module.infer_kind(title, summary, url) if reads_links else module.infer_kind(title, summary)
        if kind != "talk":
            return kind, ()
        text = f"{title}\n{summary}"
        return kind, tuple(t for t, r in (("keynote", keynote), ("lecture", lecture)) if r.search(text))

    return classify_then


def one_by_one(classify):
    """`kinds_read`'s form for a `classify` that reads each entry alone (a baseline revision)."""
    return lambda entries: [classify(e.title, e.summary, e.url)[0] for e in entries]


def accuracy(names: list[str], read=kinds_read) -> dict:
    """Per archive, its labelled entries' kinds as `read` gives them (for the whole archive at once)."""
    table = {}
    for name in names:
        truth, entries = archive_entries(name)
        kinds_said = dict(zip((e.title for e in entries), read(entries)))
        wrong = []
        for title, kind in truth.items():
            said = kinds_said[title]
            if said != kind:
                wrong.append({"title": title, "predicted": said, "true": kind})
        table[name] = {"right": len(truth) - len(wrong), "of": len(truth), "wrong": wrong}
    return table


#: The grid --fit searches: almanac.kinds module constants.
FIT_GRID = {
    "TITLE_FACTOR": (1.0, 1.5, 2.0),
    "LEAD_FACTOR": (2.0, 3.0, 4.0),
    "TITLE_HEAD_FACTOR": (2.0, 3.0, 4.0),
    "FIRST_FACTOR": (1.25, 1.5, 2.0),
    "NAME_FACTOR": (0.5, 1.0),
    "MIN_SCORE": (0.0, 2.0, 2.5, 3.0),
}


def fit(names: list[str]) -> dict:
    """Leave-one-archive-out choice of the factors: per held-out archive, its accuracy (each entry read
    alone: the factors weigh its wording; the medium an archive's shows share is left out)."""
    labelled = {}
    for name in names:
        truth, entries = archive_entries(name)
        by_title = {e.title: e for e in entries}
        labelled[name] = [(by_title[t].title, by_title[t].summary, by_title[t].url, k) for t, k in truth.items()]
    shipped = {key: getattr(kinds, key) for key in FIT_GRID}
    settings = [dict(zip(FIT_GRID, values)) for values in itertools.product(*FIT_GRID.values())]
    right: list[dict[str, int]] = []
    for setting in settings:
        for key, value in setting.items():
            setattr(kinds, key, value)
        right.append({n: sum(kinds.infer_kind(t, s, u) == k for t, s, u, k in rows) for n, rows in labelled.items()})
    for key, value in shipped.items():
        setattr(kinds, key, value)

    def choose(on: list[str]) -> int:
        return max(range(len(settings)), key=lambda i: (sum(right[i][n] for n in on),
                                                        sum(settings[i][k] == shipped[k] for k in FIT_GRID)))

    table = {}
    for held in names:
        others = [n for n in names if n != held]
        best = choose(others)
        top = max(sum(r[n] for n in others) for r in right)
        tied = [r[held] for r in right if sum(r[n] for n in others) == top]
        # Every setting as good on the other archives, and what each gives here: the tie-break
        # to shipped values must not be what makes the held-out figure.
        table[held] = {"right": right[best][held], "of": len(labelled[held]), "setting": settings[best],
                       "tied_settings": len(tied), "tied_right_min_max": [min(tied), max(tied)]}
    everywhere = choose(names)
    return {"leave_one_out": table, "total": total(table),
            "chosen_on_all": settings[everywhere], "shipped": shipped,
            "shipped_right": right[settings.index(shipped)] if shipped in settings else None}


def synthetic(n: int, names: list[str], seed: int = 11) -> list[tuple[str, str]]:
    entries = list(read_source(str(SEED)))
    for name in names:
        entries += archive_entries(name)[1]
    rng = random.Random(seed)
    sentences = [s for e in entries for s in re.split(r"(?<=[.!?])\s+", e.summary) if len(s) > 20]
    titles = [e.title for e in entries]
    return [(rng.choice(titles), " ".join(rng.sample(sentences, rng.randint(2, 5)))) for _ in range(n)]


def timing(pairs: list[tuple[str, str]], runs: int, variants: dict) -> dict[str, float]:
    """Median seconds per variant; the variants take turns within each run."""
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, fn in variants.items():
            started = time.perf_counter()
            for title, summary in pairs:
                fn(title, summary)
            times[name].append(time.perf_counter() - started)
    return {name: round(statistics.median(t), 3) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--archives", nargs="*", default=None)
    parser.add_argument("--baseline", default=None, help="a git revision to compare with (e.g. main)")
    parser.add_argument("--fit", action="store_true", help="choose the factors leave-one-archive-out")
    args = parser.parse_args()
    names = args.archives or archive_names()
    if args.fit:
        print(json.dumps(fit(names), indent=1))
        return
    table = accuracy(names)
    variants = {"current": classify}
    if args.baseline:
        variants["baseline"] = baseline_classify(args.baseline)
    times = timing(synthetic(10_000, names), args.runs, variants)
    out = {
        "archives": table,
        "total": total(table),
        "classify_10k_s": times["current"],
        "runs": args.runs,
    }
    if args.baseline:
        before = accuracy(names, one_by_one(variants["baseline"]))
        out["baseline"] = {"rev": args.baseline, "classify_10k_s": times["baseline"], "total": total(before),
                           "per_archive": {n: f"{a['right']}/{a['of']}" for n, a in before.items()}}
    print(json.dumps(out, indent=1))


def total(table: dict) -> dict:
    return {"right": sum(a["right"] for a in table.values()), "of": sum(a["of"] for a in table.values())}


if __name__ == "__main__":
    main()
