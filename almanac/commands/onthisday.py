"""`almanac onthisday`, `almanac upcoming`, `almanac schedule`; and the posting jobs' wiring.

`start_posting(app, extra_publishers)` is the composition of the posting
side: the webhook publishers (URLs from $ALMANAC_WEBHOOK_URLS), the
on-this-day feed target, the ledger's `Poster` and the `Scheduler`. Both
`almanac schedule` and `almanac bot` (which adds its channel publishers)
run it inside their event loop and call `stop()` on the way out.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import sys
import threading

from almanac.anniversaries import on, today, upcoming
from almanac.commands import (API_BASE_ENV, SNOWFLAKES, UsageError, discord_endpoints, print_json, stop_on_signals,
                              whole_number)
from almanac.config import range_text
from almanac.links import counted
from almanac.commands.feeds import out_dir
from almanac.posting import Poster, PostingPolicy, RunReport

log = logging.getLogger("almanac.schedule")

#: `upcoming --days`: up to ten years ahead.
UPCOMING_DAYS = (1, 3660)
#: `posts --limit`.
POSTS_LIMITS = (1, 100_000)


def register(sub) -> None:
    p = sub.add_parser(
        "onthisday",
        help="anniversaries falling on a date",
        description="List the entries whose anniversary falls on a date: entries dated to the day on the "
        "same day in later years (29 Feb on 28 Feb in other years), entries dated to the month on the "
        "1st of that month; entries dated only to a year never. Milestones (1, 5, 10, 15, ... years) "
        "are flagged. The default date is today in [schedule] timezone.",
        epilog="examples:\n  almanac onthisday\n  almanac onthisday --date 2025-05-01\n"
        "  almanac onthisday --date 2025-05-01 --json",
    )
    p.add_argument("--date", metavar="YYYY-MM-DD", help="the day (default: today in [schedule] timezone)")
    p.add_argument("--json", action="store_true",
                   help='print {"date", "entries": [entry keys + "years_ago", "milestone"]}')
    p.set_defaults(handler=cmd_onthisday, reads_only=True)

    p = sub.add_parser(
        "upcoming",
        help="anniversaries of the next days",
        description="List the anniversaries of the coming days, for planning. Milestones are marked with *.",
        epilog="examples:\n  almanac upcoming\n  almanac upcoming --days 90\n  almanac upcoming --from 2025-05-01 --json",
    )
    p.add_argument("--days", type=whole_number(*UPCOMING_DAYS), default=30,
                   help=f"how many days ahead, today included, {range_text(*UPCOMING_DAYS)} (default: 30)")
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first day (default: today)")
    p.add_argument("--json", action="store_true", help='print a list of {"on" (the anniversary day), entry keys, "years_ago", "milestone"}')
    p.set_defaults(handler=cmd_upcoming, reads_only=True)

    p = sub.add_parser(
        "schedule",
        help="post anniversaries and new entries on schedule",
        description="Run until stopped: post the day's anniversaries at [schedule] anniversary_time (and at "
        "start, if today's were missed while it was down), and every [schedule] refresh_minutes re-ingest "
        "the sources, embed, rebuild the feeds and site, and announce new entries. Posts go to the "
        "Discord webhooks in $ALMANAC_WEBHOOK_URLS (space or comma separated; never put them in the "
        "config) and to the on-this-day feed. Each post is recorded in the database's ledger, so a "
        "restart, a crash or a second `almanac schedule` never posts the same anniversary twice "
        "(except, at most once, a post whose delivery was cut off by a crash: see the README). "
        "SIGTERM or Ctrl-C stops it within seconds.",
        epilog="examples:\n  ALMANAC_WEBHOOK_URLS=https://discord.com/api/webhooks/ID/TOKEN almanac schedule\n"
        "  almanac schedule --no-refresh        # post only; another process ingests and builds\n"
        "  almanac schedule --list              # show the jobs and their next run, then exit\n\n"
        f"environment: ALMANAC_WEBHOOK_URLS, {API_BASE_ENV} (another Discord API base URL, e.g. a REST proxy)",
    )
    p.add_argument("--no-refresh", action="store_true",
                   help="do not re-ingest, rebuild or announce new entries; post anniversaries only")
    p.add_argument("--list", action="store_true", help="print the jobs and when they next run, then exit")
    p.set_defaults(handler=cmd_schedule)

    p = sub.add_parser(
        "posts",
        help="the posting ledger: what was sent, what waits, what failed",
        description="Show the ledger of anniversary and new-entry posts (one row per entry, occasion and "
        "target; webhooks appear by a hash, never their URL), each with the edits of its message (made when "
        "its entry changed or was removed, see [posts] in the config). A failed post stays failed until you "
        "retry it: check the channel first if its error says the outcome was unknown.",
        epilog="examples:\n  almanac posts\n  almanac posts --status failed\n  almanac posts --retry 42\n"
        "  almanac posts --edits          # the edits alone, newest first\n  almanac posts --json",
    )
    p.add_argument("--status", choices=["pending", "sending", "sent", "failed"], help="only rows with this status")
    p.add_argument("--limit", type=whole_number(*POSTS_LIMITS), default=50,
                   help=f"newest N rows, {range_text(*POSTS_LIMITS)} (default: 50)")
    p.add_argument("--retry", type=whole_number(*SNOWFLAKES), metavar="ID", help="send this failed post again at the next run")
    p.add_argument("--edits", action="store_true",
                   help="list the edits of posted messages instead (when, which message, what came of it)")
    p.add_argument("--json", action="store_true",
                   help='print the rows as JSON (each post with its "edits"; with --edits, the edits)')
    p.set_defaults(handler=cmd_posts, reads_only=True)


# --- onthisday / upcoming ------------------------------------------------------------


def _date(value: str | None, option: str, app) -> dt.date:
    if value is None:
        return today(dt.datetime.now(dt.timezone.utc), app.config.schedule.tz)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option}: '{value}' is not a date (use YYYY-MM-DD, e.g. 2025-05-01)") from None


def cmd_onthisday(args, app) -> int:
    day = _date(args.date, "--date", app)
    found = on(app.store.entries(), day)
    if args.json:
        print_json({"date": day.isoformat(), "entries": [a.to_json() for a in found]})
        return 0
    if not found:
        print(f"No anniversaries on {day.isoformat()}.")
        return 0
    print(f"On this day, {day.strftime('%-d %B %Y')}:")
    for a in found:
        when = "today" if a.entry.date.day else "this month"
        mark = "*" if a.milestone else " "
        print(f"{mark}{a.years_ago_text:>13} {when:10}  {a.entry.kind:9}  {a.entry.title}  [{a.entry.id}]")
    print(counted(len(found), "anniversary", "anniversaries") + ("; * milestone" if any(a.milestone for a in found) else ""))
    return 0


def cmd_upcoming(args, app) -> int:
    start = _date(args.start, "--from", app)
    if (dt.date.max - start).days < args.days:
        raise UsageError(f"--from: {args.days} days from {start.isoformat()} go past {dt.date.max.isoformat()}, "
                         "the last day almanac can count")
    found = upcoming(app.store.entries(), start, args.days)
    if args.json:
        print_json([{"on": d.isoformat(), **a.to_json()} for d, a in found])
        return 0
    if not found:
        print(f"No anniversaries in the {args.days} days from {start.isoformat()}.")
        return 0
    for day, a in found:
        mark = "*" if a.milestone else " "
        print(f"{day.isoformat()} {mark}{a.years_ago:3d} years  {a.entry.kind:9}  {a.entry.title}  [{a.entry.id}]")
    print(f"{len(found)} anniversaries in {args.days} days" + ("; * milestone" if any(a.milestone for _, a in found) else ""))
    return 0


def cmd_posts(args, app) -> int:
    store = app.store
    if args.retry is not None:
        if not store.retry_post(args.retry):
            print(f"almanac: no failed post with id {args.retry} (see `almanac posts --status failed`)",
                  file=sys.stderr)
            return 1
        print(f"post {args.retry} will be sent at the next run")
        return 0
    if args.edits:
        return _print_edits(store, args)
    rows = store.posts(status=args.status, limit=args.limit)
    edits: dict[int, list] = {}
    for e in store.edits(post_ids=[r.id for r in rows]):
        edits.setdefault(e.post_id, []).insert(0, e)  # oldest first under each post
    if args.json:
        print_json([{**r.to_json(), "edits": [e.to_json() for e in edits.get(r.id, [])]} for r in rows])
        return 0
    if not rows:
        print("No posts yet." if not args.status else f"No {args.status} posts.")
        return 0
    for r in rows:
        when = r.sent_at or r.next_attempt_at or r.created_at
        line = f"{r.id:5d}  {r.status:8}  {r.occasion:22}  {r.target:20}  {r.entry_id}  ({when[:19]}"
        line += f", {_attempts(r.attempts)})"
        if r.last_error and r.status != "sent":
            line += f"\n       {r.last_error}"
        for e in edits.get(r.id, []):
            line += f"\n       {_edit_line(e, r.message_id)}"
        print(line)
    return 0


def _attempts(n: int) -> str:
    return f"{n} attempt{'s' if n != 1 else ''}"


def _edit_line(e, message_id: str | None) -> str:
    """ "edit 3: done, withdraw of message 1100… at 2025-05-02T10:00:01 (1 attempt)", and its error if it did not work."""
    when = e.finished_at or e.next_attempt_at or e.created_at
    at = "at" if e.finished_at else ("due" if e.next_attempt_at else "since")
    line = f"edit {e.id}: {e.status}, {e.action} of message {message_id} {at} {when[:19]} ({_attempts(e.attempts)})"
    if e.last_error and e.status != "done":
        line += f": {e.last_error}"
    return line


def _print_edits(store, args) -> int:
    rows = store.edits(limit=args.limit)
    posts = {p.id: p for p in store.posts(ids={e.post_id for e in rows})}
    if args.json:
        print_json([{**e.to_json(), "entry_id": posts[e.post_id].entry_id,
                     "message_id": posts[e.post_id].message_id} for e in rows])
        return 0
    if not rows:
        print("No edits yet.")
        return 0
    for e in rows:
        post = posts[e.post_id]
        print(f"{_edit_line(e, post.message_id)}\n       post {post.id} {post.occasion} to {post.target}: {post.entry_id}")
    return 0


# --- the posting jobs --------------------------------------------------------------------


def posting_policy(config) -> PostingPolicy:
    """[schedule] and [anniversaries] as the ledger's policy."""
    return PostingPolicy(
        tz=config.schedule.tz,
        post_time=config.schedule.post_time,
        milestones_only=config.anniversaries.milestones_only,
        catch_up_days=config.anniversaries.catch_up_days,
        announce_new=config.anniversaries.announce_new,
        lease_seconds=config.schedule.claim_lease_seconds,
        edit_days=config.posts.edit_days,
        on_removed=config.posts.on_removed,
    )


