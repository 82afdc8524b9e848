"""Opening the SQLite file: pragmas, one lock, transactions, migrations.

Every part of almanac (the bot, the web server, the scheduler, the CLI) may
use the store from several threads and processes at once. So the file runs in
WAL mode with a busy timeout, a write starts with BEGIN IMMEDIATE (it takes
the write lock up front instead of failing half-way on "database is locked"),
and within one process one lock serialises use of the connection.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import threading
from typing import Iterator

import sqlite_utils

BUSY_TIMEOUT_MS = 30_000


class StoreError(Exception):
    """The database cannot be opened or used; the message says what to do."""


def utc_now() -> str:
    """Now as an ISO 8601 string with its UTC offset (stored times are aware).

    Milliseconds, like the ledger's times: an entry added in the same second
    as a webhook was set up must still sort after it (the new-entry baseline).
    """
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def connect(path: str) -> sqlite_utils.Database:
    """Open (or create) the database file with the pragmas almanac relies on."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise StoreError(
            f"database directory {os.path.dirname(path) or '.'!s} does not exist; create it or pass --db PATH"
        )
    conn = None
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()
        raise StoreError(f"{path}: cannot open the database ({exc}); check the path or pass --db PATH") from None
    return sqlite_utils.Database(conn)


class Database:
    """The connections, the write lock, and the transaction helper the mixins share.

    Writes go through one connection under one lock (short BEGIN IMMEDIATE
    transactions). Reads use a connection of their own thread, without that
    lock: in WAL mode readers see the last commit and never wait for a writer,
    so a bot command or a web request is not held up while a refresh writes a
    large source.
    """

    def __init__(self, path: str):
        self.path = path
        self.db = connect(path)
        self._lock = threading.RLock()
        self._local = threading.local()
        self._readers: list[sqlite_utils.Database] = []
        self._closed = False

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite_utils.Database]:
        """This thread's read connection (opened on first use)."""
        reader = getattr(self._local, "reader", None)
        if reader is None:
            with self._lock:
                if self._closed:
                    raise StoreError(f"{self.path}: the store is closed")
                reader = connect(self.path)
                self._readers.append(reader)
            self._local.reader = reader
        yield reader

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One write transaction: committed at the end, rolled back on any error."""
        with self._lock:
            conn = self.db.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for reader in self._readers:
                reader.close()
            self._readers.clear()
            self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
