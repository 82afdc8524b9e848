"""The web server: the built site, `/api/search` and `/healthz` (aiohttp).

Serves files from the output directory only, never a path outside it (dot
segments, encoded or not, backslashes, NUL and hidden files are refused).
Responses carry the content type feed readers expect, a strong ETag (a hash
of the bytes) and Last-Modified, answer conditional requests with 304, and
are gzipped when the client asks. Search runs in a worker thread: the event
loop never waits on the model or the database.

Run it inside an existing loop with `start_server()` (`almanac serve` keeps
its site current in that loop; `almanac run` shares it with the scheduler and
the bot).
"""

from __future__ import annotations

import asyncio
import email.utils
import gzip
import hashlib
import json
import logging
import os
import posixpath
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from almanac.links import MAIN_FEEDS, SITEMAP
from almanac.store.database import out_of_reach, reason_of

log = logging.getLogger(__name__)

SearchFn = Callable[[str], dict]

#: Questions are cut to this many characters, as `almanac ask` cuts them.
MAX_QUERY = 1000
#: Searches running at once (each holds a worker thread).
SEARCH_CONCURRENCY = 4
#: Seconds /healthz waits for the database to answer before saying it is down.
HEALTH_TIMEOUT = 5.0
#: Smaller bodies are not worth compressing.
GZIP_MIN_BYTES = 256
#: Seconds a connection may take to send a whole request line and headers (from
#: connecting, or from the previous response): a client trickling a header a
#: byte at a time is cut off then, instead of holding a connection for an hour.
HEADER_TIMEOUT_S = 30.0
#: Longest request line and header line, and most headers, accepted; longer
#: requests get a 400 (aiohttp's limits, made explicit here).
MAX_LINE_BYTES = 8190
MAX_HEADERS = 128

_TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".txt": "text/plain",
    ".json": "application/json",
    ".xml": "application/atom+xml",  # every .xml we build is Atom, except rss.xml and the sitemap
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".ics": "text/calendar",
}
_TEXTUAL = ("text/", "application/xml", "application/atom+xml", "application/rss+xml", "application/feed+json", "application/json", "image/svg+xml")


#: The parts of a sitemap too big for one file (`feeds.sitemap`): sitemap-1.xml, sitemap-2.xml, ...
_SITEMAP_PART = re.compile(r"sitemap-\d+\.xml")
#: A request target in absolute form ("GET http://host/atom.xml"), which HTTP/1.1 servers must
#: accept (RFC 9112 3.2.2; a proxy forwards requests so): the path is what follows the authority.
_ABSOLUTE_FORM = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")


def content_type(rel_path: str) -> str:
    """The Content-Type for a site file, with charset=utf-8 for text."""
    name = posixpath.basename(rel_path)
    if name == MAIN_FEEDS["rss"]:
        kind = "application/rss+xml"
    elif name == MAIN_FEEDS["json"]:
        kind = "application/feed+json"
    elif name == SITEMAP or _SITEMAP_PART.fullmatch(name):
        kind = "application/xml"
    else:
        kind = _TYPES.get(posixpath.splitext(name)[1].lower(), "application/octet-stream")
    return f"{kind}; charset=utf-8" if kind.startswith(_TEXTUAL) else kind


class Refused(Exception):
    """A request path that tries to leave the site."""


def site_path(raw_path: str) -> str:
    """The relative file path a raw request path names ("" is the index; a target in absolute
    form, "http://host/atom.xml", names its path).

    Each segment is percent-decoded once and must be a plain name: `..`, `.`,
    names with `/`, `\\` or NUL after decoding, and hidden names (such as the
    writer's `.tmp-*` files) raise Refused.
    """
    path = _ABSOLUTE_FORM.sub("", raw_path, count=1).split("?", 1)[0].split("#", 1)[0] or "/"
    segments = path.split("/")
    out = []
    for i, raw in enumerate(segments):
        segment = unquote(raw, errors="strict") if "%" in raw else raw
        if segment == "":
            if 0 < i < len(segments) - 1:
                raise Refused(raw_path)  # "//" inside the path
            continue
        if segment in (".", "..") or segment.startswith(".") or any(c in segment for c in "/\\\x00"):
            raise Refused(raw_path)
        out.append(segment)
    rel = "/".join(out)
    if not rel or path.endswith("/"):
        rel = posixpath.join(rel, "index.html") if rel else "index.html"
    return rel


