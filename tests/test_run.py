"""`almanac run`: the whole system in one process, started as a user would."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import feedparser
import pytest

from tests.conftest import REPO, SEED

ALMANAC = os.path.join(os.path.dirname(sys.executable), "almanac")


def start(cmd, cwd, env=None):
    return subprocess.Popen(
        cmd, cwd=cwd, env=env or os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )


def wait_for_site(proc, seconds: float) -> tuple[str, list[str]]:
    """Read output until the startup summary ends; return the site URL and the lines seen."""
    deadline = time.monotonic() + seconds
    lines = []
    url = None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        lines.append(line.rstrip("\n"))
        match = re.match(r"\s+site:\s+(http://\S+)", line)
        if match:
            url = match.group(1)
        if url and line.startswith("Stop with Ctrl-C."):
            return url, lines
    proc.kill()
    pytest.fail("no site URL within %s s:\n%s" % (seconds, "\n".join(lines)))


def stop(proc, seconds: float = 10.0) -> float:
    began = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"not stopped within {seconds} s of SIGTERM")
    return time.monotonic() - began


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=20) as response:
        return response.status, response.read()


def test_run_serves_everything_refuses_a_second_run_and_stops_on_sigterm(tmp_path):
    (tmp_path / "data").mkdir()
    shutil.copy(SEED, tmp_path / "data" / "entries.txt")
    env = {k: v for k, v in os.environ.items() if k != "ALMANAC_DB"}
    began = time.monotonic()
    proc = start([ALMANAC, "run", "--port", "0"], tmp_path, env)
    try:
        url, lines = wait_for_site(proc, 60)
        status, body = get(url + "atom.xml")
        assert time.monotonic() - began < 60
        assert status == 200
        feed = feedparser.parse(body)
        assert feed.bozo == 0 and len(feed.entries) == 25
        # Startup said where everything is.
        text = "\n".join(lines)
        for line in ("  database:  " + str(tmp_path / "data" / "almanac.db"), "  timezone:  UTC",
                     "  discord:   off; set DISCORD_TOKEN to run the bot too"):
            assert line in text
        assert re.search(r"schedule:  anniversaries next at \d{4}-\d\d-\d\dT09:00:00\+00:00", text)
        status, body = get(url + "api/search?q=which+paper+showed+unikernels+booting+on+a+DNS+request%3F")
        answer = json.loads(body)
        assert answer["answered"] and answer["results"][0]["id"] == "jitsu-just-in-time-summoning-of-unikernels-2015-05-paper"
        second = subprocess.run([ALMANAC, "run", "--port", "0"], cwd=tmp_path, env=env, capture_output=True,
                                text=True, timeout=60)
        assert second.returncode == 1
        assert re.fullmatch(
            r"almanac: another `almanac run` \(pid \d+\) is using \S+almanac\.db; stop it first, or pass --db to use another database\n",
            second.stderr,
        ), second.stderr
        # The same database through a symlink is the same database.
        os.symlink(tmp_path / "data" / "almanac.db", tmp_path / "link.db")
        third = subprocess.run([ALMANAC, "--db", "link.db", "run", "--port", "0"], cwd=tmp_path, env=env,
                               capture_output=True, text=True, timeout=60)
        assert third.returncode == 1
        assert f"is using {os.path.realpath(tmp_path / 'data' / 'almanac.db')};" in third.stderr, third.stderr
        assert stop(proc) < 10
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.mark.skipif(not (REPO / ".git").exists(), reason="needs the git checkout to clone")
def test_make_run_on_a_fresh_clone_serves_atom_within_60_seconds(tmp_path):
    """The README's first command, on a clone of the committed tree (the venv reused, not rebuilt)."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True, timeout=120)
    os.symlink(REPO / ".venv", clone / ".venv")
    stamp = clone / ".venv" / ".installed"
    if not stamp.exists():
        pytest.skip("the venv was not installed by make")
    os.utime(stamp)  # newer than the clone's pyproject.toml, so make does not reinstall
    env = {k: v for k, v in os.environ.items() if k not in ("ALMANAC_DB", "MAKEFLAGS")}
    began = time.monotonic()
    proc = start(["make", "-s", "run", "RUN_ARGS=--port 0"], clone, env)
    try:
        url, _ = wait_for_site(proc, 60)
        status, body = get(url + "atom.xml")
        assert status == 200 and time.monotonic() - began < 60
        assert len(feedparser.parse(body).entries) == 25
        assert (clone / "data" / "almanac.db").exists() and (clone / "public" / "index.html").exists()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def test_run_with_a_token_also_runs_the_bot(tmp_path):
    """With DISCORD_TOKEN set, the same process answers slash commands (against the fake Discord)."""
    import asyncio

    import aiohttp

    from fake_discord import FakeDiscord

    (tmp_path / "data").mkdir()
    shutil.copy(SEED, tmp_path / "data" / "entries.txt")
    token = "run-test-token-never-printed-0123456789"

    async def scenario():
        async with FakeDiscord() as fake:
            env = {k: v for k, v in os.environ.items() if k != "ALMANAC_DB"}
            env.update(DISCORD_TOKEN=token, ALMANAC_DISCORD_API_BASE=fake.base_url,
                       ALMANAC_DISCORD_GATEWAY=fake.gateway_url)
            proc = await asyncio.create_subprocess_exec(
                ALMANAC, "run", "--port", "0", "--sync", cwd=str(tmp_path), env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
            lines = []
            try:
                url = None
                while url is None:
                    line = (await asyncio.wait_for(proc.stdout.readline(), 90)).decode()
                    assert line, "\n".join(lines)
                    lines.append(line)
                    match = re.match(r"\s+site:\s+(http://\S+)", line)
                    url = match.group(1) if match else None
                await asyncio.wait_for(fake.identified.wait(), 90)
                ix = await fake.invoke("ask", {"question": "which paper showed unikernels booting on a DNS request?"})
                [message] = await fake.reply(ix, timeout=30)
                assert message["embeds"][0]["url"].endswith(
                    "/entries/jitsu-just-in-time-summoning-of-unikernels-2015-05-paper.html")
                async with aiohttp.ClientSession() as session:
                    async with session.get(url + "atom.xml") as response:
                        assert response.status == 200
                began = time.monotonic()
                proc.send_signal(signal.SIGTERM)
                rest = await asyncio.wait_for(proc.stdout.read(), 10)
                await proc.wait()
                return proc.returncode, time.monotonic() - began, "".join(lines) + rest.decode()
            finally:
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()

    status, took, output = asyncio.run(scenario())
    assert status == 0, output
    assert took < 10
    assert "discord:   the bot is starting (DISCORD_TOKEN is set)" in output
    assert token not in output
    assert "Traceback" not in output, output[-4000:]


def test_the_run_lock_follows_symlinks_to_the_real_database(tmp_path):
    from almanac.instance_lock import AlreadyRunning, InstanceLock

    real = tmp_path / "data" / "almanac.db"
    real.parent.mkdir()
    real.touch()
    os.symlink(real, tmp_path / "link.db")
    os.symlink(tmp_path / "data", tmp_path / "elsewhere")
    with InstanceLock(str(real)):
        for other in (tmp_path / "link.db", tmp_path / "elsewhere" / "almanac.db", tmp_path / "data" / ".." / "data" / "almanac.db"):
            with pytest.raises(AlreadyRunning) as info:
                InstanceLock(str(other)).acquire()
            assert f"pid {os.getpid()}) is using {os.path.realpath(real)};" in str(info.value)
    with InstanceLock(str(tmp_path / "link.db")):  # released: the next one gets it
        pass


def test_a_run_that_lost_its_instance_lock_stops():
    """`keep_lock` asks the lock every interval; when another process holds it now, the run stops
    (one line logged) instead of running beside it."""
    import asyncio

    from almanac.commands.run import keep_lock
    from almanac.instance_lock import AlreadyRunning

    class Lock:
        checks = 0

        def keep(self):
            Lock.checks += 1
            if Lock.checks == 3:
                raise AlreadyRunning("another `almanac run` (pid 7 on host) is using the database")

    async def go():
        stop = asyncio.Event()
        lost = await asyncio.wait_for(keep_lock(Lock(), stop, interval=0.01), 5)
        return lost, stop.is_set()

    assert asyncio.run(go()) == (True, True) and Lock.checks == 3

    async def stopped():
        stop = asyncio.Event()
        task = asyncio.create_task(keep_lock(Lock(), stop, interval=10))
        stop.set()
        return await asyncio.wait_for(task, 5)

    assert asyncio.run(stopped()) is False
