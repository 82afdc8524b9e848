"""Benchmark: the real `almanac bot` process at 25 and at 100,000 entries.

For each archive size, in the same run, starts `almanac bot --sync
--no-schedule` as its own process against tests/fake_discord.py on
127.0.0.1 and reports, as JSON:

- start: process start to the gateway IDENTIFY (login, model, vectors loaded);
- /ask latency at the fake Discord's end (dispatch to the visible answer),
  median and p95 over --runs questions after one warm-up;
- the process's resident memory after the questions (VmRSS) and its peak (VmHWM).

The 100,000-entry archive comes from bench/search.py's builder (seed
sentences recombined; vectors synthesised except the seed's 25), cached
under --work. Questions rotate so the answers are real lookups.

    .venv/bin/python bench/bot_process.py [--runs 30] [--sizes 25,100000]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import statistics
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)
sys.path.insert(0, os.path.join(REPO, "tests"))

from fake_discord import FakeDiscord  # noqa: E402

ALMANAC = os.path.join(os.path.dirname(sys.executable), "almanac")
QUESTIONS = [
    "which paper showed unikernels booting on a DNS request?",
    "talks from February 2020",
    "anything with Gabriel Radanne?",
    "what keynotes has he given?",
    "how do I bake bread?",
]


def _search_bench():
    spec = importlib.util.spec_from_file_location("search_bench", os.path.join(REPO, "bench", "search.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM of a process in MB."""
    out = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


async def measure(db: str, runs: int) -> dict:
    async with FakeDiscord() as fake:
        config = os.path.join(os.path.dirname(db), "bench-bot.toml")
        with open(config, "w") as fh:
            fh.write("[bot]\ncooldown_seconds = 0.0\n")  # measure answers, not the cooldown notice
        env = {**os.environ, "DISCORD_TOKEN": "bench-token", "ALMANAC_DB": db, "ALMANAC_CONFIG": config,
               "ALMANAC_DISCORD_API_BASE": fake.base_url, "ALMANAC_DISCORD_GATEWAY": fake.gateway_url}
        began = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(
            ALMANAC, "bot", "--sync", "--no-schedule", env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        try:
            await asyncio.wait_for(fake.identified.wait(), 300)
            start = time.perf_counter() - began
            await fake.reply(await fake.invoke("ask", {"question": QUESTIONS[0]}), timeout=60)  # warm-up
            times = []
            for i in range(runs):
                ix = await fake.invoke("ask", {"question": QUESTIONS[i % len(QUESTIONS)]})
                [message] = await fake.reply(ix, timeout=60)
                assert message.get("embeds") or "find anything" in message["content"], message
                times.append((ix.reply_times[-1] - ix.sent_at) * 1000)
            memory = _status(proc.pid)
        finally:
            proc.terminate()
            await proc.wait()
    times.sort()
    return {
        "start_s": round(start, 2),
        "ask_ms_p50": round(statistics.median(times), 1),
        "ask_ms_p95": round(times[int(0.95 * (len(times) - 1))], 1),
        "rss_mb": memory.get("VmRSS"),
        "peak_rss_mb": memory.get("VmHWM"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--sizes", default="25,100000")
    parser.add_argument("--work", default="/tmp/almanac-bench")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    bench = _search_bench()
    from almanac.embeddings import load_embedder

    embedder = None
    results = {}
    for n in (int(s) for s in args.sizes.split(",")):
        db = os.path.join(args.work, f"archive-{n}.db")
        if not os.path.exists(db):
            embedder = embedder or load_embedder("")
            bench.build(args.work, n, embedder, synthesise=n > 10_000, fresh=False)
        results[str(n)] = asyncio.run(measure(db, args.runs))
    print(json.dumps({"bot_process": results, "runs": args.runs}, indent=2))


if __name__ == "__main__":
    main()
