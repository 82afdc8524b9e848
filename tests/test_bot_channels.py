"""Subscribed channels receive anniversary posts through the bot, once, via the ledger."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest

from almanac import anniversaries
from almanac.config import BotConfig, Config
from almanac.ingest import ingest
from almanac.posting import PermanentFailure, Post, Poster, PostingPolicy, RetryLater
from bot.channels import ChannelPublisher, channel_publishers
from bot.client import AlmanacBot
from fake_discord import ADMIN_PERMISSIONS, CHANNEL_ID, GUILD_ID, OTHER_CHANNEL_ID, FakeDiscord, running
from test_bot_commands import make_bot

# 1 May 2026, after the 09:00 post time: May-2015 entries have their 11th anniversary.
NOW = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.timezone.utc)


def bot_for(store) -> AlmanacBot:
    return AlmanacBot(store=store, searcher=None, config=Config(bot=BotConfig(cooldown_seconds=0)), guild_ready_timeout=0.05)


def test_a_subscribed_channel_gets_each_anniversary_once(seeded_store):
    seeded_store.subscribe(CHANNEL_ID, GUILD_ID, "anniversaries")
    seeded_store.subscribe(OTHER_CHANNEL_ID, GUILD_ID, "new")  # wants no anniversaries
    poster = Poster(seeded_store, "https://almanac.example/", PostingPolicy(), clock=lambda: NOW)

    async def scenario():
        async with FakeDiscord() as fake:
            bot = bot_for(seeded_store)
            async with running(fake, bot):
                publishers = channel_publishers(bot, seeded_store.subscriptions())
                assert [p.key for p in publishers] == [f"channel:{CHANNEL_ID}", f"channel:{OTHER_CHANNEL_ID}"]
                first = await poster.post_due(NOW, publishers)
                second = await poster.post_due(NOW + dt.timedelta(minutes=30), channel_publishers(bot, seeded_store.subscriptions()))
                return fake, first, second

    fake, first, second = asyncio.run(scenario())
    due = anniversaries.on(seeded_store.entries(), NOW.date())
    may_2015 = sorted(a.entry.id for a in due)
    posted = fake.channel_messages[CHANNEL_ID]
    assert sorted(s[1] for s in first.sent) == may_2015 and len(posted) == len(may_2015) >= 2
    assert second.sent == [] and len(fake.channel_messages[CHANNEL_ID]) == len(may_2015)
    assert fake.channel_messages[OTHER_CHANNEL_ID] == []
    titles = {m["embeds"][0]["title"] for m in posted}
    assert "Jitsu: Just-In-Time Summoning of Unikernels" in titles
    years = {a.entry.title: a.years_ago for a in due}
    for message in posted:
        embed = message["embeds"][0]
        assert f"{years[embed['title']]} years ago this month**" in embed["description"].split("\n")[0]
        assert embed["url"].startswith("https://almanac.example/entries/")
    for request in fake.requests_to("POST", rf"/channels/{CHANNEL_ID}/messages$"):
        assert request.json["allowed_mentions"] == {"parse": []}
        assert request.json["enforce_nonce"] is True and len(request.json["nonce"]) == 20
        assert request.headers["Authorization"] == "Bot fake-token"


def _post(store) -> Post:
    entry = store.get("jitsu-just-in-time-summoning-of-unikernels-2015-05-paper")
    return Post(entry, "anniversary:2026-05-01", 11, False, "https://almanac.example/x.html", "n" * 20)


def test_channel_publisher_maps_discord_errors(seeded_store):
    async def scenario():
        async with FakeDiscord() as fake:
            bot = bot_for(seeded_store)
            async with running(fake, bot):
                publisher = ChannelPublisher(bot, CHANNEL_ID, frozenset({"anniversary"}))
                # A 429 with Via: discord.py waits retry_after and retries inline; delivered once.
                fake.fail_next("POST", rf"/channels/{CHANNEL_ID}/messages$", status=429)
                message_id = await publisher.send(_post(seeded_store))
                assert message_id == fake.channel_messages[CHANNEL_ID][0]["id"]
                # The same nonce again (a resend after a crash): Discord returns the same message.
                assert await publisher.send(_post(seeded_store)) == message_id
                assert len(fake.channel_messages[CHANNEL_ID]) == 1

                fake.fail_next("POST", rf"/channels/{CHANNEL_ID}/messages$", status=403,
                               body={"message": "Missing Permissions", "code": 50013})
                with pytest.raises(PermanentFailure, match="403"):
                    await publisher.send(_post(seeded_store))

                gone = ChannelPublisher(bot, 12345, frozenset({"anniversary"}))
                with pytest.raises(PermanentFailure, match="404"):
                    await gone.send(_post(seeded_store))

                # A 429 longer than the send timeout: discord.py sleeps it out inside the send, and
                # the timeout that cuts the sleep short is a refusal, not an unknown outcome.
                fake.fail_next("POST", rf"/channels/{CHANNEL_ID}/messages$", status=429,
                               body={"message": "You are being rate limited.", "retry_after": 30, "global": False})
                with pytest.raises(RetryLater, match="answered 429 for channel"):
                    await asyncio.wait_for(publisher.send(_post(seeded_store)), 0.5)

                fake.fail_next("POST", rf"/channels/{CHANNEL_ID}/messages$", status=503, body={"message": "down"},
                               times=5)
                with pytest.raises(RetryLater):
                    await publisher.send(_post(seeded_store))
    asyncio.run(asyncio.wait_for(scenario(), 60))


def test_a_corrected_entry_edits_its_channel_message_and_a_removed_one_is_deleted(store, tmp_path):
    """PATCH and DELETE /channels/{id}/messages/{id} through the bot; a message deleted in Discord is gone."""
    from tests.archive_file import ESPER, FUNCTORS, Archive

    archive = Archive(store, tmp_path)
    store.subscribe(CHANNEL_ID, GUILD_ID, "anniversaries")
    poster = Poster(store, "https://almanac.example/", PostingPolicy(on_removed="delete"), clock=lambda: NOW)
    jitsu = "jitsu-just-in-time-summoning-of-unikernels-2015-05-talk"

    async def scenario():
        async with FakeDiscord() as fake:
            bot = bot_for(store)
            async with running(fake, bot):
                await poster.post_due(NOW, channel_publishers(bot, store.subscriptions()))
                ids = {r.entry_id: r.message_id for r in store.posts(target=f"channel:{CHANNEL_ID}")}
                messages = fake.channel_messages[CHANNEL_ID]
                messages.remove(next(m for m in messages if m["id"] == ids[jitsu]))  # someone deleted it
                archive.rewrite("Talk at Esper on functional", "Talk at Esper, corrected, on functional")
                archive.rewrite("NSDI 2015 talk on Jitsu", "NSDI 2015 talk (corrected) on Jitsu")
                archive.remove_functors()
                report = await poster.post_due(NOW, channel_publishers(bot, store.subscriptions()))
                again = await poster.post_due(NOW, channel_publishers(bot, store.subscriptions()))
                return fake, ids, report, again

    fake, ids, report, again = asyncio.run(asyncio.wait_for(scenario(), 60))
    changes = [(c.method, c.path.rsplit("/", 1)[1]) for c in fake.requests if c.method in ("PATCH", "DELETE")]
    assert sorted(changes) == sorted([("PATCH", ids[ESPER]), ("PATCH", ids[jitsu]), ("DELETE", ids[FUNCTORS])])
    (patch,) = fake.requests_to("PATCH", rf"/channels/{CHANNEL_ID}/messages/{ids[ESPER]}$")
    assert patch.json["allowed_mentions"] == {"parse": []}
    shown = {m["id"]: m for m in fake.channel_messages[CHANNEL_ID]}
    assert shown[ids[ESPER]]["embeds"][0]["description"].endswith(patch.json["embeds"][0]["description"])
    assert "Talk at Esper, corrected" in shown[ids[ESPER]]["embeds"][0]["description"]
    assert ids[FUNCTORS] not in shown and ids[jitsu] not in shown
    assert sorted(report.edited) == sorted([(f"channel:{CHANNEL_ID}", ESPER, "edit"),
                                            (f"channel:{CHANNEL_ID}", FUNCTORS, "delete")])
    assert report.edit_failed == [(f"channel:{CHANNEL_ID}", jitsu, "edit")]
    states = {r.entry_id: r.message_state for r in store.posts()}
    assert (states[jitsu], states[FUNCTORS], states[ESPER]) == ("gone", "deleted", None)
    assert again.edits_planned == 0 and again.edited == []


def test_a_subscription_made_in_another_process_reaches_the_one_that_posts(store, db_target):
    """Sharded bots: /subscribe lands in the process that answers the guild, the posts go out from
    the one that schedules. They share only the database: the posting process reads the
    subscriptions at every run (its scheduler awaits `current`), not only at start."""
    from almanac.store import Store
    from bot.channels import SubscribedChannels

    async def scenario():
        posting = SubscribedChannels(bot_for(store), store)
        await posting.reload()  # at start: nothing subscribed
        with Store(db_target) as other_process:
            other_process.subscribe(CHANNEL_ID, GUILD_ID, "both")
        assert posting.publishers() == []  # what the old code went on posting to
        assert [p.key for p in await posting.current()] == [f"channel:{CHANNEL_ID}"]
        with Store(db_target) as other_process:
            other_process.unsubscribe(CHANNEL_ID)
        return [p.key for p in await posting.current()]

    assert asyncio.run(scenario()) == []


def test_two_subscription_changes_in_a_row_keep_the_newer_list(store):
    """Reads are one at a time: a slow first read (a busy database) cannot finish after a second
    one and put the older list back."""
    from bot.channels import SubscribedChannels

    class SlowFirstRead:
        def __init__(self, inner):
            self.inner, self.reads = inner, 0

        def subscriptions(self):
            self.reads += 1
            found = self.inner.subscriptions()
            if self.reads == 1:
                import time

                time.sleep(0.3)  # the first answer arrives last, if the reads overlap
            return found

    async def scenario():
        channels = SubscribedChannels(bot_for(store), SlowFirstRead(store))
        first = asyncio.create_task(channels.reload())
        await asyncio.sleep(0.05)
        store.subscribe(OTHER_CHANNEL_ID, GUILD_ID, "new")
        await asyncio.gather(first, channels.reload())
        return [p.key for p in channels.publishers()]

    assert asyncio.run(scenario()) == [f"channel:{OTHER_CHANNEL_ID}"]


def test_a_channel_that_starts_asking_for_new_entries_gets_only_those_added_from_then(seeded_store, tmp_path):
    """Its ledger target kept the baseline of its first subscription: switched from anniversaries
    to both, or subscribed again after /unsubscribe, it got every entry added in between, which
    it had not asked for, as "Just added"."""
    later = NOW + dt.timedelta(days=1)  # 2 May: no anniversaries, only new entries to post
    poster = Poster(seeded_store, "https://almanac.example/", PostingPolicy(), clock=lambda: later)
    resolved = {"channels": {str(c): {"id": str(c), "type": 0, "name": f"channel-{c}", "guild_id": str(GUILD_ID),
                                      "permissions": str(ADMIN_PERMISSIONS)} for c in (CHANNEL_ID, OTHER_CHANNEL_ID)}}

    def add(name: str) -> None:
        (tmp_path / f"{name}.json").write_text(json.dumps(
            [{"title": name, "date": "2026-03", "kind": "talk", "summary": "A talk."}]))
        assert ingest(seeded_store, [str(tmp_path / f"{name}.json")], str(tmp_path)).total("added") == 1

    async def scenario():
        async with FakeDiscord() as fake:
            bot = make_bot(seeded_store, None)
            async with running(fake, bot):
                async def command(name, channel, **options):
                    ix = await fake.invoke(name, {"channel": str(channel), **options}, permissions=ADMIN_PERMISSIONS,
                                           resolved=resolved)
                    await fake.reply(ix)

                async def run_posts():
                    return sorted((key, entry_id) for key, entry_id, *_ in
                                  (await poster.post_due(later, await bot.channels.current())).sent)

                await command("subscribe", CHANNEL_ID, posts="anniversaries")
                await command("subscribe", OTHER_CHANNEL_ID, posts="both")
                assert await run_posts() == []
                await command("unsubscribe", OTHER_CHANNEL_ID)
                add("Added while neither asked")
                assert await run_posts() == []
                await command("subscribe", CHANNEL_ID, posts="both")
                await command("subscribe", OTHER_CHANNEL_ID, posts="both")
                first = await run_posts()
                add("Added once both asked")
                return first, await run_posts()

    first, second = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert first == []
    assert second == [(f"channel:{CHANNEL_ID}", "added-once-both-asked-2026-03"),
                      (f"channel:{OTHER_CHANNEL_ID}", "added-once-both-asked-2026-03")]


DELETED_CHANNEL_ID = 900000000000000099  # not a channel of the fake's guild: Discord answers 404 Unknown Channel


def test_a_deleted_channel_loses_its_subscription_at_the_first_post(seeded_store, caplog):
    """Deleted while the bot was offline, a channel kept its subscription for good (/unsubscribe cannot
    pick it), and every post to it, month after month, was one more refusal and failed ledger row."""
    seeded_store.subscribe(DELETED_CHANNEL_ID, GUILD_ID, "anniversaries")
    seeded_store.subscribe(CHANNEL_ID, GUILD_ID, "anniversaries")
    june = NOW.replace(month=6)  # the next anniversary after May's

    async def scenario():
        async with FakeDiscord() as fake:
            bot = make_bot(seeded_store, None)
            async with running(fake, bot):
                reports = []
                for now in (NOW, june):
                    poster = Poster(seeded_store, "https://almanac.example/", PostingPolicy(), clock=lambda now=now: now)
                    reports.append(await poster.post_due(now, await bot.channels.current()))
                return fake, reports, [p.key for p in bot.channels.publishers()]

    with caplog.at_level("WARNING", logger="almanac.bot"):
        fake, (may, june_report), publishers = asyncio.run(asyncio.wait_for(scenario(), 60))
    deleted = f"channel:{DELETED_CHANNEL_ID}"
    assert len(fake.requests_to("POST", rf"/channels/{DELETED_CHANNEL_ID}/messages$")) == 1  # never asked again
    assert [s.channel_id for s in seeded_store.subscriptions()] == [CHANNEL_ID]
    assert publishers == [f"channel:{CHANNEL_ID}"]
    assert len([w for w in may.failed if w[0] == deleted]) == len(may.sent) >= 2  # May's only
    assert [w for w in june_report.failed if w[0] == deleted] == [] and june_report.sent  # the others go on
    removed = [r for r in caplog.records if "its subscription is removed" in r.getMessage()]
    assert len(removed) == 1 and removed[0].levelname == "WARNING"
    assert str(DELETED_CHANNEL_ID) in removed[0].getMessage()
    assert "fake-token" not in caplog.text


def test_the_gateway_removes_the_subscriptions_of_a_deleted_channel_and_of_a_guild_left(store):
    """CHANNEL_DELETE and GUILD_DELETE went unheard: the subscriptions stayed until a post failed, and
    those of a guild the bot was removed from stayed for good. An outage (GUILD_DELETE "unavailable")
    removes nothing."""
    elsewhere = (900000000000000077, 900000000000000078)  # a channel in a guild of another shard
    store.subscribe(CHANNEL_ID, GUILD_ID, "both")
    store.subscribe(OTHER_CHANNEL_ID, GUILD_ID, "new")
    store.subscribe(elsewhere[0], elsewhere[1], "both")

    def subscribed() -> list[int]:
        return sorted(s.channel_id for s in store.subscriptions())

    async def until(expected: list[int]) -> None:
        while subscribed() != expected:
            await asyncio.sleep(0.02)

    async def scenario():
        async with FakeDiscord() as fake:
            bot = make_bot(store, None)
            async with running(fake, bot):
                await fake.remove_guild(unavailable=True)
                await fake.delete_channel(OTHER_CHANNEL_ID)
                await asyncio.wait_for(until(sorted([CHANNEL_ID, elsewhere[0]])), 10)
                await asyncio.sleep(0.2)
                after_outage = subscribed()
                await fake.remove_guild()
                await asyncio.wait_for(until([elsewhere[0]]), 10)
                return after_outage, [p.key for p in bot.channels.publishers()]

    after_outage, publishers = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert after_outage == sorted([CHANNEL_ID, elsewhere[0]])
    assert publishers == [f"channel:{elsewhere[0]}"]