def write_onthisday_feed(app) -> bool:
    """Rebuild onthisday.xml from the ledger; True if its bytes changed."""
    from almanac.links import ONTHISDAY_FEED
    from feeds.onthisday_feed import build_onthisday_feed, onthisday_items
    from feeds.writer import write_if_changed

    site = app.config.site
    data = build_onthisday_feed(onthisday_items(app.store, site.feed_limit), site, app.config.schedule.tz)
    return write_if_changed(os.path.join(out_dir(app, None), ONTHISDAY_FEED), data)


def ingest_configured(app, stopped=None):
    """Re-ingest the configured sources, embedding what is new; problems are logged.

    A source with problems keeps what the store held (ingest's rule). `stopped()`: asked between
    embedding batches, true when the process is stopping (the rest is embedded next time).
    """
    from almanac.ingest import ingest

    report = ingest(app.store, app.source_specs(), app.base_dir, embed=lambda store: app.embed_missing(store, stopped),
                    limits=app.read_limits)
    for problem in report.problems:
        log.warning("ingest: %s", problem)
    if report.embed_error:
        log.warning("ingest: embedding stopped (%s); the next refresh embeds what is missing", report.embed_error)
    return report


def refresh_archive(app, stopped=None) -> None:
    """Re-ingest the configured sources, then rebuild feeds and site. Runs in a worker thread;
    `stopped()` true ends its embedding early (the process is stopping)."""
    from almanac.commands.feeds import build as build_site_files

    report = ingest_configured(app, stopped)
    if report.touched:
        log.info("refresh: %s", report.summary())
    if stopped is not None and stopped():  # stopping: the next start builds the site
        return
    # The same build as `almanac feeds build` (related entries, the on-this-day
    # feed from the ledger, nothing rewritten when nothing changed).
    result = build_site_files(app, out_dir(app, None), stopped=stopped)
    if result is None:
        return
    if result.report.written or result.report.removed:
        log.info("refresh: site: %d written, %d removed", len(result.report.written), len(result.report.removed))


