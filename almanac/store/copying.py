"""Copying a whole archive from one store to another (SQLite <-> PostgreSQL), `almanac db copy`.

Why: a user who started with `make run` (a SQLite file) and moves to a host
with PostgreSQL must keep the ledger, or every anniversary of the day is
posted again, and keep the vectors, or everything is embedded again. So
entries (in their insertion order: the vector matrix follows it), vectors,
the ledger (with its ids: `almanac posts --retry ID` keeps working; with what
each message shows and its edits, so nothing is edited again), targets
(with their new-entry baselines) and subscriptions go over as they are, in
one transaction on the target. A target that already holds anything is
refused unless `force`, which replaces what it holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from almanac.store.database import StoreError
from almanac.store.entries import _COLUMNS, BUMP

#: (table, columns, order): what a copy moves, parents first.
TABLES = [
    ("entries", _COLUMNS, "rowid"),
    ("embeddings", "entry_id, model, content_hash, dims, vector", "entry_id, model"),
    ("posts", "id, entry_id, occasion, target, status, attempts, nonce, message_id, claimed_by, claimed_at, "
              "next_attempt_at, last_error, created_at, sent_at, unknown_outcomes, lease_until, shown, "
              "entry_hash, message_state, edited_at", "id"),
    ("post_edits", "id, post_id, target, action, status, attempts, wanted, claimed_by, claimed_at, lease_until, "
                   "next_attempt_at, last_error, created_at, finished_at", "id"),
    ("targets", "key, kind, label, created_at", "key"),
    ("subscriptions", "channel_id, guild_id, posts, created_at", "channel_id"),
]
BATCH = 1000
#: Entries per batch: each is one statement on the target (a COPY on PostgreSQL, whose full-text
#: trigger then writes one posting block per word a batch), and entries are small beside vectors.
ENTRY_BATCH = 10_000


@dataclass
class CopyReport:
    counts: dict[str, int]

    def summary(self) -> str:
        c = self.counts
        edits = f", {c['post_edits']} edits" if c.get("post_edits") else ""
        return (f"{c['entries']} entries, {c['embeddings']} vectors, {c['posts']} ledger rows{edits}, "
                f"{c['targets']} targets, {c['subscriptions']} subscriptions")


def held(store) -> dict[str, int]:
    """How many rows of each copied table `store` holds."""
    with store.read() as db:
        return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table, _, _ in TABLES}


def copy_store(source, target, force: bool = False) -> CopyReport:
    """Copy everything `TABLES` names from `source` into `target` (see the module's docstring)."""
    there = held(target)
    if any(there.values()) and not force:
        raise StoreError(
            f"{target.describe()} is not empty ({there['entries']} entries, {there['posts']} ledger rows, "
            f"{there['targets']} targets, {there['subscriptions']} subscriptions); "
            "pass --force to replace what it holds"
        )
    counts = {}
    with source.read() as src, target.transaction() as dst:
        for table, _, _ in reversed(TABLES):
            dst.execute(f"DELETE FROM {table}")
        for table, columns, order in TABLES:
            cursor = src.execute(f"SELECT {columns} FROM {table} ORDER BY {order}")
            counts[table] = 0
            while rows := cursor.fetchmany(ENTRY_BATCH if table == "entries" else BATCH):
                dst.insert_rows(table, columns, [tuple(r) for r in rows])
                counts[table] += len(rows)
        target.dialect.after_copy(dst)
        # Whose each source is (`almanac.person`), which the store keeps beside its counters.
        dst.execute("DELETE FROM meta WHERE key LIKE 'person:%'")
        people = src.execute("SELECT key, value FROM meta WHERE key LIKE 'person:%'").fetchall()
        dst.insert_rows("meta", "key, value", [tuple(r) for r in people])
        # Searchers on the target reload: entries and vectors changed under them.
        dst.execute("INSERT INTO meta (key, value) VALUES ('vectors_generation', '0') ON CONFLICT DO NOTHING")
        dst.execute(f"UPDATE meta SET value = {BUMP} WHERE key IN ('generation', 'vectors_generation')")
    return CopyReport(counts)
