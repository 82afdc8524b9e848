"""The PostgreSQL backend: a connection pool and the store's SQL, for processes that share only a database.

The mixins write SQL both engines understand, with `?` placeholders; this
backend turns them into psycopg's `%s` (`pg_sql`), so the domain methods are
one implementation. What differs is the `PostgresDialect`: text columns in
the "C" collation (times are ISO strings compared as text, and ids sort as
on SQLite), BYTEA vectors, `FOR UPDATE SKIP LOCKED` on the ledger's claim,
`tsvector` full text. Writes are serialised by a transaction-scoped
advisory lock, as SQLite's single writer serialises them, so a domain
method behaves the same on both (e.g. two ingests of one source at once).
Reads never wait for it. Connections come from a `psycopg_pool` pool shared
by the threads of the process (bot, web server, scheduler).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import select
import socket
from dataclasses import dataclass
from typing import Iterator

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from almanac.store.database import StoreError, reason_of, redact, scrubbed
from almanac.store.fulltext import Tsvector

#: Advisory lock keys (class, key) of almanac: migrations, writes; instance locks use a hash of the purpose.
LOCK_CLASS = 0x616C6D  # "alm"
MIGRATIONS_LOCK = 1
WRITE_LOCK = 2
POOL_SIZE = 8
CONNECT_TIMEOUT = 10
#: What to do about a database that cannot be reached or opened.
URL_HINT = "check the URL or pass --db"
#: Seconds a caller waits for a pooled connection, and that psycopg_pool keeps retrying one
#: connection (its delays doubling) before giving up, so that the next caller starts afresh.
#: With the library's own (30 s, 300 s), a search during an outage hung for 30 s, and the first
#: one after the server came back waited 10-21 s more (its retry delay had grown to 16 s, and
#: callers already waiting start no new attempt); with these, about 1 s after a 40 s outage
#: (measured on a real server stopped under a store). A wait of 10 s is not reached in use: a
#: statement holds a connection for milliseconds, and eight are there. Each connection is also
#: checked as it leaves the pool (`_still_open`): one idle through a restart is dead, and the
#: first statement after the outage failed on it.
WAIT_TIMEOUT = 10
RECONNECT_TIMEOUT = 5


@dataclass(frozen=True)
class PostgresDialect:
    name: str = "postgresql"
    text: str = 'TEXT COLLATE "C"'
    blob: str = "BYTEA"
    serial_key: str = "BIGSERIAL PRIMARY KEY"
    lock_rows: str = " FOR UPDATE SKIP LOCKED"
    integrity_error: type = psycopg.IntegrityError
    fulltext: Tsvector = Tsvector()
    #: Ids per `id_in` list (one array parameter: no limit worth chunking for).
    ids_per_statement: int = 100_000

    def id_in(self, column: str, ids: list[str]) -> tuple[str, list]:
        """SQL saying `column` is one of `ids`: one array parameter, so the statement's text is the
        same whatever the count and the server prepares it once per connection."""
        return f"{column} = ANY(CAST(? AS text[]))", [list(ids)]

    def lock_migrations(self, db) -> None:
        """Two processes starting at once: the second waits, then finds the migrations applied."""
        db.execute("SELECT pg_advisory_xact_lock(?, ?)", [LOCK_CLASS, MIGRATIONS_LOCK])

    def after_copy(self, db) -> None:
        """Rows copied with their ids: the sequences go on after the largest."""
        for table, column in (("posts", "id"), ("post_edits", "id"), ("entries", "rowid")):
            db.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                f"COALESCE((SELECT max({column}) FROM {table}), 0) + 1, false)"
            )


@functools.lru_cache(maxsize=1024)
def pg_sql(sql: str) -> str:
    """The store's SQL with psycopg placeholders (`?` -> `%s`, a literal `%` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PgHandle:
    """A pooled connection as the mixins use it: `execute` (tuples), `query` (dicts), `executemany`,
    `insert_rows` and `update_rows`.

    Results come in binary: vectors arrive as their bytes, not as hex text
    twice their size to decode (a question reads some 60 blocks of vectors).
    """

    def __init__(self, conn: psycopg.Connection):
        self.conn = conn

    def execute(self, sql: str, params=()):
        return self.conn.cursor(binary=True).execute(pg_sql(sql), list(params))

    def query(self, sql: str, params=()):
        return self.conn.cursor(row_factory=dict_row, binary=True).execute(pg_sql(sql), list(params))

    def executemany(self, sql: str, rows) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(pg_sql(sql), rows)

    def insert_rows(self, table: str, columns: str, rows: list) -> None:
        """Insert `rows` (tuples in the order of `columns`) with one COPY: one statement, so the
        full-text trigger runs once for all of them (one posting block per word)."""
        if not rows:
            return
        with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def update_rows(self, table: str, key: str, columns: str, rows: list) -> None:
        """Set `columns` of the rows whose `key` is each row's last value, in one UPDATE (the
        full-text trigger rewrites each posting block once, not once per row)."""
        if not rows:
            return
        names = [c.strip() for c in columns.split(",")]
        self.conn.execute(f"CREATE TEMP TABLE almanac_update AS SELECT {columns}, {key} FROM {table} WITH NO DATA")
        self.insert_rows("almanac_update", f"{columns}, {key}", rows)
        sets = ", ".join(f"{c} = u.{c}" for c in names)
        self.conn.execute(f"UPDATE {table} AS t SET {sets} FROM almanac_update AS u WHERE t.{key} = u.{key}")
        self.conn.execute("DROP TABLE almanac_update")


