"""Link cards, structured data and crawler files: every page parsed back, as a reader or a crawler would."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import aiohttp

from almanac.config import SiteConfig
from almanac.entry import Entry, PartialDate
from almanac.links import entry_path, kind_page_path
from almanac.search import first_sentence
from feeds.build import build_site
from feeds.cards import HEADLINE_TYPES, SCHEMA_TYPES, Site, describe, entry_card, json_ld
from feeds.server import bound_port, make_app, start_server
from feeds.writer import write_tree

TZ = ZoneInfo("UTC")
SITE = SiteConfig(base_url="https://example.org/almanac/", title="Richard's \"Almanac\" <&>")
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone.utc)
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
#: Properties every JSON-LD document of an entry page must carry (and its title: headline or name).
REQUIRED = {"@context", "@type", "datePublished", "url"}


class Head(HTMLParser):
    """The <meta> tags, the JSON-LD documents and the executable scripts of one page."""

    def __init__(self, html: str):
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.json_ld: list = []
        self.scripts = 0
        self._in_ld = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and "content" in a:
            self.meta.setdefault(a.get("property") or a.get("name"), []).append(a["content"])
        if tag == "script":
            self._in_ld = a.get("type") == "application/ld+json"
            self.scripts += not self._in_ld

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld.append(json.loads(data))

    def one(self, key: str) -> str:
        assert len(self.meta.get(key, [])) == 1, (key, self.meta.get(key))
        return self.meta[key][0]


def test_every_entry_page_has_its_own_card_and_json_ld_of_its_kind(seeded_store):
    entries = seeded_store.entries()
    files = build_site(entries, SITE, TZ, now=NOW)
    seen_types = set()
    for entry in entries:
        head = Head(files[entry_path(entry.id)].decode())
        url = "https://example.org/almanac/" + entry_path(entry.id)
        description = head.one("description")
        sentence = first_sentence(entry.summary)  # the summary's first sentence, cut at a word near 160
        assert description == sentence or (description.endswith("…") and sentence.startswith(description[:-1]))
        assert len(description) <= 160
        assert head.one("og:description") == description
        assert head.one("og:type") == "article" and head.one("og:url") == url
        assert head.one("og:title") == entry.title
        assert head.one("og:site_name") == SITE.title
        assert head.one("article:published_time") == entry.date.isoformat()
        assert head.one("twitter:card") == "summary"
        [ld] = head.json_ld
        assert REQUIRED <= set(ld) and ld["@context"] == "https://schema.org"
        assert ld["@type"] == SCHEMA_TYPES[entry.kind]
        assert (ld.get("headline") or ld.get("name")) == entry.title
        assert ld["datePublished"] == entry.date.isoformat() and ld["url"] == url
        assert ld.get("sameAs") == entry.url
        seen_types.add(ld["@type"])
        if entry.kind == "paper":
            assert head.one("citation_title") == entry.title
            assert head.one("citation_publication_date") == entry.date.isoformat().replace("-", "/")
            assert "citation_author" not in head.meta  # no source records authors (see feeds/cards.py)
        else:
            assert not any(k.startswith("citation_") for k in head.meta)
    assert seen_types == set(SCHEMA_TYPES.values())  # the seed has every kind


def test_index_and_kind_pages_have_their_own_cards(seeded_store):
    entries = seeded_store.entries()
    files = build_site(entries, SITE, TZ, now=NOW)
    index = Head(files["index.html"].decode())
    assert index.one("og:type") == "website" and index.one("og:url") == "https://example.org/almanac/"
    assert index.one("description") == SITE.description
    [ld] = index.json_ld
    assert ld["@type"] == "WebSite" and ld["name"] == SITE.title and ld["url"] == "https://example.org/almanac/"
    papers = Head(files[kind_page_path("paper")].decode())
    assert papers.one("og:url") == "https://example.org/almanac/papers.html"
    assert papers.one("description") == f"5 papers in {SITE.title}, newest first."
    [ld] = papers.json_ld
    assert ld["@type"] == "CollectionPage" and ld["url"] == "https://example.org/almanac/papers.html"


def hostile_entry(kind: str = "paper") -> Entry:
    return Entry(
        id="hostile-2020-05-04",
        title='Quotes " and <b>tags</b> & </script> in a title',
        date=PartialDate(2020, 5, 4),
        kind=kind,
        summary="Ends the script early </script><script>alert(1)</script> <!-- and \"quotes\" & 'more' \u2028 here. Second.",
        url="https://example.org/paper.pdf?x=1&y=<2>",
    )


def test_a_summary_holding_script_cannot_break_out_of_the_json_ld():
    entry = hostile_entry()
    page = build_site([entry], SITE, TZ, now=NOW)[entry_path(entry.id)].decode()
    head = Head(page)
    assert head.scripts == 0  # no executable script appeared
    [ld] = head.json_ld
    assert ld["headline"] == entry.title  # read back exactly, </script> and all
    assert ld["sameAs"] == "https://example.org/paper.pdf?x=1&y=%3C2%3E"  # the link, as a valid URL
    assert head.one("og:title") == entry.title
    assert head.one("description") == head.one("og:description") == describe(entry)
    assert "</script><script>alert(1)</script> <!-- and \"quotes\" & 'more'" in describe(entry)
    assert head.one("citation_pdf_url") == "https://example.org/paper.pdf?x=1&y=%3C2%3E"  # a valid URL
    script = page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script and ">" not in script and "&" not in script


def test_entry_json_ld_is_what_json_ld_writes_for_its_document():
    """entry_card writes its JSON-LD key by key (cheaper than an encoder per page): the same bytes as json_ld(dict)."""
    site = Site(SITE.title, "https://example.org/almanac/")
    url = "https://example.org/almanac/entries/x&y.html"
    title = 'Quotes " <b>&</b> </script> \\ \u2028 ünï 🎉'
    for kind, schema in SCHEMA_TYPES.items():
        for tags, original in ((("a<b", 'ü "q"'), "https://example.org/p.pdf?x=1&y=<2>"), ((), None)):
            card = entry_card(hostile_entry(kind), title, "d", tags, url, original, site)
            script = card.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
            data = {"@context": "https://schema.org", "@type": schema,
                    "headline" if schema in HEADLINE_TYPES else "name": title, "datePublished": "2020-05-04", "url": url}
            if schema == "VideoObject":
                data["uploadDate"] = "2020-05-04"
            if tags:
                data["keywords"] = ", ".join(tags)
            if original:
                data["sameAs"] = original
            assert script == json_ld(data), (kind, tags)


def test_description_is_cut_at_a_word_and_falls_back_to_kind_and_date():
    long = Entry(id="x", title="X", date=PartialDate(2015), kind="talk", summary="word " * 300)
    text = describe(long)
    assert len(text) <= 160 and text.endswith("…") and not text.endswith(" …")
    empty = Entry(id="y", title="Y", date=PartialDate(2015, 5), kind="video", summary="")
    assert describe(empty) == "Video, May 2015"


def test_sitemap_lists_every_page_with_lastmod_from_the_data(seeded_store):
    """An entry page's lastmod is the day the store saw it change; without that (entries not read
    from a store), its own date when known to the day: the schema takes a full date or none, and
    "2015-05" failed validation."""
    stored = seeded_store.entries()
    changed = {dt.datetime.fromisoformat(e.changed_at).date().isoformat() for e in stored}
    assert len(changed) == 1 and f"<lastmod>{changed.pop()}</lastmod>".encode() in build_site(stored, SITE, TZ, now=NOW)["sitemap.xml"]
    entries = [replace(e, changed_at=None) for e in stored]
    files = build_site(entries, SITE, TZ, now=NOW)
    root = ET.fromstring(files["sitemap.xml"])
    urls = {u.find(SITEMAP_NS + "loc").text: getattr(u.find(SITEMAP_NS + "lastmod"), "text", None) for u in root}
    pages = sorted(p for p in files if p.endswith(".html"))
    expected = {("https://example.org/almanac/" + p).removesuffix("index.html") for p in pages}
    assert set(urls) == expected
    for entry in entries:  # the schema takes a full date or none: "2015-05" failed validation
        day = entry.date.isoformat() if entry.date.day else None
        assert urls["https://example.org/almanac/" + entry_path(entry.id)] == day
    assert urls["https://example.org/almanac/"] is None  # the newest entry is known to the month
    dated = files | build_site([replace(entries[0], date=PartialDate(2030, 1, 2))], SITE, TZ, now=NOW)
    assert b"<lastmod>2030-01-02</lastmod>" in dated["sitemap.xml"]
    assert files["robots.txt"].decode() == (
        "User-agent: *\nDisallow: /almanac/api/\nSitemap: https://example.org/almanac/sitemap.xml\n"
    )
    later = build_site(entries, SITE, TZ, now=NOW + dt.timedelta(days=400))
    assert later["sitemap.xml"] == files["sitemap.xml"]  # the clock is not in it


def test_a_large_site_gets_a_sitemap_index():
    from feeds.sitemap import build_sitemaps

    pages = [(f"https://example.org/{i}.html", "2015") for i in range(5)]
    files = build_sitemaps(pages, "https://example.org/", limit=2)
    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    index = ET.fromstring(files["sitemap.xml"])
    assert index.tag == SITEMAP_NS + "sitemapindex"
    assert [s.find(SITEMAP_NS + "loc").text for s in index] == [f"https://example.org/sitemap-{n}.xml" for n in (1, 2, 3)]
    assert sum(len(ET.fromstring(files[f"sitemap-{n}.xml"])) for n in (1, 2, 3)) == 5


def test_every_page_links_the_favicon_and_it_is_built(seeded_store):
    files = build_site(seeded_store.entries(), SITE, TZ, now=NOW)
    assert ET.fromstring(files["favicon.svg"]).tag == "{http://www.w3.org/2000/svg}svg"
    for path in (p for p in files if p.endswith(".html")):
        prefix = "../" if path.startswith("entries/") else ""
        assert f'<link rel="icon" href="{prefix}favicon.svg" type="image/svg+xml">' in files[path].decode(), path


def test_an_entry_page_fetched_from_the_server_unfurls(tmp_path, seeded_store):
    """What Discord's unfurler sees: the page over HTTP, its Open Graph card and its JSON-LD."""
    out = tmp_path / "public"
    site = SiteConfig(base_url="http://127.0.0.1:8080/")
    write_tree(str(out), build_site(seeded_store.entries(), site, TZ, now=NOW))
    paper = "jitsu-just-in-time-summoning-of-unikernels-2015-05-paper"

    async def fetch():
        runner = await start_server(make_app(str(out), None), "127.0.0.1", 0)
        try:
            base = f"http://127.0.0.1:{bound_port(runner)}/"
            async with aiohttp.ClientSession() as session:
                async with session.get(base + entry_path(paper)) as r:
                    assert r.status == 200 and r.headers["Content-Type"] == "text/html; charset=utf-8"
                    page = await r.text()
                async with session.get(base + "sitemap.xml") as r:
                    sitemap = await r.read()
            return page, sitemap
        finally:
            await runner.cleanup()

    page, sitemap = asyncio.run(fetch())
    head = Head(page)
    assert head.one("og:title") == "Jitsu: Just-In-Time Summoning of Unikernels"
    assert head.one("og:type") == "article"
    assert head.one("og:description").startswith("Paper on spinning up low-latency unikernels")
    assert head.json_ld[0]["@type"] == "ScholarlyArticle"
    assert f"<loc>http://127.0.0.1:8080/{entry_path(paper)}</loc>" in sitemap.decode()


def test_a_link_with_spaces_or_other_characters_a_url_cannot_hold_is_encoded_everywhere(tmp_path):
    """`url: "https://example.org/slides/my talk.pdf"` was written as is into the entry page's href
    and its JSON-LD `sameAs` (invalid HTML, an invalid URL to structured-data readers), and was
    left out of the JSON Feed. It is percent-encoded wherever it is a link, its host as written."""
    entry = Entry(id="t-2020-05-04", title="My talk", date=PartialDate(2020, 5, 4), kind="talk",
                  summary="The slides.", url="https://exämple.org/slides/my talk \"final\".pdf?v=1 2#p 3")
    encoded = "https://exämple.org/slides/my%20talk%20%22final%22.pdf?v=1%202#p%203"
    files = build_site([entry], SITE, TZ, now=NOW)
    page = files[entry_path(entry.id)].decode()
    assert f'href="{encoded}"' in page and "my talk" not in page.split("<body", 1)[1].split("The slides.")[1]
    [ld] = Head(page).json_ld
    assert ld["sameAs"] == encoded
    assert json.loads(files["feed.json"])["items"][0]["external_url"] == encoded  # left out before
