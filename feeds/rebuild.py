"""Keeping a served site current: rebuild whenever the store says it changed.

A web process on a Procfile host shares nothing with the worker but the
database: no `public/` written by someone else, no signal when an ingest
lands. So it asks the store, every few seconds, for a cheap version (a few
counters) and rebuilds its own copy of the site when that moved. The build
itself skips what did not change, so a version that moved for a reason the
pages do not show costs little.

The version is read *before* building: a write that lands during a build
leaves the version looking new at the next check, which builds again, so
the site never settles on a state older than the store.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

#: What `keep_current` last logged, when not a build of some version: nothing yet, or that the version could not be read.
_NOTHING_FAILED, _VERSION_FAILED = object(), object()


async def keep_current(version: Callable[[], Any], rebuild: Callable[[], Any], interval: float,
                       last: Any = None) -> None:
    """Every `interval` seconds, `rebuild()` if `version()` differs from the last one built.

    Both callables block (database, files) and run in worker threads. Runs
    until cancelled. A failed build is logged once per version, a version
    that cannot be read (the database unreachable) once until it can, and
    both are tried again at the next check.
    """
    failed_at: Any = _NOTHING_FAILED
    while True:
        await asyncio.sleep(interval)
        try:
            now = await asyncio.to_thread(version)
        except Exception as exc:
            if failed_at is not _VERSION_FAILED:
                log.error("reading the store's version failed (%s: %s); serving the previous build, trying again",
                          type(exc).__name__, exc)
                failed_at = _VERSION_FAILED
            continue
        if failed_at is _VERSION_FAILED:
            failed_at = _NOTHING_FAILED  # readable again: the next outage is logged too
        if now == last:
            continue
        try:
            await asyncio.to_thread(rebuild)
            last = now
        except Exception as exc:  # a bad moment (disk full, a store being migrated): keep serving
            if now != failed_at:
                log.error("rebuilding the site failed (%s: %s); serving the previous build, trying again",
                          type(exc).__name__, exc)
                failed_at = now
