"""The scheduler in-process, and real `almanac schedule` processes killed and restarted.

The subprocess tests run `python -m almanac schedule --no-refresh` against a
recording webhook receiver on 127.0.0.1 (via ALMANAC_WEBHOOK_URLS and
ALMANAC_DISCORD_API_BASE), a tmp database and a config whose timezone puts
"now" near local noon (so a test never straddles midnight), with six entries
whose anniversary is today there. They run on both backends; every process
has a working directory of its own, sharing nothing but the database.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import json
import os
import signal
import sys
import time
from zoneinfo import ZoneInfo

import pytest

from almanac.config import ScheduleConfig
from almanac.ingest import ingest
from almanac.store import Store
from feeds.scheduler import ANNIVERSARIES, REFRESH, RETRY, STARTUP, Scheduler
from tests.conftest import REPO, SEED as SEED_TEXT
from tests.webhook_receiver import WebhookReceiver, webhook_url

BOTH_BACKENDS = True
UTC = dt.timezone.utc
LEASE = 3  # seconds a claim holds in the process tests (180 by default)


# --- in-process ------------------------------------------------------------------------------

class Calls:
    def __init__(self, results=(), delay=0.0):
        self.results = list(results)
        self.delay = delay
        self.calls: list[tuple[dt.datetime, list]] = []
        self.called = asyncio.Event()

    async def __call__(self, now, publishers):
        self.calls.append((now, publishers))
        self.called.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        return self.results.pop(0) if self.results else None


def test_jobs_have_explicit_ids_tz_and_misfire_policy():
    async def go():
        post_due, refresh = Calls(), Calls()
        s = Scheduler(ScheduleConfig(timezone="Pacific/Auckland", anniversary_time="07:30", refresh_minutes=15),
                      post_due=post_due, refresh=refresh, publishers=lambda: ["p1"])
        await s.start()
        await asyncio.wait_for(post_due.called.wait(), 5)
        await asyncio.wait_for(refresh.called.wait(), 5)
        jobs = {job.id: job for job in s._aps.get_jobs()}
        described = s.describe()
        await s.shutdown()
        return s, jobs, post_due, refresh, described

    s, jobs, post_due, refresh, described = asyncio.run(go())
    assert set(jobs) == {ANNIVERSARIES, REFRESH}  # the startup job ran and is gone
    daily = jobs[ANNIVERSARIES]
    assert str(daily.trigger.tz) == "Pacific/Auckland" and daily.trigger.at == dt.time(7, 30)
    assert str(daily.trigger) == "daily at 07:30 (Pacific/Auckland)"
    assert daily.next_run_time.utcoffset() in (dt.timedelta(hours=12), dt.timedelta(hours=13))
    for job in jobs.values():
        assert job.misfire_grace_time is None and job.coalesce is True and job.max_instances == 1
    assert jobs[REFRESH].trigger.interval == dt.timedelta(minutes=15)
    assert post_due.calls[0][1] == ["p1"] and s.runs[STARTUP] == 1
    assert post_due.calls[0][0].tzinfo is not None
    assert any(line.startswith("anniversaries next at ") and line.endswith(":30:00+13:00") for line in described)


def runs_of(trigger, start: dt.datetime, count: int) -> list[str]:
    """The trigger's next `count` fire times, local, as APScheduler asks for them run after run."""
    out, previous, now = [], None, start
    for _ in range(count):
        fire = trigger.get_next_fire_time(previous, now)
        out.append(f"{fire:%m-%d %H:%M%z}")
        previous, now = fire, fire + dt.timedelta(seconds=1)
    return out


