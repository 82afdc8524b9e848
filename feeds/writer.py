"""Writing built files: atomically, and only when their bytes changed.

Builders are pure (data in, bytes out); this is the one place that touches
the output directory. A file whose bytes are unchanged is not rewritten, so
its modification time, and with it the server's ETag and Last-Modified, stay
put and feed readers get 304s.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def write_if_changed(path: str, data: bytes) -> bool:
    """Atomically replace `path` with `data` unless it already holds exactly that.

    Returns True when the file was written. The temporary file lives in the
    same directory so the final rename is atomic on POSIX.
    """
    try:
        with open(path, "rb") as fh:
            if fh.read() == data:
                return False
    except FileNotFoundError:
        pass
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return True


def write_tree(out_dir: str, files: dict[str, bytes], prune: tuple[str, ...] = ()) -> WriteReport:
    """Write `files` (relative path -> bytes) under `out_dir`.

    Files under the `prune` subdirectories that are not in `files` are
    removed (e.g. pages of entries that left the store); nothing else is.
    """
    report = WriteReport()
    for rel, data in sorted(files.items()):
        target = os.path.join(out_dir, rel)
        (report.written if write_if_changed(target, data) else report.unchanged).append(rel)
    for sub in prune:
        root = os.path.join(out_dir, sub)
        if not os.path.isdir(root):
            continue
        for name in sorted(os.listdir(root)):
            rel = f"{sub}/{name}"
            if rel not in files and os.path.isfile(os.path.join(root, name)):
                os.unlink(os.path.join(root, name))
                report.removed.append(rel)
    return report
