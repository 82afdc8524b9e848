"""The composition root: builds the parts from the configuration, once, on demand.

`almanac.cli` creates one `App` per invocation and hands it to the command
handler; everything a command needs (the store, the embedder, the searcher,
publishers) is built here and passed explicitly into constructors. No other
module reads configuration or the environment.
"""

from __future__ import annotations

import functools
import os
import typing
from dataclasses import dataclass, field

from almanac.config import Config, Secrets, resolve_path
from almanac.store import Store, StoreError, is_postgres
from almanac.store.database import redact


@dataclass
class App:
    config: Config
    secrets: Secrets
    db_path: str
    #: The process environment (holds DISCORD_TOKEN and webhook URLs: never in repr).
    env: typing.Mapping[str, str] = field(default_factory=dict, repr=False)
    #: The command only reads the archive (`ask`, `list`, ...): a SQLite file that does not
    #: exist is an error, not a new empty database.
    reads_only: bool = False
    _closers: list = field(default_factory=list, repr=False)

    @classmethod
    def build(cls, config: Config, env: typing.Mapping[str, str], db_override: str | None = None,
              reads_only: bool = False) -> App:
        """--db, then $ALMANAC_DB, then $DATABASE_URL (as Procfile hosts set it), then [archive] db.

        Each is a SQLite file (a relative [archive] db is relative to the config
        file) or a postgresql:// URL; the store picks its backend from that, once.
        """
        given = db_override or env.get("ALMANAC_DB") or env.get("DATABASE_URL")
        db_path = given or config.archive.db
        if not given and not is_postgres(db_path):
            # Only the config file's own value is relative to it; --db and the environment are
            # relative to where the command runs, even when they happen to read the same.
            db_path = resolve_path(config, db_path)
        return cls(config=config, secrets=Secrets.from_env(env), db_path=db_path, env=env, reads_only=reads_only)

    @functools.cached_property
    def store(self) -> Store:
        if self.reads_only and not is_postgres(self.db_path) and not os.path.exists(self.db_path):
            # Opening creates the file: a mistyped --db left an empty database behind that later
            # commands (a build, `serve`) took for the archive, and "the archive is empty" hid the typo.
            raise StoreError(f"{redact(self.db_path)}: no database here; run `almanac ingest` to create it, "
                             "or check --db / $ALMANAC_DB / [archive] db")
        store = Store(self.db_path)
        self._closers.append(store.close)
        return store

    @property
    def read_limits(self):
        """How much of a source may be read, and for how long: [archive] max_source_mb, fetch_timeout_seconds."""
        from almanac.sources.reading import MB, ReadLimits

        archive = self.config.archive
        return ReadLimits(max_bytes=int(archive.max_source_mb * MB), fetch_deadline_s=archive.fetch_timeout_seconds)

    def source_specs(self, override: list[str] | None = None) -> list[str]:
        """The sources to ingest: those named on the command line, else the config's."""
        return list(override) if override else list(self.config.archive.sources)

    @property
    def base_dir(self) -> str:
        """Sources given on the command line are relative to where the user is."""
        return self.config.base_dir

    @functools.cached_property
    def embedder(self):
        """The configured sentence-transformers model (loaded on first use: it is slow).

        Having paid for torch, it also replaces an ONNX export of an older format
        (which keeps answering questions, more slowly) with the current one."""
        from almanac.embeddings import load_embedder

        embedder = load_embedder(self._model_spec())
        if self.config.search.onnx:
            import logging

            from almanac.onnx_encoder import upgrade

            try:
                upgrade(embedder, self.onnx_cache_dir)
            except Exception as exc:  # an optimisation only: never fail a command over it
                logging.getLogger(__name__).info("cannot re-export %s to ONNX (%s)", embedder.model_name, exc)
        return embedder

    @functools.cached_property
    def searcher(self):
        """The searcher: questions encoded by `query_embedder`; missing vectors by `embed_missing`."""
        from threadpoolctl import threadpool_limits

        from almanac.search import Searcher

        # One BLAS thread: the matrix product is small, and torch/onnxruntime and
        # OpenBLAS otherwise fight over the cores.
        threadpool_limits(1, user_api="blas")
        return Searcher(self.store, self.query_embedder, embed_documents=self.embed_missing_for_questions,
                        strictness=self.config.search.strictness, today=self.today,
                        person=self.config.site.author)

    def today(self):
        """Today in [schedule] timezone (what "last year" in a question is relative to)."""
        import datetime as dt

        return dt.datetime.now(self.config.schedule.tz).date()

    def embed_missing_for_questions(self, store: Store) -> int:
        """Embed a few missing entries for a question, with the question encoder.

        When that is the ONNX export, torch is never imported on the question
        path (a process that only answers stays small and fast); the vectors
        are the same model's (cosine > 0.9999 to sentence-transformers).
        """
        return self._embed_missing_with(store, lambda: self.query_embedder, progress=False)

    @functools.cached_property
    def query_embedder(self):
        """How questions are encoded: the model's ONNX export when there is one (no torch
        import: ~1 s and ~250 MB less), else `embedder`, exporting it for the next process."""
        import logging

        log = logging.getLogger(__name__)
        if self.config.search.onnx:
            from almanac.onnx_encoder import OnnxUnavailable, export, load_exported

            try:
                return load_exported(self.onnx_cache_dir, self._model_spec(), self.embedder_name)
            except OnnxUnavailable as exc:
                log.debug("no ONNX export yet: %s", exc)
            embedder = self.embedder
            try:
                export(embedder, self.onnx_cache_dir)
            except Exception as exc:  # an optimisation only: never fail a question over it
                log.info("cannot export %s to ONNX (%s); questions use sentence-transformers", embedder.model_name, exc)
            return embedder
        return self.embedder

    @property
    def onnx_cache_dir(self) -> str:
        """[search] cache_dir, else $XDG_CACHE_HOME/almanac, else ~/.cache/almanac."""
        if self.config.search.cache_dir:
            return resolve_path(self.config, self.config.search.cache_dir)
        base = self.env.get("XDG_CACHE_HOME") or os.path.join(
            self.env.get("HOME") or os.path.expanduser("~"), ".cache"
        )
        return os.path.join(base, "almanac")

    def embed_missing(self, store: Store, stopped=None) -> int:
        """Embed entries lacking a vector for the configured model; return how many.

        Loads the model only when something is missing, and shows a progress bar
        when stderr is a terminal. `stopped()`: asked between batches, true to end early.
        """
        import sys

        return self._embed_missing_with(store, lambda: self.embedder, progress=sys.stderr.isatty(), stopped=stopped)

    def _embed_missing_with(self, store: Store, embedder, progress: bool, stopped=None) -> int:
        """Embed what is missing with `embedder()`, which is only called (loaded) when something is."""
        from almanac.embeddings import embed_missing, missing_count

        if not missing_count(store, self.embedder_name):
            return 0
        return embed_missing(store, embedder(), batch_size=self.config.search.batch_size, progress=progress,
                             stopped=stopped)

    @property
    def embedder_name(self) -> str:
        """The name vectors of the configured model are stored under, without loading it."""
        from almanac.embeddings import BUNDLED_MODEL

        return self._model_spec() or BUNDLED_MODEL

    def _model_spec(self) -> str:
        """[search] model, as a path relative to the config file when it names one."""
        model = self.config.search.model
        if model and not os.path.isabs(model) and os.path.exists(resolve_path(self.config, model)):
            return resolve_path(self.config, model)
        return model

    def close(self) -> None:
        while self._closers:
            self._closers.pop()()
