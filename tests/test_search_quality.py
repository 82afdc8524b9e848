"""Answer quality on eighteen archives of different people and fields, with the real bundled model.

The seed's own set (tests/eval_questions.py) and the seventeen archives in
tests/eval/ (a climate scientist, a Python maintainer, a container engineer,
a classicist, an economist, a composer, a novelist, a cook, a marathon
runner, a surgeon and writer, an astronaut, an architect, a primatologist,
a mathematician, a jurist, a prime minister, a biochemist; in JSON,
Markdown and RSS), whose questions were written before the engine ran on
them. Each archive's figures come from a decision model and
strictness fitted WITHOUT it (leave-one-archive-out); the ranking weights
are the shipped ones (`bench/search.py --fit` chooses them by
leave-one-archive-out too; the whole grid is too slow for the suite). The
floors below are today's figures, so a change that makes answers worse on
any archive fails here; `bench/search.py` prints the full table.
"""

from __future__ import annotations

import contextlib

import pytest

from almanac.search.decide import DEFAULT_MODEL, SIGNALS
from almanac.search.fuse import FusionWeights
from almanac.search.searcher import DEFAULT_STRICTNESS
from tests.eval import harness

#: Run first, by one test process (`make test`: `--dist loadfile` keeps a file's tests on one process;
#: tests/conftest.py orders this file first): the evaluation fixture is the suite's longest piece of
#: work, and two processes each building it, or one starting it last, would lengthen the whole run.
RUN_FIRST = True


