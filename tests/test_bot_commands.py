"""Every slash command, end to end: the real discord.py client against tests/fake_discord.py.

Mechanics use the deterministic FakeEmbedder; answer quality (the Jitsu
question) lives in test_bot_answers.py with the real model.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import random
import re
import threading
import time

import pytest

from almanac.config import BotConfig, Config, SiteConfig
from almanac.embeddings import embed_missing
from almanac.entry import KINDS
from almanac.ingest import ingest
from almanac.search import Searcher
from bot import render
from bot.client import AlmanacBot
from fake_discord import (ADMIN_PERMISSIONS, CHANNEL_ID, GUILD_ID, OTHER_CHANNEL_ID, FakeDiscord, running)
from fakes import FakeEmbedder

EPHEMERAL = 64
JITSU_PAPER = "jitsu-just-in-time-summoning-of-unikernels-2015-05-paper"
FIXED_NOW = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.timezone.utc)


def config(**bot) -> Config:
    return Config(bot=BotConfig(**{"cooldown_seconds": 0.0, "page_size": 3, **bot}))


def make_bot(store, searcher, cfg=None, **kw) -> AlmanacBot:
    return AlmanacBot(store=store, searcher=searcher, config=cfg or config(), sync=GUILD_ID,
                      guild_ready_timeout=0.05, clock=lambda: FIXED_NOW, rng=random.Random(7), **kw)


@pytest.fixture
def searcher(seeded_store):
    embedder = FakeEmbedder()
    embed_missing(seeded_store, embedder)
    return Searcher(seeded_store, embedder)


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 60))


def embed_of(message: dict) -> dict:
    assert len(message["embeds"]) == 1, message
    return message["embeds"][0]


def payloads_with_mentions(fake: FakeDiscord) -> list[dict]:
    """Every message-bearing request the bot made (callbacks carry theirs under "data")."""
    out = []
    for c in fake.requests:
        if c.method in ("POST", "PATCH") and isinstance(c.json, dict) and c.path.startswith("/api/v10/"):
            body = c.json.get("data", c.json) if "/callback" in c.path else c.json
            if isinstance(body, dict) and ("content" in body or "embeds" in body):
                out.append(body)
    return out


def test_commands_are_synced_with_descriptions_and_choices(seeded_store, searcher):
    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(seeded_store, searcher)):
                assert fake.command_names() == sorted(
                    ["ask", "search", "onthisday", "latest", "random", "entry", "timeline", "feeds", "about", "subscribe",
                     "unsubscribe"])
                for name in fake.command_names():
                    cmd = fake.command(name)
                    assert cmd["description"] and cmd["guild_id"] == str(GUILD_ID)
                    for option in cmd.get("options", []):
                        assert option["description"], (name, option["name"])
                kinds = next(o for o in fake.command("search")["options"] if o["name"] == "kind")
                assert [c["value"] for c in kinds["choices"]] == list(KINDS)
                assert str(fake.command("subscribe")["default_member_permissions"]) == str(1 << 5)
                assert not fake.global_commands  # a guild sync only
    run(scenario())


def test_no_sync_unless_asked(seeded_store):
    async def scenario():
        async with FakeDiscord() as fake:
            bot = AlmanacBot(store=seeded_store, searcher=None, config=config(), guild_ready_timeout=0.05)
            async with running(fake, bot):
                assert not fake.requests_to("PUT", r"/commands$")
    run(scenario())


def test_about_feeds_latest_random(seeded_store, searcher):
    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(seeded_store, searcher)):
                about = embed_of((await fake.reply(await fake.invoke("about")))[0])
                assert "25 entries from 2013–2020" in about["description"]
                assert {"name": "Papers", "value": "5", "inline": True} in about["fields"]

                feeds = embed_of((await fake.reply(await fake.invoke("feeds")))[0])
                assert "http://127.0.0.1:8080/atom.xml" in feeds["description"]
                assert "http://127.0.0.1:8080/onthisday.xml" in feeds["description"]
                assert "http://127.0.0.1:8080/papers.xml" in feeds["description"]
                assert "http://127.0.0.1:8080/anniversaries.ics" in feeds["description"]

                latest = embed_of((await fake.reply(await fake.invoke("latest", {"kind": "paper", "count": 2})))[0])
                assert latest["title"] == "Latest papers"
                lines = latest["description"].splitlines()
                newest = seeded_store.entries(kind="paper", limit=2)
                assert len(lines) == 2 and all(e.title in line for e, line in zip(newest, lines))

                rand = embed_of((await fake.reply(await fake.invoke("random", {"kind": "podcast"})))[0])
                podcasts = {e.title for e in seeded_store.entries(kind="podcast")}
                assert rand["title"] in podcasts
    run(scenario())


def test_timeline_answers_with_the_picture_attached(seeded_store, searcher, monkeypatch):
    import threading

    import bot.commands
    from almanac.timeline import build_timeline, draw

    drawn_on = []

    def drawing(*args):
        drawn_on.append(threading.current_thread() is threading.main_thread())
        return draw(*args)

    monkeypatch.setattr(bot.commands, "draw", drawing)

    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(seeded_store, searcher)):
                ix = await fake.invoke("timeline")
                [msg] = await fake.reply(ix, timeout=30)
                assert ix.callback["type"] == 5  # deferred first: drawing takes a moment
                [attachment] = msg["attachments"]
                assert attachment["filename"] == "timeline.png" and attachment["size"] < 8 * 1024 * 1024
                embed = embed_of(msg)
                assert embed["title"] == "The archive over time" and embed["image"]["url"] == "attachment://timeline.png"
                expected = build_timeline(seeded_store.entries(), FIXED_NOW.date())
                assert embed["description"] == expected.summary()
                [upload] = [c.json for c in fake.requests_to("POST", r"/webhooks/") if c.json.get("_files")]
                assert upload["_files"][0]["data"] == draw(expected, "png")  # a PNG, the same as the CLI's
                assert attachment["size"] == len(upload["_files"][0]["data"])
                assert upload["allowed_mentions"] == {"parse": []}

                ix = await fake.invoke("timeline", {"kind": "paper"})
                msg = (await fake.reply(ix, timeout=30))[0]
                assert embed_of(msg)["title"] == "Papers over time"
                assert embed_of(msg)["description"].startswith("5 entries from 2013–2019 (5 papers)")
    run(scenario())
    assert drawn_on == [False, False]  # drawn in a worker thread, never on the event loop


def test_timeline_of_an_empty_archive_says_so_privately(store):
    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(store, None)):
                msg = (await fake.reply(await fake.invoke("timeline", {"kind": "video"})))[0]
                assert msg["content"] == "There are no video entries in the archive yet." and msg["flags"] & EPHEMERAL
                assert not fake.requests_to("POST", r"/webhooks/")  # nothing deferred, nothing drawn
    run(scenario())


def test_entry_by_id_and_unknown_id(seeded_store, searcher):
    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(seeded_store, searcher)):
                msg = (await fake.reply(await fake.invoke("entry", {"id": JITSU_PAPER})))[0]
                embed = embed_of(msg)
                assert embed["title"] == "Jitsu: Just-In-Time Summoning of Unikernels"
                assert embed["url"] == f"http://127.0.0.1:8080/entries/{JITSU_PAPER}.html"
                assert f"alm:like:{JITSU_PAPER}" in fake.custom_ids(msg)

                ix = await fake.invoke("entry", {"id": "no-such-entry"})
                await fake.wait_until(lambda: ix.callback)
                assert ix.callback["type"] == 4 and ix.callback["data"]["flags"] == EPHEMERAL
                assert ix.callback["data"]["content"] == (
                    "No entry has the id “no-such-entry”. Start typing a title and pick one from the list, or use `/search`.")
    run(scenario())


def test_entry_autocomplete_from_memory(seeded_store, searcher, tmp_path):
    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(seeded_store, searcher)):
                choices = await fake.autocomplete("entry", "id", "jitsu")
                jitsu = sorted(e.id for e in seeded_store.entries() if "jitsu" in e.title.lower())
                assert len(jitsu) == 3 and sorted(c["value"] for c in choices) == jitsu
                assert [c["value"] for c in await fake.autocomplete("entry", "id", "Jitsu 2015 paper")] == [JITSU_PAPER]
                assert all(len(c["name"]) <= 100 for c in choices)
                # Everything matches an empty prefix; Discord takes at most 25.
                assert len(await fake.autocomplete("entry", "id", "")) == 25
                assert await fake.autocomplete("entry", "id", "zzzz nothing") == []
    run(scenario())


def test_onthisday_today_given_date_and_bad_date(seeded_store, searcher):
    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(seeded_store, searcher)):
                # FIXED_NOW is 1 May 2026: entries dated to May of earlier years fall on the 1st.
                today = embed_of((await fake.reply(await fake.invoke("onthisday")))[0])
                assert today["title"] == "On this day: 1 May 2026"
                assert "**11 years ago** · [Jitsu: Just-In-Time Summoning of Unikernels]" in today["description"]

                other = embed_of((await fake.reply(await fake.invoke("onthisday", {"date": "2030-08-01"})))[0])
                assert "MirageOS 4" in other["description"] and "11 years ago" in other["description"]

                empty = embed_of((await fake.reply(await fake.invoke("onthisday", {"date": "2026-12-25"})))[0])
                assert empty["description"].startswith("No anniversaries in the archive on this day.")

                for bad in ("tomorrow", "2026-13-01", "1 May 2026", "2026-5-1"):
                    ix = await fake.invoke("onthisday", {"date": bad})
                    await fake.wait_until(lambda: ix.callback)
                    assert ix.callback["data"]["flags"] == EPHEMERAL
                    assert ix.callback["data"]["content"] == (
                        f"“{bad}” is not a date. Use YYYY-MM-DD, for example 2026-05-04, or leave it out for today.")
    run(scenario())


def test_ask_answers_with_one_embed_and_persistent_buttons(seeded_store, searcher):
    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(seeded_store, searcher)):
                for question in ("Jitsu unikernels NSDI", "MirageOS unikernels"):
                    hits = searcher.search(question, limit=5).hits
                    ix = await fake.invoke("ask", {"question": question})
                    msg = (await fake.reply(ix))[0]
                    assert ix.callback["type"] == 5  # deferred first: search runs in a thread
                    embed = embed_of(msg)
                    assert embed["title"] == hits[0].entry.title
                    also = next((f["value"] for f in embed["fields"] if f["name"] == "Also relevant"), "")
                    assert also.count("\n") + 1 == min(len(hits) - 1, 3) or (len(hits) == 1 and not also)
                    # "More results" only when there are more than the four shown.
                    more = [f"alm:more:4:::{question}"] if len(hits) > 4 else []
                    assert fake.custom_ids(msg) == [f"alm:like:{hits[0].entry.id}"] + more
                assert more  # the second question has more than four hits
                click = await fake.click(msg, more[0])
                page = embed_of((await fake.reply(click))[0])
                assert page["description"].startswith("**5.** [")
                assert page["footer"]["text"].startswith("Results 5–")  # not "Page 1", as it was
    run(scenario())


def test_ask_empty_archive_says_so_kindly(store):
    async def scenario():
        searcher = Searcher(store, FakeEmbedder())
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(store, searcher)):
                msg = (await fake.reply(await fake.invoke("ask", {"question": "how do I bake bread?"})))[0]
                assert msg["embeds"] == []
                assert msg["content"] == ("I couldn't find anything in the archive that answers “how do I bake bread?”. "
                                          "Try `/search` with a few keywords, or `/latest` to see what's new.")
                # The member's words come back as typed: no disguised link, spoiler or mention of a role.
                bait = "[Claim your free Nitro](https://evil.example/login) ||spoiler|| <@&1234> @everyone"
                msg = (await fake.reply(await fake.invoke("ask", {"question": bait})))[0]
                assert "“\\[Claim your free Nitro\\](https://evil.example/login) \\|\\|spoiler\\|\\| " in msg["content"]
                assert "<@&1234>" not in msg["content"] and "@everyone" not in msg["content"]
    run(scenario())


def test_everyone_and_huge_question_ping_nobody_and_fit(seeded_store, searcher):
    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(seeded_store, searcher)):
                ix = await fake.invoke("ask", {"question": "@everyone @here <@&123> unikernels Jitsu"})
                msg = (await fake.reply(ix))[0]
                assert "@everyone" in embed_of(msg)["footer"]["text"]

                huge = "unikernel " * 2000 + "@everyone"
                ix = await fake.invoke("ask", {"question": huge})
                msg = (await fake.reply(ix))[0]
                embed = embed_of(msg)
                assert render.embed_length(embed) <= 6000 and len(embed["footer"]["text"]) <= 2048
                assert all(len(i) <= 100 for i in fake.custom_ids(msg))

                ix = await fake.invoke("search", {"query": "@everyone unikernels"})
                await fake.reply(ix)

                sent = payloads_with_mentions(fake)
                assert len(sent) >= 3
                for body in sent:
                    assert body["allowed_mentions"] == {"parse": []}, body
    run(scenario())


def test_search_pages_with_buttons(seeded_store, searcher):
    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(seeded_store, searcher, config(page_size=2))):
                ix = await fake.invoke("search", {"query": "unikernels", "kind": "talk"})
                msg = (await fake.reply(ix))[0]
                first = embed_of(msg)
                assert first["title"] == "Results for “unikernels” (talks)"
                assert first["description"].startswith("**1.** [") and "**2.** [" in first["description"]
                assert "**3.**" not in first["description"] and first["footer"]["text"] == "Results 1–2 · more below"
                assert fake.custom_ids(msg) == ["alm:next:2:talk::unikernels"]

                click = await fake.click(msg, "alm:next:2:talk::unikernels")
                await fake.wait_until(lambda: any(k == "edit" for k, _ in click.replies))
                assert click.callback["type"] == 6  # an update of the same message
                page2 = click.original
                assert embed_of(page2)["description"].startswith("**3.** [")
                assert embed_of(page2)["footer"]["text"].startswith("Results 3–4")
                assert "alm:prev:0:talk::unikernels" in fake.custom_ids(page2)
                titles = [l for l in first["description"].splitlines() + embed_of(page2)["description"].splitlines()
                          if l.startswith("**")]
                assert all(" · talk · " in t for t in titles)

                ix = await fake.invoke("search", {"query": "unikernels", "year": 1999})
                msg = (await fake.reply(ix))[0]
                assert msg["content"] == ("No entries in 1999; the next after was in March 2013: Unikernels: library "
                                          "operating systems for the cloud. Try `/search` with other words, or `/latest`.")

                ix = await fake.invoke("search", {"query": "xylophone quartz", "kind": "news"})
                msg = (await fake.reply(ix))[0]
                assert msg["content"] == "Nothing in the archive matches “xylophone quartz” with kind news. Try other words, or `/latest`."
    run(scenario())


def test_buttons_work_after_a_restart(seeded_store, searcher):
    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(seeded_store, searcher)):
                msg = (await fake.reply(await fake.invoke("ask", {"question": "MirageOS unikernels"})))[0]
            # A new process: nothing of the old bot's memory survives, only the message's custom ids.
            async with running(fake, make_bot(seeded_store, searcher)):
                like_id, more_id = fake.custom_ids(msg)
                like = await fake.click(msg, like_id)
                reply = (await fake.reply(like))[0]
                assert like.callback["data"]["flags"] == EPHEMERAL
                embed = embed_of(reply)
                assert embed["title"] == f"More like “{embed_of(msg)['title']}”"
                assert embed["description"].count("\n") == 4  # five similar entries

                more = await fake.click(msg, more_id)
                reply = (await fake.reply(more))[0]
                assert embed_of(reply)["description"].startswith("**5.** [")
    run(scenario())


def test_cooldown_is_per_member_and_friendly(seeded_store, searcher):
    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(seeded_store, searcher, config(cooldown_seconds=60))):
                await fake.reply(await fake.invoke("ask", {"question": "Jitsu"}))
                again = await fake.invoke("ask", {"question": "Jitsu again"})
                await fake.wait_until(lambda: again.callback)
                assert again.callback["data"]["flags"] == EPHEMERAL
                assert again.callback["data"]["content"].startswith("Easy there! You can search again in ")
                other = await fake.invoke("ask", {"question": "Jitsu"}, user_id=4242)
                assert embed_of((await fake.reply(other))[0])
    run(scenario())


class BrokenSearcher:
    def search(self, *args, **kwargs):
        raise RuntimeError("index exploded")

    def similar(self, *args, **kwargs):
        raise RuntimeError("index exploded")


def test_errors_become_a_private_message_and_a_log_line(seeded_store, caplog):
    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(seeded_store, BrokenSearcher())):
                ix = await fake.invoke("ask", {"question": "anything"})
                msg = (await fake.reply(ix))[0]
                assert msg["content"] == "Something went wrong on my side and it has been logged. Please try again in a moment."
                assert msg["flags"] == EPHEMERAL
                assert any(k == "delete" for k, _ in ix.replies)  # the public "thinking…" is removed
    with caplog.at_level(logging.ERROR, logger="almanac.bot"):
        run(scenario())
    assert any("error in ask for user" in r.getMessage() and "index exploded" in r.getMessage() for r in caplog.records)


def test_a_429_on_the_followup_is_retried(seeded_store, searcher):
    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(seeded_store, searcher)):
                fake.fail_next("POST", r"^/api/v10/webhooks/\d+/ixtoken", status=429)
                ix = await fake.invoke("ask", {"question": "Jitsu unikernels NSDI"})
                msg = (await fake.reply(ix))[0]
                assert "Jitsu" in embed_of(msg)["title"]
                attempts = fake.requests_to("POST", rf"^/api/v10/webhooks/\d+/{ix.token}$")
                assert len(attempts) == 2
                assert "Authorization" not in attempts[0].headers
    run(scenario())


def test_subscribe_needs_manage_server_and_is_stored(seeded_store, searcher):
    channel = {"channels": {str(CHANNEL_ID): {"id": str(CHANNEL_ID), "type": 0, "name": "channel-4",
                                               "permissions": str(ADMIN_PERMISSIONS), "guild_id": str(GUILD_ID)}}}

    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(seeded_store, searcher)):
                ix = await fake.invoke("subscribe", {"channel": str(CHANNEL_ID), "posts": "anniversaries"},
                                       resolved=channel)
                await fake.wait_until(lambda: ix.callback)
                assert ix.callback["data"]["flags"] == EPHEMERAL
                assert ix.callback["data"]["content"] == "You need the Manage Server permission to change where I post."
                assert seeded_store.subscriptions() == []

                ix = await fake.invoke("subscribe", {"channel": str(CHANNEL_ID), "posts": "anniversaries"},
                                       permissions=ADMIN_PERMISSIONS, resolved=channel)
                msg = (await fake.reply(ix))[0]
                assert msg["content"] == f"<#{CHANNEL_ID}> will now get anniversary posts."
                [sub] = seeded_store.subscriptions()
                assert (sub.channel_id, sub.guild_id, sub.posts) == (CHANNEL_ID, GUILD_ID, "anniversaries")

                ix = await fake.invoke("unsubscribe", {"channel": str(CHANNEL_ID)}, permissions=ADMIN_PERMISSIONS,
                                       resolved=channel)
                assert (await fake.reply(ix))[0]["content"] == f"<#{CHANNEL_ID}> will get no more posts."
                assert seeded_store.subscriptions() == []

                ix = await fake.invoke("unsubscribe", {"channel": str(CHANNEL_ID)}, permissions=ADMIN_PERMISSIONS,
                                       resolved=channel)
                await fake.wait_until(lambda: ix.callback)
                assert ix.callback["data"]["content"] == f"<#{CHANNEL_ID}> was not subscribed."
    run(scenario())


def test_button_errors_and_cooldowns_are_reported_privately(seeded_store, searcher, caplog):
    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(seeded_store, searcher)):
                msg = (await fake.reply(await fake.invoke("ask", {"question": "MirageOS unikernels"})))[0]
            like_id, more_id = fake.custom_ids(msg)
            async with running(fake, make_bot(seeded_store, BrokenSearcher(), config(cooldown_seconds=60))):
                click = await fake.click(msg, like_id)
                reply = (await fake.reply(click))[0]
                assert reply["content"] == "Something went wrong on my side and it has been logged. Please try again in a moment."
                assert reply["flags"] == EPHEMERAL
                again = await fake.click(msg, more_id)
                await fake.wait_until(lambda: again.callback)
                assert again.callback["data"]["flags"] == EPHEMERAL
                assert again.callback["data"]["content"].startswith("Easy there! You can search again in ")
    with caplog.at_level(logging.ERROR, logger="almanac.bot"):
        run(scenario())
    assert any("error in alm:like:" in r.getMessage() and "index exploded" in r.getMessage() for r in caplog.records)


def test_subscriptions_reach_the_posting_jobs_at_once(seeded_store, searcher):
    channel = {"channels": {str(OTHER_CHANNEL_ID): {"id": str(OTHER_CHANNEL_ID), "type": 0, "name": "channel-5",
                                                     "permissions": str(ADMIN_PERMISSIONS), "guild_id": str(GUILD_ID)}}}

    async def scenario():
        async with FakeDiscord() as fake:
            bot = make_bot(seeded_store, searcher)
            async with running(fake, bot):
                assert bot.channels.publishers() == []
                ix = await fake.invoke("subscribe", {"channel": str(OTHER_CHANNEL_ID), "posts": "both"},
                                       permissions=ADMIN_PERMISSIONS, resolved=channel)
                await fake.reply(ix)
                [publisher] = bot.channels.publishers()
                assert publisher.key == f"channel:{OTHER_CHANNEL_ID}" and publisher.wants == {"anniversary", "new"}
                ix = await fake.invoke("unsubscribe", {"channel": str(OTHER_CHANNEL_ID)}, permissions=ADMIN_PERMISSIONS,
                                       resolved=channel)
                await fake.reply(ix)
                assert bot.channels.publishers() == []
    run(scenario())


def test_a_dropped_gateway_connection_is_resumed(seeded_store, searcher):
    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(seeded_store, searcher), reconnect=True):
                await fake.disconnect_all()
                await fake.wait_until(lambda: fake.resumes == 1 and fake._sockets, timeout=20)
                about = embed_of((await fake.reply(await fake.invoke("about")))[0])
                assert about["title"] == "About Almanac"
    run(scenario())


# Talks whose titles are full of code markup (each "_" and "`" escaped doubles it) on a site under a
# long address: a page of ten such results, with their matched sentences, is longer than Discord's
# 4096-character description, and three of them longer than a field's 1024 characters.
CODE_QUERY = "metaclasses and descriptors in production"
LONG_BASE = "https://talks.example-university.edu/~jdoe/almanac/"


@pytest.fixture
def code_talks(store, tmp_path):
    talks = [{"title": f"`__init__`, `__new__`, `__call__`, `__init_subclass__`, `__set_name__`, `__class_getitem__`, "
                       f"`__getattr__`: part {i}, *metaclasses* and [descriptors] in production",
              "date": f"2018-{i % 12 + 1:02d}", "kind": "talk",
              "summary": f"Part {i}: metaclasses and descriptors in production, from attribute lookup and class "
                         "creation to caching, validation, serialisation and performance."} for i in range(30)]
    (tmp_path / "talks.json").write_text(json.dumps(talks))
    report = ingest(store, [str(tmp_path / "talks.json")], str(tmp_path))
    assert not report.problems and report.total("added") == 30
    embedder = FakeEmbedder()
    embed_missing(store, embedder)
    return Searcher(store, embedder)


def numbers_shown(embed: dict) -> list[int]:
    return [int(n) for n in re.findall(r"^\*\*(\d+)\.\*\*", embed["description"], re.MULTILINE)]


def ids_shown(text: str) -> list[str]:
    return re.findall(r"/entries/([^)]+)\.html\)", text)


def test_pages_of_long_results_leave_none_out(store, code_talks):
    """page_size 10, and only 8 of these results fit one description: the footer said "Results
    1–10" and the next page started at the 11th, so the 9th and 10th were on no page."""
    cfg = Config(site=SiteConfig(base_url=LONG_BASE), bot=BotConfig(cooldown_seconds=0.0, page_size=10))

    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(store, code_talks, cfg)):
                msg = (await fake.reply(await fake.invoke("search", {"query": CODE_QUERY})))[0]
                pages, ids = [], []
                while True:
                    embed = embed_of(msg)
                    shown = numbers_shown(embed)
                    pages.append(shown)
                    ids += ids_shown(embed["description"])
                    assert embed["footer"]["text"].startswith(f"Results {shown[0]}–{shown[-1]}")
                    following = [c for c in fake.custom_ids(msg) if c.startswith("alm:next:")]
                    if not following:
                        break
                    assert following == [f"alm:next:{shown[-1]}:::{CODE_QUERY}"]
                    click = await fake.click(msg, following[0])
                    await fake.wait_until(lambda: any(k == "edit" for k, _ in click.replies))
                    msg = click.original
                return pages, ids

    pages, ids = run(scenario())
    assert len(pages[0]) < 10  # the case at hand: a full page did not fit
    assert [n for page in pages for n in page] == list(range(1, 31))
    assert sorted(ids) == sorted(e.id for e in store.entries())


