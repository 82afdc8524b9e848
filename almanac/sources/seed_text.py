"""The seed text format: a `Title / Mon YYYY` line, then a summary paragraph.

    The First Billion Real Deployments of Unikernels / Feb 2020
    Part 2 of my distinguished lecture series at St Andrews, ...

Blank lines between entries are allowed but not needed. Titles may contain
" / " themselves; the date is whatever follows the last one. A summary may run
over several lines; it ends at a blank line or at the next heading line.
"""

from __future__ import annotations

import re

from almanac.entry import DateError, Entry, PartialDate, classify
from almanac.sources.problems import Problem, SourceError
from almanac.sources.reading import DEFAULT_LIMITS, ReadLimits, clip, fold, read_text, title_problem

_LINE_END = re.compile(r"\r\n|\r|\n")

# What follows a heading's last " / ": something shaped like a date ("May
# 2015", "Mai 2015", "2015", "2015-05", and a day written out: "4 May 2015",
# "May 4, 2015", "4th May 2015"). The shape is loose on purpose so that a
# misspelt month is reported as a bad date instead of read as summary text.
_DATE_SHAPE = re.compile(r"(?:\d{1,2}(?:st|nd|rd|th)?\s+)?[A-Za-z]+\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?,)?\s+\d{1,4}"
                         r"|\d{1,4}(?:-\d{1,2}){0,2}")


def parse_heading(line: str) -> tuple[str, str] | None:
    """(title, date text) when `line` is `Title / <date shape>`, else None.

    Split at the last '/' rather than matched by one regular expression:
    a pattern like `.+?\\s+/\\s+...` backtracks quadratically over a long run
    of spaces, and this takes linear time whatever the line holds.
    """
    head, slash, tail = line.rpartition("/")
    if not slash or not head[-1:].isspace() or not tail[:1].isspace():
        return None
    title, date_text = head.rstrip(), tail.strip()
    if not title or not _DATE_SHAPE.fullmatch(date_text):
        return None
    return fold(title), date_text


def read_seed_text(path: str, limits: ReadLimits = DEFAULT_LIMITS) -> list[Entry]:
    """Read a seed-format file (at most `limits.max_bytes`); raise SourceError listing every problem found."""
    text = read_text(path, limits)
    problems: list[Problem] = []
    entries: list[Entry] = []
    first_seen: dict[tuple[str, str, str], int] = {}

    heading: tuple[int, str, str] | None = None  # (line, title, date text)
    summary: list[str] = []

    def finish() -> None:
        if heading is None:
            return
        line, title, date_text = heading
        if not title or (too_long := title_problem(title)):
            problems.append(Problem(path, line, "title", too_long if title else "missing: write the title before ' / Mon YYYY'"))
            return
        body = fold(" ".join(summary))
        if not body:
            problems.append(Problem(path, line, "summary", "missing: put a summary paragraph on the line after the heading"))
            return
        try:
            date = PartialDate.parse(date_text)
        except DateError as exc:
            problems.append(Problem(path, line, "date", str(exc)))
            return
        key = (title, date.isoformat(), body)
        if key in first_seen:
            problems.append(
                Problem(path, line, "entry", f"repeats the entry at line {first_seen[key]} word for word; delete one")
            )
            return
        first_seen[key] = line
        kind, tags = classify(title, body)
        entries.append(Entry(id="", title=title, date=date, kind=kind, summary=body, tags=tags, source=f"{path}:{line}",
                             kind_read=True))

    after_blank = True  # a blank line (or the start of the file) came last
    skipping = False  # inside the summary of a heading that had no date
    # Only \n, \r\n and \r end a line (as an editor numbers them): str.splitlines() also splits at
    # U+0085 and U+2028 inside a summary, and every line number after it came out wrong.
    for number, raw in enumerate(_LINE_END.split(text), start=1):
        line = raw.strip()
        if not line:
            after_blank = True
            continue
        parsed = parse_heading(line)
        if parsed is not None:
            finish()
            heading = (number, *parsed)
            summary, skipping = [], False
        elif heading is None and skipping:
            pass
        elif heading is None or (after_blank and summary):
            # Text where a heading belongs: a heading without its " / Mon YYYY".
            finish()
            heading, summary, skipping = None, [], True
            problems.append(Problem(path, number, "date", f"missing: expected 'Title / Mon YYYY', got '{clip(line)}'"))
        else:
            summary.append(line)
        after_blank = False
    finish()
    if problems:
        raise SourceError(problems)
    return entries

