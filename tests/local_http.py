"""A real HTTP server on 127.0.0.1 for the feed-reader tests, serving what a test tells it.

`serving(respond)` runs `respond(handler)` for every GET in a server thread
and shuts the server down when the block ends. The helpers below are the
misbehaving servers the reader must survive: a body cut short, a trickle.
"""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from typing import Callable, Iterator


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    respond: Callable[[http.server.BaseHTTPRequestHandler], None]

    def do_GET(self):
        self.close_connection = True
        try:
            self.respond()
        except OSError:  # the client gave up: nothing more to send
            pass

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serving(respond: Callable[[http.server.BaseHTTPRequestHandler], None]) -> Iterator[str]:
    """The base URL of a server answering every GET with `respond(handler)`."""
    handler = type("Handler", (_Handler,), {"respond": respond})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def head(handler, length: int | None = None, chunked: bool = False) -> None:
    """Status 200 and the headers of an RSS body; Content-Length only when given."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    if length is not None:
        handler.send_header("Content-Length", str(length))
    if chunked:
        handler.send_header("Transfer-Encoding", "chunked")
    handler.send_header("Connection", "close")
    handler.end_headers()


def send_whole(body: bytes):
    def respond(handler):
        head(handler, len(body))
        handler.wfile.write(body)

    return respond


def send_trickle(body: bytes, every_s: float, at_most_s: float):
    """One byte every `every_s`, stopping by itself after `at_most_s` (the test stays bounded)."""

    def respond(handler):
        head(handler)
        handler.wfile.flush()
        stop = time.monotonic() + at_most_s
        for byte in body:
            if time.monotonic() > stop:
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(every_s)

    return respond
