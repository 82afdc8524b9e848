"""A query encoder that does not import torch: the same model, exported once to ONNX.

Why: importing sentence-transformers (and torch) costs ~5 s and ~400 MB,
which makes `almanac ask` slow to start and the bot too big for a 512 MB
host. Queries only need the model's forward pass, so the loaded
sentence-transformers model is exported once (`torch.onnx.export`) to a cache
file, and later processes run it with onnxruntime, tokenising with the
model's own `tokenizer.json` through `tokenizers`, then mean pooling and L2
normalisation as the sentence-transformers pipeline does. A test checks the
vectors match sentence-transformers' (cosine > 0.9999).

sentence-transformers stays the way models are loaded and archives embedded;
this module only encodes with an already exported copy. Only models whose
pipeline is Transformer -> mean Pooling -> Normalize (all-MiniLM-L6-v2 and
its kin) are exported; anything else keeps using sentence-transformers.

The weights are kept beside the graph, in a `.data` file (ONNX external
data): onnxruntime then maps them from the file instead of parsing them out
of one 90 MB protobuf and copying them, so a session costs ~80 MB instead of
~130 (peak ~140) and opens in 0.1 s instead of 0.3, with the same vectors
(`almanac ask` is a new process each time). An export of the first format
(one file) is converted on first use, without torch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading

import numpy as np

log = logging.getLogger(__name__)

#: Bump when the export format changes, so stale cache files are not reused.
#: 1: one .onnx file; 2: the weights in a .data file beside it (see the module docstring).
EXPORT_VERSION = 2


class OnnxUnavailable(Exception):
    """The model cannot be run through ONNX (not exported, unsupported, or onnxruntime missing)."""


def cache_path(cache_dir: str, model_dir: str, version: int = EXPORT_VERSION) -> str:
    """Where the export of the model in `model_dir` lives (keyed by its weights and config)."""
    digest = hashlib.sha256(f"v{version}".encode())
    for name in ("config.json", "tokenizer.json", "modules.json", "1_Pooling/config.json"):
        path = os.path.join(model_dir, name)
        if os.path.exists(path):
            with open(path, "rb") as f:
                digest.update(f.read())
    for name in ("model.safetensors", "pytorch_model.bin"):
        path = os.path.join(model_dir, name)
        if os.path.exists(path):
            stat = os.stat(path)
            digest.update(f"{name}:{stat.st_size}".encode())
    return os.path.join(cache_dir, f"model-{digest.hexdigest()[:16]}.onnx")


def _pipeline_supported(model_dir: str) -> bool:
    """Transformer -> mean pooling -> Normalize, nothing else."""
    try:
        with open(os.path.join(model_dir, "modules.json"), encoding="utf-8") as f:
            modules = [m["type"].rsplit(".", 1)[-1] for m in json.load(f)]
        with open(os.path.join(model_dir, "1_Pooling", "config.json"), encoding="utf-8") as f:
            pooling = json.load(f)
    except (OSError, ValueError, KeyError):
        return False
    mean_only = pooling.get("pooling_mode_mean_tokens") and not any(
        v for k, v in pooling.items() if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens"
    )
    return modules == ["Transformer", "Pooling", "Normalize"] and bool(mean_only) and os.path.exists(
        os.path.join(model_dir, "tokenizer.json")
    )


def export(st_embedder, cache_dir: str) -> str:
    """Export a loaded `SentenceTransformerEmbedder` to ONNX (once); return the file's path.

    Written to a temporary name and renamed, so a concurrent reader never sees
    half a file. Raises OnnxUnavailable for pipelines this module cannot reproduce.
    """
    model_dir = getattr(st_embedder, "path", None)
    if not model_dir or not _pipeline_supported(model_dir):
        raise OnnxUnavailable(f"{st_embedder.model_name}: only local Transformer + mean pooling models are exported")
    target = cache_path(cache_dir, model_dir)
    if os.path.exists(target):
        return target
    import torch

    os.makedirs(cache_dir, exist_ok=True)
    transformer = st_embedder.model[0]
    hf = transformer.auto_model.eval()

    class _LastHiddenState(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = transformer.tokenizer(["a sample question", "another, longer sample sentence here"], padding=True, return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "tokens"} for n in names + ["last_hidden_state"]}
    tmp = f"{target}.{os.getpid()}.tmp"
    import warnings

    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _LastHiddenState(hf),
            tuple(sample[n] for n in names),
            tmp,
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    try:
        _save_with_weights_beside(tmp, target)
    finally:
        os.remove(tmp)
    log.info("exported %s to %s", st_embedder.model_name, target)
    return target


def _save_with_weights_beside(source: str, target: str) -> None:
    """Write the one-file ONNX model `source` as `target` and `target`.data (its weights).

    Both are written in a private directory and renamed into place, the
    weights first, so a reader that finds `target` finds its weights whole,
    and two processes exporting at once each rename complete files.
    """
    import onnx

    directory = os.path.dirname(target) or "."
    weights = os.path.basename(target) + ".data"
    model = onnx.load(source)
    work = tempfile.mkdtemp(prefix=".export-", dir=directory)
    try:
        onnx.save_model(model, os.path.join(work, "model.onnx"), save_as_external_data=True,
                        all_tensors_to_one_file=True, location=weights, size_threshold=1024)
        del model
        os.replace(os.path.join(work, weights), os.path.join(directory, weights))
        os.replace(os.path.join(work, "model.onnx"), target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def load_exported(cache_dir: str, model: str, model_name: str) -> "OnnxEmbedder":
    """The exported copy of `model` ("" = bundled, or a local directory) if it exists.

    Cheap: imports neither torch nor sentence-transformers. Raises OnnxUnavailable
    when there is no export yet (run one with `export`) or it cannot be used.
    """
    if model and not os.path.isdir(model):
        raise OnnxUnavailable(f"{model}: not a local model directory")
    if not model:
        from almanac.embeddings import bundled_model_path

        model = bundled_model_path()
    if not _pipeline_supported(model):
        raise OnnxUnavailable(f"{model_name}: not a Transformer + mean pooling + Normalize model")
    path = cache_path(cache_dir, model)
    first_format = cache_path(cache_dir, model, version=1)
    if not os.path.exists(path) and os.path.exists(first_format):
        try:
            _save_with_weights_beside(first_format, path)
            log.info("converted %s to %s (weights beside it)", first_format, path)
        except Exception as exc:  # the old file stays usable as a source for a fresh export
            raise OnnxUnavailable(f"{first_format}: cannot convert ({exc})") from None
    return OnnxEmbedder(path, model, model_name)


class OnnxEmbedder:
    """Encodes like sentence-transformers' Transformer + mean Pooling + Normalize, via onnxruntime."""

    def __init__(self, onnx_path: str, model_dir: str, model_name: str, max_seq_length: int | None = None):
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise OnnxUnavailable(f"onnxruntime/tokenizers missing: {exc}") from None
        if not os.path.exists(onnx_path):
            raise OnnxUnavailable(f"{onnx_path} does not exist")
        self.model_name = model_name
        if max_seq_length is None:
            max_seq_length = _max_seq_length(model_dir)
        self.tokenizer = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_seq_length)
        pad_id = self.tokenizer.token_to_id("[PAD]") or 0
        self.tokenizer.enable_padding(pad_id=pad_id, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self.session.get_inputs()}
        self.dims = int(self.session.get_outputs()[0].shape[-1])
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        out = []
        for start in range(0, len(texts), 32):
            batch = self.tokenizer.encode_batch([str(t) for t in texts[start : start + 32]])
            ids = np.array([e.ids for e in batch], dtype=np.int64)
            mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            feeds = {k: v for k, v in feeds.items() if k in self._inputs}
            with self._lock:
                hidden = self.session.run(None, feeds)[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out.append(pooled / np.clip(norms, 1e-12, None))
        return np.ascontiguousarray(np.concatenate(out), dtype=np.float32)


def _max_seq_length(model_dir: str) -> int:
    try:
        with open(os.path.join(model_dir, "sentence_bert_config.json"), encoding="utf-8") as f:
            return int(json.load(f)["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return 256
