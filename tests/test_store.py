"""The store: idempotent ingest, removals, all-or-nothing sources, migrations."""

from __future__ import annotations

import os

import pytest

from almanac.entry import Entry, PartialDate
from almanac.ingest import ingest
from almanac.store import Store, StoreError
from almanac.store.database import Database
from tests.conftest import SEED

BOTH_BACKENDS = True


def test_ingest_is_idempotent(store, seed_path):
    first = ingest(store, [str(seed_path)], os.getcwd())
    assert first.total("added") == 25 and not first.problems
    generation = store.generation()
    second = ingest(store, [str(seed_path)], os.getcwd())
    assert (second.total("added"), second.total("changed"), second.total("removed"), second.total("unchanged")) == (0, 0, 0, 25)
    assert store.generation() == generation
    assert store.count() == 25


def test_edit_and_removal_are_counted(store, tmp_path, seed_path):
    archive = tmp_path / "list.txt"
    text = seed_path.read_text(encoding="utf-8")
    archive.write_text(text, encoding="utf-8")
    ingest(store, [str(archive)], os.getcwd())
    added_at = store.added_at()
    lines = text.splitlines()
    lines[1] = lines[1].replace("Part 2", "Part two")  # edit the first summary
    del lines[2:4]  # remove the second entry
    archive.write_text("\n".join(lines), encoding="utf-8")
    report = ingest(store, [str(archive)], os.getcwd())
    assert report.total("changed") == 1 and report.total("removed") == 1 and report.total("unchanged") == 23
    assert store.count() == 24
    assert store.get("rebuilding-operating-systems-with-functional-principles-2020-02") is None
    assert "Part two" in store.get("the-first-billion-real-deployments-of-unikernels-2020-02").summary
    assert store.added_at()["the-first-billion-real-deployments-of-unikernels-2020-02"] == added_at[
        "the-first-billion-real-deployments-of-unikernels-2020-02"
    ]


def test_a_broken_source_changes_nothing(store, tmp_path, seed_path):
    archive = tmp_path / "list.txt"
    archive.write_text(seed_path.read_text(encoding="utf-8"), encoding="utf-8")
    ingest(store, [str(archive)], os.getcwd())
    before = [e.to_json() for e in store.entries()]
    archive.write_text("Only one entry / Mai 2015\nbroken month\n", encoding="utf-8")
    report = ingest(store, [str(archive)], os.getcwd())
    assert [str(p) for p in report.problems] == ["list.txt:1: date: 'Mai' is not a month name"]
    assert [e.to_json() for e in store.entries()] == before


