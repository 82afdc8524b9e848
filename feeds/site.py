"""The static site: index by year, one page per kind, one page per entry.

Pure rendering (Jinja2, autoescaped): entries and site settings in, bytes
out. Pages link each other with relative paths, so the site also reads as
plain files; feed autodiscovery links are absolute (under `[site] base_url`).
What a page shows is chosen so that an edit does not ripple: lists show
titles, dates, kinds and tags but never summaries, so an edited summary
changes only that entry's own page, the feeds and the anniversary calendar.
Every page's head carries its own card (`feeds.cards`): description, Open
Graph, Twitter and JSON-LD.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from importlib import resources
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from almanac.config import SiteConfig
from almanac.entry import Entry
from almanac.links import (CALENDAR, MAIN_FEEDS, ONTHISDAY_FEED, entry_path, kind_feed_path, kind_page_path, plural,
                           site_root, web_address)
from feeds import cards
from feeds.feed_items import feed_title
from feeds.safe_text import clean_line, paragraphs


@dataclass(frozen=True)
class FeedLink:
    url: str
    type: str
    title: str
    label: str


@dataclass(frozen=True)
class EntryView:
    """An entry as the templates show it (text cleaned; Jinja2 escapes it)."""

    id: str
    title: str
    kind: str
    tags: tuple[str, ...]
    iso: str
    label: str
    year: int
    path: str  # from the site root
    page: str  # file name, from another page in entries/
    description: str  # the link card's (first sentence of the summary); the calendar's too

    @classmethod
    def of(cls, entry: Entry) -> EntryView:
        path = entry_path(entry.id)
        return cls(
            id=entry.id,
            title=clean_line(entry.title) or entry.id,
            kind=entry.kind,
            tags=tuple(filter(None, map(clean_line, entry.tags))),  # cleaned, the empty ones dropped
            iso=entry.date.isoformat(),
            label=entry.date.label(),
            year=entry.date.year,
            path=path,
            page=path.rsplit("/", 1)[-1],
            description=cards.describe(entry),
        )


def kind_heading(kind: str) -> str:
    return plural(kind).capitalize()


class SiteRenderer:
    """Renders pages for one build: the Jinja2 environment and shared context, once."""

    def __init__(self, site: SiteConfig, kinds: list[str], kind_counts: dict[str, int], onthisday: bool,
                 calendar: bool = False):
        self.site = site
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("feeds", "templates"),
            autoescape=True,
            trim_blocks=False,
            keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined,
        )
        root = site_root(site.base_url)
        self.root_url = root
        title = feed_title(site)
        self.main_feeds = [
            FeedLink(root + MAIN_FEEDS["atom"], "application/atom+xml", f"{title} (Atom)", "Atom"),
            FeedLink(root + MAIN_FEEDS["rss"], "application/rss+xml", f"{title} (RSS)", "RSS"),
            FeedLink(root + MAIN_FEEDS["json"], "application/feed+json", f"{title} (JSON Feed)", "JSON Feed"),
        ]
        if onthisday:
            self.main_feeds.append(
                FeedLink(root + ONTHISDAY_FEED, "application/atom+xml", f"{title}: on this day", "On this day")
            )
        #: The anniversary calendar, offered on the index only (every page would carry it 10,000 times).
        self.calendar = FeedLink(root + CALENDAR, "text/calendar", f"{title}: anniversaries", "Anniversary calendar") \
            if calendar else None
        self.card_site = cards.Site(title, root)
        self.kind_feeds = {
            kind: FeedLink(root + kind_feed_path(kind), "application/atom+xml", feed_title(site, kind_heading(kind)), kind_heading(kind))
            for kind in kinds
        }
        self.kind_pages = [
            {
                "kind": k,
                "path": kind_page_path(k),
                "label": kind_heading(k),
                "count": kind_counts[k],
                "noun": k if kind_counts[k] == 1 else plural(k),
            } for k in kinds
        ]
        self.common = {
            "site_title": title,
            "description": clean_line(site.description),
            "kind_pages": self.kind_pages,
        }
        self._index = self.env.get_template("index.html")
        self._kind = self.env.get_template("kind.html")
        self._entry = self.env.get_template("entry.html")
        self._pieces = self.env.get_template("_chrome.html").module
        self._chrome: dict[tuple, dict] = {}
        self._items: dict[str, Markup] = {}  # list lines linking from the site root
        self._siblings: dict[str, Markup] = {}  # the same lines linking from another entry page
        self._entry_chrome: dict[str, dict] = {}  # per kind: an entry page's head, foot and kind link

    def _render(self, template: jinja2.Template, **context) -> bytes:
        return template.render(**self.common, **context).encode("utf-8")

    def chrome(self, root: str, current_kind: str | None, feeds: list[FeedLink]) -> dict:
        """Head links, navigation and footer: rendered once per variant, reused by every page."""
        key = (root, current_kind, tuple(feeds))
        if key not in self._chrome:
            head_links = self._pieces.head_links(feeds)
            nav = self._pieces.nav(self.kind_pages, root, current_kind)
            footer = self._pieces.footer(feeds)
            self._chrome[key] = {
                "root": root,
                "head_links": head_links,
                "nav": nav,
                "footer": footer,
                # Whole-page pieces for the flat entry template.
                "page_head": self._pieces.page_head(self.common["site_title"], root, head_links, nav),
                "page_foot": self._pieces.page_foot(footer),
                "kind_link": self._pieces.kind_link(root, kind_page_path(current_kind), current_kind) if current_kind else "",
            }
        return self._chrome[key]

    def item(self, view: EntryView, from_entries_dir: bool = False) -> Markup:
        """An entry's list line (date, kind, title link, tags), rendered once per build.

        As another entry page shows it, the line differs only in its link, relative to entries/
        (`view.page` where the root's has `view.path`, that is "entries/" + page): it is made from
        the root's line by taking the prefix off the link, not by calling the macro a second time
        for each of 10,000 entries (should the macro ever write that link otherwise, it is called).
        """
        line = self._items.get(view.id)
        if line is None:
            line = self._items[view.id] = self._pieces.item(view, view.path)
        if not from_entries_dir:
            return line
        sibling = self._siblings.get(view.id)
        if sibling is None:
            href = ' href="' + str(escape(view.path)) + '"'
            if str.count(line, href) == 1:
                sibling = Markup(str.replace(line, href, ' href="' + str(escape(view.page)) + '"'))
            else:
                sibling = self._pieces.item(view, view.page)
            self._siblings[view.id] = sibling
        return sibling

    def _groups(self, views: list[EntryView]) -> list[tuple[int, list[Markup]]]:
        return [(year, [self.item(v) for v in items]) for year, items in by_year(views)]

    def index(self, views: list[EntryView], timeline: Markup | str = "") -> bytes:
        """The home page: `timeline` is the picture's markup (`feeds.timeline_svg`), or empty."""
        feeds = self.main_feeds + list(self.kind_feeds.values())
        title, url = self.common["site_title"], self.root_url
        return self._render(
            self._index,
            **self.chrome("", None, feeds),
            canonical=url,
            card=cards.site_card(title, self.common["description"], url, self.card_site),
            timeline=timeline,
            calendar=self.calendar,
            count=len(views),
            groups=self._groups(views),
        )

    def kind(self, kind: str, views: list[EntryView]) -> bytes:
        feed = self.kind_feeds[kind]
        feeds = [feed] + self.main_feeds
        url = self.root_url + kind_page_path(kind)
        noun = kind if len(views) == 1 else plural(kind)
        title = f"{kind_heading(kind)} · {self.common['site_title']}"
        description = f"{len(views)} {noun} in {self.common['site_title']}, newest first."
        return self._render(
            self._kind,
            **self.chrome("", kind, feeds),
            canonical=url,
            card=cards.collection_card(title, description, url, self.card_site),
            heading=kind_heading(kind),
            noun=noun,
            count=len(views),
            kind_feed=feed,
            groups=self._groups(views),
        )

    def entry(self, entry: Entry, view: EntryView, related: list[EntryView]) -> bytes:
        chrome = self._entry_chrome.get(entry.kind)
        if chrome is None:
            chrome = self._entry_chrome[entry.kind] = self.chrome("../", entry.kind,
                                                                 self.main_feeds + [self.kind_feeds[entry.kind]])
        url = web_address(entry.url)
        canonical = self.root_url + view.path
        return self._entry.render(
            site_title=self.common["site_title"],
            card=cards.entry_card(entry, view.title, view.description, view.tags, canonical, url, self.card_site),
            head=chrome["page_head"],
            foot=chrome["page_foot"],
            kind_link=chrome["kind_link"],
            canonical=canonical,
            title=view.title,
            iso=view.iso,
            label=view.label,
            tags=view.tags,
            year=view.year,
            paragraphs=paragraphs(entry.summary),
            url=url,
            url_host=urlsplit(url).netloc if url else "",  # web_address has read it
            related=[self.item(r, from_entries_dir=True) for r in related],
        ).encode("utf-8")


def by_year(views: list[EntryView]) -> list[tuple[int, list[EntryView]]]:
    """Consecutive runs of one year (views arrive newest first)."""
    return [(year, list(items)) for year, items in itertools.groupby(views, key=lambda v: v.year)]


def static_file(name: str) -> bytes:
    """A file of feeds/static (the stylesheet, the favicon), copied into the site as it is."""
    return resources.files("feeds").joinpath("static", name).read_bytes()
