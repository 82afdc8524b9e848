"""Benchmark: how fast the bot answers, measured at the (fake) Discord end.

Runs the real discord.py client against tests/fake_discord.py on 127.0.0.1
with the real bundled model over the seed archive, and for each command
measures, from the moment the interaction is dispatched on the gateway:
- ack: the first callback (Discord's 3-second deadline applies to this);
- answer: the visible answer (the followup after a defer, or the reply itself).
Prints JSON with the median and the maximum of several runs per command.
Also measures event-loop stalls while /ask runs (the longest gap a 1 ms
ticker sees), which stays small because search runs in a thread.

    .venv/bin/python bench/bot.py [--runs 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from almanac.config import BotConfig, Config  # noqa: E402
from almanac.embeddings import embed_missing, load_embedder  # noqa: E402
from almanac.ingest import ingest  # noqa: E402
from almanac.search import Searcher  # noqa: E402
from almanac.store import Store  # noqa: E402
from bot.client import AlmanacBot  # noqa: E402
from fake_discord import GUILD_ID, FakeDiscord, running  # noqa: E402

QUESTIONS = [
    "which paper showed unikernels booting on a DNS request?",
    "talks about MirageOS at Docker",
    "how do I bake bread?",
    "irmin distributed storage",
]


async def measure(args, store, searcher) -> dict:
    config = Config(bot=BotConfig(cooldown_seconds=0.0))
    results: dict[str, dict[str, list[float]]] = {}
    stalls: list[float] = []
    async with FakeDiscord() as fake:
        bot = AlmanacBot(store=store, searcher=searcher, config=config, sync=GUILD_ID, guild_ready_timeout=0.05)
        async with running(fake, bot):
            cases = [("ask", {"question": q}) for q in QUESTIONS] + [
                ("search", {"query": "unikernels"}), ("about", {}), ("latest", {"count": 5}),
                ("onthisday", {"date": "2026-05-01"}), ("entry", {"id": "jitsu-just-in-time-summoning-of-unikernels-2015-05-paper"}),
            ]
            for name, options in cases:  # warm up once
                await fake.reply(await fake.invoke(name, options), timeout=60)
            for _ in range(args.runs):
                for name, options in cases:
                    ticker_gaps: list[float] = []
                    stop = asyncio.Event()

                    async def tick():
                        last = time.perf_counter()
                        while not stop.is_set():
                            await asyncio.sleep(0.001)
                            now = time.perf_counter()
                            ticker_gaps.append(now - last)
                            last = now

                    ticker = asyncio.create_task(tick())
                    ix = await fake.invoke(name, options)
                    await fake.reply(ix, timeout=60)
                    stop.set()
                    await ticker
                    key = f"/{name}" if name != "ask" else "/ask"
                    r = results.setdefault(key, {"ack": [], "answer": []})
                    r["ack"].append(ix.reply_times[0] - ix.sent_at)
                    r["answer"].append(ix.reply_times[-1] - ix.sent_at)
                    if name == "ask":
                        stalls.append(max(ticker_gaps) if ticker_gaps else 0.0)
    out = {}
    for key, r in results.items():
        out[key] = {
            "ack_median_ms": round(statistics.median(r["ack"]) * 1000, 2),
            "ack_max_ms": round(max(r["ack"]) * 1000, 2),
            "answer_median_ms": round(statistics.median(r["answer"]) * 1000, 2),
            "answer_max_ms": round(max(r["answer"]) * 1000, 2),
            "runs": len(r["ack"]),
        }
    out["loop_stall_during_ask_median_ms"] = round(statistics.median(stalls) * 1000, 2)
    out["loop_stall_during_ask_max_ms"] = round(max(stalls) * 1000, 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(os.path.join(tmp, "bench.db"))
        embedder = load_embedder("")
        ingest(store, [os.path.join(ROOT, "data", "entries.txt")], ROOT, embed=lambda s: embed_missing(s, embedder))
        searcher = Searcher(store, embedder)
        result = asyncio.run(measure(args, store, searcher))
        store.close()
    print(json.dumps({"benchmark": "bot", "entries": 25, "deadline_ms": 3000, **result}, indent=2))


if __name__ == "__main__":
    main()
