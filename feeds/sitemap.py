"""`sitemap.xml` and `robots.txt`: every page, for crawlers.

`lastmod` comes from the data: the day a page's newest revision was stored
(`feeds.build`), never the clock, so an unchanged archive gives unchanged
bytes. Only a date known to the day is written: the protocol's schema takes a full date or a date-time (`xsd:date`
or `xsd:dateTime`), so "2015-05" failed validation and a crawler may drop
the file's dates; `lastmod` is optional, and a page dated to the month or the
year goes without one. One sitemap holds
at most 50,000 URLs (sitemaps.org); past that, `sitemap.xml` becomes a
sitemap index of `sitemap-1.xml`, `sitemap-2.xml`, ...
"""

from __future__ import annotations

from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from almanac.links import SITEMAP

#: URLs one sitemap file may hold (sitemaps.org protocol).
MAX_URLS = 50_000
_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def build_sitemaps(pages: list[tuple[str, str | None]], root: str, limit: int = MAX_URLS) -> dict[str, bytes]:
    """Files (path -> bytes) listing `pages`, (absolute URL, lastmod or None) in order."""
    chunks = [pages[i : i + limit] for i in range(0, len(pages), limit)] or [[]]
    if len(chunks) == 1:
        return {SITEMAP: _urlset(chunks[0])}
    files = {f"sitemap-{n}.xml": _urlset(chunk) for n, chunk in enumerate(chunks, start=1)}
    index = "".join(f"<sitemap><loc>{escape(root + name)}</loc></sitemap>\n" for name in files)
    files[SITEMAP] = f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {_NS}>\n{index}</sitemapindex>\n'.encode()
    return files


def _full_date(value: str | None) -> bool:
    """Whether `value` is a date to the day ("2015-05-04"), as the sitemap schema requires."""
    return value is not None and len(value) == 10 and value[4] == value[7] == "-"


def _urlset(pages: list[tuple[str, str | None]]) -> bytes:
    rows = "".join(
        f"<url><loc>{escape(url)}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if _full_date(lastmod) else "") + "</url>\n"
        for url, lastmod in pages
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {_NS}>\n{rows}</urlset>\n'.encode("utf-8")


def build_robots(root: str) -> bytes:
    """Everything may be crawled except the search API (its answers are not pages); the sitemap is named."""
    api = urlsplit(root).path.rstrip("/") + "/api/"
    return f"User-agent: *\nDisallow: {api}\nSitemap: {root}{SITEMAP}\n".encode("utf-8")
