"""public/anniversaries.ics: read back with the icalendar library, across rebuilds and days."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

import icalendar

from almanac.anniversaries import on
from almanac.config import SiteConfig
from almanac.entry import Entry, PartialDate
from almanac.links import CALENDAR, entry_url
from feeds.build import build_site
from feeds.cards import describe
from feeds.ics import _folded, build_calendar, fold
from feeds.publish import publish
from feeds.server import content_type
from almanac.timeline import coming_year

UTC = dt.timezone.utc
TZ = ZoneInfo("Europe/London")
SITE = SiteConfig(base_url="https://example.org/")
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
MAY_DAY = dt.date(2027, 5, 1)


def events(data: bytes) -> list:
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    return calendar.walk("VEVENT")


def start(event) -> dt.date:
    return event.decoded("DTSTART")


def test_the_seed_has_its_five_may_anniversaries_on_1_may(seeded_store):
    entries = seeded_store.entries()
    data = build_site(entries, SITE, TZ, now=NOW)[CALENDAR]
    may = [e for e in events(data) if start(e) == MAY_DAY]
    expected = on(entries, MAY_DAY)
    assert len(may) == len(expected) == 5
    for event, anniversary in zip(may, expected):
        entry = anniversary.entry
        assert entry.date.day is None  # the seed's dates are months: remembered on the 1st, as its posts say
        assert str(event["SUMMARY"]) == f"{anniversary.years_ago} years ago this month: {entry.title}"
        assert str(event["DESCRIPTION"]) == f"{describe(entry)}\n\n{entry_url(SITE.base_url, entry.id)}"
        assert str(event["UID"]) == f"{entry.id}-2027@example.org"
        assert "DTEND" not in event and "DURATION" not in event  # a DATE start alone: one whole day
        # DTSTAMP is when the store last saw the entry change ("last revised"), not the clock
        revised = dt.datetime.fromisoformat(entry.changed_at).replace(microsecond=0)
        assert event.decoded("DTSTAMP") == revised.astimezone(UTC)


def test_uids_and_events_are_stable_across_rebuilds_and_days(seeded_store):
    entries = seeded_store.entries()
    first = build_site(entries, SITE, TZ, now=NOW)[CALENDAR]
    assert build_site(list(reversed(entries)), SITE, TZ, now=NOW + dt.timedelta(hours=11))[CALENDAR] == first
    later = build_site(entries, SITE, TZ, now=NOW + dt.timedelta(days=45))[CALENDAR]
    by_uid = {str(e["UID"]): e.to_ical() for e in events(first)}
    again = {str(e["UID"]): e.to_ical() for e in events(later)}
    shared = by_uid.keys() & again.keys()
    assert {uid for uid in shared if uid.endswith("-2027@example.org")} >= {
        f"{a.entry.id}-2027@example.org" for a in on(entries, MAY_DAY)
    }
    assert all(by_uid[uid] == again[uid] for uid in shared)  # same event, same bytes
    # Each entry dated to the month falls exactly once in any twelve months.
    assert len(events(first)) == len(events(later)) == len(entries)


def test_rules_of_the_window_and_precision():
    def entry(n, date):
        return Entry(id=f"e{n}", title=f"Entry {n}", date=date, kind="talk", summary=f"Entry {n}.")

    entries = [
        entry(1, PartialDate(2016, 2, 29)),  # day: 28 Feb in 2027
        entry(2, PartialDate(2016, 12, 1)),  # day: today is the first day of the window
        entry(3, PartialDate(2016, 11, 30)),  # day: yesterday's is past; next year's is the window's last day
        entry(4, PartialDate(2016, 7)),  # month: on the 1st
        entry(5, PartialDate(2016)),  # year: never
    ]
    found = {str(e["UID"]): start(e) for e in events(build_site(entries, SITE, TZ, now=NOW)[CALENDAR])}
    assert found == {
        "e1-2027@example.org": dt.date(2027, 2, 28),
        "e2-2026@example.org": dt.date(2026, 12, 1),
        "e3-2027@example.org": dt.date(2027, 11, 30),
        "e4-2027@example.org": dt.date(2027, 7, 1),
    }


def test_hostile_and_long_text_round_trips_and_lines_are_folded():
    title = "Commas, semicolons; back\\slashes and ünïcødé 🎉 " * 3
    summary = "Für Ärzte; über 9,000 Zeilen \\n (not a newline), and more 🎉 " * 3 + ". Second sentence."
    entry = Entry(id="hostile", title=title, date=PartialDate(2020, 5, 4), kind="paper", summary=summary)
    data = build_calendar(coming_year([entry], dt.date(2026, 12, 1)), SITE, TZ)
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    assert data.endswith(b"END:VCALENDAR\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    [event] = events(data)
    assert str(event["SUMMARY"]) == f"7 years ago: {title.strip()}"
    assert str(event["DESCRIPTION"]) == f"{describe(entry)}\n\n{entry_url(SITE.base_url, 'hostile')}"


def test_fold_never_splits_a_character_or_an_escape():
    for line in ("x" * 74 + "é" * 40, "y" * 74 + "\\;" * 30, "z" * 73 + "\\\\" + "a" * 80, "🎉" * 60):
        folded = fold(line.encode())
        parts = folded.split(b"\r\n ")
        assert all(len(p) <= 75 for p in parts[:1]) and all(len(p) <= 74 for p in parts[1:])
        assert b"".join(parts).decode() == line  # every part is whole UTF-8
        assert not any(p.endswith(b"\\") and not p.endswith(b"\\\\") for p in parts[:-1])
    # Lines are folded as text where they are made: the same as folding their bytes.
    for line in ("short", "x" * 75, "x" * 76, "é" * 50, "a\\," * 60, "x" * 74 + "é" * 40, "🎉" * 60):
        assert _folded(line) == fold(line.encode()).decode()


def test_linked_from_the_site_and_served_as_text_calendar(seeded_store):
    files = build_site(seeded_store.entries(), SITE, TZ, now=NOW)
    link = '<a href="https://example.org/anniversaries.ics" type="text/calendar">anniversary calendar</a>'
    assert link in files["index.html"].decode()
    assert content_type(CALENDAR) == "text/calendar; charset=utf-8"
    assert CALENDAR not in build_site(seeded_store.entries(), SITE, TZ)  # no `now`, no calendar


def test_no_change_rebuild_writes_nothing_and_a_new_day_writes_only_what_it_changed(tmp_path, seeded_store):
    entries = seeded_store.entries()
    out = str(tmp_path / "public")
    first = publish(out, entries, SITE, TZ, now=NOW)
    assert not first.skipped and CALENDAR in first.report.written
    same_day = publish(out, entries, SITE, TZ, now=NOW + dt.timedelta(hours=11, minutes=59))
    assert same_day.skipped and same_day.report.written == []
    mtimes = {p: os.stat(os.path.join(out, p)).st_mtime_ns for p in first.report.written}
    next_day = publish(out, entries, SITE, TZ, now=NOW + dt.timedelta(days=1))
    assert not next_day.skipped
    # December 2014's anniversary moved from 1 Dec 2026 to 1 Dec 2027: only the calendar changed.
    assert next_day.report.written == [CALENDAR]
    assert all(os.stat(os.path.join(out, p)).st_mtime_ns == t for p, t in mtimes.items() if p != CALENDAR)
