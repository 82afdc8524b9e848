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


def test_no_export_yet_is_reported(tmp_path):
    with pytest.raises(OnnxUnavailable):
        load_exported(str(tmp_path), "", BUNDLED_MODEL)
    with pytest.raises(OnnxUnavailable):
        load_exported(str(tmp_path), "some-hub/model-name", "some-hub/model-name")


def test_query_process_never_imports_torch(onnx_cache_dir, embedded_seed_copy, tmp_path):
    """`almanac ask` with an export in the cache answers without torch or sentence-transformers."""
    code = (
        "import sys, json\n"
        "from almanac.cli import main\n"
        "status = main(['ask', 'which paper showed unikernels booting on a DNS request?', '--json'])\n"
        "assert status == 0, status\n"
        "heavy = sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules)\n"
        "print(json.dumps(heavy), file=sys.stderr)\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(onnx_cache_dir), "ALMANAC_DB": str(embedded_seed_copy)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stderr.strip().splitlines()[-1]) == []
    data = json.loads(proc.stdout)
    assert data["results"][0]["id"] == "jitsu-just-in-time-summoning-of-unikernels-2015-05-paper"
