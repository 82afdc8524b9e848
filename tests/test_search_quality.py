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
