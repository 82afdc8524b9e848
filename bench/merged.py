"""Bigger archives: does the answer/refuse decision hold beyond the sizes it was fitted on?

Every evaluation archive has 25-40 entries, and the decision was fitted on
them. This merges archives into one store (threes of them, ~110 entries,
and all of them, ~630) and asks it each archive's content questions
(paraphrases, names, places, venues, typos, chat: `harness.MERGEABLE_STYLES`)
and off-topic questions, with the shipped settings (and stricter ones).
Beside each merge, the same questions asked of their own archives. A merge is a crowd of people
and fields, harder than one person's archive of the same size: read it as
an upper bound on what size costs.

Prints one JSON document: .venv/bin/python bench/merged.py [--groups all|threes]
"""

from __future__ import annotations

import argparse
import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from almanac.embeddings import load_embedder  # noqa: E402
from almanac.search.decide import DEFAULT_MODEL  # noqa: E402
from almanac.search.fuse import FusionWeights  # noqa: E402
from almanac.search.searcher import DEFAULT_STRICTNESS  # noqa: E402
from tests.eval import harness  # noqa: E402

FIGURES = ("r_at_1", "r_at_3", "answered", "off_topic_refused", "near_refused", "unrelated_refused",
           "held_out_refused")


#: Stricter settings reported for the merges too: what a bigger archive would need.
STRICTER = (0.6, 0.7, 0.8)


def scored(runs, strictness: float = DEFAULT_STRICTNESS) -> dict:
    row = harness.score(runs, DEFAULT_MODEL, strictness)
    return {"on_topic": row["on_topic"], **{k: row[k] for k in FIGURES}}


def compare(names: list[str], embedder, encoder, cache_dir: str) -> dict:
    """The merge's figures and, for the same questions, their own archives' (pooled)."""
    path, merged = harness.build_merged_store(names, embedder, cache_dir)
    runs = harness.run_archive(path, merged, encoder, FusionWeights())
    out = {"archives": names, "entries": len(merged.titles_to_ids), "merged": scored(runs),
           "merged_stricter": {str(t): scored(runs, t) for t in STRICTER}}
    asked = {q.q for q in merged.questions}
    own = []
    for name in names:
        own_path, archive = harness.build_store(name, embedder, cache_dir)
        archive.questions = [q for q in archive.questions if q.q in asked]
        runs = harness.run_archive(own_path, archive, encoder, FusionWeights())
        # The unrelated questions are asked of every archive: once per archive would count them
        # len(names) times, so on their own archives only the archive's own questions are pooled.
        own += [r for r in runs if not r.generic]
    out["own"] = {k: v for k, v in scored(own).items() if k not in ("unrelated_refused", "held_out_refused")}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", default="threes,all", help="threes (sorted names, three at a time), all")
    parser.add_argument("--work", default="/tmp/almanac-bench")
    args = parser.parse_args()
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
    embedder = load_embedder("")
    encoder = harness.CachedEncoder(embedder)
    names = harness.archive_names()
    groups = []
    if "threes" in args.groups.split(","):
        groups += [names[i:i + 3] for i in range(0, len(names) - 2, 3)]
    if "all" in args.groups.split(","):
        groups.append(names)
    cache = os.path.join(args.work, "eval")
    json.dump({"strictness": DEFAULT_STRICTNESS,
               "groups": [compare(g, embedder, encoder, cache) for g in groups]}, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
