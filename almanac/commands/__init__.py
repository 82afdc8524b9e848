"""The `almanac` subcommands, one module per area.

Each module has `register(subparsers)`, adding parsers whose `handler` is
`handler(args, app) -> exit status`. Handlers are thin: parse, call the core
through `app` (see `almanac.app.App`), print.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
import typing
import urllib.parse

from almanac.config import range_text
from almanac.entry import KINDS
from almanac.query import kind_option

#: Point Discord calls elsewhere (a REST proxy; the tests' fake Discord).
API_BASE_ENV = "ALMANAC_DISCORD_API_BASE"
GATEWAY_ENV = "ALMANAC_DISCORD_GATEWAY"


class UsageError(Exception):
    """Bad command-line input: reported on one line, exit status 2."""


#: Ranges of the numeric options, said in their help and in their errors.
YEARS = (1, 9999)  # what a date can hold
LIMITS = (1, 10_000)  # results shown (ask, similar); as [search] limit
PORTS = (0, 65535)  # 0 picks a free port
SNOWFLAKES = (1, 2**63 - 1)  # Discord ids; also ledger row ids (SQLite INTEGER)


def whole_number(low: int, high: int):
    """An argparse `type` accepting whole numbers from `low` to `high`.

    Checked where the option is read, so `--year 99999999999999999999` is a
    one-line usage error naming the option and its range rather than an
    OverflowError deep in SQLite or datetime.
    """

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            shown = text if len(text) <= 24 else text[:21] + "..."
            raise argparse.ArgumentTypeError(f"must be a whole number {range_text(low, high)}, got '{shown}'")
        return value

    parse.__name__ = "whole number"  # what argparse would call it in its own messages
    return parse


def print_json(value, stream=None) -> None:
    """One JSON document on stdout (UTF-8, not ASCII-escaped)."""
    stream = stream or sys.stdout
    stream.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def parse_kind(value: str | None, option: str = "--kind") -> tuple[str, str | None] | None:
    """The kind, and the tag within it, a `--kind` value names ("papers": papers; "keynote": talks
    tagged keynote, as in a question), or a usage error."""
    if value is None:
        return None
    named = kind_option(value)
    if named is None:
        raise UsageError(f"{option}: '{value}' is not a kind (one of: {', '.join(KINDS)})")
    return named


def discord_endpoints(env: typing.Mapping[str, str]) -> tuple[str | None, str | None]:
    """($ALMANAC_DISCORD_API_BASE, $ALMANAC_DISCORD_GATEWAY) checked, or None where unset."""
    base = env.get(API_BASE_ENV, "").strip() or None
    gateway = env.get(GATEWAY_ENV, "").strip() or None
    if base and not base.startswith(("http://", "https://")):
        raise UsageError(f"{API_BASE_ENV}: '{base}' must start with http:// or https://")
    if gateway and not gateway.startswith(("ws://", "wss://")):
        raise UsageError(f"{GATEWAY_ENV}: '{gateway}' must start with ws:// or wss://")
    for name, value in ((API_BASE_ENV, base), (GATEWAY_ENV, gateway)):
        if not value:
            continue
        try:
            host = urllib.parse.urlsplit(value).hostname
        except ValueError:  # "ws://[::1": a traceback where it was first used, before
            host = None
        if not host:
            raise UsageError(f"{name}: '{value}' is not a URL with a host that can be read")
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
