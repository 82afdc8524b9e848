"""The on-this-day Atom feed (`onthisday.xml`), built from the ledger's sent posts.

The feed is one more posting target, `feed:onthisday`: the ledger records an
anniversary for it like for a webhook, and the feed shows what was recorded.
So the feed says exactly what was announced (after `milestones_only`, on the
day it was due), never recomputes history, and a restart never adds an item
twice. `OnThisDayFeedPublisher.send` has nothing to deliver; the composition
root rebuilds the file after a run (see `onthisday_items` + `build_onthisday_feed`).

Building is pure: items, site settings and a timezone in, bytes out; every
date comes from the items (never the clock), so an unchanged ledger gives
identical bytes and `write_if_changed` leaves the file (and its ETag) alone.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

from feedgen.feed import FeedGenerator

from almanac.anniversaries import anniversary_in, is_milestone
from almanac.config import SiteConfig
from almanac.entry import Entry, PartialDate
from almanac.links import ONTHISDAY_FEED, site_root
from almanac.posting import ANNIVERSARY, Post
from feeds.feed_items import EPOCH, author_name, feed_item, feed_title, home_url

FEED_KEY = "feed:onthisday"


class OnThisDayFeedPublisher:
    """The on-this-day feed as a posting target: a ledger row is the delivery."""

    key = FEED_KEY
    wants = frozenset({ANNIVERSARY})
    label = f"the {ONTHISDAY_FEED} feed"

    async def send(self, post: Post) -> str | None:
        return None


@dataclass(frozen=True)
class OnThisDayItem:
    """One announced anniversary: the entry, the day it fell on, how many years."""

    entry: Entry
    day: dt.date
    years_ago: int

    @property
    def milestone(self) -> bool:
        return is_milestone(self.years_ago)

    def headline(self) -> str:
        years = f"{self.years_ago} year{'s' if self.years_ago != 1 else ''} ago"
        return f"{years} {'today' if self.entry.date.day else 'this month'}"


def onthisday_items(store, limit: int = 50) -> list[OnThisDayItem]:
    """The newest `limit` anniversaries the ledger sent to the feed target, newest day first."""
    rows = store.posts(target=FEED_KEY, status="sent", occasion_prefix=f"{ANNIVERSARY}:")
    by_id = {e.id: e for e in store.get_many(sorted({r.entry_id for r in rows}))}
    items = []
    for row in rows:
        entry = by_id.get(row.entry_id)
        if entry is None:  # removed from the archive since: nothing to link to
            continue
        day = dt.date.fromisoformat(row.occasion.split(":", 1)[1])
        if anniversary_in(entry, day.year) != day:
            # Its date was corrected since ("2016-12-04" to "2030-12-04", or to the year only): the
            # item would say "-14 years ago today", or name a day that is no longer its own. It
            # leaves the feed, as the Discord message is withdrawn (`posting.still_its_anniversary`).
            continue
        items.append(OnThisDayItem(entry, day, day.year - entry.date.year))
    return _ordered(items)[:limit]


def _ordered(items: list[OnThisDayItem]) -> list[OnThisDayItem]:
    items = sorted(items, key=lambda i: (i.years_ago, i.entry.id))
    return sorted(items, key=lambda i: i.day, reverse=True)


def build_onthisday_feed(items: list[OnThisDayItem], site: SiteConfig, tz: dt.tzinfo) -> bytes:
    """Atom bytes for `items` (at most `site.feed_limit`, newest day first)."""
    chosen = _ordered(list(items))[: site.feed_limit]
    self_url = site_root(site.base_url) + ONTHISDAY_FEED
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title(feed_title(site, "On this day"))
    fg.subtitle("Anniversaries of talks, papers, podcasts and news from the archive")
    fg.author({"name": author_name(site)})
    fg.link(href=home_url(site), rel="alternate", type="text/html")
    fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.language("en")
    days = [_start(i.day, tz) for i in chosen]
    fg.updated(max(days, default=EPOCH))
    for item, when in zip(chosen, days):
        base = feed_item(item.entry, site, tz)
        headline = ("🎉 " if item.milestone else "") + item.headline()
        fe = fg.add_entry(order="append")
        # One item per (day, entry): the same entry's next anniversary is a new item.
        fe.id(f"{self_url}#{item.day.isoformat()}/{item.entry.id}")
        fe.title(f"{headline}: {base.title}")
        fe.link(href=base.link, rel="alternate", type="text/html")
        fe.published(when)
        fe.updated(when)
        fe.summary(f"<p><strong>{html.escape(headline)}</strong> ({html.escape(item.entry.date.label())}, "
                   f"{html.escape(item.entry.kind)})</p>{base.summary_html}", type="html")
        for term in base.categories:
            fe.category(term=term)
        if item.milestone:
            fe.category(term="milestone")
    return fg.atom_str(pretty=True)


def _start(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return PartialDate.from_date(day).start(tz)
