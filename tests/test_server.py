"""The web server: content types, validators and 304s, gzip, HEAD, path traversal, the API."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import os
import threading
import time
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from almanac.config import SiteConfig
from feeds.build import build_site
from feeds.server import Refused, bound_port, content_type, make_app, site_path, start_server
from feeds.writer import write_tree
from tests.conftest import SEED

SITE = SiteConfig(base_url="http://127.0.0.1:8080/")


@pytest.fixture
def site_dir(tmp_path, seeded_store):
    out = tmp_path / "public"
    write_tree(str(out), build_site(seeded_store.entries(), SITE, ZoneInfo("UTC")), prune=("entries",))
    (tmp_path / "secret.txt").write_text("top secret")
    return out


def run_server(site_dir, search=None):
    """Decorator-free helper: run `body(url, session)` against a live server on a free port."""

    def runner(body):
        async def main():
            web_runner = await start_server(make_app(str(site_dir), search), "127.0.0.1", 0)
            try:
                url = f"http://127.0.0.1:{bound_port(web_runner)}"
                # Identity unless a test asks for gzip, so bodies compare with the files.
                async with aiohttp.ClientSession(auto_decompress=False, headers={"Accept-Encoding": "identity"}) as session:
                    return await body(url, session)
            finally:
                await web_runner.cleanup()

        return asyncio.run(main())

    return runner


async def raw_get(url: str, target: str) -> tuple[int, bytes]:
    """Send `target` byte for byte (no client-side normalisation of dot segments)."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    status = int(data.split(b" ", 2)[1])
    return status, data.split(b"\r\n\r\n", 1)[1]


def test_content_types(site_dir):
    async def body(url, s):
        out = {}
        for path in ["/", "/index.html", "/atom.xml", "/rss.xml", "/feed.json", "/talks.xml", "/style.css",
                     "/sitemap.xml", "/entries/jitsu-just-in-time-summoning-of-unikernels-2015-05-paper.html"]:
            async with s.get(url + path) as r:
                assert r.status == 200, path
                out[path] = r.headers["Content-Type"]
                assert (await r.read()) == (site_dir / (path.strip("/") or "index.html")).read_bytes()
        return out

    types = run_server(site_dir)(body)
    assert types["/"] == types["/index.html"] == "text/html; charset=utf-8"
    assert types["/atom.xml"] == types["/talks.xml"] == "application/atom+xml; charset=utf-8"
    assert types["/rss.xml"] == "application/rss+xml; charset=utf-8"
    assert types["/feed.json"] == "application/feed+json; charset=utf-8"
    assert types["/style.css"] == "text/css; charset=utf-8"
    assert types["/sitemap.xml"] == "application/xml; charset=utf-8"
    # Past 50,000 pages the sitemap is an index of parts: they are sitemaps too, not Atom.
    assert content_type("sitemap-2.xml") == "application/xml; charset=utf-8"
    assert content_type("sitemap-notes.xml") == "application/atom+xml; charset=utf-8"
    assert types["/entries/jitsu-just-in-time-summoning-of-unikernels-2015-05-paper.html"].startswith("text/html")


def test_etag_and_last_modified_give_304(site_dir):
    async def body(url, s):
        async with s.get(url + "/atom.xml") as r:
            etag, modified = r.headers["ETag"], r.headers["Last-Modified"]
            assert r.status == 200 and etag.startswith('"')
        async with s.get(url + "/atom.xml", headers={"If-None-Match": etag}) as r:
            assert r.status == 304 and await r.read() == b""
            assert r.headers["ETag"] == etag
        async with s.get(url + "/atom.xml", headers={"If-None-Match": '"other", ' + etag}) as r:
            assert r.status == 304
        async with s.get(url + "/atom.xml", headers={"If-None-Match": '"stale"'}) as r:
            assert r.status == 200
        async with s.get(url + "/atom.xml", headers={"If-Modified-Since": modified}) as r:
            assert r.status == 304
        async with s.get(url + "/atom.xml", headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}) as r:
            assert r.status == 200
        # A year too large for a timestamp was a 500 and a traceback in the log, for anyone asking.
        async with s.get(url + "/atom.xml", headers={"If-Modified-Since": "01 Jan 10000000000000000000000 00:00 GMT"}) as r:
            assert r.status == 200
        # A rebuild that changes the file changes the ETag; the old one no longer matches.
        (site_dir / "atom.xml").write_bytes((site_dir / "atom.xml").read_bytes().replace(b"Almanac", b"Almanack", 1))
        async with s.get(url + "/atom.xml", headers={"If-None-Match": etag}) as r:
            assert r.status == 200 and r.headers["ETag"] != etag
        return True

    assert run_server(site_dir)(body)