def test_more_results_after_ask_starts_after_the_last_one_shown(store, code_talks):
    """Only two "also relevant" fit the field: "More results" started at the fifth, and the fourth
    hit was shown nowhere."""
    cfg = Config(site=SiteConfig(base_url=LONG_BASE), bot=BotConfig(cooldown_seconds=0.0))
    hits = code_talks.search(CODE_QUERY, limit=5).hits

    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(store, code_talks, cfg)):
                msg = (await fake.reply(await fake.invoke("ask", {"question": CODE_QUERY})))[0]
                [also] = [f["value"] for f in embed_of(msg)["fields"] if f["name"] == "Also relevant"]
                assert ids_shown(also) == [h.entry.id for h in hits[1:3]]  # the case at hand: a third did not fit
                assert f"alm:more:3:::{CODE_QUERY}" in fake.custom_ids(msg)
                click = await fake.click(msg, f"alm:more:3:::{CODE_QUERY}")
                return embed_of((await fake.reply(click))[0])

    page = run(scenario())
    assert page["description"].startswith("**4.** [") and ids_shown(page["description"])[0] == hits[3].entry.id
    assert page["footer"]["text"].startswith("Results 4–")


def test_the_note_of_an_empty_filter_shows_an_entry_title_as_written(store, tmp_path):
    """The note names the latest entry by its title, archive text: it came out as a disguised link,
    a spoiler and a role mention in a public message."""
    title = "Why __init__ matters: [free Nitro](https://evil.example/login) ||spoiler|| <@&1234> @everyone"
    (tmp_path / "talk.json").write_text(json.dumps(
        [{"title": title, "date": "2024-06", "kind": "talk", "summary": "A talk about Python constructors."}]))
    assert not ingest(store, [str(tmp_path / "talk.json")], str(tmp_path)).problems
    embedder = FakeEmbedder()
    embed_missing(store, embedder)

    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(store, Searcher(store, embedder))):
                search = (await fake.reply(await fake.invoke("search", {"query": "talks", "year": 2030})))[0]
                ask = (await fake.reply(await fake.invoke("ask", {"question": "talks from 2099"})))[0]
                return search["content"], ask["content"]

    search, ask = run(scenario())
    shown = ("Why \\_\\_init\\_\\_ matters: \\[free Nitro\\](https://evil.example/login) \\|\\|spoiler\\|\\| "
             "\\<@&1234\\> @\u200beveryone")
    assert search == (f"No talks in 2030; the latest before was in June 2024: {shown}. "
                      "Try `/search` with other words, or `/latest`.")
    assert ask == (f"No talks in 2099; the latest before was in June 2024: {shown}. "
                   "Try `/search` with other words, or `/latest`.")


