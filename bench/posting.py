"""Benchmark: anniversary selection, the ledger's per-post cost, and webhook posts end to end.

Prints JSON with the median (and every run) of:
- on_10k_ms: `anniversaries.on` over 10,000 entries for one date (pure Python);
- upcoming_365_ms: `anniversaries.upcoming` over the same entries for a year;
- ledger_posts_per_s: plan + claim + send + mark through a real SQLite ledger to
  a publisher that does nothing (the ledger's own overhead: 2-3 short write
  transactions per post, WAL, one file in a tmp dir);
- webhook_post_ms: one post through discord.py's Webhook to a local receiver on
  127.0.0.1 (median per post over a run), ledger included;
- edit_plan_ms: what every posting run pays to find messages that need an
  edit, with `--posts` and 10x as many messages within `[posts] edit_days`
  and none changed (render each post's embed, compare with what it shows);
- ledger_edits_per_s: plan + claim + edit + record after every entry changed,
  to a publisher whose edits do nothing (the edit ledger's own overhead).

    .venv/bin/python bench/posting.py [--runs 5] [--posts 200]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from almanac.anniversaries import on, upcoming  # noqa: E402
from almanac.entry import Entry, PartialDate  # noqa: E402
from almanac.posting import Poster, PostingPolicy  # noqa: E402
from almanac.store import Store  # noqa: E402

UTC = dt.timezone.utc


def make_entries(n: int) -> list[Entry]:
    out = []
    for i in range(n):
        year, month, day = 1990 + i % 34, 1 + i % 12, (1 + i % 28) if i % 3 else None
        out.append(Entry(f"e{i}", f"Entry {i}", PartialDate(year, month, day), "talk", "summary"))
    return out


class Nothing:
    key = "bench:nothing"
    wants = frozenset({"anniversary", "new"})

    async def send(self, post):
        return None


def ledger_store(tmp: str, posts: int) -> tuple[Store, dt.datetime]:
    """A store with `posts` entries whose anniversary is 1 May 2025."""
    store = Store(os.path.join(tmp, f"bench-{time.monotonic_ns()}.db"))
    entries = [Entry(f"e{i}", f"Entry {i}", PartialDate(1990 + i % 34, 5), "talk", "s", source=f"b.txt:{i}")
               for i in range(posts)]
    store.replace_source("b.txt", entries)
    return store, dt.datetime(2025, 5, 1, 10, tzinfo=UTC)


class NothingEditable(Nothing):
    key = "bench:editable"

    async def send(self, post):
        return "1"

    async def edit_message(self, message_id, embed):
        return None

    async def delete_message(self, message_id):
        return None


def bench_edits(tmp: str, posts: int) -> tuple[float, float]:
    """(ms to plan with nothing changed, edits per second after every entry changed)."""
    store, now = ledger_store(tmp, posts)
    poster = Poster(store, "https://example.org/", PostingPolicy())
    pub = NothingEditable()
    assert len(asyncio.run(poster.post_due(now, [pub])).sent) == posts
    started = time.perf_counter()
    assert poster.edits.plan(now, [pub.key]) == 0
    plan_ms = (time.perf_counter() - started) * 1000
    store.replace_source("b.txt", [Entry(f"e{i}", f"Entry {i}", PartialDate(1990 + i % 34, 5), "talk", "changed",
                                         source=f"b.txt:{i}") for i in range(posts)])
    started = time.perf_counter()
    report = asyncio.run(poster.post_due(now, [pub]))
    took = time.perf_counter() - started
    assert len(report.edited) == posts, report.summary()
    store.close()
    return plan_ms, posts / took


def bench_ledger(tmp: str, posts: int) -> float:
    store, now = ledger_store(tmp, posts)
    poster = Poster(store, "https://example.org/", PostingPolicy())
    started = time.perf_counter()
    report = asyncio.run(poster.post_due(now, [Nothing()]))
    took = time.perf_counter() - started
    assert len(report.sent) == posts, report.summary()
    store.close()
    return posts / took


def bench_webhook(tmp: str, posts: int) -> float:
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    import aiohttp

    from feeds.webhooks import WebhookPublisher, set_api_base
    from webhook_receiver import WebhookReceiver, webhook_url

    store, now = ledger_store(tmp, posts)

    async def go():
        async with WebhookReceiver() as receiver:
            set_api_base(receiver.api_base)
            async with aiohttp.ClientSession() as session:
                pub = WebhookPublisher(webhook_url(), session)
                poster = Poster(store, "https://example.org/", PostingPolicy())
                started = time.perf_counter()
                report = await poster.post_due(now, [pub])
                took = time.perf_counter() - started
            set_api_base("")
            assert len(receiver.delivered) == posts == len(report.sent)
            return took

    took = asyncio.run(go())
    store.close()
    return took / posts * 1000


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--posts", type=int, default=200)
    args = parser.parse_args()
    entries = make_entries(10_000)
    may_1 = dt.date(2025, 5, 1)
    results = {}
    runs = timed(lambda: on(entries, may_1), args.runs)
    results["on_10k_ms"] = {"median": round(statistics.median(runs), 2), "runs": [round(r, 2) for r in runs]}
    runs = timed(lambda: upcoming(entries, may_1, 365), args.runs)
    results["upcoming_365_ms"] = {"median": round(statistics.median(runs), 1), "runs": [round(r, 1) for r in runs]}
    with tempfile.TemporaryDirectory() as tmp:
        runs = [bench_ledger(tmp, args.posts) for _ in range(args.runs)]
        results["ledger_posts_per_s"] = {"median": round(statistics.median(runs)), "runs": [round(r) for r in runs],
                                         "posts": args.posts}
        for n in (args.posts, args.posts * 10):
            runs = [bench_edits(tmp, n) for _ in range(args.runs)]
            results[f"edit_plan_ms_{n}"] = {"median": round(statistics.median(r[0] for r in runs), 1),
                                            "runs": [round(r[0], 1) for r in runs], "messages": n}
            if n == args.posts:
                results["ledger_edits_per_s"] = {"median": round(statistics.median(r[1] for r in runs)),
                                                 "runs": [round(r[1]) for r in runs], "edits": n}
        runs = [bench_webhook(tmp, min(args.posts, 100)) for _ in range(args.runs)]
        results["webhook_post_ms"] = {"median": round(statistics.median(runs), 2),
                                      "runs": [round(r, 2) for r in runs], "posts": min(args.posts, 100)}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
