"""SQLite and PostgreSQL side by side: prints one JSON document (run: .venv/bin/python bench/backends.py).

For each --sizes archive (synthetic, as bench/search.py builds them):

- ingest without embedding into a fresh database, median seconds over --runs
  (the backends take turns, run by run);
- warm `ask` latency p50/p95 (question to ranked JSON, in process, the ONNX
  query encoder) over the same archive on each backend, built as a user
  builds it: `ingest` of the same source, then the same vectors (whole-entry
  and title-and-sentence ones, as bench/search.py makes them: the seed's own
  25 embedded with the real model, the rest random unit vectors). The
  backends take turns pass by pass (each pass asks every question once), so
  a burst of load on a shared machine falls on both; the ratio is reported
  per pass too;
- the same answers on both (every question's ranked ids and scores to 6
  places, at every size);
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

from bench.search import build, fresh_db, synthetic_source  # noqa: E402
from almanac.embeddings import load_embedder, parts_model  # noqa: E402
from almanac.ingest import ingest  # noqa: E402
from almanac.search import Searcher  # noqa: E402
from almanac.store import Store  # noqa: E402
from tests.eval_questions import OFF_TOPIC, ON_TOPIC, evaluate  # noqa: E402
from tests.postgres_server import PostgresServer  # noqa: E402


def ingest_seconds(target: str, src: str, work: str) -> float:
    with Store(target) as store:
        t0 = time.perf_counter()
        report = ingest(store, [src], work)
        took = time.perf_counter() - t0
        assert not report.problems
    return took


def same_vectors(src: str, dst: str, model: str) -> None:
    """The vectors of `src` (whole-entry and parts) saved into `dst`, which holds the same entries."""
    with Store(src) as a, Store(dst) as b:
        hashes = {e.id: e.content_hash for e in a.entries()}
        ids, matrix = a.vectors(model)
        b.save_vectors(model, [(i, hashes[i], v) for i, v in zip(ids, matrix)])
        for start in range(0, len(ids), 2000):
            blocks = a.vector_blocks(parts_model(model), {i: hashes[i] for i in ids[start:start + 2000]})
            b.save_vectors(parts_model(model), [(i, hashes[i], v) for i, v in blocks.items()])


def answers(searcher: Searcher, questions: list[str]) -> list:
    """What each question answers: ranked ids with scores to 6 places (a rounding is no difference)."""
    return [[(h.entry.id, round(h.score, 6)) for h in searcher.search(q).hits] for q in questions]


def warm_ask(targets: dict[str, str], embedder, runs: int) -> dict:
    """Warm `ask` latency on each target, the targets taking turns pass by pass."""
    questions = [q for q, _ in ON_TOPIC] + OFF_TOPIC
    stores = {label: Store(target) for label, target in targets.items()}
    try:
        searchers = {label: Searcher(store, embedder) for label, store in stores.items()}
        out: dict = {label: {"questions": len(questions), "runs": runs} for label in targets}
        for label, searcher in searchers.items():
            t0 = time.perf_counter()
            json.dumps(searcher.search("warm up").to_json())
            out[label]["first_query_incl_load_s"] = round(time.perf_counter() - t0, 3)
            answers(searcher, questions)  # every question once before timing (the searcher's per-version caches)
        passes: dict[str, dict[str, list[float]]] = {label: {"p50": [], "p95": [], "cpu50": []} for label in targets}
        order = list(targets)
        for run in range(runs):
            for label in order if run % 2 == 0 else order[::-1]:
                samples, cpu = [], []
                for q in questions:
                    t, c = time.perf_counter(), time.thread_time()
                    json.dumps(searchers[label].search(q).to_json())
                    samples.append((time.perf_counter() - t) * 1000)
                    cpu.append((time.thread_time() - c) * 1000)
                passes[label]["p50"].append(float(np.percentile(samples, 50)))
                passes[label]["p95"].append(float(np.percentile(samples, 95)))
                passes[label]["cpu50"].append(float(np.percentile(cpu, 50)))
        for label, p in passes.items():
            out[label].update(p50_ms=round(statistics.median(p["p50"]), 2), p95_ms=round(statistics.median(p["p95"]), 2),
                              cpu_p50_ms=round(statistics.median(p["cpu50"]), 2),
                              p50_ms_per_pass=[round(x, 2) for x in p["p50"]])
        first, second = order
        out["ratio_p50_per_pass"] = [round(b / a, 2) for a, b in zip(passes[first]["p50"], passes[second]["p50"])]
        reference = answers(searchers[first], questions)
        out["same_answers"] = answers(searchers[second], questions) == reference
        return out
    finally:
        for store in stores.values():
            store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25,10000")
    parser.add_argument("--runs", type=int, default=3, help="ingest runs, and passes over the questions")
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
            db = os.path.join(args.work, f"ingest-{n}.db")
            times: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
            for _ in range(args.runs):
                fresh_db(db)
                times["sqlite"].append(ingest_seconds(db, src, args.work))
                url = args.postgres or server.new_database()
                times["postgresql"].append(ingest_seconds(url, src, args.work))
                if server:
                    server.drop_database(url)
            fresh_db(db)
            # The archive to ask: built and vectors made on SQLite as bench/search.py builds it, then the
            # same source ingested into PostgreSQL and the same vectors saved there.
            info = build(args.work, n, embedder, synthesise=n >= 10_000, fresh=True)
            url = args.postgres or server.new_database()
            ingest_seconds(url, src, args.work)
            same_vectors(info["db"], url, embedder.model_name)
            asked = warm_ask({"sqlite": info["db"], "postgresql": url}, onnx, args.runs)
            result = {"ingest_no_embed_seconds_median": {k: round(statistics.median(v), 3) for k, v in times.items()},
                      "ingest_no_embed_seconds_all": {k: [round(t, 3) for t in v] for k, v in times.items()},
                      "warm_ask": asked}
            ing = result["ingest_no_embed_seconds_median"]
            result["ratios_postgresql_to_sqlite"] = {
                "ingest": round(ing["postgresql"] / ing["sqlite"], 2),
                "ingest_per_run": [round(b / a, 2) for a, b in zip(times["sqlite"], times["postgresql"])],
                "warm_ask_p50": round(asked["postgresql"]["p50_ms"] / asked["sqlite"]["p50_ms"], 2),
                "warm_ask_p50_per_pass": asked.pop("ratio_p50_per_pass"),
            }
            if n == 25:
                with Store(info["db"]) as a, Store(url) as b:
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