@contextlib.contextmanager
def math_threads(n: int):
    """torch with `n` threads inside, as before after."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@pytest.fixture(scope="session")
def eval_runs(real_embedder, tmp_path_factory):
    """Every archive built, embedded and asked: the suite's largest single piece of work (about
    700 entries and their sentences to embed). `make test` gives each of its two workers one math
    thread, but the other worker spends much of its time waiting on subprocesses, sockets and
    schedules (the suite keeps the two cores about 80 % busy), so this takes a second thread:
    1.6 times as fast on an idle machine."""
    cache = str(tmp_path_factory.mktemp("eval-archives"))
    with math_threads(2):
        runs, built = harness.evaluate_all(real_embedder, cache, grid=[FusionWeights()])
    return runs[FusionWeights()], built


def test_every_archive_is_big_enough(eval_runs):
    runs, built = eval_runs
    assert len(built) >= 5
    for name, (_, archive) in built.items():
        assert len(archive.questions) >= 30, name
        assert len(archive.off_topic) >= 8, name
        if name != "seed":
            assert sum(not near for _, near in archive.off_topic) >= 4
            assert sum(near for _, near in archive.off_topic) >= 4
            paraphrases = sum(q.style == "paraphrase" for q in archive.questions)
            assert paraphrases >= 0.4 * len(archive.questions), name


#: archive -> floors of (R@1, answered, its own unrelated refused, near refused, the 70 shared unrelated
#: refused, the 20 held-out unrelated descriptions refused), leave-one-archive-out. The shared floors
#: allow a question or three: fitted without it, the model answers "best running shoes 2024" on a
#: marathon runner's archive, tips on houseplants "through a dark winter" on a cook's. With the
#: shipped weights (a described kind adds 0.1), the jurist's archive answers "the talk where she
#: explained how to change a flat tire on a car" with her dissent in Ledbetter v. Goodyear Tire (with
#: 0.25 a talk ranks first and is refused), and the seed "the talk where he demonstrated card tricks".
#: Fitted on the seventeen other collections, the marathon runner's archive refuses two of its four
#: near-field questions ("did he run the Commonwealth Games marathon in Birmingham in 2022?" and
#: "Sifan Hassan's win in the Paris Olympic marathon" are answered), the composer's three ("her opera
#: at the Metropolitan Opera in New York" is answered; "when did she teach composition at Juilliard?"
#: was too until `unused_name`).
#: The seed's fold refused "Xen keynote in Germany" from the kind model (almanac/kind_model.py) until
#: the refit that brought `unused_name` (probability 0.547 against its strictness of 0.55; its floor
#: was 0.945 meanwhile): one question, where its figures stand. The cook's fold (strictness 0.45)
#: answers one more of the shared unrelated since the kind model was fitted on 204 archives ("that
#: episode about the best board games to play with a big family at christmas": 65 of 70, floor 0.92).
#: The question map (almanac/search/adapter.py) ranks five more first answers right here and three
#: fewer, two of them the surgeon's (second, each: "the talk where he admitted he had someone watch
#: him in the operating room…" ranks an interview over lunch first, the coaching talk second):
#: 0.975 -> 0.925, floor 0.92. With two unrelated questions to spare (harness.FAR_MARGIN) the
#: seventeen without the seed choose 0.6, where "Xen keynote in Germany" (0.584) is refused again:
#: 0.959 -> 0.945, floor 0.94 (the seed with what ships: 0.973, unchanged). An entry known only to
#: its year sorted in mid-year (`Snapshot.order_keys`; 15 first answers more and 9 fewer on the
#: 411 archives then kept unseen) takes "Talk Python To Me #498", known only to 2025, for newer than
#: the SE Radio episode of 4 June 2025, which the maintainer's "his latest podcast appearance"
#: expects: 0.923 -> 0.897, floor 0.89.
FLOORS = {
    "seed": (0.94, 0.97, 1.0, None, 0.98, 1.0),
    "ardern": (0.85, 0.95, 1.0, 1.0, 0.94, 0.95),
    "athlete": (0.97, 0.97, 1.0, 0.5, 0.94, 0.95),
    "chef": (0.82, 0.95, 1.0, 0.75, 0.92, 0.9),
    "economist": (0.87, 0.92, 1.0, 0.75, 0.97, 0.95),
    "gawande": (0.92, 0.97, 1.0, 0.75, 0.97, 0.95),
    "goodall": (0.75, 0.95, 1.0, 1.0, 0.97, 0.9),
    "hadfield": (0.9, 0.97, 1.0, 1.0, 0.97, 0.95),
    "humanities": (0.87, 0.92, 1.0, 1.0, 0.97, 0.95),
    "ingels": (0.85, 0.95, 1.0, 1.0, 0.97, 0.9),
    "kariko": (0.85, 0.95, 1.0, 0.75, 0.97, 0.95),
    "maintainer": (0.89, 0.95, 1.0, 0.75, 0.97, 0.9),
    "musician": (0.87, 0.97, 1.0, 0.5, 0.95, 0.9),
    "novelist": (0.92, 0.97, 1.0, 0.75, 0.95, 0.9),
    "rbg": (0.85, 0.97, 0.75, 0.75, 0.97, 0.95),
    "scientist": (0.85, 0.95, 1.0, 0.75, 0.97, 0.9),
    "speaker": (0.92, 0.95, 1.0, 0.5, 0.97, 0.95),
    "tao": (0.82, 0.92, 1.0, 1.0, 0.97, 0.95),
}


@pytest.mark.parametrize("held", sorted(FLOORS))
def test_leave_one_archive_out(eval_runs, held):
    runs, _ = eval_runs
    others = {n: r for n, r in runs.items() if n != held}
    model = harness.fit_model([r for rs in others.values() for r in rs])
    strictness = harness.choose_strictness(others, model)
    report = harness.score(runs[held], model, strictness)
    r1, answered, far, near, generic, held_out = FLOORS[held]
    assert report["r_at_1"] >= r1, report["misses"]
    assert report["answered"] >= answered, report["misses"]
    assert report["off_topic_refused"] >= far, report["wrongly_answered"]
    if near is not None:
        assert report["near_refused"] >= near, report["wrongly_answered"]
    assert report["unrelated_refused"] >= generic, report["wrongly_answered"]
    assert report["held_out_refused"] >= held_out, report["wrongly_answered"]


def test_the_shipped_settings_keep_the_seed_where_it_was(eval_runs):
    """With what ships (fitted on every archive, the seed included): R@1 0.97 and every one of
    tests/eval_questions.py's off-topic questions refused, the seed's figures before the evaluation
    archives existed (issue 10: nothing falls below).

    Of the 70 unrelated questions shared by every archive, one may be answered, as on every other
    archive: "the talk where he demonstrated card tricks and explained how magicians misdirect the
    audience" sat at probability 0.476 and the refit that brought `other_person` puts it at 0.568,
    while refusing ten more unrelated questions on the fourteen unseen archives (README)."""
    runs, _ = eval_runs
    report = harness.score(runs["seed"], DEFAULT_MODEL, DEFAULT_STRICTNESS)
    assert report["r_at_1"] >= 0.97, report["misses"]
    assert report["off_topic_refused"] == 1.0, report["wrongly_answered"]
    assert report["unrelated_refused"] >= 69 / 70, report["wrongly_answered"]


def test_the_shipped_decision_refuses_descriptions_of_what_no_archive_holds(eval_runs):
    """'the episode where she taught listeners how to knit a warm scarf': worded like the
    descriptions people give of an entry, about nothing any archive holds. Nothing is fitted on
    these 20 (harness.UNRELATED_HELD_OUT); before the `content` signal and the 30 fitted ones
    like them, the shipped model answered 71 of the 200."""
    runs, _ = eval_runs
    held_out = [r for rs in runs.values() for r in rs if r.held_out]
    refused = [r for r in held_out if not harness.answered(r, DEFAULT_MODEL, DEFAULT_STRICTNESS)]
    assert len(held_out) == 20 * len(runs)
    assert len(refused) >= 0.97 * len(held_out), sorted({r.q for r in held_out} - {r.q for r in refused})


def test_filter_questions_list_every_matching_entry(eval_runs):
    runs, _ = eval_runs
    filters = [r for rs in runs.values() for r in rs if r.all]
    complete = [r for r in filters if set(r.ranked) >= r.all]
    assert len(filters) >= 20
    assert len(complete) >= 0.85 * len(filters), [r.q for r in filters if r not in complete]


def test_the_shipped_decision_is_the_fit_on_every_archive(eval_runs):
    """DEFAULT_MODEL and DEFAULT_STRICTNESS are what fitting on all archives gives (rerun `--fit` after changes)."""
    runs, _ = eval_runs
    model = harness.fit_model([r for rs in runs.values() for r in rs])
    for name in SIGNALS:
        assert model.coefficients[name] == pytest.approx(DEFAULT_MODEL.coefficients[name], abs=0.05), name
    assert model.bias == pytest.approx(DEFAULT_MODEL.bias, abs=0.05)
    assert harness.choose_strictness(runs, model) == DEFAULT_STRICTNESS


def test_no_one_off_topic_question_moves_the_shipped_strictness(eval_runs):
    """One unrelated question that a refit made unrefusable once moved the choice from 0.55 to 0.45
    (`harness.choose_strictness`, FAR_MARGIN): with any one off-topic question the choice rests on
    removed, or asked twice, it stays. Those it rests on: answered at the most lenient value and
    refused at the strictest; any other counts only in a share's denominator, so one far and one
    near-field question of those stand for the rest."""
    runs, _ = eval_runs
    model = harness.fit_model([r for rs in runs.values() for r in rs])
    probabilities = {}

    class Remembered:  # the same model, each question's probability computed once
        def probability(self, signals):
            if id(signals) not in probabilities:
                probabilities[id(signals)] = model.probability(signals)
            return probabilities[id(signals)]

    chosen = harness.choose_strictness(runs, Remembered())
    fitted = {n: harness.fitted_on(rs) for n, rs in runs.items()}
    off = [(n, i, r) for n, rs in fitted.items() for i, r in enumerate(rs) if not r.on_topic]
    live = [(n, i) for n, i, r in off if harness.answered(r, model, min(harness.STRICTNESS))
            and not harness.answered(r, model, max(harness.STRICTNESS))]
    never = {r.near: (n, i) for n, i, r in off if not harness.answered(r, model, min(harness.STRICTNESS))}
    assert len(live) >= 20
    moved = []
    for n, i in live + list(never.values()):
        rs = fitted[n]
        for changed in (rs[:i] + rs[i + 1:], rs + [rs[i]]):
            if harness.choose_strictness({**fitted, n: changed}, Remembered()) != chosen:
                moved.append(rs[i].q)
    assert not moved, moved


def test_the_question_adapter_moves_questions_nearer_their_answers(eval_runs, real_embedder):
    """With the map fitted without any of these archives (`tests.eval.adapter_fit`), more of their
    questions have an answer first by the cosine alone: 406 -> 438 of 619 when it was fitted on the
    477 archives of tests/eval_unseen (the cross-fitted figure on those: 14,256 -> 15,464 of 22,000)."""
    from tests.eval import adapter_fit

    _, built = eval_runs
    maps = adapter_fit.adapters_without(list(built))
    before = after = 0
    for name, (path, archive) in built.items():
        vectors = adapter_fit.vectors_of(path, archive, real_embedder)
        before += adapter_fit.first_right(vectors, None)
        after += adapter_fit.first_right(vectors, maps[name])
    assert after >= before + 25, (before, after)


def test_postgres_answers_every_evaluation_question_as_sqlite_does(embedded_seed_db, postgres_url, real_embedder):
    """Full text differs by engine (FTS5 / tsvector); the answers, question by question, must not."""
    from almanac.search import Searcher
    from almanac.store import Store
    from almanac.store.copying import copy_store
    from tests.eval_questions import evaluate

    with Store(str(embedded_seed_db)) as sqlite, Store(postgres_url) as postgres:
        copy_store(sqlite, postgres)
        on_sqlite = evaluate(Searcher(sqlite, real_embedder))
        on_postgres = evaluate(Searcher(postgres, real_embedder))
    assert on_postgres["rows"] == on_sqlite["rows"]
    assert on_postgres["r_at_1"] == on_sqlite["r_at_1"] >= 0.90


def test_the_shipped_weights_stay_unless_another_setting_ranks_a_question_better():
    """harness.choose_weights: a setting beating the shipped weights by less than MIN_GAIN (summed
    share of questions ranked right first) does not replace them; by more, it does."""
    shipped, other = FusionWeights(), FusionWeights(kind=0.25)

    def runs(right: int, of: int = 50) -> list:
        return [harness.Run("a", f"q{i}", True, False, {"x"}, None, ["x" if i < right else "y"], 1, False, False, {})
                for i in range(of)]

    # one question more of fifty on one archive: 0.02, under MIN_GAIN
    barely = {shipped: {"a": runs(40), "b": runs(40)}, other: {"a": runs(40), "b": runs(41)}}
    assert harness.ranking_quality(barely[other]["b"]) > harness.ranking_quality(barely[shipped]["b"])
    assert harness.choose_weights(barely, ["a", "b"]) == shipped
    # two more: 0.04
    clearly = {shipped: {"a": runs(40), "b": runs(40)}, other: {"a": runs(41), "b": runs(41)}}
    assert harness.choose_weights(clearly, ["a", "b"]) == other
