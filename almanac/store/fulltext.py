"""Full-text search over entries (mixed into `Store`), in each engine's own way.

Both index title, date label ("May 2015"), summary and tags with English
stemming, match any of the terms, and count the title double. User text is
only ever a bound parameter, and on SQLite also quoted as a phrase, one word
each, with control characters removed: quotes, AND, *, (, -, : and NUL in a
question are words, never query syntax.

- SQLite: FTS5 (`entries_fts`, Porter stemming), ranked by BM25; a searcher
  may also read FTS5's postings into memory once (`fulltext_postings`) and
  rank from them with the same arithmetic (`almanac.bm25`).
- PostgreSQL: a stored `tsvector` column (`english` with the Porter
  stemmer, title at weight A, the rest at B) with a GIN index, ranked by
  the same BM25 (see `Tsvector`): the searcher's answers are the same on both.
"""

from __future__ import annotations

import json
import logging

import numpy as np

from almanac.bm25 import COLUMN_WEIGHTS, Postings, bm25_top
from almanac.store.database import reason_of
from almanac.store.entries import _chunks

log = logging.getLogger(__name__)

#: Most rowid -> id names a store keeps for PostgreSQL's ranking (past it, it starts again).
MAX_NAMES = 500_000
#: Elements of PostgreSQL's binary array format (`array_send`): a length, then the value, big-endian.
_INT8 = np.dtype([("length", ">i4"), ("value", ">i8")])
_INT4 = np.dtype([("length", ">i4"), ("value", ">i4")])
_FLOAT4 = np.dtype([("length", ">i4"), ("value", ">f4")])


def _binary_array(data: bytes, element: np.dtype) -> np.ndarray:
    """The values of a one-dimensional array without NULLs in PostgreSQL's binary format
    (dimensions, a NULL flag, the element type, per dimension its size and lower bound)."""
    dims = int.from_bytes(data[:4], "big")
    if dims == 0:
        return np.zeros(0, dtype=element["value"].newbyteorder("="))
    return np.frombuffer(data, dtype=element, offset=12 + 8 * dims)["value"]


def _varints(raw: bytes) -> np.ndarray:
    """SQLite varints written one after another (big-endian, 7 bits a byte, the high bit set on all
    but the last byte of each), decoded at once; values below 2**53 (token counts)."""
    b = np.frombuffer(raw, dtype=np.uint8)
    if not len(b):
        return np.zeros(0, dtype=np.int64)
    last = (b & 0x80) == 0
    if not last[-1]:
        raise ValueError("a varint runs past the end of its blob")
    number = np.concatenate(([0], np.cumsum(last)[:-1]))  # which varint each byte is part of
    after = np.flatnonzero(last)[number] - np.arange(len(b))  # bytes after it in its varint
    return np.bincount(number, weights=(b & 0x7F) * np.power(128.0, after)).astype(np.int64)


#: An instance's weight in f: in the title, or in any other column (`COLUMN_WEIGHTS`, all whole).
TITLE_WEIGHT, OTHER_WEIGHT = int(COLUMN_WEIGHTS[0]), int(COLUMN_WEIGHTS[1])
assert all(w == OTHER_WEIGHT for w in COLUMN_WEIGHTS[1:]) and TITLE_WEIGHT == COLUMN_WEIGHTS[0]


