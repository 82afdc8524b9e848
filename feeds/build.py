"""Building the whole site: every feed and page as bytes, keyed by path.

`build_site` is pure (no clock, no disk writes, no store): the same entries,
settings and `now` give the same bytes, so `feeds.writer.write_tree` can skip
unchanged files and a no-change rebuild touches nothing. The caller passes in
what it knows: `related(entry_id)` (the searcher's `related_table`, or any
deterministic function in tests), optionally the on-this-day posts, and the
moment of the build, `now`: the anniversary calendar and the timeline's
milestones are those of the coming year from `now`'s day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from almanac.anniversaries import today as day_of
from almanac.config import SiteConfig
from almanac.entry import KINDS, Entry
from almanac.links import CALENDAR, MAIN_FEEDS, ONTHISDAY_FEED, entry_path, kind_feed_path, kind_page_path, site_root
from almanac.timeline import build_timeline, coming_year
from feeds.atom import build_atom
from feeds.onthisday_feed import build_onthisday_feed
from feeds.feed_items import newest_first, revised
from feeds.ics import build_calendar
from feeds.jsonfeed import build_json_feed
from feeds.rss import build_rss
from feeds.site import EntryView, SiteRenderer, kind_heading, static_file
from feeds.sitemap import build_robots, build_sitemaps
from feeds.timeline_svg import timeline_figure


#: Related entries shown on an entry page.
RELATED_LIMIT = 5

#: Entries related to an entry (by id): entries, or their ids, best first.
Related = Callable[[str], list]


def build_site(
    entries: Iterable[Entry],
    site: SiteConfig,
    tz: dt.tzinfo,
    related: Related | None = None,
    onthisday_posts: list | None = None,
    now: dt.datetime | None = None,
) -> dict[str, bytes]:
    """All files of the site: relative path -> bytes.

    `related(entry_id)` returns entries like the given one (or their ids), best first; ids
    not in `entries` are dropped (every link must lead to a built page) and a
    KeyError (an id the searcher has not seen yet) means none. The on-this-day
    feed is included when `onthisday_posts` is given. With `now` (aware), the
    calendar of the coming year's anniversaries is built and the index's
    timeline marks that year's milestones; without it, neither.
    """
    ordered = newest_first(list(entries))
    by_kind: dict[str, list[Entry]] = {k: [] for k in KINDS}
    for entry in ordered:
        by_kind.setdefault(entry.kind, []).append(entry)
    kinds = [k for k in KINDS if by_kind.get(k)]

    files: dict[str, bytes] = {
        MAIN_FEEDS["atom"]: build_atom(ordered, site, tz),
        MAIN_FEEDS["rss"]: build_rss(ordered, site, tz),
        MAIN_FEEDS["json"]: build_json_feed(ordered, site, tz),
    }
    for kind in kinds:
        path = kind_feed_path(kind)
        files[path] = build_atom(by_kind[kind], site, tz, path=path, label=kind_heading(kind))
    onthisday = _onthisday_feed(onthisday_posts, site, tz)
    if onthisday is not None:
        files[ONTHISDAY_FEED] = onthisday

    views = {e.id: EntryView.of(e) for e in ordered}
    today = day_of(now, tz) if now is not None else None
    coming = coming_year(ordered, today) if today is not None else None
    if coming is not None:
        files[CALENDAR] = build_calendar(coming, site, tz, description_of=lambda e: views[e.id].description,
                                         title_of=lambda e: views[e.id].title)

    renderer = SiteRenderer(site, kinds, {k: len(by_kind[k]) for k in kinds}, onthisday is not None, coming is not None)
    for name in ("style.css", "favicon.svg"):
        files[name] = static_file(name)
    timeline = timeline_figure(build_timeline(ordered, coming=coming)) if ordered else ""
    listed = list(views.values())  # newest first
    files["index.html"] = renderer.index(listed, timeline)
    for kind in kinds:
        files[kind_page_path(kind)] = renderer.kind(kind, [views[e.id] for e in by_kind[kind]])
    for entry in ordered:
        files[entry_path(entry.id)] = renderer.entry(entry, views[entry.id], _related(related, entry.id, views))
    root = site_root(site.base_url)
    files.update(build_sitemaps(_sitemap_pages(root, ordered, views, kinds, by_kind, tz), root))
    files["robots.txt"] = build_robots(root)
    return files


def _sitemap_pages(root: str, ordered: list[Entry], views: dict[str, EntryView], kinds: list[str],
                   by_kind: dict[str, list[Entry]], tz: dt.tzinfo):
    """(URL, lastmod) of every page, entries newest first. An entry page's lastmod is the day it was
    last revised (`feeds.feed_items.revised`, in UTC), a list page's the latest of its entries'.
    Without a revision (entries not read from a store) it is the entry's own date, which the
    sitemap writes only when known to the day."""
    changed = {e.id: _lastmod(e, tz) for e in ordered}
    pages = [(root, max(changed.values(), default=None))]
    pages += [(root + kind_page_path(k), max(changed[e.id] for e in by_kind[k])) for k in kinds]
    pages += [(root + views[e.id].path, changed[e.id]) for e in ordered]
    return pages


def _lastmod(entry: Entry, tz: dt.tzinfo) -> str:
    if entry.changed_at:
        return revised(entry, tz).astimezone(dt.timezone.utc).date().isoformat()
    return entry.date.isoformat()


def _related(related: Related | None, entry_id: str, views: dict[str, EntryView]) -> list[EntryView]:
    if related is None:
        return []
    try:
        found = related(entry_id)
    except KeyError:
        return []
    out, seen = [], {entry_id}
    for other in found:
        other = other if isinstance(other, str) else other.id
        if other in views and other not in seen:
            seen.add(other)
            out.append(views[other])
        if len(out) == RELATED_LIMIT:
            break
    return out


def _onthisday_feed(posts: list | None, site: SiteConfig, tz: dt.tzinfo) -> bytes | None:
    """The on-this-day feed, when the caller passed the ledger's sent posts."""
    if posts is None:
        return None
    return build_onthisday_feed(posts, site, tz)