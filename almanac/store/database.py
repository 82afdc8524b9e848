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
    """The connection, its lock, and the transaction helper the mixins share."""

    def __init__(self, path: str):
        self.path = path
        self.db = connect(path)
        self._lock = threading.RLock()

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite_utils.Database]:
        """Use the connection for reads (serialised within this process)."""
        with self._lock:
            yield self.db

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
            self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