@pytest.mark.parametrize("zone, at, start, expected", [
    # Clocks spring forward at midnight: the day's run is when the gap ends, not skipped to the next day.
    ("America/Santiago", "00:00", "2025-09-05 12:00", ["09-06 00:00-0400", "09-07 01:00-0300", "09-08 00:00-0300"]),
    ("America/Havana", "00:15", "2025-03-08 12:00", ["03-09 01:15-0400", "03-10 00:15-0400"]),
    ("Europe/Berlin", "02:30", "2025-03-29 12:00", ["03-30 03:30+0200", "03-31 02:30+0200"]),
    # Clocks fall back over 02:30: once, at the first 02:30.
    ("Europe/Berlin", "02:30", "2025-10-25 12:00", ["10-26 02:30+0200", "10-27 02:30+0100"]),
    ("Pacific/Auckland", "09:00", "2026-01-01 12:00", ["01-02 09:00+1300", "01-03 09:00+1300"]),
])
def test_the_daily_run_happens_every_day_across_clock_changes(zone, at, start, expected):
    from feeds.scheduler import DailyAt

    tz = ZoneInfo(zone)
    trigger = DailyAt(dt.time.fromisoformat(at), tz)
    assert runs_of(trigger, dt.datetime.fromisoformat(start).replace(tzinfo=tz), len(expected)) == expected
    # A process asleep over three runs: APScheduler lists each one missed (then coalesces them).
    first = trigger.get_next_fire_time(None, dt.datetime.fromisoformat(start).replace(tzinfo=tz))
    later = first + dt.timedelta(days=3)
    assert trigger.get_next_fire_time(first, later) > first and trigger.get_next_fire_time(first, later) < later


@pytest.mark.parametrize("zone, at, start", [
    ("America/Nuuk", "23:30", "2025-03-27 12:00"),  # 23:30 on 29 March 2025 did not exist there
    ("Europe/Berlin", "02:30", "2025-03-28 12:00"),  # a gap within the day: nothing spills over
    ("America/Santiago", "00:00", "2025-09-04 12:00"),
])
def test_every_days_anniversaries_are_planned_by_the_daily_runs_across_clock_changes(zone, at, start):
    """A post time the clocks skip at midnight (America/Nuuk's 23:30 on 29 March 2025) runs after
    midnight, on the 30th: the run planned the 30th (not yet due) and nothing for the 29th, whose
    anniversaries were never posted. Each day is planned by its own run, whatever the clocks do."""
    from almanac.posting import Poster, PostingPolicy
    from feeds.scheduler import DailyAt

    tz = ZoneInfo(zone)
    trigger = DailyAt(dt.time.fromisoformat(at), tz)
    poster = Poster(None, "https://example.org/", PostingPolicy(tz=tz, post_time=dt.time.fromisoformat(at)))
    begin = dt.datetime.fromisoformat(start).replace(tzinfo=tz)
    previous, now, planned = None, begin, []
    for _ in range(6):
        fire = trigger.get_next_fire_time(previous, now)
        planned += poster.due_days(fire)
        previous, now = fire, fire + dt.timedelta(seconds=1)
    first = trigger.get_next_fire_time(None, begin).astimezone(tz).date()
    assert sorted(set(planned)) == [first + dt.timedelta(days=n) for n in range(6)], planned


def test_describe_before_start_uses_the_configured_timezone():
    now = dt.datetime(2025, 12, 31, 23, 30, tzinfo=UTC)  # already 1 Jan 12:30 in Auckland
    s = Scheduler(ScheduleConfig(timezone="Pacific/Auckland", anniversary_time="09:00"), post_due=Calls(),
                  now=lambda: now)
    assert s.describe()[0] == "anniversaries next at 2026-01-02T09:00:00+13:00"


def test_a_waiting_retry_runs_post_due_again_when_due():
    async def go():
        soon = dt.datetime.now(UTC) + dt.timedelta(seconds=0.3)
        post_due = Calls(results=[soon])
        s = Scheduler(ScheduleConfig(), post_due=post_due)
        await s.start()
        deadline = time.monotonic() + 5
        while len(post_due.calls) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        await s.shutdown()
        return s, post_due

    s, post_due = asyncio.run(go())
    assert len(post_due.calls) == 2 and s.runs == {STARTUP: 1, RETRY: 1}


def test_posting_is_tried_again_soon_after_the_database_was_out_of_reach(monkeypatch, caplog):
    """A database restarted at posting time: the daily job failed, logged "it runs again at its
    next time" (tomorrow, when today's posts count as missed) with a traceback, and the day's
    anniversaries were never posted. It is tried again soon, backing off, in one line a try."""
    import feeds.scheduler as scheduler
    from almanac.store import StoreError

    monkeypatch.setattr(scheduler, "OUTAGE_RETRY_FIRST", 0.2)
    outcomes = [StoreError("postgresql://127.0.0.1/a: database unreachable"), StoreError("still down"), None]
    calls = []

    async def post_due(now, publishers):
        calls.append(now)
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome

    async def go():
        s = Scheduler(ScheduleConfig(), post_due=post_due)
        await s.start()
        deadline = time.monotonic() + 5
        while len(calls) < 3 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        await s.shutdown()
        return s

    s = asyncio.run(go())
    assert len(calls) == 3 and s.runs == {RETRY: 1}
    assert (calls[2] - calls[1]).total_seconds() >= 0.35  # the second wait doubled
    # (this logger's records only: a thread another test left running may log beside them)
    ours = [r for r in caplog.records if r.name == "feeds.scheduler"]
    assert [r.getMessage() for r in ours if r.levelname == "ERROR"] == [
        "job startup: the database is out of reach (postgresql://127.0.0.1/a: database unreachable); posting is "
        "tried again in 0.2 s", "job retry: the database is out of reach (still down); posting is tried again in 0.4 s"]
    assert not any(r.exc_info for r in ours)


