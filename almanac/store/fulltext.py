"""Full-text search over entries (mixed into `Store`), in each engine's own way.

Both index title, date label ("May 2015"), summary and tags with English
stemming, match any of the terms, and count the title double. User text is
only ever a bound parameter, and on SQLite also quoted as a phrase, one word
each, with control characters removed: quotes, AND, *, (, -, : and NUL in a
question are words, never query syntax.

- SQLite: FTS5 (`entries_fts`, Porter stemming), ranked by BM25.
- PostgreSQL: a stored `tsvector` column (`english` configuration, title at
  weight A, the rest at B) with a GIN index, ranked by `ts_rank_cd`. Scores
  differ from BM25 in scale; the searcher only uses them divided by the best
  one, fused with the meaning scores.
"""

from __future__ import annotations

from almanac.store.entries import _chunks


def fts_phrase(term: str) -> str:
    """Quote one word for FTS5 MATCH: user text never reaches the query syntax."""
    return '"' + term.replace('"', '""') + '"'


def _clean_terms(terms) -> list[str]:
    """Terms safe to search: NUL and other control characters end an FTS5 string."""
    out = []
    for term in terms:
        cleaned = "".join(ch for ch in str(term) if ch >= " " and ch != "\x7f").strip()
        if cleaned and any(ch.isalnum() for ch in cleaned):
            out.append(cleaned)
    return out


class Fts5:
    """SQLite FTS5: the index (part of migration 1: never change it) and the queries as (sql, params)."""

    def create(self, db) -> None:
        """`entries_fts`, an external-content FTS5 table kept in step with `entries` by triggers."""
        db.execute(
            """
            CREATE VIRTUAL TABLE entries_fts USING fts5 (
                title, date_label, summary, tags,
                content = 'entries', content_rowid = 'rowid',
                tokenize = 'porter unicode61 remove_diacritics 2'
            )
            """
        )
        cols, new_cols = "title, date_label, summary, tags", "new.title, new.date_label, new.summary, new.tags"
        old_cols = "old.title, old.date_label, old.summary, old.tags"
        db.execute(
            f"CREATE TRIGGER entries_ai AFTER INSERT ON entries BEGIN "
            f"INSERT INTO entries_fts (rowid, {cols}) VALUES (new.rowid, {new_cols}); END"
        )
        db.execute(
            f"CREATE TRIGGER entries_ad AFTER DELETE ON entries BEGIN "
            f"INSERT INTO entries_fts (entries_fts, rowid, {cols}) VALUES ('delete', old.rowid, {old_cols}); END"
        )
        db.execute(
            f"CREATE TRIGGER entries_au AFTER UPDATE ON entries BEGIN "
            f"INSERT INTO entries_fts (entries_fts, rowid, {cols}) VALUES ('delete', old.rowid, {old_cols}); "
            f"INSERT INTO entries_fts (rowid, {cols}) VALUES (new.rowid, {new_cols}); END"
        )

    def rank(self, words: list[str], limit: int) -> tuple[str, list]:
        # Rank inside FTS5 first, then join only the winners (twice as fast as joining every match).
        sql = (
            "SELECT entries.id, ranked.score FROM ("
            "SELECT rowid AS r, -bm25(entries_fts, 2.0, 1.0, 1.0, 1.0) AS score FROM entries_fts "
            "WHERE entries_fts MATCH ? ORDER BY score DESC LIMIT ?"
            ") AS ranked JOIN entries ON entries.rowid = ranked.r ORDER BY ranked.score DESC"
        )
        return sql, [" OR ".join(fts_phrase(w) for w in words), limit]

    def count(self, word: str) -> tuple[str, list]:
        return "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH ?", [fts_phrase(word)]

    def matching(self, word: str, ids: list[str]) -> tuple[str, list]:
        marks = ",".join("?" * len(ids))
        sql = (
            "SELECT entries.id FROM entries_fts JOIN entries ON entries.rowid = entries_fts.rowid "
            f"WHERE entries_fts MATCH ? AND entries.id IN ({marks})"
        )
        return sql, [fts_phrase(word), *ids]


class Tsvector:
    """PostgreSQL full text: `entries.fts @@ plainto_tsquery('english', ?)`, one bound word each."""

    #: ts_rank_cd weights for D, C, B, A: the title (A) counts double.
    WEIGHTS = "{0.5, 0.5, 0.5, 1.0}"

    def create(self, db) -> None:
        """A stored, generated `fts` column (part of migration 1: never change it) and its GIN index."""
        db.execute(
            "ALTER TABLE entries ADD COLUMN fts tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('english', title), 'A') || "
            "setweight(to_tsvector('english', date_label), 'B') || "
            "setweight(to_tsvector('english', summary), 'B') || "
            "setweight(to_tsvector('english', tags), 'B')) STORED"
        )
        db.execute("CREATE INDEX entries_fts ON entries USING GIN (fts)")

    def rank(self, words: list[str], limit: int) -> tuple[str, list]:
        query = " || ".join("plainto_tsquery('english', ?)" for _ in words)
        sql = (
            f"SELECT id, ts_rank_cd('{self.WEIGHTS}', fts, query.q) AS score FROM entries, (SELECT {query} AS q) AS query "
            "WHERE fts @@ query.q ORDER BY score DESC, rowid LIMIT ?"
        )
        return sql, [*words, limit]

    def count(self, word: str) -> tuple[str, list]:
        return "SELECT count(*) FROM entries WHERE fts @@ plainto_tsquery('english', ?)", [word]

    def matching(self, word: str, ids: list[str]) -> tuple[str, list]:
        marks = ",".join("?" * len(ids))
        return f"SELECT id FROM entries WHERE fts @@ plainto_tsquery('english', ?) AND id IN ({marks})", [word, *ids]


class FullTextMixin:
    def fts_rank(self, terms: list[str], limit: int = 200) -> list[tuple[str, float]]:
        """Entries matching any of `terms`, best first: (id, score), higher is better."""
        words = _clean_terms(terms)
        if not words:
            return []
        sql, params = self.dialect.fulltext.rank(words, limit)
        with self.read() as db:
            return [(row[0], float(row[1])) for row in db.execute(sql, params)]

    def term_doc_counts(self, terms: list[str]) -> dict[str, int]:
        """In how many entries each term occurs (after stemming), for weighting rare words."""
        counts: dict[str, int] = {}
        with self.read() as db:
            for term in terms:
                if term in counts:
                    continue
                cleaned = _clean_terms([term])
                if not cleaned:
                    counts[term] = 0
                    continue
                sql, params = self.dialect.fulltext.count(cleaned[0])
                counts[term] = db.execute(sql, params).fetchone()[0]
        return counts

    def terms_matching(self, terms: list[str], ids: list[str]) -> dict[str, set[str]]:
        """For each of `ids`, which of `terms` occur in it (after stemming)."""
        out: dict[str, set[str]] = {i: set() for i in ids}
        if not ids:
            return out
        with self.read() as db:
            for chunk in _chunks(list(ids), 500):
                for term in terms:
                    cleaned = _clean_terms([term])
                    if not cleaned:
                        continue
                    sql, params = self.dialect.fulltext.matching(cleaned[0], chunk)
                    for (entry_id,) in db.execute(sql, params):
                        out[entry_id].add(term)
        return out
