"""`almanac feeds build` and `almanac serve` from the command line."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request

import feedparser

from almanac.cli import main
from tests.conftest import REPO


def _ingest(seed_path, capsys):
    assert main(["ingest", "--no-embed", str(seed_path)]) == 0
    capsys.readouterr()


def test_feeds_build_writes_then_rewrites_nothing(tmp_path, seed_path, capsys):
    _ingest(seed_path, capsys)
    out = tmp_path / "site"
    assert main(["feeds", "build", "--out", str(out), "--no-related", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["out_dir"] == str(out) and first["files"] == len(first["written"]) > 30
    assert (out / "index.html").is_file() and (out / "atom.xml").is_file()
    assert feedparser.parse((out / "rss.xml").read_bytes()).bozo == 0
    assert main(["feeds", "build", "--out", str(out), "--no-related", "--json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["written"] == [] and second["removed"] == [] and second["unchanged"] == first["files"]


def test_feeds_build_defaults_to_site_out_dir_from_config(tmp_path, seed_path, capsys):
    _ingest(seed_path, capsys)
    (tmp_path / "config.toml").write_text('[site]\nout_dir = "www"\nbase_url = "https://example.org/a/"\n')
    assert main(["--config", str(tmp_path / "config.toml"), "feeds", "build", "--no-related"]) == 0
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(rf"{re.escape(str(tmp_path / 'www'))}: \d+ files, \d+ written, 0 unchanged, 0 removed", line)
    assert b"https://example.org/a/atom.xml" in (tmp_path / "www" / "atom.xml").read_bytes()


def test_a_mistyped_database_does_not_publish_an_empty_archive_over_the_site(tmp_path, seed_path, capsys):
    """`--db almanac-typo.db` (or a wrong ALMANAC_DB) opens a new, empty database: the build
    removed every entry page and kind feed and emptied the feeds, with exit 0. It is refused in
    one line naming the folder, and the site stays; an archive that is empty from the start, or
    whose folder was removed on purpose, is still published."""
    _ingest(seed_path, capsys)
    out = tmp_path / "site"
    assert main(["feeds", "build", "--out", str(out), "--no-related"]) == 0
    before = {p.name: p.read_bytes() for p in (out / "entries").iterdir()} | {"atom.xml": (out / "atom.xml").read_bytes()}
    capsys.readouterr()
    typo = ["--db", str(tmp_path / "almanac-typo.db")]
    assert main([*typo, "feeds", "build", "--out", str(out), "--no-related"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"almanac: the store has no entries, but {out} holds 25 entry pages") and err.count("\n") == 1
    assert {p.name: p.read_bytes() for p in (out / "entries").iterdir()} | {"atom.xml": (out / "atom.xml").read_bytes()} == before
    assert main([*typo, "feeds", "build", "--out", str(tmp_path / "fresh"), "--no-related"]) == 0
    assert (tmp_path / "fresh" / "index.html").is_file()


def test_a_build_into_a_folder_of_the_users_own_files_is_refused_in_one_line(tmp_path, seed_path, capsys):
    _ingest(seed_path, capsys)
    out = tmp_path / "mysite"
    out.mkdir()
    (out / "rss.xml").write_text("<rss>my blog's feed</rss>")
    assert main(["feeds", "build", "--out", str(out), "--no-related"]) == 1
    err = capsys.readouterr().err
    assert err == (f"almanac: {out} holds files almanac did not write (rss.xml) where the site goes: not replacing "
                   "them; build into an empty folder ([site] out_dir or --out), or remove them\n")
    assert [p.name for p in out.iterdir()] == ["rss.xml"] and (out / "rss.xml").read_text() == "<rss>my blog's feed</rss>"


def test_feeds_without_an_action_prints_help(capsys):
    assert main(["feeds"]) == 2
    assert "build" in capsys.readouterr().out


def test_out_that_is_a_file_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["feeds", "build", "--out", str(tmp_path / "file"), "--no-related"]) == 2
    assert "is not a directory" in capsys.readouterr().err


def test_feeds_build_then_serve(tmp_path, seed_path, capsys):
    """The issue's 'done when': `almanac feeds build && almanac serve` serves feeds whose items open."""
    _ingest(seed_path, capsys)
    assert main(["feeds", "build", "--no-related"]) == 0
    capsys.readouterr()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "almanac", "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )
    try:
        line = proc.stdout.readline()  # printed once the model is loaded and the port bound
        match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        assert match, (line, proc.stderr.read() if proc.poll() is not None else "")
        base = match.group(1)
        health = json.loads(urllib.request.urlopen(base + "healthz", timeout=10).read())
        assert health == {"status": "ok", "site": True, "search": True, "database": True}
        with urllib.request.urlopen(base + "atom.xml", timeout=10) as r:
            assert r.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
            atom = feedparser.parse(r.read())
        assert atom.bozo == 0 and atom.entries
        for item in atom.entries:  # base_url defaults to http://127.0.0.1:8080/; map onto our port
            path = item.link.removeprefix("http://127.0.0.1:8080/")
            with urllib.request.urlopen(base + path, timeout=10) as page:
                assert page.status == 200 and item.title.split(":")[0] in page.read().decode()
        query = urllib.request.urlopen(base + "api/search?q=jitsu+paper", timeout=60).read()
        assert json.loads(query)["results"][0]["id"].startswith("jitsu")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        stderr = proc.stderr.read()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == 0
    # the links lead to port 8080 while it serves another: said once at start (was silent)
    port = base.rsplit(":", 1)[1].rstrip("/")
    assert (f"almanac: warning: [site] base_url is http://127.0.0.1:8080/, but the server listens on port {port}: "
            "the site's links, feeds and posts point at port 8080; set [site] base_url") in stderr


def test_base_url_elsewhere_only_warns_for_this_machine_at_another_port():
    from almanac.links import base_url_elsewhere

    assert base_url_elsewhere("http://127.0.0.1:8080/", 8080) is None
    assert base_url_elsewhere("http://localhost/", 80) is None
    assert base_url_elsewhere("https://almanac.example.org/", 8080) is None  # a proxy in front
    assert "listens on port 8765" in base_url_elsewhere("http://localhost:8080/", 8765)
    assert "point at port 80;" in base_url_elsewhere("http://127.0.0.1/", 8080)


def test_feeds_build_that_cannot_write_says_so_in_one_line(tmp_path, seed_path, capsys):
    """On a full disk `almanac feeds build` printed a traceback ending in OSError (serve's rebuild
    caught it; the command did not). The file size limit stands in for the full disk: a write past
    it fails as one past the disk's end does. Nothing half-written is left, and the next build
    with room writes the site."""
    import resource

    _ingest(seed_path, capsys)
    out = tmp_path / "site"

    def full_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (34_000, 34_000))  # under feed.json, over SQLite's -shm

    done = subprocess.run([sys.executable, "-m", "almanac", "feeds", "build", "--out", str(out), "--no-related"],
                          preexec_fn=full_disk, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith(f"almanac: cannot write the site into {out}: ") and done.stderr.count("\n") == 1
    assert not [p for p in out.rglob(".tmp-*")]
    assert main(["feeds", "build", "--out", str(out), "--no-related"]) == 0
    assert len(json.loads((out / "feed.json").read_bytes())["items"]) == 25