def test_a_failing_job_is_logged_and_the_scheduler_keeps_going(caplog):
    async def boom(now, publishers):
        raise RuntimeError("disk full")

    async def go():
        s = Scheduler(ScheduleConfig(), post_due=boom)
        await s.start()
        await asyncio.sleep(0.2)
        running = s._aps.running
        await s.shutdown()
        return running

    assert asyncio.run(go()) is True
    assert "job startup failed" in caplog.text and "disk full" in caplog.text


def test_shutdown_cancels_a_running_job_within_seconds():
    async def go():
        post_due = Calls(delay=60)
        s = Scheduler(ScheduleConfig(), post_due=post_due)
        await s.start()
        await asyncio.wait_for(post_due.called.wait(), 5)
        started = time.monotonic()
        await s.shutdown(grace=5)
        return time.monotonic() - started

    assert asyncio.run(go()) < 2


def test_stopping_while_a_job_finishes_its_post_in_flight_logs_no_error(caplog):
    """APScheduler cancels the job's wrapper before the work; work that completes its post
    within the grace is a clean stop, not a job that "raised an exception"."""
    started = asyncio.Event()

    async def post_due(now, publishers):
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            await asyncio.sleep(0.2)  # the post in flight is let finish
        return None

    async def go():
        s = Scheduler(ScheduleConfig(), post_due=post_due)
        await s.start()
        await asyncio.wait_for(started.wait(), 5)
        await s.shutdown(grace=5)
        return s

    s = asyncio.run(go())
    assert s.runs == {STARTUP: 1}
    assert "raised an exception" not in caplog.text and "Traceback" not in caplog.text


# --- real processes --------------------------------------------------------------------------

def _noon_zone() -> str:
    """An Etc/GMT zone where it is about noon now, so 'today' cannot change during a test."""
    offset = 12 - dt.datetime.now(UTC).hour  # -11 .. +12
    if offset == 0:
        return "UTC"
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"  # Etc/GMT-5 is UTC+5


class Deployment:
    """A config, a database with six of today's anniversaries, and `almanac schedule` processes."""

    def __init__(self, tmp_path, receiver: WebhookReceiver, db_target: str):
        self.dir = tmp_path
        self.receiver = receiver
        self.zone = zone = _noon_zone()
        local_today = dt.datetime.now(ZoneInfo(zone)).date()
        self.titles = [f"Anniversary talk {n}" for n in range(1, 7)]
        entries = [
            {"title": title, "date": local_today.replace(year=local_today.year - n).isoformat(), "kind": "talk",
             "summary": f"A talk given {n} years ago today."}
            for n, title in enumerate(self.titles, start=1)
        ]
        (tmp_path / "today.json").write_text(json.dumps(entries))
        self.config_text = (
            f'[archive]\nsources = ["today.json"]\ndb = "{db_target}"\n'
            '[site]\nbase_url = "https://almanac.example.org/"\nout_dir = "public"\n'
            f'[schedule]\ntimezone = "{zone}"\nanniversary_time = "00:00"\nclaim_lease_seconds = {LEASE}\n'
        )
        self.db = db_target
        with Store(str(self.db)) as store:
            report = ingest(store, ["today.json"], str(tmp_path))
            assert report.total("added") == 6, report.problems
        self.env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "ALMANAC_DB")}
        self.env.update({
            "ALMANAC_WEBHOOK_URLS": webhook_url(),
            "ALMANAC_DISCORD_API_BASE": receiver.api_base,
            "PYTHONPATH": str(REPO),
        })
        self.started = 0
        self.procs: list[asyncio.subprocess.Process] = []

    def workdir(self, n: int):
        """The working directory of the n-th process (its own config, log and public/)."""
        return self.dir / f"worker-{n}"

    async def start(self) -> asyncio.subprocess.Process:
        self.started += 1
        workdir = self.workdir(self.started)
        workdir.mkdir()
        (workdir / "config.toml").write_text(self.config_text)
        with open(workdir / "schedule.log", "wb") as log:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "almanac", "schedule", "--no-refresh",
                cwd=str(workdir), env={**self.env, "ALMANAC_CONFIG": str(workdir / "config.toml")}, stdin=asyncio.subprocess.DEVNULL,
                stdout=log, stderr=asyncio.subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    async def __aenter__(self) -> Deployment:
        return self

    async def __aexit__(self, *exc) -> None:
        """Whatever happened in the test, no `almanac schedule` outlives it."""
        for proc in self.procs:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()

    def logs(self) -> str:
        return "\n".join((self.workdir(n) / "schedule.log").read_text() for n in range(1, self.started + 1))

    def delivered(self) -> collections.Counter:
        return collections.Counter(self.receiver.titles())

    async def wait_until_all_delivered(self, timeout=30.0) -> None:
        try:
            await self.receiver.wait_for(lambda: set(self.delivered()) >= set(self.titles), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"not all delivered: {self.delivered()}\n{self.logs()}") from None
        await asyncio.sleep(0.5)  # time for a duplicate, if there were going to be one

    def ledger(self):
        with Store(str(self.db)) as store:
            return store.posts(occasion_prefix="anniversary:")


