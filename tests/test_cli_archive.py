"""`almanac ingest / list / show` and the global options, run through `main()`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from almanac.cli import build_parser, main

ENTRY_KEYS = ["id", "title", "date", "precision", "kind", "tags", "summary", "url", "source"]
PAPER = "jitsu-just-in-time-summoning-of-unikernels-2015-05-paper"


def run(capsys, *argv, env=None):
    code = main(list(argv), env=env)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "cli.db")


def test_ingest_then_list_json(capsys, db, seed_path):
    code, out, err = run(capsys, "--db", db, "ingest", "--no-embed", str(seed_path))
    assert code == 0, err
    assert out.splitlines()[-1] == "25 added, 0 changed, 0 removed, 0 unchanged from 1 source(s)"
    code, out, _ = run(capsys, "--db", db, "list", "--json")
    entries = json.loads(out)
    assert len(entries) == 25
    assert all(list(e) == ENTRY_KEYS for e in entries)
    assert entries[0]["date"] == "2020-02" and entries[-1]["date"] == "2013-03"
    dates = [e["date"] for e in entries]
    assert dates == sorted(dates, reverse=True)
    code, out, _ = run(capsys, "--db", db, "ingest", "--no-embed", str(seed_path))
    assert out.strip() == "0 added, 0 changed, 0 removed, 25 unchanged from 1 source(s)"


def test_list_filters_and_human_output(capsys, db, seed_path):
    run(capsys, "--db", db, "ingest", "--no-embed", str(seed_path))
    code, out, _ = run(capsys, "--db", db, "list", "--kind", "papers", "--year", "2015", "--json")
    assert [e["id"] for e in json.loads(out)] == [PAPER]
    code, out, _ = run(capsys, "--db", db, "list")
    assert "     May 2015  paper      Jitsu: Just-In-Time Summoning of Unikernels  [" + PAPER + "]" in out
    assert out.splitlines()[-1] == "25 entries"
    code, out, _ = run(capsys, "--db", db, "list", "--kind", "keynote")  # the talks tagged so, as in a question
    assert out.splitlines()[-1] == "2 entries" and all("  talk  " in line for line in out.splitlines()[:-1])
    assert run(capsys, "--db", db, "list", "--kind", "keynotes", "--year", "2013")[:2] == (0, "No keynotes in 2013.\n")
    code, _, err = run(capsys, "--db", db, "list", "--kind", "poems")
    assert code == 2
    assert err.strip() == "almanac: --kind: 'poems' is not a kind (one of: talk, paper, article, podcast, interview, video, news)"


def test_show(capsys, db, seed_path):
    run(capsys, "--db", db, "ingest", "--no-embed", str(seed_path))
    code, out, _ = run(capsys, "--db", db, "show", PAPER, "--json")
    shown = json.loads(out)
    assert shown["kind"] == "paper" and shown["precision"] == "month" and shown["source"].endswith("entries.txt:21")
    code, out, _ = run(capsys, "--db", db, "show", PAPER)
    assert out.startswith("Jitsu: Just-In-Time Summoning of Unikernels\npaper, May 2015 (month precision)\n")
    code, _, err = run(capsys, "--db", db, "show", "nope")
    assert code == 1 and err.strip() == "almanac: no entry with id 'nope' (see `almanac list`)"


def test_ingest_reports_problems_with_exit_1(capsys, db, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("Talk / Mai 2015\nWords.\n")
    code, out, err = run(capsys, "--db", db, "ingest", "--no-embed", "bad.txt")
    assert code == 1
    assert err.strip() == "bad.txt:1: date: 'Mai' is not a month name"


def test_max_source_mb_bounds_what_ingest_reads(capsys, db, tmp_path, seed_path):
    (tmp_path / "config.toml").write_text("[archive]\nmax_source_mb = 0.001\n")
    code, out, err = run(capsys, "--config", str(tmp_path / "config.toml"), "--db", db, "ingest", "--no-embed",
                         str(seed_path))
    assert code == 1
    assert err.strip() == f"{seed_path}: file: larger than the 1000 bytes limit for one source"
    (tmp_path / "config.toml").write_text("[archive]\nmax_source_mb = 1\n")
    code, out, err = run(capsys, "--config", str(tmp_path / "config.toml"), "--db", db, "ingest", "--no-embed",
                         str(seed_path))
    assert code == 0, err


def test_config_sources_and_db_resolve_against_the_config_file(capsys, tmp_path, seed_path, monkeypatch):
    monkeypatch.delenv("ALMANAC_DB")
    home = tmp_path / "archive"
    (home / "db").mkdir(parents=True)
    (home / "list.txt").write_text(seed_path.read_text(encoding="utf-8"), encoding="utf-8")
    (home / "config.toml").write_text('[archive]\nsources = ["list.txt"]\ndb = "db/a.db"\n')
    code, out, err = run(capsys, "--config", str(home / "config.toml"), "ingest", "--no-embed")
    assert code == 0, err
    assert (home / "db" / "a.db").exists()


def test_missing_config_and_database_directory(capsys, tmp_path):
    code, _, err = run(capsys, "--config", "nope.toml", "list")
    assert code == 2 and err.strip() == "almanac: nope.toml: config file not found (copy config.example.toml to start one)"
    code, _, err = run(capsys, "--db", str(tmp_path / "no" / "dir.db"), "ingest", "--no-embed")
    assert code == 1
    assert err.strip() == f"almanac: database directory {tmp_path / 'no'} does not exist; create it or pass --db PATH"


@pytest.mark.parametrize("argv", [["list"], ["show", "x"], ["sources"], ["ask", "xen"], ["similar", "x"],
                                  ["timeline"], ["onthisday"], ["upcoming"], ["posts"]])
def test_a_command_that_only_reads_creates_no_database_for_a_mistyped_path(capsys, tmp_path, argv):
    """`almanac --db archve.db list` made an empty archve.db and said "No entries": the typo
    hidden, and a file left that a later build or `serve` took for the archive."""
    typo = tmp_path / "archve.db"
    code, out, err = run(capsys, "--db", str(typo), *argv)
    assert (code, out) == (1, "")
    assert err.strip() == (f"almanac: {typo}: no database here; run `almanac ingest` to create it, "
                           "or check --db / $ALMANAC_DB / [archive] db")
    assert list(tmp_path.iterdir()) == []


def test_alamanac_db_environment_variable(capsys, tmp_path, seed_path):
    env = {"ALMANAC_DB": str(tmp_path / "env.db")}
    code, _, err = run(capsys, "ingest", "--no-embed", str(seed_path), env=env)
    assert code == 0, err
    assert (tmp_path / "env.db").exists()


def test_every_command_has_help_and_examples():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert len(sub.choices) >= 3
    for name, command in sub.choices.items():
        assert command.description, f"{name} has no description"
        assert "example" in (command.epilog or ""), f"{name} has no examples"
        assert any(a.help for a in sub._choices_actions if a.dest == name), f"{name} has no one-line help"


def test_console_script_runs(tmp_path, seed_path):
    result = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "almanac"), "--db", str(tmp_path / "s.db"), "ingest", "--no-embed", str(seed_path), "--json"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert len(report["sources"][0]["added"]) == 25 and report["problems"] == []


HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["list", "--year", HUGE], f"--year: must be a whole number from 1 to 9999, got '{HUGE}' (see `almanac list -h`)"),
        (["list", "--year", "0"], "--year: must be a whole number from 1 to 9999, got '0' (see `almanac list -h`)"),
        (["list", "--year", "2015.5"], "--year: must be a whole number from 1 to 9999, got '2015.5' (see `almanac list -h`)"),
        (["ask", "x", "--year", HUGE], f"--year: must be a whole number from 1 to 9999, got '{HUGE}' (see `almanac ask -h`)"),
        (["ask", "x", "--limit", HUGE], f"--limit: must be a whole number from 1 to 10000, got '{HUGE}' (see `almanac ask -h`)"),
        (["similar", "x", "--limit", "0"], "--limit: must be a whole number from 1 to 10000, got '0' (see `almanac similar -h`)"),
        (["upcoming", "--days", HUGE], f"--days: must be a whole number from 1 to 3660, got '{HUGE}' (see `almanac upcoming -h`)"),
        (["upcoming", "--from", "9999-12-20", "--days", "30"],
         "--from: 30 days from 9999-12-20 go past 9999-12-31, the last day almanac can count"),
        (["posts", "--limit", HUGE], f"--limit: must be a whole number from 1 to 100000, got '{HUGE}' (see `almanac posts -h`)"),
        (["posts", "--retry", HUGE], f"--retry: must be a whole number from 1 to 9223372036854775807, got '{HUGE}' (see `almanac posts -h`)"),
        (["serve", "--port", "70000"], "--port: must be a whole number from 0 to 65535, got '70000' (see `almanac serve -h`)"),
        (["run", "--port", HUGE], f"--port: must be a whole number from 0 to 65535, got '{HUGE}' (see `almanac run -h`)"),
        (["bot", "--sync", "--guild", "9" * 5000], "--guild: must be a whole number from 1 to 9223372036854775807, got '999999999999999999999...' (see `almanac bot -h`)"),
        (["show"], "the following arguments are required: id (see `almanac show -h`)"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) and len(" ".join(value)) < 60 else None,
)
def test_numbers_out_of_range_are_one_line_usage_errors(capsys, db, argv, message):
    code, out, err = run(capsys, "--db", db, *argv)
    assert (code, out, err) == (2, "", f"almanac: {message}\n")


def test_every_numeric_option_says_its_range_in_its_help():
    """`type=int` without bounds is how `--year 99999999999999999999` became an OverflowError."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in sub.choices.items():
        for action in command._actions:
            assert action.type not in (int, float), f"almanac {name} {action.option_strings}: no range"
            if getattr(action.type, "__name__", "") == "whole number" and "--guild" not in action.option_strings \
                    and "--retry" not in action.option_strings:
                assert " to " in (action.help or ""), f"almanac {name} {action.option_strings}: range not in help"


