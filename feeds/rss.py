"""RSS 2.0 feed (`rss.xml`).

Pure: entries and site settings in, bytes out, from its own feedgen
generator. `lastBuildDate` (when the newest revision was stored) and `pubDate`
(the newest entry's date) come from the data, never from the clock, so
unchanged data gives identical bytes.
Each item's guid is its permalink, so `isPermaLink="true"` is truthful.
"""

from __future__ import annotations

import datetime as dt

from feedgen.feed import FeedGenerator

from almanac.config import SiteConfig
from almanac.entry import Entry
from almanac.links import MAIN_FEEDS, site_root
from feeds.feed_items import EPOCH, feed_item, feed_title, feed_updated, home_url, newest_first
from feeds.safe_text import clean_line


def build_rss(entries: list[Entry], site: SiteConfig, tz: dt.tzinfo, path: str = MAIN_FEEDS["rss"]) -> bytes:
    """The newest `site.feed_limit` of `entries` as RSS 2.0 served at `path`."""
    chosen = newest_first(entries)[: site.feed_limit]
    self_url = site_root(site.base_url) + path
    fg = FeedGenerator()
    fg.title(feed_title(site))
    fg.description(clean_line(site.description) or feed_title(site))
    # feedgen uses the last link as the channel's <link>: the home page goes last.
    fg.link(href=self_url, rel="self", type="application/rss+xml")
    fg.link(href=home_url(site), rel="alternate")
    fg.language("en")
    items = [feed_item(entry, site, tz) for entry in chosen]
    fg.lastBuildDate(feed_updated(items))  # "the last time the content of the channel changed"
    fg.pubDate(max((item.published for item in items), default=EPOCH))
    for item in items:
        fe = fg.add_entry(order="append")
        fe.title(item.title)
        fe.link(href=item.link, rel="alternate")
        fe.guid(item.id, permalink=item.id == item.link)
        fe.pubDate(item.published)
        fe.updated(item.updated)  # feedgen would otherwise stamp "now" (unused by RSS, kept tidy)
        fe.description(item.summary_html)
        for term in item.categories:
            fe.category(term=term)
    return fg.rss_str(pretty=True)
