"""Search quality on tests/eval_questions.py with the real bundled model."""

from __future__ import annotations

from almanac.search import Searcher
from almanac.store import Store
from tests.eval_questions import OFF_TOPIC, ON_TOPIC, evaluate


def test_eval_set_is_big_enough():
    assert len(ON_TOPIC) >= 40 and len(OFF_TOPIC) >= 8


def test_quality_on_eval_set(embedded_seed_copy, real_embedder):
    with Store(str(embedded_seed_copy)) as store:
        searcher = Searcher(store, real_embedder)
        report = evaluate(searcher)
        assert store.entries_missing_vectors_count(real_embedder.model_name) == 0
    misses = [r["question"] for r in report["rows"] if not r.get("off_topic") and not r["r1"]]
    wrongly_answered = [r["question"] for r in report["rows"] if r.get("off_topic") and r["answered"]]
    assert report["r_at_1"] >= 0.90, misses
    assert report["r_at_3"] >= 0.95, misses
    assert report["answered"] >= 0.95
    assert wrongly_answered == []


def test_postgres_answers_every_evaluation_question_as_sqlite_does(embedded_seed_db, postgres_url, real_embedder):
    """Full text differs by engine (FTS5 / tsvector); the answers, question by question, must not."""
    from almanac.store.copying import copy_store

    with Store(str(embedded_seed_db)) as sqlite, Store(postgres_url) as postgres:
        copy_store(sqlite, postgres)
        on_sqlite = evaluate(Searcher(sqlite, real_embedder))
        on_postgres = evaluate(Searcher(postgres, real_embedder))
    assert on_postgres["rows"] == on_sqlite["rows"]
    assert on_postgres["r_at_1"] == on_sqlite["r_at_1"] >= 0.90