def _still_open(conn: psycopg.Connection) -> None:
    """Raise if the server closed `conn` while it sat in the pool (a restart, a crash, an idle
    timeout), so the pool hands out another. It reads only what the socket already holds, no
    round trip: psycopg_pool's own check (an empty query) made a short read take 1.7-1.9 times
    as long on this host, this one a few per cent; a closed socket is what a server going away
    leaves. A server going away first sends its farewell (an error message), then closes: two
    reads, the second of which raises. (poll, not select: select refuses descriptors past 1023.)"""
    pgconn = conn.pgconn
    waiting = select.poll()
    waiting.register(pgconn.socket, select.POLLIN)
    for _ in range(3):  # an idle connection is sent nothing else but a notice now and then
        if not waiting.poll(0):
            break
        pgconn.consume_input()
    if pgconn.status != psycopg.pq.ConnStatus.OK:
        raise psycopg.OperationalError("the server closed the connection")


class _OneLine(logging.Filter):
    """psycopg_pool's warnings on one line: libpq's reasons run on ("Connection refused\n\tIs the
    server running ..."), and during an outage the pool logs one per retry."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args or "\n" in str(record.msg):
            record.msg, record.args = " ".join(record.getMessage().split()), ()
        return True


_ONE_LINE = _OneLine()


def _connect_error(url: str, exc: Exception) -> StoreError:
    return StoreError(f"{redact(url)}: cannot connect to the database ({scrubbed(reason_of(exc), url)}); "
                      + URL_HINT)


class PostgresBackend:
    dialect = PostgresDialect()
    errors = (psycopg.Error,)

    def __init__(self, url: str):
        self.path = url
        try:  # one plain connection first: its error says why (the pool's would only time out)
            psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT).close()
        except (psycopg.Error, ValueError) as exc:  # ValueError: a URL psycopg's parser refuses
            raise _connect_error(url, exc) from None
        # JIT off: almanac's statements are short, and a plan costed high on a table not yet
        # analysed (just after an ingest) compiled for 0.7 s to run for 10 ms.
        logging.getLogger("psycopg.pool").addFilter(_ONE_LINE)  # added once, however many stores
        self.pool = ConnectionPool(
            url, min_size=1, max_size=POOL_SIZE, open=True, name="almanac",
            timeout=WAIT_TIMEOUT, reconnect_timeout=RECONNECT_TIMEOUT, check=_still_open,
            kwargs={"autocommit": True, "application_name": _application_name("store"), "options": "-c jit=off"},
        )

    def describe(self) -> str:
        return redact(self.path)

    def open_hint(self, exc: Exception) -> str:
        return URL_HINT

    @contextlib.contextmanager
    def read(self) -> Iterator[PgHandle]:
        with self.pool.connection() as conn:
            yield PgHandle(conn)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[PgHandle]:
        with self.pool.connection() as conn, conn.transaction():
            handle = PgHandle(conn)
            handle.execute("SELECT pg_advisory_xact_lock(?, ?)", [LOCK_CLASS, WRITE_LOCK])
            yield handle

    def instance_lock(self, purpose: str) -> AdvisoryLock:
        return AdvisoryLock(self.path, purpose)

    def close(self) -> None:
        self.pool.close()


def _application_name(role: str) -> str:
    """Who holds a connection, as `pg_stat_activity` shows it (and the instance lock's message)."""
    return f"almanac {role} (pid {os.getpid()} on {socket.gethostname()})"[:63]


class AdvisoryLock:
    """One `almanac run` per PostgreSQL database: a session advisory lock on a connection of its own.

    The server drops the lock when that connection ends, also when the
    holder is killed, so a crash never leaves a stale lock behind.
    """

    def __init__(self, url: str, purpose: str = "run"):
        self.url = url
        self.purpose = purpose
        self.key = int.from_bytes(hashlib.sha256(purpose.encode()).digest()[:4], "big", signed=True)
        self._conn: psycopg.Connection | None = None

    def acquire(self) -> None:
        from almanac.instance_lock import AlreadyRunning

        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT,
                                   application_name=_application_name(self.purpose))
        except (psycopg.Error, ValueError) as exc:
            raise _connect_error(self.url, exc) from None
        if conn.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, self.key]).fetchone()[0]:
            self._conn = conn
            return
        row = conn.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.classid = %s AND l.objid = %s AND l.granted",
            [LOCK_CLASS, self.key & 0xFFFFFFFF],
        ).fetchone()
        conn.close()
        holder = row[0].split("(", 1)[-1].rstrip(")") if row and "(" in row[0] else "another process"
        raise AlreadyRunning(
            f"another `almanac {self.purpose}` ({holder}) is using {redact(self.url)}; "
            "stop it first, or pass --db to use another database"
        )

    def keep(self) -> None:
        """Make sure the lock is still held; raise `AlreadyRunning` if another process took it.

        The server drops a session lock with its connection, also when the server restarts or
        fails over, and nothing told the holder: a second `almanac run` then started beside it
        (the PostgreSQL review). Called every few seconds by the holder: a lost connection is
        replaced and the lock taken again; while the server is out of reach nothing is decided,
        and this is asked again later."""
        try:
            if self._conn is not None:
                self._conn.execute("SELECT 1")
                return
        except psycopg.Error:
            self._conn.close()
            self._conn = None
        try:
            self.acquire()
        except StoreError:  # out of reach: the holder carries on, and asks again
            pass

    def release(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> AdvisoryLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
