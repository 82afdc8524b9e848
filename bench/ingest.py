"""Benchmark: read and ingest 10k/20k/40k/80k entries of JSON and of RSS (no embedding).

Reading must grow linearly with the size of a source (line numbers used to
be counted from the start of the file for every item: 80,000 JSON entries
took four minutes). For each format and size it prints the median of
`--runs` runs of:
- read: `read_source` alone (parse, validate, line numbers);
- ingest: `ingest` into a fresh SQLite store (read, ids, one transaction);
and `per_1k_s`, the ingest median per 1,000 entries, which stays flat when
growth is linear.

    .venv/bin/python bench/ingest.py [--sizes 10000 20000 40000 80000] [--runs 3] [--formats json rss]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from email.utils import format_datetime
from datetime import datetime, timezone
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from almanac.ingest import ingest  # noqa: E402
from almanac.sources import read_source  # noqa: E402
from almanac.store import Store  # noqa: E402

WORDS = "unikernel mirage ocaml xen irmin jitsu docker hypervisor functional storage network cloud".split()


def fields(i: int) -> tuple[str, datetime, str]:
    title = f"Entry {i}: {WORDS[i % len(WORDS)]} and {WORDS[(i * 7) % len(WORDS)]}"
    date = datetime(1990 + i % 36, 1 + i % 12, 1 + i % 28, 10, 0, tzinfo=timezone.utc)
    summary = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(40)) + f". Number {i}."
    return title, date, summary


def write_json(path: str, n: int) -> None:
    items = []
    for i in range(n):
        title, date, summary = fields(i)
        item = {"title": title, "date": date.date().isoformat(), "summary": summary}
        if i % 2:  # half say their kind, half leave it to the wording
            item["kind"] = "talk"
        items.append(item)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(items, fh, indent=2)


def write_rss(path: str, n: int) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Bench</title>\n')
        fh.write("<link>https://example.org/</link><description>d</description>\n")
        for i in range(n):
            title, date, summary = fields(i)
            fh.write(
                f"<item>\n  <title>{escape(title)}</title>\n  <link>https://example.org/{i}</link>\n"
                f"  <description>{escape(summary)}</description>\n{'  <category>talk</category>' if i % 2 else ''}\n"
                f"  <pubDate>{format_datetime(date)}</pubDate>\n  <guid>https://example.org/{i}</guid>\n</item>\n"
            )
        fh.write("</channel></rss>\n")


def measure(path: str, n: int, work: str, runs: int) -> dict:
    reads, ingests = [], []
    for run in range(runs):
        started = time.perf_counter()
        entries = read_source(path)
        reads.append(time.perf_counter() - started)
        assert len(entries) == n
        db = os.path.join(work, f"bench-{n}-{run}.db")
        with Store(db) as store:
            started = time.perf_counter()
            report = ingest(store, [path], work)
            ingests.append(time.perf_counter() - started)
        assert not report.problems and report.total("added") == n, report.summary()
        os.remove(db)
    ingest_median = statistics.median(ingests)
    return {
        "entries": n,
        "bytes": os.path.getsize(path),
        "read_s": round(statistics.median(reads), 3),
        "ingest_s": round(ingest_median, 3),
        "per_1k_s": round(ingest_median / n * 1000, 4),
        "runs": {"read_s": [round(t, 3) for t in reads], "ingest_s": [round(t, 3) for t in ingests]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 20_000, 40_000, 80_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", nargs="+", choices=["json", "rss"], default=["json", "rss"])
    args = parser.parse_args()
    result: dict = {"runs": args.runs, **{fmt: [] for fmt in args.formats}}
    with tempfile.TemporaryDirectory(prefix="almanac-bench-ingest-") as work:
        for fmt, ext, write in (("json", "json", write_json), ("rss", "xml", write_rss)):
            if fmt not in args.formats:
                continue
            for n in args.sizes:
                path = os.path.join(work, f"entries-{n}.{ext}")
                write(path, n)
                result[fmt].append(measure(path, n, work, args.runs))
                os.remove(path)
                print(json.dumps(result[fmt][-1]), file=sys.stderr)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
