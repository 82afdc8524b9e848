"""What every part of the store shares: errors, times, and the backend it runs on.

A `Store` is domain methods (the mixins) over one *backend*: a SQLite file
(`almanac.store.sqlite`, the embedded default) or a PostgreSQL database
(`almanac.store.postgres`, for processes that share nothing but the
database). Both offer the same three things: `read()` and `transaction()`
yield a handle with `execute(sql, params)` / `query(sql, params)` /
`executemany(sql, rows)`, written with `?` placeholders in the SQL both
engines understand, and `insert_rows` / `update_rows` for many rows at once
(each engine's fastest way: multi-row statements on SQLite, COPY and one
UPDATE on PostgreSQL); and a `dialect` naming the few places where the SQL
differs (types, row locking, full text, lists of ids). The backend is chosen
once, from the target's form: a `postgresql://` URL or a file path.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Iterator


class StoreError(Exception):
    """The database cannot be opened or used; the message says what to do."""


def utc_now() -> str:
    """Now as an ISO 8601 string with its UTC offset (stored times are aware).

    Milliseconds, like the ledger's times: an entry added in the same second
    as a webhook was set up must still sort after it (the new-entry baseline).
    """
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(target: str) -> bool:
    """Whether `target` (--db, $ALMANAC_DB, $DATABASE_URL, [archive] db) names a PostgreSQL database."""
    return target.startswith(POSTGRES_SCHEMES)


def open_backend(target: str):
    """The backend for `target`: PostgreSQL for a postgresql:// URL, else a SQLite file."""
    if is_postgres(target):
        from almanac.store.postgres import PostgresBackend

        return PostgresBackend(target)
    from almanac.store.sqlite import SqliteBackend

    return SqliteBackend(target)


class Database:
    """The backend the mixins share; `path` is what the store was opened with (a file or a URL)."""

    def __init__(self, path: str):
        self.path = path
        self.backend = open_backend(path)
        self.dialect = self.backend.dialect

    @contextlib.contextmanager
    def read(self) -> Iterator:
        """A handle for reads (it sees the last commit; never waits for a writer)."""
        with self.backend.read() as db:
            yield db

    @contextlib.contextmanager
    def transaction(self) -> Iterator:
        """One write transaction: committed at the end, rolled back on any error."""
        with self.backend.transaction() as db:
            yield db

    def close(self) -> None:
        self.backend.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
