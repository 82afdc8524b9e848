"""Deterministic stand-ins for things too slow for mechanics tests (the real model).

Search-quality tests use the real bundled model (the `real_embedder` session
fixture); these fakes only exercise plumbing: caching, reloading, CLI shapes.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np


class FakeEmbedder:
    """Bag-of-words hashed into `dims` buckets, L2-normalised: same text, same vector.

    Texts sharing words get positive cosine, so ranking mechanics behave
    plausibly. `calls` counts texts encoded, to prove what was (not) embedded.
    """

    def __init__(self, dims: int = 64, model_name: str = "fake-bow-64"):
        self.dims = dims
        self.model_name = model_name
        self.calls = 0
        self.batches: list[int] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += len(texts)
        self.batches.append(len(texts))
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                bucket = int.from_bytes(hashlib.sha256(word.encode()).digest()[:4], "little") % self.dims
                out[row, bucket] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out
