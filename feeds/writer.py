"""Writing built files: atomically, and only when their bytes changed.

Builders are pure (data in, bytes out); this is the one place that touches
the output directory. A file whose bytes are unchanged is not rewritten, so
its modification time, and with it the server's ETag and Last-Modified, stay
put and feed readers get 304s.

Every file is written to a temporary file in its own directory and renamed
over the old one, so a reader (or a crash) sees the old bytes or the new,
never half a file. `write_tree` flushes all its temporary files to disk with
one `os.sync()` before renaming any of them: one flush instead of one fsync
per file (and a few threads creating files) is what lets a 10,000-page site
be written in seconds.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

#: Threads comparing and writing files in `write_tree`, and files per task.
WORKERS = 4
CHUNK = 128


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _holds(path: str, data: bytes) -> bool:
    """Whether `path` already holds exactly `data` (size first: no read when it differs)."""
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as fh:
            return fh.read() == data
    except (FileNotFoundError, NotADirectoryError):
        return False


#: Temporary files of this process: ".tmp-<pid>-<n>" (pruning and the server skip dot files).
_TEMP_NUMBERS = itertools.count()


def _create_temp(directory: str) -> tuple[int, str]:
    """A new file in `directory` opened for writing (O_EXCL: never another's), and its path.

    Named from the process id and a counter, not by `tempfile.mkstemp`: its random names cost
    more Python than the file creation itself when a build creates 10,000 files. A name that is
    taken (a crashed process of the same id left it) falls back to mkstemp's own.
    """
    tmp = os.path.join(directory, f".tmp-{os.getpid()}-{next(_TEMP_NUMBERS)}")
    try:
        return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600), tmp
    except FileExistsError:
        return tempfile.mkstemp(prefix=".tmp-", dir=directory)


def _write_temp(path: str, data: bytes, sync: bool, made: set[str] | None = None) -> str:
    """`data` in a new temporary file beside `path`; returns the temporary file's path.

    `made` holds directories known to exist (one `makedirs` per directory, not per file).
    """
    directory = os.path.dirname(os.path.abspath(path))
    if made is None or directory not in made:
        os.makedirs(directory, exist_ok=True)
        if made is not None:
            made.add(directory)
    fd, tmp = _create_temp(directory)
    try:
        try:
            view, done = memoryview(data), 0
            while done < len(view):
                done += os.write(fd, view[done:])
            if sync:
                os.fsync(fd)
            os.fchmod(fd, 0o644)
        finally:
            os.close(fd)
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def write_if_changed(path: str, data: bytes) -> bool:
    """Atomically replace `path` with `data` unless it already holds exactly that.

    Returns True when the file was written. The temporary file lives in the
    same directory so the final rename is atomic on POSIX.
    """
    if _holds(path, data):
        return False
    tmp = _write_temp(path, data, sync=True)
    try:
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise
    return True


def _prepare(out_dir: str, chunk: list[tuple[str, bytes]], made: set[str]) -> list[tuple[str, str | None, str]]:
    """For each (rel, data): (rel, temporary file or None when unchanged, target).

    On failure the temporary files this chunk made are removed before re-raising.
    """
    done: list[tuple[str, str | None, str]] = []
    try:
        for rel, data in chunk:
            target = os.path.join(out_dir, rel)
            done.append((rel, None if _holds(target, data) else _write_temp(target, data, False, made), target))
    except BaseException:
        for _, tmp, _ in done:
            if tmp:
                _unlink(tmp)
        raise
    return done


def write_tree(
    out_dir: str, files: dict[str, bytes], prune: tuple[str, ...] = (), workers: int = WORKERS
) -> WriteReport:
    """Write `files` (relative path -> bytes) under `out_dir`.

    Only files whose bytes differ are written. Files under the `prune`
    subdirectories that are not in `files` are removed (e.g. pages of entries
    that left the store); nothing else is. Comparing and writing temporary
    files runs on `workers` threads (creating 10,000 files is mostly waiting on
    the filesystem); renaming runs in order, after one flush. If anything fails,
    no file was renamed and no temporary file is left.
    """
    report = WriteReport()
    out_dir = os.path.abspath(out_dir)
    made: set[str] = set()  # directories that exist (shared by the threads: set.add is atomic)
    items = sorted(files.items())
    chunks = [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
    prepared: list[tuple[str, str | None, str]] = []
    failure: BaseException | None = None
    if len(chunks) <= 1 or workers <= 1:
        try:
            for chunk in chunks:
                prepared += _prepare(out_dir, chunk, made)
        except BaseException as exc:
            failure = exc
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="write-tree") as pool:
            futures = [pool.submit(_prepare, out_dir, chunk, made) for chunk in chunks]
            for future in futures:
                try:
                    prepared += future.result()
                except BaseException as exc:
                    failure = failure or exc
    pending = [(rel, tmp, target) for rel, tmp, target in prepared if tmp]
    renamed = 0
    try:
        if failure is not None:
            raise failure
        report.unchanged = [rel for rel, tmp, _ in prepared if not tmp]
        if pending:
            os.sync()  # every new file's bytes are on disk before any rename makes it visible
        for rel, tmp, target in pending:
            os.replace(tmp, target)
            renamed += 1
            report.written.append(rel)
    finally:
        for _, tmp, _ in pending[renamed:]:
            _unlink(tmp)
    for sub in prune:
        root = os.path.join(out_dir, sub)
        if not os.path.isdir(root):
            continue
        for name in sorted(os.listdir(root)):
            rel = f"{sub}/{name}"
            if name.startswith("."):
                continue  # another build's temporary file, about to be renamed
            if rel not in files and os.path.isfile(os.path.join(root, name)):
                os.unlink(os.path.join(root, name))
                report.removed.append(rel)
    return report
