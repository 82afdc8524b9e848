"""When posting and refreshing run: APScheduler 3.x inside the running asyncio loop.

The scheduler only decides *when*; what is due, what was missed and what was
already sent is the ledger's business (`almanac.posting`). So:

* the daily job at [schedule] anniversary_time, and a `post_due` run at start,
  so an anniversary missed while the process was down goes out on the next
  start the same day (the ledger knows whether it already went);
* `misfire_grace_time=None` and `coalesce=True` on purpose: a run that is
  late (suspended laptop, blocked loop) still happens, once, however late;
  the ledger, not APScheduler, says whether anything is still due;
* after a run that left retries waiting (429, 5xx), a one-off "retry" job at
  the earliest retry time;
* `shutdown()` cancels what is running: a post in flight gets a few seconds
  to finish and be recorded, otherwise it is abandoned with its ledger row
  released (see `Poster._send`); nothing is half-written because every
  ledger step is one transaction.

No configuration is read here: the composition root passes the schedule
settings and the coroutines (`post_due(now, publishers)`, `refresh(now,
publishers)`, each returning the next retry time or None) and a
`publishers()` provider evaluated at every run (bot subscriptions change
while it runs, in any of its processes: it may be a coroutine function). The bot runs the same object inside its own process.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import logging
from typing import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from almanac.anniversaries import local_instant
from almanac.config import ScheduleConfig
from almanac.store.database import out_of_reach, reason_of

log = logging.getLogger(__name__)

Job = Callable[[dt.datetime, list], Awaitable["dt.datetime | None"]]

#: Job ids (explicit, so logs and `almanac schedule --list` name them).
ANNIVERSARIES, REFRESH, STARTUP, RETRY = "anniversaries", "refresh", "startup", "retry"
#: Seconds before posting is tried again after the database was out of reach, doubling up to the
#: most while it stays so (a restart takes seconds; an outage of hours is retried every ten minutes).
OUTAGE_RETRY_FIRST, OUTAGE_RETRY_MOST = 30.0, 600.0


async def current(provider: Callable[[], list | Awaitable[list]]) -> list:
    """What a publishers provider gives now: a list, or one it reads first (the bot's subscribed
    channels are read from the store at every run, in a thread, since another process may have
    changed them)."""
    found = provider()
    return await found if inspect.isawaitable(found) else found


class DailyAt(BaseTrigger):
    """Every day at `at`, local time in `tz`.

    Where that time does not exist one day (clocks spring forward over it: 00:00 in Santiago
    or Havana, 02:30 in Berlin), the run is as long after the change as the time was after the
    hour it skipped (01:00, 03:30), and where it happens twice (clocks fall back) at the first
    only. APScheduler's CronTrigger skipped the whole day when the gap began at midnight, and
    with it that day's anniversaries (with `--no-refresh`, nothing else posted them).
    """

    def __init__(self, at: dt.time, tz: dt.tzinfo):
        self.at, self.tz = at, tz

    def get_next_fire_time(self, previous_fire_time, now):
        # Like CronTrigger: from just after the previous run when it is earlier than now (APScheduler
        # lists the runs missed while the process slept this way; `coalesce` makes them one).
        start = min(now, previous_fire_time + dt.timedelta(microseconds=1)) if previous_fire_time else now
        day = start.astimezone(self.tz).date() - dt.timedelta(days=1)
        for offset in range(3):
            # a time in a gap (clocks sprung forward over it) comes out moved past it
            instant = local_instant(day + dt.timedelta(days=offset), self.at, self.tz)
            if instant >= start:
                return instant
        return None  # unreachable: one of three consecutive days is at or after `start`

    def __str__(self) -> str:
        return f"daily at {self.at:%H:%M} ({self.tz})"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Scheduler:
    """Runs `post_due` daily and at start, `refresh` every few minutes, retries when due."""

    def __init__(
        self,
        schedule: ScheduleConfig,
        *,
        post_due: Job,
        refresh: Job | None = None,
        publishers: Callable[[], list | Awaitable[list]] = list,
        now: Callable[[], dt.datetime] = _utc_now,
        refresh_at_start: bool = True,
    ):
        self.tz = schedule.tz
        self.post_time = schedule.post_time
        self.refresh_minutes = schedule.refresh_minutes
        self._post_due = post_due
        self._refresh = refresh
        self._publishers = publishers
        self._now = now
        self._refresh_at_start = refresh_at_start
        self._tasks: set[asyncio.Task] = set()
        self._stopping = False
        self._aps: AsyncIOScheduler | None = None
        #: Completed runs by job id (for logs and tests).
        self.runs: dict[str, int] = {}
        #: Seconds the last retry after a database outage waited (0: the last posting run worked).
        self._outage_wait = 0.0

    def _job_defaults(self) -> dict:
        return {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}

    async def start(self) -> None:
        """Add the jobs and start; call from inside the running loop."""
        self._aps = AsyncIOScheduler(timezone=self.tz, job_defaults=self._job_defaults())
        aps = self._aps
        aps.add_job(self._job, DailyAt(self.post_time, self.tz),
                    args=[ANNIVERSARIES], id=ANNIVERSARIES, name="daily anniversary posts", replace_existing=True)
        aps.add_job(self._job, DateTrigger(run_date=self._now(), timezone=self.tz), args=[STARTUP], id=STARTUP,
                    name="posts missed while down", replace_existing=True)
        if self._refresh is not None:
            start = self._now() if self._refresh_at_start else self._now() + dt.timedelta(minutes=self.refresh_minutes)
            aps.add_job(self._job, IntervalTrigger(minutes=self.refresh_minutes, timezone=self.tz), args=[REFRESH],
                        id=REFRESH, name="re-ingest, rebuild, announce", next_run_time=start, replace_existing=True)
        aps.start()
        log.info("scheduler started: %s", "; ".join(self.describe()))

    def describe(self) -> list[str]:
        """One line per job: its id and when it runs next (also before `start`)."""
        if self._aps is None:
            now = self._now().astimezone(self.tz)
            daily = DailyAt(self.post_time, self.tz)
            lines = [f"{ANNIVERSARIES} next at {daily.get_next_fire_time(None, now).isoformat(timespec='seconds')}",
                     f"{STARTUP} at start: posts missed while down"]
            if self._refresh is not None:
                lines.append(f"{REFRESH} every {self.refresh_minutes} min"
                             + (", first at start" if self._refresh_at_start else ""))
            return lines
        out = []
        for job in self._aps.get_jobs():
            when = job.next_run_time.isoformat(timespec="seconds") if job.next_run_time else "paused"
            out.append(f"{job.id} next at {when}")
        return out

    async def _job(self, job_id: str) -> None:
        # The work runs in a task of our own, so shutdown can give it time to
        # finish instead of APScheduler cancelling it mid-post.
        kind = REFRESH if job_id == REFRESH else ANNIVERSARIES
        task = asyncio.create_task(self._run(kind, job_id), name=f"almanac-{job_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled() or self._stopping:
                # Stopped by shutdown(): APScheduler cancels this wrapper first, and the work may
                # still be finishing a post in flight (shutdown() waits for it). Not a failure of
                # the job: nothing to log.
                return
            raise

    async def _run(self, kind: str, job_id: str) -> None:
        fn = self._refresh if kind == REFRESH else self._post_due
        now = self._now()
        try:
            next_due = await fn(now, list(await current(self._publishers)))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if kind != REFRESH and out_of_reach(exc):
                # The database is down or unreachable: the day's posts wait in it, and the daily
                # job's next time is tomorrow, when today's count as missed (a server restarted
                # at posting time lost the day's anniversaries). Posting is tried again soon.
                wait = self._outage_wait = min(self._outage_wait * 2 or OUTAGE_RETRY_FIRST, OUTAGE_RETRY_MOST)
                log.error("job %s: the database is out of reach (%s); posting is tried again in %g s",
                          job_id, reason_of(exc), wait)
                self.retry_at(now + dt.timedelta(seconds=wait))
                return
            log.exception("job %s failed; it runs again at its next time", job_id)
            return
        if kind != REFRESH:
            self._outage_wait = 0
        self.runs[job_id] = self.runs.get(job_id, 0) + 1
        if next_due is not None:
            self.retry_at(next_due)

    async def run_now(self, job_id: str = ANNIVERSARIES) -> None:
        """Run a job at once and wait for it (e.g. a refresh after a new subscription; tests)."""
        await self._job(job_id)

    def retry_at(self, when: dt.datetime) -> None:
        """Run `post_due` again at `when` (the earliest retry the ledger is waiting for)."""
        if self._aps is None or not self._aps.running:
            return
        when = max(when, self._now())
        # max_instances=2: a retry run schedules the next retry while it is itself still running.
        self._aps.add_job(self._job, DateTrigger(run_date=when, timezone=self.tz), args=[RETRY], id=RETRY,
                          name="retry waiting posts", replace_existing=True, max_instances=2)

    async def shutdown(self, grace: float = 10.0) -> None:
        """Stop: no new runs; running ones are cancelled (a post in flight finishes or is released)."""
        self._stopping = True
        if self._aps is not None and self._aps.running:
            self._aps.shutdown(wait=False)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            done, pending = await asyncio.wait(tasks, timeout=grace)
            if pending:
                log.warning("%d job(s) did not stop within %gs", len(pending), grace)
        await asyncio.sleep(0)  # let APScheduler's own shutdown callback run
