"""The embedding cache: one vector per (entry, model, content hash), float32 BLOBs."""

from __future__ import annotations

import dataclasses
import os

import numpy as np

from almanac.embeddings import BUNDLED_MODEL, EMBED_BATCH, document_text, embed_missing
from almanac.ingest import ingest
from almanac.text import entry_parts
from tests.conftest import SEED
from tests.fakes import FakeEmbedder


def test_ingest_twice_embeds_once(store):
    fake = FakeEmbedder()
    embed = lambda s: embed_missing(s, fake, batch_size=10)  # noqa: E731
    first = ingest(store, [str(SEED)], os.getcwd(), embed=embed)
    entries = store.entries()
    parts = [len(entry_parts(e.title, e.summary)) for e in sorted(entries, key=lambda e: e.id)]
    # per batch of 10 entries: their whole texts, then all their parts (title and sentences)
    assert first.embedded == 25 and fake.batches == [10, sum(parts[:10]), 10, sum(parts[10:20]), 5, sum(parts[20:])]
    second = ingest(store, [str(SEED)], os.getcwd(), embed=embed)
    assert second.embedded == 0 and fake.calls == 25 + sum(parts)


def test_edited_summary_re_embeds_that_entry_only(seeded_store):
    fake = FakeEmbedder()
    assert embed_missing(seeded_store, fake) == 25
    (key,) = seeded_store.source_keys()
    target = "floss-weekly-302-open-mirage-2014-07"
    entries = [
        dataclasses.replace(e, summary=e.summary + " Edited.") if e.id == target else e
        for e in seeded_store.entries()
    ]
    seeded_store.replace_source(key, entries)
    assert [e.id for e in seeded_store.entries_missing_vectors(fake.model_name)] == [target]
    assert embed_missing(seeded_store, fake) == 1
    assert embed_missing(seeded_store, fake) == 0


def test_switching_models_re_embeds_and_keeps_both(seeded_store):
    a, b = FakeEmbedder(model_name="fake-a"), FakeEmbedder(dims=32, model_name="fake-b")
    assert embed_missing(seeded_store, a) == 25
    assert embed_missing(seeded_store, b) == 25
    assert embed_missing(seeded_store, a) == 0
    ids_a, matrix_a = seeded_store.vectors("fake-a")
    ids_b, matrix_b = seeded_store.vectors("fake-b")
    assert matrix_a.shape == (25, 64) and matrix_b.shape == (25, 32)
    assert sorted(ids_a) == sorted(ids_b)


def test_vectors_round_trip_as_float32(seeded_store):
    fake = FakeEmbedder()
    embed_missing(seeded_store, fake)
    ids, matrix = seeded_store.vectors(fake.model_name)
    entries = {e.id: e for e in seeded_store.entries()}
    expected = fake.encode([document_text(entries[i]) for i in ids])
    assert matrix.dtype == np.float32
    np.testing.assert_array_equal(matrix, expected)


def test_removed_entries_lose_their_vectors(seeded_store):
    fake = FakeEmbedder()
    embed_missing(seeded_store, fake)
    (key,) = seeded_store.source_keys()
    seeded_store.replace_source(key, seeded_store.entries()[:5])
    ids, _ = seeded_store.vectors(fake.model_name)
    assert len(ids) == 5 and seeded_store.vector_count(fake.model_name) == 5


def test_real_model_vectors_are_normalised(real_embedder):
    assert real_embedder.model_name == BUNDLED_MODEL and real_embedder.dims == 384
    vectors = real_embedder.encode(["unikernels", "how do I bake bread?"])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert real_embedder.encode([]).shape == (0, 384)


def test_app_embed_missing_does_not_load_the_model_when_nothing_is_missing(embedded_seed_copy):
    from almanac.app import App
    from almanac.config import Config

    app = App.build(Config(), {}, db_override=str(embedded_seed_copy))
    try:
        assert app.embed_missing(app.store) == 0
        assert "embedder" not in app.__dict__  # the cached property was never computed
    finally:
        app.close()


def test_the_app_embeds_a_few_hundred_entries_a_call(tmp_path):
    """The model pads each of its batches to the longest text of a call it has sorted by length, so
    fewer, larger calls waste less (almanac.embeddings.EMBED_BATCH: ingest ran ~20 % faster with 256
    entries a call than with 32). With the shipped settings 300 new entries are embedded in two
    calls for their whole texts, 256 then 44, each followed by one for their parts."""
    from almanac.app import App
    from almanac.config import Config
    from almanac.store import Store

    source = tmp_path / "many.txt"
    source.write_text("".join(f"Entry number {i} / 2020\nA talk about topic {i}. It had a second sentence.\n\n"
                              for i in range(300)), encoding="utf-8")
    app = App(config=Config(), secrets=None, db_path=str(tmp_path / "a.db"))
    fake = FakeEmbedder(model_name=BUNDLED_MODEL)
    app.__dict__["embedder"] = fake  # the model the app would load, replaced before first use
    with Store(str(tmp_path / "a.db")) as store:
        ingest(store, [str(source)], str(tmp_path))
        assert app.embed_missing(store) == 300
    assert fake.batches == [256, 256 * 3, 44, 44 * 3]
    assert Config().search.batch_size == EMBED_BATCH  # the config's default is written out, not imported


def test_embedding_stops_between_batches_when_asked(seeded_store):
    """`almanac run` given SIGTERM while embedding at start went on until every entry was embedded
    (37 s at 600 entries; minutes at thousands), and a second run was refused meanwhile. The
    embedding asks `stopped()` between batches; what it wrote stays, the rest waits for next time."""
    import asyncio
    import threading

    from almanac.commands.run import _until_stopped
    from almanac.embeddings import missing_count

    fake = FakeEmbedder()
    batches = []
    assert embed_missing(seeded_store, fake, batch_size=10, stopped=lambda: batches.append(1) or len(batches) > 1) == 10
    assert missing_count(seeded_store, fake.model_name) == 15
    assert embed_missing(seeded_store, fake, batch_size=10) == 15

    async def signalled():  # what run does with a signal while its first ingest works in a thread
        stop, halt, release = asyncio.Event(), threading.Event(), threading.Event()
        work = asyncio.to_thread(release.wait, 5)
        waiting = asyncio.ensure_future(_until_stopped(stop, work, halt))
        await asyncio.sleep(0.05)
        stop.set()
        result = await waiting
        release.set()
        return result, halt.is_set()

    assert asyncio.run(signalled()) == (None, True)