@dataclass
class _Cached:
    mtime_ns: int
    size: int
    body: bytes
    etag: str
    last_modified: str
    gzipped: bytes | None = None


@dataclass
class SiteFiles:
    """Files under `root`, read once and kept while their mtime and size hold.

    The most recently used `max_cached` files stay in memory (with their
    gzipped form), so a crawler walking 10,000 pages cannot grow it without end.
    Loads run in worker threads; the lock keeps the cache consistent.
    """

    root: str
    max_cached: int = 1024
    _cache: OrderedDict = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.root = os.path.realpath(self.root)

    def locate(self, rel: str) -> str | None:
        full = os.path.realpath(os.path.join(self.root, rel))
        if os.path.commonpath([full, self.root]) != self.root:
            raise Refused(rel)  # a symlink pointing out of the site
        return full if os.path.isfile(full) else None

    def load(self, rel: str) -> _Cached | None:
        """Blocking (call from a thread): the file's bytes and validators, or None."""
        full = self.locate(rel)
        if full is None:
            return None
        try:
            return self._read(rel, full)
        except FileNotFoundError:
            return None  # removed by a rebuild between locating and reading: a 404, not a 500

    def _read(self, rel: str, full: str) -> _Cached:
        st = os.stat(full)
        with self._lock:
            cached = self._cache.get(rel)
            if cached and cached.mtime_ns == st.st_mtime_ns and cached.size == st.st_size:
                self._cache.move_to_end(rel)
                return cached
        with open(full, "rb") as fh:
            body = fh.read()
        cached = _Cached(
            mtime_ns=st.st_mtime_ns,
            size=len(body),
            body=body,
            etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
            last_modified=email.utils.formatdate(st.st_mtime, usegmt=True),
        )
        if len(body) >= GZIP_MIN_BYTES and content_type(rel).startswith(_TEXTUAL):
            cached.gzipped = gzip.compress(body, compresslevel=6, mtime=0)
        with self._lock:
            self._cache[rel] = cached
            self._cache.move_to_end(rel)
            while len(self._cache) > self.max_cached:
                self._cache.popitem(last=False)
        return cached


