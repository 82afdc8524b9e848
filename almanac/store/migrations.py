"""Numbered schema migrations, applied in order when the store opens.

Each migration runs once, in its own transaction, and is recorded in the
`migrations` table. Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

from typing import Callable

import sqlite_utils

from almanac.store.database import utc_now


def m001_initial(db: sqlite_utils.Database) -> None:
    """Entries (+ FTS5), embeddings, the posting ledger, targets, subscriptions, meta.

    Plain SQL rather than sqlite-utils' table helpers, because those commit on
    their own and a migration must be one transaction.
    """
    db.execute(
        """
        CREATE TABLE entries (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            date TEXT NOT NULL,          -- "2015", "2015-05" or "2015-05-04"
            precision TEXT NOT NULL CHECK (precision IN ('year', 'month', 'day')),
            date_label TEXT NOT NULL,    -- "May 2015": searchable words for the date
            year INTEGER NOT NULL,
            month INTEGER,
            day INTEGER,
            kind TEXT NOT NULL,
            tags TEXT NOT NULL,          -- JSON list
            summary TEXT NOT NULL,
            url TEXT,
            source TEXT NOT NULL,        -- "file:line" or URL
            source_key TEXT NOT NULL,    -- the source (path or URL) the entry belongs to
            content_hash TEXT NOT NULL,
            added_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX entries_source_key ON entries (source_key)")
    db.execute("CREATE INDEX entries_date ON entries (year, month, day)")
    db.execute(
        """
        CREATE VIRTUAL TABLE entries_fts USING fts5 (
            title, date_label, summary, tags,
            content = 'entries', content_rowid = 'rowid',
            tokenize = 'porter unicode61 remove_diacritics 2'
        )
        """
    )
    cols, new_cols = "title, date_label, summary, tags", "new.title, new.date_label, new.summary, new.tags"
    old_cols = "old.title, old.date_label, old.summary, old.tags"
    db.execute(
        f"CREATE TRIGGER entries_ai AFTER INSERT ON entries BEGIN "
        f"INSERT INTO entries_fts (rowid, {cols}) VALUES (new.rowid, {new_cols}); END"
    )
    db.execute(
        f"CREATE TRIGGER entries_ad AFTER DELETE ON entries BEGIN "
        f"INSERT INTO entries_fts (entries_fts, rowid, {cols}) VALUES ('delete', old.rowid, {old_cols}); END"
    )
    db.execute(
        f"CREATE TRIGGER entries_au AFTER UPDATE ON entries BEGIN "
        f"INSERT INTO entries_fts (entries_fts, rowid, {cols}) VALUES ('delete', old.rowid, {old_cols}); "
        f"INSERT INTO entries_fts (rowid, {cols}) VALUES (new.rowid, {new_cols}); END"
    )
    db.execute(
        """
        CREATE TABLE embeddings (
            entry_id TEXT NOT NULL,
            model TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            dims INTEGER NOT NULL,
            vector BLOB NOT NULL,        -- float32, little-endian, normalised
            PRIMARY KEY (entry_id, model)
        )
        """
    )
    # The posting ledger: one row per (entry, occasion, target). `occasion` is
    # "anniversary:YYYY-MM-DD" or "new"; the unique constraint is what makes a
    # post exactly-once across processes and restarts.
    db.execute(
        """
        CREATE TABLE posts (
            id INTEGER PRIMARY KEY,
            entry_id TEXT NOT NULL,
            occasion TEXT NOT NULL,
            target TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            nonce TEXT NOT NULL,
            message_id TEXT,
            claimed_by TEXT,
            claimed_at TEXT,
            next_attempt_at TEXT,
            last_error TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            UNIQUE (entry_id, occasion, target)
        )
        """
    )
    db.execute("CREATE INDEX posts_status ON posts (status, next_attempt_at)")
    # Where posts go: a webhook (keyed by a hash, never the secret URL), a bot
    # channel, or the on-this-day feed. `created_at` is the new-entry baseline.
    db.execute(
        "CREATE TABLE targets (key TEXT PRIMARY KEY, kind TEXT NOT NULL, label TEXT, created_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE subscriptions (channel_id TEXT PRIMARY KEY, guild_id TEXT, "
        "posts TEXT NOT NULL CHECK (posts IN ('anniversaries', 'new', 'both')), created_at TEXT NOT NULL)"
    )
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("INSERT INTO meta (key, value) VALUES ('generation', '0')")


def m002_post_unknown_outcomes(db: sqlite_utils.Database) -> None:
    """Count, per ledger row, sends whose outcome we never learnt (killed mid-send).

    The ledger resends such a post once and then gives up, so a crash costs
    at most one duplicate (see almanac.posting); that needs the count.
    """
    db.execute("ALTER TABLE posts ADD COLUMN unknown_outcomes INTEGER NOT NULL DEFAULT 0")


def m003_post_leases(db: sqlite_utils.Database) -> None:
    """A claim holds a lease (`lease_until`), renewed while its send is in flight.

    A "sending" row whose lease has run out belongs to a process that died (on
    this machine or another): another process takes it over. Rows claimed
    before this migration get a lease that has already run out.
    """
    db.execute("ALTER TABLE posts ADD COLUMN lease_until TEXT")
    db.execute("UPDATE posts SET lease_until = claimed_at WHERE status = 'sending'")


MIGRATIONS: list[tuple[int, str, Callable[[sqlite_utils.Database], None]]] = [
    (1, "initial", m001_initial),
    (2, "post_unknown_outcomes", m002_post_unknown_outcomes),
    (3, "post_leases", m003_post_leases),
]


def migrate(database) -> list[int]:
    """Apply every migration not yet recorded; return the numbers applied."""
    applied: list[int] = []
    with database.transaction() as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
    for number, name, function in MIGRATIONS:
        with database.transaction() as db:
            if db.execute("SELECT 1 FROM migrations WHERE id = ?", [number]).fetchone():
                continue
            function(db)
            db.execute("INSERT INTO migrations (id, name, applied_at) VALUES (?, ?, ?)", [number, name, utc_now()])
            applied.append(number)
    return applied
