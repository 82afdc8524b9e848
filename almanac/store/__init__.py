"""The store: the only code that opens SQLite.

`Store` is one SQLite file seen through domain methods; its parts live in
small modules (entries, fulltext, vectors, ledger, subscriptions), each a mixin over
the shared connection. Front ends get a `Store` passed in and never write SQL.
"""

from __future__ import annotations

import sqlite3

from almanac.store.database import Database, StoreError, utc_now
from almanac.store.entries import EntriesMixin, IdConflict, SourceChange
from almanac.store.fulltext import FullTextMixin
from almanac.store.ledger import LedgerMixin
from almanac.store.migrations import migrate
from almanac.store.subscriptions import Subscription, SubscriptionsMixin
from almanac.store.vectors import VectorsMixin

__all__ = ["Store", "StoreError", "IdConflict", "SourceChange", "Subscription", "utc_now"]


class Store(EntriesMixin, FullTextMixin, VectorsMixin, LedgerMixin, SubscriptionsMixin, Database):
    """An almanac database. Open with `Store(path)`; close with `close()` or `with`."""

    def __init__(self, path: str):
        super().__init__(path)
        try:
            migrate(self)
        except sqlite3.DatabaseError as exc:
            self.close()
            raise StoreError(f"{path}: cannot open the database ({exc}); check the path or pass --db PATH") from None
        except BaseException:
            self.close()
            raise