async def kill(proc: asyncio.subprocess.Process, sig=signal.SIGKILL) -> int:
    proc.send_signal(sig)
    return await asyncio.wait_for(proc.wait(), 15)


async def _429_mode(receiver: WebhookReceiver, on: bool) -> None:
    receiver.script = ["429"] * 10_000 if on else []


def test_killed_mid_run_and_restarted_two_schedulers_post_every_anniversary_once(tmp_path, db_target):
    """Two schedulers on one database; Discord starts rate limiting; both are SIGKILLed mid-run; a restart finishes."""
    async def go():
        async with WebhookReceiver(retry_after=0.2) as receiver:
            async with Deployment(tmp_path, receiver, db_target) as d:
                receiver.script = ["ok", "ok"] + ["429"] * 10_000  # two posts go out, then 429s with retry_after
                a, b = await d.start(), await d.start()
                await receiver.wait_for(lambda: len(receiver.requests) >= 8, 30)  # retries under way in both
                await kill(a)
                await kill(b)
                assert len(receiver.delivered) == 2
                receiver.script = []
                mid = d.ledger()
                c = await d.start()
                await d.wait_until_all_delivered()
                code = await kill(c, signal.SIGTERM)
                return d, mid, code

    d, mid, code = asyncio.run(go())
    assert code == 0, d.logs()
    assert d.delivered() == collections.Counter({t: 1 for t in d.titles}), d.logs()
    mid = [r for r in mid if r.target.startswith("webhook:")]
    assert sum(r.status == "sent" for r in mid) == 2 and any(r.last_error == "rate limited (429)" for r in mid)
    final = d.ledger()
    webhook_rows = [r for r in final if r.target.startswith("webhook:")]
    assert len(webhook_rows) == 6 and {r.status for r in webhook_rows} == {"sent"}
    feed_rows = [r for r in final if r.target == "feed:onthisday"]
    assert len(feed_rows) == 6 and {r.status for r in feed_rows} == {"sent"}
    assert any((d.workdir(n) / "public" / "onthisday.xml").exists() for n in (1, 2, 3))


def test_a_post_cut_off_in_flight_by_sigkill_is_resent_once_at_most(tmp_path, db_target):
    """Discord got the post but the process died before hearing back: the documented one duplicate, no more."""
    async def go():
        async with WebhookReceiver() as receiver:
            async with Deployment(tmp_path, receiver, db_target) as d:
                receiver.script = ["ok", "hold"]
                a = await d.start()
                await receiver.wait_for(lambda: len(receiver.requests) >= 2, 30)
                await kill(a)
                held = receiver.requests[1].embed["title"]
                receiver.release()  # Discord did create the message; nobody was there to hear it
                await asyncio.sleep(0.2)
                b = await d.start()
                await d.wait_until_all_delivered()
                code = await kill(b, signal.SIGTERM)
                return d, held, code

    d, held, code = asyncio.run(go())
    assert code == 0, d.logs()
    counts = d.delivered()
    assert counts[held] == 2 and all(counts[t] == 1 for t in d.titles if t != held), counts
    # (A feed row may also have been cut off mid-claim by the kill; only the webhook matters here.)
    (row,) = [r for r in d.ledger() if r.unknown_outcomes and r.target.startswith("webhook:")]
    assert row.status == "sent" and row.attempts == 2 and "outcome unknown" in row.last_error


