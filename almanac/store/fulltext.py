"""Full-text search over entries (mixed into `Store`), in each engine's own way.

Both index title, date label ("May 2015"), summary and tags with English
stemming, match any of the terms, and count the title double. User text is
only ever a bound parameter, and on SQLite also quoted as a phrase, one word
each, with control characters removed: quotes, AND, *, (, -, : and NUL in a
question are words, never query syntax.

- SQLite: FTS5 (`entries_fts`, Porter stemming), ranked by BM25.
- PostgreSQL: a stored `tsvector` column (`english` with the Porter
  stemmer, title at weight A, the rest at B) with a GIN index, ranked by
  the same BM25 (see `Tsvector`): the searcher's answers are the same on both.
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

    #: FTS5 keeps its own statistics: `rank` needs none.
    stats_sql = None
    #: Ids per `matching` statement: with one, FTS5 seeks that row for the word; with a list it
    #: walks every entry holding the word (57 ms a question at 100,000 entries).
    matching_ids = 1

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

    def rank(self, words: list[str], limit: int, stats=None) -> tuple[str, list]:
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
            "SELECT entries.id AS id FROM entries_fts JOIN entries ON entries.rowid = entries_fts.rowid "
            f"WHERE entries_fts MATCH ? AND entries.id IN ({marks})"
        )
        return sql, [fts_phrase(word), *ids]


class Tsvector:
    #: Ids per `matching` statement (the GIN index and an id list make one round trip cheap).
    matching_ids = 500

    """PostgreSQL full text, ranked by BM25 as FTS5 ranks, so answers are the same on both backends.

    Why not `ts_rank_cd` alone: it has no notion of how rare a word is, and the
    searcher's answers moved (on tests/eval_questions.py R@1 fell from 0.973
    to 0.959: "Mirage", in half the archive, outweighed "version-controlled").
    So the GIN index finds the matches and the score is FTS5's BM25 (k1 1.2,
    b 0.75, the title counting double), computed from the tsvector's
    positions and weights. Text is tokenised as FTS5's unicode61 does it:
    punctuation separates words ("v2.0" is "v2" and "0", "version-controlled"
    two words), a word of several tokens is a phrase, and the configuration
    is `english` with Snowball's Porter stemmer (FTS5's: "communications"
    and "community" share a stem there, not in Snowball's English) and no
    stop-word list (FTS5 keeps stop words). With that, the scores equal
    FTS5's and the evaluation answers are the same, question by question.
    """

    #: A copy of PostgreSQL's `english` configuration: the Porter stemmer, no stop words.
    CONFIG = "almanac_english"

    @staticmethod
    def _words(sql_text: str) -> str:
        """SQL turning `sql_text` into words as FTS5 sees them: punctuation becomes a space."""
        return f"regexp_replace({sql_text}, '[[:punct:]]+', ' ', 'g')"

    def _query(self, sql_text: str) -> str:
        """A word as FTS5 matches a quoted word: its tokens as a phrase ("1.0" is "1" followed by "0")."""
        return f"phraseto_tsquery('{self.CONFIG}', {self._words(sql_text)})"

    def create(self, db) -> None:
        """The configuration, a stored `fts` tsvector (title at weight A) with a GIN index, and
        `fts_length` (words in the entry, for BM25). Part of migration 1: never change it."""
        db.execute(f"CREATE TEXT SEARCH DICTIONARY {self.CONFIG}_stem (TEMPLATE = snowball, Language = porter)")
        db.execute(f"CREATE TEXT SEARCH CONFIGURATION {self.CONFIG} (COPY = english)")
        db.execute(f"ALTER TEXT SEARCH CONFIGURATION {self.CONFIG} ALTER MAPPING REPLACE english_stem "
                   f"WITH {self.CONFIG}_stem")
        vector = " || ".join(f"setweight(to_tsvector('{self.CONFIG}', {self._words(column)}), '{weight}')"
                             for column, weight in (("title", "A"), ("date_label", "B"), ("summary", "B"),
                                                    ("tags", "B")))
        db.execute(f"ALTER TABLE entries ADD COLUMN fts tsvector GENERATED ALWAYS AS ({vector}) STORED")
        text = "title || ' ' || date_label || ' ' || summary || ' ' || tags"
        db.execute(
            "ALTER TABLE entries ADD COLUMN fts_length INTEGER GENERATED ALWAYS AS (cardinality(regexp_split_to_array("
            f"btrim(regexp_replace({text}, '[[:punct:][:space:]]+', ' ', 'g')), ' '))) STORED"
        )
        db.execute("CREATE INDEX entries_fts ON entries USING GIN (fts)")
        # The posting lists BM25 reads, as FTS5 keeps them: per (lexeme, entry) its weighted count
        # f and the entry's length. Kept by statement triggers (one per batch of inserted rows).
        db.execute(
            'CREATE TABLE entry_terms (lexeme TEXT COLLATE "C" NOT NULL, entry_rowid BIGINT NOT NULL, '
            "f REAL NOT NULL, dl INTEGER NOT NULL, PRIMARY KEY (lexeme, entry_rowid) INCLUDE (f, dl))"
        )
        add = ("INSERT INTO entry_terms (lexeme, entry_rowid, f, dl) SELECT u.lexeme, n.rowid, "
               "cardinality(u.weights) + cardinality(array_positions(u.weights, 'A')), n.fts_length "
               "FROM new_rows AS n, unnest(n.fts) AS u;")
        drop = ("DELETE FROM entry_terms AS t USING old_rows AS o, unnest(o.fts) AS u "
                "WHERE t.lexeme = u.lexeme AND t.entry_rowid = o.rowid;")
        for event, body, tables in (("INSERT", add, "NEW TABLE AS new_rows"),
                                    ("UPDATE", drop + add, "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                                    ("DELETE", drop, "OLD TABLE AS old_rows")):
            name = f"entry_terms_{event.lower()}"
            db.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
                       f"$body$ BEGIN {body} RETURN NULL; END $body$")
            db.execute(f"CREATE TRIGGER {name} AFTER {event} ON entries REFERENCING {tables} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()")

    #: The archive's size and mean entry length in words (BM25's N and avgdl), cached per generation.
    stats_sql = "SELECT count(*), COALESCE(avg(fts_length), 1) FROM entries"

    #: A word's lexemes (one for most words; "1.0" has two and is a phrase).
    def _lexemes(self, sql_text: str) -> str:
        return f"tsvector_to_array(to_tsvector('{self.CONFIG}', {self._words(sql_text)}))"

    def rank(self, words: list[str], limit: int, stats=None) -> tuple[str, list]:
        """BM25 as FTS5 computes it; `stats` is (N, avgdl, [entries holding each word]).

        The counts come in (cached by the store until entries change): the
        searcher has just asked for them. A one-token word is scored from
        `entry_terms` (an index range, like FTS5's posting list); a phrase
        ("1.0") from the tsvector positions of the entries the GIN index finds.
        """
        n_docs, avgdl, counts = stats
        pairs = [(w, n) for w, n in zip(words, counts) if n > 0]
        tokens = "unnest(e.fts) AS u, unnest(u.positions, u.weights) AS x(pos, weight)"
        bm25 = "w.idf * {f} * 2.2 / ({f} + 1.2 * (0.25 + 0.75 * {dl} / CAST(? AS double precision)))"
        # Per word: its phrase query, its tokens in order (lexeme, offset), its IDF (FTS5's formula).
        # Per matching entry and word: f = the word's (phrase's) occurrences, 2 in the title and 1 elsewhere.
        sql = f"""
            WITH terms AS (
                SELECT {self._query("t.word")} AS q, tok.lexemes, tok.offsets,
                       GREATEST(ln((CAST(? AS double precision) - t.n + 0.5) / (t.n + 0.5)), 1e-6) AS idf
                FROM unnest(CAST(? AS text[]), CAST(? AS integer[])) AS t(word, n)
                CROSS JOIN LATERAL (
                    SELECT array_agg(v.lexeme ORDER BY p.pos) AS lexemes, array_agg(p.pos ORDER BY p.pos) AS offsets
                    FROM unnest(to_tsvector('{self.CONFIG}', {self._words("t.word")})) AS v, unnest(v.positions) AS p(pos)
                ) AS tok
            ),
            parts AS (
                SELECT et.entry_rowid AS rowid, {bm25.format(f="et.f", dl="et.dl")} AS part
                FROM terms w JOIN entry_terms et ON et.lexeme = w.lexemes[1]
                WHERE cardinality(w.lexemes) = 1
                UNION ALL
                SELECT e.rowid, {bm25.format(f="tf.f", dl="e.fts_length")}
                FROM terms w JOIN entries e ON e.fts @@ w.q
                CROSS JOIN LATERAL (
                    SELECT COALESCE(sum(CASE WHEN x.weight = 'A' THEN 2.0 ELSE 1.0 END), 0) AS f
                    FROM {tokens}
                    WHERE u.lexeme = w.lexemes[1] AND (
                        SELECT count(*) FROM unnest(e.fts) AS u2, unnest(u2.positions) AS x2(pos),
                                             generate_subscripts(w.lexemes, 1) AS i
                        WHERE i > 1 AND u2.lexeme = w.lexemes[i] AND x2.pos = x.pos + w.offsets[i] - w.offsets[1]
                    ) = cardinality(w.lexemes) - 1
                ) AS tf
                WHERE cardinality(w.lexemes) > 1
            ),
            ranked AS (SELECT rowid, sum(part) AS score FROM parts GROUP BY rowid ORDER BY score DESC, rowid LIMIT ?)
            SELECT e.id, ranked.score FROM ranked JOIN entries e ON e.rowid = ranked.rowid
            ORDER BY ranked.score DESC, ranked.rowid
        """
        return sql, [float(n_docs), [w for w, _ in pairs], [n for _, n in pairs], float(avgdl), float(avgdl), limit]

    def count(self, word: str) -> tuple[str, list]:
        """Entries holding `word`: its posting list's length, or for a phrase the GIN index's matches."""
        sql = (
            f"SELECT CASE cardinality(l) WHEN 0 THEN 0 "
            f"WHEN 1 THEN (SELECT count(*) FROM entry_terms WHERE lexeme = l[1]) "
            f"ELSE (SELECT count(*) FROM entries WHERE fts @@ {self._query('CAST(? AS text)')}) END "
            f"FROM (SELECT {self._lexemes('CAST(? AS text)')} AS l) AS word"
        )
        return sql, [word, word]

    def matching(self, word: str, ids: list[str]) -> tuple[str, list]:
        marks = ",".join("?" * len(ids))
        return f"SELECT id FROM entries WHERE fts @@ {self._query('?')} AND id IN ({marks})", [word, *ids]


class FullTextMixin:
    """Full-text queries; per-word entry counts are cached until entries change (the generation)."""

    def _fts_cache(self) -> dict:
        """{"generation": g, "counts": {word: n}, "stats": (N, avgdl) or None} for the current generation."""
        generation = self.generation()
        cache = getattr(self, "_fts_cached", None)
        if cache is None or cache["generation"] != generation:
            cache = {"generation": generation, "counts": {}, "stats": None}
            self._fts_cached = cache
        return cache

    def fts_rank(self, terms: list[str], limit: int = 200) -> list[tuple[str, float]]:
        """Entries matching any of `terms`, best first: (id, score), higher is better."""
        words = _clean_terms(terms)
        if not words:
            return []
        fulltext = self.dialect.fulltext
        stats = None
        if fulltext.stats_sql:
            cache = self._fts_cache()
            if cache["stats"] is None:
                with self.read() as db:
                    cache["stats"] = tuple(db.execute(fulltext.stats_sql).fetchone())
            counts = self.term_doc_counts(words)
            stats = (*cache["stats"], [counts[w] for w in words])
        sql, params = fulltext.rank(words, limit, stats)
        with self.read() as db:
            return [(row[0], float(row[1])) for row in db.execute(sql, params)]

    def term_doc_counts(self, terms: list[str]) -> dict[str, int]:
        """In how many entries each term occurs (after stemming), for weighting rare words.

        The words not yet counted since entries last changed are counted in
        one statement (one round trip to a PostgreSQL server, not one a word).
        """
        known = self._fts_cache()["counts"]
        missing = [t for t in dict.fromkeys(terms) if t not in known]
        words = {t: _clean_terms([t]) for t in missing}
        for t in [t for t in missing if not words[t]]:
            known[t] = 0
        asked = [t for t in missing if words[t]]
        if asked:
            parts, params = [], []
            for i, term in enumerate(asked):
                sql, values = self.dialect.fulltext.count(words[term][0])
                parts.append(f"SELECT {i}, ({sql})")
                params.extend(values)
            with self.read() as db:
                for i, n in db.execute(" UNION ALL ".join(parts), params):
                    known[asked[i]] = n
        return {t: known[t] for t in terms}

    def terms_matching(self, terms: list[str], ids: list[str]) -> dict[str, set[str]]:
        """For each of `ids`, which of `terms` occur in it (after stemming): one statement per
        `matching_ids` ids (all words at once), the fastest plan of each engine."""
        out: dict[str, set[str]] = {i: set() for i in ids}
        asked = [(t, _clean_terms([t])) for t in terms]
        asked = [(t, w[0]) for t, w in asked if w]
        if not ids or not asked:
            return out
        with self.read() as db:
            for chunk in _chunks(list(ids), self.dialect.fulltext.matching_ids):
                parts, params = [], []
                for i, (_, word) in enumerate(asked):
                    sql, values = self.dialect.fulltext.matching(word, chunk)
                    parts.append(f"SELECT {i}, m.id FROM ({sql}) AS m")
                    params.extend(values)
                for i, entry_id in db.execute(" UNION ALL ".join(parts), params):
                    out[entry_id].add(asked[i][0])
        return out
