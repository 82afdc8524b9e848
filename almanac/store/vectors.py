"""Stored embeddings and the facts the searcher loads with them (mixed into `Store`).

A vector is kept per (entry, model) together with the content hash it was
computed from; a vector whose hash no longer matches its entry counts as
missing, so an edited summary re-embeds exactly that entry and switching
models re-embeds everything. Vectors are float32, little-endian, L2-normalised.
"""

from __future__ import annotations

import json

import numpy as np

from almanac.store.entries import _COLUMNS, BUMP, _chunks, entry_from_row

_ENTRY_COLUMNS = ", ".join(f"entries.{c.strip()}" for c in _COLUMNS.split(","))

_VECTORS_GENERATION = "vectors_generation"


class VectorsMixin:
    """Embeddings per (entry, model, content hash) and FTS helpers for ranking."""

    def entries_missing_vectors(self, model: str) -> list:
        """Entries with no vector for `model`, or one computed from older content."""
        sql = (
            f"SELECT {_ENTRY_COLUMNS} FROM entries LEFT JOIN embeddings "
            "ON embeddings.entry_id = entries.id AND embeddings.model = ? "
            "WHERE embeddings.entry_id IS NULL OR embeddings.content_hash != entries.content_hash "
            "ORDER BY entries.id"
        )
        with self.read() as db:
            return [entry_from_row(row) for row in db.query(sql, [model])]

    def entries_missing_vectors_count(self, model: str) -> int:
        """How many entries `entries_missing_vectors` would return (cheap: no rows built)."""
        sql = (
            "SELECT count(*) FROM entries LEFT JOIN embeddings "
            "ON embeddings.entry_id = entries.id AND embeddings.model = ? "
            "WHERE embeddings.entry_id IS NULL OR embeddings.content_hash != entries.content_hash"
        )
        with self.read() as db:
            return db.execute(sql, [model]).fetchone()[0]

    def save_vectors(self, model: str, items: list[tuple[str, str, np.ndarray]]) -> None:
        """Store (entry id, content hash, vector) triples for `model`, in one transaction.

        A "vector" may also be a (k, dims) block (an entry's part vectors): it is
        stored as one row of k * dims floats with `dims` its width.
        """
        if not items:
            return
        rows = []
        for entry_id, content_hash, vector in items:
            vec = np.asarray(vector, dtype="<f4")
            rows.append((entry_id, model, content_hash, int(vec.shape[-1]), vec.ravel().tobytes()))
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO embeddings (entry_id, model, content_hash, dims, vector) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (entry_id, model) DO UPDATE SET content_hash = excluded.content_hash, "
                "dims = excluded.dims, vector = excluded.vector",
                rows,
            )
            db.execute("INSERT INTO meta (key, value) VALUES (?, '0') ON CONFLICT DO NOTHING", [_VECTORS_GENERATION])
            db.execute(f"UPDATE meta SET value = {BUMP} WHERE key = ?", [_VECTORS_GENERATION])

    def vectors(self, model: str) -> tuple[list[str], np.ndarray]:
        """Ids and an (n, dims) float32 matrix of the current vectors of `model`.

        Only vectors computed from an entry's present content are returned.
        """
        sql = (
            "SELECT embeddings.entry_id, embeddings.dims, embeddings.vector FROM embeddings "
            "JOIN entries ON entries.id = embeddings.entry_id "
            "WHERE embeddings.model = ? AND embeddings.content_hash = entries.content_hash "
            "ORDER BY entries.rowid"
        )
        ids: list[str] = []
        chunks: list[np.ndarray] = []
        dims = None
        with self.read() as db:
            # Streamed into preallocated blocks: never the whole archive as bytes and as floats at once.
            cursor = db.execute(sql, [model])
            while True:
                rows = cursor.fetchmany(4096)
                if not rows:
                    break
                if dims is None:
                    dims = rows[0][1]
                block = np.empty((len(rows), dims), dtype=np.float32)
                filled = 0
                for entry_id, row_dims, blob in rows:
                    if row_dims == dims:
                        block[filled] = np.frombuffer(bytes(blob), dtype="<f4")
                        ids.append(entry_id)
                        filled += 1
                chunks.append(block[:filled])
        if not ids:
            return [], np.zeros((0, 0), dtype=np.float32)
        return ids, np.concatenate(chunks) if len(chunks) > 1 else chunks[0]

    def vector_blocks(self, model: str, hashes: dict[str, str]) -> dict[str, np.ndarray]:
        """The (k, dims) vector blocks of `model` computed from the given content of each entry
        (`hashes`: entry id -> content hash); absent: no such block.

        Used for part vectors, fetched per question for a few candidate entries
        instead of held in memory for the whole archive. The hashes come from the
        caller (a searcher's snapshot holds them) rather than from a join with
        `entries`, whose two b-tree searches a row were half the query's time
        (0.5 of 1.1 ms for a question's ~50 candidates at 10,000 entries).
        """
        out: dict[str, np.ndarray] = {}
        with self.read() as db:
            for chunk in _chunks(list(hashes), self.dialect.ids_per_statement):
                where, params = self.dialect.id_in("entry_id", chunk)
                sql = f"SELECT entry_id, content_hash, dims, vector FROM embeddings WHERE model = ? AND {where}"
                for entry_id, content_hash, dims, blob in db.execute(sql, [model, *params]):
                    if hashes[entry_id] == content_hash:
                        out[entry_id] = np.frombuffer(bytes(blob), dtype="<f4").reshape(-1, dims)
        return out

    def vector_count(self, model: str) -> int:
        with self.read() as db:
            return db.execute("SELECT count(*) FROM embeddings WHERE model = ?", [model]).fetchone()[0]

    def search_version(self) -> tuple[int, int]:
        """(entries generation, vectors generation): a searcher reloads when either grows."""
        with self.read() as db:
            rows = dict(
                db.execute(
                    "SELECT key, value FROM meta WHERE key IN ('generation', ?)", [_VECTORS_GENERATION]
                ).fetchall()
            )
        return int(rows.get("generation", 0)), int(rows.get(_VECTORS_GENERATION, 0))

    def entry_facets(self) -> list[tuple[str, int, int | None, int | None, str, tuple[str, ...], str]]:
        """(id, year, month, day, kind, tags, content hash) of every entry, for filtering without
        loading summaries (and fetching an entry's part vectors by the hash they must have)."""
        with self.read() as db:
            rows = db.execute(
                "SELECT id, year, month, day, kind, tags, content_hash FROM entries ORDER BY rowid"
            ).fetchall()
        return [(r[0], r[1], r[2], r[3], r[4], tuple(json.loads(r[5])), r[6]) for r in rows]
