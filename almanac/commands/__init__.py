"""The `almanac` subcommands, one module per area.

Each module has `register(subparsers)`, adding parsers whose `handler` is
`handler(args, app) -> exit status`. Handlers are thin: parse, call the core
through `app` (see `almanac.app.App`), print.
"""

from __future__ import annotations

import json
import sys


class UsageError(Exception):
    """Bad command-line input: reported on one line, exit status 2."""


def print_json(value, stream=None) -> None:
    """One JSON document on stdout (UTF-8, not ASCII-escaped)."""
    stream = stream or sys.stdout
    stream.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")
