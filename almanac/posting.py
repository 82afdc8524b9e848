"""Posting anniversaries and new entries: the Publisher protocol and the ledger logic.

A post goes to a *target* (a Discord webhook, a bot channel, the on-this-day
feed) through a `Publisher`. Whether it is due, whether it was already sent,
and when to try again is decided here, over the ledger in the store
(`almanac.store.ledger`), never by the scheduler and never by memory:

1. plan:  for today's (and, with `catch_up_days`, recent days') anniversaries
          and for entries added after a target's baseline, insert pending
          rows; the UNIQUE (entry, occasion, target) constraint makes this
          idempotent across processes and restarts;
2. claim: take one due row in a write transaction (status "sending"), so two
          schedulers on one database never both send it;
3. send:  through the publisher;
4. mark:  sent (with the message id; also when the receiver answered 2xx
          and reading its answer failed: the post is there), or pending
          again with a backoff (RetryLater: 429, 5xx, network; see
          `retry_delay`), or failed (PermanentFailure: 4xx).

A claim is a lease, renewed while the send is in flight. If the process
dies between 2 and 4, its lease runs out and another process (on this
machine or another; every run also wakes up when a lease it saw ends) takes
the row over. The receiver may or may not have the post: we cannot know (a
Discord webhook cannot be searched by nonce). So such a post is sent once
more, and a crash costs at most one duplicate, never a lost post; a second
unknown outcome marks it failed instead.

After its posts, a target's messages whose entry changed or was removed are
edited (`almanac.editing`, through the ledger's edit jobs): a publisher that
can do so implements `MessageEditor` as well, and the ledger keeps what each
of its messages shows (`mark_sent(..., shown)`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import os
import secrets
import socket
from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol, runtime_checkable

from almanac.anniversaries import anniversary_in, is_milestone, local_instant, on, today
from almanac.entry import Entry, Precision
from almanac.links import entry_url
from almanac.store.database import reason_of
from almanac.text import escape_markdown

log = logging.getLogger(__name__)

#: Identifies this process in `claimed_by`, so a restarted process that got
#: the same pid (pid 1 in a container) still sees its predecessor's claims as dead.
PROCESS_TOKEN = secrets.token_hex(4)

ANNIVERSARY = "anniversary"
NEW = "new"

# Discord embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
TITLE_MAX, DESCRIPTION_MAX, FIELD_VALUE_MAX, FOOTER_MAX, TOTAL_MAX = 256, 4096, 1024, 2048, 6000
SUMMARY_MAX = 700  # a post is a teaser: the link leads to the full entry
#: How soon a run comes back to record a delivered post the ledger could not (a full disk).
UNRECORDED_RETRY_SECONDS = 30.0
COLOUR_ANNIVERSARY, COLOUR_MILESTONE, COLOUR_NEW = 0x3B82F6, 0xF59E0B, 0x10B981


class RetryLater(Exception):
    """Not delivered, worth trying again (429, 5xx, network). `seconds`: the receiver's hint."""

    def __init__(self, reason: str, seconds: float | None = None):
        super().__init__(reason)
        self.seconds = seconds


class PermanentFailure(Exception):
    """Not delivered and never will be as is (4xx: bad webhook, missing permission)."""


class Delivered(Exception):
    """The receiver answered 2xx, so the post is there, but reading its answer failed
    (e.g. a body discord.py cannot parse). Recorded as sent, without a message id:
    sending it again would show it twice."""


class MessageGone(Exception):
    """Discord answered 404 to an edit: the message (or its webhook, or its channel) is no
    longer there. The ledger never edits that message again."""


class OutcomeUnknown(Exception):
    """The request may have reached Discord, but no answer came back (a timeout, a
    connection dropped mid-request). Treated like a send cut off by a crash: resent
    at most once (see `LedgerMixin.release_unknown`), never up to the retry limit."""


