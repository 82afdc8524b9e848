"""What a search snapshot keeps to answer fast: FTS5's postings (almanac.search.lexical), which must
give FTS5's own scores and answers bit for bit, and its kind and tag masks."""

from __future__ import annotations

import dataclasses

import pytest

from almanac.ingest import ingest
from almanac.embeddings import embed_missing
from almanac.search import Searcher, snapshot
from almanac.search.lexical import LexicalIndex
from almanac.store import Store
from tests.conftest import SEED
from tests.fakes import FakeEmbedder

#: Entries made for the corner cases: a word in titles (counting double) and summaries, repeated,
#: accented, six entries with equal scores (the 200 kept cut through ties), a phrase word.
EXTRA = """\
Tie one / Jan 2020
Tie tie.

Tie two / Jan 2020
Tie tie.

Tie six / Jan 2020
Tie tie.

Tie ten / Jan 2020
Tie tie.

Tie red / Jan 2020
Tie tie.

Tie air / Jan 2020
Tie tie.

Unikernels, unikernels everywhere / Mar 2021
Unikernels booting unikernels on Xen and on a café's laptop; Jitsu, Mirage 2.0 and version-controlled data.
"""
WORDS = [["unikernels"], ["jitsu", "dns"], ["booting", "boot", "xen"], ["tie"], ["cafe"], ["Café"], ["the", "of"],
         ["mirage", "nothinglikeit", "talk"], ["AND"], ["\x00", "irmin"], ["unikernels", "unikernels"]]


@pytest.fixture
def archive(store, tmp_path):
    extra = tmp_path / "extra.txt"
    extra.write_text(EXTRA, encoding="utf-8")
    report = ingest(store, [str(SEED), str(extra)], str(tmp_path))
    assert not report.problems
    return store


def by_store(store, numbering, words, limit):
    return [(numbering[i], score) for i, score in store.fts_rank(words, limit)]


def test_postings_rank_as_fts5_ranks(archive):
    ids = [f[0] for f in archive.entry_facets()]
    numbering = {entry_id: i for i, entry_id in enumerate(ids)}
    index = LexicalIndex(archive.fulltext_postings(numbering), len(ids))
    for words in WORDS:
        for limit in (1, 3, 200):
            found, scores = index.rank(archive, words, limit)
            assert list(zip(found.tolist(), scores.tolist())) == by_store(archive, numbering, words, limit), words
    assert len(by_store(archive, numbering, ["tie"], 200)) == 6
    assert index.rank(archive, ["tie"], 3)[0].tolist() == [numbering[i] for i in ids if i.startswith("tie-")][:3]
    # a word FTS5 reads as a phrase of several tokens is left to it
    assert index.rank(archive, ["mirage", "2.0"], 10) is None
    assert index.rank(archive, ["version-controlled"], 10) is None
    for terms in (["jitsu", "unikernels", "tie", "Café", "the"], ["xen", "2.0"]):
        expected = archive.terms_matching(terms, ids)
        found = index.matching(archive, terms, ids, list(range(len(ids))))
        assert found == (expected if terms[-1] != "2.0" else None)


def test_postings_are_read_where_bm25_reads_them(archive):
    postings = archive.fulltext_postings({})
    assert postings.n_docs == len(postings.lengths) == 32 and postings.total_tokens == postings.lengths.sum()
    # every instance is a posting's weight: the title's count double
    assert postings.freqs.dtype.itemsize == 1 and (postings.where == -1).all()
    rows = postings.rows("tie")
    assert len(rows) == 6 and postings.freqs[postings.starts[postings.terms["tie"]]:][:6].tolist() == [4] * 6


