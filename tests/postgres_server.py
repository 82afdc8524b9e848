"""A private PostgreSQL server for the test session, or the one $ALMANAC_TEST_DATABASE_URL names.

`initdb` into a fresh temporary directory (as the `postgres` OS user when we
are root: the server refuses to run as root), listening only on 127.0.0.1 at
a free port, durability off (a test server: fsync buys nothing), stopped and
removed at the end. Each test gets a database of its own (`new_database`).
When neither the binaries nor a URL are there, `unavailable()` says why, and
the PostgreSQL variants skip with that reason (like the browser test).
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import urllib.parse

import psycopg

URL_ENV = "ALMANAC_TEST_DATABASE_URL"


def _bin_dir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def unavailable() -> str | None:
    """Why no PostgreSQL can be had here (None: one can)."""
    if os.environ.get(URL_ENV):
        return None
    if _bin_dir() is None:
        return f"no PostgreSQL: install Debian's postgresql (make test does, as root) or set ${URL_ENV}"
    if os.geteuid() == 0 and not _user_exists("postgres"):
        return "no PostgreSQL: running as root and there is no `postgres` user to run the server as"
    return None


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """The server; `url` is its maintenance database, `new_database()` a fresh one per test."""

    def __init__(self):
        self.url = os.environ.get(URL_ENV, "")
        self._dir: str | None = None
        self._names = itertools.count(1)
        self._prefix = f"almanac_test_{os.getpid()}_"

    def start(self) -> PostgresServer:
        if self.url:
            return self
        bin_dir = _bin_dir()
        self._dir = tempfile.mkdtemp(prefix="almanac-pg-")
        data, sock = os.path.join(self._dir, "data"), os.path.join(self._dir, "sock")
        os.makedirs(sock)
        as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self._dir, "postgres")
            shutil.chown(sock, "postgres")
            as_user = ["runuser", "-u", "postgres", "--"]
        self._run(as_user + [f"{bin_dir}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "--locale=C",
                             "-E", "UTF8", "--no-sync"])
        port = _free_port()
        options = (f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=200")
        self._start = as_user + [f"{bin_dir}/pg_ctl", "-D", data, "-o", options, "-l", os.path.join(self._dir, "log"),
                                 "-w", "-t", "30", "start"]
        self._run(self._start)
        self._stop = as_user + [f"{bin_dir}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"]
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        return self

    def _run(self, argv: list[str]) -> None:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=self._dir)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:6])} failed: {done.stderr.strip() or done.stdout.strip()}")

    def new_database(self) -> str:
        """A fresh, empty database on the server; its URL."""
        name = f"{self._prefix}{next(self._names)}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        parts = urllib.parse.urlsplit(self.url)
        return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))

    def drop_database(self, url: str) -> None:
        name = urllib.parse.urlsplit(url).path.lstrip("/")
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def crash(self) -> None:
        """Stop the server at once, as a crash or a lost host would (its clients' connections die)."""
        self._run(self._stop)

    def resume(self) -> None:
        """Start it again after `crash`, on the same port with the same data."""
        self._run(self._start)

    def stop(self) -> None:
        if self._dir is None:
            return
        try:
            self._run(self._stop)
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
