"""Answer quality through the bot, with the real bundled model (loaded once per session)."""

from __future__ import annotations

import asyncio

import pytest

from almanac.embeddings import embed_missing
from almanac.search import Searcher
from fake_discord import FakeDiscord, running
from test_bot_commands import EPHEMERAL, JITSU_PAPER, embed_of, make_bot


@pytest.fixture
def real_searcher(seeded_store, real_embedder):
    embed_missing(seeded_store, real_embedder)
    return Searcher(seeded_store, real_embedder)


def test_real_answers_through_discord(seeded_store, real_searcher):
    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(seeded_store, real_searcher)):
                ix = await fake.invoke("ask", {"question": "which paper showed unikernels booting on a DNS request?"})
                [msg] = await fake.reply(ix)
                embed = embed_of(msg)
                assert embed["url"].endswith(f"/entries/{JITSU_PAPER}.html")
                assert embed["title"] == "Jitsu: Just-In-Time Summoning of Unikernels"

                # "More like this" on the paper finds its talk.
                like = await fake.click(msg, f"alm:like:{JITSU_PAPER}")
                [similar] = await fake.reply(like)
                assert like.callback["data"]["flags"] == EPHEMERAL
                assert "/entries/jitsu-just-in-time-summoning-of-unikernels-2015-05-talk.html" in embed_of(similar)["description"]

                # Off-topic: said kindly, no embed pretending to be an answer.
                ix = await fake.invoke("ask", {"question": "how do I bake bread?"})
                [msg] = await fake.reply(ix)
                assert msg["embeds"] == []
                assert msg["content"].startswith("I couldn't find anything in the archive that answers “how do I bake bread?”.")
    asyncio.run(asyncio.wait_for(scenario(), 60))
