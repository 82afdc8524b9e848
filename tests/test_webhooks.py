"""Webhook posts through the real discord.py client against a recording receiver on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import aiohttp
import pytest

from almanac.posting import MessageGone, Post, Poster, PostingPolicy, RetryLater, render_post
from feeds.webhooks import (
    DISCORD_API_BASE, WebhookPublisher, WebhookURLError, keep_discord_secrets_out_of_logs, set_api_base,
    webhook_key, webhook_publishers, webhook_session,
)
from tests.webhook_receiver import TOKEN, WEBHOOK_ID, WebhookReceiver, webhook_url

UTC = dt.timezone.utc
MAY_1 = dt.datetime(2025, 5, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def restore_api_base():
    yield
    set_api_base("")


async def post_until_done(store, receiver, *, rounds=10, **policy):
    """Run post_due like the scheduler does: again when the ledger says a retry is due."""
    policy.setdefault("backoff_base", 0.01)
    set_api_base(receiver.api_base)
    async with webhook_session() as session:
        pub = WebhookPublisher(webhook_url(), session, username="Almanac test", avatar_url="https://example.org/a.png")
        poster = Poster(store, "https://example.org/", PostingPolicy(**policy))
        reports = []
        for _ in range(rounds):
            report = await poster.post_due(MAY_1, [pub])
            reports.append(report)
            if report.next_due is None:
                break
            await asyncio.sleep(max(0.0, (report.next_due - dt.datetime.now(UTC)).total_seconds()))
        return pub, reports


def test_a_2xx_with_an_unparseable_body_is_delivered_once(seeded_store):
    """discord.py fails to read Discord's answer after a 200: the post is there; it is not sent again."""
    async def go():
        async with WebhookReceiver(script=["garbled"]) as receiver:
            pub, reports = await post_until_done(seeded_store, receiver)
            return receiver, pub, reports

    receiver, pub, reports = asyncio.run(go())
    assert len(receiver.requests) == 5 and len(receiver.delivered) == 5
    assert sum(len(r.sent) for r in reports) == 5 and not any(r.retrying for r in reports)
    rows = seeded_store.posts(target=pub.key)
    assert {r.status for r in rows} == {"sent"} and [r.message_id for r in rows].count(None) == 1
    assert all(r.attempts == 1 for r in rows)


def test_posts_each_anniversary_once_with_the_message_id(seeded_store):
    async def go():
        async with WebhookReceiver() as receiver:
            pub, reports = await post_until_done(seeded_store, receiver)
            return receiver, pub, reports

    receiver, pub, reports = asyncio.run(go())
    assert len(receiver.delivered) == 5 and len(receiver.requests) == 5
    first = receiver.delivered[0]
    assert first.webhook_id == WEBHOOK_ID and first.query.get("wait") in ("1", "true")
    assert first.body["username"] == "Almanac test" and first.body["avatar_url"] == "https://example.org/a.png"
    assert first.body["allowed_mentions"]["parse"] == []
    assert first.embed["description"].startswith("**6 years ago this month**")
    assert sorted(receiver.titles()).count("Jitsu: Just-In-Time Summoning of Unikernels") == 2
    rows = seeded_store.posts(target=pub.key)
    assert pub.key == webhook_key(int(WEBHOOK_ID), TOKEN) and TOKEN not in pub.key
    assert {r.status for r in rows} == {"sent"} and all(r.message_id and r.message_id.isdigit() for r in rows)


def test_429_and_500_are_retried_and_delivered_once(seeded_store):
    """A 429 with Via (discord.py waits retry_after), one without (the ledger backs off), a 500."""
    async def go():
        async with WebhookReceiver(script=["429via", "ok", "429", "ok", "500"], retry_after=0.05) as receiver:
            pub, reports = await post_until_done(seeded_store, receiver)
            return receiver, reports

    receiver, reports = asyncio.run(go())
    assert [r.answered for r in receiver.requests] == ["429via", "ok", "429", "ok", "500", "ok", "ok", "ok"]
    assert len(receiver.delivered) == 5 and len(set(receiver.titles())) == 4  # two Jitsu entries share a title
    assert len({r.body["embeds"][0]["url"] for r in receiver.delivered}) == 5
    assert len(reports) == 2 and len(reports[0].retrying) == 1  # the plain 429 came back through the ledger
    (retried,) = [r for r in seeded_store.posts() if r.attempts == 2]
    assert retried.status == "sent" and retried.last_error == "rate limited (429)"