def _positions(rowids: np.ndarray):
    """A function from rowids to their positions in `rowids` (ascending, int32; None if one is not
    there): arithmetic when the rowids run without gaps (the usual case), else a lookup."""
    if not len(rowids):
        return lambda found: None if len(found) else np.zeros(0, dtype=np.int32)
    low, high = int(rowids[0]), int(rowids[-1])
    if high - low + 1 == len(rowids):
        def contiguous(found):
            if len(found) and (found.min() < low or found.max() > high):
                return None
            return (found - low).astype(np.int32)
        return contiguous

    def lookup(found):
        at = np.searchsorted(rowids, found)
        if len(found) and (at.max() >= len(rowids) or (rowids[at] != found).any()):
            return None
        return at.astype(np.int32)
    return lookup


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

    #: Ids per `matching` statement: with one, FTS5 seeks that row for the word; with a list it
    #: walks every entry holding the word (57 ms a question at 100,000 entries).
    matching_ids = 1
    #: How `entries_fts` splits and stems text (migration 1); questions' words are split the same way.
    TOKENIZE = "porter unicode61 remove_diacritics 2"
    #: Instances (a word in a row, once per occurrence) turned into postings at a time when loading them.
    POSTINGS_CHUNK = 1 << 18

    def create(self, db) -> None:
        """`entries_fts`, an external-content FTS5 table kept in step with `entries` by triggers."""
        db.execute(
            f"""
            CREATE VIRTUAL TABLE entries_fts USING fts5 (
                title, date_label, summary, tags,
                content = 'entries', content_rowid = 'rowid',
                tokenize = '{self.TOKENIZE}'
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

    def postings(self, db) -> None:
        """Migration 4: nothing to do (FTS5 keeps its own posting lists and statistics)."""

    def fold_accents(self, db) -> None:
        """Migration 6: nothing to do (the unicode61 tokenizer already removes diacritics)."""

    def rank(self, words: list[str], limit: int) -> tuple[str, list]:
        # Rank inside FTS5 first, then join only the winners (twice as fast as joining every match).
        sql = (
            "SELECT entries.id, ranked.score FROM ("
            f"SELECT rowid AS r, -bm25(entries_fts, {', '.join(map(str, COLUMN_WEIGHTS))}) AS score FROM entries_fts "
            "WHERE entries_fts MATCH ? ORDER BY score DESC LIMIT ?"
            ") AS ranked JOIN entries ON entries.rowid = ranked.r ORDER BY ranked.score DESC"
        )
        return sql, [" OR ".join(fts_phrase(w) for w in words), limit]

    def ranked(self, db, words: list[str], limit: int, names: dict) -> list[tuple[str, float]]:
        """(id, BM25) of the best `limit` entries for `words`, computed by FTS5 (`names` is unused here)."""
        sql, params = self.rank(words, limit)
        return [(row[0], float(row[1])) for row in db.execute(sql, params)]

    def load_postings(self, db, numbering: dict[str, int]) -> Postings | None:
        """All of FTS5's postings, row lengths and totals, read in one read transaction (one state of
        the index), for ranking in memory as `bm25()` ranks (see `almanac.bm25`).

        Read where `bm25()` reads them: each word's rows and f from the
        `fts5vocab` instances (the title counting double), each row's length
        from `entries_fts_docsize`, the row count and total length from the
        averages record (`entries_fts_data`, id 1). The instances come grouped
        by word as text, some 250,000 at a time (long strings for numpy to
        parse, not millions of tuples). None if what is read does not fit
        together (the caller then keeps asking FTS5).
        """
        db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.almanac_fts_instances "
                   "USING fts5vocab(main, entries_fts, 'instance')")
        db.execute("BEGIN")
        try:
            return self._read_postings(db, numbering)
        finally:
            db.execute("COMMIT")

    def _read_postings(self, db, numbering: dict[str, int]) -> Postings | None:
        columns = len(COLUMN_WEIGHTS)
        averages = db.execute("SELECT block FROM entries_fts_data WHERE id = 1").fetchone()
        totals = _varints(bytes(averages[0])) if averages else np.zeros(1 + columns, dtype=np.int64)
        n_docs, total_tokens = int(totals[0]), int(totals[1 : 1 + columns].sum())
        count, rowid_text, sizes_hex, ids_json = db.execute(
            "SELECT count(*), group_concat(r, ','), group_concat(hex(sz), ''), json_group_array(entry) FROM ("
            "SELECT d.id AS r, d.sz, e.id AS entry FROM entries_fts_docsize AS d "
            "LEFT JOIN entries AS e ON e.rowid = d.id ORDER BY d.id)"
        ).fetchone()
        rowids = np.fromstring(rowid_text or "", dtype=np.int64, sep=",")
        sizes = _varints(bytes.fromhex(sizes_hex or ""))
        if len(rowids) != count or len(sizes) != count * columns:
            return None
        lengths = sizes.reshape(count, columns).sum(axis=1).astype(np.float64)
        where = np.fromiter((numbering.get(i, -1) for i in json.loads(ids_json)), dtype=np.int32, count=count)
        position = _positions(rowids)
        terms: dict[str, int] = {}
        counts, docs, freqs = [], [], []
        texts: list[str] = []
        per_term: list[int] = []

        def flush() -> bool:
            """Turn the instances read so far into postings: (word, row) -> f."""
            values = np.fromstring(",".join(texts), dtype=np.int64, sep=",")
            if len(values) != sum(per_term):
                return False
            at = position(values >> 1)
            if at is None:
                return False  # an instance of a row the index has no length for
            term_of = np.repeat(np.arange(len(per_term), dtype=np.int32), per_term)
            first = np.ones(len(values), dtype=bool)  # the first instance of each (word, row)
            first[1:] = term_of[1:] != term_of[:-1]
            if (~first[1:] & (at[1:] < at[:-1])).any():
                return False  # rows out of order within a word
            first[1:] |= at[1:] != at[:-1]
            starts = np.flatnonzero(first)
            docs.append(at[starts])
            weights = np.where(values & 1, TITLE_WEIGHT, OTHER_WEIGHT).astype(np.uint8)
            f = np.add.reduceat(weights, starts, dtype=np.uint32)
            freqs.append(f.astype(np.min_scalar_type(int(f.max(initial=0)))))  # mostly 1 byte each
            counts.append(np.bincount(term_of[starts], minlength=len(per_term)))
            texts.clear()
            per_term.clear()
            return True

        cursor = db.execute(
            "SELECT term, count(*), group_concat(doc * 2 + (col = 'title'), ',') "
            "FROM temp.almanac_fts_instances GROUP BY term"
        )
        pending = 0
        for term, n, text in cursor:
            terms[term] = len(terms)
            texts.append(text)
            per_term.append(n)
            pending += n
            if pending >= self.POSTINGS_CHUNK:
                if not flush():
                    return None
                pending = 0
        if per_term and not flush():
            return None
        docs_all = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int32)
        del docs[:]
        # f is a sum of whole weights: kept in the smallest unsigned type that holds it
        freqs_all = np.concatenate(freqs, dtype=np.result_type(*freqs)) if freqs else np.zeros(0, dtype=np.uint8)
        starts_all = np.zeros(len(terms) + 1, dtype=np.int64)
        if counts:
            np.cumsum(np.concatenate(counts), out=starts_all[1:])
        return Postings(terms=terms, starts=starts_all, docs=docs_all, freqs=freqs_all, lengths=lengths,
                        where=where, n_docs=n_docs, total_tokens=total_tokens)

    def tokens(self, db, words: list[str]) -> list[tuple[str, ...]]:
        """Each word split and stemmed as FTS5 reads it in a query (a word can be several tokens:
        "v2.0" is "v2" then "0"), by FTS5 itself: a temporary table of this connection with the same
        tokenizer, filled and emptied in one transaction (nothing reaches the database file)."""
        db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.almanac_tokenize USING fts5(word, tokenize = '{self.TOKENIZE}')")
        db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.almanac_tokenize_instances "
                   "USING fts5vocab(temp, almanac_tokenize, 'instance')")
        out: list[list[str]] = [[] for _ in words]
        db.execute("BEGIN")
        try:
            db.executemany("INSERT INTO temp.almanac_tokenize (rowid, word) VALUES (?, ?)",
                           [(i + 1, w) for i, w in enumerate(words)])
            for doc, term in db.execute(
                "SELECT doc, term FROM temp.almanac_tokenize_instances ORDER BY doc, offset"
            ).fetchall():
                out[doc - 1].append(term)
            db.execute("DELETE FROM temp.almanac_tokenize")
        finally:
            db.execute("COMMIT")
        return [tuple(t) for t in out]

    def count(self, words: list[str]) -> tuple[str, list]:
        """Rows (i, entries holding words[i])."""
        parts = [f"SELECT {i}, (SELECT count(*) FROM entries_fts WHERE entries_fts MATCH ?)" for i in range(len(words))]
        return " UNION ALL ".join(parts), [fts_phrase(w) for w in words]

    def matching(self, words: list[str], ids: list[str]) -> tuple[str, list]:
        """Rows (i, id) for each of `ids` holding words[i]."""
        marks = ",".join("?" * len(ids))
        parts, params = [], []
        for i, word in enumerate(words):
            parts.append(
                f"SELECT {i}, m.id FROM (SELECT entries.id AS id FROM entries_fts JOIN entries "
                f"ON entries.rowid = entries_fts.rowid WHERE entries_fts MATCH ? AND entries.id IN ({marks})) AS m"
            )
            params.extend([fts_phrase(word), *ids])
        return " UNION ALL ".join(parts), params


class Tsvector:
    """PostgreSQL full text, ranked by BM25 as FTS5 ranks, so answers are the same on both backends.

    Why not `ts_rank_cd` alone: it has no notion of how rare a word is, and the
    searcher's answers moved (on tests/eval_questions.py R@1 fell from 0.973
    to 0.959: "Mirage", in half the archive, outweighed "version-controlled").
    So the score is FTS5's BM25 (k1 1.2, b 0.75, the title counting double),
    computed from the tsvector's positions and weights. Text is tokenised as
    FTS5's unicode61 does it: punctuation separates words ("v2.0" is "v2" and
    "0", "version-controlled" two words), a word of several tokens is a
    phrase, and the configuration is `english` with Snowball's Porter stemmer
    (FTS5's: "communications" and "community" share a stem there, not in
    Snowball's English) and no stop-word list (FTS5 keeps stop words). With
    that, the scores equal FTS5's and the evaluation answers are the same,
    question by question.

    What BM25 reads is kept the way FTS5 keeps it (migration 4, `postings`):
    per word, posting lists in blocks (`fulltext_postings`: the entries holding
    it, with the word's weighted count f and the entry's length in words), one
    block per word per write, and the archive's size and total length
    (`fulltext_stats`). A word's scores are then one index lookup and one
    array read, whatever its frequency, and a write of 10,000 entries adds
    about 10,000 rows (one per word) rather than 600,000 (one per word and
    entry, as the `entry_terms` of migration 1 did: over half of PostgreSQL's
    ingest, and a word's rows scattered over as many pages as it has entries).
    """

    #: Ids per `matching` statement (the GIN index and an id list make one round trip cheap).
    matching_ids = 500

    #: A copy of PostgreSQL's `english` configuration: the Porter stemmer, no stop words.
    CONFIG = "almanac_english"
    #: Blocks a word may have before a write merges them into one (reads stay one short range).
    MAX_BLOCKS = 8

    @staticmethod
    def _words(sql_text: str) -> str:
        """SQL turning `sql_text` into words as FTS5 sees them: punctuation becomes a space."""
        return f"regexp_replace({sql_text}, '[[:punct:]]+', ' ', 'g')"

    def _query(self, sql_text: str) -> str:
        """A word as FTS5 matches a quoted word: its tokens as a phrase ("1.0" is "1" followed by "0")."""
        return f"phraseto_tsquery('{self.CONFIG}', {self._words(sql_text)})"

    def _tokens(self, sql_text: str) -> str:
        """A lateral subquery: the word's tokens in order (`lexemes`, NULL for none) and their `offsets`."""
        return (
            "(SELECT array_agg(v.lexeme ORDER BY p.pos) AS lexemes, array_agg(p.pos ORDER BY p.pos) AS offsets "
            f"FROM unnest(to_tsvector('{self.CONFIG}', {self._words(sql_text)})) AS v, unnest(v.positions) AS p(pos))"
        )

    @staticmethod
    def _length(fts: str) -> str:
        """A lateral subquery: the entry's length in words (`dl`), its last position (FTS5's token count).

        Positions are sorted within a lexeme and each of the four columns'
        positions follow the previous column's last, so the largest is the
        number of words (what migration 1's `fts_length` counted with a regular expression).
        """
        return f"(SELECT COALESCE(max(u.positions[cardinality(u.positions)]), 0) AS dl FROM unnest({fts}) AS u)"

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

    # --- migration 4: posting blocks ------------------------------------------------

    #: A block's columns from rows (r: entry rowid, f, dl). The three arrays are aggregated over
    #: the same rows in the same pass, so they line up; their order is of no consequence.
    _BLOCK = "min({r}), max({r}), array_agg({r}), array_agg({f}), array_agg({dl})"
    _INSERT_BLOCK = "INSERT INTO fulltext_postings (lexeme, first_rowid, last_rowid, rowids, fs, dls) "
    #: What the trigger functions run with: sorting a big write's postings in memory, not on disk.
    _FUNCTION_SETTINGS = "SET work_mem = '64MB'"

    def _add(self, rows: str) -> str:
        """A statement adding the postings of `rows` (a table of entries: `new_rows` in a trigger) as
        one block per word, and their number and length to the stats.

        Each entry's tsvector is read once: its words with their f, and its
        length (see `_length`), then regrouped by word.
        """
        block = self._BLOCK.format(r="r.rowid", f="x.f", dl="r.dl")
        return (
            "WITH r AS MATERIALIZED (SELECT n.rowid, t.lexemes, t.fs, t.dl FROM "
            f"{rows} AS n CROSS JOIN LATERAL (SELECT array_agg(u.lexeme) AS lexemes, "
            "array_agg(cardinality(u.weights) + cardinality(array_positions(u.weights, 'A'))) AS fs, "
            "COALESCE(max(u.positions[cardinality(u.positions)]), 0) AS dl FROM unnest(n.fts) AS u) AS t), "
            f"added AS ({self._INSERT_BLOCK} SELECT x.lexeme, {block} "
            "FROM r, unnest(r.lexemes, r.fs) AS x(lexeme, f) GROUP BY x.lexeme) "
            "UPDATE fulltext_stats SET entries = entries + (SELECT count(*) FROM r), "
            "words = words + (SELECT COALESCE(sum(dl), 0) FROM r)"
        )

    def _merge(self) -> str:
        """A statement merging the blocks of each word that has a block newer than `since` (a variable of
        the trigger function: the block number when it began) and more than MAX_BLOCKS of them."""
        merged = self._BLOCK.format(r="x.rowid", f="x.f", dl="x.dl")
        return (
            "WITH crowded AS (SELECT b.lexeme FROM fulltext_postings AS b WHERE b.lexeme IN ("
            "SELECT n.lexeme FROM fulltext_postings AS n WHERE n.block > since) "
            f"GROUP BY b.lexeme HAVING count(*) > {self.MAX_BLOCKS}), "
            "merging AS (DELETE FROM fulltext_postings AS b USING crowded AS c WHERE b.lexeme = c.lexeme "
            "RETURNING b.lexeme, b.rowids, b.fs, b.dls) "
            f"{self._INSERT_BLOCK} SELECT m.lexeme, {merged} "
            "FROM merging AS m, unnest(m.rowids, m.fs, m.dls) AS x(rowid, f, dl) GROUP BY m.lexeme"
        )

    def _remove(self, rows: str) -> list[str]:
        """Statements removing the postings of `rows` (`old_rows` in a trigger): each block that may hold
        one is rewritten without them (a word's rewritten blocks become one), and their size from the stats."""
        kept = self._BLOCK.format(r="x.rowid", f="x.f", dl="x.dl")
        return [
            f"WITH gone AS (SELECT DISTINCT u.lexeme, o.rowid FROM {rows} AS o, unnest(o.fts) AS u), "
            "hit AS (DELETE FROM fulltext_postings AS b WHERE (b.lexeme, b.block) IN ("
            "SELECT b2.lexeme, b2.block FROM fulltext_postings AS b2 JOIN gone AS g ON b2.lexeme = g.lexeme "
            "AND g.rowid BETWEEN b2.first_rowid AND b2.last_rowid) RETURNING b.lexeme, b.rowids, b.fs, b.dls) "
            f"{self._INSERT_BLOCK} SELECT h.lexeme, {kept} "
            "FROM hit AS h, unnest(h.rowids, h.fs, h.dls) AS x(rowid, f, dl) "
            "WHERE NOT EXISTS (SELECT 1 FROM gone AS g WHERE g.lexeme = h.lexeme AND g.rowid = x.rowid) "
            "GROUP BY h.lexeme",
            "UPDATE fulltext_stats SET entries = entries - s.n, words = words - s.dl FROM ("
            f"SELECT count(*) AS n, COALESCE(sum(l.dl), 0) AS dl FROM {rows} AS o "
            f"CROSS JOIN LATERAL {self._length('o.fts')} AS l) AS s",
        ]

    def fold_accents(self, db) -> None:
        """Migration 6: words are matched without their accents, as FTS5's unicode61 matches them
        ("Candes" finds "Candès" and ranks it as SQLite does; it found nothing on PostgreSQL).

        By the `unaccent` extension (shipped with PostgreSQL, and trusted: a database's owner may
        create it) in front of the stemmer, then every entry indexed again (an UPDATE recomputes
        the stored `fts` and its postings). A server without it, or a role not allowed to create
        it, keeps matching accents exactly, with a warning: the store works as before.
        """
        db.execute("SAVEPOINT almanac_unaccent")
        try:
            db.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        except Exception as exc:  # psycopg.Error: not installed, or not allowed
            db.execute("ROLLBACK TO SAVEPOINT almanac_unaccent")
            log.warning("PostgreSQL: words keep their accents in full-text search (unaccent: %s)", reason_of(exc))
            return
        db.execute("RELEASE SAVEPOINT almanac_unaccent")
        for tokens, dictionary in (("word, hword, hword_part", f"{self.CONFIG}_stem"), ("numword", "simple")):
            db.execute(f"ALTER TEXT SEARCH CONFIGURATION {self.CONFIG} ALTER MAPPING FOR {tokens} "
                       f"WITH unaccent, {dictionary}")
        db.execute("UPDATE entries SET title = title")

    def postings(self, db) -> None:
        """Migration 4: posting blocks and stats (see the class docstring) replace `entry_terms`
        and `fts_length`, filled from the entries the database holds."""
        for event in ("insert", "update", "delete"):
            db.execute(f"DROP TRIGGER entry_terms_{event} ON entries")
            db.execute(f"DROP FUNCTION entry_terms_{event}()")
        db.execute("DROP TABLE entry_terms")
        db.execute("ALTER TABLE entries DROP COLUMN fts_length")
        db.execute("CREATE SEQUENCE fulltext_blocks")
        db.execute(
            'CREATE TABLE fulltext_postings (lexeme TEXT COLLATE "C" NOT NULL, '
            "block BIGINT NOT NULL DEFAULT nextval('fulltext_blocks'), "
            "first_rowid BIGINT NOT NULL, last_rowid BIGINT NOT NULL, "
            "rowids BIGINT[] NOT NULL, fs REAL[] NOT NULL, dls INTEGER[] NOT NULL, PRIMARY KEY (lexeme, block))"
        )
        # Out of line and uncompressed: compressing numbers cost a third of a write, and reading
        # a word's postings then copies them rather than decompressing them.
        for column in ("rowids", "fs", "dls"):
            db.execute(f"ALTER TABLE fulltext_postings ALTER {column} SET STORAGE EXTERNAL")
        db.execute("CREATE TABLE fulltext_stats (entries BIGINT NOT NULL, words BIGINT NOT NULL)")
        db.execute("INSERT INTO fulltext_stats (entries, words) VALUES (0, 0)")
        for event, body, tables in (("INSERT", [self._add("new_rows"), self._merge()], "NEW TABLE AS new_rows"),
                                    ("UPDATE", [*self._remove("old_rows"), self._add("new_rows"), self._merge()],
                                     "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                                    ("DELETE", self._remove("old_rows"), "OLD TABLE AS old_rows")):
            name = f"fulltext_{event.lower()}"
            statements = "".join(f"{statement}; " for statement in body)
            db.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql {self._FUNCTION_SETTINGS} AS "
                       f"$body$ DECLARE since BIGINT := nextval('fulltext_blocks'); "
                       f"BEGIN {statements}RETURN NULL; END $body$")
            db.execute(f"CREATE TRIGGER {name} AFTER {event} ON entries REFERENCING {tables} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
        db.execute(self._add("entries"))  # one block per word: nothing to merge

    # --- queries ------------------------------------------------------------------------

    def _postings_sql(self) -> str:
        """Per word of the question (i), its postings as binary arrays (rowids, f, dl), and the archive's
        size and length: a one-token word's posting blocks as they are stored; a phrase's ("1.0")
        matches found by the GIN index, each entry's length from the first token's postings and f
        from `ts_rank_cd` with the weights B = 1/2 and A = 1. Cover density with normalisation 0
        adds each occurrence's weight (a phrase of one column's words has one), so twice it is the
        count with the title double, what FTS5 counts (equal to counting positions on every match
        of the evaluation archives' phrases, and 15 times faster)."""
        return f"""
            WITH terms AS MATERIALIZED (
                SELECT t.i, {self._query("t.word")} AS q, tok.lexemes
                FROM unnest(CAST(? AS text[])) WITH ORDINALITY AS t(word, i)
                CROSS JOIN LATERAL {self._tokens("t.word")} AS tok
            )
            SELECT CAST(w.i AS integer), array_send(b.rowids), array_send(b.fs), array_send(b.dls), s.entries, s.words
            FROM terms AS w JOIN fulltext_postings AS b ON b.lexeme = w.lexemes[1], fulltext_stats AS s
            WHERE cardinality(w.lexemes) = 1
            UNION ALL
            SELECT CAST(p.i AS integer), array_send(array_agg(p.rowid)), array_send(array_agg(p.f)),
                   array_send(array_agg(p.dl)), s.entries, s.words
            FROM (
                SELECT w.i, e.rowid, CAST(2 * ts_rank_cd('{{0.5, 0.5, 0.5, 1}}', e.fts, w.q, 0) AS real) AS f, x.dl
                FROM terms AS w JOIN entries AS e ON e.fts @@ w.q
                JOIN fulltext_postings AS b ON b.lexeme = w.lexemes[1], unnest(b.rowids, b.dls) AS x(rowid, dl)
                WHERE cardinality(w.lexemes) > 1 AND x.rowid = e.rowid
            ) AS p, fulltext_stats AS s
            GROUP BY p.i, s.entries, s.words
        """

    def load_postings(self, db, numbering: dict[str, int]) -> None:
        """None: PostgreSQL ranks each question from its words' posting blocks (`ranked`), one round
        trip; loading every block instead would move the whole index for little gain."""
        return None

    def tokens(self, db, words: list[str]) -> list[tuple[str, ...]]:
        """Each word split and stemmed as a query reads it (`_query`): its lexemes in order, by the
        server's own configuration in one statement (a stop word has none)."""
        rows = db.execute(
            "SELECT CAST(t.i AS integer), tok.lexemes FROM unnest(CAST(? AS text[])) WITH ORDINALITY AS t(word, i) "
            f"CROSS JOIN LATERAL {self._tokens('t.word')} AS tok",
            [list(words)],
        ).fetchall()
        out: list[tuple[str, ...]] = [() for _ in words]
        for i, lexemes in rows:
            out[i - 1] = tuple(lexemes or ())
        return out

    def ranked(self, db, words: list[str], limit: int, names: dict) -> list[tuple[str, float]]:
        """(id, BM25) of the best `limit` entries for `words`, BM25 computed here as FTS5 computes it.

        The server sends each word's postings (one statement, a few index
        lookups and array reads); the arithmetic, a few thousand postings a
        question, is numpy's, in FTS5's order of operations (`fts5Bm25Function`:
        the same IEEE doubles, the words summed in the question's order), so
        the scores equal SQLite's where the words' postings do. The SQL
        executor took 6 ms a question for it, FTS5 4 ms, this 1.

        `names` maps rowids to ids (the store's, kept across calls): a rowid
        is never reused (a sequence; `after_copy` only moves it past the rows
        it has just numbered) and an entry keeps its id, so the map never
        goes stale, and ids are asked of the server only for rowids not yet seen.
        """
        rows = db.execute(self._postings_sql(), [list(words)]).fetchall()
        if not rows:
            return []
        n_docs, total = rows[0][4], rows[0][5]
        blocks: dict[int, list] = {}
        for i, rowids, fs, dls, _, _ in rows:
            blocks.setdefault(i, []).append((_binary_array(rowids, _INT8), _binary_array(fs, _FLOAT4),
                                             _binary_array(dls, _INT4)))
        phrases = []
        for i in sorted(blocks):  # the question's order, as FTS5 sums its phrases
            phrases.append((np.concatenate([b[0] for b in blocks[i]]).astype(np.int64),
                            np.concatenate([b[1] for b in blocks[i]]).astype(np.float64),
                            np.concatenate([b[2] for b in blocks[i]]).astype(np.float64)))
        found, scores = bm25_top(phrases, n_docs, total, limit)
        top = found.tolist()
        missing = [r for r in top if r not in names]
        if missing:
            if len(names) > MAX_NAMES:
                names.clear()
            names.update(db.execute("SELECT rowid, id FROM entries WHERE rowid = ANY(CAST(? AS bigint[]))",
                                    [missing]).fetchall())
        return [(names[r], float(score)) for r, score in zip(top, scores.tolist()) if r in names]

    def count(self, words: list[str]) -> tuple[str, list]:
        """Rows (i, entries holding words[i]): a one-token word's postings, a phrase's GIN matches."""
        sql = (
            "SELECT CAST(t.i AS integer) - 1, CASE "
            "WHEN tok.lexemes IS NULL THEN 0 "
            "WHEN cardinality(tok.lexemes) = 1 THEN (SELECT CAST(COALESCE(sum(cardinality(b.rowids)), 0) AS bigint) "
            "FROM fulltext_postings AS b WHERE b.lexeme = tok.lexemes[1]) "
            f"ELSE (SELECT count(*) FROM entries AS e WHERE e.fts @@ {self._query('t.word')}) END "
            "FROM unnest(CAST(? AS text[])) WITH ORDINALITY AS t(word, i) "
            f"CROSS JOIN LATERAL {self._tokens('t.word')} AS tok"
        )
        return sql, [list(words)]

    def matching(self, words: list[str], ids: list[str]) -> tuple[str, list]:
        """Rows (i, id) for each of `ids` holding words[i]: one statement whatever the counts (prepared once)."""
        sql = (
            "SELECT CAST(t.i AS integer) - 1, e.id FROM unnest(CAST(? AS text[])) WITH ORDINALITY AS t(word, i) "
            f"JOIN entries AS e ON e.id = ANY(CAST(? AS text[])) AND e.fts @@ {self._query('t.word')}"
        )
        return sql, [list(words), list(ids)]


class FullTextMixin:
    """Full-text queries. Nothing that changes is cached here: a searcher keeps the counts of its
    words per version of the store (`Snapshot.doc_counts`), and each query is one statement."""

    def fts_rank(self, terms: list[str], limit: int = 200) -> list[tuple[str, float]]:
        """Entries matching any of `terms`, best first: (id, score), higher is better."""
        words = _clean_terms(terms)
        if not words:
            return []
        names = self.__dict__.setdefault("_names_by_rowid", {})
        with self.read() as db:
            return self.dialect.fulltext.ranked(db, words, limit, names)

    def fulltext_postings(self, numbering: dict[str, int]) -> Postings | None:
        """The whole full-text index in memory (`almanac.bm25.Postings`), for a searcher to rank
        without a query per question, its rows named by `numbering` (entry id -> the caller's number;
        -1 for others); None where the engine ranks per question itself."""
        with self.read() as db:
            return self.dialect.fulltext.load_postings(db, numbering)

    def fulltext_tokens(self, terms: list[str]) -> dict[str, tuple[str, ...] | None]:
        """Each term as the full-text index reads it in `fts_rank` and `terms_matching`: its tokens
        (stemmed, in order), or None if it is not searched (no letter or digit)."""
        cleaned = {t: _clean_terms([t]) for t in dict.fromkeys(terms)}
        asked = [t for t in cleaned if cleaned[t]]
        out: dict[str, tuple[str, ...] | None] = {t: None for t in cleaned}
        if asked:
            with self.read() as db:
                out.update(zip(asked, self.dialect.fulltext.tokens(db, [cleaned[t][0] for t in asked])))
        return out

    def term_doc_counts(self, terms: list[str]) -> dict[str, int]:
        """In how many entries each term occurs (after stemming), for weighting rare words.

        All of them in one statement (one round trip to a PostgreSQL server, not one a word).
        """
        cleaned = {t: _clean_terms([t]) for t in dict.fromkeys(terms)}
        known = {t: 0 for t in cleaned}
        asked = [t for t in cleaned if cleaned[t]]
        if asked:
            sql, params = self.dialect.fulltext.count([cleaned[t][0] for t in asked])
            with self.read() as db:
                for i, n in db.execute(sql, params):
                    known[asked[i]] = int(n)
        return {t: known[t] for t in terms}

    def terms_matching(self, terms: list[str], ids: list[str]) -> dict[str, set[str]]:
        """For each of `ids`, which of `terms` occur in it (after stemming): one statement per
        `matching_ids` ids (all words at once), the fastest plan of each engine."""
        out: dict[str, set[str]] = {i: set() for i in ids}
        asked = [(t, _clean_terms([t])) for t in terms]
        asked = [(t, w[0]) for t, w in asked if w]
        if not ids or not asked:
            return out
        fulltext = self.dialect.fulltext
        with self.read() as db:
            for chunk in _chunks(list(ids), fulltext.matching_ids):
                sql, params = fulltext.matching([word for _, word in asked], chunk)
                for i, entry_id in db.execute(sql, params):
                    out[entry_id].add(asked[i][0])
        return out
