"""feeds.writer: atomic writes, unchanged files left alone, pruning, and failures that leave no debris."""

from __future__ import annotations

import itertools
import os

import pytest

from feeds import writer
from feeds.writer import write_if_changed, write_tree


def test_write_if_changed_skips_identical_bytes(tmp_path):
    path = str(tmp_path / "a" / "x.html")
    assert write_if_changed(path, b"one") is True
    before = os.stat(path).st_mtime_ns
    assert write_if_changed(path, b"one") is False
    assert os.stat(path).st_mtime_ns == before
    assert write_if_changed(path, b"two") is True  # same size, other bytes
    assert open(path, "rb").read() == b"two"
    assert oct(os.stat(path).st_mode & 0o777) == "0o644"


def test_write_tree_reports_and_prunes_only_under_prune_dirs(tmp_path):
    out = str(tmp_path)
    files = {"index.html": b"i", "entries/a.html": b"a", "entries/b.html": b"b"}
    first = write_tree(out, files, prune=("entries",))
    assert first.written == sorted(files) and first.unchanged == [] and first.removed == []
    (tmp_path / "keep.txt").write_text("not ours")
    second = write_tree(out, {"index.html": b"i2", "entries/a.html": b"a"}, prune=("entries",))
    assert second.written == ["index.html"]
    assert second.unchanged == ["entries/a.html"]
    assert second.removed == ["entries/b.html"]
    assert (tmp_path / "keep.txt").exists()
    assert sorted(os.listdir(tmp_path / "entries")) == ["a.html"]


def test_a_failed_write_renames_nothing_and_leaves_no_temporary_files(tmp_path):
    out = str(tmp_path)
    write_tree(out, {"a.html": b"old a", "z.html": b"old z"})
    (tmp_path / "blocked").write_text("a file where a directory is needed")
    with pytest.raises(OSError):
        write_tree(out, {"a.html": b"new a", "blocked/page.html": b"x", "z.html": b"new z"})
    # Renames happen only after every file was written: the old site is intact.
    assert (tmp_path / "a.html").read_bytes() == b"old a"
    assert (tmp_path / "z.html").read_bytes() == b"old z"
    leftovers = [n for _, _, names in os.walk(tmp_path) for n in names if n.startswith(".tmp-")]
    assert leftovers == []


def test_threaded_writes_of_many_files_fail_cleanly_too(tmp_path):
    out = str(tmp_path)
    old = {f"entries/e{i:04d}.html": b"old %d" % i for i in range(600)}
    first = write_tree(out, old, prune=("entries",), workers=4)
    assert first.written == sorted(old)  # report order does not depend on the threads
    (tmp_path / "blocked").write_text("a file where a directory is needed")
    new = {rel: b"new" for rel in old} | {"blocked/page.html": b"x"}
    with pytest.raises(OSError):
        write_tree(out, new, prune=("entries",), workers=4)
    assert all(open(os.path.join(out, rel), "rb").read() == data for rel, data in old.items())
    assert [n for _, _, names in os.walk(tmp_path) for n in names if n.startswith(".tmp-")] == []
    again = write_tree(out, {rel: b"new" for rel in old}, prune=("entries",), workers=4)
    assert again.written == sorted(old) and again.unchanged == []


def test_pruning_leaves_another_builds_temporary_files_alone(tmp_path):
    (tmp_path / "entries").mkdir()
    (tmp_path / "entries" / ".tmp-abc123").write_bytes(b"half a page from a concurrent build")
    (tmp_path / "entries" / "gone.html").write_bytes(b"an entry that left")
    report = write_tree(str(tmp_path), {"entries/kept.html": b"kept"}, prune=("entries",))
    assert report.removed == ["entries/gone.html"]
    assert sorted(os.listdir(tmp_path / "entries")) == [".tmp-abc123", "kept.html"]


def test_a_temporary_name_already_taken_is_left_alone(tmp_path, monkeypatch):
    """Temporary files are named from the process id and a counter; one left by a crash is never written over."""
    monkeypatch.setattr(writer, "_TEMP_NUMBERS", itertools.count())
    taken = tmp_path / f".tmp-{os.getpid()}-0"
    taken.write_bytes(b"left by a crashed process of the same id")
    assert write_if_changed(str(tmp_path / "a.html"), b"new") is True
    assert (tmp_path / "a.html").read_bytes() == b"new"
    assert taken.read_bytes() == b"left by a crashed process of the same id"
    report = write_tree(str(tmp_path), {"b.html": b"b", "entries/c.html": b"c"})
    assert report.written == ["b.html", "entries/c.html"] and (tmp_path / "entries" / "c.html").read_bytes() == b"c"
    assert oct(os.stat(tmp_path / "entries" / "c.html").st_mode & 0o777) == "0o644"
    assert sorted(n for n in os.listdir(tmp_path) if n.startswith(".tmp-")) == [taken.name]