class PostingJobs:
    """The running scheduler and what it holds open (the aiohttp session)."""

    def __init__(self, scheduler, session, halt: threading.Event | None = None):
        self.scheduler = scheduler
        self.session = session
        self.halt = halt  # set on stop: a refresh embedding in its thread stops between batches

    async def stop(self, grace: float = 10.0) -> None:
        if self.halt is not None:
            self.halt.set()
        try:
            await self.scheduler.shutdown(grace)
        finally:
            await self.session.close()


def build_posting(app, session, extra_publishers=None, *, refresh: bool = True, clock=None,
                  halt: threading.Event | None = None):
    """The Scheduler wired to this app's store, webhooks and feed (nothing started); `halt`,
    once set, ends a refresh's embedding between batches."""
    from feeds.onthisday_feed import FEED_KEY, OnThisDayFeedPublisher
    from feeds.scheduler import Scheduler, current
    from feeds.webhooks import adopt_former_keys, keep_discord_secrets_out_of_logs, set_api_base, webhook_publishers

    keep_discord_secrets_out_of_logs()
    base, _ = discord_endpoints(app.env)
    if base:
        set_api_base(base)
    hooks = app.config.webhooks
    webhooks = webhook_publishers(app.secrets.webhook_urls, session, hooks.username, hooks.avatar_url)
    adopt_former_keys(app.store, webhooks)
    feed = OnThisDayFeedPublisher()
    poster = Poster(app.store, app.config.site.base_url, posting_policy(app.config))

    async def publishers() -> list:
        return [*webhooks, feed, *(await current(extra_publishers) if extra_publishers else [])]

    async def post_due(now: dt.datetime, pubs: list) -> dt.datetime | None:
        report: RunReport = await poster.post_due(now, pubs)
        if any(target == FEED_KEY for target, _, _ in report.sent):
            await asyncio.to_thread(write_onthisday_feed, app)
        return report.next_due

    async def do_refresh(now: dt.datetime, pubs: list) -> dt.datetime | None:
        await asyncio.to_thread(refresh_archive, app, halt.is_set if halt is not None else None)
        return await post_due(now, pubs)

    kwargs = {"now": clock} if clock else {}
    scheduler = Scheduler(app.config.schedule, post_due=post_due, refresh=do_refresh if refresh else None,
                          publishers=publishers, **kwargs)
    if webhooks:
        log.info("posting to %s and the on-this-day feed", ", ".join(w.key for w in webhooks))
    else:
        log.info("no webhooks in $ALMANAC_WEBHOOK_URLS: posting to the on-this-day feed only")
    return scheduler


