"""`almanac run`: the whole system in one process and one event loop.

Ingest the configured sources (embedding what is new), build the site and
feeds, serve them, run the posting schedule, and, when DISCORD_TOKEN is set,
the Discord bot, whose channels then receive posts too. SIGTERM or SIGINT
stops every part within seconds. One `run` per database (`Store.instance_lock`);
the ledger would keep a second one from double-posting anyway.

The parts are the same as those of `almanac serve`, `almanac schedule` and
`almanac bot`; this module only composes them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
import time

from almanac.commands import PORTS, SNOWFLAKES, UsageError, stop_on_signals, whole_number
from almanac.instance_lock import AlreadyRunning
from almanac.links import MAIN_FEEDS, ONTHISDAY_FEED, base_url_elsewhere

log = logging.getLogger("almanac.run")

#: How long stopping may take before the remaining parts are abandoned.
STOP_GRACE_S = 8.0


def register(sub) -> None:
    p = sub.add_parser(
        "run",
        help="everything: ingest, build, serve, schedule (and the bot with DISCORD_TOKEN)",
        description="Run the whole system in one process: ingest the configured sources, build the site "
        "and feeds, serve them, post anniversaries and new entries on schedule, and run the Discord bot "
        "when DISCORD_TOKEN is set. Stop with Ctrl-C or SIGTERM.",
        epilog="examples:\n  almanac run\n  almanac run --port 9000\n  DISCORD_TOKEN=... almanac run\n"
        "  DISCORD_TOKEN=... almanac run --sync --guild 123456789012345678   # first time\n"
        "  almanac --config my.toml run --host 0.0.0.0",
    )
    p.add_argument("--host", help="address to listen on (default: [server] host)")
    p.add_argument("--port", type=whole_number(*PORTS),
                   help="port to listen on, 0 to 65535; 0 picks a free one (default: [server] port)")
    p.add_argument("--no-bot", action="store_true", help="do not start the Discord bot even if DISCORD_TOKEN is set")
    p.add_argument("--sync", action="store_true",
                   help="with DISCORD_TOKEN: publish the slash commands first (once after installing or upgrading)")
    p.add_argument("--guild", type=whole_number(*SNOWFLAKES), metavar="ID",
                   help="with --sync: publish to this server only, instantly")
    p.set_defaults(handler=cmd_run)


def cmd_run(args, app) -> int:
    host = args.host or app.config.server.host
    port = app.config.server.port if args.port is None else args.port
    token = None if args.no_bot else app.secrets.discord_token
    if args.guild and not args.sync:
        raise UsageError("--guild needs --sync (it says where to publish the commands)")
    sync = (args.guild or "global") if args.sync else None
    if args.sync and not token:
        raise UsageError("--sync needs DISCORD_TOKEN (it publishes the bot's commands)")
    if token:
        from almanac.commands.bot import point_at_api

        point_at_api(app.env)
    if not args.verbose:
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    app.store  # open (and migrate) first: a bad database fails here, plainly
    lock = app.store.instance_lock("run")  # a lock file beside SQLite; an advisory lock on PostgreSQL
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        print(f"almanac: {exc}", file=sys.stderr)
        return 1
    try:
        return asyncio.run(run_all(app, host, port, token, sync, lock=lock))
    except OSError as exc:
        print(f"almanac: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        lock.release()


#: Seconds between checks that this `run` still holds its database's instance lock (`keep_lock`).
LOCK_CHECK_SECONDS = 15.0


async def run_all(app, host: str, port: int, token: str | None, sync=None, lock=None) -> int:
    """Start the parts in order, print where they are, wait for a signal, stop them all; and stop,
    with status 1, if another `run` took the instance `lock` (`keep_lock`)."""
    with stop_on_signals() as stop:
        watcher = asyncio.create_task(keep_lock(lock, stop), name="keep-instance-lock") if lock else None
        try:
            status = await _run_parts(app, host, port, token, sync, stop)
        finally:
            lost = watcher is not None and watcher.done() and not watcher.cancelled() and watcher.result()
            if watcher is not None and not watcher.done():
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
        return 1 if lost else status


async def keep_lock(lock, stop: asyncio.Event, interval: float | None = None) -> bool:
    """Check every `interval` seconds that `lock` is still held (`keep`, in a thread); True, with
    `stop` set and one line logged, when another process holds it now. On PostgreSQL the lock went
    with its connection when the server restarted, and a second `run` started beside this one."""
    interval = LOCK_CHECK_SECONDS if interval is None else interval
    while not stop.is_set():
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
            return False
        try:
            await asyncio.to_thread(lock.keep)
        except AlreadyRunning as exc:
            log.error("the instance lock was lost and taken again: %s; stopping", exc)
            stop.set()
            return True
    return False


async def _run_parts(app, host: str, port: int, token: str | None, sync, stop: asyncio.Event) -> int:
    from almanac.commands.feeds import build, out_dir, search_fn
    from almanac.commands.onthisday import ingest_configured, start_posting
    from feeds.publish import NotPublished
    from feeds.server import bound_port, make_app, start_server

    runner = jobs = bot_task = None
    try:
        started = time.monotonic()
        halt = threading.Event()  # the signal as the ingest's thread sees it: embedding stops between batches
        report = await _until_stopped(stop, asyncio.to_thread(ingest_configured, app, halt.is_set), halt)
        if report is None:
            return 0
        log.info("ingest: %s", report.summary())
        out = out_dir(app, None)
        try:
            result = await _until_stopped(stop, asyncio.to_thread(build, app, out, stopped=halt.is_set), halt)
        except NotPublished as exc:
            print(f"almanac: {exc}", file=sys.stderr)
            return 1
        if result is None:
            return 0
        log.info("site: %d files in %s (%d written)", result.files, out, len(result.report.written))
        await asyncio.to_thread(lambda: app.searcher)  # load the model before taking requests
        runner = await start_server(make_app(out, search_fn(app), database=app.store.count), host, port)
        port = bound_port(runner)
        if token:
            from almanac.commands.bot import serve_bot

            bot_task = asyncio.create_task(serve_bot(app, token, sync=sync, schedule=True, refresh=True), name="almanac-bot")
        else:
            jobs = await start_posting(app, refresh=True)
        _print_where(app, host, port, out, jobs, bot=bool(token), seconds=time.monotonic() - started)
        if warning := base_url_elsewhere(app.config.site.base_url, port):
            print(f"almanac: warning: {warning}", file=sys.stderr)
        waiters = {asyncio.create_task(stop.wait(), name="stop-signal")}
        if bot_task is not None:
            waiters.add(bot_task)
        done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            if task is not bot_task:
                task.cancel()
        if bot_task in done:
            log.error("the bot stopped; stopping everything")
            return bot_task.result() or 1
        log.info("stopping")
        return 0
    finally:
        await _stop_all(bot_task, jobs, runner)


async def _until_stopped(stop: asyncio.Event, work, halt: threading.Event | None = None):
    """Await `work` unless a signal comes first (then None, and `halt` is set for the thread
    doing it; the thread finishes its transaction, and the process waits for it at exit)."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    stopper.cancel()
    if task in done:
        return task.result()
    if halt is not None:
        halt.set()
    task.cancel()
    return None


