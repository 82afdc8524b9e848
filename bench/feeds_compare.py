"""Benchmark: the 10,000-entry site build of this tree against another revision's, in one run.

Prints JSON: for each tree, the median (and every run) of the CPU time
(`time.process_time`, every thread of the process) and the wall time of

- full: `publish` into an empty directory (what a first `almanac feeds build` does);
- no_change: `publish` again with the same inputs (must write nothing);
- build_only: `build_site` alone, in memory (no filesystem),

and the ratios this tree / the other (medians). The machine is shared and
noisy, so the two trees take turns: each round runs one fresh process per
tree (the order swapping every round), and each process builds `--runs`
times. Every process loads the tree's own bench/feeds.py (its synthetic
entries, its `publish`), so each tree is measured as its own bench measures
it; a tree whose `publish` takes `now` is given the fixed moment
bench/feeds.py uses (the calendar and timeline are built), an older one is not.

    .venv/bin/python bench/feeds_compare.py --base 0d84a5d^ [--entries 10000] [--rounds 3] [--runs 2]

`--base REV` checks REV out into a temporary git worktree (removed
afterwards); `--base-tree DIR` uses a checkout that is already there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import inspect
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone.utc)
MEASURES = ("full", "no_change", "build_only")


def _timed(fn):
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn()
    return result, time.process_time() - cpu, time.perf_counter() - wall


def child(tree: str, entries: int, runs: int, where: str | None) -> dict:
    """Build `runs` times with `tree`'s code (in this fresh process); the timings as a dict."""
    spec = importlib.util.spec_from_file_location("tree_bench", os.path.join(tree, "bench", "feeds.py"))
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)  # puts `tree` first on sys.path and imports its almanac and feeds
    import feeds.build

    if not os.path.abspath(feeds.build.__file__).startswith(os.path.abspath(tree) + os.sep):
        raise SystemExit(f"imported {feeds.build.__file__}, not {tree}'s feeds")
    from almanac.config import SiteConfig
    from zoneinfo import ZoneInfo

    rows = bench.make_entries(entries)
    ids = [e.id for e in rows]
    by_id = {e.id: e for e in rows}
    neighbours = {eid: [by_id[ids[(i + k) % len(ids)]] for k in (1, 2, 3, 5, 8)] for i, eid in enumerate(ids)}
    site, tz = SiteConfig(base_url="https://example.org/"), ZoneInfo("Europe/London")
    dated = {"now": NOW} if "now" in inspect.signature(bench.publish).parameters else {}
    kwargs = dict(related=neighbours.__getitem__, related_key="bench", **dated)
    out: dict[str, list] = {f"{m}_{c}": [] for m in MEASURES for c in ("cpu", "wall")}
    files = 0
    for _ in range(runs):
        target = tempfile.mkdtemp(prefix="almanac-compare-", dir=where)
        try:
            result, cpu, wall = _timed(lambda: bench.publish(target, rows, site, tz, **kwargs))
            assert not result.skipped and len(result.report.written) == result.files
            out["full_cpu"].append(cpu), out["full_wall"].append(wall)
            result, cpu, wall = _timed(lambda: bench.publish(target, rows, site, tz, **kwargs))
            assert result.skipped and result.report.written == []
            out["no_change_cpu"].append(cpu), out["no_change_wall"].append(wall)
            built, cpu, wall = _timed(lambda: bench.build_site(rows, site, tz, related=kwargs["related"], **dated))
            out["build_only_cpu"].append(cpu), out["build_only_wall"].append(wall)
            files = len(built)
        finally:
            shutil.rmtree(target)
    return {"files": files, "dated": bool(dated), **out}


def _run_child(tree: str, args) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", tree, "--entries", str(args.entries),
           "--runs", str(args.runs)] + (["--dir", args.dir] if args.dir else [])
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        raise SystemExit(f"the build with {tree} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def _summary(runs: list[dict]) -> dict:
    merged: dict[str, list[float]] = {}
    for run in runs:
        for key, values in run.items():
            if isinstance(values, list):
                merged.setdefault(key, []).extend(values)
    summary = {key: {"median": round(statistics.median(v), 3), "runs": [round(x, 3) for x in v]}
               for key, v in merged.items()}
    summary["files"] = runs[-1]["files"]
    summary["dated"] = runs[-1]["dated"]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", help="the revision to compare with (checked out into a temporary worktree)")
    parser.add_argument("--base-tree", help="a checkout to compare with, instead of --base")
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3, help="fresh processes per tree, taking turns")
    parser.add_argument("--runs", type=int, default=2, help="builds per process")
    parser.add_argument("--dir", help="where to build (default: the system temporary directory)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.entries, args.runs, args.dir)))
        return
    if bool(args.base) == bool(args.base_tree):
        parser.error("give --base REV or --base-tree DIR")

    worktree = None
    if args.base:
        worktree = tempfile.mkdtemp(prefix="almanac-base-")
        os.rmdir(worktree)
        subprocess.run(["git", "-C", HERE, "worktree", "add", "--detach", "-q", worktree, args.base], check=True)
    base = worktree or os.path.abspath(args.base_tree)
    try:
        trees = {"this": HERE, "base": base}
        results: dict[str, list[dict]] = {"this": [], "base": []}
        for n in range(args.rounds):
            order = ["base", "this"] if n % 2 == 0 else ["this", "base"]
            for name in order:
                results[name].append(_run_child(trees[name], args))
    finally:
        if worktree:
            subprocess.run(["git", "-C", HERE, "worktree", "remove", "--force", worktree], check=False)

    this, other = _summary(results["this"]), _summary(results["base"])
    ratios = {
        f"{m}_{c}": round(this[f"{m}_{c}"]["median"] / other[f"{m}_{c}"]["median"], 3)
        for m in MEASURES for c in ("cpu", "wall") if other[f"{m}_{c}"]["median"] > 0
    }
    print(json.dumps({
        "benchmark": "feeds_compare",
        "entries": args.entries,
        "base": args.base or base,
        "rounds": args.rounds,
        "runs_per_process": args.runs,
        "this": this,
        "base_tree": other,
        "ratio_this_to_base": ratios,
    }, indent=2))


if __name__ == "__main__":
    main()