class SlowStore:
    """The store with every full read of the entries as slow as at 100,000 entries (a second
    there, 0.2 s here), noting each time whether Discord had been answered by then: the member
    gets "thinking…" within the 3 seconds only if the command deferred before reading."""

    def __init__(self, store, fake: FakeDiscord):
        self._store, self._fake = store, fake
        self.answered_first: list[bool] = []

    def entries(self, kind=None, year=None, limit=None):
        if limit is None:
            latest = list(self._fake.interactions.values())[-1]
            self.answered_first.append(latest.callback is not None)
            time.sleep(0.2)
        return self._store.entries(kind, year, limit)

    def __getattr__(self, name):
        return getattr(self._store, name)


def test_commands_that_read_every_entry_defer_first(seeded_store, monkeypatch):
    import bot.commands
    from almanac.timeline import build_timeline

    built_on_loop = []

    def building(*args, **kwargs):
        built_on_loop.append(threading.current_thread() is threading.main_thread())
        return build_timeline(*args, **kwargs)

    monkeypatch.setattr(bot.commands, "build_timeline", building)

    async def scenario():
        async with FakeDiscord() as fake:
            slow = SlowStore(seeded_store, fake)
            async with running(fake, make_bot(slow, None)):
                for name in ("about", "feeds", "random", "onthisday", "timeline"):
                    ix = await fake.invoke(name)
                    [msg] = await fake.reply(ix, timeout=30)
                    assert ix.callback["type"] == 5 and embed_of(msg), name
            return slow.answered_first

    assert run(scenario()) == [True] * 5
    assert built_on_loop == [False]  # the timeline is counted in a worker thread too