def test_unchanged_rebuild_keeps_etag_and_last_modified(site_dir, seeded_store):
    async def headers(url, s):
        async with s.get(url + "/rss.xml") as r:
            return r.headers["ETag"], r.headers["Last-Modified"]

    before = run_server(site_dir)(headers)
    time.sleep(1.1)
    report = write_tree(str(site_dir), build_site(seeded_store.entries(), SITE, ZoneInfo("UTC")), prune=("entries",))
    assert report.written == []
    assert run_server(site_dir)(headers) == before


def test_gzip_only_when_asked(site_dir):
    async def body(url, s):
        async with s.get(url + "/index.html", headers={"Accept-Encoding": "gzip, deflate"}) as r:
            assert r.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in r.headers["Vary"]
            zipped, zipped_etag = await r.read(), r.headers["ETag"]
        async with s.get(url + "/index.html", headers={"Accept-Encoding": "identity"}) as r:
            assert "Content-Encoding" not in r.headers
            plain, plain_etag = await r.read(), r.headers["ETag"]
        async with s.get(url + "/index.html", headers={"Accept-Encoding": "gzip;q=0"}) as r:
            assert "Content-Encoding" not in r.headers
        async with s.get(url + "/index.html", headers={"Accept-Encoding": "gzip", "If-None-Match": zipped_etag}) as r:
            assert r.status == 304
        return zipped, plain, zipped_etag, plain_etag

    zipped, plain, zipped_etag, plain_etag = run_server(site_dir)(body)
    assert gzip.decompress(zipped) == plain == (site_dir / "index.html").read_bytes()
    assert len(zipped) < len(plain) and zipped_etag != plain_etag


def test_head_sends_headers_only(site_dir):
    async def body(url, s):
        async with s.head(url + "/feed.json") as r:
            assert r.status == 200 and await r.read() == b""
            assert r.headers["Content-Type"] == "application/feed+json; charset=utf-8"
            assert int(r.headers["Content-Length"]) == len((site_dir / "feed.json").read_bytes())
            etag = r.headers["ETag"]
        async with s.head(url + "/feed.json", headers={"If-None-Match": etag}) as r:
            assert r.status == 304
        async with s.head(url + "/nope.html") as r:
            assert r.status == 404
        return True

    assert run_server(site_dir)(body)


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/entries/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/.%2e/secret.txt",
        "/entries/..%2f..%2fsecret.txt",
        "/entries/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/..%5csecret.txt",
        "/%2e%2e%5c%2e%2e%5csecret.txt",
        "/index.html%00.txt",
        "//etc/passwd",
        "/.tmp-partial",
    ],
)
def test_paths_outside_the_site_are_refused(site_dir, target):
    async def body(url, s):
        return await raw_get(url, target)

    status, data = run_server(site_dir)(body)
    assert status in (400, 403, 404), (target, status)
    assert b"top secret" not in data and b"root:" not in data


def test_symlink_out_of_the_site_is_refused(site_dir):
    os.symlink(site_dir.parent / "secret.txt", site_dir / "leak.txt")

    async def body(url, s):
        return await raw_get(url, "/leak.txt")

    status, data = run_server(site_dir)(body)
    assert status == 403 and b"top secret" not in data


