"""The torch-free query encoder gives sentence-transformers' vectors, and `ask` uses it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from almanac.embeddings import BUNDLED_MODEL, document_text, parts_model
from almanac.onnx_encoder import OnnxUnavailable, load_exported
from almanac.search import Searcher
from almanac.store import Store
from almanac.text import entry_parts
from tests.conftest import SEED
from tests.eval_questions import OFF_TOPIC, ON_TOPIC


def test_onnx_vectors_match_sentence_transformers(real_embedder, onnx_embedder, embedded_seed_copy):
    """The (fused) export's vectors are sentence-transformers' to within 1e-5 (fusion moves them by
    ~3e-7), on ~250 texts: the seed's entries, titles and sentences as ingest embedded them, every
    evaluation question, and edge cases (empty, one letter, truncated, non-Latin)."""
    with Store(str(embedded_seed_copy)) as store:
        entries = store.entries()
        ids, whole = store.vectors(BUNDLED_MODEL)
        by_id = {e.id: e for e in entries}
        blocks = store.vector_blocks(parts_model(BUNDLED_MODEL), {i: by_id[i].content_hash for i in ids})
    texts = [document_text(by_id[i]) for i in ids]
    st = [whole]
    for i in ids:
        texts += entry_parts(by_id[i].title, by_id[i].summary)
        st.append(blocks[i])
    asked = [q for q, _ in ON_TOPIC] + OFF_TOPIC + ["", "x", "word " * 600, "émigré naïve 日本語 🙂"]
    texts += asked
    st = np.concatenate(st + [real_embedder.encode(asked)])
    assert len(texts) >= 200
    ox = onnx_embedder.encode(texts)
    assert ox.shape == st.shape and ox.dtype == np.float32
    assert np.abs(ox - st).max() <= 1e-5
    assert (st * ox).sum(axis=1).min() > 0.99999
    # batching with padding gives the same vectors as one at a time
    one_by_one = np.concatenate([onnx_embedder.encode([t]) for t in texts[:8]])
    assert np.abs(one_by_one - ox[:8]).max() <= 1e-6


def test_the_export_is_fused(onnx_embedder):
    """Attention, embeddings, residual + LayerNorm and bias + GELU are single nodes (what makes the
    export faster to open and run; see almanac/onnx_encoder.py), not the ~900 nodes torch writes."""
    import collections

    import onnx

    graph = onnx.load(onnx_embedder.path, load_external_data=False).graph
    ops = collections.Counter(node.op_type for node in graph.node)
    assert ops["Attention"] == 6 and ops["EmbedLayerNormalization"] == 1
    assert ops["SkipLayerNormalization"] == 12 and ops["BiasGelu"] == 6
    assert len(graph.node) < 60


def test_onnx_ranks_the_eval_set_like_sentence_transformers(embedded_seed_copy, real_embedder, onnx_embedder):
    with Store(str(embedded_seed_copy)) as store:
        st, ox = Searcher(store, real_embedder), Searcher(store, onnx_embedder)
        for question in [q for q, _ in ON_TOPIC[::4]] + OFF_TOPIC[::3]:
            a, b = st.search(question), ox.search(question)
            assert [h.entry.id for h in a.hits] == [h.entry.id for h in b.hits], question
            assert a.answered == b.answered


def test_an_export_keeps_its_weights_beside_it_and_older_formats_keep_working(onnx_cache_dir, onnx_embedder,
                                                                              tmp_path):
    """The weights sit in a .data file that onnxruntime maps (a smaller, faster session). An export
    made before is used as it is, without torch: one of the first format (one file) is converted on
    first use to the second (weights beside, unfused), which then runs unchanged."""
    import onnx

    from almanac.embeddings import bundled_model_path
    from almanac.onnx_encoder import cache_path

    model_dir = bundled_model_path()
    current = cache_path(str(onnx_cache_dir / "almanac"), model_dir)
    assert onnx_embedder.path == current
    assert os.path.getsize(current) < 1_000_000 and os.path.getsize(current + ".data") > 80_000_000
    old = cache_path(str(tmp_path), model_dir, version=1)
    second = cache_path(str(tmp_path), model_dir, version=2)
    onnx.save_model(onnx.load(current), old)  # the first format: weights inside
    converted = load_exported(str(tmp_path), "", BUNDLED_MODEL)
    assert converted.path == second
    assert sorted(os.listdir(tmp_path)) == sorted(os.path.basename(p) for p in (old, second, second + ".data"))
    texts = [q for q, _ in ON_TOPIC[:10]]
    assert np.array_equal(converted.encode(texts), onnx_embedder.encode(texts))
    assert load_exported(str(tmp_path), "", BUNDLED_MODEL).path == second  # from now on, as it is


def test_loading_the_model_replaces_an_older_export(onnx_cache_dir, real_embedder, tmp_path, monkeypatch):
    """`App.embedder` (torch paid for) exports the model again when the cache holds only an older
    format's export; not when it holds none (the first question exports) or the current one."""
    import onnx

    from almanac import embeddings, onnx_encoder
    from almanac.app import App
    from almanac.config import Config

    model_dir = embeddings.bundled_model_path()
    current = onnx_encoder.cache_path(str(onnx_cache_dir / "almanac"), model_dir)
    one_file = str(tmp_path / "one-file.onnx")
    onnx.save_model(onnx.load(current), one_file)
    exported = []

    def export(st_embedder, cache_dir):  # the real one takes seconds; which cache it fills is the point here
        exported.append(cache_dir)
        target = onnx_encoder.cache_path(cache_dir, st_embedder.path)
        onnx_encoder._save_with_weights_beside(one_file, target)
        return target

    monkeypatch.setattr(onnx_encoder, "export", export)
    monkeypatch.setattr(embeddings, "load_embedder", lambda spec="": real_embedder)
    cache = tmp_path / "xdg" / "almanac"

    def load_the_model():
        app = App.build(Config(), {"XDG_CACHE_HOME": str(cache.parent)}, db_override=str(tmp_path / "a.db"))
        try:
            assert app.embedder is real_embedder
        finally:
            app.close()

    load_the_model()
    assert exported == []  # no export at all: the first question makes one
    cache.mkdir(parents=True)
    onnx_encoder._save_with_weights_beside(one_file, onnx_encoder.cache_path(str(cache), model_dir, version=2))
    load_the_model()
    assert exported == [str(cache)]
    assert load_exported(str(cache), "", BUNDLED_MODEL).path == onnx_encoder.cache_path(str(cache), model_dir)
    load_the_model()
    assert exported == [str(cache)]  # the current one is there: nothing to do


