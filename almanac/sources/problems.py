"""Problems found while reading a source, reported one line each.

Every reader collects all the problems of a source rather than stopping at the
first, so a user fixes a file in one pass. Each line names the file, the line
and the field: ``data/entries.txt:12: date: 'Mai' is not a month name``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from almanac.sources.text import one_line

#: What a URL may carry that is a secret: a password before the host, a value in its query (a
#: private feed's token: `?auth=...`, `?key=...`).
_PASSWORD = re.compile(r"^(https?://[^/@:?#]*:)[^/@?#]*@")
_QUERY_VALUE = re.compile(r"(?<=[?&])([^=&#]*)=[^&#]*")


def shown(source: str) -> str:
    """A source as a message shows it: a URL without its password and query values (problems go to
    the terminal and, from `almanac run`, to the logs), a file's path as it is."""
    if not source.startswith(("http://", "https://")):
        return source
    head, mark, rest = source.partition("?")
    return _PASSWORD.sub(r"\1…@", head) + _QUERY_VALUE.sub(r"\1=…", mark + rest)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a source."""

    path: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = _located(self.path, self.line)
        # A message may name another source ("also the id of the entry at <URL>:1"): its URL is
        # shown as the problem's own is, without a password or query values.
        message = _URL_IN_TEXT.sub(lambda m: shown_location(m.group()), self.message)
        # File names and quoted values come from the source: never a raw ESC or a second line.
        return one_line(f"{where}: {self.field}: {message}")


#: A URL inside a message, up to a space, a quote or a semicolon (which ends a clause there).
_URL_IN_TEXT = re.compile(r"https?://[^\s'\";]+")


def shown_location(source: str) -> str:
    """An entry's `source` (a path or URL, perhaps with ":line") as a message shows it (`shown`)."""
    return _located(*split_location(source))


def _located(path: str, line: int | None) -> str:
    """"path:line" (or the path alone) as a message shows it: a URL without its secrets."""
    return f"{shown(path)}:{line}" if line else shown(path)


def split_location(source: str) -> tuple[str, int | None]:
    """`"notes/a.md:12"` -> ("notes/a.md", 12); a URL or bare path -> (it, None)."""
    path, _, line = source.rpartition(":")
    return (path, int(line)) if line.isdigit() and path else (source, None)


class SourceError(Exception):
    """A source could not be read; `problems` has one entry per problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def decode_utf8(data: bytes, path: str) -> str:
    """Decode bytes as UTF-8 (a BOM is allowed) or raise naming the bad line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            [Problem(path, line, "encoding", f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")]
        ) from None