def test_a_rate_limit_longer_than_the_send_timeout_is_retried_not_failed(seeded_store):
    """discord.py sleeps out a 429 with Via (and a 5xx) inside the send; our send timeout cut that
    sleep short and was taken as an unknown outcome, so a webhook rate-limited for minutes had its
    post failed for good after two timeouts, never delivered. Every try was refused: retry later."""
    async def go():
        async with WebhookReceiver(script=["429via", "429via", "500", "ok"], retry_after=30) as receiver:
            pub, reports = await post_until_done(seeded_store, receiver, send_timeout=0.3)
            return receiver, pub, reports

    receiver, pub, reports = asyncio.run(go())
    assert [r.answered for r in receiver.requests][:4] == ["429via", "429via", "500", "ok"]
    assert len(receiver.delivered) == 5 and len(receiver.requests) == 8
    rows = seeded_store.posts(target=pub.key)
    assert {r.status for r in rows} == {"sent"}
    (retried,) = [r for r in rows if r.attempts > 1]
    assert retried.attempts == 4 and retried.unknown_outcomes == 0
    assert retried.last_error.startswith("Discord answered 500 to every try")
    assert [len(r.retrying) for r in reports[:3]] == [1, 1, 1] and not any(r.failed for r in reports)


def test_a_refusal_quoting_the_token_or_unreadable_fails_for_good_without_the_token(seeded_store, caplog):
    """A 400 whose message quotes the request path (a proxy's error page) was logged and kept in the
    ledger with the webhook's token in it; a 400 whose body says JSON and is not raised
    JSONDecodeError, logged with its traceback and taken as an unknown outcome."""
    async def go():
        async with WebhookReceiver(script=["400echo", "400garbled"]) as receiver:
            await post_until_done(seeded_store, receiver)
            return receiver

    with caplog.at_level(logging.DEBUG):
        keep_discord_secrets_out_of_logs()  # as every composition root does
        receiver = asyncio.run(go())
    failed = [r for r in seeded_store.posts() if r.status == "failed"]
    assert len(failed) == 2 and len(receiver.delivered) == 3
    assert sorted(r.last_error for r in failed) == [
        "permanent: Discord answered 400 (JSONDecodeError reading the answer)",
        f"permanent: Discord refused the post: HTTP 400 bad request at /api/v10/webhooks/{WEBHOOK_ID}/<token>?wait=1"
        "&with_components=0"]
    assert TOKEN not in caplog.text and "Traceback" not in caplog.text
    assert all(r.unknown_outcomes == 0 for r in failed)


def test_a_refused_webhook_fails_for_good_and_stays_visible(seeded_store):
    async def go():
        async with WebhookReceiver(script=["404"]) as receiver:
            await post_until_done(seeded_store, receiver)
            return receiver

    receiver = asyncio.run(go())
    assert len(receiver.requests) == 5 and len(receiver.delivered) == 4
    (failed,) = seeded_store.posts(status="failed")
    assert failed.last_error.startswith("permanent: Discord refused the post: HTTP 404")


def test_network_errors_are_retried_and_no_secret_reaches_logs_or_the_ledger(seeded_store, caplog):
    caplog.set_level(logging.DEBUG)
    keep_discord_secrets_out_of_logs()

    async def go():
        async with WebhookReceiver() as receiver:
            port = receiver.port
        # The receiver is gone: connection refused.
        set_api_base(f"http://127.0.0.1:{port}/api/v10")
        async with aiohttp.ClientSession() as session:
            pub = WebhookPublisher(webhook_url(), session)
            poster = Poster(seeded_store, "https://example.org/", PostingPolicy(backoff_base=60))
            return await poster.post_due(MAY_1, [pub])

    report = asyncio.run(go())
    assert len(report.retrying) == 1 and report.sent == []
    (row,) = [r for r in seeded_store.posts() if r.attempts]
    assert row.status == "pending" and row.last_error == "network error (ClientConnectorError)"
    assert report.next_due > dt.datetime.now(UTC) + dt.timedelta(seconds=50)
    everything = caplog.text + repr(seeded_store.posts()) + repr(seeded_store.targets())
    assert TOKEN not in everything


