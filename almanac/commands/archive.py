"""`almanac ingest`, `list`, `show`, `sources` and `forget`: filling, reading and pruning the store."""

from __future__ import annotations

import os
import sys

from almanac.commands import YEARS, UsageError, parse_kind, print_json, whole_number
from almanac.config import range_text
from almanac.entry import KINDS
from almanac.ingest import ingest
from almanac.links import entry_count, plural
from almanac.sources import expand_sources
from almanac.sources.feed import is_url
from almanac.sources.problems import shown


def register(sub) -> None:
    p = sub.add_parser(
        "ingest",
        help="read sources into the store",
        description="Read the configured sources (or those given) into the store: new entries are "
        "added, edited ones updated, ones gone from their source removed. A source with "
        "problems is reported line by line and left as the store held it.",
        epilog="examples:\n  almanac ingest\n  almanac ingest data/entries.txt notes/\n"
        "  almanac ingest https://example.org/feed.xml --json\n  almanac ingest --no-embed big-archive.json",
    )
    p.add_argument("sources", nargs="*", metavar="SOURCE", help="file, directory, glob or feed URL (default: [archive] sources)")
    p.add_argument("--json", action="store_true", help="print a JSON report")
    p.add_argument("--no-embed", action="store_true", help="store entries without computing embeddings (the next ingest or refresh embeds them)")
    p.set_defaults(handler=cmd_ingest)

    p = sub.add_parser(
        "list",
        help="list entries, newest first",
        description="List the entries in the store, newest first.",
        epilog="examples:\n  almanac list\n  almanac list --kind paper --year 2015\n  almanac list --json",
    )
    p.add_argument("--kind", help=f"only this kind ({', '.join(KINDS)}; keynote or lecture: those talks)")
    p.add_argument("--year", type=whole_number(*YEARS), help=f"only entries from this year ({range_text(*YEARS)})")
    p.add_argument("--json", action="store_true", help="print a JSON list of entry objects")
    p.set_defaults(handler=cmd_list, reads_only=True)

    p = sub.add_parser(
        "show",
        help="show one entry",
        description="Show one entry in full.",
        epilog="examples:\n  almanac show jitsu-just-in-time-summoning-of-unikernels-2015-05-paper",
    )
    p.add_argument("id", help="the entry id (see `almanac list`)")
    p.add_argument("--json", action="store_true", help="print the entry as JSON")
    p.set_defaults(handler=cmd_show, reads_only=True)

    p = sub.add_parser(
        "sources",
        help="the sources the store holds entries from",
        description="List every source (path or URL) the store holds entries from, with how many, and "
        "whether the config still names it.",
        epilog="examples:\n  almanac sources\n  almanac sources --json",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(handler=cmd_sources, reads_only=True)

    p = sub.add_parser(
        "forget",
        help="remove a source's entries from the store",
        description="Remove every entry the store holds from SOURCE (as `almanac sources` names it): a "
        "feed whose URL changed, a file dropped from the config. A source the config still names "
        "is refused: the next ingest would read it again.",
        epilog="examples:\n  almanac sources\n  almanac forget http://example.org/old-feed.xml\n"
        "  almanac forget data/old-talks.txt",
    )
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="a source as `almanac sources` lists it")
    p.set_defaults(handler=cmd_forget)


def cmd_ingest(args, app) -> int:
    specs = app.source_specs(args.sources)
    if args.sources:
        # Paths typed here are relative to where the user is, but a source is known by its path
        # relative to the config file's folder, as a configured one is: `ingest entries.txt`
        # run inside data/ is the same source as the configured data/entries.txt, not a second.
        specs = [s if is_url(s) or os.path.isabs(s) else os.path.abspath(s) for s in specs]
    report = ingest(app.store, specs, app.base_dir, embed=None if args.no_embed else app.embed_missing,
                    limits=app.read_limits)
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if args.json:
        print_json(report.to_json())
    else:
        for change in report.changes:
            for name in ("added", "changed", "removed"):
                for entry_id in getattr(change, name):
                    print(f"{name:8} {entry_id}")
        print(report.summary())
    return 1 if report.problems or report.embed_error else 0


def cmd_list(args, app) -> int:
    kind, tag = parse_kind(args.kind) or (None, None)
    entries = [e for e in app.store.entries(kind=kind, year=args.year) if tag is None or tag in e.tags]
    if args.json:
        print_json([e.to_json() for e in entries])
        return 0
    if not entries:
        if kind or args.year:  # the archive may hold entries; none of these
            print(f"No {plural(tag or kind) if kind else 'entries'}"
                  f"{f' in {args.year}' if args.year else ''}.")
        else:
            print("No entries. Run `almanac ingest` to read the configured sources.")
        return 0
    for e in entries:
        print(f"{e.date.label():>14}  {e.kind:9}  {e.title}  [{e.id}]")
    print(entry_count(len(entries)))
    return 0


def cmd_show(args, app) -> int:
    entry = app.store.get(args.id)
    if entry is None:
        print(f"almanac: no entry with id '{args.id}' (see `almanac list`)", file=sys.stderr)
        return 1
    if args.json:
        print_json(entry.to_json())
        return 0
    print(entry.title)
    print(f"{entry.kind}, {entry.date.label()} ({entry.precision.value} precision)")
    if entry.tags:
        print("tags: " + ", ".join(entry.tags))
    if entry.url:
        print(entry.url)
    print()
    print(entry.summary)
    print()
    print(f"id: {entry.id}    source: {entry.source}")
    return 0


def configured_keys(app) -> set[str]:
    """The source keys the config's `[archive] sources` name now."""
    return set(expand_sources(app.source_specs(), app.base_dir)[0])


def cmd_sources(args, app) -> int:
    configured = configured_keys(app)
    counts = app.store.source_counts()
    rows = [{"source": key, "entries": n, "configured": key in configured} for key, n in counts.items()]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("No entries. Run `almanac ingest` to read the configured sources.")
        return 0
    for row in rows:
        said = "" if row["configured"] else "  (not in the config: `almanac forget` removes it)"
        print(f"{shown(row['source'])}  {entry_count(row['entries'])}{said}")
    return 0


def cmd_forget(args, app) -> int:
    """Remove each named source's entries: what ingest never does for a source no spec names any
    more (a renamed feed URL's entries stayed beside the new URL's, every anniversary twice)."""
    stored = app.store.source_counts()
    configured = configured_keys(app)
    keys = []
    for spec in args.sources:
        # as typed: a stored key itself, or a path from here (as `almanac ingest` reads one)
        key = spec if spec in stored or is_url(spec) else (expand_sources([os.path.abspath(spec)], app.base_dir)[0]
                                                             or [spec])[0]
        if key not in stored:
            raise UsageError(f"'{shown(spec)}' is no source the store holds entries from (see `almanac sources`)")
        if key in configured:
            raise UsageError(f"'{shown(key)}' is in [archive] sources: remove it there first, or the next ingest "
                             "reads it again")
        keys.append(key)
    for key in keys:
        change = app.store.replace_source(key, [])
        print(f"{shown(key)}: {entry_count(len(change.removed))} removed")
    return 0
