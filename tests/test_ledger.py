"""The posting ledger: exactly once across runs, restarts, crashes and two posters; retries; new entries."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import time
from zoneinfo import ZoneInfo

import discord
import pytest

from almanac.ingest import ingest
from almanac.posting import (
    Delivered, PermanentFailure, Post, Poster, PostingPolicy, Publisher, RetryLater, render_post, retry_delay,
    utc_clock,
)
from almanac.store import Store

BOTH_BACKENDS = True
UTC = dt.timezone.utc
MAY_1 = dt.datetime(2025, 5, 1, 10, 0, tzinfo=UTC)
SEED_MAY = {
    "programming-unikernels-in-the-large-via-functor-driven-2019-05",
    "jitsu-just-in-time-summoning-of-unikernels-2015-05-paper",
    "jitsu-just-in-time-summoning-of-unikernels-2015-05-talk",
    "unikernels-functional-infrastructure-with-mirage-os-2015-05",
}


class Recorder:
    """A publisher that keeps what it was sent (our protocol; the webhook tests use real Discord code)."""

    def __init__(self, key="test:one", wants=("anniversary", "new"), fail=(), delay=0.0):
        self.key = key
        self.wants = frozenset(wants)
        self.fail = list(fail)  # exceptions to raise on the next sends
        self.delay = delay
        self.sent: list[Post] = []
        self.started = asyncio.Event()  # set when a send begins (tests cancel mid-send on it)

    async def send(self, post: Post) -> str | None:
        self.started.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise self.fail.pop(0)
        self.sent.append(post)
        return f"m{len(self.sent)}"

    def ids(self) -> list[str]:
        return sorted(p.entry.id for p in self.sent)


class Clock:
    def __init__(self, now=MAY_1):
        self.now = now

    def __call__(self):
        return self.now


def poster(store, clock=None, **policy) -> Poster:
    policy.setdefault("backoff_base", 0.01)
    return Poster(store, "https://example.org/", PostingPolicy(**policy), clock=clock or Clock())


def run(coro):
    return asyncio.run(coro)


def test_recorder_is_a_publisher():
    assert isinstance(Recorder(), Publisher)


def test_posts_todays_anniversaries_once(seeded_store):
    pub = Recorder()
    p = poster(seeded_store)
    report = run(p.post_due(MAY_1, [pub]))
    assert len(report.sent) == 5 and report.planned == 5
    assert {p.entry.id for p in pub.sent} >= SEED_MAY
    assert {p.years_ago for p in pub.sent} == {6, 10, 11}
    assert all(p.occasion == "anniversary:2025-05-01" for p in pub.sent)
    # Again, and from a fresh poster (a restart): nothing more.
    assert run(p.post_due(MAY_1, [pub])).sent == []
    assert run(poster(seeded_store).post_due(MAY_1 + dt.timedelta(hours=5), [pub])).sent == []
    assert len(pub.sent) == 5
    rows = seeded_store.posts(target="test:one")
    assert {r.status for r in rows} == {"sent"} and {r.message_id for r in rows} == {f"m{i}" for i in range(1, 6)}


def test_a_target_renamed_keeps_its_ledger_and_is_not_posted_to_again(seeded_store):
    """`rename_target` (a webhook's key changing scheme): posts, baseline and all move; a rename to
    a key that already has a ledger, or of a key that has none, changes nothing."""
    run(poster(seeded_store).post_due(MAY_1, [Recorder("webhook:former")]))
    baseline = {t.key: t.created_at for t in seeded_store.targets()}["webhook:former"]
    assert seeded_store.rename_target("webhook:former", "webhook:now")
    assert seeded_store.posts(target="webhook:former") == [] and len(seeded_store.posts(target="webhook:now")) == 5
    assert {t.key: t.created_at for t in seeded_store.targets()}["webhook:now"] == baseline
    renamed = Recorder("webhook:now")
    assert run(poster(seeded_store).post_due(MAY_1 + dt.timedelta(hours=2), [renamed])).sent == []
    assert not seeded_store.rename_target("webhook:former", "webhook:now")  # nothing left under the old key
    run(poster(seeded_store).post_due(MAY_1, [Recorder("webhook:other")]))
    assert not seeded_store.rename_target("webhook:other", "webhook:now")  # both have a ledger: left alone
    assert len(seeded_store.posts(target="webhook:other")) == 5


def test_not_before_the_post_time_and_missed_ones_go_out_on_the_next_start_that_day(seeded_store):
    pub = Recorder()
    early = dt.datetime(2025, 5, 1, 8, 59, tzinfo=UTC)
    assert run(poster(seeded_store).post_due(early, [pub])).planned == 0
    # The process was down at 09:00; it starts at 15:00 the same day.
    assert len(run(poster(seeded_store).post_due(dt.datetime(2025, 5, 1, 15, 0, tzinfo=UTC), [pub])).sent) == 5


def test_post_time_is_in_the_configured_timezone(seeded_store):
    pub = Recorder()
    auckland = ZoneInfo("Pacific/Auckland")
    # 30 April 21:30 UTC is 1 May 09:30 in Auckland: the May posts are due there.
    now = dt.datetime(2025, 4, 30, 21, 30, tzinfo=UTC)
    report = run(poster(seeded_store, tz=auckland).post_due(now, [pub]))
    assert len(report.sent) == 5 and pub.sent[0].occasion == "anniversary:2025-05-01"


def test_an_earlier_day_is_not_posted_late_unless_catch_up_allows(seeded_store):
    pub = Recorder()
    next_day = MAY_1 + dt.timedelta(days=1)
    assert run(poster(seeded_store).post_due(next_day, [pub])).sent == []
    report = run(poster(seeded_store, catch_up_days=1).post_due(next_day, [pub]))
    assert len(report.sent) == 5
    # Two days late is beyond one catch-up day.
    other = Recorder(key="test:two")
    assert run(poster(seeded_store, catch_up_days=1).post_due(MAY_1 + dt.timedelta(days=2), [other])).sent == []


def test_a_pending_retry_from_yesterday_expires(seeded_store):
    clock = Clock()
    pub = Recorder(fail=[RetryLater("down", 3600)] )
    p = poster(seeded_store, clock=clock)
    report = run(p.post_due(MAY_1, [pub]))
    assert len(report.retrying) == 1 and report.next_due is not None
    clock.now = MAY_1 + dt.timedelta(days=1)
    report = run(p.post_due(clock.now, [pub]))
    assert report.expired == 5 and report.sent == []
    failed = seeded_store.posts(status="failed")
    assert len(failed) == 5 and all(r.last_error.startswith("missed:") for r in failed)


def test_milestones_only(seeded_store):
    pub = Recorder()
    run(poster(seeded_store, milestones_only=True).post_due(MAY_1, [pub]))
    assert [p.years_ago for p in pub.sent] == [10, 10, 10]
    assert all(p.milestone for p in pub.sent)


def test_retry_later_backs_off_and_delivers_once(seeded_store):
    clock = Clock()
    pub = Recorder(fail=[RetryLater("429", 45.0), RetryLater("500")])
    p = poster(seeded_store, clock=clock, backoff_base=30)
    r1 = run(p.post_due(MAY_1, [pub]))
    assert len(r1.retrying) == 1 and r1.sent == []  # the target waits after a 429
    assert r1.next_due == MAY_1 + dt.timedelta(seconds=45)  # the receiver's retry_after, longer than 30 s, wins
    assert run(p.post_due(MAY_1, [pub])).sent == []  # the target rests until then, all its posts
    clock.now = MAY_1 + dt.timedelta(seconds=45)
    r2 = run(p.post_due(MAY_1, [pub]))
    assert len(r2.retrying) == 1 and r2.next_due == clock.now + dt.timedelta(seconds=60)  # 30 * 2**(2-1)
    clock.now += dt.timedelta(seconds=60)
    r3 = run(p.post_due(MAY_1, [pub]))
    assert len(r3.sent) == 5 and r3.next_due is None
    assert len(pub.sent) == 5 and len(set(pub.ids())) == 5
    first = [r for r in seeded_store.posts() if r.attempts == 3]
    assert len(first) == 1 and first[0].status == "sent" and first[0].last_error == "500"


def test_permanent_failure_is_kept_and_not_retried(seeded_store):
    pub = Recorder(fail=[PermanentFailure("HTTP 404 Unknown Webhook")])
    p = poster(seeded_store)
    report = run(p.post_due(MAY_1, [pub]))
    assert len(report.failed) == 1 and len(report.sent) == 4
    assert run(p.post_due(MAY_1, [pub])).sent == []
    (failed,) = seeded_store.posts(status="failed")
    assert failed.last_error == "permanent: HTTP 404 Unknown Webhook"
    assert seeded_store.retry_post(failed.id)
    assert len(run(p.post_due(MAY_1, [pub])).sent) == 1


def test_gives_up_once_the_waits_add_up_to_retry_for(seeded_store):
    clock = Clock()
    pub = Recorder(fail=[RetryLater("500", 0)] * 3)
    p = poster(seeded_store, clock=clock, backoff_base=1, retry_for=3)  # waits 1 s, 2 s: 3 s, then give up
    for _ in range(4):
        run(p.post_due(clock.now, [pub]))
        clock.now += dt.timedelta(hours=1)
    (failed,) = seeded_store.posts(status="failed")
    assert failed.last_error == "gave up after 3 attempts: 500"
    assert len(pub.sent) == 4


def test_retry_schedule_spans_at_least_an_hour_under_sustained_429s():
    """retry_after 0.05 s every time: the waits still double, and the attempts span over an hour."""
    policy = PostingPolicy()
    waits, attempts = [], 1
    while (wait := retry_delay(attempts, 0.05, policy)) is not None:
        waits.append(wait)
        attempts += 1
    assert attempts > 8 and sum(waits) >= 3600
    assert waits[:4] == [2, 4, 8, 16] and waits[-1] == 2048 and len(waits) == 11
    assert retry_delay(1, 90, policy) == 90  # a longer retry_after is honoured as it is


def test_sustained_429s_keep_a_post_retrying_for_an_hour(seeded_store):
    """The run loop with a fixed clock: 8 attempts no longer exhaust it; it gives up after an hour's waits."""
    clock = Clock()
    pub = Recorder(key="test:limited", fail=[RetryLater("rate limited (429)", 0.05)] * 100)
    p = poster(seeded_store, clock=clock, backoff_base=2)
    statuses = []
    for _ in range(40):
        report = run(p.post_due(MAY_1, [pub]))
        rows = [r for r in seeded_store.posts(target=pub.key) if r.attempts]
        statuses.append((rows[0].attempts, rows[0].status))
        if report.next_due is None or rows[0].status == "failed":
            break
        clock.now = report.next_due
    assert (8, "pending") in statuses and statuses[-1][1] == "failed"
    assert clock.now - MAY_1 >= dt.timedelta(hours=1)
    assert rows[0].last_error.startswith("gave up after ") and rows[0].last_error.endswith(": rate limited (429)")


def test_a_2xx_whose_answer_is_unreadable_is_sent_and_never_resent(seeded_store):
    clock = Clock()
    pub = Recorder(fail=[Delivered("Discord answered 200, then reading the answer failed (TypeError)")])
    p = poster(seeded_store, clock=clock)
    report = run(p.post_due(MAY_1, [pub]))
    assert len(report.sent) == 5 and report.retrying == [] and len(pub.sent) == 4
    clock.now += dt.timedelta(hours=1)
    assert run(p.post_due(clock.now, [pub])).sent == []
    assert {r.status for r in seeded_store.posts()} == {"sent"}
    assert [r.message_id for r in seeded_store.posts()].count(None) == 1


def test_an_unexpected_publisher_error_is_an_unknown_outcome_resent_once(seeded_store):
    """It may have left before the error: resent at most once, then failed (not retried up to the limit)."""
    clock = Clock()
    pub = Recorder(fail=[RuntimeError("parse error"), RuntimeError("parse error")])
    p = poster(seeded_store, clock=clock)
    for _ in range(4):
        run(p.post_due(clock.now, [pub]))
        clock.now += dt.timedelta(minutes=5)
    (failed,) = seeded_store.posts(status="failed")
    assert failed.unknown_outcomes == 2 and failed.attempts == 2
    assert failed.last_error == "RuntimeError: parse error; outcome unknown"
    assert len(pub.sent) == 4 and pub.fail == []


def test_two_posters_on_one_database_post_once(tmp_path, seeded_store):
    path = seeded_store.path
    pub = Recorder(delay=0.01)

    async def both():
        with Store(path) as a, Store(path) as b:
            return await asyncio.gather(poster(a).post_due(MAY_1, [pub]), poster(b).post_due(MAY_1, [pub]))

    r1, r2 = run(both())
    assert len(pub.sent) == 5 and len(set(pub.ids())) == 5
    assert len(r1.sent) + len(r2.sent) == 5


def test_a_post_claimed_by_a_killed_process_is_resent_once_then_given_up(seeded_store):
    """Killed between send and mark: the receiver may have it. We resend once (at most one duplicate)."""
    dead = f"{socket.gethostname()}:{os.getpid()}:deadbeef:0000"  # our pid, another process token: a predecessor
    p = poster(seeded_store)
    p.plan(MAY_1, [Recorder()])
    rec = seeded_store.claim_post("test:one", dead, MAY_1, MAY_1 + dt.timedelta(minutes=3))
    assert rec.status == "sending"
    pub = Recorder()
    report = run(p.post_due(MAY_1, [pub]))
    assert len(report.sent) == 5  # the abandoned one included
    (again,) = [r for r in seeded_store.posts() if r.id == rec.id]
    assert again.status == "sent" and again.unknown_outcomes == 1 and again.attempts == 2
    assert "outcome unknown" in again.last_error

    # A second crash on the resend: not sent a third time.
    other = Recorder(key="test:two")
    p.plan(MAY_1, [other])
    rec = seeded_store.claim_post("test:two", dead, MAY_1, MAY_1 + dt.timedelta(minutes=3))
    with seeded_store.transaction() as db:
        db.execute("UPDATE posts SET unknown_outcomes = 1 WHERE id = ?", [rec.id])
    run(p.post_due(MAY_1, [other]))
    assert len(other.sent) == 4
    (failed,) = seeded_store.posts(status="failed")
    assert failed.id == rec.id and failed.unknown_outcomes == 2


def test_a_live_claim_is_left_alone_until_its_lease_expires(seeded_store):
    clock = Clock()
    p = poster(seeded_store, clock=clock, lease_seconds=180)
    p.plan(MAY_1, [Recorder()])
    elsewhere = "otherhost:1:cafe:0000"  # another machine: only the lease can tell
    lease_end = MAY_1 + dt.timedelta(seconds=180)
    seeded_store.claim_post("test:one", elsewhere, MAY_1, lease_end)
    pub = Recorder()
    report = run(p.post_due(MAY_1, [pub]))
    assert len(report.sent) == 4
    assert report.next_due == lease_end  # the run wakes up when the lease ends, in case its holder died
    clock.now = lease_end
    assert len(run(p.post_due(MAY_1, [pub])).sent) == 1
    assert len(set(pub.ids())) == 5
    (taken,) = [r for r in seeded_store.posts() if r.unknown_outcomes]
    assert taken.status == "sent" and taken.claimed_by == p.worker and taken.attempts == 2


def test_a_claim_is_renewed_while_a_long_send_is_in_flight(seeded_store):
    """A send longer than the lease: another poster must not take the post over meanwhile."""
    path = seeded_store.path

    async def go():
        slow, other = Recorder(delay=3.0), Recorder()
        with Store(path) as a, Store(path) as b:
            first = Poster(a, "https://example.org/", PostingPolicy(lease_seconds=1.2), clock=utc_clock)
            second = Poster(b, "https://example.org/", PostingPolicy(lease_seconds=1.2), clock=utc_clock)
            task = asyncio.create_task(first.post_due(MAY_1, [slow]))
            await asyncio.wait_for(slow.started.wait(), 10)
            await asyncio.sleep(2.0)  # past the first lease: only a renewal keeps the claim
            report = await second.post_due(MAY_1, [other])
            await task
            return slow, other, report

    slow, other, report = run(go())
    sent_by_first = {p.entry.id for p in slow.sent}
    assert sent_by_first and not sent_by_first & {p.entry.id for p in other.sent}
    assert len(slow.sent) + len(other.sent) == 5 and not [r for r in seeded_store.posts() if r.unknown_outcomes]


def test_stopping_mid_send_finishes_within_grace_or_releases(seeded_store):
    async def stop_during_send(delay, grace):
        pub = Recorder(delay=delay)
        p = poster(seeded_store, stop_grace=grace)
        task = asyncio.create_task(p.post_due(MAY_1, [pub]))
        await asyncio.wait_for(pub.started.wait(), 10)  # cancel mid-send, however slow planning was
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return pub

    pub = run(stop_during_send(delay=0.1, grace=2))  # the first send completes within the grace
    rows = {r.status: r for r in seeded_store.posts()}
    assert len(pub.sent) == 1 and set(rows) == {"sent", "pending"}
    assert seeded_store.posts(status="sending") == []

    run(stop_during_send(delay=5, grace=0.05))  # the next one does not: abandoned, outcome unknown
    (released,) = [r for r in seeded_store.posts() if r.unknown_outcomes]
    assert released.status == "pending" and released.last_error == "stopped while sending; outcome unknown"
    assert seeded_store.posts(status="sending") == []


def _write_source(tmp_path, name, count, start=0):
    path = tmp_path / name
    path.write_text("\n".join(f"Extra talk number {i} / Mar 2021\nA talk, number {i}.\n" for i in range(start, start + count)))
    return path


def _after_the_seed(store) -> dt.datetime:
    """A baseline just after the seed went in; then wait for the next second.

    The store records `added_at` to the second, so entries ingested in the same
    second as a target's baseline count as already there.
    """
    seeded = max(dt.datetime.fromisoformat(v) for v in store.added_at().values())
    while dt.datetime.now(UTC).replace(microsecond=0) <= seeded:
        time.sleep(0.05)
    return seeded


def test_new_entries_are_announced_once_and_the_existing_ones_never(tmp_path, seeded_store):
    pub = Recorder(wants=("new",))
    seeded_store.ensure_target(pub.key, "test", now=_after_the_seed(seeded_store))
    p = poster(seeded_store)
    assert run(p.post_due(MAY_1, [pub])).sent == []  # the 25 seed entries are the baseline
    src = _write_source(tmp_path, "extra.txt", 2)
    ingest(seeded_store, [str(src)], str(tmp_path))
    report = run(p.post_due(MAY_1, [pub]))
    assert len(report.sent) == 2 and {x.occasion for x in pub.sent} == {"new"}
    assert pub.sent[0].headline() == "New in the archive" and pub.sent[0].years_ago is None
    assert run(p.post_due(MAY_1, [pub])).sent == []
    # A target set up now has everything as its baseline.
    later = Recorder(key="test:later", wants=("new",))
    assert run(p.post_due(MAY_1, [later])).sent == []


def test_a_bulk_import_is_not_a_flood(tmp_path, seeded_store):
    pub = Recorder(wants=("new",))
    seeded_store.ensure_target(pub.key, "test", now=_after_the_seed(seeded_store))
    ingest(seeded_store, [str(_write_source(tmp_path, "bulk.txt", 12))], str(tmp_path))
    p = poster(seeded_store, flood_limit=10)
    assert run(p.post_due(MAY_1, [pub])).sent == []
    assert seeded_store.unannounced(pub.key) == []  # baseline moved past the bulk
    assert len(pub.sent) == 0


def test_announce_new_off(tmp_path, seeded_store):
    pub = Recorder(wants=("new",))
    seeded_store.ensure_target(pub.key, "test", now=_after_the_seed(seeded_store))
    ingest(seeded_store, [str(_write_source(tmp_path, "extra.txt", 1))], str(tmp_path))
    assert run(poster(seeded_store, announce_new=False).post_due(MAY_1, [pub])).sent == []
    # The same set-up with announcements on does announce it (so the line above can fail).
    assert len(run(poster(seeded_store, announce_new=True).post_due(MAY_1, [pub])).sent) == 1


def test_a_removed_entry_fails_its_post(seeded_store):
    pub = Recorder()
    p = poster(seeded_store)
    p.plan(MAY_1, [pub])
    with seeded_store.transaction() as db:
        db.execute("DELETE FROM entries WHERE id = ?", ["jitsu-just-in-time-summoning-of-unikernels-2015-05-talk"])
    report = run(p.post_due(MAY_1, [pub]))
    assert len(report.sent) == 4 and len(report.failed) == 1
    assert seeded_store.posts(status="failed")[0].last_error == "the entry is no longer in the archive"


# --- rendering ------------------------------------------------------------------------------

def _post(seeded_store, entry_id, occasion, years, milestone):
    entry = seeded_store.get(entry_id)
    return Post(entry, occasion, years, milestone, f"https://example.org/entries/{entry_id}.html", "n")


def test_render_post_anniversary_and_milestone(seeded_store):
    six = render_post(_post(seeded_store, "programming-unikernels-in-the-large-via-functor-driven-2019-05",
                            "anniversary:2025-05-01", 6, False))
    ten = render_post(_post(seeded_store, "jitsu-just-in-time-summoning-of-unikernels-2015-05-paper",
                            "anniversary:2025-05-01", 10, True))
    assert six["description"].startswith("**6 years ago this month**\n\n")
    assert ten["description"].startswith("**🎉 10 years ago this month**")
    assert six["color"] != ten["color"] and ten["footer"]["text"].startswith("Milestone: 10 years")
    assert ten["url"] == "https://example.org/entries/jitsu-just-in-time-summoning-of-unikernels-2015-05-paper.html"
    assert {f["name"]: f["value"] for f in ten["fields"]} == {"Kind": "paper", "Date": "May 2015"}
    embed = discord.Embed.from_dict(ten)
    assert embed.title == "Jitsu: Just-In-Time Summoning of Unikernels" and len(embed) <= 6000


def test_render_post_day_precision_and_limits():
    from almanac.entry import Entry, PartialDate

    entry = Entry("x", "T" * 400, PartialDate(2024, 2, 29), "talk", "word " * 3000, ("keynote",))
    post = Post(entry, "anniversary:2025-02-28", 1, True, "https://example.org/entries/x.html", "n")
    out = render_post(post)
    assert out["description"].startswith("**🎉 1 year ago today**")
    assert len(out["title"]) <= 256 and out["title"].endswith("…")
    assert len(out["description"]) <= 4096 and out["description"].endswith("…")
    assert len(discord.Embed.from_dict(out)) <= 6000


def test_a_cancelled_run_returns_only_when_every_publisher_has_finished_or_released(seeded_store):
    """One target finishes its post within the grace, another cannot: the run waits for both."""
    async def go():
        quick, stuck = Recorder(key="test:quick", delay=0.1), Recorder(key="test:stuck", delay=30)
        p = poster(seeded_store, stop_grace=0.5)
        task = asyncio.create_task(p.post_due(MAY_1, [quick, stuck]))
        await asyncio.wait_for(asyncio.gather(quick.started.wait(), stuck.started.wait()), 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return quick, {r.target: r.status for r in seeded_store.posts() if r.attempts}

    quick, claimed = asyncio.run(go())
    assert len(quick.sent) == 1
    assert claimed == {"test:quick": "sent", "test:stuck": "pending"}


def test_a_post_cut_off_yesterday_is_not_resent_today(seeded_store):
    p = poster(seeded_store)
    p.plan(MAY_1, [Recorder()])
    dead = "otherhost:1:cafe:0000"
    seeded_store.claim_post("test:one", dead, MAY_1, MAY_1 + dt.timedelta(minutes=3))
    pub = Recorder()
    report = run(poster(seeded_store).post_due(MAY_1 + dt.timedelta(days=1), [pub]))
    assert pub.sent == [] and report.expired == 5
    assert {r.status for r in seeded_store.posts()} == {"failed"}


def test_release_claim_gives_back_a_post_that_was_never_sent(seeded_store):
    p = poster(seeded_store)
    p.plan(MAY_1, [Recorder()])
    rec = seeded_store.claim_post("test:one", p.worker, MAY_1, MAY_1 + dt.timedelta(minutes=3))
    seeded_store.release_claim(rec.id, "someone-else")  # not theirs: unchanged
    assert [r.status for r in seeded_store.posts() if r.id == rec.id] == ["sending"]
    seeded_store.release_claim(rec.id, p.worker)
    (back,) = [r for r in seeded_store.posts() if r.id == rec.id]
    assert back.status == "pending" and back.attempts == 0 and back.claimed_by is None
    assert len(run(p.post_due(MAY_1, [Recorder()])).sent) == 5


def test_an_entry_added_in_the_same_second_as_the_target_is_announced(tmp_path, seeded_store):
    """The baseline has millisecond resolution: no waiting for the next second."""
    pub = Recorder(wants=("new",))
    seeded_store.ensure_target(pub.key, "test")
    time.sleep(0.005)
    ingest(seeded_store, [str(_write_source(tmp_path, "extra.txt", 1))], str(tmp_path))
    assert len(run(poster(seeded_store).post_due(MAY_1, [pub])).sent) == 1


def test_a_post_sent_while_the_ledger_cannot_write_is_recorded_later_and_never_resent(tmp_path, seed_path):
    """On a full disk the post went out, its "sent" could not be written, and the row stayed
    "sending": once its lease ran out the next run sent it again (the disk-full review saw it twice
    in a channel). Now the poster keeps it, records it first at the next run and claims nothing
    while the ledger cannot write. SQLite's query_only stands in for the full disk: every write
    fails, as there."""
    clock = Clock()
    with Store(str(tmp_path / "a.db")) as store:
        ingest(store, [str(seed_path)], os.getcwd())
        conn = store.backend.db.conn

        class FillsTheDisk(Recorder):
            async def send(self, post):
                message_id = await super().send(post)
                if len(self.sent) == 1:
                    conn.execute("PRAGMA query_only = ON")
                return message_id

        pub = FillsTheDisk()
        p = poster(store, clock=clock, lease_seconds=60)
        report = run(p.post_due(MAY_1, [pub]))
        assert len(pub.sent) == 1 and len(report.sent) == 1
        assert report.next_due <= clock.now + dt.timedelta(seconds=30)
        clock.now += dt.timedelta(minutes=10)  # the claim's lease has run out
        run(p.post_due(clock.now, [pub]))  # still not writable: nothing claimed, nothing sent
        assert len(pub.sent) == 1
        conn.execute("PRAGMA query_only = OFF")  # room again
        clock.now += dt.timedelta(minutes=1)
        run(p.post_due(clock.now, [pub]))
        assert len(pub.sent) == 5 and len(set(pub.ids())) == 5
        assert {r.status for r in store.posts()} == {"sent"}
        first = next(r for r in store.posts() if r.entry_id == pub.sent[0].entry.id)
        assert first.message_id == "m1" and first.attempts == 1
