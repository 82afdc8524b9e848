"""The SQLite backend: one file, WAL, a write lock, a read connection per thread.

Every part of almanac (the bot, the web server, the scheduler, the CLI) may
use the store from several threads and processes at once. So the file runs in
WAL mode with a busy timeout, a write starts with BEGIN IMMEDIATE (it takes
the write lock up front instead of failing half-way on "database is locked"),
and within one process one lock serialises use of the write connection.
Reads use a connection of their own thread, without that lock: in WAL mode
readers see the last commit and never wait for a writer.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from dataclasses import dataclass
from typing import Iterator

import sqlite_utils

from almanac.store.database import StoreError, redact
from almanac.store.fulltext import Fts5

BUSY_TIMEOUT_MS = 30_000
#: Values per multi-row INSERT (within SQLite's 32,766 parameters; 500 entries of 17 columns).
INSERT_VALUES = 8_500


@dataclass(frozen=True)
class SqliteDialect:
    name: str = "sqlite"
    text: str = "TEXT"
    blob: str = "BLOB"
    #: An integer key the engine numbers itself.
    serial_key: str = "INTEGER PRIMARY KEY"
    #: Appended to the ledger's claim SELECT (BEGIN IMMEDIATE already serialises writers).
    lock_rows: str = ""
    integrity_error: type = sqlite3.IntegrityError
    fulltext: Fts5 = Fts5()
    #: Ids per `id_in` list (each is a parameter).
    ids_per_statement: int = 500

    def id_in(self, column: str, ids: list[str]) -> tuple[str, list]:
        """SQL saying `column` is one of `ids`, and its parameters."""
        return f"{column} IN ({','.join('?' * len(ids))})", list(ids)

    def lock_migrations(self, db) -> None:
        """BEGIN IMMEDIATE already keeps a second process out while one migrates."""

    def after_copy(self, db) -> None:
        """Nothing: INTEGER PRIMARY KEY goes on from the largest id by itself."""


def connect(path: str) -> sqlite_utils.Database:
    """Open (or create) the database file with the pragmas almanac relies on."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise StoreError(
            f"database directory {redact(os.path.dirname(path)) or '.'!s} does not exist; create it or pass --db PATH"
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
        raise StoreError(f"{path}: cannot open the database ({exc}); {open_hint(path, exc)}") from None
    return sqlite_utils.Database(conn)


def open_hint(path: str, exc: Exception) -> str:
    """What to do about a database that would not open: SQLite's own words ("database is locked",
    "attempt to write a readonly database") name neither the other process nor the folder."""
    reason = str(exc)
    folder = os.path.dirname(os.path.abspath(path))  # SQLite writes its -wal and -shm files beside it
    if "locked" in reason:
        return "another process is writing to it; try again when it has finished"
    if "readonly" in reason:
        if not os.access(folder, os.W_OK):
            return f"its folder {folder} is not writable, and SQLite keeps two files beside the database"
        return "the file is not writable"
    if "disk I/O error" in reason or "disk is full" in reason:
        # Opening switches to WAL mode, which creates two files beside the database: on a full disk
        # (or a failing one) that fails before any read.
        return f"is the disk holding {folder} full? SQLite keeps two files beside the database"
    return "check the path or pass --db PATH"


class SqliteHandle:
    """A connection as the mixins use it (sqlite-utils' `execute`/`query`, plus `executemany`)."""

    def __init__(self, db: sqlite_utils.Database):
        self._db = db

    def execute(self, sql: str, params=()):
        return self._db.execute(sql, params)

    def query(self, sql: str, params=()):
        return self._db.query(sql, params)

    def executemany(self, sql: str, rows) -> None:
        self._db.conn.executemany(sql, rows)

    def insert_rows(self, table: str, columns: str, rows: list) -> None:
        """Insert `rows` (tuples in the order of `columns`), many rows per INSERT statement."""
        if not rows:
            return
        width = len(rows[0])
        per = max(1, INSERT_VALUES // width)
        for start in range(0, len(rows), per):
            batch = rows[start : start + per]
            marks = ", ".join([f"({', '.join('?' * width)})"] * len(batch))
            self._db.execute(f"INSERT INTO {table} ({columns}) VALUES {marks}", [v for row in batch for v in row])

    def update_rows(self, table: str, key: str, columns: str, rows: list) -> None:
        """Set `columns` of the rows whose `key` is each row's last value (the others in `columns`' order)."""
        sets = ", ".join(f"{c.strip()} = ?" for c in columns.split(","))
        self._db.conn.executemany(f"UPDATE {table} SET {sets} WHERE {key} = ?", rows)


class SqliteBackend:
    dialect = SqliteDialect()
    errors = (sqlite3.DatabaseError,)

    def __init__(self, path: str):
        self.path = path
        self.db = connect(path)
        self._lock = threading.RLock()
        self._local = threading.local()
        self._readers: list[sqlite_utils.Database] = []
        self._closed = False

    def describe(self) -> str:
        return os.path.abspath(self.path)

    def open_hint(self, exc: Exception) -> str:
        return open_hint(self.path, exc)

    @contextlib.contextmanager
    def read(self) -> Iterator[SqliteHandle]:
        """This thread's read connection (opened on first use)."""
        reader = getattr(self._local, "reader", None)
        if reader is None:
            with self._lock:
                if self._closed:
                    raise StoreError(f"{self.path}: the store is closed")
                reader = connect(self.path)
                self._readers.append(reader)
            self._local.reader = reader
        yield SqliteHandle(reader)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[SqliteHandle]:
        with self._lock:
            conn = self.db.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield SqliteHandle(self.db)
                conn.execute("COMMIT")
            except BaseException:
                # SQLite has rolled back by itself after some errors ("database or disk is full"); a
                # ROLLBACK then raises "no transaction is active" in place of the error that tells.
                # A COMMIT that failed (a full disk) leaves it open: rolled back, the connection is
                # ready for the next transaction.
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def instance_lock(self, purpose: str):
        """A lock file beside the database (see `almanac.instance_lock`)."""
        from almanac.instance_lock import InstanceLock

        return InstanceLock(self.path, purpose)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for reader in self._readers:
                reader.close()
            self._readers.clear()
            self.db.close()
