"""Bounded reading of local sources, and the text clean-up every reader applies.

A source is untrusted input: it may be a FIFO that never sends anything,
`/dev/zero`, a 10 GB file, or text carrying terminal escapes. So a file is
opened without blocking, must be a regular file, and is read only up to
`ReadLimits.max_bytes` (+1 byte, to know it was larger); and every text field
an entry gets goes through `fold`/`clean_text` (almanac.sources.text), so
control characters never reach the store, the feeds or a terminal.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass

from almanac.entry import shorten
from almanac.sources.problems import Problem, SourceError, decode_utf8
from almanac.sources.text import clean_text

MB = 1_000_000

#: The longest title and tag, and the most tags, an entry may have: far beyond any real one (the
#: longest of the 1,458 evaluation entries have 141, 49 and 7), and small enough that one item of
#: a feed cannot make the site megabytes: a title is written into a dozen files (its page, the
#: index, its kind's page, every feed, the calendar, the pages of entries related to it).
MAX_TITLE = 500
MAX_TAG = 100
MAX_TAGS = 100


def title_problem(title: str) -> str | None:
    """What is wrong with a title's length (None: nothing)."""
    if len(title) > MAX_TITLE:
        return f"{len(title):,} characters long; a title has at most {MAX_TITLE} (put the rest in the summary)"
    return None


def tags_problem(tags: list[str]) -> str | None:
    """What is wrong with an entry's tags as a whole (None: nothing)."""
    if len(set(tags)) > MAX_TAGS:
        return f"{len(set(tags)):,} tags; an entry has at most {MAX_TAGS}"
    longest = max(tags, key=len, default="")
    if len(longest) > MAX_TAG:
        return f"'{clip(longest)}' is {len(longest):,} characters long; a tag has at most {MAX_TAG}"
    return None


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on reading one source; the defaults are generous for a personal archive.

    `max_bytes`: the largest file (each Markdown note, each JSON/text/feed
    file) or HTTP body read; larger is a problem, not a memory blow-up.
    `fetch_deadline_s`: the total time a feed URL may take (connect, headers
    and body together), however slowly its server trickles bytes.
    """

    max_bytes: int = 50 * MB
    fetch_deadline_s: float = 60.0


DEFAULT_LIMITS = ReadLimits()


def too_large(path: str, limits: ReadLimits, field: str = "file") -> SourceError:
    return SourceError([Problem(path, None, field, f"larger than the {_size(limits.max_bytes)} limit for one source")])


def _size(n: int) -> str:
    return f"{n / MB:g} MB" if n >= MB else f"{n} bytes"


def read_bytes(path: str, limits: ReadLimits = DEFAULT_LIMITS) -> bytes:
    """The bytes of a regular file, at most `limits.max_bytes`; else SourceError.

    The file is opened with O_NONBLOCK so that a FIFO without a writer does not
    block the open; anything that is not a regular file (a FIFO, a device such
    as /dev/zero, a socket, a directory) is refused before a byte is read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise SourceError([Problem(path, None, "file", exc.strerror or str(exc))]) from None
    with open(fd, "rb", closefd=True) as fh:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise SourceError([Problem(path, None, "file", "is a directory; expected a file")])
        if not stat.S_ISREG(mode):
            raise SourceError([Problem(path, None, "file", "not a regular file (a FIFO, device or socket); expected a file")])
        try:
            data = fh.read(limits.max_bytes + 1)
        except OSError as exc:
            raise SourceError([Problem(path, None, "file", exc.strerror or str(exc))]) from None
    if len(data) > limits.max_bytes:
        raise too_large(path, limits)
    return data


def read_text(path: str, limits: ReadLimits = DEFAULT_LIMITS) -> str:
    """Read a UTF-8 text file within `limits`; problems (OS, size, encoding, empty) as SourceError."""
    return decode_text(read_bytes(path, limits), path)


def decode_text(data: bytes, path: str) -> str:
    """A file's bytes (read from `path`: a file, or a member of a ZIP) as UTF-8 text; an encoding
    problem or a blank file as SourceError."""
    text = decode_utf8(data, path)
    if not text.strip():
        raise SourceError([Problem(path, None, "file", "file is empty")])
    return text


def fold(text: str) -> str:
    """Cleaned text with runs of whitespace folded to one space: titles and summaries."""
    return " ".join(clean_text(text).split())


def clip(value: object, width: int = 60) -> str:
    """A value quoted in a problem message: cleaned, on one line, at most `width` characters."""
    return shorten(clean_text(value if isinstance(value, str) else _safe_repr(value)), width)


def _safe_repr(value: object) -> str:
    """repr() that cannot fail or grow without bound (huge ints, deep lists)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"a {value.bit_length() * 30103 // 100000 + 1}-digit number"
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        return f"a {type(value).__name__}"
    return text


def value_error_message(exc: ValueError) -> str:
    """A parser's ValueError in a user's words (the one expected: a number too long to convert)."""
    if "integer string conversion" in str(exc):
        return f"a number longer than {sys.get_int_max_str_digits()} digits"
    return clip(str(exc), 120)
