"""The torch-free query encoder gives sentence-transformers' vectors, and `ask` uses it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from almanac.embeddings import BUNDLED_MODEL, document_text
from almanac.onnx_encoder import OnnxUnavailable, load_exported
from almanac.search import Searcher
from almanac.sources import read_source
from almanac.store import Store
from tests.conftest import SEED
from tests.eval_questions import OFF_TOPIC, ON_TOPIC


def test_onnx_vectors_match_sentence_transformers(real_embedder, onnx_embedder):
    texts = [document_text(e) for e in read_source(str(SEED))]
    texts += [q for q, _ in ON_TOPIC[:20]] + OFF_TOPIC[:5] + ["", "x", "word " * 600, "émigré naïve 日本語 🙂"]
    st = real_embedder.encode(texts)
    ox = onnx_embedder.encode(texts)
    assert ox.shape == st.shape and ox.dtype == np.float32
    cosine = (st * ox).sum(axis=1)
    assert cosine.min() > 0.9999
    # batching with padding gives the same vectors as one at a time
    one_by_one = np.concatenate([onnx_embedder.encode([t]) for t in texts[:8]])
    assert ((one_by_one * ox[:8]).sum(axis=1)).min() > 0.9999


def test_onnx_ranks_the_eval_set_like_sentence_transformers(embedded_seed_copy, real_embedder, onnx_embedder):
    with Store(str(embedded_seed_copy)) as store:
        st, ox = Searcher(store, real_embedder), Searcher(store, onnx_embedder)
        for question in [q for q, _ in ON_TOPIC[::4]] + OFF_TOPIC[::3]:
            a, b = st.search(question), ox.search(question)
            assert [h.entry.id for h in a.hits] == [h.entry.id for h in b.hits], question
            assert a.answered == b.answered


def test_an_export_keeps_its_weights_beside_it_and_a_first_format_one_is_converted(onnx_cache_dir, onnx_embedder,
                                                                                   tmp_path):
    """The weights sit in a .data file that onnxruntime maps (a smaller, faster session); an export
    made before (one file) is converted on first use, without torch, to the same vectors."""
    import onnx

    from almanac.embeddings import bundled_model_path
    from almanac.onnx_encoder import cache_path

    model_dir = bundled_model_path()
    current = cache_path(str(onnx_cache_dir / "almanac"), model_dir)
    assert os.path.getsize(current) < 1_000_000 and os.path.getsize(current + ".data") > 80_000_000
    old = cache_path(str(tmp_path), model_dir, version=1)
    onnx.save_model(onnx.load(current), old)  # the first format: weights inside
    converted = load_exported(str(tmp_path), "", BUNDLED_MODEL)
    assert sorted(os.listdir(tmp_path)) == sorted(os.path.basename(p) for p in (old, current, current + ".data"))
    texts = [q for q, _ in ON_TOPIC[:10]]
    assert np.array_equal(converted.encode(texts), onnx_embedder.encode(texts))


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
