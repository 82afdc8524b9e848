"""Atom 1.0 feeds: the main `atom.xml` and one per kind (`talks.xml`, ...).

Pure: entries and site settings in, bytes out. Each call uses its own feedgen
generator, whose rel="self" is the URL the file is served at.
"""

from __future__ import annotations

import datetime as dt

from feedgen.feed import FeedGenerator

from almanac.config import SiteConfig
from almanac.entry import Entry
from almanac.links import MAIN_FEEDS, site_root
from feeds.feed_items import author_name, feed_item, feed_title, feed_updated, home_url, newest_first
from feeds.safe_text import clean_line


def build_atom(
    entries: list[Entry],
    site: SiteConfig,
    tz: dt.tzinfo,
    path: str = MAIN_FEEDS["atom"],
    label: str | None = None,
) -> bytes:
    """The newest `site.feed_limit` of `entries` as an Atom feed served at `path`."""
    chosen = newest_first(entries)[: site.feed_limit]
    self_url = site_root(site.base_url) + path
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title(feed_title(site, label))
    fg.subtitle(clean_line(site.description) or feed_title(site))
    fg.author({"name": author_name(site)})
    fg.link(href=home_url(site), rel="alternate", type="text/html")
    fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.language("en")
    items = [feed_item(entry, site, tz) for entry in chosen]
    fg.updated(feed_updated(items))
    for item in items:
        fe = fg.add_entry(order="append")
        fe.id(item.id)
        fe.title(item.title)
        # Only the entry's page: feedgen 1.0 drops `rel` on entry links, so a
        # second (related) link would read as another alternate. The page
        # links to the original.
        fe.link(href=item.link, rel="alternate", type="text/html")
        fe.published(item.published)
        fe.updated(item.updated)
        fe.summary(item.summary_html, type="html")
        for term in item.categories:
            fe.category(term=term)
    return fg.atom_str(pretty=True)