def test_a_post_cut_off_without_an_answer_is_resent_at_most_once(seeded_store):
    """Outcome unknown (the connection dropped after the request went out): one resend, not eight."""

    async def go(script):
        async with WebhookReceiver(script=script) as receiver:
            _, reports = await post_until_done(seeded_store, receiver, rounds=12)
            return receiver, reports

    receiver, reports = asyncio.run(go(["drop"] * 20))
    rows = [r for r in seeded_store.posts() if r.attempts]
    first = rows[0]
    attempts_for_first = [r for r in receiver.requests if r.body == receiver.requests[0].body]
    assert len(attempts_for_first) == 2  # the original and one resend, never the retry limit
    assert first.status == "failed" and "outcome unknown" in first.last_error
    # the run that failed it says so (it was reported as retrying)
    said = [(what in r.retrying, what in r.failed) for r in reports for what in [(first.target, first.entry_id,
                                                                                  first.occasion)]]
    assert said[:2] == [(True, False), (False, True)]


def test_one_dropped_answer_then_success_delivers_at_most_twice(seeded_store):
    async def go():
        async with WebhookReceiver(script=["drop"]) as receiver:
            _, reports = await post_until_done(seeded_store, receiver)
            return receiver

    receiver = asyncio.run(go())
    rows = seeded_store.posts()
    assert rows and all(r.status == "sent" for r in rows)
    # 5 anniversaries on 1 May; the cut-off one arrived twice (the documented at-most-one duplicate).
    assert len(receiver.delivered) == len(rows) + 1


def test_the_webhook_edits_and_deletes_its_messages_and_maps_429_and_404(seeded_store, caplog):
    """PATCH and DELETE /webhooks/{id}/{token}/messages/{id} through discord.py; the token never in an error or log."""
    caplog.set_level(logging.DEBUG)
    keep_discord_secrets_out_of_logs()
    entry = seeded_store.get("jitsu-just-in-time-summoning-of-unikernels-2015-05-talk")
    post = Post(entry, "anniversary:2025-05-01", 10, True, "https://example.org/entries/jitsu.html", "n" * 20)
    corrected = {**render_post(post), "description": "**🎉 10 years ago this month**\n\nCorrected."}
    errors = []

    async def go():
        async with WebhookReceiver(retry_after=7) as receiver:
            set_api_base(receiver.api_base)
            async with webhook_session() as session:
                pub = WebhookPublisher(webhook_url(), session)
                message_id = await pub.send(post)
                await pub.edit_message(message_id, corrected)
                receiver.edit_script = ["429", "404"]
                for attempt in (pub.edit_message(message_id, corrected), pub.delete_message("42")):
                    with pytest.raises((RetryLater, MessageGone)) as info:
                        await attempt
                    errors.append(info.value)
                await pub.delete_message(message_id)
                with pytest.raises(MessageGone):
                    await pub.delete_message(message_id)
            return receiver, message_id

    receiver, message_id = asyncio.run(go())
    assert [(e.method, e.message_id, e.answered) for e in receiver.edits] == [
        ("PATCH", message_id, "ok"), ("PATCH", message_id, "429"), ("DELETE", "42", "404"),
        ("DELETE", message_id, "ok"), ("DELETE", message_id, "ok")]
    assert receiver.edits[0].body["embeds"][0]["description"].endswith("Corrected.")
    assert receiver.edits[0].body["allowed_mentions"]["parse"] == []
    first, edited, deleted = receiver.versions[message_id]  # the 429 and a repeated delete changed nothing
    assert edited == receiver.edits[0].body["embeds"] != first and deleted == ["deleted"]
    assert message_id not in receiver.messages
    rate_limited, gone = errors
    assert isinstance(rate_limited, RetryLater) and rate_limited.seconds == 7
    assert isinstance(gone, MessageGone) and str(gone) == "Discord answered 404 (Unknown Message)"
    assert TOKEN not in caplog.text + "".join(str(e) for e in errors)