def test_what_used_to_end_in_a_traceback_is_one_line(capsys, db, tmp_path, seed_path):
    """An --out that cannot be written, and a database that opens but is damaged inside: one line
    each, saying what and where, with exit status 2 (fix the command) and 1 (the database)."""
    assert run(capsys, "--db", db, "ingest", "--no-embed", str(seed_path))[0] == 0
    (tmp_path / "dir.png").mkdir()
    code, out, err = run(capsys, "--db", db, "timeline", "--out", str(tmp_path / "dir.png"))
    assert (code, err) == (2, f"almanac: --out: cannot write '{tmp_path / 'dir.png'}': Is a directory\n")

    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'entries'").fetchone()[0]
    conn.close()
    data = bytearray(open(db, "rb").read())
    data[(root - 1) * 4096 : root * 4096] = b"\xff" * 4096  # the entries table's first page, overwritten
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(bytes(data))
    code, out, err = run(capsys, "--db", str(damaged), "list")
    assert code == 1 and err == f"almanac: {damaged}: database error (database disk image is malformed)\n"


def test_source_file_names_and_problems_say_what_the_user_wrote(capsys, db, tmp_path):
    """A file named with brackets is that file (not a glob matching nothing); a bad `slug` is named
    `slug`; a line separator (U+2028) inside a summary does not shift the line numbers after it."""
    bracketed = tmp_path / "talks [2015].json"
    bracketed.write_text('[{"title": "A talk", "date": "2015", "kind": "talk", "summary": "Words."}]')
    code, out, err = run(capsys, "--db", db, "ingest", "--no-embed", str(bracketed))
    assert code == 0 and out.splitlines()[-1].startswith("1 added"), err

    slugged = tmp_path / "s.json"
    slugged.write_text('[{"title": "x", "date": "2019", "summary": "s", "slug": "My-Post"}]')
    code, out, err = run(capsys, "--db", db, "ingest", "--no-embed", str(slugged))
    assert code == 1 and "s.json:1: slug: 'My-Post' is not a valid id" in out + err

    text = tmp_path / "list.txt"
    text.write_text("One / May 2015\nA summary with a\u2028line separator and a\u0085next line in it.\n\n"
                    "Two / Mai 2016\nA bad month.\n", encoding="utf-8")
    code, out, err = run(capsys, "--db", db, "ingest", "--no-embed", str(text))
    assert code == 1 and "list.txt:4: date: 'Mai' is not a month name" in out + err


