"""The Procfile's `web` and `worker` as two real processes that share nothing but the database.

On a Procfile host each process type runs in its own container with its own
disk: the web process never sees a `public/` the worker wrote. So here each
runs in its own working directory (its own config, its own out_dir); the
only thing they share is the database file (SQLite here). The worker (the
real `almanac bot`, against the fake Discord) ingests its sources at start;
the web process must serve the new entries within one of its checks
(`[server] poll_seconds`, shortened by the web's config) after they land.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import signal
import sys
import time

import aiohttp
import feedparser

from almanac.store import Store
from conftest import REPO, SEED
from fake_discord import FakeDiscord

ALMANAC = os.path.join(os.path.dirname(sys.executable), "almanac")
TOKEN = "procfile-test-token-never-printed-0123456789"
POLL_SECONDS = 0.5
NEW_TITLE = "Procfile Test Entry: Sharing Nothing But The Database"
NEW_ENTRY = f"""{NEW_TITLE} / Nov 2026
A talk on running the web process and the worker in separate containers that share nothing but the database.
"""


def procfile() -> dict[str, list[str]]:
    """The Procfile's lines as argv lists, $PORT as 0 (a free port; the web prints the one it got)."""
    lines = {}
    for line in (REPO / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        argv = shlex.split(command.replace("$PORT", "0"))
        lines[name.strip()] = [ALMANAC, *argv[1:]] if argv[0] == "almanac" else argv
    return lines


async def wait_for_url(proc, lines: list[str], seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = (await asyncio.wait_for(proc.stdout.readline(), deadline - time.monotonic())).decode()
        assert line, "web exited:\n" + "".join(lines)
        lines.append(line)
        match = re.search(r"at http://[^:]+:(\d+)/", line)
        if match:
            return f"http://127.0.0.1:{match.group(1)}/"
    raise AssertionError("the web process never said where it serves:\n" + "".join(lines))


def new_entry_id(db) -> str | None:
    with Store(str(db)) as store:
        return next((e.id for e in store.entries() if e.title == NEW_TITLE), None)


BOTH_BACKENDS = True


def test_web_and_worker_share_only_the_database(tmp_path, onnx_cache_dir, backend, db_target):
    """On PostgreSQL the processes get nothing but DATABASE_URL, as a Procfile host sets it."""
    web_dir, worker_dir = tmp_path / "web", tmp_path / "worker"
    for d in (web_dir, worker_dir / "data"):
        d.mkdir(parents=True)
    db = db_target
    (web_dir / "config.toml").write_text(f"[server]\npoll_seconds = {POLL_SECONDS}\n")
    (worker_dir / "data" / "entries.txt").write_text(SEED.read_text() + "\n" + NEW_ENTRY)
    lines = procfile()
    assert lines["release"][1:] == ["migrate"]
    assert lines["web"][1:] == ["serve", "--host", "0.0.0.0", "--port", "0"]

    async def scenario():
        async with FakeDiscord() as fake:
            base_env = {k: v for k, v in os.environ.items() if not k.startswith("ALMANAC_")}
            base_env.update({"ALMANAC_DB" if backend == "sqlite" else "DATABASE_URL": str(db),
                             "XDG_CACHE_HOME": str(onnx_cache_dir)})
            release = await asyncio.create_subprocess_exec(
                *lines["release"], cwd=str(web_dir), env=base_env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            out, err = await asyncio.wait_for(release.communicate(), 60)
            assert release.returncode == 0, err.decode()
            web = await asyncio.create_subprocess_exec(
                *lines["web"], cwd=str(web_dir), env=base_env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            worker = None
            output = []
            try:
                url = await wait_for_url(web, output, 90)
                async with aiohttp.ClientSession() as session:
                    async def get(path: str) -> tuple[int, bytes]:
                        async with session.get(url + path) as response:
                            return response.status, await response.read()

                    # Built from the (empty) store at start, with no public/ from anyone else.
                    status, body = await get("atom.xml")
                    assert status == 200 and feedparser.parse(body).entries == []

                    worker = await asyncio.create_subprocess_exec(
                        *lines["worker"], cwd=str(worker_dir),
                        env={**base_env, "DISCORD_TOKEN": TOKEN, "ALMANAC_DISCORD_API_BASE": fake.base_url,
                             "ALMANAC_DISCORD_GATEWAY": fake.gateway_url},
                        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
                    deadline = time.monotonic() + 180
                    while (entry_id := await asyncio.to_thread(new_entry_id, db)) is None:
                        assert time.monotonic() < deadline, "the worker never ingested the new entry"
                        assert worker.returncode is None, "the worker exited"
                        await asyncio.sleep(0.1)
                    ingested = time.monotonic()
                    while (await get(f"entries/{entry_id}.html"))[0] != 200:
                        assert time.monotonic() - ingested < 30, "the web never served the new entry"
                        await asyncio.sleep(0.1)
                    served_after = time.monotonic() - ingested

                    status, body = await get("atom.xml")
                    assert any(item.title == NEW_TITLE for item in feedparser.parse(body).entries)
                    status, body = await get("api/search?q=" + "web process and worker in separate containers")
                    answer = json.loads(body)
                    assert status == 200 and answer["results"][0]["id"] == entry_id
                    status, body = await get("healthz")
                    assert json.loads(body) == {"status": "ok", "site": True, "search": True, "database": True}
                return served_after, entry_id
            finally:
                for proc in (worker, web):
                    if proc is not None and proc.returncode is None:
                        proc.send_signal(signal.SIGTERM)
                for name, proc in (("worker", worker), ("web", web)):
                    if proc is None:
                        continue
                    try:
                        out, err = await asyncio.wait_for(proc.communicate(), 30)
                    except asyncio.TimeoutError:
                        proc.kill()
                        out, err = await proc.communicate()
                    output.append(f"--- {name} (exit {proc.returncode})\n{out.decode()}{err.decode()}")
                text = "".join(output)
                assert web.returncode == 0 and (worker is None or worker.returncode == 0), text
                assert "Traceback" not in text and TOKEN not in text, text

    served_after, entry_id = asyncio.run(scenario())
    # One check of the store plus one build (a few hundred ms here), with room for a noisy machine.
    assert served_after < POLL_SECONDS + 10, served_after
    # The web process built its own copy of the site, in its own directory.
    assert (web_dir / "public" / "entries" / f"{entry_id}.html").exists()
