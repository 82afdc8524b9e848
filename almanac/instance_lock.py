"""One `almanac run` per database: an advisory lock on a file beside it.

Two `run`s on one database would still never double-post (the ledger
decides), but they would fight over the port, rebuild the site twice and
embed twice. So the second one refuses with a message saying which process
holds the lock. The kernel drops the lock when the holder dies, even by
SIGKILL, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os


class AlreadyRunning(Exception):
    """Another process holds the lock; the message names it."""


class InstanceLock:
    """The lock file sits beside the database's real path (symlinks resolved), so
    `--db link-to-almanac.db` and `--db ./data/../data/almanac.db` meet the same lock."""

    def __init__(self, db_path: str, purpose: str = "run"):
        self.database = os.path.realpath(db_path)
        self.path = f"{self.database}.{purpose}.lock"
        self.purpose = purpose
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise AlreadyRunning(
                f"another `almanac {self.purpose}` (pid {holder}) is using {self.database}; "
                "stop it first, or pass --db to use another database"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd

    def keep(self) -> None:
        """Nothing to check: the kernel keeps a file lock for as long as the process holds it open
        (`AdvisoryLock.keep` has a server's connection to watch)."""

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