def _not_modified(request: web.Request, f: _Cached) -> bool:
    inm = request.headers.get("If-None-Match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        base = f.etag
        return "*" in tags or base in tags or base[:-1] + '-gzip"' in tags
    ims = request.headers.get("If-Modified-Since")
    if ims:
        try:
            since = email.utils.parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):  # a year of 23 digits overflows
            return False
        return int(f.mtime_ns // 1_000_000_000) <= since
    return False


def _wants_gzip(request: web.Request) -> bool:
    for part in request.headers.get("Accept-Encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            q = params.strip().removeprefix("q=").strip()
            try:
                return not q or float(q) > 0
            except ValueError:
                return True
    return False


def make_app(out_dir: str, search: SearchFn | None = None, database: Callable[[], object] | None = None
             ) -> web.Application:
    """The aiohttp application serving `out_dir`, with `search(q) -> dict` behind /api/search.

    `search` is blocking (model + database) and runs in a worker thread; its
    dict is returned as is, so /api/search answers exactly what
    `almanac ask --json` prints. None: /api/search answers 503.
    `database`: a blocking call that raises when the store does not answer; /healthz then says
    whether it does, and answers 503 when not (it said "ok" while PostgreSQL was down).
    """
    files = SiteFiles(out_dir)
    slots = asyncio.Semaphore(SEARCH_CONCURRENCY)
    probing: asyncio.Future | None = None

    async def database_answers() -> bool:
        """One probe at a time, however many ask (a load balancer polling /healthz during an
        outage must not fill the worker threads search needs), each waited for HEALTH_TIMEOUT."""
        nonlocal probing
        if probing is None or probing.done():
            probing = asyncio.ensure_future(asyncio.to_thread(database))
            # A probe that fails after its waiter gave up: its error is taken here, or asyncio
            # logs "Task exception was never retrieved" with a traceback when the next replaces it.
            probing.add_done_callback(lambda f: f.cancelled() or f.exception())
        try:
            await asyncio.wait_for(asyncio.shield(probing), HEALTH_TIMEOUT)
            return True
        except Exception:  # down, or no answer in time: the probe's own error is the store's to log
            return False

    async def healthz(request: web.Request) -> web.Response:
        built = await asyncio.to_thread(os.path.isfile, os.path.join(files.root, "index.html"))
        health = {"status": "ok", "site": built, "search": search is not None}
        if database is not None:
            health["database"] = await database_answers()
            if not health["database"]:
                health["status"] = "unavailable"
                return web.json_response(health, status=503)
        return web.json_response(health)

    async def api_search(request: web.Request) -> web.Response:
        q = request.query.get("q", "").strip()
        if not q:
            return _error(400, "missing question: use /api/search?q=your+question")
        q = q[:MAX_QUERY]
        if search is None:
            return _error(503, "search is not available on this server")
        async with slots:
            try:
                result = await asyncio.to_thread(search, q)
            except Exception as exc:
                if out_of_reach(exc):  # an outage: one line, not a traceback a request
                    log.error("search failed: the database did not answer (%s)", reason_of(exc))
                    return _error(503, "the database is not answering; try again shortly")
                log.exception("search failed for a query of %d characters", len(q))
                return _error(500, "search failed; the server log has the details")
        return _json(200, result)

    async def static(request: web.Request) -> web.StreamResponse:
        try:
            rel = site_path(request.raw_path)
            found = await asyncio.to_thread(files.load, rel)
        except (Refused, UnicodeDecodeError):
            return web.Response(status=403, text="403: that path is outside the site\n")
        if found is None:
            return web.Response(status=404, text="404: not found\n")
        ctype = content_type(rel)
        headers = {
            "Content-Type": ctype,
            "Last-Modified": found.last_modified,
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
            "ETag": found.etag,
        }
        body = found.body
        if found.gzipped is not None:
            headers["Vary"] = "Accept-Encoding"
            if _wants_gzip(request):
                body = found.gzipped
                headers["Content-Encoding"] = "gzip"
                headers["ETag"] = found.etag[:-1] + '-gzip"'
        if _not_modified(request, found):
            headers.pop("Content-Type")
            return web.Response(status=304, headers=headers)
        return web.Response(body=body, headers=headers)

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/api/search", api_search)
    app.router.add_get("/{tail:.*}", static)
    return app


def _json(status: int, value) -> web.Response:
    body = json.dumps(value, ensure_ascii=False).encode("utf-8")
    return web.Response(status=status, body=body, headers={"Content-Type": "application/json; charset=utf-8"})


def _error(status: int, message: str) -> web.Response:
    return _json(status, {"error": message})


class _QuietAboutBadRequests(logging.LoggerAdapter):
    """The server's logger, minus tracebacks for requests that were never valid HTTP.

    aiohttp answers an oversized request line or header, or bytes that are not
    HTTP, with a 400 and logs the parser's exception with a traceback. That is
    the client's mistake (or a scanner's), not ours: one debug line is enough.
    """

    def exception(self, msg, *args, exc_info=True, **kwargs) -> None:
        if isinstance(exc_info, HttpProcessingError):
            self.logger.debug("answered 400 to a malformed request: %s", type(exc_info).__name__)
            return
        super().exception(msg, *args, exc_info=exc_info, **kwargs)

    def debug(self, msg, *args, exc_info=None, **kwargs) -> None:
        if isinstance(exc_info, HttpProcessingError):
            exc_info = None
        super().debug(msg, *args, exc_info=exc_info, **kwargs)


async def start_server(app: web.Application, host: str, port: int,
                       header_timeout: float = HEADER_TIMEOUT_S) -> web.AppRunner:
    """Start serving `app` on the running loop; returns the runner (call `.cleanup()` to stop).

    `header_timeout` bounds how long a client may take to send its request
    line and headers (aiohttp's keep-alive timer, which starts when the
    connection opens and is not reset by incoming bytes).
    """
    runner = web.AppRunner(
        app,
        access_log=None,
        keepalive_timeout=header_timeout,
        max_line_size=MAX_LINE_BYTES,
        max_field_size=MAX_LINE_BYTES,
        max_headers=MAX_HEADERS,
        logger=_QuietAboutBadRequests(logging.getLogger("aiohttp.server"), {}),
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    return runner


def bound_port(runner: web.AppRunner) -> int:
    """The port actually bound (useful with port 0)."""
    for server in runner.addresses:
        return server[1]
    raise RuntimeError("the server is not listening")