async def _stop_all(bot_task, jobs, runner) -> None:
    """Stop the bot, the jobs and the server, each bounded, so the whole stop takes seconds."""
    if bot_task is not None and not bot_task.done():
        bot_task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(bot_task, STOP_GRACE_S)
    if jobs is not None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(jobs.stop(STOP_GRACE_S / 2), STOP_GRACE_S)
    if runner is not None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(runner.cleanup(), 3)


def _print_where(app, host: str, port: int, out: str, jobs, *, bot: bool, seconds: float) -> None:
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else host)
    url = f"http://{shown_host}:{port}/"
    feeds = ", ".join(url + path for path in (*MAIN_FEEDS.values(), ONTHISDAY_FEED))
    lines = [
        f"almanac is running (started in {seconds:.1f} s)",
        f"  site:      {url}",
        f"  feeds:     {feeds}",
        f"  files:     {out}",
        f"  database:  {app.store.describe()}",
        f"  timezone:  {app.config.schedule.timezone}",
    ]
    if jobs is not None:
        for line in jobs.scheduler.describe():
            lines.append(f"  schedule:  {line}")
    else:
        post = app.config.schedule.anniversary_time
        lines.append(f"  schedule:  anniversaries daily at {post} {app.config.schedule.timezone} (run by the bot)")
    if bot:
        lines.append("  discord:   the bot is starting (DISCORD_TOKEN is set)")
    else:
        lines.append("  discord:   off; set DISCORD_TOKEN to run the bot too (README: Discord set-up)")
    lines.append("Stop with Ctrl-C.")
    print("\n".join(lines), flush=True)
