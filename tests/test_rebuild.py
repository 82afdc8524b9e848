"""`keep_current`: a serving process rebuilds its site when the store's version moves, and only then."""

from __future__ import annotations

import asyncio
import logging

from feeds.rebuild import keep_current


def run_for(seconds: float, version, rebuild, last=None) -> None:
    async def main():
        task = asyncio.create_task(keep_current(version, rebuild, 0.01, last=last))
        await asyncio.sleep(seconds)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(main())


def test_rebuilds_once_per_new_version():
    versions = iter([1, 1, 2, 2, 2, 3] + [3] * 1000)
    built = []
    current = {"v": 1}

    def version():
        current["v"] = next(versions)
        return current["v"]

    run_for(0.3, version, lambda: built.append(current["v"]), last=1)
    assert built == [2, 3]


def test_a_failed_build_is_logged_once_and_tried_again(caplog):
    attempts = []

    def rebuild():
        attempts.append(1)
        if len(attempts) < 4:
            raise OSError("No space left on device")

    with caplog.at_level(logging.ERROR, logger="feeds.rebuild"):
        run_for(0.3, lambda: "v2", rebuild, last="v1")
    assert len(attempts) == 4  # retried at each check until it worked, then left alone
    assert [r.getMessage() for r in caplog.records] == [
        "rebuilding the site failed (OSError: No space left on device); serving the previous build, trying again"]
