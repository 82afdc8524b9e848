"""`almanac feeds build` and `almanac serve`: publishing the archive."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys

from almanac.commands import PORTS, UsageError, print_json, stop_on_signals, whole_number
from almanac.config import resolve_path
from almanac.links import base_url_elsewhere


def register(sub) -> None:
    p = sub.add_parser(
        "feeds",
        help="build the feeds and the static site",
        description="Build Atom, RSS and JSON feeds, one Atom feed per kind, and a static site "
        "(index by year, a page per kind and per entry) from the store.",
        epilog="examples:\n  almanac feeds build\n  almanac feeds build --out /var/www/almanac --json",
    )
    feeds_sub = p.add_subparsers(dest="feeds_command", metavar="ACTION")
    b = feeds_sub.add_parser(
        "build",
        help="write the feeds and pages",
        description="Write every feed and page under the output directory. Files are written "
        "atomically and only when their bytes change (so ETags and Last-Modified stay put); "
        "pages of entries that left the store are removed.",
        epilog="examples:\n  almanac feeds build\n  almanac feeds build --out public/ --no-related\n"
        "  almanac feeds build --json",
    )
    b.add_argument("--out", metavar="DIR", help="output directory (default: [site] out_dir)")
    b.add_argument(
        "--no-related", action="store_true", help="skip the related entries on entry pages (no model needed)"
    )
    b.add_argument("--json", action="store_true", help="print {out_dir, files, written, unchanged, removed}")
    b.set_defaults(handler=cmd_build)
    p.set_defaults(handler=_feeds_help(p))

    s = sub.add_parser(
        "serve",
        help="build and serve the site, feeds and /api/search, kept current from the store",
        description="Build the site and feeds from the store into [site] out_dir (or --dir), serve them with "
        "feed content types, ETag/Last-Modified and gzip, plus GET /api/search?q=... (the JSON of `almanac ask "
        "--json`) and GET /healthz, and rebuild whenever the store changes (checked every [server] "
        "poll_seconds), so it needs nothing but the database: another process (`almanac schedule`, "
        "`almanac bot`, `almanac ingest`) may fill it. Stop with Ctrl-C or SIGTERM.",
        epilog="examples:\n  almanac serve\n  almanac serve --host 0.0.0.0 --port 8000\n"
        "  almanac serve --no-build --dir /var/www/almanac   # serve a directory as it is\n"
        "  curl 'http://127.0.0.1:8080/api/search?q=jitsu+paper'",
    )
    s.add_argument("--host", help="address to listen on (default: [server] host)")
    s.add_argument("--port", type=whole_number(*PORTS), help="port, 0 to 65535; 0 picks a free one (default: [server] port)")
    s.add_argument("--dir", metavar="DIR", help="directory to build into and serve (default: [site] out_dir)")
    s.add_argument("--no-build", action="store_true",
                   help="serve the directory as it is: no build at start, no rebuilds")
    s.set_defaults(handler=cmd_serve)


def _feeds_help(parser):
    def handler(args, app) -> int:
        parser.print_help()
        return 2

    return handler


def out_dir(app, override: str | None) -> str:
    """--out / --dir (relative to where the user is), else [site] out_dir (relative to the config)."""
    return os.path.abspath(override) if override else resolve_path(app.config, app.config.site.out_dir)


def related_fn(app):
    """Related entries by meaning (the embeddings): the ids `Searcher.related_table` gives, every
    entry's at once on the first page's asking, for this build."""
    from feeds.build import RELATED_LIMIT

    table: dict[str, list[str]] = {}

    def related(entry_id: str) -> list[str]:
        # app.searcher loads the model on first use only: a no-change rebuild never needs it.
        if not table:
            table.update(app.searcher.related_table(RELATED_LIMIT))
        return table[entry_id]  # KeyError: an entry the searcher has not seen yet (none, for now)

    return related


def related_key(app) -> str:
    """What related entries are computed from: the model, and how many entries still lack a vector."""
    model = app.embedder_name
    return f"{model}:{app.store.entries_missing_vectors_count(model)}"


def search_fn(app):
    """What /api/search runs: `almanac ask --json` for the question, less each result's `source`.

    A source says where the owner keeps the archive: a file's path on this machine, or a feed's
    URL, which for a private feed (a paid podcast's, a newsletter's) carries the subscriber's
    token in its query string. The command line is the owner's; the web API answers anyone who
    can reach the site, which shows neither.
    """
    limit = app.config.search.limit

    def search(question: str) -> dict:
        answer = app.searcher.search(question, limit=limit).to_json()
        answer["results"] = [{k: v for k, v in hit.items() if k != "source"} for hit in answer["results"]]
        return answer

    return search


def build(app, out: str, with_related: bool = True, embed: bool = True, now: dt.datetime | None = None,
          stopped=None):
    """Build the site from the store into `out` (nothing is rendered when no input changed).

    `embed=False` (a web process, which leaves embedding to the worker and
    never loads the embedding model for it): while some entries lack vectors
    the pages go up without related entries, and the build after the vectors
    arrive adds them. `now` (default: the clock) dates the anniversary
    calendar and the timeline's milestones. `stopped()`: asked between embedding
    batches; true (the process is stopping), nothing is built and None returned:
    a SIGTERM during a refresh embedded a whole archive for minutes before it.
    """
    from feeds.publish import publish

    entries = app.store.entries()
    with_related = with_related and bool(entries)
    if with_related and embed:
        # The searcher would embed what is missing on first use anyway; doing it now keeps
        # related_key (which counts missing vectors) the same from this build to the next.
        app.embed_missing(app.store, stopped)
        if stopped is not None and stopped():
            return None
    elif with_related and app.store.entries_missing_vectors_count(app.embedder_name):
        with_related = False
    return publish(
        out,
        entries,
        app.config.site,
        app.config.schedule.tz,
        related=related_fn(app) if with_related else None,
        related_key=related_key(app) if with_related else None,
        onthisday_posts=onthisday_items(app),
        now=now or dt.datetime.now(dt.timezone.utc),
    )


def site_version(app, now: dt.datetime | None = None) -> tuple:
    """What the site is built from, in a few counters: entries and vectors (the store's
    search version), the on-this-day posts sent so far (sent rows are only ever added), and
    the day in [schedule] timezone: the anniversary calendar and the timeline's milestones run a
    year from it, so a served site with a quiet store still moves on at midnight (`publish`
    renders again only on a new day's first build)."""
    from almanac.anniversaries import today
    from almanac.posting import ANNIVERSARY
    from feeds.onthisday_feed import FEED_KEY

    sent = app.store.posts(target=FEED_KEY, status="sent", occasion_prefix=f"{ANNIVERSARY}:")
    day = today(now or dt.datetime.now(dt.timezone.utc), app.config.schedule.tz)
    return app.store.search_version(), len(sent), day.isoformat()


def onthisday_items(app) -> list:
    """What the on-this-day feed shows: the ledger's sent anniversaries."""
    from feeds.onthisday_feed import onthisday_items as items

    return items(app.store, limit=app.config.site.feed_limit)


def cmd_build(args, app) -> int:
    out = out_dir(app, args.out)
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"--out: '{out}' exists and is not a directory")
    from feeds.publish import NotPublished

    try:
        result = build(app, out, with_related=not args.no_related)
    except NotPublished as exc:
        print(f"almanac: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a full disk, a folder not writable: one line, not a traceback
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"almanac: cannot write the site into {out}: {exc.strerror or exc}{where}; each file is written "
              "whole, so what was written is whole: run it again once that is fixed", file=sys.stderr)
        return 1
    report = result.report
    if args.json:
        print_json(
            {
                "out_dir": out,
                "files": result.files,
                "written": report.written,
                "unchanged": len(report.unchanged),
                "removed": report.removed,
            }
        )
    else:
        if not app.store.count():
            print("almanac: warning: the store has no entries; run `almanac ingest` first", file=sys.stderr)
        print(
            f"{out}: {result.files} files, {len(report.written)} written, "
            f"{len(report.unchanged)} unchanged, {len(report.removed)} removed"
        )
    return 0