def test_a_dead_schedulers_claim_is_taken_over_by_the_other_within_the_lease(tmp_path, db_target):
    """Two schedulers; one is SIGKILLed holding a claim whose request never reached Discord.

    The survivor takes the post over when the lease runs out: it arrives
    exactly once, within the lease (plus a poll), and no day later.
    """
    async def go():
        async with WebhookReceiver() as receiver:
            async with Deployment(tmp_path, receiver, db_target) as d:
                receiver.script = ["stall"]  # the first webhook request is lost on the way in
                a, b = await d.start(), await d.start()
                await receiver.wait_for(lambda: len(receiver.requests) >= 1, 30)
                stalled = receiver.requests[0].embed["title"]
                holder = await _claimant_of(d, stalled)
                victim = {a.pid: a, b.pid: b}[holder]
                await kill(victim)
                killed_at = time.monotonic()
                await receiver.wait_for(lambda: stalled in receiver.titles(), 30)
                took = time.monotonic() - killed_at
                await d.wait_until_all_delivered()
                survivor = b if victim is a else a
                code = await kill(survivor, signal.SIGTERM)
                return d, stalled, took, code

    d, stalled, took, code = asyncio.run(go())
    assert code == 0, d.logs()
    assert d.delivered() == collections.Counter({t: 1 for t in d.titles}), d.logs()
    assert took < LEASE + 5, (took, d.logs())
    (row,) = [r for r in d.ledger() if r.unknown_outcomes and r.target.startswith("webhook:")]
    assert row.status == "sent" and row.attempts == 2 and "stopped while sending" in row.last_error


def test_an_edit_cut_off_by_sigkill_is_applied_once_after_a_restart(tmp_path, db_target):
    """A corrected summary; the scheduler is SIGKILLed while Discord holds its PATCH (applied, unanswered).

    The restarted scheduler takes the dead one's claim over and sends the same
    PATCH again. An edit is idempotent: what counts is that the message
    changed exactly once (to the new text), that nothing else was touched,
    and that the ledger records one edit, done, in two attempts.
    """
    async def go():
        async with WebhookReceiver() as receiver:
            async with Deployment(tmp_path, receiver, db_target) as d:
                await _post_in_process(d, receiver)
                posted = dict(receiver.messages)
                entries = json.loads((tmp_path / "today.json").read_text())
                entries[0]["summary"] = "A talk given a year ago today (corrected)."
                (tmp_path / "today.json").write_text(json.dumps(entries))
                with Store(str(d.db)) as store:
                    assert ingest(store, ["today.json"], str(tmp_path)).total("changed") == 1
                receiver.edit_script = ["hold"]
                b = await d.start()
                await receiver.wait_for(lambda: len(receiver.edits) >= 1, 30)
                await kill(b)
                receiver.release()  # Discord applied it; nobody was there to hear the answer
                c = await d.start()
                await receiver.wait_for(lambda: len(receiver.edits) >= 2, 30)
                for _ in range(100):
                    with Store(str(d.db)) as store:
                        edits = store.edits()
                    if edits and edits[0].status == "done":
                        break
                    await asyncio.sleep(0.05)
                await asyncio.sleep(0.3)  # time for a third PATCH, if there were going to be one
                code = await kill(c, signal.SIGTERM)
                return d, receiver, posted, edits, code

    d, receiver, posted, edits, code = asyncio.run(go())
    assert code == 0, d.logs()
    first, second = receiver.edits
    assert len(receiver.edits) == 2 and first.message_id == second.message_id and first.body == second.body, d.logs()
    before, after = receiver.versions[first.message_id]  # the message changed once, to the new text
    assert before[0]["description"] == "**🎉 1 year ago today**\n\nA talk given 1 years ago today."
    assert after[0]["description"] == "**🎉 1 year ago today**\n\nA talk given a year ago today (corrected)."
    assert all(len(receiver.versions[m]) == 1 for m in posted if m != first.message_id)
    (edit,) = edits
    assert (edit.status, edit.action, edit.attempts) == ("done", "edit", 2)
    assert edit.last_error.startswith("attempt 1 by ") and "stopped while editing" in edit.last_error
    (row,) = [r for r in d.ledger() if r.message_id == first.message_id]
    assert "(corrected)" in row.shown and row.edited_at