def test_a_searcher_reads_the_postings_on_its_second_question_and_again_after_a_change(archive, monkeypatch):
    reads = []
    load = archive.fulltext_postings
    monkeypatch.setattr(archive, "fulltext_postings", lambda numbering: reads.append(len(numbering)) or load(numbering))
    searcher = Searcher(archive, FakeEmbedder())
    first = searcher.search("Jitsu booting on DNS").to_json(explain=True)
    assert reads == []  # one question (`almanac ask`): the store ranks it
    assert searcher.search("Jitsu booting on DNS").to_json(explain=True) == first
    assert reads == [32]
    searcher.search("unikernels on Xen")
    assert reads == [32]
    assert all(h.entry.title != "Quantum marmots" for h in searcher.search("quantum marmots").hits)
    (key,) = [k for k in archive.source_keys() if k.endswith("extra.txt")]
    entries = [e for e in archive.entries() if e.id.startswith(("tie-", "unikernels-unikernels"))]
    assert len(entries) == 7
    changed = [dataclasses.replace(entries[0], title="Quantum marmots", summary="Quantum marmots tie.")]
    archive.replace_source(key, changed + entries[2:])  # one edited, one removed
    embed_missing(archive, searcher.embedder)  # as ingest does after writing
    for _ in range(2):
        hits = searcher.search("quantum marmots").hits
        assert hits[0].entry.title == "Quantum marmots"
    assert reads == [32, 31]
    snap = searcher._current()
    assert snap.lexical_index(archive, build=False) is not None
    numbering = snap.index
    for words in (["marmots"], ["tie"], ["quantum", "unikernels"]):
        assert list(zip(*(a.tolist() for a in snap.lexical_rank(archive, words, 200)))) == by_store(
            archive, numbering, words, 200)


def test_a_failure_to_read_the_postings_leaves_the_ranking_to_the_store(archive, monkeypatch, caplog):
    def fail(numbering):
        raise OSError("disk I/O error")

    searcher = Searcher(archive, FakeEmbedder())
    first = searcher.search("Jitsu booting on DNS").to_json(explain=True)
    monkeypatch.setattr(archive, "fulltext_postings", fail)
    assert searcher.search("Jitsu booting on DNS").to_json(explain=True) == first
    assert searcher._current().lexical_index(archive) is None
    assert "cannot read the full-text postings (disk I/O error); the store ranks words instead" in caplog.text


def test_answers_are_the_same_with_and_without_the_postings(real_store, onnx_embedder, monkeypatch):
    """The seed's questions, ranked and decided in full (`--explain`), first by the store alone."""
    from tests.eval.harness import CachedEncoder
    from tests.eval_questions import OFF_TOPIC, ON_TOPIC

    encoder = CachedEncoder(onnx_embedder)  # each question encoded once for both runs
    questions = [q for q, _ in ON_TOPIC] + OFF_TOPIC + ["Mirage 2.0 and version-controlled data", "keynotes"]

    def answers():
        searcher = Searcher(real_store, encoder)
        return [searcher.search(q, limit=10).to_json(explain=True) for q in questions], searcher._current()

    with monkeypatch.context() as patch:
        patch.setattr(snapshot, "LEXICAL_INDEX_ON_QUESTION", 10**9)
        by_store, snap = answers()
        assert snap.lexical_index(real_store, build=False) is None
    with_postings, snap = answers()
    assert snap.lexical_index(real_store, build=False) is not None
    assert with_postings == by_store


@pytest.fixture
def real_store(embedded_seed_copy):
    with Store(str(embedded_seed_copy)) as store:
        yield store


def test_postgres_ranks_per_question(postgres_url):
    with Store(postgres_url) as store:
        ingest(store, [str(SEED)], str(SEED.parent))
        assert store.fulltext_postings({}) is None
        searcher = Searcher(store, FakeEmbedder())
        for _ in range(3):
            assert searcher.search("Jitsu booting on DNS").answered
        assert searcher._current().lexical_index(store) is None


def test_kind_and_tag_masks_are_computed_once_per_snapshot(archive):
    searcher = Searcher(archive, FakeEmbedder())
    listing = searcher.search("keynotes", limit=50)
    snap = searcher._current()
    keynote = snap.tag_mask("keynote")
    assert keynote.tolist() == ["keynote" in t for t in snap.tags] and keynote.sum() >= 1
    assert snap.tag_mask("keynote") is keynote and not keynote.flags.writeable
    assert snap.kind_mask("talk").tolist() == [k == "talk" for k in snap.kinds]
    assert {h.entry.id for h in listing.hits} == {snap.ids[i] for i in keynote.nonzero()[0]
                                                 if snap.kinds[i] == "talk"}
    assert searcher.search("keynotes", limit=50).to_json() == listing.to_json()
