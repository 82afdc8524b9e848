"""Posts that stay true: the ledger's edit jobs (planning, claiming, leases, retries, 404, age, removed entries).

A recording publisher that can edit stands in for Discord here; the webhook,
the bot's channels and a killed `almanac schedule` are tested against the
fake servers in test_webhooks, test_bot_channels and test_scheduler.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
from dataclasses import replace

import pytest

from almanac.editing import UNKNOWN_TITLE, WITHDRAWN_DESCRIPTION
from almanac.cli import main
from almanac.posting import MessageEditor, MessageGone, PermanentFailure, Poster, PostingPolicy, RetryLater
from almanac.store import Store
from tests.archive_file import ESPER, FUNCTORS, Archive

BOTH_BACKENDS = True
UTC = dt.timezone.utc
MAY_1 = dt.datetime(2025, 5, 1, 10, 0, tzinfo=UTC)


class Editable:
    """A publisher that keeps its messages and what was done to them (`fail`: exceptions for the next edits)."""

    def __init__(self, key="test:one", fail=()):
        self.key = key
        self.wants = frozenset({"anniversary", "new"})
        self.fail = list(fail)
        self.messages: dict[str, dict] = {}
        self.calls: list[tuple[str, str, dict | None]] = []  # (method, message id, embed)

    async def send(self, post):
        from almanac.posting import render_post

        message_id = f"{self.key}/m{len(self.messages) + 1}"
        self.messages[message_id] = render_post(post)
        return message_id

    async def edit_message(self, message_id, embed):
        self.calls.append(("PATCH", message_id, embed))
        if self.fail:
            raise self.fail.pop(0)
        self.messages[message_id] = embed

    async def delete_message(self, message_id):
        self.calls.append(("DELETE", message_id, None))
        if self.fail:
            raise self.fail.pop(0)
        del self.messages[message_id]


class Clock:
    def __init__(self, now=MAY_1):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def archive(store, tmp_path):
    return Archive(store, tmp_path)


def poster(store, clock=None, **policy) -> Poster:
    policy.setdefault("backoff_base", 0.01)
    return Poster(store, "https://example.org/", PostingPolicy(**policy), clock=clock or Clock())


def run(coro):
    return asyncio.run(coro)


def message_of(store, pub, entry_id) -> str:
    (row,) = [r for r in store.posts(target=pub.key) if r.entry_id == entry_id]
    return row.message_id


def test_a_corrected_summary_edits_its_message_once_and_nothing_else_is_touched(archive):
    store, pub = archive.store, Editable()
    assert isinstance(pub, MessageEditor)
    p = poster(store)
    assert len(run(p.post_due(MAY_1, [pub])).sent) == 5
    assert run(p.post_due(MAY_1, [pub])).edits_planned == 0 and pub.calls == []  # every message is true
    archive.rewrite("The First Billion", "\n\nThe First Billion")  # every entry moves down: not in the messages
    archive.rewrite("Talk at Esper on functional", "Talk at Esper (San Francisco) on functional")
    report = run(p.post_due(MAY_1, [pub]))
    esper = message_of(store, pub, ESPER)
    assert report.edits_planned == 1 and report.edited == [(pub.key, ESPER, "edit")]
    assert [(m, i) for m, i, _ in pub.calls] == [("PATCH", esper)]
    assert pub.messages[esper]["description"].startswith("**🎉 10 years ago this month**\n\nTalk at Esper (San Francisco)")
    assert run(p.post_due(MAY_1 + dt.timedelta(hours=1), [pub])).edited == [] and len(pub.calls) == 1
    (row,) = [r for r in store.posts(target=pub.key) if r.entry_id == ESPER]
    assert json.loads(row.shown) == pub.messages[esper] and row.edited_at == MAY_1.isoformat(timespec="milliseconds")
    (edit,) = store.edits()
    assert (edit.post_id, edit.status, edit.action, edit.attempts) == (row.id, "done", "edit", 1)
    # A change the message does not show (the entry's own url): no edit, and not looked at again.
    (key,) = store.source_keys()
    store.replace_source(key, [replace(e, url="https://example.net/esper") if e.id == ESPER else e
                               for e in store.entries()])
    assert store.edit_candidates([pub.key], MAY_1 - dt.timedelta(days=1))[0].post.id == row.id
    assert run(p.post_due(MAY_1, [pub])).edits_planned == 0 and len(pub.calls) == 1
    assert store.edit_candidates([pub.key], MAY_1 - dt.timedelta(days=1)) == []


@pytest.mark.parametrize("on_removed", ["edit", "delete", "keep"])
def test_a_removed_entry_is_withdrawn_deleted_or_kept(archive, on_removed):
    store, pub = archive.store, Editable()
    p = poster(store, on_removed=on_removed)
    run(p.post_due(MAY_1, [pub]))
    functors = message_of(store, pub, FUNCTORS)
    title = pub.messages[functors]["title"]
    archive.remove_functors()
    report = run(p.post_due(MAY_1, [pub]))
    again = run(p.post_due(MAY_1, [pub]))
    assert again.edits_planned == 0 and again.edited == []
    (row,) = [r for r in store.posts(target=pub.key) if r.entry_id == FUNCTORS]
    if on_removed == "edit":
        assert report.edited == [(pub.key, FUNCTORS, "withdraw")] and [c[0] for c in pub.calls] == ["PATCH"]
        assert pub.messages[functors]["title"] == title  # the title it showed, now withdrawn, without a link
        assert pub.messages[functors]["description"] == WITHDRAWN_DESCRIPTION and "url" not in pub.messages[functors]
        assert row.message_state is None and json.loads(row.shown) == pub.messages[functors]
    elif on_removed == "delete":
        assert report.edited == [(pub.key, FUNCTORS, "delete")] and pub.calls == [("DELETE", functors, None)]
        assert functors not in pub.messages and row.message_state == "deleted"
    else:
        assert report.edited == [] and pub.calls == [] and store.edits() == []
    assert len(pub.messages) == (4 if on_removed == "delete" else 5)


def test_429_waits_with_backoff_then_a_404_marks_the_message_gone_for_good(archive):
    store, clock = archive.store, Clock()
    pub = Editable(fail=[RetryLater("rate limited (429)", 45.0)])
    p = poster(store, clock=clock, backoff_base=30)
    run(p.post_due(MAY_1, [pub]))
    archive.rewrite("Talk at Esper on functional", "Talk at Esper, corrected, on functional")
    first = run(p.post_due(MAY_1, [pub]))
    assert first.edited == [] and first.next_due == MAY_1 + dt.timedelta(seconds=45)  # Retry-After, over 30 s
    assert run(p.post_due(MAY_1, [pub])).edited == [] and len(pub.calls) == 1  # the target rests until then
    (edit,) = store.edits()
    assert (edit.status, edit.attempts, edit.last_error) == ("pending", 1, "rate limited (429)")
    clock.now = first.next_due
    assert run(p.post_due(clock.now, [pub])).edited == [(pub.key, ESPER, "edit")] and len(pub.calls) == 2

    pub.fail = [MessageGone("Discord answered 404 (Unknown Message)")]
    archive.rewrite("Talk at Esper, corrected, on", "Talk at Esper, corrected twice, on")
    report = run(p.post_due(clock.now, [pub]))
    assert report.edit_failed == [(pub.key, ESPER, "edit")]
    gone = store.edits()[0]
    assert gone.status == "gone" and gone.last_error == "gone: Discord answered 404 (Unknown Message)"
    assert [r.message_state for r in store.posts(target=pub.key) if r.entry_id == ESPER] == ["gone"]
    archive.rewrite("corrected twice", "corrected thrice")
    assert run(p.post_due(clock.now, [pub])).edits_planned == 0 and len(pub.calls) == 3  # never edited again


def test_a_refused_edit_is_not_planned_again_for_the_same_content(archive):
    store, pub = archive.store, Editable(fail=[PermanentFailure("Discord refused the edit: HTTP 403 Missing Access")])
    p = poster(store)
    run(p.post_due(MAY_1, [pub]))
    archive.rewrite("Talk at Esper on functional", "Talk at Esper, corrected, on functional")
    assert run(p.post_due(MAY_1, [pub])).edit_failed == [(pub.key, ESPER, "edit")]
    assert store.edits()[0].last_error == "permanent: Discord refused the edit: HTTP 403 Missing Access"
    assert run(p.post_due(MAY_1, [pub])).edits_planned == 0  # not at every refresh
    archive.rewrite("corrected", "corrected again")  # a further change tries again
    assert run(p.post_due(MAY_1, [pub])).edited == [(pub.key, ESPER, "edit")]


def test_messages_older_than_edit_days_are_left_alone_and_zero_never_edits(archive):
    store, pub = archive.store, Editable()
    run(poster(store).post_due(MAY_1, [pub]))
    archive.rewrite("Talk at Esper on functional", "Talk at Esper, corrected, on functional")
    later = MAY_1 + dt.timedelta(days=30, seconds=1)
    assert run(poster(store, edit_days=30).post_due(later, [pub])).edits_planned == 0
    assert run(poster(store, edit_days=0).post_due(MAY_1, [pub])).edits_planned == 0
    assert run(poster(store, edit_days=31).post_due(later, [pub])).edited == [(pub.key, ESPER, "edit")]


def test_posts_from_before_the_migration_are_judged_by_when_their_entry_changed(archive):
    """No `shown`: an entry unchanged since the post is recorded as shown; one changed since is edited."""
    store, pub = archive.store, Editable()
    run(poster(store).post_due(MAY_1, [pub]))
    sent_at = dt.datetime.now(UTC)
    with store.transaction() as db:  # as migration 4 leaves the rows it finds
        db.execute("UPDATE posts SET shown = NULL, entry_hash = NULL, sent_at = ?", [sent_at.isoformat(timespec="milliseconds")])
    archive.rewrite("Talk at Esper on functional", "Talk at Esper, corrected, on functional")
    report = run(poster(store).post_due(sent_at, [pub]))
    assert report.edited == [(pub.key, ESPER, "edit")] and len(pub.calls) == 1
    assert all(r.shown for r in store.posts(target=pub.key))
    with store.transaction() as db:
        db.execute("UPDATE posts SET shown = NULL, entry_hash = NULL WHERE entry_id != ?", [ESPER])
    archive.remove_functors()  # the entries after it move down their file: not a change of theirs
    run(poster(store).post_due(sent_at, [pub]))
    functors = message_of(store, pub, FUNCTORS)
    assert pub.calls[1:] == [("PATCH", functors, pub.messages[functors])]
    assert pub.messages[functors]["title"] == UNKNOWN_TITLE  # withdrawn: what it showed was not kept


def test_a_live_claim_keeps_other_editors_off_until_its_lease_ends_then_it_is_done_again(archive):
    store, clock, pub = archive.store, Clock(), Editable()
    p = poster(store, clock=clock, lease_seconds=180)
    run(p.post_due(MAY_1, [pub]))
    archive.rewrite("Talk at Esper on functional", "Talk at Esper, corrected, on functional")
    p.edits.plan(MAY_1, [pub.key])
    assert p.edits.plan(MAY_1, [pub.key]) == 0  # one open job per message, however often planned
    elsewhere = "otherhost:1:cafe:0000"  # another machine: only its lease can tell whether it lives
    edit, post = store.claim_edit(pub.key, elsewhere, MAY_1, MAY_1 + dt.timedelta(seconds=180))
    assert post.entry_id == ESPER and edit.attempts == 1
    report = run(p.post_due(MAY_1, [pub]))
    assert report.edited == [] and report.next_due == MAY_1 + dt.timedelta(seconds=180) and pub.calls == []
    clock.now = report.next_due
    assert run(p.post_due(clock.now, [pub])).edited == [(pub.key, ESPER, "edit")]
    (done,) = store.edits()
    assert (done.status, done.attempts, done.claimed_by) == ("done", 2, p.worker)
    assert done.last_error.startswith(f"attempt 1 by {elsewhere} stopped while editing; editing again")
    # The first claimant wakes up and reports its edit: the message's content is now unknown, so it is edited again.
    store.finish_edit(edit.id, elsewhere, clock.now, status="done", action="edit", shown="{}")
    assert [r.shown for r in store.posts(target=pub.key) if r.entry_id == ESPER] == [""]
    assert run(p.post_due(clock.now, [pub])).edited == [(pub.key, ESPER, "edit")]
    # A job that keeps killing whoever takes it is given up after max_attempts.
    archive.rewrite("corrected", "corrected again")
    p.edits.plan(clock.now, [pub.key])
    store.claim_edit(pub.key, elsewhere, clock.now, clock.now, max_attempts=1)
    assert store.claim_edit(pub.key, elsewhere, clock.now, clock.now, max_attempts=1) is None
    assert store.edits()[0].last_error == "stopped while editing, 1 times; not trying again"


def test_an_edit_whose_entry_changed_back_before_it_ran_sends_nothing(archive):
    store, pub = archive.store, Editable()
    p = poster(store)
    run(p.post_due(MAY_1, [pub]))
    archive.rewrite("Talk at Esper on functional", "Talk at Esper, corrected, on functional")
    assert p.edits.plan(MAY_1, [pub.key]) == 1
    archive.rewrite("Talk at Esper, corrected, on functional", "Talk at Esper on functional")
    assert run(p.post_due(MAY_1, [pub])).edited == [] and pub.calls == []
    (edit,) = store.edits()
    assert (edit.status, edit.last_error) == ("skipped", "the message already shows this")


def test_two_posters_on_one_database_edit_each_message_once(archive):
    store, pub = archive.store, Editable()
    run(poster(store).post_due(MAY_1, [pub]))
    archive.rewrite("Talk at Esper on functional", "Talk at Esper, corrected, on functional")
    archive.remove_functors()

    async def both():
        with Store(store.path) as a, Store(store.path) as b:
            return await asyncio.gather(poster(a).post_due(MAY_1, [pub]), poster(b).post_due(MAY_1, [pub]))

    r1, r2 = run(both())
    assert sorted(r1.edited + r2.edited) == sorted([(pub.key, ESPER, "edit"), (pub.key, FUNCTORS, "withdraw")])
    assert len(pub.calls) == 2 and len(store.edits()) == 2


def test_almanac_posts_shows_the_edits_of_each_message(tmp_path, capsys):
    clock = Clock()
    with Store(os.environ["ALMANAC_DB"]) as store:
        archive = Archive(store, tmp_path)
        pub = Editable(key="webhook:0123456789ab", fail=[RetryLater("rate limited (429)", 30)])
        p = poster(store, clock=clock)
        run(p.post_due(MAY_1, [pub]))
        archive.rewrite("Talk at Esper on functional", "Talk at Esper, corrected, on functional")
        run(p.post_due(MAY_1, [pub]))
        clock.now += dt.timedelta(seconds=30)
        run(p.post_due(clock.now, [pub]))
        esper = message_of(store, pub, ESPER)
    assert main(["posts", "--json"]) == 0
    rows = {r["entry_id"]: r for r in json.loads(capsys.readouterr().out)}
    (edit,) = rows[ESPER]["edits"]
    assert (edit["status"], edit["action"], edit["attempts"], edit["last_error"]) == ("done", "edit", 2,
                                                                                     "rate limited (429)")
    assert "Talk at Esper, corrected" in rows[ESPER]["shown"] and rows[ESPER]["edited_at"] == edit["finished_at"]
    assert all(r["edits"] == [] for entry_id, r in rows.items() if entry_id != ESPER)
    assert main(["posts"]) == 0
    line = f"       edit {edit['id']}: done, edit of message {esper} at 2025-05-01T10:00:30 (2 attempts)\n"
    assert line in capsys.readouterr().out
    assert main(["posts", "--edits"]) == 0
    assert capsys.readouterr().out == line.strip() + (
        f"\n       post {rows[ESPER]['id']} anniversary:2025-05-01 to webhook:0123456789ab: {ESPER}\n")


def test_an_edit_is_planned_only_while_the_message_shows_what_the_planner_read(archive):
    """Another process may have edited the message since this one read it: no job from the old reading."""
    store, pub = archive.store, Editable()
    run(poster(store).post_due(MAY_1, [pub]))
    post = store.posts(status="sent")[0]
    assert store.plan_edits([(post.id, post.target, "edit", "abc", "what an older reading saw")], MAY_1) == 0
    assert store.edits() == []
    assert store.plan_edits([(post.id, post.target, "edit", "abc", post.shown)], MAY_1) == 1


def test_a_date_corrected_after_its_anniversary_withdraws_the_message_and_a_late_post_names_its_day(store, tmp_path):
    """An entry with its own id posted as "10 years ago today" on 4 May, then its date corrected to
    5 May (or to this year): the edit said "10 years ago today" on the wrong day ("0 years ago
    today", "-2 years ago today" for this year or next); now the message is withdrawn as for a
    removed entry. The corrected day's anniversary is its own post, and sent a day late
    (catch_up_days) it says which day, not "today"."""
    from almanac.ingest import ingest

    source = tmp_path / "entries.json"

    def dated(day: str) -> None:
        source.write_text(json.dumps([{"id": "launch", "title": "Launch", "date": day, "kind": "news",
                                       "summary": "The launch."}]))
        assert not ingest(store, [str(source)], str(tmp_path)).problems

    dated("2015-05-04")
    pub, clock = Editable(), Clock(dt.datetime(2025, 5, 4, 10, 0, tzinfo=UTC))
    p = poster(store, clock, catch_up_days=1)
    assert run(p.post_due(clock.now, [pub])).sent == [(pub.key, "launch", "anniversary:2025-05-04")]
    first = message_of(store, pub, "launch")
    assert pub.messages[first]["description"].startswith("**🎉 10 years ago today**")
    dated("2015-05-05")
    report = run(p.post_due(clock.now, [pub]))
    assert report.edited == [(pub.key, "launch", "withdraw")]
    assert pub.messages[first]["description"] == WITHDRAWN_DESCRIPTION
    clock.now = dt.datetime(2025, 5, 6, 10, 0, tzinfo=UTC)  # a day late for 5 May
    assert run(p.post_due(clock.now, [pub])).sent == [(pub.key, "launch", "anniversary:2025-05-05")]
    late = next(m for m in pub.messages.values() if m["description"] != WITHDRAWN_DESCRIPTION)
    assert late["description"].startswith("**🎉 10 years ago on 5 May**")