@dataclass(frozen=True)
class Post:
    """What one publisher sends: an entry on an occasion ("anniversary:YYYY-MM-DD" or "new")."""

    entry: Entry
    occasion: str
    years_ago: int | None
    milestone: bool
    link: str
    nonce: str
    #: The day it is sent (in the schedule's timezone), when known: a catch-up post sent after its
    #: day says which day it was, not "today".
    sent_on: dt.date | None = None

    @property
    def is_anniversary(self) -> bool:
        return self.occasion.startswith(ANNIVERSARY + ":")

    @property
    def anniversary_date(self) -> dt.date | None:
        return dt.date.fromisoformat(self.occasion.split(":", 1)[1]) if self.is_anniversary else None

    def headline(self) -> str:
        """ "10 years ago this month", "1 year ago today", "5 years ago on 3 December" (sent a day
        late, `catch_up_days`), "5 years ago in November", or "New in the archive"."""
        if not self.is_anniversary:
            return "New in the archive"
        years = f"{self.years_ago} year{'s' if self.years_ago != 1 else ''} ago"
        day, sent = self.anniversary_date, self.sent_on or self.anniversary_date
        if self.entry.precision is Precision.MONTH:
            when = "this month" if (sent.year, sent.month) == (day.year, day.month) else f"in {day:%B}"
        else:
            when = "today" if sent == day else f"on {day.day} {day:%B}"
        return f"{years} {when}"


@runtime_checkable
class Publisher(Protocol):
    """Somewhere posts go. `key` names the target in the ledger (never a secret)."""

    #: "webhook:<sha256 of the URL, 12 hex>", "channel:<id>" or "feed:onthisday".
    key: str
    #: Which posts it takes: {"anniversary", "new"} or a subset.
    wants: frozenset[str]

    async def send(self, post: Post) -> str | None:
        """Deliver `post`; return the message id if there is one.

        Raise RetryLater (rate limit, server error, network),
        PermanentFailure (the target refuses it), Delivered (a 2xx whose
        answer could not be read) or OutcomeUnknown. Anything else is taken
        as an unknown outcome too: the request may have left, so the post is
        resent at most once.
        """
        ...


@runtime_checkable
class MessageEditor(Protocol):
    """A publisher whose messages can be changed afterwards (webhooks, bot channels).

    Both raise like `Publisher.send` (RetryLater, PermanentFailure,
    OutcomeUnknown), plus MessageGone for a 404; a 2xx whose answer cannot be
    read is success (the edit is applied).
    """

    key: str

    async def edit_message(self, message_id: str, embed: dict) -> None:
        """Make message `message_id` show `embed` (what `render_post` returns)."""
        ...

    async def delete_message(self, message_id: str) -> None:
        ...


def _cut(text: str, limit: int) -> str:
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "…"