def test_a_fusion_that_changes_the_output_is_not_kept(tmp_path, monkeypatch, caplog):
    """The export keeps the unfused graph when the fused one answers differently (beyond
    FUSION_TOLERANCE: a model the bert fusions misread) or fusion fails; and the optimizer's
    DEBUG chatter (megabytes under `almanac -v`) is not logged. (A tiny graph: the optimizer and
    both sessions run for real, in a fraction of a second.)"""
    import logging
    from types import SimpleNamespace

    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from almanac import onnx_encoder

    table = numpy_helper.from_array(np.arange(40, dtype=np.float32).reshape(10, 4), "table")
    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "tokens"]) for n in ("input_ids", "attention_mask")]
    output = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "tokens", 4])
    graph = helper.make_graph([helper.make_node("Gather", ["table", "input_ids"], ["last_hidden_state"])], "tiny",
                              inputs, [output], [table])
    unfused, fused = str(tmp_path / "unfused.onnx"), str(tmp_path / "fused.onnx")
    onnx.save_model(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8), unfused)
    sample = {"input_ids": np.array([[1, 2, 0]]), "attention_mask": np.array([[1, 1, 0]])}
    config = SimpleNamespace(num_attention_heads=1, hidden_size=4)
    caplog.set_level(logging.DEBUG)
    assert onnx_encoder._fuse(unfused, fused, config, sample) == fused  # the same output: kept
    assert [r.name for r in caplog.records if r.levelno < logging.WARNING] == []
    monkeypatch.setattr(onnx_encoder, "FUSION_TOLERANCE", -1.0)  # now any output is too different
    assert onnx_encoder._fuse(unfused, fused, config, sample) is None
    monkeypatch.undo()
    assert onnx_encoder._fuse(str(tmp_path / "missing.onnx"), fused, config, sample) is None  # fusion fails


def test_no_export_yet_is_reported(tmp_path):
    with pytest.raises(OnnxUnavailable):
        load_exported(str(tmp_path), "", BUNDLED_MODEL)
    with pytest.raises(OnnxUnavailable):
        load_exported(str(tmp_path), "some-hub/model-name", "some-hub/model-name")


def _ask_in_a_fresh_process(db, cache_home, cwd) -> tuple[dict, list[str]]:
    """`almanac ask --json` in a new interpreter: (its answer, the heavy modules it imported)."""
    code = (
        "import sys, json\n"
        "from almanac.cli import main\n"
        "status = main(['ask', 'which paper showed unikernels booting on a DNS request?', '--json'])\n"
        "assert status == 0, status\n"
        "heavy = sorted(m for m in ('torch', 'sentence_transformers', 'transformers', 'discord', 'aiohttp')\n"
        "               if m in sys.modules)\n"
        "print(json.dumps(heavy), file=sys.stderr)\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "ALMANAC_DB": str(db)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), json.loads(proc.stderr.strip().splitlines()[-1])


def test_query_process_never_imports_torch(onnx_cache_dir, embedded_seed_copy, tmp_path):
    """`almanac ask` with an export in the cache answers without torch or sentence-transformers (nor
    discord.py and aiohttp, which only the bot and the servers need: ~0.3 s and ~30 MB of its start)."""
    data, heavy = _ask_in_a_fresh_process(embedded_seed_copy, onnx_cache_dir, tmp_path)
    assert heavy == []
    assert data["results"][0]["id"] == "jitsu-just-in-time-summoning-of-unikernels-2015-05-paper"


def test_question_with_vectors_missing_never_imports_torch(onnx_cache_dir, tmp_path):
    """After `ingest --no-embed`, a question embeds the missing entries with the ONNX encoder, not torch."""
    from almanac.embeddings import parts_model
    from almanac.ingest import ingest

    db = tmp_path / "unembedded.db"
    with Store(str(db)) as store:
        ingest(store, [str(SEED)], str(tmp_path))
        assert store.entries_missing_vectors_count(BUNDLED_MODEL) == 25
    data, heavy = _ask_in_a_fresh_process(db, onnx_cache_dir, tmp_path)
    assert heavy == []
    assert data["results"][0]["id"] == "jitsu-just-in-time-summoning-of-unikernels-2015-05-paper"
    with Store(str(db)) as store:
        assert store.entries_missing_vectors_count(BUNDLED_MODEL) == 0
        assert store.entries_missing_vectors_count(parts_model(BUNDLED_MODEL)) == 0
