"""What every feed format says about an entry: its id, link, dates and text.

Atom, RSS and JSON Feed are built by separate modules, but they must agree on
the stable id, the page each item links to and the instants each item is dated
and revised at, so those are decided here, from the entry alone and when the
store saw it change (never from build time or position), which makes a rebuild
with unchanged data byte-identical.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from almanac.config import SiteConfig
from almanac.entry import Entry
from almanac.links import entry_url, site_root, web_address
from feeds.safe_text import clean, clean_line, summary_html

#: The date a site's base URL is assumed to be owned from, for feed-level tag: URIs.
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def newest_first(entries: list[Entry]) -> list[Entry]:
    """Newest first, ties by id: the order the store uses, whatever order we were given."""
    by_id = sorted(entries, key=lambda e: e.id)
    return sorted(by_id, key=lambda e: (e.date.year, e.date.month or 0, e.date.day or 0), reverse=True)


def published(entry: Entry, tz: dt.tzinfo) -> dt.datetime:
    """Midnight at the start of the entry's date in `tz` (1st of the month, 1 Jan for a year)."""
    return entry.date.start(tz)


def revised(entry: Entry, tz: dt.tzinfo) -> dt.datetime:
    """When the entry was last revised: when the store last saw its content change (`changed_at`),
    or its own date when that is later (an entry dated ahead) or unknown (not read from a store).
    A corrected summary then moves its item's `updated`, which is how a reader learns of it."""
    start = published(entry, tz)
    if not entry.changed_at:
        return start
    try:
        changed = dt.datetime.fromisoformat(entry.changed_at)
    except ValueError:
        return start
    return max(start, changed if changed.tzinfo else changed.replace(tzinfo=dt.timezone.utc))


def feed_updated(items: list[FeedItem]) -> dt.datetime:
    """The feed's `updated` (RSS's lastBuildDate): when its newest revision was made, or the epoch
    when it is empty. From the items (`feed_item`), which have read each entry's revision once."""
    return max((item.updated for item in items), default=EPOCH)


@dataclass(frozen=True)
class FeedItem:
    """One entry as every feed format presents it (all text already cleaned)."""

    id: str  # the permalink: stable, derived from the entry id
    link: str  # the entry's page on this site (exists in the built output)
    title: str
    summary: str  # plain text
    summary_html: str  # the same, as escaped HTML paragraphs
    published: dt.datetime
    updated: dt.datetime  # `revised`
    kind: str
    tags: tuple[str, ...]
    external_url: str | None

    @property
    def categories(self) -> tuple[str, ...]:
        return (self.kind,) + tuple(t for t in self.tags if t != self.kind)


def feed_item(entry: Entry, site: SiteConfig, tz: dt.tzinfo) -> FeedItem:
    permalink = entry_url(site.base_url, entry.id)
    return FeedItem(
        id=permalink,
        link=permalink,
        title=clean_line(entry.title) or entry.id,
        summary=clean(entry.summary),
        summary_html=summary_html(entry.summary or entry.title),
        published=published(entry, tz),
        updated=revised(entry, tz),
        kind=entry.kind,
        tags=tuple(clean_line(t) for t in entry.tags if clean_line(t)),
        external_url=_http_url(entry.url),
    )


def _http_url(url: str | None) -> str | None:
    """Only http(s) URLs are offered as links (`almanac.links.web_address`, which encodes a space)."""
    url = clean_line(url) if url else None
    return web_address(url) if url else None


def feed_title(site: SiteConfig, label: str | None = None) -> str:
    base = clean_line(site.title) or "Almanac"
    return f"{base}: {label}" if label else base


def author_name(site: SiteConfig) -> str:
    """Atom wants an author; the site's title stands in when none is configured."""
    return clean_line(site.author) or feed_title(site)


def home_url(site: SiteConfig) -> str:
    return site_root(site.base_url)
