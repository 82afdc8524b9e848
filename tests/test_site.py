"""The static site: pages, links, related entries, and rebuilds that touch only what changed."""

from __future__ import annotations

import dataclasses
import os
import re
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from almanac.config import SiteConfig
from almanac.entry import PartialDate
from almanac.links import entry_path, kind_page_path
from feeds.build import build_site
from feeds.site import EntryView, SiteRenderer
from feeds.writer import write_tree
from tests.feed_helpers import make_entry, same_kind_related

TZ = ZoneInfo("UTC")
SITE = SiteConfig(base_url="https://example.org/")
FEED_FILES = {"atom.xml", "rss.xml", "feed.json"}


class Page(HTMLParser):
    """Links, autodiscovery links and text of one page."""

    def __init__(self, html: str):
        super().__init__()
        self.hrefs: list[str] = []
        self.alternates: list[dict] = []
        self.scripts = 0
        self.text: list[str] = []
        self.hidden_ids: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if tag == "link" and a.get("rel") == "alternate":
            self.alternates.append(a)
        if tag == "script" and a.get("type") != "application/ld+json":  # JSON-LD is data, not code
            self.scripts += 1
        if "hidden" in a and "id" in a:
            self.hidden_ids.add(a["id"])

    def handle_data(self, data):
        self.text.append(data)


def resolve(page_path: str, href: str) -> str | None:
    """The built file a relative link on `page_path` points at (None for absolute URLs)."""
    if re.match(r"^[a-z]+:", href):
        return None
    href = href.split("#", 1)[0]
    return os.path.normpath(os.path.join(os.path.dirname(page_path), href)).replace(os.sep, "/")


@pytest.fixture
def entries(seeded_store):
    return seeded_store.entries()


def test_every_relative_link_on_every_page_leads_to_a_built_file(entries):
    files = build_site(entries, SITE, TZ, related=same_kind_related(entries))
    pages = [p for p in files if p.endswith(".html")]
    assert len(pages) == 1 + len({e.kind for e in entries}) + len(entries)
    for path in pages:
        page = Page(files[path].decode())
        for href in page.hrefs:
            target = resolve(path, href)
            if target is not None:
                assert target in files, f"{path} links to missing {href}"


def test_every_page_head_offers_the_feeds(entries):
    files = build_site(entries, SITE, TZ)
    for path in (p for p in files if p.endswith(".html")):
        alternates = {(a["type"], a["href"]) for a in Page(files[path].decode()).alternates}
        assert ("application/atom+xml", "https://example.org/atom.xml") in alternates, path
        assert ("application/rss+xml", "https://example.org/rss.xml") in alternates, path
        assert ("application/feed+json", "https://example.org/feed.json") in alternates, path
    index = {a["href"] for a in Page(files["index.html"].decode()).alternates}
    assert {"https://example.org/talks.xml", "https://example.org/papers.xml"} <= index
    jitsu = "entries/jitsu-just-in-time-summoning-of-unikernels-2015-05-paper.html"
    assert "https://example.org/papers.xml" in {a["href"] for a in Page(files[jitsu].decode()).alternates}


def test_index_groups_entries_by_year_newest_first(entries):
    html = build_site(entries, SITE, TZ)["index.html"].decode()
    years = [int(y) for y in re.findall(r'<h2 id="y(\d{4})">', html)]
    assert years == sorted({e.date.year for e in entries}, reverse=True)
    page = Page(html)
    for e in entries:
        assert entry_path(e.id) in page.hrefs
    # Each entry sits under its year's heading, with its kind and date label.
    for e in entries:
        section = html.split(f'<h2 id="y{e.date.year}">', 1)[1].split("<h2 ", 1)[0]
        line = next(li for li in section.split("<li>") if f'href="{entry_path(e.id)}"' in li)
        assert e.date.label() in line and f">{e.kind}<" in line
    # Readable without JavaScript: the search form is hidden until the script shows it.
    assert "search" in page.hidden_ids and 'name="viewport"' in html


def test_entry_page_shows_the_entry_and_its_related_entries(entries):
    related = same_kind_related(entries)
    files = build_site(entries, SITE, TZ, related=related)
    jitsu = next(e for e in entries if e.id.endswith("2015-05-paper"))
    html = files[entry_path(jitsu.id)].decode()
    assert "<h1>Jitsu: Just-In-Time Summoning of Unikernels</h1>" in html
    assert "May 2015" in html and "NSDI 2015" in html
    section = html.split('id="related"', 1)[1]
    expected = [r.id for r in related(jitsu.id)]
    assert re.findall(r'href="([^"]+)\.html"', section)[: len(expected)] == expected
    assert Page(html).scripts == 0  # entry pages need no JavaScript


def test_related_links_only_to_built_pages_and_never_to_itself(entries):
    ghost = dataclasses.replace(entries[0], id="not-in-the-site")

    def related(entry_id):
        if entry_id == entries[1].id:
            raise KeyError(entry_id)  # an entry the searcher has not embedded yet
        return [ghost, next(e for e in entries if e.id == entry_id), entries[2], entries[2]]

    files = build_site(entries, SITE, TZ, related=related)
    first = files[entry_path(entries[0].id)].decode()
    assert "not-in-the-site" not in first
    assert first.split('id="related"', 1)[1].count(f"{entries[2].id}.html") == 1
    assert 'id="related"' not in files[entry_path(entries[1].id)].decode()
    own = files[entry_path(entries[3].id)].decode().split('id="related"', 1)[1]
    assert f"{entries[3].id}.html" not in own