def test_a_request_in_absolute_form_is_served_as_its_path(site_dir):
    """`GET http://host/atom.xml HTTP/1.1`, as a proxy forwards it (RFC 9112 says a server must
    accept it): the feed, not a 403; a path that leaves the site is still refused."""
    async def body(url, s):
        return [await raw_get(url, f"http://127.0.0.1/{path}") for path in ("atom.xml", "", "../secret.txt")]

    (feed, feed_body), (index, _), (outside, outside_body) = run_server(site_dir)(body)
    assert (feed, feed_body) == (200, (site_dir / "atom.xml").read_bytes())
    assert index == 200 and outside in (400, 403, 404) and b"top secret" not in outside_body


def test_site_path_rules():
    assert site_path("/") == "index.html"
    assert site_path("https://example.org/entries/a.html") == "entries/a.html"
    assert site_path("http://example.org") == "index.html"
    assert site_path("/entries/a-b.html") == "entries/a-b.html"
    assert site_path("/entries/") == "entries/index.html"
    assert site_path("/a%20b.html?x=1") == "a b.html"
    for bad in ["/..", "/a/../b", "/%2e%2E/x", "/a%2fb", "/a%5cb", "/%00", "/.hidden", "/a//b"]:
        with pytest.raises(Refused):
            site_path(bad)


def test_missing_file_is_404(site_dir):
    async def body(url, s):
        async with s.get(url + "/entries/no-such-entry.html") as r:
            return r.status

    assert run_server(site_dir)(body) == 404


def test_api_search_returns_the_search_json(site_dir):
    seen = []

    def search(q):
        seen.append((q, threading.current_thread() is threading.main_thread()))
        return {"query": q, "answered": True, "filters": {}, "results": [{"id": "x", "title": "Caf\u00e9"}]}

    async def body(url, s):
        async with s.get(url + "/api/search", params={"q": "  jitsu paper  "}) as r:
            assert r.status == 200 and r.headers["Content-Type"] == "application/json; charset=utf-8"
            got = json.loads(await r.read())
        async with s.get(url + "/api/search") as r:
            missing = (r.status, await r.json())
        async with s.get(url + "/api/search", params={"q": "x" * 5000}) as r:
            long = (r.status, await r.json())
        return got, missing, long

    got, missing, long = run_server(site_dir, search)(body)
    assert got["query"] == "jitsu paper" and got["results"][0]["title"] == "Caf\u00e9"
    assert seen[0] == ("jitsu paper", False)  # ran in a worker thread, not on the loop's thread
    assert missing == (400, {"error": "missing question: use /api/search?q=your+question"})
    assert long[0] == 200 and len(seen[1][0]) == 1000  # cut like `almanac ask` does


def test_api_search_without_a_searcher_or_when_it_fails(site_dir):
    def broken(q):
        raise RuntimeError("database exploded: /secret/path")

    async def none_body(url, s):
        async with s.get(url + "/api/search?q=hello") as r:
            return r.status, await r.json()

    assert run_server(site_dir, None)(none_body) == (503, {"error": "search is not available on this server"})
    status, data = run_server(site_dir, broken)(none_body)
    assert status == 500 and "secret" not in json.dumps(data)


def test_slow_search_does_not_block_other_requests(site_dir):
    def slow(q):
        time.sleep(1.0)
        return {"query": q}

    async def body(url, s):
        search = asyncio.create_task(s.get(url + "/api/search?q=slow"))
        await asyncio.sleep(0.1)
        start = time.perf_counter()
        async with s.get(url + "/healthz") as r:
            health = await r.json()
        quick = time.perf_counter() - start
        async with await search as r:
            assert r.status == 200
        return health, quick

    health, quick = run_server(site_dir, slow)(body)
    assert health == {"status": "ok", "site": True, "search": True}
    assert quick < 0.5