def test_other_sources_still_go_in_when_one_is_broken(store, tmp_path, seed_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    report = ingest(store, [str(seed_path), str(bad)], os.getcwd())
    assert len(report.problems) == 1 and store.count() == 25


def test_a_look_alike_in_another_source_gets_its_own_id_and_the_first_keeps_its(store, tmp_path):
    """A paper (or a second talk) of the same title and month arrives in another file, read on its
    own or with the first: the entry stored first keeps its id (its vectors, its posts), the new
    one takes the kind's id, and ingesting both again and again changes nothing. (The paper was
    refused as an id conflict, and a second talk took the first's id on every other ingest.)"""
    a, b, c = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "c.json"
    a.write_text("Same title / May 2015\nA talk.\n")
    b.write_text("Same title / May 2015\nA paper, different words.\n")
    c.write_text('[{"title": "Same title", "date": "2015-05", "kind": "talk", "summary": "Another talk."}]')
    ingest(store, [str(a)], os.getcwd())
    report = ingest(store, [str(b)], os.getcwd())
    assert not report.problems and report.total("added") == 1
    assert store.get("same-title-2015-05").summary == "A talk."
    assert store.get("same-title-2015-05-paper").summary == "A paper, different words."
    for _ in range(3):  # all three together (c.json sorts first), again and again: nothing moves
        report = ingest(store, [str(a), str(b), str(c)], os.getcwd())
        assert not report.problems and report.total("changed") == report.total("removed") == 0
        assert {e.id: e.summary for e in store.entries()} == {
            "same-title-2015-05": "A talk.", "same-title-2015-05-paper": "A paper, different words.",
            "same-title-2015-05-talk": "Another talk."}


def test_sources_read_together_get_distinct_ids_in_any_order(store, tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Same title / May 2015\nA talk.\n")
    b.write_text("Same title / May 2015\nA paper.\n")
    ingest(store, [str(b), str(a)], os.getcwd())
    assert sorted(e.id for e in store.entries()) == ["same-title-2015-05-paper", "same-title-2015-05-talk"]


def test_fts_rank_quotes_user_text(seeded_store):
    hits = seeded_store.fts_rank(["booting", "DNS"])
    assert hits and hits[0][0].startswith("jitsu")
    for hostile in (['"'], ["AND"], ["*"], ["("], ["-"], [":"], ["NEAR(a b)"], ['x" OR "y'], ["a\x00b"]):
        seeded_store.fts_rank(hostile)  # must not raise
        seeded_store.term_doc_counts(hostile)
    assert seeded_store.fts_rank(['"DNS"']) == seeded_store.fts_rank(["DNS"])


def test_migrations_run_once_and_are_recorded(tmp_path):
    path = str(tmp_path / "m.db")
    Store(path).close()
    with Store(path) as store:
        with store.read() as db:
            rows = db.execute("SELECT id, name FROM migrations ORDER BY id").fetchall()
            assert rows[0] == (1, "initial")
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_database_a_newer_almanac_migrated_is_refused_and_left_as_it_was(seeded_store, db_target):
    """An older almanac (left running on a second machine after the first was upgraded) must not
    write into a schema it does not know: opening says so in one line, and what the database
    holds, the newer migration's record included, is untouched."""
    from almanac.store.migrations import MIGRATIONS

    newest = MIGRATIONS[-1][0]
    with seeded_store.transaction() as db:
        db.execute("INSERT INTO migrations (id, name, applied_at) VALUES (?, ?, ?)",
                   [newest + 1, "from_the_future", "2030-01-01T00:00:00+00:00"])
    seeded_store.close()
    with pytest.raises(StoreError) as info:
        Store(db_target)
    message = str(info.value)
    assert f"migration {newest + 1}, 'from_the_future', is unknown to this version, which knows up to {newest}" \
        in message and message.endswith("upgrade almanac to use it") and "\n" not in message
    with pytest.raises(StoreError):  # refused again, not half-opened the first time
        Store(db_target)
    with Database(db_target) as raw:  # the database without the store's migration check: unchanged
        with raw.read() as db:
            assert [r["id"] for r in db.query("SELECT id FROM migrations ORDER BY id")][-1] == newest + 1
            assert db.execute("SELECT COUNT(*) FROM entries").fetchone()[0] == 25


def test_not_a_database_and_missing_directory(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError) as info:
        Store(str(junk))
    assert str(info.value) == f"{junk}: cannot open the database (file is not a database); check the path or pass --db PATH"
    with pytest.raises(StoreError) as info:
        Store(str(tmp_path / "missing" / "a.db"))
    assert str(info.value) == f"database directory {tmp_path / 'missing'} does not exist; create it or pass --db PATH"


def test_a_failed_transaction_rolls_back(seeded_store):
    with pytest.raises(RuntimeError):
        with seeded_store.transaction() as db:
            db.execute("DELETE FROM entries")
            raise RuntimeError("boom")
    assert seeded_store.count() == 25
    with pytest.raises(seeded_store.dialect.integrity_error):
        with seeded_store.transaction() as db:
            db.execute("INSERT INTO entries (id) VALUES ('x')")
    assert seeded_store.count() == 25


def test_ids_once_given_are_kept_when_a_look_alike_arrives_or_leaves(store, tmp_path):
    archive = tmp_path / "list.txt"
    talk = "Foo / May 2015\nA talk at a workshop.\n"
    paper = "Foo / May 2015\nA paper at a conference.\n"
    archive.write_text(talk)
    ingest(store, [str(archive)], os.getcwd())
    assert [e.id for e in store.entries()] == ["foo-2015-05"]
    archive.write_text(talk + paper)  # a paper with the same title and month arrives
    report = ingest(store, [str(archive)], os.getcwd())
    assert report.total("unchanged") == 1 and report.total("added") == 1
    assert sorted(e.id for e in store.entries()) == ["foo-2015-05", "foo-2015-05-paper"]
    archive.write_text(paper)  # the talk leaves: the paper keeps its id
    report = ingest(store, [str(archive)], os.getcwd())
    assert report.total("removed") == 1 and report.total("unchanged") == 1
    assert [e.id for e in store.entries()] == ["foo-2015-05-paper"]


def test_a_repeated_explicit_id_is_reported_and_the_source_left_alone(store, tmp_path):
    import json

    path = tmp_path / "entries.json"
    path.write_text(json.dumps([{"title": "One", "date": "2015", "summary": "s", "id": "x1"}], indent=1))
    ingest(store, [str(path)], os.getcwd())
    path.write_text(json.dumps([{"title": "One", "date": "2015", "summary": "s", "id": "x1"},
                                {"title": "Two", "date": "2016", "summary": "t", "id": "x1"}], indent=1))
    report = ingest(store, [str(path)], os.getcwd())
    assert [str(p) for p in report.problems] == [
        "entries.json:8: id: 'x1' is also the id of the entry at entries.json:2; ids must be unique"
    ]
    assert [e.title for e in store.entries()] == ["One"]


def test_reads_do_not_wait_for_a_write_transaction(seeded_store):
    """A refresh writing a big source must not hold up a bot command or a web request."""
    import threading
    import time

    inside, release = threading.Event(), threading.Event()

    def long_write():
        with seeded_store.transaction() as db:
            db.execute("DELETE FROM entries WHERE year = 2013")
            inside.set()
            release.wait(10)

    writer = threading.Thread(target=long_write)
    writer.start()
    try:
        assert inside.wait(5)
        began = time.monotonic()
        assert seeded_store.count() == 25  # the last commit, not the write in progress
        assert time.monotonic() - began < 1.0
    finally:
        release.set()
        writer.join(10)
    assert seeded_store.count() == 21  # the four 2013 entries are gone once it commits


def test_part_vectors_are_fetched_for_the_content_they_were_computed_from(seeded_store):
    """`vector_blocks` returns a block only when it was computed from the content hash asked for
    (a searcher asks with its snapshot's hashes): an entry edited since is not answered by an old block."""
    import numpy as np

    a, b = seeded_store.entries()[:2]
    block = np.arange(8, dtype=np.float32).reshape(2, 4)
    seeded_store.save_vectors("m#parts", [(a.id, a.content_hash, block), (b.id, "an older hash", block + 1)])
    found = seeded_store.vector_blocks("m#parts", {a.id: a.content_hash, b.id: b.content_hash, "no-such-id": "h"})
    assert list(found) == [a.id] and np.array_equal(found[a.id], block)
    assert np.array_equal(seeded_store.vector_blocks("m#parts", {b.id: "an older hash"})[b.id], block + 1)
    assert seeded_store.vector_blocks("other-model", {a.id: a.content_hash}) == {}
    assert seeded_store.vector_blocks("m#parts", {}) == {}


def test_postgres_migrations_are_recorded_and_two_stores_opening_at_once_apply_them_once(postgres_url):
    import threading

    stores, errors = [], []

    def open_one():
        try:
            stores.append(Store(postgres_url))
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    try:
        assert errors == [] and len(stores) == 4
        with stores[0].read() as db:
            rows = db.execute("SELECT id, name FROM migrations ORDER BY id").fetchall()
        assert rows[:3] == [(1, "initial"), (2, "post_unknown_outcomes"), (3, "post_leases")]
    finally:
        for s in stores:
            s.close()


def test_a_postgres_url_that_cannot_be_reached_is_one_line_without_the_password():
    from almanac.store.database import StoreError as Err

    with pytest.raises(Err) as info:
        Store("postgresql://almanac:s3cret@127.0.0.1:1/almanac")
    message = str(info.value)
    assert message.startswith("postgresql://almanac@127.0.0.1:1/almanac: cannot connect to the database (")
    assert message.endswith("); check the URL or pass --db") and "s3cret" not in message and "\n" not in message


@pytest.mark.parametrize("url", [
    "postgresql://alice:s3cretPW@127.0.0.1:1/db?password=s3cretPW2",  # libpq takes a password parameter too
    "postgresql://127.0.0.1:1/db?user=alice&password=s3cretPW",
    "postgresql://alice:s3cret%zzPW@127.0.0.1:1/db",  # psycopg's message quotes the bad token
    "postgresql://alice:s3cretPW@[::1]x:1/db",  # ... or the whole URI
    "postgresql://alice:s3cretPW@[::1:1/db",  # a URL parser raises on it
    " postgresql://alice:s3cretPW@127.0.0.1:1/db",  # not a SQLite file named so
    "POSTGRESQL://alice:s3cretPW@127.0.0.1:1/db",
    "postgresql://alice:s3cret%40PW@127.0.0.1:1/db",  # written percent-encoded, shown decoded by the driver
])
def test_no_form_of_a_postgres_url_shows_its_password(tmp_path, capsys, url):
    """Whatever the URL looks like, `almanac` says in one line that it cannot connect, without the
    password as written or decoded; a config file's wrong type for `db` does not repeat its value."""
    from almanac.cli import main

    assert main(["list"], env={"ALMANAC_DB": url}) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot connect to the database" in err
    assert "s3cret" not in err and "PW" not in err, err

    config = tmp_path / "almanac.toml"
    config.write_text(f'[archive]\ndb = ["{url.strip()}"]\n')
    assert main(["--config", str(config), "list"], env={}) == 2
    err = capsys.readouterr().err
    assert err == f"almanac: {config}:2: [archive] db: expected a string, got list\n"

    from almanac.store.database import scrubbed

    assert scrubbed("disk image is malformed", "") == "disk image is malformed"  # nothing to scrub, nothing inserted


def test_db_copy_moves_every_column_of_every_table(store):
    """`almanac db copy` names its columns (parents first, rowids kept); a column a migration adds
    and the list forgets is lost in every copy (posts.entry_hash was: each copied post came back
    as an edit candidate). Every table's columns, read from the database itself, are in the list."""
    from almanac.store.copying import TABLES

    copied = {table: {c.strip() for c in columns.split(",")} for table, columns, _ in TABLES}
    # Made by the target itself: PostgreSQL's entry numbers (inserted in the source's order) and
    # the full-text column its trigger fills.
    derived = {"entries": {"rowid", "fts"}}
    with store.read() as db:
        for table in copied:
            held = {d[0] for d in db.execute(f"SELECT * FROM {table} WHERE 1 = 0").description}
            assert held - copied[table] - derived.get(table, set()) == set(), f"{table}: not copied"
    migrated_tables = {"entries", "embeddings", "posts", "post_edits", "targets", "subscriptions"}
    assert migrated_tables <= set(copied)


@pytest.mark.parametrize("url", [
    "postgresql:/alice:s3cretPW@127.0.0.1:5432/db",  # one slash: taken for a file path
    "postgres//alice:s3cretPW@127.0.0.1/db",
    "postgresql:alice:s3cretPW@127.0.0.1/db",
    "alice:s3cretPW@127.0.0.1:5432/db",  # no scheme at all
])
def test_a_mistyped_postgres_url_read_as_a_file_path_shows_no_password(tmp_path, capsys, url):
    """Without "://" a URL is a SQLite path, and the messages about that path ("database directory
    ... does not exist", `db copy`'s "no such database file") showed its password whole."""
    from almanac.cli import main

    for args in (["list"], ["migrate"], ["db", "copy", url, str(tmp_path / "x.db")],
                 ["db", "copy", str(tmp_path / "x.db"), url]):
        env = {"ALMANAC_DB": url} if args[0] != "db" else {}
        assert main(args, env=env) != 0, args
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "s3cret" not in err and "PW" not in err, (args, err)


def test_a_file_gone_from_a_glob_leaves_the_store_and_a_renamed_one_keeps_its_ids(store, tmp_path):
    """`sources = ["notes/*.json"]`: a deleted file's entries go (nothing else would remove them),
    a renamed file's entries come back under their ids (its former name held them: it was refused
    as a conflict on every ingest), and a file named on its own that goes missing is a problem
    that keeps its entries (a typo must not empty the store)."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "x.json").write_text('[{"title": "Alpha", "date": "2015-05", "kind": "talk", "summary": "A."}]')
    (notes / "y.json").write_text('[{"title": "Beta", "date": "2016-05", "kind": "talk", "summary": "B."}]')
    single = tmp_path / "single.json"
    single.write_text('[{"title": "Gamma", "date": "2017-05", "kind": "talk", "summary": "C."}]')
    specs = ["notes/*.json", "single.json"]
    assert not ingest(store, specs, str(tmp_path)).problems
    (notes / "y.json").unlink()
    report = ingest(store, specs, str(tmp_path))
    assert not report.problems and report.total("removed") == 1
    assert sorted(e.id for e in store.entries()) == ["alpha-2015-05", "gamma-2017-05"]
    added_at = store.added_at()["alpha-2015-05"]
    (notes / "x.json").rename(notes / "z.json")
    report = ingest(store, specs, str(tmp_path))
    assert not report.problems
    assert {e.id: e.source for e in store.entries()}["alpha-2015-05"] == "notes/z.json:1"
    # moved, not removed and added again: first seen as before (so not announced as new again)
    assert (report.total("added"), report.total("removed"), report.total("unchanged")) == (0, 0, 2)
    assert store.added_at()["alpha-2015-05"] == added_at and len(report.changes) == 2
    single.unlink()
    report = ingest(store, specs, str(tmp_path))
    assert [str(p) for p in report.problems] == ["single.json: file: no such file or directory"]
    assert sorted(e.id for e in store.entries()) == ["alpha-2015-05", "gamma-2017-05"]


def test_a_folder_and_a_glob_naming_the_same_notes_store_them_once(store, tmp_path):
    """`sources = ["notes/*.md"]`, then `almanac ingest notes/` (the README's example): the folder
    was a source of its own, so every note was stored twice (the copy under an id ending in the
    kind), announced twice, and the copy never left, even when its file was deleted. The same
    files under another name are the same entries: they move, first seen as before."""
    notes = tmp_path / "notes"
    notes.mkdir()
    for name, title, date in (("a.md", "Alpha", "2015-05-01"), ("b.md", "Beta", "2016-05-01")):
        (notes / name).write_text(f"---\ntitle: {title}\ndate: {date}\nkind: talk\n---\nAbout {title}.\n")
    assert not ingest(store, ["notes/*.md"], str(tmp_path)).problems
    before = store.added_at()
    for specs in (["notes"], ["notes/*.md"], ["notes/"], ["notes/a.md"], ["notes"]):
        report = ingest(store, specs, str(tmp_path))
        assert not report.problems and report.total("added") == 0, specs
        assert store.added_at() == before, specs
    (notes / "b.md").unlink()
    assert ingest(store, ["notes"], str(tmp_path)).total("removed") == 1
    assert [e.id for e in store.entries()] == ["alpha-2015-05-01"]


def test_a_file_outside_the_config_folder_is_one_source_however_its_path_is_written(store, tmp_path):
    """`sources = ["../data/x.json"]` kept the ".." in the key, so the same file named by its
    absolute path (or from another folder) was a second source: every entry stored twice."""
    (tmp_path / "app").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.json").write_text('[{"title": "Alpha", "date": "2015-05", "kind": "talk", "summary": "A."}]')
    base = str(tmp_path / "app")
    for spec in ("../data/x.json", str(tmp_path / "data" / "x.json"), "../app/../data/./x.json"):
        report = ingest(store, [spec], base)
        assert not report.problems and store.source_keys() == [str(tmp_path / "data" / "x.json")], spec
    assert [e.id for e in store.entries()] == ["alpha-2015-05"]


def test_a_glob_that_matches_nothing_keeps_its_entries(store, tmp_path):
    """`sources = ["notes/*.md"]` with the folder renamed (or on a disk not mounted): the pattern
    matching nothing was reported as a problem, and every entry it had read was removed as if each
    file were deleted (put back, they were new again: announced again, their posts withdrawn). A
    source with a problem is left as the store holds it."""
    notes = tmp_path / "notes"
    notes.mkdir()
    for i in (1, 2):
        (notes / f"{i}.md").write_text(f"---\ntitle: Note {i}\ndate: 2015-0{i}\nkind: talk\n---\nAbout it.\n")
    assert not ingest(store, ["notes/*.md"], str(tmp_path)).problems
    before = store.added_at()
    notes.rename(tmp_path / "notes.off")
    report = ingest(store, ["notes/*.md"], str(tmp_path))
    assert [str(p) for p in report.problems] == ["notes/*.md: sources: no files match this pattern"]
    assert report.total("removed") == 0 and store.added_at() == before
    (tmp_path / "notes.off").rename(notes)
    report = ingest(store, ["notes/*.md"], str(tmp_path))
    assert not report.problems and report.total("added") == 0 and store.added_at() == before


def test_a_file_renamed_with_its_line_in_the_config_keeps_its_entries_ids(store, tmp_path):
    """`sources = ["data/entries.txt"]` renamed to data/talks.txt, file and config line alike:
    the former name was neither read nor a glob's vanished file, so every entry was stored a
    second time under an id ending in its kind, and the first copies stayed for good (every
    anniversary posted twice). They move to the new name, first seen as before; a stored
    source whose file is still there, or is only named by another config, keeps its own."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "entries.txt").write_text(SEED.read_text())
    (tmp_path / "other.json").write_text('[{"title": "Other", "date": "2016-05", "kind": "talk", "summary": "O."}]')
    assert not ingest(store, ["data/entries.txt", "other.json"], str(tmp_path)).problems
    before = store.added_at()
    (data / "entries.txt").rename(data / "talks.txt")
    report = ingest(store, ["data/talks.txt"], str(tmp_path))
    assert not report.problems and report.total("added") == 0 and report.total("removed") == 0
    assert store.added_at() == before and store.source_keys() == ["data/talks.txt", "other.json"]


@pytest.mark.parametrize("second", [["link.txt"], ["data/entries.txt", "link.txt"], ["linked/data/entries.txt"]])
def test_a_file_read_through_a_link_is_the_same_source(store, tmp_path, second):
    """A link to the archive's file (or its folder: the working directory is then the link's
    target) was a second source: every entry stored twice, the copies under ids ending in their
    kind. A file is the same source however it is reached."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "entries.txt").write_text(SEED.read_text())
    (tmp_path / "link.txt").symlink_to(tmp_path / "data" / "entries.txt")
    (tmp_path / "linked").symlink_to(tmp_path, target_is_directory=True)
    assert ingest(store, ["data/entries.txt"], str(tmp_path)).total("added") == 25
    before = store.added_at()
    report = ingest(store, second, str(tmp_path))
    assert not report.problems and report.total("added") == 0 and store.added_at() == before
    assert len(store.entries()) == 25


def test_a_folder_and_a_glob_inside_it_in_one_config_read_each_note_once(store, tmp_path):
    """`sources = ["notes/", "notes/talks/*.md"]`: both name notes/talks/a.md, and each was a
    source of its own, so the note was stored twice (the copy's id ending "-2"). The folder is
    read; the glob adds nothing it does not."""
    (tmp_path / "notes" / "talks").mkdir(parents=True)
    (tmp_path / "notes" / "b.md").write_text("---\ntitle: Beta\ndate: 2016-05\nkind: paper\n---\nB.\n")
    (tmp_path / "notes" / "talks" / "a.md").write_text("---\ntitle: Alpha\ndate: 2015-05\nkind: talk\n---\nA.\n")
    for specs in (["notes/", "notes/talks/*.md"], ["notes/talks/*.md", "notes"]):
        report = ingest(store, specs, str(tmp_path))
        assert not report.problems, specs
        assert sorted(e.id for e in store.entries()) == ["alpha-2015-05", "beta-2016-05"], specs
        assert store.source_keys() == ["notes"], specs


def test_an_entry_moved_to_another_file_moves_and_is_not_announced_again(store, tmp_path):
    """Beta cut from a.txt and pasted into b.txt, both read in one run: a.txt (written first, by
    key) removed it and b.txt added it anew, with a new first-seen time, so a webhook set up since
    posted an old entry as new, and its vectors were made again. It moves, either way round; two
    files that swap entries (no order moves both) still end with each entry once, where it is now."""
    alpha = "Alpha Talk / May 2015\nTalk at a conference about alpha.\n\n"
    beta = "Beta Paper / Jun 2016\nPaper on beta in a journal.\n\n"
    gamma = "Gamma News / Jan 2017\nAnnounced gamma.\n\n"
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(alpha + beta)
    b.write_text(gamma)
    assert ingest(store, ["a.txt", "b.txt"], str(tmp_path)).total("added") == 3
    store.ensure_target("webhook:x", "webhook")  # set up after: the entries so far are not news to it
    before = store.added_at()
    for a_text, b_text in ((alpha, gamma + beta), (alpha + beta, gamma)):
        a.write_text(a_text)
        b.write_text(b_text)
        report = ingest(store, ["a.txt", "b.txt"], str(tmp_path))
        assert not report.problems and (report.total("added"), report.total("removed")) == (0, 0)
        assert store.added_at() == before and store.unannounced("webhook:x") == []
    assert {e.id: e.source for e in store.entries()}["beta-paper-2016-06"] == "a.txt:4"
    a.write_text(gamma)
    b.write_text(alpha + beta)
    report = ingest(store, ["a.txt", "b.txt"], str(tmp_path))
    assert not report.problems
    assert sorted((e.id, e.source) for e in store.entries()) == [
        ("alpha-talk-2015-05", "b.txt:1"), ("beta-paper-2016-06", "b.txt:4"), ("gamma-news-2017-01", "a.txt:1")]


def test_an_entry_whose_title_or_date_is_corrected_keeps_its_id(store, tmp_path):
    """A derived id is the title and the date, so fixing a typo in either gave the entry a new id:
    removed and added, announced again, its page's address, feed item ids and calendar UID
    changed (readers showed it twice, the old link dead). It keeps its id and is "changed"; after
    the title, the date and then the summary, each in its own run. Two entries that cannot be
    told apart (one summary, both retitled) and an entry rewritten whole are new entries still."""
    notes = tmp_path / "talks.txt"
    first = "Mirage Developer Preview / Jul 2013\nA screencast showing developers how to get started.\n\n"
    other = "Unrelated Talk / May 2015\nA talk about something else entirely.\n\n"
    notes.write_text(first + other)
    assert ingest(store, ["talks.txt"], str(tmp_path)).total("added") == 2
    store.ensure_target("webhook:x", "webhook")
    kept = "mirage-developer-preview-2013-07"
    for edited in (first.replace("Mirage Developer", "MirageOS Developer"),  # the title
                   first.replace("Mirage Developer", "MirageOS Developer").replace("Jul 2013", "Aug 2013"),
                   "MirageOS Developer Preview / Aug 2013\nThe first screencast for developers.\n\n"):  # the summary
        notes.write_text(edited + other)
        report = ingest(store, ["talks.txt"], str(tmp_path))
        assert (report.total("added"), report.total("removed"), report.changes[0].changed) == (0, 0, [kept])
        assert store.unannounced("webhook:x") == []
    entry = store.get(kept)
    assert (entry.title, entry.date.isoformat(), entry.summary) == (
        "MirageOS Developer Preview", "2013-08", "The first screencast for developers.")
    assert ingest(store, ["talks.txt"], str(tmp_path)).total("unchanged") == 2  # and stays so

    notes.write_text("Something New / Aug 2013\nA different entry written in its place.\n\n" + other)
    report = ingest(store, ["talks.txt"], str(tmp_path))
    assert (report.changes[0].added, report.changes[0].removed) == (["something-new-2013-08"], [kept])

    twins = "A / 2014\nSame words.\n\nB / 2015\nSame words.\n\n"
    notes.write_text(twins)
    ingest(store, ["talks.txt"], str(tmp_path))
    notes.write_text(twins.replace("A /", "C /").replace("B /", "D /"))
    report = ingest(store, ["talks.txt"], str(tmp_path))
    assert sorted(report.changes[0].added) == ["c-2014", "d-2015"] and sorted(report.changes[0].removed) == ["a-2014", "b-2015"]


def _feed(*items: tuple[str, str, str]) -> bytes:
    """An RSS feed of (title, RFC 822 date, description) items, newest first as feeds list them."""
    body = "".join(f"<item><title>{t}</title><pubDate>{d}</pubDate><description>{s}</description></item>"
                   for t, d, s in items)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>b</title>{body}</channel></rss>'.encode()


def test_entries_that_fall_out_of_a_web_feeds_window_stay_and_one_taken_down_goes(store, tmp_path):
    """A blog's feed lists its last few posts: each new post pushed the oldest out of the store,
    so an archive read from a feed never grew past the feed's window (and the anniversaries of
    what left were never posted). What is older than everything the feed lists now stays; an
    item gone from among them was taken down and goes; a title corrected in the feed keeps its id."""
    from tests.local_http import serving

    one = ("Post one", "Mon, 04 May 2015 10:00:00 GMT", "The first post, about alpha.")
    two = ("Post two", "Tue, 02 Jun 2015 10:00:00 GMT", "The second post, about beta.")
    three = ("Post three", "Wed, 01 Jul 2015 10:00:00 GMT", "The third post, about gamma.")
    four = ("Post four", "Sat, 01 Aug 2015 10:00:00 GMT", "The fourth post, about delta.")
    served = [_feed(two, one)]

    def respond(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Content-Length", str(len(served[0])))
        handler.end_headers()
        handler.wfile.write(served[0])

    with serving(respond) as base:
        url = f"{base}/feed.xml"
        assert ingest(store, [url], str(tmp_path)).total("added") == 2
        served[0] = _feed(four, three, two)  # the window moved on: "Post one" is no longer listed
        report = ingest(store, [url], str(tmp_path))
        assert (report.total("added"), report.total("removed"), report.total("unchanged")) == (2, 0, 2)
        assert sorted(e.title for e in store.entries()) == ["Post four", "Post one", "Post three", "Post two"]
        assert ingest(store, [url], str(tmp_path)).total("unchanged") == 4  # and stays, run after run
        served[0] = _feed((four[0] + " (corrected)", *four[1:]), two)  # three taken down, four retitled
        report = ingest(store, [url], str(tmp_path))
        assert (report.total("added"), report.changes[0].removed, report.changes[0].changed) == (
            0, ["post-three-2015-07-01"], ["post-four-2015-08-01"])
        assert store.get("post-four-2015-08-01").title == "Post four (corrected)"
        assert sorted(e.id for e in store.entries()) == ["post-four-2015-08-01", "post-one-2015-05-04", "post-two-2015-06-02"]

    local = tmp_path / "feed.xml"  # a file is the whole archive: what leaves it goes
    local.write_bytes(_feed(two, one))
    ingest(store, ["feed.xml"], str(tmp_path))
    local.write_bytes(_feed(two))
    assert ingest(store, ["feed.xml"], str(tmp_path)).total("removed") == 1


def test_an_explicit_id_taking_a_stored_entrys_id_settles_in_one_ingest(store, tmp_path):
    """a.json gains an entry whose explicit id is the id b.txt's talk was given: the run refused
    it as taken and yet moved the talk to "-2"; the next run, nothing edited, took the id and
    moved the talk again, to "-talk" (announced as new twice). One run now settles it: the talk
    goes to its kind's id, and the explicit id is free once b.txt is written."""
    (tmp_path / "b.txt").write_text("Foo Talk / May 2015\nTalk at a conference about foo.\n")
    (tmp_path / "a.json").write_text('[{"title": "Bar", "date": "2014", "kind": "paper", "summary": "Bar."}]')
    specs = ["a.json", "b.txt"]
    assert ingest(store, specs, str(tmp_path)).total("added") == 2
    (tmp_path / "a.json").write_text('[{"title": "Bar", "date": "2014", "kind": "paper", "summary": "Bar."},'
                                     ' {"id": "foo-talk-2015-05", "title": "Other", "date": "2016", "kind": "paper",'
                                     ' "summary": "Other."}]')
    report = ingest(store, specs, str(tmp_path))
    assert not report.problems
    settled = {e.id: e.title for e in store.entries()}
    assert settled == {"bar-2014": "Bar", "foo-talk-2015-05": "Other", "foo-talk-2015-05-talk": "Foo Talk"}
    report = ingest(store, specs, str(tmp_path))
    assert not report.problems and report.total("unchanged") == 3 and {e.id: e.title for e in store.entries()} == settled


def test_a_file_name_that_is_not_utf8_stops_no_ingest(store, tmp_path):
    """notes/caf\xe9.md (a name written in Latin-1): its surrogate went into the entry's source and
    the store's UTF-8 refused it, a traceback that stopped every source after it. In a folder the
    note is read, its source written \\xe9; named on its own it is a one-line problem (its key is
    how the file is found again, so it cannot be rewritten), and the other sources go in."""
    import os

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / os.fsdecode(b"caf\xe9.md")).write_text("---\ntitle: Cafe\ndate: 2015-05\nkind: talk\n---\nAbout a cafe.\n")
    (notes / "plain.md").write_text("---\ntitle: Plain\ndate: 2016-05\nkind: talk\n---\nPlain.\n")
    report = ingest(store, ["notes"], str(tmp_path))
    assert not report.problems and report.total("added") == 2
    assert sorted(e.source for e in store.entries()) == ["notes/caf\\xe9.md:1", "notes/plain.md:1"]
    report = ingest(store, [os.fsdecode(b"notes/caf\xe9.md"), "notes/plain.md"], str(tmp_path))
    assert [str(p) for p in report.problems] == ["notes/caf\\xe9.md: file: its name is not valid UTF-8; rename it"]
    assert report.total("added") == 0 and len(store.entries()) == 2


def test_a_source_name_too_long_for_the_stores_index_is_a_problem_on_both_backends(store, tmp_path):
    """A note 2,250 bytes of folders deep (or a signed feed URL of 2.8 KB): PostgreSQL's index on the
    source's name takes rows of 2,704 bytes at most, so that ingest failed with a database error that
    stopped the sources after it, where SQLite took it. Over 2,000 bytes it is one problem on both,
    and the other sources go in."""
    deep = tmp_path
    for n in range(9):
        deep = deep / (f"{n}" * 250)
    deep.mkdir(parents=True)
    (deep / "note.md").write_text("---\ntitle: Deep\ndate: 2015-05\nkind: talk\n---\nDeep.\n")
    (tmp_path / "entries.txt").write_text(SEED.read_text())
    long_url = "https://example.org/feed.xml?token=" + "x" * 2800
    report = ingest(store, [str(deep / "note.md"), long_url, "entries.txt"], str(tmp_path))
    assert [str(p).split(": ", 1)[1] for p in report.problems] == [
        f"source: its name is {len(str(deep / 'note.md')) - len(str(tmp_path)) - 1:,} bytes long, over the 2,000 the "
        "store takes; use a shorter path or URL (a link to the file, a feed URL without its long parameters)",
        "source: its name is 2,835 bytes long, over the 2,000 the store takes; use a shorter path or URL (a link "
        "to the file, a feed URL without its long parameters)"]
    assert report.total("added") == 25 and "x" * 50 not in " ".join(str(p) for p in report.problems)


def test_a_numbered_id_is_kept_once_the_entry_it_was_numbered_after_has_gone(store, tmp_path):
    """Two sources holding the seed, read together: the second's copies are numbered after the
    first's ("...-talk-2"). The first source removed, the next ingest renamed them to the ids the
    first had held (removed and added: announced again). An id once given is kept."""
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(SEED.read_text())
    assert ingest(store, ["a.txt", "b.txt"], str(tmp_path)).total("added") == 50
    copies = sorted(e.id for e in store.entries() if e.source.startswith("b.txt"))
    assert "jitsu-just-in-time-summoning-of-unikernels-2015-05-talk-2" in copies
    store.replace_source("a.txt", [])
    report = ingest(store, ["b.txt"], str(tmp_path))
    assert (report.total("added"), report.total("removed"), report.total("unchanged")) == (0, 0, 25)
    assert sorted(e.id for e in store.entries()) == copies


def test_words_match_without_their_accents_on_both_backends(store):
    """SQLite's FTS5 folds diacritics ("Candes" finds "Candès"); PostgreSQL matched them exactly,
    so an entry writing the name only with its accent was missing there (migration 6)."""
    entries = [Entry(id="prize", title="A prize shared", date=PartialDate(2008), kind="news",
                     summary="Shared with Emmanuel Candès for work on sparse recovery.", source="x.json:1"),
               Entry(id="other", title="Other news", date=PartialDate(2009), kind="news",
                     summary="Nothing about it.", source="x.json:2")]
    store.replace_source("x.json", entries)
    assert store.term_doc_counts(["candes", "candès", "Candès"]) == {"candes": 1, "candès": 1, "Candès": 1}
    for word in ("candes", "candès"):
        assert [i for i, _ in store.fts_rank([word], 5)] == ["prize"], word
    assert store.fts_rank(["candes"], 5)[0][1] == pytest.approx(store.fts_rank(["candès"], 5)[0][1])


def test_titles_in_other_scripts_get_their_own_ids_and_stored_ones_keep_theirs(store, tmp_path, monkeypatch):
    """Titles wholly in another script all had the slug "entry": two of one month were numbered in
    the order they were read, so reordering the file swapped their ids (and their posts). Now they
    are transliterated; an entry stored under its former id keeps it (nothing renamed, nothing
    announced again)."""
    import json

    import almanac.entry as entry_module

    source = tmp_path / "talks.json"

    def write(titles):
        source.write_text(json.dumps([{"title": t, "date": "2015-05", "kind": "talk", "summary": "S."}
                                      for t in titles]), encoding="utf-8")
        report = ingest(store, [str(source)], str(tmp_path))
        assert not report.problems
        return report

    with monkeypatch.context() as patch:  # stored before transliteration
        patch.setattr(entry_module, "slugify", entry_module.legacy_slugify)
        write(["Доклад в Москве", "Łódź Café"])
    assert sorted(e.id for e in store.entries()) == ["entry-2015-05", "odz-cafe-2015-05"]
    report = write(["Łódź Café", "Доклад в Москве", "Лекция в Киеве"])
    assert (report.total("added"), report.total("removed")) == (1, 0)
    assert sorted(e.id for e in store.entries()) == ["entry-2015-05", "lektsiya-v-kieve-2015-05", "odz-cafe-2015-05"]
    assert entry_module.slugify("Доклад на OSCON 2015") == "doklad-na-oscon-2015"
    # new ones: the order they are read in gives no id
    store.replace_source(store.source_keys()[0], [])
    first = {e.title: e.id for e in (write(["Доклад в Москве", "Лекция в Киеве"]) and store.entries())}
    store.replace_source(store.source_keys()[0], [])
    second = {e.title: e.id for e in (write(["Лекция в Киеве", "Доклад в Москве"]) and store.entries())}
    assert first == second == {"Доклад в Москве": "doklad-v-moskve-2015-05", "Лекция в Киеве": "lektsiya-v-kieve-2015-05"}


def test_an_upgrade_keeps_a_source_stored_with_its_dots_as_one_source(store, tmp_path, monkeypatch):
    """Before sources outside the config's folder were normalised, `../shared/talks.json` was
    stored under ".../app/../shared/talks.json". Upgrading, the file read under its normalised
    key was a second source: every entry stored again (with a kind suffix), announced as new and
    posted twice on its anniversaries; with an explicit id, every ingest failed on it. The same
    file under another name is now one source: its entries move, ids and all."""
    import json

    import almanac.ingest as ingest_module
    import almanac.sources as sources_module

    (tmp_path / "app").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "talks.json").write_text(json.dumps([
        {"title": "Alpha", "date": "2015-05", "kind": "talk", "summary": "A."},
        {"id": "my-beta", "title": "Beta", "date": "2016", "kind": "paper", "summary": "B."}]))
    base = str(tmp_path / "app")

    def unnormalised(specs, base_dir):  # what expand_sources gave before 51c8123
        return [os.path.join(base_dir, spec) for spec in specs], []

    with monkeypatch.context() as patch:
        for module in (ingest_module, sources_module):
            patch.setattr(module, "expand_sources", unnormalised)
        assert not ingest(store, ["../shared/talks.json"], base).problems
    assert store.source_keys() == [os.path.join(base, "../shared/talks.json")]
    before = {e.id: e.title for e in store.entries()}
    report = ingest(store, ["../shared/talks.json"], base)
    assert not report.problems and (report.total("added"), report.total("removed")) == (0, 0)
    assert {e.id: e.title for e in store.entries()} == before == {"alpha-2015-05": "Alpha", "my-beta": "Beta"}
    assert store.source_keys() == [str(tmp_path / "shared" / "talks.json")]


def test_look_alike_titles_in_other_scripts_keep_their_numbered_ids(store, tmp_path, monkeypatch):
    """Before transliteration, talks of one month titled wholly in Cyrillic were numbered in the
    order they were read ("entry-2015-05-talk", "-2", "-3"). Upgrading kept the first and renamed
    the others: their sent posts were withdrawn, their anniversaries posted again and their pages
    moved. The numbered ids are former ids too."""
    import json

    import almanac.entry as entry_module

    source = tmp_path / "talks.json"
    titles = ["Доклад в Москве", "Лекция в Киеве", "Семинар в Минске"]
    source.write_text(json.dumps([{"title": t, "date": "2015-05", "kind": "talk", "summary": "S."} for t in titles]),
                      encoding="utf-8")
    with monkeypatch.context() as patch:  # stored before transliteration
        patch.setattr(entry_module, "slugify", entry_module.legacy_slugify)
        assert not ingest(store, [str(source)], str(tmp_path)).problems
    before = {e.title: e.id for e in store.entries()}
    assert sorted(before.values()) == ["entry-2015-05-talk", "entry-2015-05-talk-2", "entry-2015-05-talk-3"]
    report = ingest(store, [str(source)], str(tmp_path))
    assert not report.problems and (report.total("added"), report.total("removed")) == (0, 0)
    assert {e.title: e.id for e in store.entries()} == before


def test_look_alikes_stored_under_a_dotted_key_keep_their_ids_when_it_moves(store, tmp_path, monkeypatch):
    """Both of the above at once (an archive kept beside the config, in another script, from
    before both changes): the former numbered ids are held under the key that moves, and are
    claimed from it."""
    import json

    import almanac.entry as entry_module
    import almanac.ingest as ingest_module
    import almanac.sources as sources_module

    (tmp_path / "app").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "talks.json").write_text(json.dumps(
        [{"title": t, "date": "2015-05", "kind": "talk", "summary": "S."} for t in ("Доклад", "Лекция")]))
    base = str(tmp_path / "app")
    with monkeypatch.context() as patch:
        patch.setattr(entry_module, "slugify", entry_module.legacy_slugify)
        for module in (ingest_module, sources_module):
            patch.setattr(module, "expand_sources", lambda specs, b: ([os.path.join(b, s) for s in specs], []))
        assert not ingest(store, ["../shared/talks.json"], base).problems
    before = {e.title: e.id for e in store.entries()}
    assert sorted(before.values()) == ["entry-2015-05-talk", "entry-2015-05-talk-2"]
    report = ingest(store, ["../shared/talks.json"], base)
    assert not report.problems and (report.total("added"), report.total("removed")) == (0, 0)
    assert {e.title: e.id for e in store.entries()} == before


