"""PostgreSQL as the deployment database: `almanac migrate`, `almanac db copy` both ways, one `run` per database.

Against the session's private server (tests/postgres_server.py); skipped with
the reason where PostgreSQL cannot be had. The domain methods themselves run
on both backends in test_store, test_ledger and test_scheduler.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
from dataclasses import replace

import pytest

from almanac.cli import main
from almanac.embeddings import embed_missing
from almanac.ingest import ingest
from almanac.instance_lock import AlreadyRunning
from almanac.posting import Poster, PostingPolicy, RetryLater
from almanac.store import Store
from tests.conftest import SEED
from tests.fakes import FakeEmbedder

UTC = dt.timezone.utc
MAY_1 = dt.datetime(2025, 5, 1, 10, 0, tzinfo=UTC)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


class Flaky:
    """A publisher that takes the first post, rate-limits the second, then takes the rest."""

    key, wants = "webhook:0123456789ab", frozenset({"anniversary", "new"})

    def __init__(self):
        self.calls = 0

    async def send(self, post):
        self.calls += 1
        if self.calls == 2:
            raise RetryLater("rate limited (429)", 30)
        return f"m{self.calls}"


def _archive(path: str) -> None:
    """The seed with vectors, a ledger (sent, pending with a retry time, an edit), a subscription."""
    with Store(path) as store:
        ingest(store, [str(SEED)], str(SEED.parent), embed=lambda s: embed_missing(s, FakeEmbedder()))
        asyncio.run(Poster(store, "https://example.org/", PostingPolicy()).post_due(MAY_1, [Flaky()]))
        sent = store.posts(status="sent")[0]
        store.plan_edits([(sent.id, sent.target, "edit", "0123456789abcdef", sent.shown)], MAY_1)  # an edit waiting
        store.subscribe(223456789012345678, 323456789012345678, "anniversaries")
        (key,) = store.source_keys()  # whose the seed is, as a feed would say (almanac.person)
        read_again = [replace(e, by="Anil Madhavapeddy", changed_at=None) for e in store.entries()]  # as from the file
        assert not store.replace_source(key, read_again).touched


def _state(capsys, target: str) -> tuple[list, list, list]:
    """What the CLI shows of a database (list, posts) and its vectors."""
    code, entries, err = run(capsys, "--db", target, "list", "--json")
    assert code == 0, err
    code, posts, err = run(capsys, "--db", target, "posts", "--json")
    assert code == 0, err
    with Store(target) as store:
        ids, matrix = store.vectors("fake-bow-64")
        subs = [s.to_json() for s in store.subscriptions()]
        people = store.people()  # whose each source is (almanac.person)
    return json.loads(entries), json.loads(posts), [ids, matrix.tolist(), subs, people]


def test_db_copy_sqlite_to_postgres_and_back_keeps_everything(capsys, tmp_path, postgres_url):
    first, back = str(tmp_path / "first.db"), str(tmp_path / "back.db")
    _archive(first)
    before = _state(capsys, first)
    assert len(before[0]) == 25 and before[2][3] == ["Anil Madhavapeddy"] and {p["status"] for p in before[1]} == {"sent", "pending"}
    assert [e["status"] for p in before[1] for e in p["edits"]] == ["pending"]

    code, out, err = run(capsys, "db", "copy", first, postgres_url)
    assert code == 0, err
    # 50 vector rows: each entry's whole vector and its block of title and sentence vectors
    assert out.startswith("copied 25 entries, 50 vectors, 5 ledger rows, 1 edits, 1 targets, 1 subscriptions from ")
    assert _state(capsys, postgres_url) == before

    code, out, err = run(capsys, "db", "copy", postgres_url, back)
    assert code == 0, err
    assert _state(capsys, back) == before

    # The copy carries on from PostgreSQL: what was sent is not sent again; new ledger ids follow the old.
    with Store(postgres_url) as store:
        pub = Flaky()
        pub.calls = 2
        report = asyncio.run(Poster(store, "https://example.org/", PostingPolicy(), clock=lambda: MAY_1).post_due(
            MAY_1, [pub]))
        sent_before = {p["entry_id"] for p in before[1] if p["status"] == "sent"}
        assert len(sent_before) == 1 and not sent_before & {entry_id for _, entry_id, _ in report.sent}
        assert len(report.sent) == 3  # the rate-limited one waits for its retry time
        store.plan_posts([("jitsu-just-in-time-summoning-of-unikernels-2015-05-talk", "new", pub.key, "n")], MAY_1)
        (new,) = store.posts(occasion_prefix="new")
        assert new.id > max(p["id"] for p in before[1])  # the sequence went on after the copied ids
        assert store.plan_edits([(new.id, pub.key, "edit", "x", new.shown)], MAY_1) == 1 and store.edits()[0].id == 2


def test_db_copy_refuses_a_non_empty_target_unless_forced(capsys, tmp_path, postgres_url):
    first = str(tmp_path / "first.db")
    _archive(first)
    assert run(capsys, "db", "copy", first, postgres_url)[0] == 0
    code, out, err = run(capsys, "db", "copy", first, postgres_url)
    assert code == 1 and out == ""
    host_db = postgres_url.split("://", 1)[1]
    assert err == (f"almanac: postgresql://{host_db} is not empty (25 entries, 5 ledger rows, 1 targets, "
                   "1 subscriptions); pass --force to replace what it holds\n")
    code, out, err = run(capsys, "db", "copy", first, postgres_url, "--force")
    assert code == 0 and out.startswith("copied 25 entries"), err
    code, out, err = run(capsys, "db", "copy", str(tmp_path / "missing.db"), postgres_url)
    assert (code, err) == (1, f"almanac: {tmp_path / 'missing.db'}: no such database file\n")


def test_migrate_applies_then_reports_up_to_date(capsys, postgres_url, monkeypatch):
    monkeypatch.delenv("ALMANAC_DB")
    monkeypatch.setenv("DATABASE_URL", postgres_url)  # as a Procfile host sets it
    code, out, err = run(capsys, "migrate")
    host_db = postgres_url.split("://", 1)[1]
    assert (code, out) == (0, f"postgresql://{host_db}: applied migrations 1, 2, 3, 4, 5, 6\n"), err
    assert run(capsys, "migrate")[:2] == (0, f"postgresql://{host_db}: up to date\n")


def test_one_run_per_postgres_database(postgres_url):
    with Store(postgres_url) as a, Store(postgres_url) as b:
        with a.instance_lock("run"):
            with pytest.raises(AlreadyRunning) as info:
                b.instance_lock("run").acquire()
            message = str(info.value)
            assert message.startswith("another `almanac run` (pid ") and "is using postgresql://" in message
            assert message.endswith("; stop it first, or pass --db to use another database")
        with b.instance_lock("run"):  # released: the next one gets it
            pass


def test_a_run_whose_lock_went_with_its_connection_takes_it_again_or_learns_it_lost_it(postgres_url):
    """The server drops a session lock with its connection (a restart, a failover): nothing told
    the holder, and a second `almanac run` started beside it. `keep` takes it again on a new
    connection, or raises AlreadyRunning when another process took it meanwhile."""
    import psycopg

    def drop_connection(lock):
        """Terminate the lock's backend and wait (up to 10 s) until it has exited: without the
        timeout `pg_terminate_backend` only signals, and the lock may still be held a moment
        later (a CI run caught `second.acquire()` racing the dying backend)."""
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            gone = admin.execute("SELECT pg_terminate_backend(%s, 10000)",
                                 [lock._conn.info.backend_pid]).fetchone()[0]
            assert gone, "the lock's backend did not exit within 10 s"

    with Store(postgres_url) as a, Store(postgres_url) as b:
        first = a.instance_lock("run")
        first.acquire()
        first.keep()  # held: nothing to do
        drop_connection(first)
        first.keep()  # taken again on a new connection
        with pytest.raises(AlreadyRunning):
            b.instance_lock("run").acquire()
        drop_connection(first)
        second = b.instance_lock("run")
        second.acquire()  # meanwhile another run starts
        with pytest.raises(AlreadyRunning):
            first.keep()
        second.release()
        first.release()


def test_a_searcher_sees_what_another_process_changed(postgres_url, tmp_path):
    """Processes share only the database: the searcher reloads on the store's version, not on anything local."""
    from almanac.search import Searcher

    fake = FakeEmbedder()
    with Store(postgres_url) as web, Store(postgres_url) as worker:
        ingest(worker, [str(SEED)], str(SEED.parent), embed=lambda s: embed_missing(s, fake))
        searcher = Searcher(web, fake)
        assert all(h.entry.title != "Quantum marmots in the cloud" for h in searcher.search("quantum marmots").hits)
        before = web.search_version()
        extra = tmp_path / "extra.txt"
        extra.write_text("Quantum marmots in the cloud / Mar 2021\nA talk on quantum marmots.\n")
        ingest(worker, [str(extra)], str(tmp_path), embed=lambda s: embed_missing(s, fake))
        assert web.search_version() > before
        hits = searcher.search("quantum marmots").hits
        assert hits and hits[0].entry.title == "Quantum marmots in the cloud"


