"""The `almanac` subcommands, one module per area.

Each module has `register(subparsers)`, adding parsers whose `handler` is
`handler(args, app) -> exit status`. Handlers are thin: parse, call the core
through `app` (see `almanac.app.App`), print.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import typing

from almanac.entry import KINDS, normalise_kind

#: Point Discord calls elsewhere (a REST proxy; the tests' fake Discord).
API_BASE_ENV = "ALMANAC_DISCORD_API_BASE"
GATEWAY_ENV = "ALMANAC_DISCORD_GATEWAY"


class UsageError(Exception):
    """Bad command-line input: reported on one line, exit status 2."""


def print_json(value, stream=None) -> None:
    """One JSON document on stdout (UTF-8, not ASCII-escaped)."""
    stream = stream or sys.stdout
    stream.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def parse_kind(value: str | None, option: str = "--kind") -> str | None:
    """The canonical kind for a `--kind` value ("papers", "keynote"), or a usage error."""
    if value is None:
        return None
    kind = normalise_kind(value)
    if kind is None:
        raise UsageError(f"{option}: '{value}' is not a kind (one of: {', '.join(KINDS)})")
    return kind


def discord_endpoints(env: typing.Mapping[str, str]) -> tuple[str | None, str | None]:
    """($ALMANAC_DISCORD_API_BASE, $ALMANAC_DISCORD_GATEWAY) checked, or None where unset."""
    base = env.get(API_BASE_ENV, "").strip() or None
    gateway = env.get(GATEWAY_ENV, "").strip() or None
    if base and not base.startswith(("http://", "https://")):
        raise UsageError(f"{API_BASE_ENV}: '{base}' must start with http:// or https://")
    if gateway and not gateway.startswith(("ws://", "wss://")):
        raise UsageError(f"{GATEWAY_ENV}: '{gateway}' must start with ws:// or wss://")
    return base, gateway


@contextlib.contextmanager
def stop_on_signals() -> typing.Iterator[asyncio.Event]:
    """An event that SIGTERM or SIGINT sets while the block runs (use inside the running loop).

    Long-running commands (`schedule`, `bot`, `run`) wait on it and then stop
    their parts in order, instead of dying mid-write.
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        yield stop
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