def test_opening_the_store_to_read_does_not_wait_for_a_writer(tmp_path, monkeypatch):
    """Every opening of the store migrated, each migration in a write transaction: `almanac ask`
    and `list` waited for a long ingest's write lock (4.4 s instead of 1.2 s for a cold ask during
    a 60,000-entry ingest) and failed after 30 s when the ingest was paused, though reading in WAL
    mode needs no lock. A store whose migrations are all applied now opens without writing."""
    import sqlite3

    from almanac.store import sqlite as sqlite_module

    path = str(tmp_path / "a.db")
    with Store(path) as store:
        store.replace_source("x.json", [Entry(id="a", title="A", date=PartialDate(2015), kind="talk",
                                              summary="S.", source="x.json:1")])
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # an ingest holding the write lock
    try:
        monkeypatch.setattr(sqlite_module, "BUSY_TIMEOUT_MS", 300)  # what a waiting open would wait
        with Store(path) as store:
            assert [e.id for e in store.entries()] == ["a"]
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_database_that_will_not_open_says_why_in_its_words(tmp_path, capsys):
    """SQLite's "database is locked" and "attempt to write a readonly database" were followed by
    "check the path", which was not it: another process was writing, or the folder (where SQLite
    keeps its -wal and -shm files) was not writable while the file was."""
    import shutil
    import sqlite3
    import subprocess
    import sys

    from almanac.store import sqlite as sqlite_module

    busy = str(tmp_path / "busy.db")
    writer = sqlite3.connect(busy, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a new database must be migrated: it waits for the writer
    try:
        sqlite_module.BUSY_TIMEOUT_MS, saved = 300, sqlite_module.BUSY_TIMEOUT_MS
        with pytest.raises(StoreError, match="another process is writing to it; try again when it has finished"):
            Store(busy)
    finally:
        sqlite_module.BUSY_TIMEOUT_MS = saved
        writer.execute("ROLLBACK")
        writer.close()

    folder = tmp_path / "ro"
    folder.mkdir()
    with Store(str(folder / "a.db")):
        pass
    for leftover in ("a.db-wal", "a.db-shm"):
        (folder / leftover).unlink(missing_ok=True)
    folder.chmod(0o555)
    # Permission bits do not bind root: drop the capabilities that let it past them.
    as_user = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"] if os.geteuid() == 0 else []
    if as_user and not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: permission bits would not apply")
    try:
        done = subprocess.run(as_user + [sys.executable, "-m", "almanac", "--db", str(folder / "a.db"), "list"],
                              capture_output=True, text=True, timeout=60)
    finally:
        folder.chmod(0o755)
    assert done.returncode == 1 and done.stderr.strip().endswith(
        f"its folder {folder} is not writable, and SQLite keeps two files beside the database"), done.stderr


def test_an_id_taken_by_another_ingest_meanwhile_is_given_again_not_refused(store, tmp_path):
    """Two ingests at once, one reading a talk and the other a paper of the same title and month
    (a cron job beside `almanac run`'s refresh): ids are given from what the store holds when the
    sources are read, so both gave the talk's id, and the second failed its whole source with
    'give one of them an explicit id' (13 of 20 such pairs). A source whose derived ids were taken
    meanwhile is read again once; the paper takes its kind's id."""
    import json

    (tmp_path / "p.json").write_text(json.dumps([{"title": "Jitsu", "date": "2015-05", "kind": "talk", "summary": "T."}]))
    (tmp_path / "q.json").write_text(json.dumps([{"title": "Jitsu", "date": "2015-05", "kind": "paper", "summary": "P."},
                                                 {"title": "Other", "date": "2016", "kind": "paper", "summary": "O."}]))
    holders_of = store.holders_of
    calls = []

    def meanwhile(ids):
        held = holders_of(ids)
        if not calls:  # the other ingest writes between this one's reading and its writing
            calls.append(1)
            with Store(store.path) as other:
                assert not ingest(other, ["p.json"], str(tmp_path)).problems
        return held

    store.holders_of = meanwhile
    report = ingest(store, ["q.json"], str(tmp_path))
    assert report.problems == [] and report.total("added") == 2
    assert sorted(e.id for e in store.entries()) == ["jitsu-2015-05", "jitsu-2015-05-paper", "other-2016"]


def test_an_explicit_id_in_two_sources_is_a_problem_once_and_the_rest_is_stored(store, tmp_path):
    """An explicit id held by a stored source not read now is not a race: reported once (not
    read again for nothing), that source left unwritten, and every other source written."""
    import json

    (tmp_path / "a.json").write_text(json.dumps([{"id": "dup", "title": "A", "date": "2015", "summary": "A."}]))
    (tmp_path / "b.json").write_text(json.dumps([{"id": "dup", "title": "B", "date": "2016", "summary": "B."}]))
    (tmp_path / "c.json").write_text(json.dumps([{"title": "C", "date": "2017", "summary": "C."}]))
    assert not ingest(store, ["a.json"], str(tmp_path)).problems
    report = ingest(store, ["b.json", "c.json"], str(tmp_path))  # a.json's entry stays stored
    assert [str(p) for p in report.problems] == [
        "b.json:1: id: 'dup' is already used by the entry at a.json:1; give one of them an explicit id"]
    assert sorted(e.title for e in store.entries()) == ["A", "C"]



def test_a_full_disk_says_so_and_keeps_what_was_stored(tmp_path, seed_path):
    """An ingest that ran out of disk said "database error (cannot rollback - no transaction is
    active)": SQLite had rolled back by itself, and the ROLLBACK after it raised in place of the
    error that tells what happened. The file size limit (RLIMIT_FSIZE) is the full disk here, as
    the kernel reports it to SQLite's writes; what was stored stays, and the next ingest completes."""
    import resource
    import signal
    import subprocess
    import sys

    from almanac.store.sqlite import open_hint

    db = str(tmp_path / "a.db")
    with Store(db) as store:
        assert ingest(store, [str(seed_path)], os.getcwd()).total("added") == 25
    big = tmp_path / "big.txt"
    big.write_text("\n".join(f"Generated talk number {i} / Jan 2016\nA talk about " + "words and more words " * 30 + "\n"
                             for i in range(2000)))
    size = os.path.getsize(db)

    def full_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (size + 200_000, size + 200_000))

    done = subprocess.run([sys.executable, "-m", "almanac", "--db", db, "ingest", str(big), "--no-embed"],
                          preexec_fn=full_disk, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "no transaction is active" not in done.stderr, done.stderr
    assert "disk" in done.stderr.splitlines()[-1], done.stderr
    with Store(db) as store:
        assert len(store.entries()) == 25
        assert store.backend.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert ingest(store, [str(seed_path), str(big)], os.getcwd()).total("added") == 2000
    # Opening switches to WAL mode, which writes two files beside the database: on a full disk
    # SQLite says "disk I/O error", and "check the path" was the wrong advice.
    assert "full" in open_hint(db, OSError("disk I/O error"))


def test_an_ingest_whose_embedding_fills_the_disk_says_what_it_stored(tmp_path, seed_path):
    """The entries are stored before they are embedded: when the disk filled while embedding, the
    ingest printed only the database error, and a user could not tell that 300 entries had gone in
    (the disk-full review). The report now holds what was read and why embedding stopped; the next
    ingest, with room, embeds what is missing. SQLite's page limit is the full disk here."""
    from almanac.embeddings import embed_missing
    from tests.fakes import FakeEmbedder

    fake = FakeEmbedder(dims=384)

    def on_a_full_disk(store):
        conn = store.backend.db.conn
        conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
        return embed_missing(store, fake)

    with Store(str(tmp_path / "a.db")) as store:
        report = ingest(store, [str(seed_path)], os.getcwd(), embed=on_a_full_disk)
        assert report.total("added") == 25 and len(store.entries()) == 25
        assert "full" in report.embed_error and report.to_json()["embed_error"] == report.embed_error
        assert report.summary().startswith("25 added, 0 changed, 0 removed, 0 unchanged from 1 source(s); "
                                           "embedding stopped (database or disk is full)")
        store.backend.db.conn.execute("PRAGMA max_page_count = 1073741823")
        again = ingest(store, [str(seed_path)], os.getcwd(), embed=lambda s: embed_missing(s, fake))
        assert again.embed_error is None and again.embedded == 25 and again.total("unchanged") == 25