async def _post_in_process(d: Deployment, receiver: WebhookReceiver) -> None:
    """Post the deployment's six anniversaries to the webhook as its schedulers would (same links, same day)."""
    from almanac.posting import Poster, PostingPolicy
    from feeds.webhooks import WebhookPublisher, set_api_base, webhook_session

    set_api_base(receiver.api_base)
    try:
        async with webhook_session() as session:
            with Store(str(d.db)) as store:
                policy = PostingPolicy(tz=ZoneInfo(d.zone), post_time=dt.time(0, 0))
                report = await Poster(store, "https://almanac.example.org/", policy).post_due(
                    dt.datetime.now(UTC), [WebhookPublisher(webhook_url(), session)])
    finally:
        set_api_base("")
    assert len(report.sent) == 6 and len(receiver.messages) == 6


async def _claimant_of(d: Deployment, title: str) -> int:
    """The pid of the process whose claim on the webhook post of `title` is in flight."""
    for _ in range(100):
        with Store(str(d.db)) as store:
            entry_ids = {e.id for e in store.entries() if e.title == title}
            rows = [r for r in store.posts(status="sending") if r.entry_id in entry_ids
                    and r.target.startswith("webhook:")]
        if rows:
            return int(rows[0].claimed_by.split(":")[1])
        await asyncio.sleep(0.05)
    raise AssertionError(f"no claim on {title!r}\n{d.logs()}")


def test_sigterm_mid_send_stops_within_seconds_and_leaves_no_half_written_row(tmp_path, db_target):
    async def go():
        async with WebhookReceiver() as receiver:
            async with Deployment(tmp_path, receiver, db_target) as d:
                receiver.script = ["hold"]
                a = await d.start()
                await receiver.wait_for(lambda: len(receiver.requests) >= 1, 30)
                started = time.monotonic()
                code = await kill(a, signal.SIGTERM)
                return d, code, time.monotonic() - started

    d, code, took = asyncio.run(go())
    assert code == 0 and took < 10, d.logs()
    rows = [r for r in d.ledger() if r.target.startswith("webhook:")]
    assert not [r for r in rows if r.status == "sending"], d.logs()
    (released,) = [r for r in rows if r.attempts]
    assert released.status == "pending" and released.last_error == "stopped while sending; outcome unknown"


# --- the composed jobs (what `almanac schedule` and `almanac bot` run) ------------------------