#: Words and questions whose full-text counts and scores the tests below compare.
WORDS = ["unikernels", "jitsu", "mirage", "2.0", "xen", "talk", "notes", "rebuilding", "part", "two", "marmots"]
QUERIES = ["unikernels jitsu", "mirage 2.0", "xen talk number", "rebuilding functional principles", "marmots"]


def _fulltext(store) -> tuple[dict, dict]:
    """Each word's count and, per question, every matching entry's BM25 score (to 9 places)."""
    return (store.term_doc_counts(WORDS),
            {q: {entry_id: round(score, 9) for entry_id, score in store.fts_rank(q.split(), 1000)} for q in QUERIES})


def test_full_text_is_the_same_whatever_the_history_of_writes(tmp_path, postgres_server, postgres_url):
    """PostgreSQL keeps BM25's posting lists in blocks: one per word per write, rewritten on edits and
    removals, merged past a few. After many writes, edits and removals, counts and scores equal those
    of one fresh ingest of the same sources (stale, lost or doubled postings would show)."""
    from almanac.store.fulltext import Tsvector

    seed = tmp_path / "seed.txt"
    seed.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    extras = [tmp_path / f"extra-{i}.txt" for i in range(Tsvector.MAX_BLOCKS + 2)]
    with Store(postgres_url) as store:
        ingest(store, [str(seed)], str(tmp_path))
        for i, path in enumerate(extras):  # one write each: more blocks than a word may keep
            path.write_text(f"Unikernels and Jitsu notes {i} / May {2010 + i}\n"
                            f"A talk on unikernels, Mirage 2.0 and Xen, number {i}.\n", encoding="utf-8")
            ingest(store, [str(path)], str(tmp_path))
        _fulltext(store)  # (the store now knows the ids of the rows it ranked)
        lines = seed.read_text(encoding="utf-8").splitlines()
        lines[1] = lines[1].replace("Part 2", "Part two")  # an edit
        del lines[2:4]  # a removal
        seed.write_text("\n".join(lines), encoding="utf-8")
        extras[3].write_text("Quantum marmots in the cloud / Mar 2021\nA talk on quantum marmots.\n", encoding="utf-8")
        report = ingest(store, [str(seed), *map(str, extras)], str(tmp_path))
        assert (report.total("changed"), report.total("removed"), report.total("added")) == (1, 2, 1)
        history = _fulltext(store)
    fresh = postgres_server.new_database()
    try:
        with Store(fresh) as store:
            ingest(store, [str(seed), *map(str, extras)], str(tmp_path))
            assert _fulltext(store) == history
    finally:
        postgres_server.drop_database(fresh)
    assert history[0]["marmots"] == 1 and history[0]["notes"] == len(extras) - 1  # the replaced entry is gone
    assert history[1]["mirage 2.0"] and history[1]["rebuilding functional principles"]