def test_db_given_on_the_command_line_is_relative_to_where_it_runs(capsys, tmp_path, monkeypatch):
    """`[archive] db` is relative to the config file; `--db` and $ALMANAC_DB to the working
    directory, even when they read the same as the config's value (then they opened the config's)."""
    (tmp_path / "conf").mkdir()
    (tmp_path / "work").mkdir()
    config = tmp_path / "conf" / "config.toml"
    config.write_text('[archive]\ndb = "a.db"\nsources = []\n')
    monkeypatch.chdir(tmp_path / "work")
    for argv, env in [(["--db", "a.db"], {}), (["--db", "b.db"], {}), ([], {"ALMANAC_DB": "a.db"})]:
        code, out, err = run(capsys, "--config", str(config), *argv, "migrate", env=env)
        assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "work").glob("*.db")) == ["a.db", "b.db"]
    assert not (tmp_path / "conf" / "a.db").exists()  # the first used to open this one
    assert run(capsys, "--config", str(config), "migrate", env={})[0] == 0
    assert (tmp_path / "conf" / "a.db").is_file()


def test_a_source_named_from_another_folder_is_the_same_source(capsys, tmp_path, seed_path, monkeypatch):
    """`almanac ingest entries.txt` run inside data/, or the file's absolute path, is the configured
    data/entries.txt (known by its path from the config file's folder), not a second source whose
    25 entries were all refused as taken."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "entries.txt").write_text(seed_path.read_text())
    config = tmp_path / "config.toml"
    config.write_text('[archive]\nsources = ["data/entries.txt"]\ndb = "almanac.db"\n')
    assert run(capsys, "--config", str(config), "ingest", "--no-embed", env={})[0] == 0
    monkeypatch.chdir(tmp_path / "data")
    for typed in ("entries.txt", str(tmp_path / "data" / "entries.txt")):
        code, out, err = run(capsys, "--config", str(config), "ingest", "--no-embed", typed, env={})
        assert (code, err) == (0, "") and out.splitlines()[-1] == "0 added, 0 changed, 0 removed, 25 unchanged from 1 source(s)"


def test_sources_lists_what_the_store_holds_and_forget_removes_a_source_no_longer_configured(capsys, tmp_path,
                                                                                              seed_path, monkeypatch):
    """A feed whose URL changed, a file dropped from the config: ingest never removes a source no
    spec names (it may only be out of reach), so its entries stayed beside the new ones for good,
    every anniversary posted twice, and nothing removed them. `almanac sources` says which the config
    no longer names; `almanac forget` removes one, and refuses a source still configured."""
    (tmp_path / "data").mkdir()
    for name in ("entries.txt", "talks.txt"):
        (tmp_path / "data" / name).write_text(seed_path.read_text())
    config = tmp_path / "config.toml"
    config.write_text('[archive]\nsources = ["data/entries.txt"]\ndb = "almanac.db"\n')
    assert run(capsys, "--config", str(config), "ingest", "--no-embed", env={})[0] == 0
    config.write_text('[archive]\nsources = ["data/talks.txt"]\ndb = "almanac.db"\n')  # the old file kept
    assert run(capsys, "--config", str(config), "ingest", "--no-embed", env={})[0] == 0
    code, out, err = run(capsys, "--config", str(config), "sources", env={})
    assert (code, err) == (0, "") and out.splitlines() == [
        "data/entries.txt  25 entries  (not in the config: `almanac forget` removes it)", "data/talks.txt  25 entries"]
    assert json.loads(run(capsys, "--config", str(config), "sources", "--json", env={})[1]) == [
        {"source": "data/entries.txt", "entries": 25, "configured": False},
        {"source": "data/talks.txt", "entries": 25, "configured": True}]
    code, out, err = run(capsys, "--config", str(config), "forget", "data/talks.txt", env={})
    assert code == 2 and err == ("almanac: 'data/talks.txt' is in [archive] sources: remove it there first, or the "
                                 "next ingest reads it again\n")
    code, out, err = run(capsys, "--config", str(config), "forget", "https://example.org/feed.xml?key=s3cret", env={})
    assert code == 2 and "s3cret" not in err and "is no source the store holds entries from" in err
    monkeypatch.chdir(tmp_path / "data")  # a path typed from here, as `ingest` reads one
    code, out, err = run(capsys, "--config", str(config), "forget", "entries.txt", env={})
    assert (code, out, err) == (0, "data/entries.txt: 25 entries removed\n", "")
    code, out, err = run(capsys, "--config", str(config), "list", env={})
    assert out.splitlines()[-1] == "25 entries"
    # Nothing renamed after: the copies' ids are kept, the look-alike pair's numbered ones too (the
    # Jitsu talk and paper of one month, "-talk-2" after the first copy's "-talk": renamed to
    # "-talk" once that had gone, they were removed and added, announced again).
    assert run(capsys, "--config", str(config), "ingest", "--no-embed", env={})[1].splitlines()[-1] == (
        "0 added, 0 changed, 0 removed, 25 unchanged from 1 source(s)")


def test_output_into_a_closed_pipe_and_a_model_that_cannot_load_are_one_line_or_none(capsys, db, tmp_path,
                                                                                      seed_path):
    """`almanac list | head` printed a BrokenPipeError traceback (the handler for it stood below
    `except Exception`, which catches it first); a `[search] model` that cannot be loaded printed
    EmbedderError's traceback. Now nothing, and one line naming the option (exit 2)."""
    almanac = os.path.join(os.path.dirname(sys.executable), "almanac")
    assert run(capsys, "--db", db, "ingest", "--no-embed", str(seed_path))[0] == 0
    for command in (["list"], ["list", "--json"], ["onthisday", "--date", "2025-05-01"]):
        read_end, write_end = os.pipe()
        os.close(read_end)  # the reader is gone before a line is written
        try:
            result = subprocess.run([almanac, "--db", db, *command], stdout=write_end, stderr=subprocess.PIPE,
                                    text=True, timeout=120)
        finally:
            os.close(write_end)
        assert (result.returncode, result.stderr) == (0, ""), command
    config = tmp_path / "model.toml"
    config.write_text(f'[archive]\ndb = "{db}"\n[search]\nmodel = "{tmp_path / "no-such-model"}"\n')
    code, _, err = run(capsys, "--config", str(config), "--db", db, "ask", "jitsu")
    assert code == 2 and err.startswith("almanac: cannot load embedding model ") and "(check [search] model)" in err
    assert "Traceback" not in err


def test_a_listing_that_filters_to_nothing_says_so_not_to_ingest(capsys, db, seed_path):
    """`almanac list --kind video --year 2019` on a full store said "No entries. Run `almanac
    ingest` ..." as if the store were empty."""
    assert run(capsys, "--db", db, "ingest", "--no-embed", str(seed_path))[0] == 0
    assert run(capsys, "--db", db, "list", "--kind", "video", "--year", "2019")[:2] == (0, "No videos in 2019.\n")
    assert run(capsys, "--db", db, "list", "--year", "2012")[:2] == (0, "No entries in 2012.\n")
