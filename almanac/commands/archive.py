"""`almanac ingest`, `almanac list`, `almanac show`: filling and reading the store."""

from __future__ import annotations

import os
import sys

from almanac.commands import YEARS, parse_kind, print_json, whole_number
from almanac.config import range_text
from almanac.entry import KINDS
from almanac.ingest import ingest
from almanac.links import entry_count, plural
from almanac.sources.feed import is_url


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
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser(
        "show",
        help="show one entry",
        description="Show one entry in full.",
        epilog="examples:\n  almanac show jitsu-just-in-time-summoning-of-unikernels-2015-05-paper",
    )
    p.add_argument("id", help="the entry id (see `almanac list`)")
    p.add_argument("--json", action="store_true", help="print the entry as JSON")
    p.set_defaults(handler=cmd_show)


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
