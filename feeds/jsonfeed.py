"""JSON Feed 1.1 (`feed.json`).

feedgen has no JSON Feed writer, so this one is a plain dict serialised with
sorted-free but fixed key order: the same data always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json

from almanac.config import SiteConfig
from almanac.entry import Entry
from almanac.links import MAIN_FEEDS, site_root
from almanac.sources.json_list import JSON_FEED_EXTENSION
from feeds.feed_items import author_name, feed_item, feed_title, home_url, newest_first
from feeds.safe_text import clean_line

VERSION = "https://jsonfeed.org/version/1.1"


def build_json_feed(entries: list[Entry], site: SiteConfig, tz: dt.tzinfo, path: str = MAIN_FEEDS["json"]) -> bytes:
    """The newest `site.feed_limit` of `entries` as JSON Feed 1.1 served at `path`."""
    chosen = newest_first(entries)[: site.feed_limit]
    items = []
    for entry in chosen:
        item = feed_item(entry, site, tz)
        data = {
            "id": item.id,
            "url": item.link,
            "title": item.title,
            "content_text": item.summary or item.title,
            "content_html": item.summary_html,
            "date_published": item.published.isoformat(),
            "date_modified": item.updated.isoformat(),
            "tags": list(item.categories),
        }
        if item.external_url:
            data["external_url"] = item.external_url
        # JSON Feed dates are instants; the date as known ("2015-05", "2015") rides along in an
        # extension object, so almanac reading this feed back keeps its precision.
        data[JSON_FEED_EXTENSION] = {"date": entry.date.isoformat()}
        items.append(data)
    feed = {
        "version": VERSION,
        "title": feed_title(site),
        "home_page_url": home_url(site),
        "feed_url": site_root(site.base_url) + path,
        "description": clean_line(site.description),
        "authors": [{"name": author_name(site)}],
        "language": "en",
        "items": items,
    }
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
