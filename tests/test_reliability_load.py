"""50 concurrent /api/search requests while another process re-ingests: every request answers (both backends)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess

import aiohttp

from tests.conftest import SEED
from tests.test_run import ALMANAC, start, stop, wait_for_site
from tests.test_reliability_ingest import write_archive

BOTH_BACKENDS = True
QUESTIONS = ["which paper showed unikernels booting on a DNS request?", "talks from February 2020",
             "anything with Gabriel Radanne?", "what keynotes has he given?", "how do I bake bread?"]


async def burst(url: str, n: int) -> list[tuple[int, dict]]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        async def one(i: int):
            async with session.get(url + "api/search", params={"q": QUESTIONS[i % len(QUESTIONS)]}) as response:
                return response.status, await response.json()

        return await asyncio.gather(*(one(i) for i in range(n)))


def test_concurrent_searches_while_reingesting(tmp_path, db_target):
    (tmp_path / "data").mkdir()
    shutil.copy(SEED, tmp_path / "data" / "entries.txt")
    big = tmp_path / "big.txt"
    env = dict(os.environ, ALMANAC_DB=db_target if "://" in db_target else str(tmp_path / "data" / "almanac.db"))
    proc = start([ALMANAC, "run", "--port", "0"], tmp_path, env)
    try:
        url, _ = wait_for_site(proc, 90)
        results = []
        # Another process writes big transactions into the same database meanwhile.
        for marker in ("OLD", "NEW"):
            write_archive(big, marker)
            writer = subprocess.Popen([ALMANAC, "ingest", "--no-embed", str(big)], cwd=tmp_path, env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            while writer.poll() is None:
                results.extend(asyncio.run(burst(url, 50)))
            assert writer.returncode == 0, writer.stderr.read()
        assert len(results) >= 100
        assert all(status == 200 for status, _ in results), [r for r in results if r[0] != 200][:3]
        assert all("answered" in body for _, body in results)
        paper = [b for s, b in results if b["query"] == QUESTIONS[0]]
        assert all(b["answered"] for b in paper)
        assert stop(proc) < 10
        output = proc.stdout.read()
        assert "database is locked" not in output
        assert "Traceback" not in output, output[-3000:]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
