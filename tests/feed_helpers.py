"""Helpers shared by the feed, site and server tests (not fixtures: plain functions)."""

from __future__ import annotations

import datetime as dt
import json

import feedparser

from almanac.config import SiteConfig
from almanac.entry import Entry, PartialDate

UTC = dt.timezone.utc


def parse_feed(data: bytes):
    """feedparser's view of an Atom/RSS document, failing loudly on any bozo."""
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def rel_of(url: str, site: SiteConfig) -> str:
    """The built file a site URL points at."""
    root = site.base_url if site.base_url.endswith("/") else site.base_url + "/"
    assert url.startswith(root), f"{url} is not under {root}"
    return url[len(root) :]


def same_kind_related(entries: list[Entry]):
    """A deterministic stand-in for Searcher.similar: up to 3 other entries of the same kind, by id."""
    by_id = {e.id: e for e in entries}

    def related(entry_id: str) -> list[Entry]:
        kind = by_id[entry_id].kind  # KeyError for an unknown id, like similar()
        return sorted((e for e in entries if e.kind == kind and e.id != entry_id), key=lambda e: e.id)[:3]

    return related


def make_entry(n: int, kind: str = "talk", summary: str | None = None, date: PartialDate | None = None) -> Entry:
    return Entry(
        id=f"entry-{n:05d}",
        title=f"Entry number {n}",
        date=date or PartialDate(2000 + n % 25, 1 + n % 12, 1 + n % 28),
        kind=kind,
        summary=summary if summary is not None else f"Summary of entry {n} about unikernels and feeds.",
        tags=("tag%d" % (n % 3),),
        url=f"https://example.org/{n}",
        source=f"test:{n}",
    )


def json_feed(data: bytes) -> dict:
    """A JSON Feed 1.1 document, checked for the fields the spec requires."""
    feed = json.loads(data)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    assert isinstance(feed["items"], list)
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert "content_text" in item or "content_html" in item
        dt.datetime.fromisoformat(item["date_published"])  # RFC 3339
    return feed
