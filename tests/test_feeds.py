"""Atom, RSS and JSON Feed builders: parsed back by feedparser, ids, dates, escaping."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import replace
from zoneinfo import ZoneInfo

import feedparser
import lxml.etree
import pytest

from almanac.config import SiteConfig
from almanac.entry import Entry, PartialDate
from almanac.links import kind_feed_path
from feeds.atom import build_atom
from feeds.build import build_site
from feeds.jsonfeed import build_json_feed
from feeds.rss import build_rss
from tests.feed_helpers import json_feed, make_entry, parse_feed, rel_of

LONDON = ZoneInfo("Europe/London")
SITE = SiteConfig(base_url="https://example.org/almanac/")


@pytest.fixture
def seed_entries(seeded_store):
    return seeded_store.entries()


def test_every_feed_parses_and_every_item_opens_a_built_page(seed_entries):
    files = build_site(seed_entries, SITE, LONDON)
    xml_feeds = ["atom.xml", "rss.xml"] + sorted({kind_feed_path(e.kind) for e in seed_entries})
    for path in xml_feeds:
        parsed = parse_feed(files[path])
        assert parsed.entries, path
        for item in parsed.entries:
            assert item.published_parsed is not None, (path, item.get("id"))
            assert item.id.startswith("https://example.org/almanac/entries/"), item.id
            assert rel_of(item.link, SITE) in files, (path, item.link)
    feed = json_feed(files["feed.json"])
    assert len(feed["items"]) == len(seed_entries)  # 25 < feed_limit
    for item in feed["items"]:
        assert rel_of(item["url"], SITE) in files


def test_each_format_has_its_own_self_link_under_base_url(seed_entries):
    files = build_site(seed_entries, SITE, LONDON)
    for path in ["atom.xml", "rss.xml", "talks.xml", "papers.xml"]:
        parsed = parse_feed(files[path])
        selfs = [link.href for link in parsed.feed.links if link.rel == "self"]
        assert selfs == [f"https://example.org/almanac/{path}"], path
        alternate = [link.href for link in parsed.feed.links if link.rel == "alternate"]
        assert alternate == ["https://example.org/almanac/"], path
    assert json_feed(files["feed.json"])["feed_url"] == "https://example.org/almanac/feed.json"


def test_per_kind_feeds_exist_only_for_kinds_with_entries(seed_entries):
    files = build_site(seed_entries, SITE, LONDON)
    kinds = {e.kind for e in seed_entries}
    for kind in ("talk", "paper", "article", "podcast", "interview", "video", "news"):
        assert (kind_feed_path(kind) in files) == (kind in kinds), kind
    talks = parse_feed(files["talks.xml"])
    assert {t.term for item in talks.entries for t in item.tags} >= {"talk"}
    assert len(talks.entries) == sum(e.kind == "talk" for e in seed_entries)
    assert talks.feed.title == "Almanac: Talks"

    only_papers = build_site([e for e in seed_entries if e.kind == "paper"], SITE, LONDON)
    assert "papers.xml" in only_papers and "talks.xml" not in only_papers


def test_ids_come_from_the_entry_id_not_position_or_build_time(seed_entries):
    first = {e.id: e.link for e in parse_feed(build_atom(seed_entries, SITE, LONDON)).entries}
    shuffled = list(seed_entries)
    random.Random(4).shuffle(shuffled)
    newcomer = make_entry(1, date=PartialDate(2030, 1, 2))
    time.sleep(1.1)  # a later build, another second on the clock
    second = {e.id: e.link for e in parse_feed(build_atom(shuffled + [newcomer], SITE, LONDON)).entries}
    for entry in seed_entries:
        assert first[f"https://example.org/almanac/entries/{entry.id}.html"]
    assert set(first) <= set(second)
    assert second["https://example.org/almanac/entries/entry-00001.html"]


def test_rebuild_of_unchanged_data_is_byte_identical(seed_entries):
    one = build_site(seed_entries, SITE, LONDON)
    time.sleep(1.1)
    two = build_site(list(reversed(seed_entries)), SITE, LONDON)
    assert one == two


def test_partial_dates_map_to_one_fixed_instant_in_the_configured_timezone():
    month = Entry("m", "Month", PartialDate(2015, 5), "talk", "s")
    year = Entry("y", "Year", PartialDate(2013), "paper", "s")
    day = Entry("d", "Day", PartialDate(2016, 10, 30), "news", "s")  # the day UK clocks go back
    for tz, expect in [
        (LONDON, {"m": "2015-05-01T00:00:00+01:00", "y": "2013-01-01T00:00:00+00:00", "d": "2016-10-30T00:00:00+01:00"}),
        (ZoneInfo("America/New_York"), {"m": "2015-05-01T00:00:00-04:00", "y": "2013-01-01T00:00:00-05:00", "d": "2016-10-30T00:00:00-04:00"}),
    ]:
        items = {item["id"].rsplit("/", 1)[1][:-5]: item for item in json_feed(build_json_feed([month, year, day], SITE, tz))["items"]}
        assert {k: v["date_published"] for k, v in items.items()} == expect
        atom = parse_feed(build_atom([month, year, day], SITE, tz))
        for item in atom.entries:
            key = item.id.rsplit("/", 1)[1][:-5]
            instant = dt.datetime.fromisoformat(expect[key]).astimezone(dt.timezone.utc)
            assert item.published_parsed[:6] == instant.timetuple()[:6]
            assert item.updated_parsed == item.published_parsed  # updated from the data
        rss = parse_feed(build_rss([month, year, day], SITE, tz))
        assert {item.id.rsplit("/", 1)[1][:-5]: item.published_parsed[:6] for item in rss.entries} == {
            k: dt.datetime.fromisoformat(v).astimezone(dt.timezone.utc).timetuple()[:6] for k, v in expect.items()
        }


def test_a_date_from_before_a_zone_kept_whole_minutes_is_the_same_instant_in_every_feed():
    """Amsterdam ran 19 min 32 s ahead of UTC until 1937: feedgen wrote "+001932" in RSS (feedparser
    read 2 May for 4 May) and "+00:19:32" in Atom and JSON, which RFC 3339 does not allow. The
    instant is given in UTC instead, and every format reads back the same one."""
    tz = ZoneInfo("Europe/Amsterdam")
    old = Entry("o", "Old", PartialDate(1930, 5, 4), "talk", "s")
    instant = dt.datetime(1930, 5, 4, tzinfo=tz).astimezone(dt.timezone.utc)
    assert instant.timetuple()[:6] == (1930, 5, 3, 23, 40, 28)
    (item,) = json_feed(build_json_feed([old], SITE, tz))["items"]
    assert item["date_published"] == "1930-05-03T23:40:28+00:00"
    for data in (build_atom([old], SITE, tz), build_rss([old], SITE, tz)):
        (parsed,) = parse_feed(data).entries
        assert parsed.published_parsed[:6] == instant.timetuple()[:6]
    modern = Entry("n", "New", PartialDate(2015, 5, 4), "talk", "s")
    assert json_feed(build_json_feed([modern], SITE, tz))["items"][0]["date_published"] == "2015-05-04T00:00:00+02:00"


def test_feed_updated_is_the_newest_entry_never_now(seed_entries):
    """Without revisions (entries read from a source, not a store) `updated` is the newest entry's
    date; the clock is never read."""
    plain = [replace(e, changed_at=None) for e in seed_entries]
    newest = max(plain, key=lambda e: e.date)
    atom = parse_feed(build_atom(plain, SITE, LONDON))
    assert atom.feed.updated.startswith(newest.date.start(LONDON).isoformat()[:10])
    rss = parse_feed(build_rss(plain, SITE, LONDON))
    assert rss.feed.updated_parsed[:3] == newest.date.start(LONDON).astimezone(dt.timezone.utc).timetuple()[:3]
    empty = parse_feed(build_atom([], SITE, LONDON))
    assert empty.feed.updated.startswith("1970-01-01")


def test_rss_guid_is_the_permalink_and_says_so(seed_entries):
    data = build_rss(seed_entries, SITE, LONDON)
    parsed = parse_feed(data)
    for item in parsed.entries:
        assert item.id == item.link
    root = lxml.etree.fromstring(data)
    for item in root.iter("item"):
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "true" and guid.text == item.findtext("link")
    assert data.count(b'isPermaLink="true"') == len(seed_entries)
    assert b'isPermaLink="false"' not in data


def test_feed_limit_keeps_the_newest_entries_newest_first():
    entries = [make_entry(n, date=PartialDate(2000 + n)) for n in range(10)]
    site = SiteConfig(base_url="https://example.org/", feed_limit=3)
    expected = ["entry-00009", "entry-00008", "entry-00007"]
    for build in (build_atom, build_rss):
        items = parse_feed(build(entries, site, LONDON)).entries
        assert [i.link.rsplit("/", 1)[1][:-5] for i in items] == expected
    assert [i["id"].rsplit("/", 1)[1][:-5] for i in json_feed(build_json_feed(entries, site, LONDON))["items"]] == expected


HOSTILE = ("Before ]]> after <script>alert('x')</script> @everyone and @here \x00\x01\x0b\x1f\ufffe done & more"
           " \ufdd0\U0001fffe\U0010ffff")  # noncharacters HTML forbids (the spec review: a page failed validation)


def test_hostile_summaries_come_out_harmless():
    bad = Entry("hostile-2020", "Title <b>bold</b> ]]> \x07", PartialDate(2020, 1), "news", HOSTILE, ("tag<i>",))
    files = build_site([bad], SITE, LONDON)
    for path in ("atom.xml", "rss.xml", "news.xml"):
        data = files[path]
        parsed = parse_feed(data)  # well-formed despite ]]> and control characters
        item = parsed.entries[0]
        assert b"<script" not in data and b"\x00" not in data and b"\x01" not in data
        html = item.summary
        assert "<script" not in html and "&lt;script&gt;" in html  # shown as text, never run
        assert "]]&gt;" in html
        assert "@everyone" not in html and "@\u200beveryone" in html and "@\u200bhere" in html
        assert "done &amp; more" in html
        assert item.title == "Title <b>bold</b> ]]>"  # plain text title, control char gone
        assert "<b>" not in data.decode()
    feed = json_feed(files["feed.json"])
    item = feed["items"][0]
    assert "\x00" not in item["content_text"] and "@everyone" not in item["content_text"]
    assert "<script" not in item["content_html"]
    page = files["entries/hostile-2020.html"].decode()
    assert "<script>" not in page and "&lt;script&gt;" in page and "@everyone" not in page  # JSON-LD: test_cards.py
    assert "<b>bold" not in page and "tag&lt;i&gt;" in page
    assert not any(c in page for c in "\x00\x01\x0b\x1f\ufffe\ufdd0\U0001fffe\U0010ffff")
    assert not any(c in files[path].decode() for path in ("atom.xml", "feed.json", "index.html") for c in "\ufdd0\U0010ffff")


def test_feedparser_accepts_feeds_served_as_their_content_types(seed_entries):
    files = build_site(seed_entries, SITE, LONDON)
    for path, ctype in (("atom.xml", "application/atom+xml"), ("rss.xml", "application/rss+xml")):
        parsed = feedparser.parse(files[path], response_headers={"content-type": ctype + "; charset=utf-8"})
        assert parsed.bozo == 0 and parsed.version in ("atom10", "rss20")


def test_a_corrected_entry_is_revised_in_every_feed_the_calendar_and_the_sitemap(store, tmp_path):
    """A corrected summary changed every file's text but no date: Atom's `updated`, JSON Feed's
    `date_modified`, RSS's lastBuildDate ("the last time the content of the channel changed"), the
    calendar's DTSTAMP ("last revised") and the sitemap's lastmod stayed the entry's own date, so
    readers never learnt of the correction (the spec review). They are when the store saw it change,
    and a build from an unchanged store is the same bytes."""
    import icalendar

    from almanac.ingest import ingest

    notes = tmp_path / "talks.txt"
    notes.write_text("Old Talk / 2015-05-04\nA talk about alpha.\n\nOther Talk / 2016-06-06\nA talk about beta.\n")
    ingest(store, ["talks.txt"], str(tmp_path))
    now = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    before = build_site(store.entries(), SITE, LONDON, now=now)
    assert build_site(store.entries(), SITE, LONDON, now=now) == before
    notes.write_text(notes.read_text().replace("about alpha", "about alpha, corrected"))
    assert ingest(store, ["talks.txt"], str(tmp_path)).changes[0].changed == ["old-talk-2015-05-04"]
    corrected = store.get("old-talk-2015-05-04")
    when = dt.datetime.fromisoformat(corrected.changed_at)
    assert when > dt.datetime.fromisoformat(store.get("other-talk-2016-06-06").changed_at)
    after = build_site(store.entries(), SITE, LONDON, now=now)

    atom = parse_feed(after["atom.xml"])
    by_id = {e.id.rsplit("/", 1)[1][:-5]: e for e in atom.entries}
    assert by_id["old-talk-2015-05-04"].updated_parsed[:6] == when.timetuple()[:6]
    assert by_id["old-talk-2015-05-04"].published_parsed[:3] == (2015, 5, 3)  # midnight London, in UTC
    assert atom.feed.updated_parsed[:6] == when.timetuple()[:6]
    rss = lxml.etree.fromstring(after["rss.xml"])
    assert instant(rss.findtext("channel/lastBuildDate")) == when.replace(microsecond=0)
    assert instant(rss.findtext("channel/pubDate")) == dt.datetime(2016, 6, 5, 23, tzinfo=dt.timezone.utc)  # the newest
    items = {i["id"].rsplit("/", 1)[1][:-5]: i for i in json_feed(after["feed.json"])["items"]}
    assert dt.datetime.fromisoformat(items["old-talk-2015-05-04"]["date_modified"]) == when
    assert items["other-talk-2016-06-06"]["date_modified"] == json_feed(before["feed.json"])["items"][0]["date_modified"]
    stamps = {str(e["UID"]).split("-")[0]: e.decoded("DTSTAMP") for e in icalendar.Calendar.from_ical(after["anniversaries.ics"]).walk("VEVENT")}
    assert when.replace(microsecond=0) in set(stamps.values())
    assert f"<lastmod>{when.date().isoformat()}</lastmod>".encode() in after["sitemap.xml"]


def instant(rfc822: str) -> dt.datetime:
    import email.utils

    return email.utils.parsedate_to_datetime(rfc822)
