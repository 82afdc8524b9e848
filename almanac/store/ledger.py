"""The posting ledger: one row per (entry, occasion, target), claimed before sending.

Why a table and not "remember what we posted": several processes (the
scheduler, the bot, a second scheduler started by mistake) may try to post
the same anniversary at once, and any of them may be killed between sending
and recording. The UNIQUE (entry_id, occasion, target) constraint makes a row
exist at most once; a row moves pending -> sending (claimed in one write
transaction, the row locked with FOR UPDATE SKIP LOCKED on PostgreSQL, so
only one process wins) -> sent | pending (retry
later) | failed. A claim is a lease (`lease_until`), renewed while the send
is in flight: a "sending" row whose lease ran out was left by a dead process,
on this machine or another, and is taken over. The policy (backoff, what counts as stale, what is missed)
lives in `almanac.posting`; these are the atomic steps it needs.

Times are ISO 8601 UTC strings, compared as text: every time written here
goes through `iso()` so they sort correctly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from almanac.store.database import utc_now


def next_due_query(table: str, order: str, target: str, when: str, dead: list[str],
                   lock_rows: str) -> tuple[str, list]:
    """The statement (and its parameters) selecting the next due job of `target` in `table`
    (posts or post_edits: the same columns): pending and due at `when`, or "sending" but
    abandoned (its lease ran out, or it was claimed by one of `dead`), locked for the claim."""
    marks = ",".join("?" * len(dead)) or "NULL"
    return (
        f"SELECT * FROM {table} WHERE target = ? AND ("
        "(status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)) OR "
        f"(status = 'sending' AND (lease_until IS NULL OR lease_until <= ? OR claimed_by IN ({marks})))"
        f") ORDER BY {order} LIMIT 1{lock_rows}",
        [target, when, when, *dead],
    )


def renew_lease_in(db, table: str, row_id: int, worker: str, lease_until: str) -> bool:
    """Extend `worker`'s claim on a job of `table` (posts or post_edits) still "sending";
    False if the claim is no longer its own."""
    cur = db.execute(
        f"UPDATE {table} SET lease_until = ? WHERE id = ? AND status = 'sending' AND claimed_by = ?",
        [lease_until, row_id, worker],
    )
    return cur.rowcount == 1


def claimers_in(db, table: str) -> list[str]:
    """Workers holding jobs of `table` in "sending" (to check which of them are gone)."""
    return [r[0] for r in db.execute(f"SELECT DISTINCT claimed_by FROM {table} WHERE status = 'sending'")]


def iso(when: dt.datetime) -> str:
    """An aware datetime as the ledger stores it (UTC, milliseconds)."""
    if when.tzinfo is None:
        raise ValueError("ledger times must be timezone-aware")
    return when.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class PostRecord:
    """One ledger row."""

    id: int
    entry_id: str
    occasion: str
    target: str
    status: str
    attempts: int
    nonce: str
    message_id: str | None
    claimed_by: str | None
    claimed_at: str | None
    next_attempt_at: str | None
    last_error: str | None
    created_at: str
    sent_at: str | None
    unknown_outcomes: int = 0
    lease_until: str | None = None
    #: The embed the message shows (canonical JSON; None: posted before edits were kept).
    shown: str | None = None
    #: The content hash of the entry that embed was rendered from.
    entry_hash: str | None = None
    #: None while the message is there; "gone" (Discord answered 404) or "deleted" (by us).
    message_state: str | None = None
    edited_at: str | None = None

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Target:
    key: str
    kind: str
    label: str | None
    created_at: str


def _record(row) -> PostRecord:
    return PostRecord(**dict(row))


class LedgerMixin:
    """Methods over `posts` and `targets` (mixed into `Store`)."""

    # --- targets and the new-entry baseline ----------------------------------

    def ensure_target(self, key: str, kind: str, label: str | None = None, now: dt.datetime | None = None) -> Target:
        """Register a target the first time it is seen; its `created_at` is the baseline.

        Entries added to the store after that time are "new" for this target;
        entries already there are never announced to it.
        """
        created = iso(now) if now else utc_now()
        with self.transaction() as db:
            db.execute(
                "INSERT INTO targets (key, kind, label, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [key, kind, label, created],
            )
            row = db.execute("SELECT key, kind, label, created_at FROM targets WHERE key = ?", [key]).fetchone()
        return Target(*row)

    def rename_target(self, old: str, new: str) -> bool:
        """Move target `old`'s ledger (its baseline, posts and message edits) to the key `new`, when
        `new` has none yet; True if anything moved. For a target whose name changed while it
        stayed the same place (a webhook, once known by its URL as written, now by its id and
        token): without this it would look new, and today's anniversaries would go out again."""
        with self.transaction() as db:
            def held(key: str) -> bool:
                return any(db.execute(f"SELECT 1 FROM {table} WHERE {column} = ? LIMIT 1", [key]).fetchone()
                           for table, column in (("targets", "key"), ("posts", "target")))

            if old == new or held(new) or not held(old):
                return False
            for table, column in (("targets", "key"), ("posts", "target"), ("post_edits", "target")):
                db.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", [new, old])
        return True

    def targets(self) -> list[Target]:
        with self.read() as db:
            return [Target(*r) for r in db.execute("SELECT key, kind, label, created_at FROM targets ORDER BY key")]

    def move_baseline(self, key: str, created_at: str) -> None:
        """Treat everything added up to `created_at` as already known to target `key`."""
        with self.transaction() as db:
            db.execute("UPDATE targets SET created_at = ? WHERE key = ? AND created_at < ?", [created_at, key, created_at])

    def unannounced(self, key: str) -> list[tuple[str, str]]:
        """(entry id, added_at) of entries added after target `key`'s baseline with no "new" row yet."""
        sql = (
            "SELECT e.id, e.added_at FROM entries e JOIN targets t ON t.key = ? "
            "WHERE e.added_at > t.created_at AND NOT EXISTS "
            "(SELECT 1 FROM posts p WHERE p.entry_id = e.id AND p.occasion = 'new' AND p.target = t.key) "
            "ORDER BY e.added_at, e.id"
        )
        with self.read() as db:
            return [(r[0], r[1]) for r in db.execute(sql, [key])]

    # --- planning and claiming ---------------------------------------------

    def plan_posts(self, rows: Iterable[tuple[str, str, str, str]], now: dt.datetime) -> int:
        """Insert pending rows (entry_id, occasion, target, nonce) that do not exist yet.

        Returns how many were new. Existing rows (whatever their status) are
        left alone: planning the same post twice is harmless.
        """
        created = iso(now)
        added = 0
        with self.transaction() as db:
            for entry_id, occasion, target, nonce in rows:
                cur = db.execute(
                    "INSERT INTO posts (entry_id, occasion, target, status, attempts, nonce, created_at) "
                    "VALUES (?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT DO NOTHING",
                    [entry_id, occasion, target, nonce, created],
                )
                added += cur.rowcount
        return added

    def claim_post(
        self,
        target: str,
        worker: str,
        now: dt.datetime,
        lease_until: dt.datetime,
        dead_workers: Iterable[str] = (),
        max_unknown: int = 1,
    ) -> PostRecord | None:
        """Atomically take the next due post for `target` until `lease_until`, or None.

        Due: pending with no next attempt time or one that has passed; or
        "sending" but abandoned (its lease ran out, or it was claimed by one
        of `dead_workers`). An abandoned row's outcome is unknown: the
        receiver may have got it. It is sent again only while its count of
        unknown outcomes is below `max_unknown` (so at most that many
        duplicates); beyond that it is marked failed and left for a person.
        """
        dead = list(dead_workers)
        when, until = iso(now), iso(lease_until)
        sql, params = next_due_query("posts", "occasion, id", target, when, dead, self.dialect.lock_rows)
        with self.transaction() as db:
            while True:
                rows = list(db.query(sql, params))
                if not rows:
                    return None
                record = _record(rows[0])
                unknown = record.unknown_outcomes
                error = record.last_error
                if record.status == "sending":
                    unknown += 1
                    if unknown > max_unknown:
                        db.execute(
                            "UPDATE posts SET status = 'failed', unknown_outcomes = ?, last_error = ? WHERE id = ?",
                            [unknown, "outcome unknown again after a resend; not sending a third time "
                             "(check the channel, then retry it by hand if it is missing)", record.id],
                        )
                        continue
                    error = (f"attempt {record.attempts} by {record.claimed_by} stopped while sending; "
                             "outcome unknown, sending once more (the receiver may show it twice)")
                db.execute(
                    "UPDATE posts SET status = 'sending', attempts = attempts + 1, claimed_by = ?, claimed_at = ?, "
                    "lease_until = ?, unknown_outcomes = ?, last_error = ? WHERE id = ?",
                    [worker, when, until, unknown, error, record.id],
                )
                return _record({**record.__dict__, "status": "sending", "attempts": record.attempts + 1,
                                "claimed_by": worker, "claimed_at": when, "lease_until": until,
                                "unknown_outcomes": unknown, "last_error": error})

    def renew_lease(self, post_id: int, worker: str, lease_until: dt.datetime) -> bool:
        """Extend `worker`'s claim on a post it is still sending; False if the claim is no longer its own."""
        with self.transaction() as db:
            return renew_lease_in(db, "posts", post_id, worker, iso(lease_until))

    def sending_claimers(self) -> list[str]:
        """Workers holding rows in "sending" (to check which of them are gone)."""
        with self.read() as db:
            return claimers_in(db, "posts")

    # --- outcomes --------------------------------------------------------------

    def mark_sent(self, post_id: int, message_id: str | None, now: dt.datetime, shown: str | None = None,
                  entry_hash: str | None = None) -> None:
        """Record delivery. Whoever holds the claim, a delivered post is sent: never send it again.

        `shown` is what the message shows (the embed as canonical JSON) and
        `entry_hash` the content hash of the entry it was rendered from: a
        later refresh edits the message when that entry's hash changed and
        its rendering no longer equals `shown`.
        """
        with self.transaction() as db:
            db.execute(
                "UPDATE posts SET status = 'sent', message_id = ?, sent_at = ?, next_attempt_at = NULL, shown = ?, "
                "entry_hash = ? WHERE id = ? AND status != 'sent'",
                [message_id, iso(now), shown, entry_hash, post_id],
            )

    def mark_retry(self, post_id: int, worker: str, error: str, next_attempt_at: dt.datetime) -> None:
        """Not delivered (known): back to pending, due again at `next_attempt_at`."""
        with self.transaction() as db:
            db.execute(
                "UPDATE posts SET status = 'pending', last_error = ?, next_attempt_at = ?, claimed_by = NULL, "
                "claimed_at = NULL, lease_until = NULL WHERE id = ? AND status = 'sending' AND claimed_by = ?",
                [error, iso(next_attempt_at), post_id, worker],
            )

    def mark_failed(self, post_id: int, worker: str | None, error: str) -> None:
        """Given up: stays in the ledger, visible, never sent again by itself."""
        with self.transaction() as db:
            if worker is None:
                db.execute("UPDATE posts SET status = 'failed', last_error = ? WHERE id = ? AND status = 'pending'",
                           [error, post_id])
            else:
                db.execute(
                    "UPDATE posts SET status = 'failed', last_error = ? WHERE id = ? AND status = 'sending' "
                    "AND claimed_by = ?",
                    [error, post_id, worker],
                )

    def release_unknown(
        self, post_id: int, worker: str, error: str, max_unknown: int = 1, retry_at: dt.datetime | None = None
    ) -> None:
        """The send was cut off in flight (we stopped, or no answer came): the outcome is unknown.

        Like an abandoned claim: pending again (one resend, the documented
        at-most-one duplicate, due at `retry_at` if given) unless it already
        had an unknown outcome.
        """
        with self.transaction() as db:
            db.execute(
                "UPDATE posts SET unknown_outcomes = unknown_outcomes + 1, last_error = ?, claimed_by = NULL, "
                "claimed_at = NULL, lease_until = NULL, next_attempt_at = COALESCE(?, next_attempt_at), "
                "status = CASE WHEN unknown_outcomes + 1 > ? THEN 'failed' ELSE 'pending' END "
                "WHERE id = ? AND status = 'sending' AND claimed_by = ?",
                [error, iso(retry_at) if retry_at else None, max_unknown, post_id, worker],
            )

    def release_claim(self, post_id: int, worker: str) -> None:
        """Undo a claim whose post was never handed to a publisher (we were stopped first)."""
        with self.transaction() as db:
            db.execute(
                "UPDATE posts SET status = 'pending', attempts = attempts - 1, claimed_by = NULL, claimed_at = NULL, "
                "lease_until = NULL WHERE id = ? AND status = 'sending' AND claimed_by = ?",
                [post_id, worker],
            )

    def expire_posts(self, before_occasion: str, error: str) -> int:
        """Fail unsent anniversary rows whose occasion sorts before `before_occasion` (too late now).

        Includes rows left "sending" by a process that died: they would
        otherwise be resent days late. (Should the claimant be alive after
        all and succeed, `mark_sent` still records it as sent.)
        """
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE posts SET status = 'failed', last_error = ? WHERE status IN ('pending', 'sending') "
                "AND occasion LIKE 'anniversary:%' AND occasion < ?",
                [error, before_occasion],
            )
            return cur.rowcount

    def retry_post(self, post_id: int) -> bool:
        """A person asks for a failed post to be tried again (resets its counters)."""
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE posts SET status = 'pending', attempts = 0, unknown_outcomes = 0, next_attempt_at = NULL "
                "WHERE id = ? AND status = 'failed'",
                [post_id],
            )
            return cur.rowcount == 1

    # --- reading -----------------------------------------------------------------

    def posts(
        self,
        target: str | None = None,
        status: str | None = None,
        occasion_prefix: str | None = None,
        limit: int | None = None,
        ids: Iterable[int] | None = None,
    ) -> list[PostRecord]:
        """Ledger rows, most recently sent/created first (only those of `ids`, if given)."""
        where, params = [], []
        if ids is not None:
            ids = list(ids)
            if not ids:
                return []
            where.append(f"id IN ({','.join('?' * len(ids))})")
            params.extend(ids)
        if target:
            where.append("target = ?")
            params.append(target)
        if status:
            where.append("status = ?")
            params.append(status)
        if occasion_prefix:
            where.append("substr(occasion, 1, ?) = ?")
            params.extend([len(occasion_prefix), occasion_prefix])
        sql = "SELECT * FROM posts" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY COALESCE(sent_at, created_at) DESC, id DESC"
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        with self.read() as db:
            return [_record(r) for r in db.query(sql, params)]

    def next_attempt_at(self, targets: Iterable[str]) -> str | None:
        """When a post of `targets` may next become due (None: nothing waiting).

        The earliest retry among pending posts, or the earliest end of a
        lease on a post being sent: if its claimant dies, the post is due
        then, and whoever looks at that time takes it over.
        """
        keys = list(targets)
        if not keys:
            return None
        marks = ",".join("?" * len(keys))
        with self.read() as db:
            row = db.execute(
                "SELECT MIN(CASE WHEN status = 'pending' THEN next_attempt_at ELSE lease_until END) FROM posts "
                f"WHERE status IN ('pending', 'sending') AND target IN ({marks})", keys
            ).fetchone()
        return row[0]
