"""`almanac migrate` and `almanac db copy`: looking after the database itself.

`migrate` is what a Procfile's `release:` line runs before new processes
start; `db copy` moves an archive between SQLite and PostgreSQL with its
ledger, so moving to a host never posts the day's anniversaries again.
"""

from __future__ import annotations

import os

from almanac.commands import UsageError
from almanac.store import Store, StoreError, is_postgres
from almanac.store.database import redact


def register(sub) -> None:
    p = sub.add_parser(
        "migrate",
        help="apply database migrations and exit",
        description="Create the database's tables, or bring them up to date, and exit. Every command "
        "does this when it opens the database; run it on its own as a Procfile's `release:` step, so "
        "processes starting after a deploy find the schema ready.",
        epilog="examples:\n  almanac migrate\n  DATABASE_URL=postgresql://user:pass@host/db almanac migrate",
    )
    p.set_defaults(handler=cmd_migrate)

    p = sub.add_parser(
        "db",
        help="copy an archive between databases",
        description="Database operations. `db copy FROM TO` copies entries, vectors, the posting "
        "ledger, targets and subscriptions from one database to another: a SQLite file or a "
        "postgresql:// URL, either way.",
        epilog="examples:\n  almanac db copy data/almanac.db postgresql://user:pass@host/almanac\n"
        "  almanac db copy postgresql://user:pass@host/almanac backup.db --force",
    )
    actions = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    c = actions.add_parser(
        "copy",
        help="copy an archive (entries, vectors, ledger, targets, subscriptions)",
        description="Copy the whole archive FROM one database TO another (SQLite file or postgresql:// "
        "URL). TO is created or migrated first; if it already holds anything, the copy is refused "
        "unless --force, which replaces what it holds.",
        epilog="examples:\n  almanac db copy data/almanac.db \"$DATABASE_URL\"",
    )
    c.add_argument("source", metavar="FROM", help="the database to copy from (must exist)")
    c.add_argument("target", metavar="TO", help="the database to copy into")
    c.add_argument("--force", action="store_true", help="replace what TO holds")
    c.set_defaults(handler=cmd_db_copy)


def cmd_migrate(args, app) -> int:
    store = app.store  # opening applies what is missing
    applied = store.migrations_applied
    if applied:
        print(f"{store.describe()}: applied migration{'s' if len(applied) != 1 else ''} "
              f"{', '.join(str(n) for n in applied)}")
    else:
        print(f"{store.describe()}: up to date")
    return 0


def cmd_db_copy(args, app) -> int:
    from almanac.store.copying import copy_store

    if args.source == args.target:
        raise UsageError("db copy: FROM and TO are the same database")
    if not is_postgres(args.source) and not os.path.isfile(args.source):
        raise StoreError(f"{redact(args.source)}: no such database file")  # a mistyped URL holds a password
    with Store(args.source) as source, Store(args.target) as target:
        report = copy_store(source, target, force=args.force)
        print(f"copied {report.summary()} from {source.describe()} to {target.describe()}")
    return 0
