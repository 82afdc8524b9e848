"""Which entries have an anniversary on a given date.

The rules (design.md, "On this day"):

* an entry dated to the day falls on the same month and day in later years;
  one dated 29 February falls on 28 February in years without one;
* an entry dated to the month falls on the 1st of that month in later years
  ("10 years ago this month");
* an entry dated only to the year never has an anniversary (there is no
  day we could honestly call it);
* "0 years ago" is not an anniversary (it is the entry itself).

Everything here is pure: the date is an argument, and "today" is computed
from an aware `now` and the configured timezone by `today()`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from almanac.entry import Entry


@dataclass(frozen=True)
class Anniversary:
    """An entry that falls on a date, `years_ago` years after it happened."""

    entry: Entry
    years_ago: int
    milestone: bool

    @property
    def years_ago_text(self) -> str:
        """ "1 year ago", "10 years ago": how posts, /onthisday and the calendar say it."""
        return "1 year ago" if self.years_ago == 1 else f"{self.years_ago} years ago"

    def to_json(self) -> dict:
        """The entry's JSON keys plus `years_ago` and `milestone`."""
        return {**self.entry.to_json(), "years_ago": self.years_ago, "milestone": self.milestone}


def is_milestone(years: int) -> bool:
    """1, 5, 10, 15, 20, ... years: the anniversaries worth a louder post."""
    return years == 1 or (years > 0 and years % 5 == 0)


def today(now: dt.datetime, tz: dt.tzinfo) -> dt.date:
    """The calendar date it is at `now` in `tz` (23:30 UTC on 31 Dec is 1 Jan in Auckland)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(tz).date()


def local_instant(day: dt.date, at: dt.time, tz: dt.tzinfo) -> dt.datetime:
    """`at` on `day` in `tz` as the instant it names, read in `tz` again: a time the clocks
    skipped comes out later (23:30 skipped at a midnight change is 00:30 the next day). The daily
    posting run is scheduled by it (`feeds.scheduler.DailyAt`), and `Poster.due_days` reads it."""
    return dt.datetime.combine(day, at, tzinfo=tz).astimezone(dt.timezone.utc).astimezone(tz)


def anniversary_in(entry: Entry, year: int) -> dt.date | None:
    """The day of `entry`'s anniversary in `year`, or None if it has none that year."""
    date = entry.date
    # Read from the fields, not `precision` (called for every entry of every build): no month is
    # year precision (a day needs a month), a month without a day is month precision.
    if date.month is None or year <= date.year:
        return None
    day = date.day
    if day is None:
        return dt.date(year, date.month, 1)
    if date.month == 2 and day == 29 and not calendar.isleap(year):
        day = 28
    return dt.date(year, date.month, day)


def on(entries: Iterable[Entry], date: dt.date) -> list[Anniversary]:
    """The anniversaries falling on `date`, most recent entry first (then by id)."""
    found = []
    for entry in entries:
        if anniversary_in(entry, date.year) == date:
            years = date.year - entry.date.year
            found.append(Anniversary(entry, years, is_milestone(years)))
    found.sort(key=lambda a: (a.years_ago, a.entry.id))
    return found


def upcoming(entries: Iterable[Entry], start: dt.date, days: int) -> list[tuple[dt.date, Anniversary]]:
    """Anniversaries from `start` (included) over the next `days` days, in date order."""
    if days <= 0:
        return []
    end = start + dt.timedelta(days=days)  # exclusive
    by_day: dict[dt.date, list[Anniversary]] = {}
    # One pass over the entries per calendar year in the window (not one per day).
    for entry in entries:
        for year in range(start.year, end.year + 1):
            day = anniversary_in(entry, year)
            if day is not None and start <= day < end:
                years = year - entry.date.year
                by_day.setdefault(day, []).append(Anniversary(entry, years, is_milestone(years)))
    out: list[tuple[dt.date, Anniversary]] = []
    for day in sorted(by_day):
        out.extend((day, a) for a in sorted(by_day[day], key=lambda a: (a.years_ago, a.entry.id)))
    return out
