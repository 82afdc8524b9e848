"""The served index page in headless Chromium: ask a question, see the Jitsu paper.

Uses Debian's `chromium` (installed by `make test` when running as root) driven
by Playwright's Python client with `executable_path`, so no browser is
downloaded. Skips, saying why, only where Chromium or Playwright is missing.
The search behind the page is the real one: the bundled model, real vectors.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import shutil
from zoneinfo import ZoneInfo

import pytest

from almanac.config import SiteConfig
from feeds.build import build_site
from feeds.server import bound_port, make_app, start_server
from feeds.writer import write_tree

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
playwright_api = pytest.importorskip(
    "playwright.async_api", reason="Python playwright is not installed (pip install -e '.[test]')"
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed and could not be (run `make test` as root, or apt-get install chromium)"
)


@pytest.fixture
def served_site(tmp_path, seeded_store, real_embedder):
    """The seed archive built with real related entries, and its real search function."""
    from almanac.embeddings import embed_missing
    from almanac.search import Searcher

    embed_missing(seeded_store, real_embedder)
    searcher = Searcher(seeded_store, real_embedder)
    site = SiteConfig(base_url="http://127.0.0.1:8080/")

    def related(entry_id):
        return [hit.entry for hit in searcher.similar(entry_id, limit=5)]

    out = tmp_path / "public"
    now = dt.datetime(2025, 1, 1, 12, tzinfo=dt.timezone.utc)  # a year with milestones to mark
    write_tree(str(out), build_site(seeded_store.entries(), site, ZoneInfo("UTC"), related=related, now=now),
               prune=("entries",))
    return out, (lambda q: searcher.search(q, limit=5).to_json())


def test_search_box_finds_the_jitsu_paper(served_site, tmp_path):
    out, search = served_site
    shot = tmp_path / "search.png"

    async def main():
        runner = await start_server(make_app(str(out), search), "127.0.0.1", 0)
        url = f"http://127.0.0.1:{bound_port(runner)}/"
        try:
            async with playwright_api.async_playwright() as p:
                browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
                try:
                    page = await browser.new_page(viewport={"width": 900, "height": 900})
                    await page.goto(url)
                    assert await page.is_visible("#q")
                    await page.fill("#q", "which paper showed unikernels booting on demand for each connection?")
                    await page.press("#q", "Enter")
                    first = page.locator("#results .hits li a").first
                    await first.wait_for(timeout=20_000)
                    titles = await page.locator("#results .hits li a").all_inner_texts()
                    hrefs = [await a.get_attribute("href") for a in await page.locator("#results .hits li a").all()]
                    await page.screenshot(path=str(shot), full_page=False)
                    # An off-topic question gets a plain "nothing answers", not the least bad entry.
                    await page.fill("#q", "how do I bake bread?")
                    await page.press("#q", "Enter")
                    none = page.locator("#results p.none")
                    await none.wait_for(timeout=20_000)
                    no_answer = await none.inner_text()
                    await page.fill("#q", "which paper showed unikernels booting on demand for each connection?")
                    await page.press("#q", "Enter")
                    await first.wait_for(timeout=20_000)
                    # Following the hit opens the entry page that was built for it.
                    await first.click()
                    await page.wait_for_load_state()
                    heading = await page.locator("h1").inner_text()
                finally:
                    await browser.close()
        finally:
            await runner.cleanup()
        return titles, hrefs, heading, no_answer

    titles, hrefs, heading, no_answer = asyncio.run(main())
    assert no_answer == "Nothing in the archive answers \u201chow do I bake bread?\u201d."
    assert titles[0] == "Jitsu: Just-In-Time Summoning of Unikernels"
    assert hrefs[0] == "entries/jitsu-just-in-time-summoning-of-unikernels-2015-05-paper.html"
    assert heading == titles[0]
    assert shot.stat().st_size > 10_000
    # `ALMANAC_SCREENSHOT=docs/screenshot.png pytest tests/test_browser.py` refreshes the README's picture.
    if os.environ.get("ALMANAC_SCREENSHOT"):
        shutil.copyfile(shot, os.environ["ALMANAC_SCREENSHOT"])


@contextlib.asynccontextmanager
async def phone_page(path, *, width: int, height: int, **options):
    """A page of a fresh headless Chromium, at a phone's size, showing the built file `path`."""
    async with playwright_api.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            context = await browser.new_context(viewport={"width": width, "height": height}, **options)
            page = await context.new_page()
            await page.goto(path.as_uri())
            yield page
        finally:
            await browser.close()


def test_opened_as_a_file_the_page_works_without_the_search_box(served_site, tmp_path):
    out, _ = served_site

    async def main():
        async with phone_page(out / "index.html", width=390, height=844) as page:
            search_visible = await page.is_visible("#search")
            links = await page.locator("ul.entries a").count()
            overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            await page.screenshot(path=str(tmp_path / "phone.png"))
            await page.click("ul.entries a:has-text(\"Jitsu: Just-In-Time Summoning of Unikernels\") >> nth=0")
            await page.wait_for_load_state()
            related = await page.locator("#related ~ ul a").count()
        return search_visible, links, overflow, related

    search_visible, links, overflow, related = asyncio.run(main())
    assert search_visible is False  # no server, no search box: nothing broken on the page
    assert links == 25
    assert overflow <= 0  # readable on a phone: no sideways scrolling
    assert related == 5


def test_the_timeline_renders_without_javascript_at_phone_width(served_site, tmp_path):
    """The index's inline SVG: drawn, fitting a phone, named for screen readers, with JavaScript off."""
    out, _ = served_site

    async def main():
        async with phone_page(out / "index.html", width=360, height=740, java_script_enabled=False) as page:
            svg = page.locator("figure.timeline svg")
            box = await svg.bounding_box()
            bars = await page.locator("figure.timeline svg rect").count()
            title = await page.locator("#timeline-title").text_content()
            font = await page.locator("figure.timeline svg text").first.evaluate("t => t.getBoundingClientRect().height")
            overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            await svg.screenshot(path=str(tmp_path / "timeline.png"))
        return box, bars, title, font, overflow

    box, bars, title, font, overflow = asyncio.run(main())
    assert 300 <= box["width"] <= 360 and box["height"] > 150
    assert bars > 10 and title == "Entries per year by kind, 2013–2020"
    assert font >= 9  # text still legible when the picture shrinks to a phone's width
    assert overflow <= 0
    assert (tmp_path / "timeline.png").stat().st_size > 5_000