def test_a_related_line_is_the_macros_line_linked_from_entries(entries):
    """Entry pages' lines are the index's with the link's entries/ prefix taken off: what the macro writes for them."""
    odd = dataclasses.replace(entries[0], id='odd&"<id>', tags=("t&t", "<u>"))
    renderer = SiteRenderer(SITE, ["talk"], {"talk": 1}, False)
    for entry in [odd, *entries]:
        view = EntryView.of(entry)
        from_root = renderer.item(view)
        assert renderer.item(view, from_entries_dir=True) == renderer._pieces.item(view, view.page)
        assert renderer.item(view) == from_root == renderer._pieces.item(view, view.path)


def test_kind_pages_list_only_their_kind(entries):
    files = build_site(entries, SITE, TZ)
    papers = files[kind_page_path("paper")].decode()
    for e in entries:
        assert (f'href="{entry_path(e.id)}"' in papers) == (e.kind == "paper")
    assert "https://example.org/papers.xml" in papers
    assert kind_page_path("video") in files and kind_page_path("talk") in files


def test_second_build_with_nothing_changed_rewrites_no_file(tmp_path, entries):
    out = str(tmp_path / "public")
    related = same_kind_related(entries)
    first = write_tree(out, build_site(entries, SITE, TZ, related=related), prune=("entries",))
    assert len(first.written) == len(first.written + first.unchanged) > 25
    mtimes = {p: os.stat(os.path.join(out, p)).st_mtime_ns for p in first.written}
    second = write_tree(out, build_site(list(reversed(entries)), SITE, TZ, related=related), prune=("entries",))
    assert second.written == [] and second.removed == []
    assert {p: os.stat(os.path.join(out, p)).st_mtime_ns for p in first.written} == mtimes
    assert not [n for n in os.listdir(out) if n.startswith(".tmp")]


def test_edited_summary_changes_only_its_page_and_the_feeds(tmp_path, store, seed_path):
    from almanac.ingest import ingest

    source = tmp_path / "entries.txt"
    source.write_text(seed_path.read_text())
    ingest(store, [str(source)], str(tmp_path))
    before = store.entries()
    out = str(tmp_path / "public")
    write_tree(out, build_site(before, SITE, TZ, related=same_kind_related(before)), prune=("entries",))

    text = source.read_text()
    assert text.count("to a packed room") == 1
    source.write_text(text.replace("to a packed room", "to a standing-room-only crowd"))
    report = ingest(store, [str(source)], str(tmp_path))
    assert report.total("changed") == 1
    after = store.entries()
    changed = [a for a in after if a.summary != next(b for b in before if b.id == a.id).summary]
    assert len(changed) == 1

    written = write_tree(out, build_site(after, SITE, TZ, related=same_kind_related(after)), prune=("entries",))
    # The edited entry is a 2015 talk: among the newest 50 of the main feeds and of talks.xml.
    assert set(written.written) == {entry_path(changed[0].id), "talks.xml"} | FEED_FILES
    assert written.removed == []


def test_pages_of_entries_that_left_are_removed_and_links_follow(tmp_path, entries):
    out = str(tmp_path / "public")
    write_tree(out, build_site(entries, SITE, TZ), prune=("entries",))
    gone, kept = entries[0], entries[1:]
    report = write_tree(out, build_site(kept, SITE, TZ), prune=("entries",))
    assert report.removed == [entry_path(gone.id)]
    assert not os.path.exists(os.path.join(out, entry_path(gone.id)))
    assert "index.html" in report.written
    assert gone.id not in open(os.path.join(out, "index.html")).read()


def test_empty_archive_builds_a_valid_site():
    files = build_site([], SITE, TZ)
    assert {"index.html", "atom.xml", "rss.xml", "feed.json", "style.css"} <= set(files)
    assert "0 entries" in files["index.html"].decode()


def test_an_unreadable_link_stored_before_ingest_refused_it_builds_without_it():
    """One stored entry linking to "https://[your-domain]/talks" (the URL parser raises on it) made
    every build fail, so nothing was published again; the build leaves such a link out."""
    import feedparser

    bad = [dataclasses.replace(make_entry(1), url="https://[your-domain]/talks"),
           dataclasses.replace(make_entry(2), url="http://[::1/talk")]
    files = build_site(bad + [make_entry(3)], SITE, TZ)
    for e in bad:
        assert "your-domain" not in files[entry_path(e.id)].decode() and "::1" not in files[entry_path(e.id)].decode()
    assert "https://example.org/3" in files[entry_path("entry-00003")].decode()
    for name in FEED_FILES - {"feed.json"}:
        parsed = feedparser.parse(files[name])
        assert not parsed.bozo and len(parsed.entries) == 3, name


def test_onthisday_feed_is_left_out_without_posts(entries):
    assert "onthisday.xml" not in build_site(entries, SITE, TZ)


def test_many_entries_one_year_and_one_kind_group_correctly():
    many = [make_entry(n, date=PartialDate(2021, 1 + n % 12)) for n in range(30)]
    files = build_site(many, SITE, TZ)
    html = files["index.html"].decode()
    assert html.count('<h2 id="y2021">') == 1 and "30 entries" in html
    assert set(re.findall(r"<h2 id=\"y(\d+)\">", files[kind_page_path("talk")].decode())) == {"2021"}
