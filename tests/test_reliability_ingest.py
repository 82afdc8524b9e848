"""SIGKILL in the middle of an ingest leaves the old or the new source, never a mix."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from almanac.ingest import ingest
from almanac.store import Store

N = 6000
ALMANAC = os.path.join(os.path.dirname(sys.executable), "almanac")


def write_archive(path, marker: str) -> None:
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(N):
            fh.write(f"Entry number {i} / {months[i % 12]} {1990 + i % 30}\n")
            fh.write(f"{marker} summary of talk {i} about unikernels and MirageOS.\n")


def test_sigkill_during_ingest_keeps_old_or_new_content(tmp_path):
    db = tmp_path / "big.db"
    archive = tmp_path / "big.txt"
    write_archive(archive, "OLD")
    with Store(str(db)) as store:
        assert ingest(store, [str(archive)], str(tmp_path)).total("added") == N
    # Kill at many moments (reading, writing, after the commit), each time
    # asking for the other marker than the store holds.
    env = dict(os.environ, ALMANAC_DB=str(db))
    # Time one whole ingest (OLD -> NEW) so the kills spread over its length
    # whatever the machine's load.
    write_archive(archive, "NEW")
    started = time.monotonic()
    subprocess.run([ALMANAC, "ingest", "--no-embed", str(archive)], env=env, check=True, capture_output=True, timeout=300)
    whole = time.monotonic() - started
    held = "NEW"
    outcomes = []
    steps = 10
    # Kill moments as shares of that ingest's length. On a loaded machine a later ingest can
    # take longer than the timed one; if no kill has landed after a commit (or none before),
    # a few more moments are tried further out (or earlier), so both outcomes are seen.
    moments = [0.2 + 1.0 * step / steps for step in range(steps)]
    later, earlier = iter([1.6, 2.2, 3.0, 4.0]), iter([0.05, 0.02])
    step = 0
    while step < len(moments):
        wanted = "NEW" if held == "OLD" else "OLD"
        write_archive(archive, wanted)
        proc = subprocess.Popen(
            [ALMANAC, "ingest", "--no-embed", str(archive)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(whole * moments[step])
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        conn = sqlite3.connect(db)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            counts = {
                marker: conn.execute("SELECT count(*) FROM entries WHERE summary LIKE ?", [marker + " %"]).fetchone()[0]
                for marker in ("OLD", "NEW")
            }
            fts = conn.execute("SELECT count(*) FROM entries_fts WHERE entries_fts MATCH 'new'").fetchone()[0]
        finally:
            conn.close()
        assert sorted(counts.values()) == [0, N], (step, counts)
        assert fts == counts["NEW"]  # the full-text index moved with the rows
        now_held = "NEW" if counts["NEW"] else "OLD"
        outcomes.append("committed" if now_held == wanted else "rolled back")
        held = now_held
        step += 1
        if step == len(moments):
            more = next(later, None) if "committed" not in outcomes else \
                next(earlier, None) if "rolled back" not in outcomes else None
            if more is not None:
                moments.append(more)
    archive_marker = "NEW" if held == "OLD" else "OLD"
    write_archive(archive, archive_marker)
    # Whatever happened, a restart completes the ingest.
    result = subprocess.run([ALMANAC, "ingest", "--no-embed", str(archive)], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    with Store(str(db)) as store:
        assert store.count() == N
        assert all(e.summary.startswith(archive_marker) for e in store.entries())
    assert "rolled back" in outcomes and "committed" in outcomes, outcomes