LONG_QUESTION = ("which talks did he give about unikernels and MirageOS at conferences in the United States "
                 "between 2014 and 2016?")


def ids_on(message: dict) -> list[str]:
    """The entries a message links to: an answer's title and "Also relevant", a page's lines."""
    embed = embed_of(message)
    found = ids_shown(f"({embed['url']})") if embed.get("url") else []
    return found + ids_shown(embed.get("description") or "") + [
        i for f in embed.get("fields", []) for i in ids_shown(f["value"])]


def test_the_buttons_after_a_long_question_go_on_with_that_question(seeded_store, searcher):
    """A custom_id holds 100 characters: the buttons searched the question cut to 87, which ranks
    otherwise, and "More results" or the next page showed again entries already shown (the
    reviewer's question gave 5-9 with two of 1-4 among them). They read it back from the message,
    whole up to 180 characters, after a restart too."""
    ranking = [h.entry.id for h in searcher.search(LONG_QUESTION, limit=20).hits]
    cfg = config(page_size=5)

    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(seeded_store, searcher, cfg)):
                answer = (await fake.reply(await fake.invoke("ask", {"question": LONG_QUESTION})))[0]
                first = (await fake.reply(await fake.invoke("search", {"query": LONG_QUESTION})))[0]
            [more] = [c for c in fake.custom_ids(answer) if c.startswith("alm:more:")]
            [following] = fake.custom_ids(first)
            assert LONG_QUESTION not in more and LONG_QUESTION not in following  # the case at hand: cut
            async with running(fake, make_bot(seeded_store, searcher, cfg)):  # a new process
                page = (await fake.reply(await fake.click(answer, more)))[0]
                click = await fake.click(first, following)
                await fake.wait_until(lambda: any(k == "edit" for k, _ in click.replies))
                return answer, page, first, click.original

    answer, more, first, second = run(scenario())
    shown = ids_on(answer)
    assert shown == ranking[:len(shown)]
    assert ids_on(more) == ranking[len(shown):len(shown) + 5]
    assert embed_of(more)["description"].startswith(f"**{len(shown) + 1}.** [")
    assert ids_on(first) == ranking[:5] and ids_on(second) == ranking[5:10]
    assert embed_of(second)["description"].startswith("**6.** [")


