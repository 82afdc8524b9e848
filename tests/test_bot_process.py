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
import signal
import sys

import pytest

from almanac.cli import main
from almanac.embeddings import embed_missing
from almanac.ingest import ingest
from almanac.store import Store
from conftest import REPO, SEED
from fake_discord import FakeDiscord

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


@pytest.fixture
def embedded_db(tmp_path, real_embedder):
    path = tmp_path / "bot.db"
    with Store(str(path)) as store:
        report = ingest(store, [str(SEED)], str(REPO), embed=lambda s: embed_missing(s, real_embedder))
        assert not report.problems
    return path


def test_almanac_bot_sync_answers_the_jitsu_question_and_stops_on_sigterm(embedded_db, tmp_path):
    async def scenario():
        async with FakeDiscord() as fake:
            env = {
                **os.environ,
                "DISCORD_TOKEN": TOKEN,
                "ALMANAC_DB": str(embedded_db),
                "ALMANAC_DISCORD_API_BASE": fake.base_url,
                "ALMANAC_DISCORD_GATEWAY": fake.gateway_url,
                "PYTHONPATH": str(REPO),
            }
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "almanac", "bot", "--sync", cwd=str(tmp_path), env=env,
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
            finally:
                if proc.returncode is None:
                    proc.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(proc.communicate(), 30)
            return proc.returncode, out.decode(), err.decode(), fake

    status, out, err, fake = asyncio.run(scenario())
    assert status == 0, err
    assert "stopping" in err
    assert TOKEN not in out + err
    assert "Traceback" not in err
    assert fake.closed_sockets >= 1  # the gateway connection was closed, not abandoned
