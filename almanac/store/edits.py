"""Edit jobs: bringing a posted message up to date, through a ledger like the posts'.

Why a table of its own rather than more columns on `posts`: a message may be
edited several times (a summary corrected twice, then the entry withdrawn),
and `almanac posts` shows each edit (when, which message, what came of it).
A job moves pending -> sending (claimed with a lease, renewed while the
request is in flight, exactly as `claim_post`) -> done | skipped | failed |
gone, or back to pending with a retry time. The partial unique index of
migration 4 lets a message have one open job at most, so it never has two
editors at once, across processes and restarts.

Unlike a post, an edit is idempotent at Discord (a PATCH sets the message to
the content sent), so a job whose claimant died is simply done again: no
count of unknown outcomes, no "at most one duplicate". Only a job that keeps
killing its claimant is given up, after `max_attempts`.

What each message shows is `posts.shown` (see `LedgerMixin.mark_sent`); a
finished edit stores the new content there. The policy (what needs an edit,
backoff, what to show) lives in `almanac.editing`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from almanac.store.ledger import PostRecord, _record, claimers_in, iso, next_due_query, renew_lease_in

#: `posts.shown` when a finished edit's claim had been lost: what the message shows is not
#: known, and no rendering equals it, so the next refresh edits the message again.
UNKNOWN_SHOWN = ""
OPEN = ("pending", "sending")


@dataclass(frozen=True)
class EditRecord:
    """One `post_edits` row."""

    id: int
    post_id: int
    target: str
    action: str
    status: str
    attempts: int
    wanted: str | None
    claimed_by: str | None
    claimed_at: str | None
    lease_until: str | None
    next_attempt_at: str | None
    last_error: str | None
    created_at: str
    finished_at: str | None

    def to_json(self) -> dict:
        return dict(self.__dict__)


def _edit(row) -> EditRecord:
    return EditRecord(**dict(row))


@dataclass(frozen=True)
class EditCandidate:
    """A recent post whose message may need an edit, with what the planner needs to judge it."""

    post: PostRecord
    #: When the entry last changed (None: it is no longer in the archive).
    entry_updated_at: str | None
    #: The content hash of this message's latest edit if that edit failed (not planned again for it).
    failed_wanted: str | None


class EditsMixin:
    """Methods over `post_edits` (mixed into `Store`)."""

    def edit_candidates(self, targets: Iterable[str], since: dt.datetime) -> list[EditCandidate]:
        """Posts to `targets` sent at or after `since` whose message may no longer be true.

        Their message is there, has no open edit, and its entry changed since
        it was rendered (`posts.entry_hash`), or was removed, or the post
        predates `entry_hash`. So a run where nothing changed reads no rows.
        """
        keys = list(targets)
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        sql = (
            "SELECT p.*, e.updated_at AS entry_updated_at, "
            "(SELECT CASE WHEN x.status = 'failed' THEN x.wanted END FROM post_edits x WHERE x.post_id = p.id "
            " ORDER BY x.id DESC LIMIT 1) AS failed_wanted "
            "FROM posts p LEFT JOIN entries e ON e.id = p.entry_id "
            f"WHERE p.target IN ({marks}) AND p.status = 'sent' AND p.sent_at >= ? AND p.message_id IS NOT NULL "
            "AND p.message_state IS NULL "
            "AND (e.id IS NULL OR p.entry_hash IS NULL OR p.entry_hash != e.content_hash) AND NOT EXISTS "
            "(SELECT 1 FROM post_edits o WHERE o.post_id = p.id AND o.status IN ('pending', 'sending')) "
            "ORDER BY p.id"
        )
        out = []
        with self.read() as db:
            for row in db.query(sql, [*keys, iso(since)]):
                row = dict(row)
                updated, failed = row.pop("entry_updated_at"), row.pop("failed_wanted")
                out.append(EditCandidate(_record(row), updated, failed))
        return out

    def adopt_shown(self, rows: Iterable[tuple[int, str, str]]) -> None:
        """Record (post id, content, entry hash): the message is true to that entry as it is, no edit needed.

        For a post whose entry changed in a way its message does not show, and
        for one posted before `shown` was kept whose entry has not changed
        since. Not while an edit of it is open (that edit records its own).
        """
        rows = list(rows)
        if not rows:
            return
        with self.transaction() as db:
            db.executemany(
                "UPDATE posts SET shown = ?, entry_hash = ? WHERE id = ? AND NOT EXISTS "
                "(SELECT 1 FROM post_edits o WHERE o.post_id = posts.id AND o.status IN ('pending', 'sending'))",
                [(shown, entry_hash, post_id) for post_id, shown, entry_hash in rows])

    def plan_edits(self, rows: Iterable[tuple[int, str, str, str, str | None]], now: dt.datetime) -> int:
        """Insert pending jobs (post id, target, action, wanted, shown as the planner read it) for
        messages without an open one; how many.

        A job is only planned while the message still shows what the planner
        read: another process may have edited it meanwhile (its job done, so
        no longer open), and a plan drawn from the older reading would send
        nothing but leave a skipped job behind.
        """
        added = 0
        with self.transaction() as db:
            for post_id, target, action, wanted, seen in rows:
                cur = db.execute(
                    "INSERT INTO post_edits (post_id, target, action, status, attempts, wanted, created_at) "
                    "SELECT ?, ?, ?, 'pending', 0, ?, ? FROM posts "
                    "WHERE id = ? AND COALESCE(shown, '') = COALESCE(?, '') ON CONFLICT DO NOTHING",
                    [post_id, target, action, wanted, iso(now), post_id, seen],
                )
                added += cur.rowcount
        return added

    def claim_edit(
        self,
        target: str,
        worker: str,
        now: dt.datetime,
        lease_until: dt.datetime,
        dead_workers: Iterable[str] = (),
        max_attempts: int = 12,
    ) -> tuple[EditRecord, PostRecord] | None:
        """Atomically take the next due edit of `target` until `lease_until`, with its post; or None.

        Due: pending with no retry time or one that has passed, or "sending"
        but abandoned (lease ran out, or claimed by one of `dead_workers`),
        which is taken over and done again, unless it already took
        `max_attempts`: then it is failed and left for a person.
        """
        dead = list(dead_workers)
        when, until = iso(now), iso(lease_until)
        sql, params = next_due_query("post_edits", "id", target, when, dead, self.dialect.lock_rows)
        with self.transaction() as db:
            while True:
                rows = list(db.query(sql, params))
                if not rows:
                    return None
                edit = _edit(rows[0])
                error = edit.last_error
                if edit.status == "sending":
                    if edit.attempts >= max_attempts:
                        db.execute(
                            "UPDATE post_edits SET status = 'failed', finished_at = ?, last_error = ? WHERE id = ?",
                            [when, f"stopped while editing, {edit.attempts} times; not trying again", edit.id],
                        )
                        continue
                    error = (f"attempt {edit.attempts} by {edit.claimed_by} stopped while editing; "
                             "editing again (an edit is idempotent)")
                db.execute(
                    "UPDATE post_edits SET status = 'sending', attempts = attempts + 1, claimed_by = ?, "
                    "claimed_at = ?, lease_until = ?, last_error = ? WHERE id = ?",
                    [worker, when, until, error, edit.id],
                )
                post = _record(next(iter(db.query("SELECT * FROM posts WHERE id = ?", [edit.post_id]))))
                claimed = EditRecord(**{**edit.__dict__, "status": "sending", "attempts": edit.attempts + 1,
                                        "claimed_by": worker, "claimed_at": when, "lease_until": until,
                                        "last_error": error})
                return claimed, post

    def renew_edit_lease(self, edit_id: int, worker: str, lease_until: dt.datetime) -> bool:
        """Extend `worker`'s claim on an edit in flight; False if the claim is no longer its own."""
        with self.transaction() as db:
            return renew_lease_in(db, "post_edits", edit_id, worker, iso(lease_until))

    def edit_claimers(self) -> list[str]:
        """Workers holding edits in "sending" (to check which of them are gone)."""
        with self.read() as db:
            return claimers_in(db, "post_edits")

    def finish_edit(
        self,
        edit_id: int,
        worker: str,
        now: dt.datetime,
        *,
        status: str,
        action: str | None = None,
        wanted: str | None = None,
        shown: str | None = None,
        entry_hash: str | None = None,
        error: str | None = None,
    ) -> bool:
        """Close an edit: "done" (the message now shows `shown`, or was deleted when `action` is
        "delete"), "gone" (Discord answered 404: never edited again), "skipped" or "failed".

        Discord's answer is a fact whoever holds the claim: a 404 marks the
        message gone and a delete marks it deleted either way. An edit whose
        claim was taken over meanwhile leaves the message's content unknown
        (another editor may have sent other content after ours), so it is
        recorded as such and the next refresh edits the message again.
        Returns whether the claim was still `worker`'s.
        """
        when = iso(now)
        with self.transaction() as db:
            row = db.execute("SELECT post_id FROM post_edits WHERE id = ?", [edit_id]).fetchone()
            if row is None:
                return False
            post_id = row[0]
            cur = db.execute(
                "UPDATE post_edits SET status = ?, action = COALESCE(?, action), wanted = COALESCE(?, wanted), "
                "last_error = COALESCE(?, last_error), finished_at = ?, lease_until = NULL "
                "WHERE id = ? AND status = 'sending' AND claimed_by = ?",
                [status, action, wanted, error, when, edit_id, worker],
            )
            ours = cur.rowcount == 1
            if status == "gone":
                if not ours:
                    db.execute("UPDATE post_edits SET status = 'gone', last_error = ?, finished_at = ? "
                               "WHERE id = ? AND status IN ('pending', 'sending')", [error, when, edit_id])
                db.execute("UPDATE posts SET message_state = 'gone' WHERE id = ?", [post_id])
            elif status == "done" and action == "delete":
                db.execute("UPDATE posts SET message_state = 'deleted', edited_at = ? WHERE id = ?", [when, post_id])
            elif status == "done" and ours:
                db.execute("UPDATE posts SET shown = ?, entry_hash = ?, edited_at = ? WHERE id = ?",
                           [shown, entry_hash, when, post_id])
            elif status == "done":
                db.execute("UPDATE posts SET shown = ?, entry_hash = NULL, edited_at = ? WHERE id = ?",
                           [UNKNOWN_SHOWN, when, post_id])
        return ours

    def requeue_edit(self, edit_id: int, worker: str, error: str, next_attempt_at: dt.datetime | None = None) -> None:
        """Back to pending (a 429/5xx, no answer, or we were stopped mid-edit), due at `next_attempt_at`."""
        with self.transaction() as db:
            db.execute(
                "UPDATE post_edits SET status = 'pending', last_error = ?, next_attempt_at = ?, claimed_by = NULL, "
                "claimed_at = NULL, lease_until = NULL WHERE id = ? AND status = 'sending' AND claimed_by = ?",
                [error, iso(next_attempt_at) if next_attempt_at else None, edit_id, worker],
            )

    def edits(self, post_ids: Iterable[int] | None = None, limit: int | None = None) -> list[EditRecord]:
        """Edit jobs, newest first (of `post_ids` only, if given)."""
        sql, params = "SELECT * FROM post_edits", []
        if post_ids is not None:
            ids = list(post_ids)
            if not ids:
                return []
            sql += f" WHERE post_id IN ({','.join('?' * len(ids))})"
            params.extend(ids)
        sql += " ORDER BY COALESCE(finished_at, created_at) DESC, id DESC"
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        with self.read() as db:
            return [_edit(r) for r in db.query(sql, params)]

    def next_edit_at(self, targets: Iterable[str]) -> str | None:
        """When an edit of `targets` may next become due: a retry time or the end of a lease (None: none).

        Like `next_attempt_at`: a pending edit without a retry time is taken
        by the next run anyway, and counting it here would make a resting
        target's runs follow each other without pause.
        """
        keys = list(targets)
        if not keys:
            return None
        marks = ",".join("?" * len(keys))
        with self.read() as db:
            row = db.execute(
                "SELECT MIN(CASE WHEN status = 'pending' THEN next_attempt_at ELSE lease_until END) FROM post_edits "
                f"WHERE status IN ('pending', 'sending') AND target IN ({marks})", keys
            ).fetchone()
        return row[0]
