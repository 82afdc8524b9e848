"""SQLite and PostgreSQL side by side: prints one JSON document (run: .venv/bin/python bench/backends.py).

For each --sizes archive (synthetic, as bench/search.py builds them):

- ingest without embedding into a fresh database, median seconds over --runs;
- warm `ask` latency p50/p95 (question to ranked JSON, in process, the ONNX
  query encoder) over the same archive on each backend (vectors: the seed's
  own 25 embedded with the real model, the rest random unit vectors; the
  SQLite archive is copied to PostgreSQL with `almanac db copy`'s code);
- and the evaluation figures of tests/eval_questions.py on the 25-entry seed
  on each backend (they must be the same).

PostgreSQL is a private server started for the run (tests/postgres_server.py,
initdb as the postgres user when root; durability off, as for the tests), or
--postgres URL (a database the bench may fill and empty).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from bench.search import SEED, fresh_db, latency, synthetic_source  # noqa: E402
from almanac.embeddings import document_text, load_embedder  # noqa: E402
from almanac.entry import assign_ids  # noqa: E402
from almanac.ingest import ingest  # noqa: E402
from almanac.search import Searcher  # noqa: E402
from almanac.sources import read_source  # noqa: E402
from almanac.store import Store  # noqa: E402
from almanac.store.copying import copy_store  # noqa: E402
from tests.eval_questions import evaluate  # noqa: E402
from tests.postgres_server import PostgresServer  # noqa: E402


def ingest_seconds(target: str, src: str, work: str) -> float:
    with Store(target) as store:
        t0 = time.perf_counter()
        report = ingest(store, [src], work)
        took = time.perf_counter() - t0
        assert not report.problems
    return took


def add_vectors(db: str, embedder) -> None:
    """Real vectors for the seed's entries, random unit vectors for the rest (embedding 10,000 takes minutes)."""
    seed_ids = {e.id for e in assign_ids(read_source(SEED))}
    rng = np.random.default_rng(1)
    with Store(db) as store:
        missing = store.entries_missing_vectors(embedder.model_name)
        real = [e for e in missing if e.id in seed_ids]
        vectors = embedder.encode([document_text(e) for e in real])
        store.save_vectors(embedder.model_name, [(e.id, e.content_hash, v) for e, v in zip(real, vectors)])
        rest = [e for e in missing if e.id not in seed_ids]
        for start in range(0, len(rest), 5000):
            batch = rest[start:start + 5000]
            vecs = rng.standard_normal((len(batch), embedder.dims)).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            store.save_vectors(embedder.model_name, [(e.id, e.content_hash, v) for e, v in zip(batch, vecs)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", default="/tmp/almanac-bench-backends")
    parser.add_argument("--postgres", metavar="URL", help="use this database instead of a private server")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)

    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
    server = None if args.postgres else PostgresServer().start()
    try:
        embedder = load_embedder("")
        from almanac.onnx_encoder import export, load_exported

        cache = os.path.join(args.work, "xdg-cache", "almanac")
        export(embedder, cache)
        onnx = load_exported(cache, "", embedder.model_name)
        out: dict = {"cpu_count": os.cpu_count(), "load_average_at_start": os.getloadavg()[0], "runs": args.runs,
                     "sizes": {}}
        for n in [int(s) for s in args.sizes.split(",") if s]:
            src = os.path.join(args.work, f"archive-{n}.txt")
            synthetic_source(src, n)
            db = os.path.join(args.work, f"archive-{n}.db")
            times: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
            for _ in range(args.runs):
                fresh_db(db)
                times["sqlite"].append(ingest_seconds(db, src, args.work))
                url = args.postgres or server.new_database()
                times["postgresql"].append(ingest_seconds(url, src, args.work))
                if server:
                    server.drop_database(url)
            add_vectors(db, embedder)
            url = args.postgres or server.new_database()
            with Store(db) as a, Store(url) as b:
                copy_store(a, b, force=True)
            result = {"ingest_no_embed_seconds_median": {k: round(statistics.median(v), 3) for k, v in times.items()},
                      "warm_ask": {"sqlite": latency(db, onnx, args.runs), "postgresql": latency(url, onnx, args.runs)}}
            ing = result["ingest_no_embed_seconds_median"]
            result["ratios_postgresql_to_sqlite"] = {
                "ingest": round(ing["postgresql"] / ing["sqlite"], 2),
                "warm_ask_p50": round(result["warm_ask"]["postgresql"]["p50_ms"] / result["warm_ask"]["sqlite"]["p50_ms"], 2),
            }
            if n == 25:
                with Store(db) as a, Store(url) as b:
                    qa, qb = evaluate(Searcher(a, embedder)), evaluate(Searcher(b, embedder))
                figures = ("r_at_1", "r_at_3", "answered", "off_topic_refused")
                out["quality"] = {"sqlite": {k: qa[k] for k in figures}, "postgresql": {k: qb[k] for k in figures},
                                  "same_answers_every_question": qa["rows"] == qb["rows"]}
            if server:
                server.drop_database(url)
            out["sizes"][str(n)] = result
            print(f"# {n} done", file=sys.stderr, flush=True)
        out["load_average_at_end"] = os.getloadavg()[0]
    finally:
        if server:
            server.stop()
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
