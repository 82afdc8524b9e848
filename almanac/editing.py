"""Posts that stay true: editing the messages of entries corrected or removed after they were posted.

The ledger knows every message it sent (`posts.message_id`, with the webhook
or channel as its target) and what each one shows (`posts.shown`, the embed
as canonical JSON, kept at post time). At every posting run, and so after
each refresh, `EditRunner.plan` renders each recent post (sent within
`[posts] edit_days`) from its entry as it is now and compares:

* the rendering differs (title, date, kind, tags, summary, or the link to the
  entry's page changed): an "edit" job, the message edited in place;
* the entry is gone: per `[posts] on_removed`, a "withdraw" job (the message
  edited to say so, its title kept), a "delete" job, or nothing ("keep").

Why compare renderings rather than entry fields: the question is whether the
message shows something untrue, and only what it shows can answer it (an
entry's original URL, say, is not in the message; a new `[site] base_url`
changes every link). Whatever would look the same is never edited.

Posts made before the ledger kept `shown` have NULL there. Their entry's
`updated_at` tells most of the story: not changed since the post was sent,
the message shows the current rendering, which is recorded without an edit;
changed since, the message is edited (once; it may look the same, and then
costs a request).

Edit jobs go through a ledger of their own (`almanac.store.edits`): claimed
with a lease, one request at a time per target after its posts, 429/5xx
retried with the posts' backoff (a `Retry-After` only lengthens a wait),
4xx failed and kept visible, 404 marks the message gone. The content is
rendered when the job runs, not when it was planned, so a job always sends
the entry's latest state. An edit is idempotent at Discord, so a job cut off
by a crash is just done again by whoever takes it over: the message ends up
with the new content once, and the ledger records it once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Callable

from almanac.posting import (
    MessageEditor, MessageGone, OutcomeUnknown, PermanentFailure, PostingPolicy, RetryLater, make_post,
    render_post, retry_delay, shown_json, still_its_anniversary,
)

log = logging.getLogger(__name__)

COLOUR_WITHDRAWN = 0x6B7280
WITHDRAWN_DESCRIPTION = "**Withdrawn**\n\nThis entry is no longer in the archive."
WITHDRAWN_FOOTER = "Withdrawn from the archive"
#: A message posted before its content was kept, withdrawn: its title is not known.
UNKNOWN_TITLE = "An entry of the archive"
#: A job whose claimant keeps dying (killed mid-request every time) is given up after this many attempts.
MAX_EDIT_ATTEMPTS = 12


def withdrawn_embed(post) -> dict:
    """What the message of a removed entry is edited to show: its title (as it showed it), withdrawn.

    No link: the entry's page is gone with it.
    """
    title = None
    if post.shown:
        try:
            title = json.loads(post.shown).get("title")
        except (ValueError, AttributeError):
            title = None
    return {"title": title or UNKNOWN_TITLE, "description": WITHDRAWN_DESCRIPTION, "color": COLOUR_WITHDRAWN,
            "footer": {"text": WITHDRAWN_FOOTER}}


@dataclass(frozen=True)
class Wanted:
    """What a message should be now: "edit" (to `embed`), "withdraw" (to `embed`) or "delete"."""

    action: str
    embed: dict | None = None
    #: The content hash of the entry `embed` renders (None once it is removed).
    entry_hash: str | None = None

    @property
    def shown(self) -> str | None:
        return None if self.embed is None else shown_json(self.embed)

    def digest(self) -> str:
        """`post_edits.wanted`: a hash of the content, or "delete"."""
        shown = self.shown
        return "delete" if shown is None else hashlib.sha256(shown.encode("utf-8")).hexdigest()[:16]


def wanted(post, entry, base_url: str, on_removed: str, tz: dt.tzinfo = dt.timezone.utc) -> Wanted | None:
    """What the message of ledger row `post` should be now, or None (leave it as it is).

    `entry` is the entry as the store holds it now, None if it was removed. An entry whose date
    was corrected so that its anniversary is no longer the post's day is, for that message, as
    if removed (edited, it said "0 years ago today" or "10 years ago today" on the wrong day;
    the corrected day's anniversary is its own post). `tz`: the schedule's, for the day it was sent.
    """
    if entry is not None:
        sent_on = dt.datetime.fromisoformat(post.sent_at).astimezone(tz).date() if post.sent_at else None
        shown = make_post(post, entry, base_url, sent_on)
        if still_its_anniversary(shown):
            return Wanted("edit", render_post(shown), entry.content_hash)
    if on_removed == "delete":
        return Wanted("delete")
    if on_removed == "edit":
        return Wanted("withdraw", withdrawn_embed(post))
    return None


class EditRunner:
    """Plans and applies the edits of one `Poster`'s targets (it shares its store, clock, worker and rests)."""

    def __init__(self, store, base_url: str, policy: PostingPolicy, clock: Callable[[], dt.datetime], worker: str,
                 resting: dict, alive: Callable[[str], bool]):
        self.store = store
        self.base_url = base_url
        self.policy = policy
        self.clock = clock
        self.worker = worker
        #: Target key -> when it may be tried again (the poster's: posts and edits share a rate limit).
        self._resting = resting
        self._alive = alive

    # --- planning (synchronous: runs in a thread) -----------------------------------

    def plan(self, now: dt.datetime, targets: list[str]) -> int:
        """Insert an edit job for every recent message of `targets` that is no longer true; how many."""
        if self.policy.edit_days == 0 or not targets:
            return 0
        store = self.store
        candidates = store.edit_candidates(targets, now - dt.timedelta(days=self.policy.edit_days))
        if not candidates:
            return 0
        entries = {e.id: e for e in store.get_many(sorted({c.post.entry_id for c in candidates}))}
        jobs, adopted = [], []
        for c in candidates:
            post = c.post
            want = wanted(post, entries.get(post.entry_id), self.base_url, self.policy.on_removed, self.policy.tz)
            if want is None:
                continue
            shown = want.shown
            if shown is not None and shown == post.shown:
                if want.entry_hash != post.entry_hash:  # changed, but not in anything the message shows
                    adopted.append((post.id, shown, want.entry_hash))
                continue
            if post.shown is None and want.action == "edit" and c.entry_updated_at <= post.sent_at:
                adopted.append((post.id, shown, want.entry_hash))  # posted before `shown` was kept; still true
                continue
            digest = want.digest()
            if digest == c.failed_wanted:
                continue  # this very content already failed; a further change of the entry tries again
            jobs.append((post.id, post.target, want.action, digest, post.shown))
        store.adopt_shown(adopted)
        return store.plan_edits(jobs, now)

    # --- applying ----------------------------------------------------------------------

    async def drain(self, publisher: MessageEditor, report) -> None:
        """Apply the due edits of one publisher until none is due or it asks us to wait."""
        while True:
            claim = await self._claim_or_release(publisher.key)
            if claim is None:
                return
            edit, post = claim
            want = await asyncio.to_thread(self._wanted_now, post)
            if want is None:
                await self._finish(edit, "skipped", error="the entry was removed; [posts] on_removed = \"keep\"")
                continue
            what = (publisher.key, post.entry_id, want.action)
            if want.shown is not None and want.shown == post.shown:
                await self._finish(edit, "skipped", error="the message already shows this")
                continue
            try:
                await self._apply(publisher, edit, post, want)
            except MessageGone as exc:
                if want.action == "delete":  # already deleted (by us before a crash, or by someone)
                    await self._finish(edit, "done", action="delete", wanted=want.digest())
                    report.edited.append(what)
                else:
                    log.info("message %s of %s is gone: %s", post.message_id, publisher.key, exc)
                    await self._finish(edit, "gone", error=f"gone: {exc}")
                    report.edit_failed.append(what)
                continue
            except RetryLater as exc:
                if not await asyncio.to_thread(self._retry_or_fail, edit, want, str(exc), exc.seconds):
                    report.edit_failed.append(what)
                return  # the target waits; others carry on
            except PermanentFailure as exc:
                log.warning("edit of message %s of %s failed for good: %s", post.message_id, publisher.key, exc)
                await self._finish(edit, "failed", wanted=want.digest(), error=f"permanent: {exc}")
                report.edit_failed.append(what)
                continue
            except Exception as exc:  # no answer, a timeout, a publisher bug: an edit is safe to redo
                if isinstance(exc, OutcomeUnknown):
                    reason = str(exc)
                elif isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
                    reason = f"no answer within {self.policy.send_timeout:g}s"
                else:
                    log.exception("edit of message %s of %s raised", post.message_id, publisher.key)
                    reason = f"{type(exc).__name__}: {exc}"
                if not await asyncio.to_thread(self._retry_or_fail, edit, want, f"{reason}; editing again", None):
                    report.edit_failed.append(what)
                return
            report.edited.append(what)

    def _wanted_now(self, post):
        return wanted(post, self.store.get(post.entry_id), self.base_url, self.policy.on_removed, self.policy.tz)

    async def _apply(self, publisher: MessageEditor, edit, post, want: Wanted) -> None:
        """Send the edit (or delete) and record it; stopped meanwhile, finish within the grace or requeue.

        Requeueing an edit cut off mid-request is safe: doing it again sets the same content.
        """
        if want.action == "delete":
            request = publisher.delete_message(post.message_id)
        else:
            request = publisher.edit_message(post.message_id, want.embed)
        task = asyncio.ensure_future(asyncio.wait_for(request, self.policy.send_timeout))
        lease = asyncio.create_task(self._keep_lease(edit))
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if not task.done():
                await asyncio.wait({task}, timeout=self.policy.stop_grace)
            if task.done() and not task.cancelled() and task.exception() is None:
                await self._done(edit, want)
            else:
                task.cancel()
                await asyncio.to_thread(self.store.requeue_edit, edit.id, self.worker,
                                        "stopped while editing; edited again at the next run")
            raise
        finally:
            lease.cancel()
        await self._done(edit, want)

    async def _done(self, edit, want: Wanted) -> None:
        await self._finish(edit, "done", action=want.action, wanted=want.digest(), shown=want.shown,
                           entry_hash=want.entry_hash)

    async def _finish(self, edit, status: str, **kwargs) -> None:
        await asyncio.to_thread(self.store.finish_edit, edit.id, self.worker, self.clock(), status=status, **kwargs)

    def _retry_or_fail(self, edit, want: Wanted, error: str, seconds: float | None) -> bool:
        """Due again after the posts' backoff (the target rests meanwhile); False if given up.

        A failed job records the content it failed with (`wanted`): planning
        skips that content from then on (see `plan`).
        """
        wait = retry_delay(edit.attempts, seconds, self.policy)
        if wait is None:
            self.store.finish_edit(edit.id, self.worker, self.clock(), status="failed", wanted=want.digest(),
                                   error=f"gave up after {edit.attempts} attempts: {error}")
            return False
        until = self.clock() + dt.timedelta(seconds=wait)
        self.store.requeue_edit(edit.id, self.worker, error, until)
        self._resting[edit.target] = until
        return True

    def _claim(self, key: str):
        store = self.store
        dead = [w for w in store.edit_claimers() if w and not self._alive(w)]
        return store.claim_edit(key, self.worker, self.clock(), self._lease_end(), dead, MAX_EDIT_ATTEMPTS)

    async def _claim_or_release(self, key: str):
        """Claim in a thread; stopped meanwhile, put the job back (nothing was sent)."""
        claim = asyncio.ensure_future(asyncio.to_thread(self._claim, key))
        try:
            return await asyncio.shield(claim)
        except asyncio.CancelledError:
            got = await claim  # one short transaction: let it finish
            if got is not None:
                await asyncio.to_thread(self.store.requeue_edit, got[0].id, self.worker, "stopped before editing")
            raise

    def _lease_end(self) -> dt.datetime:
        return self.clock() + dt.timedelta(seconds=self.policy.lease_seconds)

    async def _keep_lease(self, edit) -> None:
        """Renew the claim on `edit` every third of the lease until cancelled (the request ended)."""
        while True:
            await asyncio.sleep(self.policy.lease_seconds / 3)
            if not await asyncio.to_thread(self.store.renew_edit_lease, edit.id, self.worker, self._lease_end()):
                log.warning("lost the claim on edit %s while sending it", edit.id)
                return