def render_post(post: Post) -> dict:
    """The post as a Discord embed (JSON), within Discord's limits.

    Both the webhook and the bot's channel publisher send
    `discord.Embed.from_dict(render_post(post))`, so posts look alike
    everywhere. Milestones (1, 5, 10, ... years) get a different colour, a
    party popper and a footer saying so.
    """
    e = post.entry
    headline = post.headline()
    if post.milestone:
        headline = f"🎉 {headline}"
        colour = COLOUR_MILESTONE
    else:
        colour = COLOUR_NEW if not post.is_anniversary else COLOUR_ANNIVERSARY
    description = f"**{headline}**\n\n{escape_markdown(_cut(e.summary, SUMMARY_MAX))}"  # shown as written
    fields = [
        {"name": "Kind", "value": e.kind, "inline": True},
        {"name": "Date", "value": e.date.label(), "inline": True},
    ]
    if e.tags:
        fields.append({"name": "Tags", "value": escape_markdown(_cut(", ".join(e.tags), FIELD_VALUE_MAX // 2)),
                       "inline": True})
    if post.milestone:
        footer = f"Milestone: {post.years_ago} year{'s' if post.years_ago != 1 else ''} · On this day"
    elif post.is_anniversary:
        footer = "On this day"
    else:
        footer = "Just added"
    embed = {
        "title": _cut(e.title, TITLE_MAX),
        "url": post.link,
        "description": _cut(description, DESCRIPTION_MAX),
        "color": colour,
        "fields": fields,
        "footer": {"text": _cut(footer, FOOTER_MAX)},
    }
    total = len(embed["title"]) + len(embed["description"]) + len(footer) + sum(
        len(f["name"]) + len(f["value"]) for f in fields)
    if total > TOTAL_MAX:  # cannot happen with the caps above; kept as a guard
        embed["description"] = _cut(embed["description"], DESCRIPTION_MAX - (total - TOTAL_MAX))
    return embed


def shown_json(embed: dict) -> str:
    """An embed as the ledger keeps it (`posts.shown`): canonical JSON, so equal content is equal text."""
    return json.dumps(embed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def make_post(rec, entry: Entry, base_url: str, sent_on: dt.date | None = None) -> Post:
    """The `Post` of ledger row `rec` for `entry` as it is now (sending it on `sent_on`, or editing
    its message)."""
    years = None
    if rec.occasion.startswith(ANNIVERSARY + ":"):
        years = dt.date.fromisoformat(rec.occasion.split(":", 1)[1]).year - entry.date.year
    return Post(entry, rec.occasion, years, bool(years and is_milestone(years)), entry_url(base_url, entry.id),
                rec.nonce, sent_on)


def still_its_anniversary(post: Post) -> bool:
    """Whether the entry, as it is now, still has its anniversary on the post's occasion: a date
    corrected after the post ("2015-05-04" to "2015-05-05", or to this year) makes the message
    untrue ("10 years ago today" on the wrong day, "0 years ago"). New-entry posts always are."""
    return not post.is_anniversary or anniversary_in(post.entry, post.anniversary_date.year) == post.anniversary_date


def nonce_for(entry_id: str, occasion: str, target: str) -> str:
    """A stable 20-character nonce per ledger row (Discord allows 25)."""
    return hashlib.sha256(f"{entry_id}\n{occasion}\n{target}".encode()).hexdigest()[:20]


@dataclass(frozen=True)
class PostingPolicy:
    """How posting behaves; built from [anniversaries] and [schedule] by the composition root."""

    tz: dt.tzinfo = dt.timezone.utc
    #: Local time from which today's anniversaries are due.
    post_time: dt.time = dt.time(9, 0)
    milestones_only: bool = False
    #: Days back a missed anniversary may still be posted (0: the same day only).
    catch_up_days: int = 0
    announce_new: bool = True
    #: More unannounced entries than this for one target at once is a bulk import
    #: (a new source, a first ingest): the baseline moves instead of flooding.
    flood_limit: int = 10
    #: Waits between attempts refused for now (429, 5xx): base * 2**(attempt-1), capped
    #: at backoff_max; a receiver's retry_after is a floor (see `retry_delay`).
    backoff_base: float = 2.0
    backoff_max: float = 3600.0
    #: Give up once the waits between attempts add up to this (an outage of an hour is survived).
    retry_for: float = 3600.0
    #: A send taking longer than this is abandoned (outcome unknown).
    send_timeout: float = 120.0
    #: How long a claim holds without renewal: a dead claimant's posts are taken
    #: over this long after its last renewal (renewed every third of it while sending).
    lease_seconds: float = 180.0
    #: On shutdown, seconds an in-flight send may take to finish before it is abandoned.
    stop_grace: float = 5.0
    #: Messages of posts sent in the last this many days are edited when their entry
    #: changes (0: never edit); older ones are left alone.
    edit_days: int = 30
    #: A removed entry's messages: "edit" (say it was withdrawn), "delete" or "keep".
    on_removed: str = "edit"


@dataclass
class RunReport:
    """What one `post_due` run did (for logs and tests)."""

    planned: int = 0
    sent: list[tuple[str, str, str]] = field(default_factory=list)  # (target, entry id, occasion)
    retrying: list[tuple[str, str, str]] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    expired: int = 0
    next_due: dt.datetime | None = None
    #: Edits: planned this run; applied (target, entry id, action); failed or gone (same).
    edits_planned: int = 0
    edited: list[tuple[str, str, str]] = field(default_factory=list)
    edit_failed: list[tuple[str, str, str]] = field(default_factory=list)

    def summary(self) -> str:
        line = f"planned {self.planned}, sent {len(self.sent)}, retrying {len(self.retrying)}, failed {len(self.failed)}"
        if self.edited or self.edit_failed:
            line += f"; edited {len(self.edited)}, edits failed {len(self.edit_failed)}"
        if self.expired:
            line += f", {self.expired} missed (older than catch_up_days)"
        if self.next_due:
            line += f"; next retry {self.next_due.isoformat(timespec='seconds')}"
        return line


def backoff(attempt: int, policy: PostingPolicy) -> float:
    """The wait after failed attempt number `attempt` (1, 2, ...), before any hint."""
    return min(policy.backoff_max, policy.backoff_base * 2 ** min(attempt - 1, 64))


def retry_delay(attempts: int, hint: float | None, policy: PostingPolicy) -> float | None:
    """Seconds to wait after `attempts` failed attempts, or None: give up.

    Why a schedule and not "retry_after, N times": a receiver that keeps
    answering 429 with a short retry_after (or a Discord outage) would use
    up N attempts in seconds. The waits double from `backoff_base` up to
    `backoff_max`, a retry_after only ever lengthens a wait, and we give up
    only once the waits so far add up to `retry_for` (so the attempts span
    at least that long).
    """
    if sum(backoff(n, policy) for n in range(1, attempts)) >= policy.retry_for:
        return None
    return max(hint or 0.0, backoff(attempts, policy))


def utc_clock() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _worker_alive(worker: str, host: str) -> bool:
    """Whether the process that wrote `claimed_by = worker` may still be running.

    Only decidable on the same host: a pid that no longer exists, or our own
    pid with another process token (a restarted container), is dead. Claims
    from other hosts are judged by the lease instead.
    """
    parts = worker.split(":")
    if len(parts) < 3 or parts[0] != host or not parts[1].isdigit():
        return True
    pid = int(parts[1])
    if pid == os.getpid():
        return parts[2] == PROCESS_TOKEN
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _shown(publisher: Publisher, post: Post) -> dict:
    """What the message of `post` shows and the entry it shows, kept when its publisher can edit it later."""
    if not isinstance(publisher, MessageEditor):
        return {}
    return {"shown": shown_json(render_post(post)), "entry_hash": post.entry.content_hash}


class Poster:
    """Plans, claims, sends and records posts for a list of publishers.

    Thread/async use: store calls go through `asyncio.to_thread`; one
    `post_due` at a time per Poster (a lock), any number of Posters and
    processes on one database (the ledger).
    """

    def __init__(
        self,
        store,
        base_url: str,
        policy: PostingPolicy | None = None,
        clock: Callable[[], dt.datetime] = utc_clock,
    ):
        self.store = store
        self.base_url = base_url
        self.policy = policy or PostingPolicy()
        self.clock = clock
        self.host = socket.gethostname()
        self.worker = f"{self.host}:{os.getpid()}:{PROCESS_TOKEN}:{secrets.token_hex(2)}"
        self._lock = asyncio.Lock()
        #: The day (in policy.tz) of the run under way: posts sent now say "today" of it (`Post.sent_on`).
        self._run_day: dt.date | None = None
        #: Target key -> when it may be tried again (after a 429/5xx it waits as a whole).
        self._resting: dict[str, dt.datetime] = {}
        #: Post id -> (message id, when, what it shows) of posts delivered whose "sent" the ledger
        #: could not write (a full disk): written before anything else is claimed, never sent again.
        self._unrecorded: dict[int, tuple[str | None, dt.datetime, dict]] = {}
        from almanac.editing import EditRunner  # here: almanac.editing builds on this module's types

        #: Keeps the messages of this poster's targets true (same store, clock, worker and resting targets).
        self.edits = EditRunner(store, base_url, self.policy, clock, self.worker, self._resting,
                                lambda w: _worker_alive(w, self.host))

    # --- planning (synchronous: runs in a thread) --------------------------------

    def due_days(self, now: dt.datetime) -> list[dt.date]:
        """Anniversary days whose posts are due at `now`: today once past post_time, and catch-up days."""
        tz = self.policy.tz
        day = today(now, tz)
        days = [day - dt.timedelta(days=n) for n in range(self.policy.catch_up_days, 0, -1)]
        yesterday = day - dt.timedelta(days=1)
        if yesterday not in days and local_instant(yesterday, self.policy.post_time, tz).date() == day:
            # Yesterday's post time did not exist there (a clock change at midnight: America/Nuuk's
            # 23:30 on 29 March 2025), so the scheduler ran it after midnight, today: it is still
            # yesterday's run, or yesterday's anniversaries are never posted (the feeds review).
            days.append(yesterday)
        if now.astimezone(tz).time() >= self.policy.post_time:
            days.append(day)
        return days

    def plan(self, now: dt.datetime, publishers: Iterable[Publisher]) -> tuple[int, int]:
        """Insert the rows due at `now` for `publishers`; return (new rows, expired rows)."""
        publishers = list(publishers)
        store, policy = self.store, self.policy
        for p in publishers:
            store.ensure_target(p.key, p.key.split(":", 1)[0], getattr(p, "label", None))
        oldest = today(now, policy.tz) - dt.timedelta(days=policy.catch_up_days)
        expired = store.expire_posts(
            f"{ANNIVERSARY}:{oldest.isoformat()}",
            f"missed: not sent by the end of its day (+{policy.catch_up_days} catch-up days)",
        )
        rows: list[tuple[str, str, str, str]] = []
        annivs = [p for p in publishers if ANNIVERSARY in p.wants]
        days = self.due_days(now)
        if annivs and days:
            entries = store.entries()
            for day in days:
                occasion = f"{ANNIVERSARY}:{day.isoformat()}"
                for a in on(entries, day):
                    if policy.milestones_only and not a.milestone:
                        continue
                    rows.extend((a.entry.id, occasion, p.key, nonce_for(a.entry.id, occasion, p.key)) for p in annivs)
        if policy.announce_new:
            for p in publishers:
                if NEW not in p.wants:
                    continue
                fresh = store.unannounced(p.key)
                if len(fresh) > policy.flood_limit:
                    log.warning(
                        "%d entries appeared at once for %s: taken as a bulk import, not announced "
                        "(its baseline moves to %s)", len(fresh), p.key, fresh[-1][1])
                    store.move_baseline(p.key, fresh[-1][1])
                    continue
                rows.extend((entry_id, NEW, p.key, nonce_for(entry_id, NEW, p.key)) for entry_id, _ in fresh)
        return store.plan_posts(rows, now), expired

    def _post_for(self, rec) -> Post | None:
        entry = self.store.get(rec.entry_id)
        return None if entry is None else make_post(rec, entry, self.base_url, self._run_day)

    def _claim(self, key: str):
        now = self.clock()
        store = self.store
        dead = [w for w in store.sending_claimers() if w and not _worker_alive(w, self.host)]
        rec = store.claim_post(key, self.worker, now, self._lease_end(), dead)
        if rec is None:
            return None, None
        post = self._post_for(rec)
        if post is None:
            store.mark_failed(rec.id, self.worker, "the entry is no longer in the archive")
        return rec, post

    def _lease_end(self) -> dt.datetime:
        return self.clock() + dt.timedelta(seconds=self.policy.lease_seconds)

    async def _keep_lease(self, rec) -> None:
        """Renew the claim on `rec` every third of the lease until cancelled (the send ended)."""
        while True:
            await asyncio.sleep(self.policy.lease_seconds / 3)
            if not await asyncio.to_thread(self.store.renew_lease, rec.id, self.worker, self._lease_end()):
                log.warning("lost the claim on post %s while sending it", rec.id)
                return

    # --- sending -----------------------------------------------------------------

    async def post_due(self, now: dt.datetime, publishers: Iterable[Publisher]) -> RunReport:
        """Plan what is due at `now`, then send every due post to each publisher.

        Then edits: messages of the publishers that can edit whose entry
        changed or went away since they were posted (see `almanac.editing`).
        Returns a report whose `next_due` is the earliest retry still waiting
        (the scheduler runs again then).
        """
        publishers = list(publishers)
        report = RunReport()
        async with self._lock:
            if self._unrecorded and (exc := await asyncio.to_thread(self._record_unrecorded)) is not None:
                # Still not writable: claim nothing (a claim is a write too), come back soon.
                log.warning("the ledger still cannot record %d sent post(s) (%s); trying again in %gs",
                            len(self._unrecorded), reason_of(exc), UNRECORDED_RETRY_SECONDS)
                report.next_due = self._unrecorded_retry_at()
                return report
            self._run_day = now.astimezone(self.policy.tz).date()  # the day what is sent now goes out on
            report.planned, report.expired = await asyncio.to_thread(self.plan, now, publishers)
            editors = [p.key for p in publishers if isinstance(p, MessageEditor)]
            report.edits_planned = await asyncio.to_thread(self.edits.plan, now, editors)
            await self._drain_all(publishers, report)
            keys = [p.key for p in publishers]
            waits = await asyncio.to_thread(lambda: (self.store.next_attempt_at(keys), self.store.next_edit_at(editors)))
        nxt = min((w for w in waits if w), default=None)
        report.next_due = dt.datetime.fromisoformat(nxt) if nxt else None
        if self._unrecorded:
            soon = self._unrecorded_retry_at()
            report.next_due = min(report.next_due or soon, soon)
        if report.sent or report.retrying or report.failed or report.expired or report.edited or report.edit_failed:
            log.info("posting: %s", report.summary())
        return report

    async def _drain_all(self, publishers: list[Publisher], report: RunReport) -> None:
        """Drain every publisher concurrently; if cancelled, let each finish or abandon its post.

        Not `asyncio.gather`: a cancelled gather returns as soon as one child
        is cancelled, and the loop's teardown would then cancel the others a
        second time in the middle of recording their post.
        """
        tasks = [asyncio.create_task(self._drain(p, report), name=f"post-{p.key}") for p in publishers]
        if not tasks:
            return
        try:
            await asyncio.wait(tasks)
        except asyncio.CancelledError:
            for task in tasks:
                task.cancel()
            await asyncio.wait(tasks)  # bounded: a post in flight gets stop_grace seconds
            raise
        for task in tasks:
            task.result()  # _drain handles publisher errors itself; anything else is a bug: raise it

    async def _drain(self, publisher: Publisher, report: RunReport) -> None:
        """Send due posts to one publisher, then its due edits, until none is due or it asks us to wait.

        One target, one request at a time: its posts and edits share its rate limit.
        """
        resting = self._resting.get(publisher.key)
        if resting and self.clock() < resting:
            return
        if await self._drain_posts(publisher, report) and isinstance(publisher, MessageEditor):
            await self.edits.drain(publisher, report)

    async def _drain_posts(self, publisher: Publisher, report: RunReport) -> bool:
        """Send due posts to one publisher; False if it asked us to wait (or an outcome was unknown)."""
        while True:
            rec, post = await self._claim_or_release(publisher.key)
            if rec is None:
                return True
            what = (publisher.key, rec.entry_id, rec.occasion)
            if post is None:
                report.failed.append(what)
                continue
            try:
                message_id = await self._send(publisher, post, rec)
            except Delivered as exc:
                log.warning("post %s to %s was delivered but its answer was unreadable: %s",
                            rec.entry_id, publisher.key, exc)
                message_id = None
            except RetryLater as exc:
                await asyncio.to_thread(self._retry_or_fail, rec, str(exc), exc.seconds, what, report)
                return False  # a rate-limited or failing target waits; others carry on
            except PermanentFailure as exc:
                log.warning("post %s to %s failed for good: %s", rec.entry_id, publisher.key, exc)
                await asyncio.to_thread(self.store.mark_failed, rec.id, self.worker, f"permanent: {exc}")
                report.failed.append(what)
                continue
            except Exception as exc:  # a timeout, a dropped connection, a publisher bug: it may have left
                if isinstance(exc, OutcomeUnknown):
                    reason = str(exc)
                elif isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
                    reason = f"no answer within {self.policy.send_timeout:g}s"
                else:
                    log.exception("post %s to %s raised", rec.entry_id, publisher.key)
                    reason = f"{type(exc).__name__}: {exc}"
                retry_at = self.clock() + dt.timedelta(seconds=backoff(1, self.policy))
                await asyncio.to_thread(self.store.release_unknown, rec.id, self.worker,
                                        f"{reason}; outcome unknown", retry_at=retry_at)
                # a second unknown outcome fails the row (`release_unknown`): say so in the report
                (report.failed if rec.unknown_outcomes >= 1 else report.retrying).append(what)
                return False
            report.sent.append(what)
            if not await asyncio.to_thread(self._record_sent, rec, message_id, _shown(publisher, post), publisher.key):
                return False  # the ledger cannot write: send nothing more until it records this one

    def _record_sent(self, rec, message_id: str | None, shown: dict, key: str) -> bool:
        """Record a delivered post; when the ledger cannot (a full disk), keep it to record at the next
        run, before anything is claimed. It was left "sending" and, once its lease ran out, sent again
        (the disk-full review saw the same post twice in a channel)."""
        self._unrecorded[rec.id] = (message_id, self.clock(), shown)
        if (exc := self._record_unrecorded()) is None:
            return True
        log.error("post %s to %s was sent, but the ledger could not record it (%s); it is recorded when the "
                  "database writes again, and not sent again", rec.entry_id, key, reason_of(exc))
        return False

    def _record_unrecorded(self) -> Exception | None:
        """Record the delivered posts kept unrecorded; the error while the ledger still cannot."""
        for post_id, (message_id, sent_at, shown) in list(self._unrecorded.items()):
            try:
                self.store.mark_sent(post_id, message_id, sent_at, **shown)
            except Exception as exc:
                return exc
            self._unrecorded.pop(post_id, None)  # publishers drain in threads of their own
        return None

    def _unrecorded_retry_at(self) -> dt.datetime:
        return self.clock() + dt.timedelta(seconds=UNRECORDED_RETRY_SECONDS)

    async def _claim_or_release(self, key: str):
        """Claim in a thread; stopped meanwhile, give the claim back (nothing was sent)."""
        claim = asyncio.ensure_future(asyncio.to_thread(self._claim, key))
        try:
            return await asyncio.shield(claim)
        except asyncio.CancelledError:
            rec, post = await claim  # one short transaction: let it finish
            if rec is not None and post is not None:
                await asyncio.to_thread(self.store.release_claim, rec.id, self.worker)
            raise

    def _retry_or_fail(self, rec, error: str, seconds: float | None, what, report: RunReport) -> None:
        seconds = retry_delay(rec.attempts, seconds, self.policy)
        if seconds is None:
            self.store.mark_failed(rec.id, self.worker, f"gave up after {rec.attempts} attempts: {error}")
            report.failed.append(what)
            return
        until = self.clock() + dt.timedelta(seconds=seconds)
        self.store.mark_retry(rec.id, self.worker, error, until)
        self._resting[rec.target] = until
        report.retrying.append(what)

    async def _send(self, publisher: Publisher, post: Post, rec) -> str | None:
        """Send with a timeout; if we are cancelled (shutdown) mid-send, finish or abandon cleanly.

        A send already in flight gets `stop_grace` seconds to complete and be
        recorded; after that it is cancelled and the row released with an
        unknown outcome (resent once by the next run). The ledger is never
        left half-written: each step is one transaction.
        """
        task = asyncio.ensure_future(asyncio.wait_for(publisher.send(post), self.policy.send_timeout))
        lease = asyncio.create_task(self._keep_lease(rec))
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            if not task.done():
                await asyncio.wait({task}, timeout=self.policy.stop_grace)
            if task.done() and not task.cancelled() and (task.exception() is None
                                                        or isinstance(task.exception(), Delivered)):
                message_id = task.result() if task.exception() is None else None
                await asyncio.to_thread(self.store.mark_sent, rec.id, message_id, self.clock(),
                                        **_shown(publisher, post))
            elif task.done() and not task.cancelled() and isinstance(task.exception(), RetryLater):
                exc = task.exception()
                wait = retry_delay(rec.attempts, exc.seconds, self.policy) or self.policy.backoff_max
                await asyncio.to_thread(self.store.mark_retry, rec.id, self.worker, f"{exc} (then stopped)",
                                        self.clock() + dt.timedelta(seconds=wait))
            elif task.done() and not task.cancelled() and isinstance(task.exception(), PermanentFailure):
                await asyncio.to_thread(self.store.mark_failed, rec.id, self.worker, f"permanent: {task.exception()}")
            else:
                task.cancel()
                await asyncio.to_thread(self.store.release_unknown, rec.id, self.worker,
                                        "stopped while sending; outcome unknown")
            raise
        finally:
            lease.cancel()
