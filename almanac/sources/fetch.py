"""Fetching a feed URL within a total deadline and a size cap.

A socket timeout alone bounds each read, not the fetch: a server sending one
byte a second never trips it. So a watchdog timer shuts the connection's
socket down when the deadline passes, whatever phase the fetch is in
(headers, TLS, body), and the body is read in pieces so the size cap holds
too. A body shorter than its Content-Length (or a chunked body cut off) is a
problem, never a shorter feed.
"""

from __future__ import annotations

import http.client
import socket
import threading
import urllib.error
import urllib.request

from almanac.sources.problems import Problem, SourceError
from almanac.sources.reading import ReadLimits, clip, too_large

USER_AGENT = "almanac (+feed reader)"
_CHUNK = 64 * 1024


class _Watchdog:
    """Shuts down every socket it tracks once `seconds` have passed."""

    def __init__(self, seconds: float):
        self.fired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def track(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._sockets.append(sock)
            if self.fired:
                _shutdown(sock)
        return sock

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shutdown(sock)

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)  # wakes a recv blocked in another thread
    except OSError:
        pass


def _watched(connection_class, watchdog: _Watchdog):
    """A connection factory for urllib whose sockets the watchdog tracks."""

    def make(host, **kwargs):
        conn = connection_class(host, **kwargs)
        create = conn._create_connection
        conn._create_connection = lambda *a, **k: watchdog.track(create(*a, **k))
        return conn

    return make


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, watchdog: _Watchdog):
        super().__init__()
        self._watchdog = watchdog

    def http_open(self, req):
        return self.do_open(_watched(http.client.HTTPConnection, self._watchdog), req)


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, watchdog: _Watchdog):
        super().__init__()
        self._watchdog = watchdog

    def https_open(self, req):
        return self.do_open(_watched(http.client.HTTPSConnection, self._watchdog), req, context=self._context)


def _opener(watchdog: _Watchdog) -> urllib.request.OpenerDirector:
    """http(s) only: a redirect to ftp: or file: is refused rather than read without bounds."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        _HTTP(watchdog),
        _HTTPS(watchdog),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPRedirectHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def fetch_url(url: str, limits: ReadLimits) -> bytes:
    """The whole body of `url`, or SourceError (unreachable, too slow, too large, cut short)."""
    deadline = limits.fetch_deadline_s

    def problem(message: str) -> SourceError:
        return SourceError([Problem(url, None, "url", message)])

    def cut_short(expected: int | None) -> SourceError:
        of = f" of {expected}" if expected is not None else ""
        return problem(f"the response ended early, after {len(body)}{of} bytes; nothing from it was stored")

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    body = bytearray()
    expected = None
    with _Watchdog(deadline) as watchdog:
        try:
            # The socket timeout is a backstop; the watchdog ends the fetch first.
            with _opener(watchdog).open(request, timeout=deadline + 5) as response:
                declared = response.headers.get("Content-Length", "")
                expected = int(declared) if declared.isdigit() else None
                if expected is not None and expected > limits.max_bytes:
                    raise too_large(url, limits, "url")
                while chunk := response.read1(_CHUNK):
                    body += chunk
                    if len(body) > limits.max_bytes:
                        raise too_large(url, limits, "url")
        except SourceError:
            raise
        except http.client.IncompleteRead:  # a chunked body cut off
            if watchdog.fired:
                raise problem(f"gave up after the {deadline:g} s deadline") from None
            raise cut_short(None) from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            if watchdog.fired:
                raise problem(f"gave up after the {deadline:g} s deadline") from None
            reason = getattr(exc, "reason", None) or type(exc).__name__
            raise problem(f"could not fetch: {clip(str(reason), 120)}") from None  # a server's words: cleaned
        if watchdog.fired:
            raise problem(f"gave up after the {deadline:g} s deadline")
    if expected is not None and len(body) < expected:
        raise cut_short(expected)
    return bytes(body)
