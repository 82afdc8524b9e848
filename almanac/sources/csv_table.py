"""A spreadsheet's rows: a CSV (or tab-separated) file whose first row names the columns.

    title,date,kind,url,summary
    Jitsu: Just-In-Time Summoning of Unikernels,2015-05,paper,https://...,"Paper at NSDI ..."

The columns are the fields of a JSON object or front matter, under the same
names and their other names (`almanac.sources.fields`: `description` for the
summary, `categories`, a `venue` kept in the summary, ...); `tags` holds words
separated by commas. An empty cell is an absent field and a row of empty cells
is skipped. The separator is read from the header row: a comma, a semicolon
(what spreadsheets write where the comma is a decimal point) or a tab, the one
it holds most of (a tab for `.tsv`). A problem names the line its row starts
on (a quoted cell may run over several lines), and as with every source a file
with any problem (a quote never closed, as in a file cut short) is refused whole.
"""

from __future__ import annotations

import csv
import io
from typing import Iterator

from almanac.entry import Entry
from almanac.sources.fields import entry_with_summary, misnamed
from almanac.sources.problems import Problem, SourceError
from almanac.sources.reading import DEFAULT_LIMITS, ReadLimits, clip, read_text

_SEPARATORS = (",", ";", "\t")


def read_csv_table(path: str, limits: ReadLimits = DEFAULT_LIMITS) -> list[Entry]:
    """Every row of a CSV or TSV file as an entry (at most `limits.max_bytes`); SourceError listing every problem."""
    text = read_text(path, limits)
    header_line = text.split("\n", 1)[0]
    separator = "\t" if path.lower().endswith(".tsv") else max(_SEPARATORS, key=header_line.count)
    rows = csv_rows(path, text, separator)
    problems: list[Problem] = []
    entries: list[Entry] = []
    seen: dict[tuple, int] = {}
    _, header = next(rows)
    header = [name.strip().lower() for name in header]
    if not any(header):
        raise SourceError([Problem(path, 1, "header", "the first row must name the columns (title, date, summary, ...)")])
    # A slip in a column's name is one problem, whether or not its cells are filled.
    problems += [Problem(path, 1, clip(name), f"unknown column; did you mean '{meant}'?")
                 for name in header if (meant := misnamed(name))]
    # Two columns of one name ("summary" and "Summary"): the last one's cells hid the first's.
    problems += [Problem(path, 1, clip(name), f"column {i + 1} repeats column {header.index(name) + 1}; keep one")
                 for i, name in enumerate(header) if name and header.index(name) < i]
    for start, row in rows:
        cells = cells_under(header, row, path, start)
        if isinstance(cells, Problem):
            problems.append(cells)
            continue
        fields = {name: cell for name, cell in cells.items() if name and cell.strip()}
        key = tuple(row)
        if key in seen:
            problems.append(Problem(path, start, "entry", f"repeats the row at line {seen[key]} word for word; delete one"))
            continue
        seen[key] = start
        entry, found = entry_with_summary(fields, path, start)
        problems.extend(found)
        if entry is not None:
            entries.append(entry)
    if problems:
        raise SourceError(problems)
    if not entries and not seen:
        raise SourceError([Problem(path, 1, "csv", "no rows under the header")])
    return entries


def cells_under(header: list[str], row: list[str], path: str, line: int) -> dict[str, str] | Problem:
    """A row's cells by column name (a short row lacks its last ones), or the problem of a row with
    more cells than the header has names (a cell slipped out of its column)."""
    if len(row) > len(header):
        return Problem(path, line, "row", f"{len(row)} cells under {len(header)} column names")
    return dict(reversed(list(zip(header, row))))  # a repeated column (a problem of its own): the first's cells


def csv_rows(path: str, text: str, separator: str) -> Iterator[tuple[int, list[str]]]:
    """(the line a row starts on, its cells): the first row (the header, even blank), then every
    row with a cell that is not blank. A quote never closed (a file cut short), text after a
    closing quote or a cell over the csv module's 128 KB is one SourceError naming its line, not
    a cell that runs to the end of the file."""
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    try:
        yield 1, next(rows)
        line = rows.line_num + 1
        for row in rows:
            start, line = line, rows.line_num + 1
            if any(cell.strip() for cell in row):
                yield start, row
    except csv.Error as exc:
        raise SourceError([Problem(path, rows.line_num or 1, "csv", clip(str(exc)))]) from None
