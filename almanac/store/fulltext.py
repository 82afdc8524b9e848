"""Full-text search over entries with SQLite FTS5 (mixed into `Store`).

The index (`entries_fts`, Porter stemming) covers title, date label
("May 2015"), summary and tags. User text only ever reaches MATCH as quoted
phrases, one word each, with control characters removed: quotes, AND, *, (,
-, : and NUL in a question are words, never query syntax.
"""

from __future__ import annotations

from almanac.store.entries import _chunks


def fts_phrase(term: str) -> str:
    """Quote one word for FTS5 MATCH: user text never reaches the query syntax."""
    return '"' + term.replace('"', '""') + '"'


def _clean_terms(terms) -> list[str]:
    """Terms safe to quote for MATCH: NUL and other control characters end an FTS5 string."""
    out = []
    for term in terms:
        cleaned = "".join(ch for ch in str(term) if ch >= " " and ch != "\x7f").strip()
        if cleaned and any(ch.isalnum() for ch in cleaned):
            out.append(cleaned)
    return out


class FullTextMixin:
    def fts_rank(self, terms: list[str], limit: int = 200) -> list[tuple[str, float]]:
        """BM25 over title, date label, summary and tags, any term matching; title counts double.

        Every term is quoted, so user text never reaches the MATCH syntax.
        Returns (id, score) best first, score = -bm25 (higher is better).
        """
        words = _clean_terms(terms)
        if not words:
            return []
        match = " OR ".join(fts_phrase(w) for w in words)
        # Rank inside FTS5 first, then join only the winners (twice as fast as joining every match).
        sql = (
            "SELECT entries.id, ranked.score FROM ("
            "SELECT rowid AS r, -bm25(entries_fts, 2.0, 1.0, 1.0, 1.0) AS score FROM entries_fts "
            "WHERE entries_fts MATCH ? ORDER BY score DESC LIMIT ?"
            ") AS ranked JOIN entries ON entries.rowid = ranked.r ORDER BY ranked.score DESC"
        )
        with self.read() as db:
            return [(row[0], row[1]) for row in db.execute(sql, [match, limit])]

    def term_doc_counts(self, terms: list[str]) -> dict[str, int]:
        """In how many entries each term occurs (after stemming), for weighting rare words."""
        counts: dict[str, int] = {}
        sql = "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH ?"
        with self.read() as db:
            for term in terms:
                if term in counts:
                    continue
                cleaned = _clean_terms([term])
                counts[term] = db.execute(sql, [fts_phrase(cleaned[0])]).fetchone()[0] if cleaned else 0
        return counts

    def terms_matching(self, terms: list[str], ids: list[str]) -> dict[str, set[str]]:
        """For each of `ids`, which of `terms` occur in it (after stemming)."""
        out: dict[str, set[str]] = {i: set() for i in ids}
        if not ids:
            return out
        with self.read() as db:
            for chunk in _chunks(list(ids), 500):
                marks = ",".join("?" * len(chunk))
                sql = (
                    "SELECT entries.id FROM entries_fts JOIN entries ON entries.rowid = entries_fts.rowid "
                    f"WHERE entries_fts MATCH ? AND entries.id IN ({marks})"
                )
                for term in terms:
                    cleaned = _clean_terms([term])
                    if not cleaned:
                        continue
                    for (entry_id,) in db.execute(sql, [fts_phrase(cleaned[0]), *chunk]):
                        out[entry_id].add(term)
        return out
