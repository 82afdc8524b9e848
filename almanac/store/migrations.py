"""Numbered schema migrations, applied in order when the store opens: one list for both backends.

Each migration runs once, in its own transaction, and is recorded in the
`migrations` table. Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

from typing import Callable

from almanac.store.database import StoreError, utc_now


def m001_initial(db, dialect) -> None:
    """Entries (+ full text), embeddings, the posting ledger, targets, subscriptions, meta.

    Plain SQL rather than sqlite-utils' table helpers, because those commit on
    their own and a migration must be one transaction. Where the engines
    differ (types, the full-text index) the dialect says how.
    """
    text, blob = dialect.text, dialect.blob
    # On PostgreSQL `rowid` is a column (SQLite has it built in): insertion order, for
    # the orders that follow it (the vector matrix) and the full-text join.
    rowid = "rowid BIGSERIAL UNIQUE," if dialect.name == "postgresql" else ""
    db.execute(
        f"""
        CREATE TABLE entries (
            {rowid}
            id {text} PRIMARY KEY,
            title {text} NOT NULL,
            date {text} NOT NULL,          -- "2015", "2015-05" or "2015-05-04"
            precision {text} NOT NULL CHECK (precision IN ('year', 'month', 'day')),
            date_label {text} NOT NULL,    -- "May 2015": searchable words for the date
            year INTEGER NOT NULL,
            month INTEGER,
            day INTEGER,
            kind {text} NOT NULL,
            tags {text} NOT NULL,          -- JSON list
            summary {text} NOT NULL,
            url {text},
            source {text} NOT NULL,        -- "file:line" or URL
            source_key {text} NOT NULL,    -- the source (path or URL) the entry belongs to
            content_hash {text} NOT NULL,
            added_at {text} NOT NULL,
            updated_at {text} NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX entries_source_key ON entries (source_key)")
    db.execute("CREATE INDEX entries_date ON entries (year, month, day)")
    dialect.fulltext.create(db)
    db.execute(
        f"""
        CREATE TABLE embeddings (
            entry_id {text} NOT NULL,
            model {text} NOT NULL,
            content_hash {text} NOT NULL,
            dims INTEGER NOT NULL,
            vector {blob} NOT NULL,        -- float32, little-endian, normalised
            PRIMARY KEY (entry_id, model)
        )
        """
    )
    # The posting ledger: one row per (entry, occasion, target). `occasion` is
    # "anniversary:YYYY-MM-DD" or "new"; the unique constraint is what makes a
    # post exactly-once across processes and restarts.
    db.execute(
        f"""
        CREATE TABLE posts (
            id {dialect.serial_key},
            entry_id {text} NOT NULL,
            occasion {text} NOT NULL,
            target {text} NOT NULL,
            status {text} NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            nonce {text} NOT NULL,
            message_id {text},
            claimed_by {text},
            claimed_at {text},
            next_attempt_at {text},
            last_error {text},
            created_at {text} NOT NULL,
            sent_at {text},
            UNIQUE (entry_id, occasion, target)
        )
        """
    )
    db.execute("CREATE INDEX posts_status ON posts (status, next_attempt_at)")
    # Where posts go: a webhook (keyed by a hash, never the secret URL), a bot
    # channel, or the on-this-day feed. `created_at` is the new-entry baseline.
    db.execute(
        f"CREATE TABLE targets (key {text} PRIMARY KEY, kind {text} NOT NULL, label {text}, "
        f"created_at {text} NOT NULL)"
    )
    db.execute(
        f"CREATE TABLE subscriptions (channel_id {text} PRIMARY KEY, guild_id {text}, "
        f"posts {text} NOT NULL CHECK (posts IN ('anniversaries', 'new', 'both')), created_at {text} NOT NULL)"
    )
    db.execute(f"CREATE TABLE meta (key {text} PRIMARY KEY, value {text})")
    db.execute("INSERT INTO meta (key, value) VALUES ('generation', '0')")


def m002_post_unknown_outcomes(db, dialect) -> None:
    """Count, per ledger row, sends whose outcome we never learnt (killed mid-send).

    The ledger resends such a post once and then gives up, so a crash costs
    at most one duplicate (see almanac.posting); that needs the count.
    """
    db.execute("ALTER TABLE posts ADD COLUMN unknown_outcomes INTEGER NOT NULL DEFAULT 0")


def m003_post_leases(db, dialect) -> None:
    """A claim holds a lease (`lease_until`), renewed while its send is in flight.

    A "sending" row whose lease has run out belongs to a process that died (on
    this machine or another): another process takes it over. Rows claimed
    before this migration get a lease that has already run out.
    """
    db.execute(f"ALTER TABLE posts ADD COLUMN lease_until {dialect.text}")
    db.execute("UPDATE posts SET lease_until = claimed_at WHERE status = 'sending'")


def m004_post_edits(db, dialect) -> None:
    """Posts that stay true: what each message shows, and edit jobs that go through a ledger of their own.

    `posts.shown` is the embed (canonical JSON) the message shows, and
    `entry_hash` the content hash of the entry it was rendered from, so a
    refresh finds the messages whose entry changed since without rendering
    every recent post; both NULL on rows posted before this migration (see
    `almanac.editing` for how those are judged).
    `message_state` is NULL while the message is there, 'gone' once Discord
    answered 404 (deleted by someone, or its webhook was), 'deleted' once we
    deleted it: neither is edited again.

    `post_edits` holds one row per edit job, claimed with a lease like a
    post. The partial unique index allows at most one open (pending or
    sending) job per message, so two processes planning at once, or a
    restart, never give one message two editors. `wanted` (a hash of the
    content) keeps a failed edit from being planned again for the same
    content at every refresh; a further change of the entry tries again.
    """
    text = dialect.text
    db.execute(f"ALTER TABLE posts ADD COLUMN shown {text}")
    db.execute(f"ALTER TABLE posts ADD COLUMN entry_hash {text}")
    db.execute(f"ALTER TABLE posts ADD COLUMN message_state {text}")
    db.execute(f"ALTER TABLE posts ADD COLUMN edited_at {text}")
    db.execute(
        f"""
        CREATE TABLE post_edits (
            id {dialect.serial_key},
            post_id BIGINT NOT NULL REFERENCES posts (id),
            target {text} NOT NULL,
            action {text} NOT NULL CHECK (action IN ('edit', 'withdraw', 'delete')),
            status {text} NOT NULL CHECK (status IN ('pending', 'sending', 'done', 'skipped', 'failed', 'gone')),
            attempts INTEGER NOT NULL DEFAULT 0,
            wanted {text},                 -- hash of the content planned (then sent)
            claimed_by {text},
            claimed_at {text},
            lease_until {text},
            next_attempt_at {text},
            last_error {text},
            created_at {text} NOT NULL,
            finished_at {text}
        )
        """
    )
    db.execute("CREATE UNIQUE INDEX post_edits_open ON post_edits (post_id) WHERE status IN ('pending', 'sending')")
    db.execute("CREATE INDEX post_edits_target ON post_edits (target, status)")
    db.execute("CREATE INDEX posts_target_sent ON posts (target, sent_at)")  # the recent posts of a target


def m005_fulltext_postings(db, dialect) -> None:
    """Full text keeps BM25's posting lists in blocks, as FTS5 does (PostgreSQL; nothing on SQLite).

    One row per word and entry made PostgreSQL's ingest three times SQLite's
    and its ranking read thousands of scattered rows a word; see
    `almanac.store.fulltext.Tsvector`.
    """
    dialect.fulltext.postings(db)


def m006_fulltext_accents(db, dialect) -> None:
    """Full text matches words without their accents on PostgreSQL too, as FTS5 does on SQLite
    (`almanac.store.fulltext.Tsvector.fold_accents`)."""
    dialect.fulltext.fold_accents(db)


MIGRATIONS: list[tuple[int, str, Callable]] = [
    (1, "initial", m001_initial),
    (2, "post_unknown_outcomes", m002_post_unknown_outcomes),
    (3, "post_leases", m003_post_leases),
    (4, "post_edits", m004_post_edits),
    (5, "fulltext_postings", m005_fulltext_postings),
    (6, "fulltext_accents", m006_fulltext_accents),
]


def _pending(database) -> bool:
    """Whether a migration is still to apply, read without taking the write lock: every opening of
    the store migrates, and on SQLite each migration's transaction waited for the write lock, so
    `almanac ask` or `list` waited for a long ingest to finish (and failed after 30 s when it was
    paused) though reading needs no lock in WAL mode.

    A database a newer almanac has migrated is refused (`StoreError`): this version does not know
    what its migrations changed, and writing as if they had not happened (an older `almanac run`
    left on a second machine after the first was upgraded) could undo or corrupt what they keep.
    """
    with database.read() as db:
        try:
            done = {row["id"]: row["name"] for row in db.query("SELECT id, name FROM migrations")}
        except database.backend.errors:  # a new database: no table yet
            return True
    known = {number for number, _, _ in MIGRATIONS}
    if newer := sorted(number for number in done if number not in known):
        raise StoreError(
            f"{database.describe()}: a newer almanac has upgraded this database (its migration {newer[-1]}, "
            f"'{str(done[newer[-1]])[:60]}', is unknown to this version, which knows up to {max(known)}); "
            "upgrade almanac to use it")
    return any(number not in done for number in known)


def migrate(database) -> list[int]:
    """Apply every migration not yet recorded; return the numbers applied.

    Each runs in its own transaction under the dialect's migration lock, so
    two processes starting at once on one database apply each migration once.
    """
    dialect = database.dialect
    applied: list[int] = []
    if not _pending(database):
        return applied
    with database.transaction() as db:
        dialect.lock_migrations(db)
        db.execute(
            f"CREATE TABLE IF NOT EXISTS migrations (id INTEGER PRIMARY KEY, name {dialect.text} NOT NULL, "
            f"applied_at {dialect.text} NOT NULL)"
        )
    for number, name, function in MIGRATIONS:
        with database.transaction() as db:
            dialect.lock_migrations(db)
            if db.execute("SELECT 1 FROM migrations WHERE id = ?", [number]).fetchone():
                continue
            function(db, dialect)
            db.execute("INSERT INTO migrations (id, name, applied_at) VALUES (?, ?, ?)", [number, name, utc_now()])
            applied.append(number)
    return applied