def test_refresh_announces_only_what_is_new_then_keeps_those_messages_true(tmp_path):
    """The first ingest is the baseline (no flood); entries added later are announced once.

    Then one of them is corrected and the other removed from the source: the
    next refresh edits each message once (one PATCH with the new summary, one
    saying the other was withdrawn), and a further refresh sends nothing.
    """
    from almanac.app import App
    from almanac.commands.onthisday import start_posting
    from almanac.config import load_config
    from tests.fakes import FakeEmbedder

    source = tmp_path / "entries.txt"
    source.write_text(SEED_TEXT.read_text())
    config_path = tmp_path / "config.toml"
    config_path.write_text('[archive]\nsources = ["entries.txt"]\ndb = "a.db"\n[site]\nout_dir = "public"\n'
                           '[schedule]\nanniversary_time = "23:59"\n[posts]\non_removed = "edit"\n')
    new_entries = ("\nA brand new talk / Oct 2026\nA talk on something new.\n"
                   "\nAnother new paper / Nov 2026\nPaper on something else.\n")

    async def go():
        async with WebhookReceiver() as receiver:
            env = {"ALMANAC_WEBHOOK_URLS": webhook_url(), "ALMANAC_DISCORD_API_BASE": receiver.api_base}
            app = App.build(load_config(str(config_path)), env)
            app.__dict__["embedder"] = FakeEmbedder()  # mechanics only: no model load
            try:
                jobs = await start_posting(app)
                await receiver.wait_for(lambda: jobs.scheduler.runs.get(REFRESH) and jobs.scheduler.runs.get(STARTUP))
                first = app.store.count()
                await asyncio.sleep(0.01)  # entries added after the target's baseline (milliseconds)
                source.write_text(source.read_text() + new_entries)
                await jobs.scheduler.run_now(REFRESH)
                await jobs.scheduler.run_now(REFRESH)  # nothing new the second time
                announced = list(receiver.delivered)
                source.write_text(source.read_text().replace(new_entries, "\nA brand new talk / Oct 2026\n"
                                                             "A talk on something newer, corrected.\n"))
                await jobs.scheduler.run_now(REFRESH)
                await jobs.scheduler.run_now(REFRESH)  # every message is true: nothing more
                await jobs.stop()
                edits = app.store.edits()
            finally:
                from feeds.webhooks import set_api_base
                set_api_base("")
                app.close()
            return receiver, first, announced, edits

    receiver, first, announced, edits = asyncio.run(go())
    assert first == 25
    assert [r.embed["title"] for r in announced] == ["A brand new talk", "Another new paper"]
    assert all(r.embed["description"].startswith("**New in the archive**") for r in announced)
    assert len(receiver.delivered) == 2  # edits are not new posts
    talk, paper = (receiver.versions[message_id] for message_id in sorted(receiver.messages))
    patches = {r.message_id: r for r in receiver.edits}
    assert [r.method for r in receiver.edits] == ["PATCH", "PATCH"] and len(patches) == 2
    assert talk[-1][0]["description"] == "**New in the archive**\n\nA talk on something newer, corrected."
    assert paper[-1][0]["title"] == "Another new paper" and paper[-1][0]["description"].startswith("**Withdrawn**")
    assert len(talk) == len(paper) == 2  # posted, then edited once
    assert sorted((e.status, e.action, e.attempts) for e in edits) == [("done", "edit", 1), ("done", "withdraw", 1)]
    public = tmp_path / "public"
    assert (public / "index.html").exists() and (public / "onthisday.xml").exists()
    assert (public / "entries" / "a-brand-new-talk-2026-10.html").exists()
    assert not (public / "entries" / "another-new-paper-2026-11.html").exists()


def test_daylight_saving_days_the_daily_job_still_fires_and_a_double_run_posts_once(seeded_store):
    """01:30 does not exist on 30 Mar 2025 in London (the run is at 02:30 BST) and happens twice on
    26 Oct 2025 (the run is at the first)."""
    from almanac.posting import Poster, PostingPolicy

    london = ZoneInfo("Europe/London")

    async def trigger():
        s = Scheduler(ScheduleConfig(timezone="Europe/London", anniversary_time="01:30"), post_due=Calls())
        await s.start()
        job = s._aps.get_job(ANNIVERSARIES)
        await s.shutdown()
        return job.trigger

    daily = asyncio.run(trigger())

    def fires(start, hours):
        """Fire times as APScheduler computes them, `now` moving on in real (UTC) time."""
        out, prev, now = [], None, start
        for _ in range(10):
            nxt = daily.get_next_fire_time(prev, now)
            if nxt > start + dt.timedelta(hours=hours):
                return out
            out.append(nxt)
            prev, now = nxt, (nxt.astimezone(UTC) + dt.timedelta(seconds=1)).astimezone(london)
        raise AssertionError(f"the trigger keeps firing: {out}")

    spring = fires(dt.datetime(2025, 3, 29, 12, tzinfo=london), 24)
    assert [f.astimezone(UTC).isoformat() for f in spring] == ["2025-03-30T01:30:00+00:00"]
    autumn = fires(dt.datetime(2025, 10, 25, 12, tzinfo=london), 24)
    assert [f.astimezone(UTC).isoformat() for f in autumn] == ["2025-10-26T00:30:00+00:00"]

    class Pub:
        key, wants, sent = "test:dst", frozenset({"anniversary"}), []

        async def send(self, post):
            self.sent.append(post)

    # Two runs on one morning anyway (a restart, a second process): the ledger posts once.
    poster = Poster(seeded_store, "https://example.org/", PostingPolicy(tz=london, post_time=dt.time(1, 30)))
    first = asyncio.run(poster.post_due(dt.datetime(2025, 5, 1, 0, 30, tzinfo=UTC), [Pub()]))
    second = asyncio.run(poster.post_due(dt.datetime(2025, 5, 1, 1, 30, tzinfo=UTC), [Pub()]))
    assert len(first.sent) == 5 and second.sent == [] and len(Pub.sent) == 5