def test_migration_5_builds_the_posting_blocks_of_a_database_made_before_it(postgres_server, postgres_url,
                                                                           monkeypatch):
    from almanac.store import migrations

    with monkeypatch.context() as patch:
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:4])
        with Store(postgres_url) as store:
            assert store.migrations_applied == [1, 2, 3, 4]
            ingest(store, [str(SEED)], str(SEED.parent))
    with Store(postgres_url) as store:
        assert store.migrations_applied == [5, 6]
        upgraded = _fulltext(store)
    fresh = postgres_server.new_database()
    try:
        with Store(fresh) as store:
            ingest(store, [str(SEED)], str(SEED.parent))
            assert _fulltext(store) == upgraded
    finally:
        postgres_server.drop_database(fresh)
    assert upgraded[0]["unikernels"] == 19 and len(upgraded[1]["unikernels jitsu"]) == 19


def test_migration_6_indexes_the_entries_of_a_database_made_before_it_without_accents(postgres_url, monkeypatch,
                                                                                      tmp_path):
    """Entries stored before migration 6 are indexed again without their accents, as new ones are."""
    from almanac.store import migrations

    source = tmp_path / "x.json"
    source.write_text('[{"title": "Crafoord Prize", "date": "2008", "kind": "news", '
                      '"summary": "Shared with Emmanuel Candès."}]', encoding="utf-8")
    with monkeypatch.context() as patch:
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:5])
        with Store(postgres_url) as store:
            ingest(store, [str(source)], str(tmp_path))
            assert store.term_doc_counts(["candes", "candès"]) == {"candes": 0, "candès": 1}
    with Store(postgres_url) as store:
        assert store.migrations_applied == [6]
        assert store.term_doc_counts(["candes", "candès"]) == {"candes": 1, "candès": 1}
        assert [i for i, _ in store.fts_rank(["candes"])] == ["crafoord-prize-2008"]


