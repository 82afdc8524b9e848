"""`almanac onthisday` / `upcoming` / `schedule -h`, and the on-this-day feed read back by feedparser."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from zoneinfo import ZoneInfo

import feedparser
import pytest

from almanac.anniversaries import today
from almanac.cli import main
from almanac.config import SiteConfig
from almanac.posting import Poster, PostingPolicy
from feeds.onthisday_feed import FEED_KEY, OnThisDayFeedPublisher, build_onthisday_feed, onthisday_items
from tests.conftest import SEED

MAY_1 = dt.datetime(2025, 5, 1, 10, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def seeded_cli(tmp_path, capsys):
    assert main(["ingest", "--no-embed", str(SEED)]) == 0
    capsys.readouterr()


def test_onthisday_json_lists_the_five_may_anniversaries_of_the_seed(seeded_cli, capsys):
    assert main(["onthisday", "--date", "2025-05-01", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["date"] == "2025-05-01"
    got = [(e["title"], e["kind"], e["years_ago"], e["milestone"]) for e in out["entries"]]
    assert got == [
        ("Programming Unikernels in the Large via Functor Driven Development", "paper", 6, False),
        ("Jitsu: Just-In-Time Summoning of Unikernels", "paper", 10, True),
        ("Jitsu: Just-In-Time Summoning of Unikernels", "talk", 10, True),
        ("Unikernels: Functional Infrastructure with Mirage OS", "talk", 10, True),
        ("SE Radio Episode 204: Anil Madhavapeddy on the Mirage Cloud Operating System and the OCaml Language",
         "podcast", 11, False),
    ]
    assert set(out["entries"][0]) == {"id", "title", "date", "precision", "kind", "tags", "summary", "url",
                                      "source", "years_ago", "milestone"}


def test_onthisday_text(seeded_cli, capsys):
    assert main(["onthisday", "--date", "2025-05-01"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("On this day, 1 May 2025:\n")
    assert "* 10 years ago this month  paper      Jitsu: Just-In-Time Summoning of Unikernels" in out
    assert out.rstrip().endswith("5 anniversaries; * milestone")
    assert main(["onthisday", "--date", "2025-05-02"]) == 0
    assert capsys.readouterr().out == "No anniversaries on 2025-05-02.\n"
    # one is one: "1 years ago", "1 anniversaries" were printed
    assert main(["onthisday", "--date", "2014-03-01"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "*   1 year ago this month  paper      Unikernels: library operating systems for the cloud  "
        "[unikernels-library-operating-systems-for-the-cloud-2013-03]", "1 anniversary; * milestone"]


def test_the_default_date_is_today_in_the_configured_timezone(seeded_cli, tmp_path, capsys):
    (tmp_path / "config.toml").write_text('[schedule]\ntimezone = "Pacific/Auckland"\n')
    before = today(dt.datetime.now(dt.timezone.utc), ZoneInfo("Pacific/Auckland"))
    assert main(["onthisday", "--json"]) == 0
    after = today(dt.datetime.now(dt.timezone.utc), ZoneInfo("Pacific/Auckland"))
    assert json.loads(capsys.readouterr().out)["date"] in {before.isoformat(), after.isoformat()}


def test_bad_dates_are_one_line_usage_errors(seeded_cli, capsys):
    assert main(["onthisday", "--date", "1 May 2025"]) == 2
    assert capsys.readouterr().err == (
        "almanac: --date: '1 May 2025' is not a date (use YYYY-MM-DD, e.g. 2025-05-01)\n")
    assert main(["upcoming", "--days", "0"]) == 2
    assert capsys.readouterr().err == (
        "almanac: --days: must be a whole number from 1 to 3660, got '0' (see `almanac upcoming -h`)\n")


def test_upcoming(seeded_cli, capsys):
    assert main(["upcoming", "--from", "2025-04-25", "--days", "40", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [e["on"] for e in out] == ["2025-05-01"] * 5 + ["2025-06-01"]
    assert out[0]["date"] == "2019-05"
    assert out[-1]["title"].startswith("Ian Eyberg") and out[-1]["years_ago"] == 9
    assert main(["upcoming", "--from", "2025-04-25", "--days", "3"]) == 0
    assert capsys.readouterr().out == "No anniversaries in the 3 days from 2025-04-25.\n"


@pytest.mark.parametrize("command", ["onthisday", "upcoming", "schedule", "posts"])
def test_help_has_examples(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "-h"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and f"almanac {command}" in out


def test_schedule_list_shows_the_jobs_without_posting(seeded_cli, tmp_path, capsys):
    (tmp_path / "config.toml").write_text('[schedule]\ntimezone = "Europe/London"\nanniversary_time = "08:15"\n')
    assert main(["schedule", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("anniversaries next at ") and "T08:15:00" in lines[0]
    assert lines[1:] == ["startup at start: posts missed while down", "refresh every 30 min, first at start"]


def test_schedule_refuses_a_bad_webhook_url_without_echoing_it(seeded_cli, monkeypatch, capsys):
    monkeypatch.setenv("ALMANAC_WEBHOOK_URLS", "https://example.org/not-a-webhook/s3cret")
    assert main(["schedule", "--no-refresh"]) == 2
    err = capsys.readouterr().err
    assert "value 1 is not a Discord webhook URL" in err and "s3cret" not in err


# --- the on-this-day feed ---------------------------------------------------------------------

def _announce(store, when=MAY_1):
    poster = Poster(store, "https://almanac.example.org/", PostingPolicy())
    return asyncio.run(poster.post_due(when, [OnThisDayFeedPublisher()]))


def test_the_onthisday_feed_parses_and_says_what_was_announced(seeded_store):
    site = SiteConfig(base_url="https://almanac.example.org/", title="Almanac")
    assert len(_announce(seeded_store).sent) == 5
    items = onthisday_items(seeded_store)
    data = build_onthisday_feed(items, site, dt.timezone.utc)
    feed = feedparser.parse(data)
    assert feed.bozo == 0 and feed.version == "atom10"
    assert feed.feed.title == "Almanac: On this day"
    titles = [e.title for e in feed.entries]
    assert titles[0] == "6 years ago this month: Programming Unikernels in the Large via Functor Driven Development"
    assert titles[1] == "🎉 10 years ago this month: Jitsu: Just-In-Time Summoning of Unikernels"
    assert len(titles) == 5 and len({e.id for e in feed.entries}) == 5
    assert feed.entries[0].link == (
        "https://almanac.example.org/entries/programming-unikernels-in-the-large-via-functor-driven-2019-05.html")
    assert feed.entries[0].published_parsed[:3] == (2025, 5, 1)
    assert "milestone" in [t.term for t in feed.entries[1].tags]
    # Nothing changed: the same bytes. Re-running the day adds nothing.
    assert build_onthisday_feed(onthisday_items(seeded_store), site, dt.timezone.utc) == data
    assert _announce(seeded_store).sent == []
    # The next day's anniversaries go on top, the old ones stay.
    assert len(_announce(seeded_store, dt.datetime(2025, 6, 1, 10, 0, tzinfo=dt.timezone.utc)).sent) == 1
    feed = feedparser.parse(build_onthisday_feed(onthisday_items(seeded_store), site, dt.timezone.utc))
    assert len(feed.entries) == 6 and feed.entries[0].title.startswith("9 years ago this month: Ian Eyberg")
    assert all(r.target == FEED_KEY for r in seeded_store.posts())


def test_an_anniversary_whose_date_was_corrected_since_leaves_the_onthisday_feed(seeded_store):
    """The feed recomputed "years ago" from the entry as it is now: a date corrected after the
    post (to a later year, or to the year only) gave "-5 years ago today" or an anniversary for
    an entry that has none. Such an item leaves the feed, as the Discord message is withdrawn."""
    import dataclasses

    from almanac.entry import PartialDate

    assert len(_announce(seeded_store).sent) == 5
    announced = [i.entry for i in onthisday_items(seeded_store)]
    later, year_only = announced[0], announced[1]
    for entry, date in ((later, PartialDate(2030, 5)), (year_only, PartialDate(2015))):
        stored = next(e for e in seeded_store.entries() if e.id == entry.id)
        key = stored.source.rsplit(":", 1)[0]
        others = [e for e in seeded_store.entries() if e.source.rsplit(":", 1)[0] == key and e.id != entry.id]
        seeded_store.replace_source(key, others + [dataclasses.replace(stored, date=date)])
    items = onthisday_items(seeded_store)
    assert len(items) == 3 and {i.entry.id for i in items}.isdisjoint({later.id, year_only.id})
    assert all(i.years_ago > 0 for i in items)


def test_an_empty_onthisday_feed_is_valid_and_stable():
    site = SiteConfig()
    data = build_onthisday_feed([], site, dt.timezone.utc)
    assert data == build_onthisday_feed([], site, dt.timezone.utc)
    feed = feedparser.parse(data)
    assert feed.bozo == 0 and feed.entries == []


def test_the_site_build_includes_the_onthisday_feed(seeded_store):
    from feeds.build import build_site

    _announce(seeded_store)
    files = build_site(seeded_store.entries(), SiteConfig(), dt.timezone.utc,
                       onthisday_posts=onthisday_items(seeded_store))
    assert len(feedparser.parse(files["onthisday.xml"]).entries) == 5


class _Refusing:
    key = "webhook:0123456789ab"
    wants = frozenset({"anniversary"})

    async def send(self, post):
        from almanac.posting import PermanentFailure

        raise PermanentFailure("Discord refused the post: HTTP 404 Unknown Webhook")


def test_posts_shows_the_ledger_and_retries_a_failed_post(tmp_path, capsys):
    from almanac.store import Store

    assert main(["ingest", "--no-embed", str(SEED)]) == 0
    with Store(str(tmp_path / "almanac.db")) as store:
        poster = Poster(store, "https://almanac.example.org/", PostingPolicy())
        asyncio.run(poster.post_due(MAY_1, [_Refusing(), OnThisDayFeedPublisher()]))
    capsys.readouterr()
    assert main(["posts", "--status", "failed", "--json"]) == 0
    failed = json.loads(capsys.readouterr().out)
    assert len(failed) == 5 and {r["target"] for r in failed} == {"webhook:0123456789ab"}
    assert failed[0]["last_error"] == "permanent: Discord refused the post: HTTP 404 Unknown Webhook"
    assert main(["posts", "--status", "failed"]) == 0
    text = capsys.readouterr().out
    assert "failed    anniversary:2025-05-01  webhook:0123456789ab" in text and "HTTP 404" in text
    assert main(["posts", "--retry", str(failed[0]["id"])]) == 0
    assert capsys.readouterr().out == f"post {failed[0]['id']} will be sent at the next run\n"
    assert main(["posts", "--retry", str(failed[0]["id"])]) == 1
    assert main(["posts", "--status", "pending", "--json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == [failed[0]["id"]]
