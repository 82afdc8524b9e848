"""The question adapter: a low-rank map moving question vectors towards how entries are written."""

from __future__ import annotations

import numpy as np

from almanac.embeddings import BUNDLED_MODEL
from almanac.entry import Entry, PartialDate
from almanac.search import Searcher
from almanac.search.adapter import SHIPPED, STRENGTH, QuestionAdapter, load_adapter, read_adapter
from almanac.store import Store
from tests.eval import adapter_fit, harness
from tests.fakes import FakeEmbedder


def _unit(rows):
    rows = np.asarray(rows, np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_a_map_of_zeros_leaves_questions_as_they_are_and_any_map_keeps_them_unit_length():
    rng = np.random.default_rng(1)
    questions = _unit(rng.normal(size=(5, 8)))
    none = QuestionAdapter("m", np.zeros((8, 2), np.float32), np.zeros((2, 8), np.float32))
    assert np.allclose(none.apply(questions), questions, atol=1e-6)
    some = QuestionAdapter("m", rng.normal(size=(8, 2)).astype(np.float32), rng.normal(size=(2, 8)).astype(np.float32))
    moved = some.apply(questions)
    assert np.allclose(np.linalg.norm(moved, axis=1), 1.0, atol=1e-5)
    expected = questions + STRENGTH * (questions @ some.u @ some.v)
    assert np.allclose(moved, expected / np.linalg.norm(expected, axis=1, keepdims=True), atol=1e-5)
    assert not np.allclose(moved, questions, atol=1e-2)
    # the moved cosines from the question's own and the matrix's projection, as the searcher reads them
    entries = _unit(rng.normal(size=(20, 8)))
    for q in questions:
        assert np.allclose(some.moved_cosines(entries @ q, entries @ some.v.T, q), entries @ some.apply(q[None])[0],
                           atol=1e-5)


def test_the_shipped_map_is_for_the_bundled_model_only(tmp_path):
    shipped = load_adapter(BUNDLED_MODEL)
    assert shipped is not None and shipped.u.shape == (384, adapter_fit.RANK) and shipped.v.shape == (adapter_fit.RANK, 384)
    assert load_adapter("fake-bow-64") is None  # another model's questions are left alone
    assert load_adapter(BUNDLED_MODEL, tmp_path / "missing.npz") is None
    # saved in half precision: what is read back is the map to three decimals
    shipped.save(tmp_path / "again.npz")
    again = read_adapter(tmp_path / "again.npz")
    assert again.model_name == BUNDLED_MODEL and np.allclose(again.u, shipped.u, atol=1e-3)
    assert SHIPPED.stat().st_size < 100_000


def _two_entries(path) -> Store:
    store = Store(str(path))
    store.replace_source("notes.txt", [
        Entry(id="apples", title="Apples in the orchard", date=PartialDate(2020, 5, 1), kind="talk",
              summary="Apples and pears at harvest time."),
        Entry(id="rockets", title="Rockets to orbit", date=PartialDate(2021, 6, 1), kind="talk",
              summary="Rockets, launch pads and the orbit they reach."),
    ])
    return store


def test_the_searcher_asks_with_the_map_it_is_given(tmp_path):
    """A map sending the word "apples" towards "rockets" changes the first answer; without one (or
    with the bundled model's shipped map, which a fake model does not get) the question's own words win."""
    fake = FakeEmbedder()
    apples, rockets = fake.encode(["apples"])[0], fake.encode(["rockets"])[0]
    bucket = int(np.argmax(apples))
    u = np.zeros((fake.dims, 1), np.float32)
    u[bucket, 0] = 1.0
    towards_rockets = QuestionAdapter(fake.model_name, u, (4 * rockets - apples)[None, :].astype(np.float32))
    with _two_entries(tmp_path / "a.db") as store:
        def first(**kwargs):
            return Searcher(store, fake, strictness=0.0, **kwargs).search("apples").hits[0].entry.title

        assert Searcher(store, fake).adapter is None
        assert first() == "Apples in the orchard"
        assert first(adapter=None) == "Apples in the orchard"
        assert first(adapter=towards_rockets) == "Rockets to orbit"


def test_the_map_moves_which_entry_answers_never_whether_one_does(tmp_path):
    """The decision is taken on the model's own ranking, the cosines it was calibrated on; the map
    only chooses the entry shown. With a map that sends "apples" to "rockets", every question is
    answered or refused as without it, on the same signals, and `explain` names both entries."""
    fake = FakeEmbedder()
    apples, rockets = fake.encode(["apples"])[0], fake.encode(["rockets"])[0]
    u = np.zeros((fake.dims, 1), np.float32)
    u[int(np.argmax(apples)), 0] = 1.0
    towards_rockets = QuestionAdapter(fake.model_name, u, (4 * rockets - apples)[None, :].astype(np.float32))
    questions = ["apples", "apples and pears at harvest", "rockets", "knitting patterns for socks", "apples recipes"]
    with _two_entries(tmp_path / "a.db") as store:
        plain = Searcher(store, fake, adapter=None)
        moved = Searcher(store, fake, adapter=towards_rockets)
        for q in questions:
            a, b = plain.search(q), moved.search(q)
            assert a.answered == b.answered and a.explain["signals"] == b.explain["signals"], q
        asked = moved.search("apples")
        assert asked.answered and asked.hits[0].entry.id == "rockets"
        assert asked.explain["best"] == "rockets" and asked.explain["judged"] == "apples"
        assert "judged" not in plain.search("apples").explain
        assert {plain.search(q).answered for q in questions} == {True, False}


def _synthetic_archive(rng, asking: np.ndarray, entries: int = 12, questions: int = 10) -> adapter_fit.ArchiveVectors:
    """Entries at random; each question its answer's vector, a little noise, and much of one
    direction every question shares (the asking, which no entry has)."""
    dims = len(asking)
    whole = _unit(rng.normal(size=(entries, dims)))
    parts = [_unit(w + 0.3 * rng.normal(size=(2, dims))) for w in whole]
    answer = rng.integers(0, entries, size=questions)
    asked = _unit(whole[answer] + 0.6 * rng.normal(size=(questions, dims)) / np.sqrt(dims) * 4 + 2.5 * asking)
    answers = np.zeros((questions, entries), bool)
    answers[np.arange(questions), answer] = True
    return adapter_fit.ArchiveVectors(whole, parts, asked, answers)


def test_fitting_learns_what_questions_share_and_entries_lack():
    """Fitted on some archives, the map ranks answers first more often on archives it never saw."""
    rng = np.random.default_rng(7)
    asking = _unit(rng.normal(size=(1, 24)))[0]
    train = [_synthetic_archive(rng, asking) for _ in range(30)]
    held = [_synthetic_archive(rng, asking) for _ in range(10)]
    fitted = adapter_fit.fit(train, "synthetic", rank=4, passes=15)
    before = sum(adapter_fit.first_right(a, None) for a in held)
    after = sum(adapter_fit.first_right(a, fitted) for a in held)
    assert after >= before + 10, (before, after)
    # the same data, the same map: a refit reproduces what was written
    again = adapter_fit.fit(train, "synthetic", rank=4, passes=15)
    assert np.allclose(again.u @ again.v, fitted.u @ fitted.v, atol=1e-5)


def test_each_archive_is_asked_with_a_map_that_never_saw_its_questions(tmp_path):
    maps = adapter_fit.adapters_without(["athlete", "seed", "bolt", "zimmer", "not-an-archive"])
    assert set(maps) == {"athlete", "seed", "bolt", "zimmer"}
    shipped = load_adapter(BUNDLED_MODEL)
    for name, m in maps.items():
        assert not np.allclose(m.u @ m.v, shipped.u @ shipped.v, atol=1e-3), name
    # tests/eval's archives and the seed share the map fitted on none of them; the unseen their folds'
    assert np.array_equal(maps["athlete"].u, maps["seed"].u)
    folds = adapter_fit.stored_folds()
    assert (folds["bolt"] == folds["zimmer"]) == np.array_equal(maps["bolt"].u, maps["zimmer"].u)
    assert not np.array_equal(maps["athlete"].u, maps["bolt"].u)
    # an archive of the same name elsewhere is not one the shipped map learned from
    assert harness.adapters_without(["athlete"], tmp_path) == {}
    assert set(harness.adapters_without(["athlete"], harness.EVAL_DIR)) == {"athlete"}


def test_the_maps_are_fitted_on_every_evaluation_archive():
    """A round of archives added to tests/eval_unseen without refitting (`python -m
    tests.eval.adapter_fit --write`) would be asked with a map that saw none of them, and every
    other archive with one fitted on fewer than it could be."""
    folds = adapter_fit.stored_folds()
    assert set(folds) == set(harness.all_archives()) | set(harness.archive_names(adapter_fit.UNSEEN_DIR))
    assert folds == adapter_fit.folds_of(list(folds))
