"""Benchmark: build the feeds and site for 10,000 entries, then rebuild with nothing changed.

Prints JSON with the median (and every run) of:
- full: `publish` (build_site + write_tree) into an empty directory;
- no_change: `publish` again with the same inputs, as `almanac feeds build` does
  (the fingerprint matches: nothing rendered, nothing written);
- build_only: build_site alone, in memory (the CPU part of a full build; the
  rest is the filesystem creating 10,000 files);
- no_change_render_compare: build_site + write_tree over the identical site
  (everything rendered and compared byte for byte, nothing written): the
  cost when the fingerprint short-cut cannot be used.
Builds are dated (`now`, fixed), so the anniversary calendar and the
timeline are built as `almanac feeds build` builds them.
Related entries come from a precomputed map (the cost of rendering them is
measured; the searcher's own cost is bench/search.py's business).

    .venv/bin/python bench/feeds.py [--entries 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from almanac.config import SiteConfig  # noqa: E402
from almanac.entry import KINDS, Entry, PartialDate  # noqa: E402
from feeds.build import build_site  # noqa: E402
from feeds.publish import publish  # noqa: E402
from feeds.writer import write_tree  # noqa: E402

TARGETS = {"full": 5.0, "no_change": 1.0}


def make_entries(n: int) -> list[Entry]:
    words = "unikernel mirage ocaml xen irmin jitsu docker hypervisor functional storage network cloud".split()
    entries = []
    for i in range(n):
        year = 1990 + i % 36
        date = PartialDate(year, 1 + i % 12, 1 + i % 28) if i % 3 else PartialDate(year, 1 + i % 12)
        summary = " ".join(words[(i + k) % len(words)] for k in range(60)) + f". Entry {i}."
        entries.append(
            Entry(
                id=f"entry-{i:05d}-{date.isoformat()}",
                title=f"{words[i % len(words)].title()} talk number {i}",
                date=date,
                kind=KINDS[i % len(KINDS)],
                summary=summary,
                tags=(words[i % 5], words[i % 7]),
                url=f"https://example.org/{i}",
                source=f"bench:{i}",
            )
        )
    return entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", help="where to build (default: the system temporary directory)")
    args = parser.parse_args()

    entries = make_entries(args.entries)
    ids = [e.id for e in entries]
    by_id = {e.id: e for e in entries}
    neighbours = {eid: [by_id[ids[(i + k) % len(ids)]] for k in (1, 2, 3, 5, 8)] for i, eid in enumerate(ids)}
    site, tz = SiteConfig(base_url="https://example.org/"), ZoneInfo("Europe/London")
    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone.utc)

    related = neighbours.__getitem__
    full, no_change, compare, build_only, files_count, bytes_total = [], [], [], [], 0, 0
    for _ in range(args.runs):
        out = tempfile.mkdtemp(prefix="almanac-bench-", dir=args.dir)
        try:
            start = time.perf_counter()
            result = publish(out, entries, site, tz, related=related, related_key="bench", now=now)
            full.append(time.perf_counter() - start)
            assert not result.skipped and len(result.report.written) == result.files

            start = time.perf_counter()
            result = publish(out, entries, site, tz, related=related, related_key="bench", now=now)
            no_change.append(time.perf_counter() - start)
            assert result.skipped and result.report.written == []

            start = time.perf_counter()
            files = build_site(entries, site, tz, related=related, now=now)
            build_only.append(time.perf_counter() - start)
            report = write_tree(out, files, prune=("entries",))
            compare.append(time.perf_counter() - start)
            assert report.written == [] and report.removed == []
            files_count, bytes_total = len(files), sum(map(len, files.values()))
        finally:
            shutil.rmtree(out)

    result = {
        "benchmark": "feeds",
        "entries": args.entries,
        "files": files_count,
        "bytes": bytes_total,
        "runs": args.runs,
        "full_build_s": {"median": round(statistics.median(full), 3), "runs": [round(t, 3) for t in full], "target": TARGETS["full"]},
        "no_change_rebuild_s": {
            "median": round(statistics.median(no_change), 3),
            "runs": [round(t, 3) for t in no_change],
            "target": TARGETS["no_change"],
        },
        "build_only_s": {"median": round(statistics.median(build_only), 3), "runs": [round(t, 3) for t in build_only]},
        "no_change_render_compare_s": {
            "median": round(statistics.median(compare), 3),
            "runs": [round(t, 3) for t in compare],
        },
    }
    result["within_targets"] = (
        result["full_build_s"]["median"] <= TARGETS["full"] and result["no_change_rebuild_s"]["median"] <= TARGETS["no_change"]
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
