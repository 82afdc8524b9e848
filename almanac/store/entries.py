"""Entries in the store: replacing a source's entries, queries, full-text search."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from almanac.entry import Entry, PartialDate
from almanac.person import byline, written_as_name
from almanac.sources.problems import Problem, split_location
from almanac.store.database import StoreError, utc_now

NEWEST_FIRST = "year DESC, COALESCE(month, 0) DESC, COALESCE(day, 0) DESC, id"
#: meta values are text: the next value of a counter, in SQL both engines take.
BUMP = "CAST(CAST(value AS INTEGER) + 1 AS TEXT)"


def source_person(entries: list[Entry]) -> str | None:
    """Whose a source is (`almanac.person`): the name more than half the entries read from it now
    are by, when its entries write it as a name. Entries kept from the store (a feed's items past
    its window, `almanac.ingest.settle_left`) say nothing of it."""
    name = byline([e.by for e in entries if e.changed_at is None])
    return name if name and written_as_name(name, (t for e in entries for t in (e.title, e.summary))) else None


def _keep_person(db, source_key: str, name: str | None) -> bool:
    """Keep `name` as whose source `source_key` is (none: forget it); whether that changed."""
    key = f"person:{source_key}"
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    held = row[0] if row else None
    if held == name:
        return False
    if name is None:
        db.execute("DELETE FROM meta WHERE key = ?", [key])
    elif held is None:
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [key, name])
    else:
        db.execute("UPDATE meta SET value = ? WHERE key = ?", [name, key])
    return True


class IdConflict(StoreError):
    """Entries of one source would take ids that entries of another source hold (`ids`)."""

    def __init__(self, problems: list[Problem], ids: tuple[str, ...] = ()):
        self.problems = problems
        self.ids = ids
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class SourceChange:
    """What one ingest of one source did, by entry id."""

    source: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def entry_from_row(row: dict) -> Entry:
    return Entry(
        id=row["id"],
        title=row["title"],
        date=PartialDate(row["year"], row["month"], row["day"]),
        kind=row["kind"],
        summary=row["summary"],
        tags=tuple(json.loads(row["tags"])),
        url=row["url"],
        source=row["source"],
        changed_at=row.get("updated_at"),
    )


class EntriesMixin:
    """Methods over the `entries` table (mixed into `Store`)."""

    def replace_source(self, source_key: str, entries: list[Entry], adopt: Collection[str] = ()) -> SourceChange:
        """Make the store hold exactly `entries` for `source_key`, in one transaction.

        Unchanged entries are not touched (so their embeddings stay valid);
        entries no longer in the source are removed with their embeddings.
        If any id is held by another source, nothing is written, except by a
        source in `adopt` (a file renamed, or the same file read under another
        name: a folder and a glob): its entry moves here with its first-seen
        time, so it is not announced again, and with its vectors when its
        content is the same.
        """
        change = SourceChange(source_key)
        now = utc_now()
        dialect = self.dialect
        with self.transaction() as db:
            ids = [e.id for e in entries]
            held = {}
            for chunk in _chunks(ids, dialect.ids_per_statement):
                where, params = dialect.id_in("id", chunk)
                for row in db.execute(
                    f"SELECT id, source_key, source, content_hash, updated_at FROM entries WHERE {where}", params
                ):
                    held[row[0]] = row
            taken = [e for e in entries if e.id in held and held[e.id][1] != source_key and held[e.id][1] not in adopt]
            if taken:
                raise IdConflict([Problem(*split_location(e.source), "id", f"'{e.id}' is already used by the entry "
                                          f"at {held[e.id][2]}; give one of them an explicit id") for e in taken],
                                 tuple(e.id for e in taken))
            added, updated = [], []
            for entry in entries:
                row = held.get(entry.id)
                if row is None:
                    change.added.append(entry.id)
                    added.append(tuple(_values(entry, source_key, now, now)))
                elif row[3] != entry.content_hash or row[2] != entry.source or row[1] != source_key:
                    # `updated_at` is when the content last changed: a move within its file is not a
                    # change (the ledger judges posts made before it kept their content by it).
                    if row[3] != entry.content_hash:
                        change.changed.append(entry.id)
                        changed_at = now
                    else:
                        change.unchanged.append(entry.id)  # only moved within its file
                        changed_at = row[4]
                    updated.append(tuple(_values(entry, source_key, None, changed_at)[1:] + [entry.id]))
                else:
                    change.unchanged.append(entry.id)
            # All rows in as few statements as the engine allows (on PostgreSQL one UPDATE and one
            # COPY): a round trip, and a run of the full-text trigger, per statement, not per entry.
            db.update_rows("entries", "id", _UPDATED_COLUMNS, updated)
            db.insert_rows("entries", _COLUMNS, added)
            keep = set(ids)
            for (old_id,) in db.execute("SELECT id FROM entries WHERE source_key = ?", [source_key]).fetchall():
                if old_id not in keep:
                    change.removed.append(old_id)
            for chunk in _chunks(change.removed, dialect.ids_per_statement):
                where, params = dialect.id_in("entry_id", chunk)
                db.execute(f"DELETE FROM embeddings WHERE {where}", params)
                where, params = dialect.id_in("id", chunk)
                db.execute(f"DELETE FROM entries WHERE {where}", params)
            person_changed = _keep_person(db, source_key, source_person(entries))
            if change.touched or person_changed:
                db.execute(f"UPDATE meta SET value = {BUMP} WHERE key = 'generation'")
        return change

    def people(self) -> list[str]:
        """The names the sources say the archive is by (`almanac.person`), one per source that says one."""
        with self.read() as db:
            rows = db.execute("SELECT value FROM meta WHERE key LIKE 'person:%' ORDER BY key").fetchall()
        return list(dict.fromkeys(r[0] for r in rows))

    def holdings(self, source_keys: list[str]) -> dict[str, tuple[str, str]]:
        """(kind, source key) of every entry the sources `source_keys` hold, by id: the ids given
        to their entries, numbered ones included ("-talk-2"), which `assign_ids` keeps."""
        return self._kinds_and_sources("source_key", source_keys)

    def holders_of(self, ids: list[str]) -> dict[str, tuple[str, str]]:
        """(kind, source key) of the entry holding each of `ids` the store holds (ids it does not
        hold are left out): who keeps an id when look-alikes arrive (`almanac.entry.assign_ids`)."""
        return self._kinds_and_sources("id", ids)

    def _kinds_and_sources(self, column: str, values: list[str]) -> dict[str, tuple[str, str]]:
        """id -> (kind, source key) of the entries whose `column` is one of `values`."""
        found: dict[str, tuple[str, str]] = {}
        with self.read() as db:
            for chunk in _chunks(values, self.dialect.ids_per_statement):
                where, params = self.dialect.id_in(column, chunk)
                for ident, kind, source in db.execute(f"SELECT id, kind, source_key FROM entries WHERE {where}", params):
                    found[ident] = (kind, source)
        return found

    def generation(self) -> int:
        """A number that grows whenever entries change (searchers reload on it)."""
        with self.read() as db:
            return int(db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])

    def entries(self, kind: str | None = None, year: int | None = None, limit: int | None = None) -> list[Entry]:
        """Entries newest first, optionally of one kind and/or one year."""
        where, params = [], []
        if kind:
            where.append("kind = ?")
            params.append(kind)
        if year:
            where.append("year = ?")
            params.append(year)
        sql = f"SELECT {_COLUMNS} FROM entries"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {NEWEST_FIRST}"
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        with self.read() as db:
            return [entry_from_row(row) for row in db.query(sql, params)]

    def get(self, entry_id: str) -> Entry | None:
        with self.read() as db:
            rows = list(db.query(f"SELECT {_COLUMNS} FROM entries WHERE id = ?", [entry_id]))
        return entry_from_row(rows[0]) if rows else None

    def get_many(self, ids: list[str], as_of: Mapping[str, str] | None = None) -> list[Entry]:
        """Entries for `ids`, in the order given (unknown ids are skipped). `as_of`: the content
        hash each should have (a search's snapshot of the store); one that changed since is
        skipped too, so an answer ranked and filtered on the snapshot never shows an entry as it
        is now (another process's ingest: "entries from 2010" showed 2011's, for up to a minute)."""
        found: dict[str, Entry] = {}
        with self.read() as db:
            for chunk in _chunks(ids, self.dialect.ids_per_statement):
                where, params = self.dialect.id_in("id", chunk)
                for row in db.query(f"SELECT {_COLUMNS} FROM entries WHERE {where}", params):
                    if as_of is None or as_of.get(row["id"]) == row["content_hash"]:
                        found[row["id"]] = entry_from_row(row)
        return [found[i] for i in ids if i in found]

    def count(self) -> int:
        with self.read() as db:
            return db.execute("SELECT count(*) FROM entries").fetchone()[0]

    def added_at(self) -> dict[str, str]:
        """When each entry first entered the store (ISO UTC), by id."""
        with self.read() as db:
            return dict(db.execute("SELECT id, added_at FROM entries").fetchall())

    def source_keys(self) -> list[str]:
        with self.read() as db:
            return [r[0] for r in db.execute("SELECT DISTINCT source_key FROM entries ORDER BY 1")]

    def source_counts(self) -> dict[str, int]:
        """How many entries each stored source holds (`almanac sources`)."""
        with self.read() as db:
            return {r[0]: int(r[1]) for r in db.execute(
                "SELECT source_key, count(*) FROM entries GROUP BY source_key ORDER BY source_key")}


_COLUMNS = (
    "id, title, date, precision, date_label, year, month, day, kind, tags, summary, url, "
    "source, source_key, content_hash, added_at, updated_at"
)
#: What an edit rewrites: every column but the id and when it was first added.
_UPDATED_COLUMNS = (
    "title, date, precision, date_label, year, month, day, kind, tags, summary, url, "
    "source, source_key, content_hash, updated_at"
)


def _values(entry: Entry, source_key: str, added_at: str | None, updated_at: str) -> list:
    values = [
        entry.id,
        entry.title,
        entry.date.isoformat(),
        entry.precision.value,
        entry.date.label(),
        entry.date.year,
        entry.date.month,
        entry.date.day,
        entry.kind,
        json.dumps(list(entry.tags)),
        entry.summary,
        entry.url,
        entry.source,
        source_key,
        entry.content_hash,
    ]
    return values + ([added_at] if added_at is not None else []) + [updated_at]


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]
