"""`anniversaries.ics`: the coming year's anniversaries as an iCalendar (RFC 5545) file.

One all-day event per anniversary from the build's day to a year later
(`almanac.timeline.coming_year`, with almanac.anniversaries' rules: an entry
dated to the day on its day, one dated to the month on the 1st, one dated to
the year never). Calendar apps that subscribe re-fetch the whole file and
match events by UID, so every UID is `<entry id>-<anniversary year>@<site
host>`: the same event keeps its UID from one build to the next, and a
corrected title or summary updates the event instead of adding a second one.

An event's description is the entry's link-card description (the first
sentence of its summary, `feeds.cards.describe`) and the link to its page:
a calendar app shows a line, and the full summary is one tap away. Nothing
else is said twice (no URL property: apps show the description's link; no
DTEND: a date-valued DTSTART alone is one whole day): a 10,000-entry
archive has 10,000 events, re-fetched daily by every subscriber.

Nothing here reads the clock: DTSTAMP (when the event's information was last
revised, for a calendar without METHOD) is when the store last saw the entry
change (`feeds.feed_items.revised`; the start of the entry's own date, midnight
in [schedule] timezone, for an entry not read from a store), written in UTC. So the same entries and the same window give
the same bytes, and a no-change rebuild writes nothing.

The text is written here, not by the icalendar library: building and
serialising 6,667 events with its `Event` and `to_ical()` took 1.8 s on the
development machine (a per-character line folder, a parameter object per
value), more than half of a whole 10,000-entry site build, where this takes
about a tenth of that. The rules it would apply are few and below (TEXT
escaping, RFC 5545 3.3.11; folding at 75 octets, 3.1), and the tests read
every calendar back with icalendar to hold this file to them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from almanac.anniversaries import Anniversary
from almanac.config import SiteConfig
from almanac.entry import Entry
from almanac.links import entry_url
from feeds.feed_items import feed_title, revised
from feeds.cards import describe
from feeds.safe_text import clean_line

#: RFC 5545 3.1: lines longer than this many octets are folded.
LINE_OCTETS = 75
PRODID = "-//almanac//anniversaries//EN"
_BACKSLASH = ord("\\")


def event_uid(entry_id: str, year: int, host: str) -> str:
    """Stable per (entry, anniversary year): apps update the event rather than duplicate it."""
    return f"{entry_id}-{year}@{host}"


def build_calendar(
    anniversaries: Iterable[tuple[dt.date, Anniversary]],
    site: SiteConfig,
    tz: dt.tzinfo,
    description_of: Callable[[Entry], str] = describe,
    title_of: Callable[[Entry], str] | None = None,
) -> bytes:
    """The calendar of the given (day, anniversary) pairs (`coming_year()`'s answer), as bytes.

    `description_of(entry)` is its one-line description and `title_of(entry)` its cleaned title
    (`clean_line(entry.title) or entry.id`); the site build passes the ones its pages computed.
    """
    name = f"{feed_title(site)}: anniversaries"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"NAME:{_text(name)}",
        f"X-WR-CALNAME:{_text(name)}",
        # The window moves every day: ask apps to look again daily.
        "REFRESH-INTERVAL;VALUE=DURATION:P1D",
        "X-PUBLISHED-TTL:P1D",
    ]
    if clean_line(site.description):
        lines.append(f"DESCRIPTION:{_text(clean_line(site.description))}")
    host = urlsplit(site.base_url).hostname or "almanac"
    lines = [_folded(line) for line in lines]
    for day, a in anniversaries:
        entry = a.entry
        title = title_of(entry) if title_of is not None else clean_line(entry.title) or entry.id
        link = entry_url(site.base_url, entry.id)
        date = entry.date
        stamp = f"{revised(entry, tz).astimezone(dt.timezone.utc):%Y%m%dT%H%M%SZ}"
        uid = _folded("UID:" + _text(event_uid(entry.id, day.year, host)))
        # A date known to the month is remembered on the 1st, "this month", as its posts say.
        when = "" if date.day else " this month"
        summary = _folded("SUMMARY:" + _text(f"{a.years_ago_text}{when}: {title}"))
        description = _folded("DESCRIPTION:" + _text(f"{description_of(entry)}\n\n{link}"))
        lines.append(
            f"BEGIN:VEVENT\r\n{uid}\r\nDTSTAMP:{stamp}\r\n"
            f"DTSTART;VALUE=DATE:{day.year:04d}{day.month:02d}{day.day:02d}\r\n"  # no DTEND: one whole day (RFC 5545 3.6.1)
            f"{summary}\r\n{description}\r\nEND:VEVENT"
        )
    lines.append("END:VCALENDAR\r\n")
    return "\r\n".join(lines).encode("utf-8")


def _folded(line: str) -> str:
    """One content line folded as `fold` folds its bytes (most lines are short ASCII: returned as they are).

    An ASCII line without a backslash has nothing to step around (one octet per character, no escape
    to keep whole): it is cut every 75, then 74, characters without encoding it.
    """
    if line.isascii():
        if len(line) <= LINE_OCTETS:
            return line
        if "\\" not in line:
            step = LINE_OCTETS - 1
            return "\r\n ".join([line[:LINE_OCTETS]] + [line[i : i + step] for i in range(LINE_OCTETS, len(line), step)])
    return fold(line.encode("utf-8")).decode("utf-8")


def _text(value: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, newlines as `\\n` (RFC 5545 3.3.11)."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r", "").replace("\n", "\\n")


def fold(data: bytes) -> bytes:
    """A UTF-8 line folded at 75 octets (CRLF + space), never inside a character or a `\\` escape."""
    if len(data) <= LINE_OCTETS:
        return data
    parts, start, limit = [], 0, LINE_OCTETS
    while len(data) - start > limit:
        cut = start + limit
        while data[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: back to the character's start
            cut -= 1
        if data[cut - 1] == _BACKSLASH:  # count the run only when there is one
            segment = data[start:cut]
            if (len(segment) - len(segment.rstrip(b"\\"))) % 2:  # the cut would part a backslash from what it escapes
                cut -= 1
        parts.append(data[start:cut])
        start, limit = cut, LINE_OCTETS - 1  # continuation lines begin with the folding space
    parts.append(data[start:])
    return b"\r\n ".join(parts)
