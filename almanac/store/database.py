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
import re
import urllib.parse
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
    """Whether `target` (--db, $ALMANAC_DB, $DATABASE_URL, [archive] db) names a PostgreSQL database
    (" postgresql://", "POSTGRES://" too: such a URL read as a SQLite file name would be printed
    whole, password and all, in "database directory ... does not exist")."""
    return target.strip().lower().startswith(POSTGRES_SCHEMES)


def postgres_url(target: str) -> str:
    """A PostgreSQL target as libpq reads it: stripped, its scheme in lower case."""
    scheme, sep, rest = target.strip().partition("://")
    return scheme.lower() + sep + rest


#: A password given as a query parameter ("?user=alice&password=..."), which libpq accepts too.
_QUERY_PASSWORD = re.compile(r"(?i)([?&]password=)([^&#]*)")


def _userinfo(url: str) -> tuple[str, str | None, str | None, str]:
    """(scheme with "://", user, password, the rest after the last "@") of a URL, read by hand; user
    and password None when there is no "@" (or, without "://", no "user:password" before it)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        # A URL mistyped ("postgresql:/alm:pw@host/db", "postgres//alm:pw@...", "alm:pw@host/db")
        # is taken for a file path, and the messages about that path showed its password. Read
        # with any "scheme:/" before the last "/" ahead of the "@", the password after the first
        # colon of what follows (more may be hidden than a password; never less).
        at = url.rfind("@")
        slash = url.rfind("/", 0, at)
        user, colon, password = url[slash + 1 : at].partition(":")
        if at == -1 or not colon:
            return "", None, None, url
        return url[: slash + 1], user, password, url[at + 1 :]
    at = rest.rfind("@")
    if at == -1:
        return scheme + sep, None, None, rest
    user, colon, password = rest[:at].partition(":")
    return scheme + sep, user, password if colon else None, rest[at + 1 :]


def redact(url: str) -> str:
    """The URL without its password (for messages and logs): the one after the user name, and a
    `password=` query parameter. Read by hand, never by a URL parser: a URL too broken to parse
    ("[::1" unterminated) must still come out without its password, not as an exception whose
    message holds it."""
    scheme, user, _, rest = _userinfo(url)
    return scheme + (f"{user}@" if user else "") + _QUERY_PASSWORD.sub(r"\1***", rest)


def passwords(url: str) -> list[str]:
    """The password(s) `url` holds, as written and percent-decoded (to scrub from a driver's message)."""
    found = [m.group(2) for m in _QUERY_PASSWORD.finditer(url)]
    _, _, password, _ = _userinfo(url)
    if password is not None:
        found.append(password)
    decoded = [urllib.parse.unquote(p) for p in found]
    return sorted({p for p in found + decoded if p}, key=len, reverse=True)


def scrubbed(text: str, url: str) -> str:
    """`text` (a driver's error message) without `url` or any password it holds: psycopg repeats
    the connection string when it cannot read it ('invalid percent-encoded token: "s3cret%zz"')."""
    if url:
        text = text.replace(url, redact(url))
    for secret in passwords(url):
        text = text.replace(secret, "***")
    return text


def is_database_error(exc: BaseException) -> bool:
    """An error of SQLite or of the PostgreSQL driver or its pool (told by module: psycopg is not
    imported unless the store uses it)."""
    return type(exc).__module__.split(".")[0] in ("sqlite3", "psycopg", "psycopg_pool")


def out_of_reach(exc: BaseException) -> bool:
    """Whether an error says the database cannot be used now (down, unreachable, closed, locked)
    rather than that a statement failed: the store's own StoreError, or either driver's
    OperationalError (PEP 249's name for it, which psycopg_pool's timeouts also are)."""
    return isinstance(exc, StoreError) or (
        is_database_error(exc) and any(c.__name__ == "OperationalError" for c in type(exc).__mro__))


def reason_of(exc: BaseException) -> str:
    """An error's first line for a one-line message, or its type's name when it says nothing."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def open_backend(target: str):
    """The backend for `target`: PostgreSQL for a postgresql:// URL, else a SQLite file."""
    if is_postgres(target):
        from almanac.store.postgres import PostgresBackend

        return PostgresBackend(postgres_url(target))
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