def test_api_search_matches_almanac_ask_json(tmp_path, seeded_store, capsys):
    """The endpoint returns what `almanac ask --json` prints, for the same app, less where each
    entry was read from: a path on the owner's machine, or a private feed's URL with its token."""
    import argparse

    from almanac.app import App
    from almanac.commands.feeds import search_fn
    from almanac.commands.search import cmd_ask
    from almanac.config import Config
    from almanac.embeddings import embed_missing
    from almanac.search import Searcher
    from tests.fakes import FakeEmbedder

    embedder = FakeEmbedder()
    embed_missing(seeded_store, embedder)
    app = App(config=Config(), secrets=None, db_path=":memory:")
    app.__dict__["store"] = seeded_store
    app.__dict__["searcher"] = Searcher(seeded_store, embedder)
    question = "Jitsu paper at NSDI"
    args = argparse.Namespace(question=[question], limit=None, kind=None, year=None, json=True)
    assert cmd_ask(args, app) == 0
    printed = json.loads(capsys.readouterr().out)

    async def body(url, s):
        async with s.get(url + "/api/search", params={"q": question}) as r:
            return await r.json()

    served = run_server(tmp_path, search_fn(app))(body)
    assert all(hit.pop("source").startswith(str(SEED)) for hit in printed["results"])
    assert served == printed and served["results"]


def test_file_cache_is_bounded_and_follows_rebuilds(site_dir):
    from feeds.server import SiteFiles

    files = SiteFiles(str(site_dir), max_cached=3)
    names = ["index.html", "atom.xml", "rss.xml", "feed.json", "style.css"]
    for name in names:
        assert files.load(name).body == (site_dir / name).read_bytes()
    assert list(files._cache) == names[-3:]
    old = files.load("feed.json").etag
    (site_dir / "feed.json").write_bytes(b'{"version": "changed"}')
    assert files.load("feed.json").body == b'{"version": "changed"}' and files.load("feed.json").etag != old
    assert files.load("missing.html") is None


def test_a_page_removed_between_locating_and_reading_is_a_404_not_a_500(tmp_path):
    from feeds.server import SiteFiles

    (tmp_path / "entries").mkdir()
    page = tmp_path / "entries" / "x.html"
    page.write_text("soon gone")
    files = SiteFiles(str(tmp_path))
    located = files.locate("entries/x.html")
    page.unlink()  # a rebuild prunes it right after locate() found it
    files.locate = lambda rel: located
    assert files.load("entries/x.html") is None