def test_a_webhook_url_naming_a_thread_posts_edits_and_deletes_in_that_thread(seeded_store):
    """`.../webhooks/ID/TOKEN?thread_id=999`, as Discord documents for posting into a thread:
    discord.py's from_url ignores the query, so posts went to the parent channel (into a forum
    channel, every one refused), and two threads of one webhook were one target. Each thread is
    its own target, and every request names it."""
    entry = seeded_store.get("jitsu-just-in-time-summoning-of-unikernels-2015-05-talk")
    post = Post(entry, "anniversary:2025-05-01", 10, True, "https://example.org/entries/jitsu.html", "n" * 20)

    async def go():
        async with WebhookReceiver() as receiver:
            set_api_base(receiver.api_base)
            async with webhook_session() as session:
                pubs = webhook_publishers([webhook_url() + "?thread_id=999", webhook_url() + "?thread_id=888",
                                           webhook_url()], session)
                message_id = await pubs[0].send(post)
                await pubs[0].edit_message(message_id, render_post(post))
                await pubs[0].delete_message(message_id)
                await pubs[2].send(post)
            return receiver, pubs

    receiver, pubs = asyncio.run(go())
    assert len({p.key for p in pubs}) == 3 and pubs[2].key == webhook_key(int(WEBHOOK_ID), TOKEN)
    assert [r.query.get("thread_id") for r in receiver.delivered] == ["999", None]
    assert [(e.method, e.query.get("thread_id")) for e in receiver.edits] == [("PATCH", "999"), ("DELETE", "999")]


def test_bad_urls_are_named_by_position_never_echoed():
    async def go():
        async with aiohttp.ClientSession() as session:
            with pytest.raises(WebhookURLError) as info:
                webhook_publishers([webhook_url(), "https://example.org/hooks/secret-token-xyz"], session)
            # a bracket discord.py's pattern takes and the URL parser cannot read (a traceback before)
            with pytest.raises(WebhookURLError) as bracket:
                webhook_publishers([webhook_url().replace("https://", "https://[")], session)
            assert str(bracket.value).startswith("$ALMANAC_WEBHOOK_URLS: value 1 is not a Discord webhook URL")
            # One webhook however its URL is written: the old domain, a trailing slash, a query.
            spellings = [webhook_url(), webhook_url().replace("discord.com", "discordapp.com"),
                         webhook_url() + "/", webhook_url() + "?wait=true"]
            pubs = webhook_publishers(spellings, session)
            other = webhook_publishers([webhook_url(token="b" * 68)], session)
            return str(info.value), pubs, other

    message, pubs, other = asyncio.run(go())
    assert message == ("$ALMANAC_WEBHOOK_URLS: value 2 is not a Discord webhook URL "
                       "(expected https://discord.com/api/webhooks/ID/TOKEN)")
    assert "secret-token-xyz" not in message
    assert len(pubs) == 1 and repr(pubs[0]) == f"WebhookPublisher({webhook_key(int(WEBHOOK_ID), TOKEN)})"
    assert other[0].key != pubs[0].key  # another token, another webhook


def test_a_webhooks_ledger_under_its_former_key_moves_and_nothing_is_posted_again(seeded_store):
    """Before December 2026 a webhook's ledger key hashed its URL as written. After the upgrade its
    posts, baseline and edits move to the new key at start: today's anniversaries, sent under the
    old key, are not sent again; a second start moves nothing."""
    from feeds.webhooks import adopt_former_keys, url_key

    async def go():
        async with WebhookReceiver() as receiver:
            set_api_base(receiver.api_base)
            async with webhook_session() as session:
                pub = WebhookPublisher(webhook_url(), session)
                new_key = pub.key
                pub.key = url_key(webhook_url())  # the store as the former version left it
                poster = Poster(seeded_store, "https://example.org/", PostingPolicy())
                first = await poster.post_due(MAY_1, [pub])
                (upgraded,) = webhook_publishers([webhook_url()], session)
                assert upgraded.key == new_key and upgraded.former_key == pub.key
                adopt_former_keys(seeded_store, [upgraded])
                adopt_former_keys(seeded_store, [upgraded])  # the next start: nothing left to move
                again = await poster.post_due(MAY_1 + dt.timedelta(hours=1), [upgraded])
                return receiver, first, again, new_key, pub.key

    receiver, first, again, new_key, old_key = asyncio.run(go())
    assert len(first.sent) == 5 and again.sent == [] and len(receiver.delivered) == 5
    assert seeded_store.posts(target=old_key) == [] and len(seeded_store.posts(target=new_key)) == 5
    assert [t.key for t in seeded_store.targets() if t.key.startswith("webhook:")] == [new_key]


def test_set_api_base_restores_discord():
    import discord

    set_api_base("http://127.0.0.1:9/api/v10/")
    assert discord.http.Route.BASE == "http://127.0.0.1:9/api/v10"
    set_api_base("")
    assert discord.http.Route.BASE == DISCORD_API_BASE