def cmd_serve(args, app) -> int:
    root = out_dir(app, args.dir)
    host = args.host or app.config.server.host
    port = app.config.server.port if args.port is None else args.port
    if args.no_build and not os.path.isfile(os.path.join(root, "index.html")):
        print(f"almanac: warning: {root} has no index.html; run `almanac feeds build` first", file=sys.stderr)
    if not args.no_build:
        if os.path.exists(root) and not os.path.isdir(root):
            raise UsageError(f"--dir: '{root}' exists and is not a directory")
        app.store  # open (and migrate) first: a bad database fails here, plainly
    status = asyncio.run(_serve(app, root, host, port, build_site=not args.no_build))
    if status == 0:
        print("Stopped.", file=sys.stderr)
    return status


async def _serve(app, root: str, host: str, port: int, *, build_site: bool) -> int:
    """Build (unless told not to), listen, keep the site current, stop on SIGTERM/SIGINT."""
    import contextlib

    from feeds.publish import NotPublished
    from feeds.rebuild import keep_current
    from feeds.server import bound_port, make_app, start_server

    with stop_on_signals() as stop:
        # Load the model and vectors before taking requests, off the event loop.
        await asyncio.to_thread(lambda: app.searcher)
        keeper = None
        if build_site:
            version = await asyncio.to_thread(site_version, app)
            try:
                await asyncio.to_thread(build, app, root, embed=False)
            except NotPublished as exc:
                print(f"almanac: {exc}", file=sys.stderr)
                return 1
            except OSError as exc:
                print(f"almanac: cannot build the site in {root}: {exc.strerror or exc}", file=sys.stderr)
                return 1
            keeper = asyncio.create_task(
                keep_current(lambda: site_version(app), lambda: build(app, root, embed=False),
                             app.config.server.poll_seconds, last=version),
                name="keep-site-current")
        runner = None
        try:
            try:
                runner = await start_server(make_app(root, search_fn(app), database=app.store.count), host, port)
            except OSError as exc:
                print(f"almanac: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
                return 1
            port = bound_port(runner)
            print(f"Serving {root} at http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
            if warning := base_url_elsewhere(app.config.site.base_url, port):
                print(f"almanac: warning: {warning}", file=sys.stderr)
            await stop.wait()
            return 0
        finally:
            if keeper is not None:
                keeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await keeper
            if runner is not None:
                await runner.cleanup()