def _raw_exchange(port: int, data: bytes, seconds: float = 10.0) -> bytes:
    """Send raw bytes to 127.0.0.1:port and read until the server closes (blocking; run in a thread)."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=seconds) as sock:
        sock.sendall(data)
        out = b""
        while chunk := sock.recv(65536):
            out += chunk
    return out


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",  # request line too long
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 20_000 + b"\r\n\r\n",  # one header too long
        b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(300)) + b"\r\n",  # too many
        b"GET / HTTP/1.1\r\n\x00\x01\x02\r\n\r\n",  # not HTTP
    ],
    ids=["long-request-line", "long-header", "many-headers", "garbage-header"],
)
def test_oversized_or_malformed_requests_get_a_quiet_400(site_dir, caplog, request_bytes):
    caplog.set_level(logging.DEBUG)

    async def main():
        runner = await start_server(make_app(str(site_dir)), "127.0.0.1", 0)
        try:
            return await asyncio.to_thread(_raw_exchange, bound_port(runner), request_bytes)
        finally:
            await runner.cleanup()

    reply = asyncio.run(main())
    assert reply.split(b"\r\n", 1)[0].endswith(b" 400 Bad Request")
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    assert "Traceback" not in caplog.text


def test_a_client_that_never_finishes_its_headers_is_cut_off(site_dir):
    import socket

    from feeds.server import HEADER_TIMEOUT_S

    assert HEADER_TIMEOUT_S <= 60

    def trickle(port: int) -> float:
        began = time.monotonic()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            try:
                for i in range(40):  # a header line every 0.25 s, never the blank line that ends them
                    sock.sendall(b"X-%d: y\r\n" % i)
                    time.sleep(0.25)
                    sock.setblocking(False)
                    try:
                        if sock.recv(1024) == b"":
                            break
                    except BlockingIOError:
                        pass
                    finally:
                        sock.setblocking(True)
            except (BrokenPipeError, ConnectionResetError):
                pass
        return time.monotonic() - began

    async def main():
        runner = await start_server(make_app(str(site_dir)), "127.0.0.1", 0, header_timeout=1.0)
        try:
            return await asyncio.to_thread(trickle, bound_port(runner))
        finally:
            await runner.cleanup()

    assert asyncio.run(main()) < 5  # cut off after ~1 s; without the timeout the loop runs its 10 s


def test_healthz_says_whether_the_database_answers(site_dir, tmp_path, monkeypatch):
    """/healthz said "ok" while PostgreSQL was down (a load balancer kept sending searches that
    waited 30 s for a 500). With a database probe it says whether the store answers, 503 when not,
    one probe at a time however many ask, each waited for at most HEALTH_TIMEOUT."""
    import threading

    from almanac.store import Store
    from feeds import server

    store = Store(str(tmp_path / "health.db"))
    calls = []

    def slow():
        calls.append(1)
        threading.Event().wait(1.0)  # a database that does not answer in time

    async def body(url, s):
        async with s.get(url + "/healthz") as r:
            return r.status, await r.json()

    async def two(url, s):
        return await asyncio.gather(body(url, s), body(url, s))

    def serve(database, check):
        async def main():
            runner = await start_server(make_app(str(site_dir), None, database), "127.0.0.1", 0)
            try:
                async with aiohttp.ClientSession() as s:
                    return await check(f"http://127.0.0.1:{bound_port(runner)}", s)
            finally:
                await runner.cleanup()
        return asyncio.run(main())

    assert serve(store.count, body) == (200, {"status": "ok", "site": True, "search": False, "database": True})
    monkeypatch.setattr(server, "HEALTH_TIMEOUT", 0.2)
    down = {"status": "unavailable", "site": True, "search": False, "database": False}
    assert serve(slow, two) == [(503, down), (503, down)] and len(calls) == 1
    store.close()  # a store that no longer answers
    assert serve(store.count, body) == (503, down)


def test_a_probe_that_fails_after_healthz_gave_up_logs_no_traceback(site_dir, caplog, monkeypatch):
    """During an outage a probe that failed after /healthz stopped waiting (a pool timeout) left its
    error unread, and asyncio logged "Task exception was never retrieved" with a traceback when the
    next probe replaced it."""
    import gc
    import threading

    from feeds import server

    def late_failure():
        threading.Event().wait(0.3)
        raise OSError("pool timeout")

    async def main():
        runner = await start_server(make_app(str(site_dir), None, late_failure), "127.0.0.1", 0)
        try:
            async with aiohttp.ClientSession() as s:
                for _ in range(2):
                    async with s.get(f"http://127.0.0.1:{bound_port(runner)}/healthz") as r:
                        assert r.status == 503
                    await asyncio.sleep(0.5)  # the probe fails after the answer
                gc.collect()
        finally:
            await runner.cleanup()

    monkeypatch.setattr(server, "HEALTH_TIMEOUT", 0.1)
    asyncio.run(main())
    gc.collect()
    assert not [r for r in caplog.records if "never retrieved" in r.getMessage()]


def test_a_search_the_database_cannot_answer_is_a_503_and_one_log_line(site_dir, tmp_path, caplog):
    """During a PostgreSQL outage every /api/search answered 500 with a traceback in the log (one
    per request); a database that does not answer is the service being unavailable, said in one
    line. Other failures stay a 500 with their traceback."""
    from almanac.search import Searcher
    from almanac.store import Store
    from tests.fakes import FakeEmbedder

    store = Store(str(tmp_path / "gone.db"))
    searcher = Searcher(store, FakeEmbedder())
    store.close()  # a store that no longer answers, as a server that went away

    def broken(q):
        raise RuntimeError("a bug")

    async def ask(url, s):
        async with s.get(url + "/api/search?q=jitsu") as r:
            return r.status, await r.json()

    with caplog.at_level(logging.INFO, logger="feeds.server"):
        status, body = run_server(site_dir, lambda q: searcher.search(q).to_json())(ask)
    assert (status, body) == (503, {"error": "the database is not answering; try again shortly"})
    (record,) = [r for r in caplog.records if r.name == "feeds.server" and r.levelno >= logging.WARNING]
    assert record.getMessage().startswith("search failed: the database did not answer (") and not record.exc_info
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="feeds.server"):
        assert run_server(site_dir, broken)(ask)[0] == 500
    assert any(r.exc_info for r in caplog.records if r.name == "feeds.server")
