"""The `almanac` command: global options, dispatch, and errors turned into messages.

`main()` loads the configuration, builds one `App` (the composition root) and
runs one subcommand with it. Core errors become one line on stderr: usage and
configuration problems exit 2, data problems exit 1. Run `almanac -h`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import typing

from almanac.app import App
from almanac.commands import UsageError, archive
from almanac.commands import database as database_commands
from almanac.commands import search as search_commands
from almanac.commands import feeds as feeds_commands
from almanac.commands import bot as bot_commands
from almanac.commands import onthisday as onthisday_commands
from almanac.commands import run as run_commands
from almanac.commands import timeline as timeline_commands
from almanac.config import ConfigError, find_config_path, load_config
from almanac.embeddings import EmbedderError
from almanac.sources import SourceError
from almanac.store import StoreError
from almanac.store.database import is_database_error, reason_of, scrubbed

#: Modules whose `register(subparsers)` adds subcommands, in help order.
COMMAND_MODULES = [archive, search_commands, feeds_commands, onthisday_commands, timeline_commands, bot_commands,
                   run_commands, database_commands]


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (like every other error of almanac), exit 2.

    Subcommand parsers are of the same class (argparse makes them with
    `type(parent)`), so `almanac list --year abc` says what is wrong and where
    to read more, without the full usage block. `main()` prints it.
    """

    def error(self, message: str) -> typing.NoReturn:
        raise UsageError(f"{message.removeprefix('argument ')} (see `{self.prog} -h`)")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="almanac",
        description="Keep an archive of talks, papers, podcasts and news searchable, "
        "published as feeds and a site, and answered on Discord.",
        epilog="examples:\n  almanac ingest && almanac list\n  almanac show ID --json\n\n"
        "Run `almanac COMMAND -h` for a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", metavar="PATH", help="config file (default: $ALMANAC_CONFIG, else ./config.toml, else built-in defaults)")
    parser.add_argument("--db", metavar="PATH", help="database: a SQLite file or a postgresql:// URL "
                        "(default: $ALMANAC_DB, else $DATABASE_URL, else [archive] db)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    for action in sub.choices.values():
        action.formatter_class = argparse.RawDescriptionHelpFormatter
    return parser


def main(argv: list[str] | None = None, env: typing.Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(f"almanac: {exc}", file=sys.stderr)
        return 2
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    app = None
    try:
        config = load_config(find_config_path(args.config, env))
        app = App.build(config, env, db_override=args.db, reads_only=getattr(args, "reads_only", False))
        status = args.handler(args, app)
        sys.stdout.flush()  # a closed pipe shows here, not as a message at exit
        return status
    except (UsageError, ConfigError, EmbedderError) as exc:  # a model that cannot load: `[search] model`
        print(f"almanac: {exc}", file=sys.stderr)
        return 2
    except (StoreError, SourceError) as exc:
        print(f"almanac: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error worth a traceback. (Caught before
        # Exception, which it is: below it, every command piped to `head` printed one.)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        if not is_database_error(exc):
            raise
        # A database that opened but fails on use ("database disk image is malformed", a server
        # gone mid-command): one line naming it, its password left out, not a traceback.
        where = app.store.describe() if app is not None and "store" in vars(app) else "the database"
        print(f"almanac: {where}: database error ({scrubbed(reason_of(exc), app.db_path if app else '')})",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        if app is not None:
            app.close()


if __name__ == "__main__":
    sys.exit(main())