def test_a_question_too_long_to_read_back_shows_no_entry_twice(seeded_store, searcher):
    """Past 180 characters the message shows the question clipped too: the buttons search the cut
    one, and leave out what the clicked message shows."""
    question = LONG_QUESTION + (" and anything else at all about Xen, Docker, Jitsu, Irmin, Nymote, OCaml and "
                                "functional operating systems, papers and podcasts included")
    assert len(question) > 200

    async def scenario():
        async with FakeDiscord() as fake:
            async with running(fake, make_bot(seeded_store, searcher, config(page_size=5))):
                answer = (await fake.reply(await fake.invoke("ask", {"question": question})))[0]
                [more] = [c for c in fake.custom_ids(answer) if c.startswith("alm:more:")]
                page = (await fake.reply(await fake.click(answer, more)))[0]
                first = (await fake.reply(await fake.invoke("search", {"query": question})))[0]
                click = await fake.click(first, fake.custom_ids(first)[0])
                await fake.wait_until(lambda: any(k == "edit" for k, _ in click.replies))
                return answer, page, first, click.original

    answer, more, first, second = run(scenario())
    footer = embed_of(answer)["footer"]["text"]
    assert footer.startswith("Asked: which talks") and "… · id " in footer  # the case at hand: clipped there too
    shown = ids_on(answer)
    assert ids_on(more) and not set(ids_on(more)) & set(shown)
    assert numbers_shown(embed_of(more))[0] == len(shown) + 1
    assert len(ids_on(second)) == 5 and not set(ids_on(second)) & set(ids_on(first))
    assert numbers_shown(embed_of(second)) == [6, 7, 8, 9, 10]
