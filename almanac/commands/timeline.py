"""`almanac timeline`: the archive over time as a PNG or SVG picture."""

from __future__ import annotations

import datetime as dt
import os
import sys

from almanac.commands import YEARS, UsageError, parse_kind, print_json, range_text, whole_number
from almanac.commands.onthisday import _date
from almanac.entry import MAX_YEAR, MIN_YEAR
from almanac.links import counted, entry_count
from almanac.timeline import TimelineError, build_timeline, draw
from feeds.writer import write_if_changed

FORMATS = {".png": "png", ".svg": "svg"}


def register(sub) -> None:
    p = sub.add_parser(
        "timeline",
        help="draw the archive over time (PNG or SVG)",
        description="Draw the entries per year, stacked by kind, with a star over each year that has a "
        "milestone anniversary (1, 5, 10, 15, ... years) in the coming twelve months. Colours stay apart "
        "for colour-blind readers (Okabe-Ito); the same archive gives the same bytes.",
        epilog="examples:\n  almanac timeline\n  almanac timeline --out docs/timeline.png\n"
        "  almanac timeline --kind paper --from 2014 --to 2020 --out papers.svg --json",
    )
    p.add_argument("--out", metavar="FILE", default="timeline.png", help="FILE.png or FILE.svg (default: timeline.png)")
    p.add_argument("--kind", help="only this kind (talk, paper, ...; keynote or lecture: those talks)")
    p.add_argument("--from", dest="first", type=whole_number(*YEARS), metavar="YEAR",
                   help=f"first year shown ({range_text(*YEARS)})")
    p.add_argument("--to", dest="last", type=whole_number(*YEARS), metavar="YEAR",
                   help=f"last year shown ({range_text(*YEARS)})")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="the coming year starts on this day (default: today)")
    p.add_argument("--json", action="store_true", help='print {"out", "entries", "years", "kinds", "milestones"}')
    p.set_defaults(handler=cmd_timeline, reads_only=True)


def cmd_timeline(args, app) -> int:
    fmt = FORMATS.get(os.path.splitext(args.out)[1].lower())
    if fmt is None:
        raise UsageError(f"--out: '{args.out}' must end in .png or .svg")
    for option, year in (("--from", args.first), ("--to", args.last)):
        if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
            raise UsageError(f"{option}: {year} is not a year between {MIN_YEAR} and {MAX_YEAR}")
    if args.first is not None and args.last is not None and args.first > args.last:
        raise UsageError(f"--from {args.first} is after --to {args.last}")
    kind, tag = parse_kind(args.kind) or (None, None)
    day = _date(args.date, "--date", app)
    if day.year >= dt.MAXYEAR:  # the milestones of the coming year run a year on from it (a traceback)
        raise UsageError(f"--date: the year after {day.isoformat()} goes past {dt.date.max.isoformat()}, "
                         "the last day almanac can count")
    entries = [e for e in app.store.entries() if tag is None or tag in e.tags]  # --kind keynote: those talks
    try:
        timeline = build_timeline(entries, day, kind=kind, first=args.first, last=args.last)
    except TimelineError as exc:
        print(f"almanac: {exc}", file=sys.stderr)
        return 1
    data = draw(timeline, fmt)
    try:
        write_if_changed(os.path.abspath(args.out), data)
    except OSError as exc:  # --out names a directory, or a path under a file
        raise UsageError(f"--out: cannot write '{args.out}': {exc.strerror or type(exc).__name__}") from None
    if args.json:
        print_json({
            "out": os.path.abspath(args.out),
            "entries": timeline.total,
            "years": [timeline.years[0], timeline.years[-1]],
            "kinds": {k: sum(c) for k, c in zip(timeline.kinds, timeline.counts)},
            "milestones": [
                {"id": m.entry_id, "on": m.day.isoformat(), "years_ago": m.years_ago} for m in timeline.milestones
            ],
        })
    else:
        print(f"{args.out}: {entry_count(timeline.total)}, {timeline.span()}, "
              f"{counted(len(timeline.milestones), 'milestone')} in the coming year ({len(data) // 1024} KB)")
    return 0
