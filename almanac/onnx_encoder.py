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

The graph is exported with the attention computed eagerly (torch's
scaled_dot_product_attention exports as a pattern onnxruntime's optimizer
does not recognise) and fused by onnxruntime's transformer optimizer: each
layer's attention becomes one Attention node, the embeddings one
EmbedLayerNormalization, residual + LayerNorm SkipLayerNormalization, bias +
GELU BiasGelu (fp32 throughout: no quantisation, no fp16). The graph shrinks
from ~900 nodes to 46: a question encodes 6-10% faster (a whole search at
10,000 entries ~4%) and a session opens in ~40 ms instead of ~100
(onnxruntime no longer rewrites 900 nodes at every start). Vectors stay
within 3e-7 of sentence-transformers' (as the unfused export's did). The
export checks the fused graph against the unfused one and keeps the unfused
graph if they differ (a model the bert fusions misread). An export of the
second format (unfused) keeps working, without torch, until a process that
loads the model anyway re-exports it (`upgrade`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import threading

import numpy as np

log = logging.getLogger(__name__)

#: Bump when the export format changes, so stale cache files are not reused.
#: 1: one .onnx file; 2: the weights in a .data file beside it; 3: as 2, the graph fused (see the
#: module docstring).
EXPORT_VERSION = 3
#: Most a fused graph's output may differ from the unfused one's before the export keeps the latter
#: (fusion moves floats by ~1e-6; a misread pattern by far more).
FUSION_TOLERANCE = 1e-4


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
    """Export a loaded `SentenceTransformerEmbedder` to ONNX, fused (once); return the file's path.

    Written to a temporary name and renamed, so a concurrent reader never sees
    half a file. Raises OnnxUnavailable for pipelines this module cannot reproduce.
    """
    model_dir = getattr(st_embedder, "path", None)
    if not model_dir or not _pipeline_supported(model_dir):
        raise OnnxUnavailable(f"{st_embedder.model_name}: only local Transformer + mean pooling models are exported")
    target = cache_path(cache_dir, model_dir)
    if os.path.exists(target):
        return target
    os.makedirs(cache_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix=".export-", dir=cache_dir)
    try:
        unfused = os.path.join(work, "unfused.onnx")
        sample = _export_graph(st_embedder, unfused, eager_attention=True)
        fused = _fuse(unfused, os.path.join(work, "fused.onnx"), st_embedder.model[0].auto_model.config, sample)
        _save_with_weights_beside(fused or unfused, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log.info("exported %s to %s", st_embedder.model_name, target)
    return target


def upgrade(st_embedder, cache_dir: str) -> str | None:
    """Export the model again when the cache holds only an older format's export (path, or None).

    For a process that has loaded sentence-transformers anyway (torch paid for):
    an older export keeps answering, but only an export made with torch can be
    fused, so the next process that loads the model makes it.
    """
    model_dir = getattr(st_embedder, "path", None)
    if not model_dir or os.path.exists(cache_path(cache_dir, model_dir)):
        return None
    if not any(os.path.exists(cache_path(cache_dir, model_dir, version=v)) for v in range(1, EXPORT_VERSION)):
        return None
    return export(st_embedder, cache_dir)


def _export_graph(st_embedder, path: str, eager_attention: bool) -> dict:
    """`torch.onnx.export` of the model's transformer to one file at `path`; returns the sample
    batch it traced (numpy arrays by input name).

    `eager_attention`: trace attention as matrix products and a softmax (the pattern the
    transformer optimizer fuses) rather than scaled_dot_product_attention; the model is put
    back as it was, since it may go on embedding documents in this process.
    """
    import warnings

    import torch

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
    was = getattr(hf.config, "_attn_implementation", None)
    switch = eager_attention and was not in (None, "eager") and hasattr(hf, "set_attn_implementation")
    try:
        if switch:
            hf.set_attn_implementation("eager")
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _LastHiddenState(hf),
                tuple(sample[n] for n in names),
                path,
                input_names=names,
                output_names=["last_hidden_state"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
    finally:
        if switch:
            hf.set_attn_implementation(was)
    return {n: sample[n].numpy() for n in names}


def _fuse(unfused: str, fused: str, config, sample: dict) -> str | None:
    """Write the graph in the file `unfused`, fused by onnxruntime's transformer optimizer, to the
    file `fused` and return its path; None when fusion fails or changes the output on `sample`
    (see FUSION_TOLERANCE)."""
    try:
        from onnxruntime.transformers.optimizer import optimize_model

        heads = int(getattr(config, "num_attention_heads", 0) or 0)
        hidden = int(getattr(config, "hidden_size", 0) or 0)
        # opt_level 0: only the optimizer's own fusions, no onnxruntime pass (whose output may hold
        # layouts for this machine's CPU); onnxruntime still optimises the graph when a session opens.
        with _only_warnings_from_onnxruntime():
            optimize_model(unfused, model_type="bert", num_heads=heads, hidden_size=hidden,
                           opt_level=0).save_model_to_file(fused)
        difference = _largest_difference(unfused, fused, sample)
    except Exception as exc:  # an optimisation only: the unfused graph answers as well
        log.warning("cannot fuse the ONNX export (%s); keeping it unfused", exc)
        return None
    if not difference <= FUSION_TOLERANCE:
        log.warning("the fused ONNX export differs from the unfused one by %.2g; keeping it unfused", difference)
        return None
    return fused


@contextlib.contextmanager
def _only_warnings_from_onnxruntime():
    """The optimizer's modules log every pattern they try at DEBUG, with a stack trace each:
    megabytes on stderr under `almanac -v` (enough to fill a pipe and stall the bot that is
    exporting). Their loggers are named after their modules, some as top-level modules."""
    import onnxruntime

    package = os.path.dirname(onnxruntime.__file__)
    loggers = [logging.getLogger(name) for name, module in list(sys.modules.items())
               if (getattr(module, "__file__", None) or "").startswith(package)]
    levels = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in levels:
            logger.setLevel(level)


def _largest_difference(a: str, b: str, feeds: dict) -> float:
    """Largest absolute difference of two graphs' last_hidden_state on `feeds`, at real (unpadded)
    tokens (inf if the second's are not all finite). One session at a time: the exporting process
    holds torch already."""
    import onnxruntime as ort

    outputs = []
    for path in (a, b):
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        names = {i.name for i in session.get_inputs()}
        outputs.append(session.run(None, {k: v for k, v in feeds.items() if k in names})[0])
        del session
    real = feeds["attention_mask"].astype(bool)
    if not np.isfinite(outputs[1][real]).all():
        return float("inf")
    return float(np.abs(outputs[0][real] - outputs[1][real]).max())


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
    return OnnxEmbedder(_usable_export(cache_dir, model), model, model_name)


def _usable_export(cache_dir: str, model_dir: str) -> str:
    """The export to run: the current format's; else the second's (unfused: it still answers, see
    `upgrade`); else the first's, converted to the second (weights beside) without torch."""
    path = cache_path(cache_dir, model_dir)
    if os.path.exists(path):
        return path
    second = cache_path(cache_dir, model_dir, version=2)
    if os.path.exists(second):
        return second
    first_format = cache_path(cache_dir, model_dir, version=1)
    if os.path.exists(first_format):
        try:
            _save_with_weights_beside(first_format, second)
            log.info("converted %s to %s (weights beside it)", first_format, second)
        except Exception as exc:  # the old file stays usable as a source for a fresh export
            raise OnnxUnavailable(f"{first_format}: cannot convert ({exc})") from None
        return second
    return path  # none: OnnxEmbedder says so


#: onnxruntime threads that encode one question (at most the machine's cores). Two that do not
#: spin while they wait: a question took 2.5-2.7 ms against 3.2-3.7 with one thread on two idle
#: cores, and 3.0-3.2 against 3.2-4.4 while another process kept a core busy, when two spinning
#: threads took 5.5-7.4 ms (bench/onnx_threads.py, medians of 5 runs, two runs).
QUERY_THREADS = min(2, os.cpu_count() or 1)


class OnnxEmbedder:
    """Encodes like sentence-transformers' Transformer + mean Pooling + Normalize, via onnxruntime."""

    def __init__(self, onnx_path: str, model_dir: str, model_name: str, max_seq_length: int | None = None,
                 threads: int = QUERY_THREADS, spin: bool = False):
        """`threads`, `spin`: onnxruntime's threads for one call and whether they spin while they
        wait (what bench/onnx_threads.py compares)."""
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise OnnxUnavailable(f"onnxruntime/tokenizers missing: {exc}") from None
        if not os.path.exists(onnx_path):
            raise OnnxUnavailable(f"{onnx_path} does not exist")
        self.model_name = model_name
        #: The export it runs (which format: see `cache_path`).
        self.path = onnx_path
        if max_seq_length is None:
            max_seq_length = _max_seq_length(model_dir)
        self.tokenizer = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_seq_length)
        pad_id = self.tokenizer.token_to_id("[PAD]") or 0
        self.tokenizer.enable_padding(pad_id=pad_id, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        if not spin:
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self.session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self.session.get_inputs()}
        self.dims = int(self.session.get_outputs()[0].shape[-1])
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        """One normalised vector a text, in the order given.

        The texts are batched by length (as sentence-transformers does): a batch pads to its
        longest text, so mixed lengths spend most of the work on padding. 572 of the evaluation
        archives' entry texts and sentences took 42.9 s in the order given, 16.1 s sorted, with
        the same vectors (entries a question finds unembedded are encoded here).
        """
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        strings = [str(t) for t in texts]
        order = sorted(range(len(strings)), key=lambda i: len(strings[i]))
        by_length = [strings[i] for i in order]
        out = []
        for start in range(0, len(by_length), 32):
            batch = self.tokenizer.encode_batch(by_length[start : start + 32])
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
        vectors = np.empty((len(texts), out[0].shape[1]), dtype=np.float32)
        vectors[order] = np.concatenate(out)
        return vectors


def _max_seq_length(model_dir: str) -> int:
    try:
        with open(os.path.join(model_dir, "sentence_bert_config.json"), encoding="utf-8") as f:
            return int(json.load(f)["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return 256