def test_ranking_after_another_process_replaced_the_whole_archive(tmp_path, postgres_url):
    """A store remembers the ids of rows it ranked; a `db copy --force` from elsewhere renumbers every
    row, and the ranking is then the new archive's, the same as SQLite's for it."""
    from almanac.store.copying import copy_store

    other = tmp_path / "other.txt"
    other.write_text("Jitsu on a laptop / Jan 2020\nJitsu jitsu summons unikernels.\n\n"
                     "Jitsu at scale / Feb 2021\nA Jitsu talk.\n", encoding="utf-8")
    with Store(postgres_url) as web, Store(str(tmp_path / "other.db")) as sqlite:
        ingest(web, [str(SEED)], str(SEED.parent))
        assert len(web.fts_rank(["jitsu"])) == 3
        ingest(sqlite, [str(other)], str(tmp_path))
        with Store(postgres_url) as worker:
            copy_store(sqlite, worker, force=True)
        assert web.fts_rank(["jitsu"]) == sqlite.fts_rank(["jitsu"])
        assert [entry_id for entry_id, _ in web.fts_rank(["jitsu"])] == ["jitsu-on-a-laptop-2020-01",
                                                                        "jitsu-at-scale-2021-02"]


def test_the_store_is_back_soon_after_postgresql_is(monkeypatch, caplog):
    """psycopg_pool's defaults made an outage long: a caller waited 30 s for a connection, and
    after the server came back the first one waited for the pool's next retry, whose delay doubles
    (1, 2, 4, 8 s ...: 10-21 s after a 20-40 s outage). The store now gives up waiting after
    WAIT_TIMEOUT and the pool a retry after RECONNECT_TIMEOUT, so the next caller tries at once;
    shortened here (1 s, 0.5 s) so the test is quick. The pool's warnings stay one line each."""
    import logging
    import threading
    import time

    from almanac.store import postgres
    from almanac.store.database import out_of_reach
    from tests.postgres_server import URL_ENV, PostgresServer, unavailable

    if unavailable() or os.environ.get(URL_ENV):
        pytest.skip(unavailable() or "a server of our own is needed to stop it")
    monkeypatch.setattr(postgres, "WAIT_TIMEOUT", 1.0)
    monkeypatch.setattr(postgres, "RECONNECT_TIMEOUT", 0.5)
    server = PostgresServer().start()
    try:
        store = Store(server.new_database())
        assert store.count() == 0
        server.crash()
        failed = []

        def count():
            began = time.monotonic()
            try:
                store.count()
            except Exception as exc:
                failed.append((out_of_reach(exc), time.monotonic() - began))

        with caplog.at_level(logging.WARNING, logger="psycopg.pool"):
            asking = threading.Thread(target=count, daemon=True)  # the library's default would wait 30 s
            asking.start()
            asking.join(timeout=10)
            assert failed and failed[0][0] and failed[0][1] < 5
            time.sleep(2)  # down long enough for the library's retry delay to reach 4 s
            server.resume()
            began = time.monotonic()
            assert store.count() == 0
            assert time.monotonic() - began < 2  # the library's default: the retry at ~3 s, then 4 s later
        assert caplog.records and all("\n" not in r.getMessage() for r in caplog.records)
        store.close()
    finally:
        server.stop()
