"""`almanac bot` as a real process against the fake Discord: sync, answer, stop on SIGTERM.

This is the issue's "done when": `almanac bot --sync` answers
`/ask question: which paper showed unikernels booting on a DNS request?`
with the Jitsu NSDI 2015 paper in one embed. The process finds the fake
through ALMANAC_DISCORD_API_BASE / ALMANAC_DISCORD_GATEWAY, the documented
way to point the bot at another Discord endpoint.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import time

import pytest

from almanac.cli import main
from almanac.embeddings import embed_missing
from almanac.ingest import ingest
from almanac.store import Store
from conftest import REPO, SEED
from fake_discord import CHANNEL_ID, GUILD_ID, FakeDiscord

TOKEN = "fake-secret-token-never-logged-0123456789"
JITSU_PAPER = "jitsu-just-in-time-summoning-of-unikernels-2015-05-paper"


def test_without_a_token_it_exits_2_saying_how_to_get_one(capsys, tmp_path):
    status = main(["bot"], env={"ALMANAC_DB": str(tmp_path / "a.db")})
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("almanac: DISCORD_TOKEN is not set. Create an application at "
                          "https://discord.com/developers/applications")


def test_guild_without_sync_is_a_usage_error(capsys, tmp_path):
    assert main(["bot", "--guild", "123"], env={"DISCORD_TOKEN": TOKEN, "ALMANAC_DB": str(tmp_path / "a.db")}) == 2
    assert "--guild needs --sync" in capsys.readouterr().err


EXTRA = """Almanac Bot Test Entry: Announcing New Things / Nov 2026
A new entry that appeared after the channel subscribed, so the bot announces it there, once.
"""


def _env(fake, tmp_path, **extra) -> dict:
    return {**os.environ, "DISCORD_TOKEN": TOKEN, "ALMANAC_DB": str(tmp_path / "a.db"),
            "ALMANAC_DISCORD_API_BASE": fake.base_url, "ALMANAC_DISCORD_GATEWAY": fake.gateway_url,
            "PYTHONPATH": str(REPO), **extra}


def test_a_refused_token_exits_2_without_loading_the_model_or_printing_it(tmp_path):
    async def scenario():
        async with FakeDiscord(token="the-right-token") as fake:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "almanac", "-v", "bot", cwd=str(tmp_path), env=_env(fake, tmp_path),
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            out, err = await asyncio.wait_for(proc.communicate(), 60)
            return proc.returncode, out.decode(), err.decode()

    status, out, err = asyncio.run(scenario())
    assert status == 2, err
    assert err.rstrip().endswith("almanac: Discord refused DISCORD_TOKEN; reset the token on the application's "
                                 "Bot page and set DISCORD_TOKEN again")
    assert TOKEN not in out + err
    assert "loading the search model" not in err  # failed before the slow part


def test_sigterm_during_start_up_stops_cleanly(tmp_path):
    async def scenario():
        async with FakeDiscord() as fake:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "almanac", "bot", "--no-schedule", cwd=str(tmp_path), env=_env(fake, tmp_path),
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            await fake.wait_until(lambda: fake.requests_to("GET", "/users/@me"), timeout=60)
            proc.send_signal(signal.SIGTERM)  # while the model is loading
            out, err = await asyncio.wait_for(proc.communicate(), 60)
            return proc.returncode, err.decode(), fake

    status, err, fake = asyncio.run(scenario())
    assert status == 0, err
    assert "stopping" in err and "Traceback" not in err


@pytest.fixture
def archive(tmp_path, real_embedder):
    """A config, an embedded archive, a channel subscribed to new entries, and one entry newer than it."""
    (tmp_path / "data").mkdir()
    shutil.copy(SEED, tmp_path / "data" / "entries.txt")
    (tmp_path / "config.toml").write_text(
        '[archive]\nsources = ["data/entries.txt", "data/extra.txt"]\ndb = "data/almanac.db"\n'
        '[site]\nout_dir = "public"\n')
    db = tmp_path / "data" / "almanac.db"
    embed = lambda s: embed_missing(s, real_embedder)  # noqa: E731
    with Store(str(db)) as store:
        assert not ingest(store, ["data/entries.txt"], str(tmp_path), embed=embed).problems
        store.subscribe(CHANNEL_ID, GUILD_ID, "new")
        store.ensure_target(f"channel:{CHANNEL_ID}", "channel")  # the new-entry baseline: now
        time.sleep(1.1)  # stored times have one-second resolution
        (tmp_path / "data" / "extra.txt").write_text(EXTRA)
        assert not ingest(store, ["data/extra.txt"], str(tmp_path), embed=embed).problems
    return tmp_path


def test_almanac_bot_sync_answers_the_jitsu_question_posts_and_stops_on_sigterm(archive):
    async def scenario():
        async with FakeDiscord() as fake:
            env = {
                **os.environ,
                "DISCORD_TOKEN": TOKEN,
                "ALMANAC_CONFIG": str(archive / "config.toml"),
                "ALMANAC_DB": str(archive / "data" / "almanac.db"),
                "ALMANAC_DISCORD_API_BASE": fake.base_url,
                "ALMANAC_DISCORD_GATEWAY": fake.gateway_url,
                "PYTHONPATH": str(REPO),
            }
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "almanac", "-v", "bot", "--sync", cwd=str(archive), env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )
            try:
                await asyncio.wait_for(fake.identified.wait(), 120)
                assert fake.global_commands and not fake.guild_commands  # --sync without --guild: global

                ix = await fake.invoke("ask", {"question": "which paper showed unikernels booting on a DNS request?"})
                [message] = await fake.reply(ix, timeout=30)
                [embed] = message["embeds"]
                assert embed["title"] == "Jitsu: Just-In-Time Summoning of Unikernels"
                assert embed["url"].endswith(f"/entries/{JITSU_PAPER}.html")
                assert {"name": "Kind", "value": "paper", "inline": True} in embed["fields"]
                assert {"name": "Date", "value": "May 2015", "inline": True} in embed["fields"]
                assert "DNS" in embed["description"]

                # The posting jobs run in the bot's process: the subscribed channel gets the new entry.
                posted = await fake.wait_until(lambda: fake.channel_messages[CHANNEL_ID], timeout=60)
                assert posted[0]["embeds"][0]["title"] == "Almanac Bot Test Entry: Announcing New Things"
                await asyncio.sleep(0.5)
            finally:
                if proc.returncode is None:
                    proc.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(proc.communicate(), 30)
            return proc.returncode, out.decode(), err.decode(), fake, ix.token

    status, out, err, fake, interaction_token = asyncio.run(scenario())
    assert status == 0, err
    assert "logged in; loading the search model" in err and "stopping" in err
    assert "DEBUG discord." in err  # -v: discord.py's own debug lines are there...
    assert TOKEN not in out + err and interaction_token not in out + err  # ...and no secret, even at debug level
    assert "Traceback" not in err
    assert len(fake.channel_messages[CHANNEL_ID]) == 1  # once
    assert fake.closed_sockets >= 1  # the gateway connection was closed, not abandoned


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--shard-ids", "0,1"], "--shard-ids needs --shard-count (the total over all bot processes)"),
        (["--shard-count", "2", "--shard-ids", "0,2"],
         "--shard-ids: shard 2 does not exist with --shard-count 2 (ids run from 0 to 1)"),
        (["--shard-count", "2", "--shard-ids", "1,1"], "--shard-ids: '1,1' names a shard twice (see `almanac bot -h`)"),
        (["--shard-count", "0"], "--shard-count: must be a whole number from 1 to 10000, got '0' (see `almanac bot -h`)"),
    ],
)
def test_bad_shard_options_are_one_line_usage_errors(capsys, tmp_path, argv, message):
    assert main(["bot", *argv], env={"DISCORD_TOKEN": TOKEN, "ALMANAC_DB": str(tmp_path / "a.db")}) == 2
    assert capsys.readouterr().err == f"almanac: {message}\n"


def test_two_sharded_bot_processes_answer_their_guilds_and_only_one_posts(archive):
    """`--shard-count 2`: shard 0 in a process that posts, shard 1 in one with --no-schedule.

    The fake routes the guild to shard (guild_id >> 22) % 2 == 1, as Discord
    would, so the non-posting process answers /ask; the posting one announces
    the new entry in the subscribed channel, once.
    """
    assert (GUILD_ID >> 22) % 2 == 1

    async def scenario():
        async with FakeDiscord() as fake:
            env = {**_env(fake, archive), "ALMANAC_CONFIG": str(archive / "config.toml"),
                   "ALMANAC_DB": str(archive / "data" / "almanac.db")}
            procs = [
                await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "almanac", "-v", "bot", "--shard-count", "2", *extra, cwd=str(archive), env=env,
                    stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
                for extra in (["--shard-ids", "0", "--sync"], ["--shard-ids", "1", "--no-schedule"])
            ]
            try:
                await fake.wait_until(lambda: len(fake.identified_shards) == 2, timeout=120)
                assert sorted(fake.identified_shards) == [[0, 2], [1, 2]]
                ix = await fake.invoke("ask", {"question": "which paper showed unikernels booting on a DNS request?"})
                [message] = await fake.reply(ix, timeout=30)
                assert message["embeds"][0]["url"].endswith(f"/entries/{JITSU_PAPER}.html")
                posted = await fake.wait_until(lambda: fake.channel_messages[CHANNEL_ID], timeout=60)
                assert posted[0]["embeds"][0]["title"] == "Almanac Bot Test Entry: Announcing New Things"
                await asyncio.sleep(1.0)
                callbacks = [kind for kind, _ in ix.replies if kind == "callback"]
                return [len(callbacks), len(fake.channel_messages[CHANNEL_ID])], fake, ix.token
            finally:
                for proc in procs:
                    if proc.returncode is None:
                        proc.send_signal(signal.SIGTERM)
                    _, err = await asyncio.wait_for(proc.communicate(), 30)
                    logs.append((proc.returncode, err.decode()))
                for status, err in logs:
                    assert status == 0 and "Traceback" not in err, err

    logs: list[tuple[int, str]] = []
    (replies, channel_posts), fake, interaction_token = asyncio.run(scenario())
    # -v: the answering process (--no-schedule) logs at debug level too, without the interaction's token
    assert all("DEBUG discord." in err and interaction_token not in err and TOKEN not in err for _, err in logs)
    assert replies == 1  # acknowledged by one process, not both
    assert channel_posts == 1  # posted by one process, once
