"""Anniversary rules: day, month and year precision, 29 February, 0 years, milestones, today's tz."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from almanac.anniversaries import Anniversary, anniversary_in, is_milestone, on, today, upcoming
from almanac.entry import Entry, PartialDate


def entry(id: str, date: str) -> Entry:
    return Entry(id=id, title=id.title(), date=PartialDate.parse(date), kind="talk", summary="s")


LEAP = entry("leap", "2016-02-29")


def test_day_precision_same_month_and_day():
    e = entry("talk", "2015-05-04")
    assert [a.years_ago for a in on([e], dt.date(2025, 5, 4))] == [10]
    assert on([e], dt.date(2025, 5, 5)) == []
    assert on([e], dt.date(2025, 5, 1)) == []


def test_29_february_falls_on_28_february_in_other_years():
    assert on([LEAP], dt.date(2017, 2, 28)) == [Anniversary(LEAP, 1, True)]
    assert on([LEAP], dt.date(2017, 3, 1)) == []
    # In a leap year it is the 29th again, and not the 28th.
    assert [a.years_ago for a in on([LEAP], dt.date(2020, 2, 29))] == [4]
    assert on([LEAP], dt.date(2020, 2, 28)) == []


def test_a_28_february_entry_stays_on_the_28th_in_leap_years():
    e = entry("feb28", "2015-02-28")
    assert [a.years_ago for a in on([e], dt.date(2016, 2, 28))] == [1]
    assert on([e], dt.date(2016, 2, 29)) == []


def test_month_precision_falls_on_the_first():
    e = entry("paper", "2015-05")
    assert [a.years_ago for a in on([e], dt.date(2025, 5, 1))] == [10]
    assert on([e], dt.date(2025, 5, 2)) == []
    assert on([e], dt.date(2025, 6, 1)) == []


def test_year_precision_is_never_an_anniversary():
    e = entry("year", "2015")
    every_day = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    assert all(on([e], day) == [] for day in every_day)
    assert anniversary_in(e, 2025) is None


def test_never_zero_years_ago_nor_before_the_entry():
    e = entry("d", "2025-05-04")
    m = entry("m", "2025-05")
    assert on([e, m], dt.date(2025, 5, 4)) == []
    assert on([e, m], dt.date(2025, 5, 1)) == []
    assert on([e], dt.date(2024, 5, 4)) == []


@pytest.mark.parametrize(
    "years,expected",
    [(1, True), (2, False), (4, False), (5, True), (6, False), (10, True), (11, False), (15, True),
     (20, True), (25, True), (30, True), (0, False), (-5, False)],
)
def test_milestones(years, expected):
    assert is_milestone(years) is expected


def test_on_flags_milestones_and_sorts_most_recent_first():
    es = [entry("b", "2015-05"), entry("a", "2015-05"), entry("c", "2019-05"), entry("d", "2014-05")]
    got = on(es, dt.date(2025, 5, 1))
    assert [(a.entry.id, a.years_ago, a.milestone) for a in got] == [
        ("c", 6, False), ("a", 10, True), ("b", 10, True), ("d", 11, False)]
    assert got[0].to_json()["years_ago"] == 6 and got[1].to_json()["milestone"] is True


def test_today_comes_from_the_configured_timezone():
    now = dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.timezone.utc)
    assert today(now, ZoneInfo("UTC")) == dt.date(2025, 12, 31)
    assert today(now, ZoneInfo("Pacific/Auckland")) == dt.date(2026, 1, 1)
    assert today(now, ZoneInfo("America/Los_Angeles")) == dt.date(2025, 12, 31)
    with pytest.raises(ValueError):
        today(dt.datetime(2025, 1, 1), ZoneInfo("UTC"))


def test_upcoming_lists_days_in_order():
    es = [entry("m", "2015-06"), entry("d", "2020-05-30"), LEAP]
    got = upcoming(es, dt.date(2025, 5, 29), 5)
    assert [(d.isoformat(), a.entry.id, a.years_ago) for d, a in got] == [
        ("2025-05-30", "d", 5), ("2025-06-01", "m", 10)]
    assert upcoming(es, dt.date(2025, 2, 27), 3)[0][0] == dt.date(2025, 2, 28)


def test_seed_may_anniversaries(seeded_store):
    got = on(seeded_store.entries(), dt.date(2025, 5, 1))
    assert [(a.entry.title[:20], a.entry.kind, a.years_ago) for a in got] == [
        ("Programming Unikerne", "paper", 6),
        ("Jitsu: Just-In-Time ", "paper", 10),
        ("Jitsu: Just-In-Time ", "talk", 10),
        ("Unikernels: Function", "talk", 10),
        ("SE Radio Episode 204", "podcast", 11),
    ]


def test_upcoming_agrees_with_on_day_by_day_across_a_year_end_and_29_february():
    es = [entry("leap", "2016-02-29"), entry("m", "2015-01"), entry("d", "2019-12-31"), entry("y", "2014"),
          entry("new", "2027-01-05"), entry("feb28", "2017-02-28")]
    for start, days in [(dt.date(2027, 12, 20), 80), (dt.date(2028, 2, 20), 15), (dt.date(2026, 12, 25), 400)]:
        expected = [(start + dt.timedelta(days=i), a) for i in range(days) for a in on(es, start + dt.timedelta(days=i))]
        assert upcoming(es, start, days) == expected