async def start_posting(app, extra_publishers=None, *, refresh: bool = True) -> PostingJobs:
    """Build and start the posting jobs in the running loop; `await jobs.stop()` to end them.

    `extra_publishers()` is called (and awaited, if a coroutine function) at every run: the bot
    passes its subscribed channels, read again from the store each time.
    """
    import aiohttp

    from feeds.webhooks import webhook_session

    session = webhook_session(timeout=aiohttp.ClientTimeout(total=60))
    try:
        halt = threading.Event()
        scheduler = build_posting(app, session, extra_publishers, refresh=refresh, halt=halt)
        await scheduler.start()
    except BaseException:
        await session.close()
        raise
    return PostingJobs(scheduler, session, halt)


def cmd_schedule(args, app) -> int:
    app.store  # open (and migrate) before starting: a bad database fails here, plainly
    if not args.verbose:
        logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per job run is noise
    return asyncio.run(_schedule(app, refresh=not args.no_refresh, list_only=args.list))


async def _schedule(app, *, refresh: bool, list_only: bool) -> int:
    if list_only:
        import aiohttp

        async with aiohttp.ClientSession() as session:
            for line in build_posting(app, session, refresh=refresh).describe():
                print(line)
        return 0
    with stop_on_signals() as stop:
        jobs = await start_posting(app, refresh=refresh)
        try:
            print(f"almanac schedule: running ({'; '.join(jobs.scheduler.describe())}); stop with Ctrl-C",
                  file=sys.stderr, flush=True)
            await stop.wait()
            log.info("stopping")
            return 0
        finally:
            await jobs.stop()
