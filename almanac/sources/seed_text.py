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
from almanac.sources.problems import Problem, SourceError, read_text

# A heading: anything, " / ", then something shaped like a date ("May 2015",
# "Mai 2015", "2015", "2015-05"). The shape is loose on purpose so that a
# misspelt month is reported as a bad date instead of read as summary text.
_HEADING = re.compile(r"^(?P<title>.+?)\s+/\s+(?P<date>[A-Za-z]+\.?\s+\d{1,4}|\d{1,4}(?:-\d{1,2}){0,2})\s*$")


def read_seed_text(path: str) -> list[Entry]:
    """Read a seed-format file; raise SourceError listing every problem found."""
    text = read_text(path)
    problems: list[Problem] = []
    entries: list[Entry] = []
    first_seen: dict[tuple[str, str, str], int] = {}

    heading: tuple[int, str, str] | None = None  # (line, title, date text)
    summary: list[str] = []

    def finish() -> None:
        if heading is None:
            return
        line, title, date_text = heading
        if not summary:
            problems.append(Problem(path, line, "summary", "missing: put a summary paragraph on the line after the heading"))
            return
        try:
            date = PartialDate.parse(date_text)
        except DateError as exc:
            problems.append(Problem(path, line, "date", str(exc)))
            return
        body = " ".join(" ".join(summary).split())
        key = (title, date.isoformat(), body)
        if key in first_seen:
            problems.append(
                Problem(path, line, "entry", f"repeats the entry at line {first_seen[key]} word for word; delete one")
            )
            return
        first_seen[key] = line
        kind, tags = classify(title, body)
        entries.append(Entry(id="", title=title, date=date, kind=kind, summary=body, tags=tags, source=f"{path}:{line}"))

    after_blank = True  # a blank line (or the start of the file) came last
    skipping = False  # inside the summary of a heading that had no date
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            after_blank = True
            continue
        if _HEADING.match(line):
            finish()
            match = _HEADING.match(line)
            heading = (number, " ".join(match["title"].split()), match["date"])
            summary, skipping = [], False
        elif heading is None and skipping:
            pass
        elif heading is None or (after_blank and summary):
            # Text where a heading belongs: a heading without its " / Mon YYYY".
            finish()
            heading, summary, skipping = None, [], True
            problems.append(Problem(path, number, "date", f"missing: expected 'Title / Mon YYYY', got '{_clip(line)}'"))
        else:
            summary.append(line)
        after_blank = False
    finish()
    if problems:
        raise SourceError(problems)
    return entries


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
