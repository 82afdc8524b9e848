"""The store: the only code that opens a database (a SQLite file, or PostgreSQL).

`Store` is one database seen through domain methods; its parts live in small
modules (entries, fulltext, vectors, ledger, edits, subscriptions), each a mixin over
the backend chosen when it opens (`almanac.store.database`). Front ends get a
`Store` passed in and never write SQL.
"""

from __future__ import annotations

from almanac.store.database import Database, StoreError, is_postgres, utc_now
from almanac.store.edits import EditsMixin
from almanac.store.entries import EntriesMixin, IdConflict, SourceChange
from almanac.store.fulltext import FullTextMixin
from almanac.store.ledger import LedgerMixin
from almanac.store.migrations import migrate
from almanac.store.subscriptions import Subscription, SubscriptionsMixin
from almanac.store.vectors import VectorsMixin

__all__ = ["Store", "StoreError", "IdConflict", "SourceChange", "Subscription", "is_postgres", "utc_now"]


class Store(EntriesMixin, FullTextMixin, VectorsMixin, LedgerMixin, EditsMixin, SubscriptionsMixin, Database):
    """An almanac database. Open with `Store(path or postgresql:// URL)`; close with `close()` or `with`."""

    def __init__(self, path: str):
        super().__init__(path)
        try:
            #: Numbers of the migrations this opening applied (`almanac migrate` reports them).
            self.migrations_applied = migrate(self)
        except self.backend.errors as exc:
            self.close()
            raise StoreError(f"{self.describe()}: cannot open the database ({exc}); {self.backend.open_hint(exc)}") from None
        except BaseException:
            self.close()
            raise

    def describe(self) -> str:
        """The database for messages: the file's path, or the URL without its password."""
        return self.backend.describe()

    def instance_lock(self, purpose: str):
        """A lock that one process per database may hold (`almanac run`): a lock file, or a
        PostgreSQL advisory lock. Use as a context manager; `AlreadyRunning` if held."""
        return self.backend.instance_lock(purpose)
