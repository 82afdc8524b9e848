"""Smaller archives: does the answer/refuse decision hold below the sizes it was fitted on?

Every evaluation archive has 25-40 entries, and the decision was fitted on
them; someone starting out may have ten. This cuts each archive to `--sizes`
entries (drawn at random, the same draw every run) and asks it the content
questions whose answer survived the cut (accepting only the entries kept;
filter questions are left out, their lists being the whole archive's), its
own off-topic questions and the shared unrelated ones, with the shipped
settings; beside them, the same questions asked of the whole archive. The
questions whose answer was cut are reported apart
(`answer_cut_refused`): they ask about something the person did that the
small archive lacks, the nearest of near-field questions, and no figure of
the issue is asked of them.

Prints one JSON document: .venv/bin/python bench/small.py [--sizes 8,15] [--archives tao rbg]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from almanac.embeddings import load_embedder  # noqa: E402
from almanac.search.decide import DEFAULT_MODEL  # noqa: E402
from almanac.search.fuse import FusionWeights  # noqa: E402
from almanac.search.searcher import DEFAULT_STRICTNESS  # noqa: E402
from almanac.store import Store  # noqa: E402
from tests.eval import harness  # noqa: E402

FIGURES = ("r_at_1", "r_at_3", "answered", "off_topic_refused", "near_refused", "unrelated_refused",
           "held_out_refused")


def cut_store(path: str, size: int, seed: str, work: str) -> tuple[str, set[str]]:
    """A copy of the archive's store holding `size` of its entries (with their vectors), and their ids."""
    small = os.path.join(work, f"small-{size}-{os.path.basename(path)}")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(small + suffix):
            os.remove(small + suffix)
    shutil.copy(path, small)
    with Store(small) as store:
        entries = store.entries()
        keep = {e.id for e in random.Random(seed).sample(entries, min(size, len(entries)))}
        for key in store.source_keys():
            # An entry's source is its file and line under the key: "notes/a.md:1" under "notes".
            held = [e for e in entries if e.source.startswith(key) and e.source[len(key):len(key) + 1] in (":", "/")]
            store.replace_source(key, [e for e in held if e.id in keep])
        assert {e.id for e in store.entries()} == keep
    return small, keep


def measure(name: str, size: int, embedder, encoder, work: str) -> dict:
    path, archive = harness.build_store(name, embedder, os.path.join(work, "eval"))
    small, keep = cut_store(path, size, f"{name}{size}", work)
    content = [q for q in archive.questions if q.all is None]
    kept = [harness.Question(q.q, q.accept & keep, q.style) for q in content if q.accept & keep]
    asked = harness.Archive(name, archive.sources, archive.today, kept, archive.off_topic)
    runs = harness.run_archive(small, asked, encoder, FusionWeights())
    cut = harness.Archive(name, archive.sources, archive.today, [],
                          [(q.q, False) for q in content if not q.accept & keep])
    cut_runs = [r for r in harness.run_archive(small, cut, encoder, FusionWeights()) if not r.generic]
    row = harness.score(runs, DEFAULT_MODEL, DEFAULT_STRICTNESS)
    # The same questions asked of the whole archive (where each accepts every entry it names).
    same = harness.Archive(name, archive.sources, archive.today, [q for q in content if q.accept & keep], [])
    whole = harness.score([r for r in harness.run_archive(path, same, encoder, FusionWeights()) if not r.generic],
                          DEFAULT_MODEL, DEFAULT_STRICTNESS)
    return {"archive": name, "entries": len(keep), "on_topic": row["on_topic"], **{k: row[k] for k in FIGURES},
            "whole": {k: whole[k] for k in ("r_at_1", "r_at_3", "answered")},
            "answer_cut": len(cut_runs),
            "answer_cut_refused": sum(not harness.answered(r, DEFAULT_MODEL, DEFAULT_STRICTNESS) for r in cut_runs),
            "wrongly_answered": row["wrongly_answered"]}


def pooled(rows: list[dict]) -> dict:
    """Counts over every archive of one size (questions, not archives, weigh alike)."""
    def count(key: str, per: str | int) -> int:
        return round(sum(r[key] * (r[per] if isinstance(per, str) else per) for r in rows if r[key] is not None))
    whole = {k: round(sum(r["whole"][k] * r["on_topic"] for r in rows)) for k in ("r_at_1", "r_at_3", "answered")}
    return {"on_topic": sum(r["on_topic"] for r in rows), "r_at_1": count("r_at_1", "on_topic"),
            "r_at_3": count("r_at_3", "on_topic"), "answered": count("answered", "on_topic"),
            "unrelated_refused": f"{count('unrelated_refused', len(harness.UNRELATED))}/{len(harness.UNRELATED) * len(rows)}",
            "held_out_refused": f"{count('held_out_refused', len(harness.UNRELATED_HELD_OUT))}/"
                                f"{len(harness.UNRELATED_HELD_OUT) * len(rows)}",
            "answer_cut_refused": f"{sum(r['answer_cut_refused'] for r in rows)}/{sum(r['answer_cut'] for r in rows)}",
            "whole_archive": whole}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="8,15")
    parser.add_argument("--archives", nargs="*", default=None)
    parser.add_argument("--work", default="/tmp/almanac-bench")
    args = parser.parse_args()
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
    embedder = load_embedder("")
    encoder = harness.CachedEncoder(embedder)
    names = args.archives or harness.archive_names()
    out = {"strictness": DEFAULT_STRICTNESS, "sizes": {}}
    for size in (int(s) for s in args.sizes.split(",")):
        rows = [measure(name, size, embedder, encoder, args.work) for name in names]
        out["sizes"][str(size)] = {"pooled": pooled(rows), "archives": rows}
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
