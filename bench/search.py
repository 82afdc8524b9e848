"""Search benchmark: prints one JSON document (run: .venv/bin/python bench/search.py).

Builds synthetic archives by recombining the seed's sentences (25, 10,000
and 100,000 entries; from 10,000 on the vectors are synthesised, because
embedding that many takes over half an hour on two cores) and reports, as
medians over --runs runs where a run is cheap enough to repeat:

- warm query latency p50/p95 (question to ranked JSON, in process) per size;
- ingest + embed throughput (entries/s) on a fresh 1,000-entry archive, and
  the one-off build of the 10,000 archive;
- re-ingest of the unchanged 10,000 archive (seconds; must embed nothing);
- the cold start of `almanac ask` (process start to answer) and its peak RSS;
- this process's peak RSS;
- the evaluation table, one row per archive (tests/eval/ and the seed's
  tests/eval_questions.py): R@1, R@3, answered, off-topic refused (unrelated
  and near the archive's field), filter questions listed completely, each
  from ranking weights, decision model and strictness chosen on the OTHER
  archives (leave-one-archive-out), and kind inference per archive.
  `--fit` also fits them on every archive: what ships in almanac/search/.
  `--held-out DIR` instead scores the archives in DIR (tests/eval_unseen/, kept
  out of every fit, or your own in the same layout) with the shipped settings.

Archives are cached under --work (default /tmp/almanac-bench) so a second
run does not re-embed 10,000 entries; --fresh rebuilds them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from almanac.embeddings import embed_missing, load_embedder, missing_count, parts_model  # noqa: E402
from almanac.text import entry_parts  # noqa: E402
from almanac.entry import assign_ids  # noqa: E402
from almanac.ingest import ingest  # noqa: E402
from almanac.search import Searcher  # noqa: E402
from almanac.search.decide import DEFAULT_MODEL  # noqa: E402
from almanac.search.fuse import FusionWeights  # noqa: E402
from almanac.search.searcher import DEFAULT_STRICTNESS  # noqa: E402
from almanac.sources import read_source  # noqa: E402
from almanac.store import Store  # noqa: E402
from tests.eval_questions import OFF_TOPIC, ON_TOPIC  # noqa: E402

SEED = os.path.join(REPO, "data", "entries.txt")
ALMANAC = os.path.join(os.path.dirname(sys.executable), "almanac")
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def synthetic_source(path: str, n: int, seed: int = 7) -> None:
    """Write an n-entry seed-format file: the seed itself, then recombined entries."""
    seed_entries = read_source(SEED)
    rng = random.Random(seed)
    sentences = [s for e in seed_entries for s in re.split(r"(?<=[.!?])\s+", e.summary) if len(s) > 20]
    title_words = [w for e in seed_entries for w in e.title.replace("/", " ").split()]
    with open(SEED, encoding="utf-8") as f:
        head = f.read().rstrip("\n") + "\n"
    lines = [head] if n >= 25 else []
    for i in range(max(0, n - 25)):
        title = " ".join(rng.sample(title_words, 5)) + f" (part {i})"
        date = f"{rng.choice(MONTHS)} {rng.randint(2005, 2025)}"
        summary = " ".join(rng.sample(sentences, rng.randint(2, 4)))
        lines.append(f"{title} / {date}\n{summary}\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(lines))


def embed_missing_list(store, embedder, entries) -> None:
    """Real whole and part vectors for `entries` (the seed's own, so answers stay meaningful)."""
    missing = {e.id for e in entries}
    embed_missing(_Only(store, missing), embedder)


class _Only:
    """A store seen through to `embed_missing`, limited to some entries."""

    def __init__(self, store, ids: set[str]):
        self.store, self.ids = store, ids

    def entries_missing_vectors(self, model: str):
        return [e for e in self.store.entries_missing_vectors(model) if e.id in self.ids]

    def save_vectors(self, model, items) -> None:
        self.store.save_vectors(model, items)


def fresh_db(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def build(work: str, n: int, embedder, synthesise: bool, fresh: bool) -> dict:
    """The n-entry archive's database (cached); returns timings of the build if it ran."""
    src = os.path.join(work, f"archive-{n}.txt")
    db = os.path.join(work, f"archive-{n}.db")
    if os.path.exists(db) and not fresh:
        return {"db": db, "src": src, "cached": True}
    fresh_db(db)
    synthetic_source(src, n)
    info: dict = {"db": db, "src": src, "cached": False}
    with Store(db) as store:
        t0 = time.perf_counter()
        report = ingest(store, [src], work)
        t1 = time.perf_counter()
        if synthesise:
            rng = np.random.default_rng(1)
            seed_ids = {e.id for e in assign_ids(read_source(SEED))}
            missing = store.entries_missing_vectors(embedder.model_name)
            real = [e for e in missing if e.id in seed_ids]
            missing = [e for e in missing if e.id not in seed_ids]
            embed_missing_list(store, embedder, real)
            for start in range(0, len(missing), 5000):
                batch = missing[start : start + 5000]
                vectors = rng.standard_normal((len(batch), embedder.dims)).astype(np.float32)
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
                store.save_vectors(embedder.model_name, [(e.id, e.content_hash, v) for e, v in zip(batch, vectors)])
                # and each entry's title-and-sentence block, as embed_missing stores it
                blocks = []
                for e in batch:
                    block = rng.standard_normal((len(entry_parts(e.title, e.summary)), embedder.dims))
                    block /= np.linalg.norm(block, axis=1, keepdims=True)
                    blocks.append((e.id, e.content_hash, block.astype(np.float32)))
                store.save_vectors(parts_model(embedder.model_name), blocks)
            # (the seed's own 25 entries get real vectors, so answers stay meaningful)
            info["vectors"] = "synthesised (random unit vectors)"
        else:
            embedded = embed_missing(store, embedder)
            info["vectors"] = f"embedded {embedded} with {embedder.model_name}"
        t2 = time.perf_counter()
    info.update(
        entries=report.total("added"),
        ingest_seconds=round(t1 - t0, 3),
        embed_seconds=round(t2 - t1, 3),
    )
    if not synthesise:
        info["ingest_embed_entries_per_s"] = round(n / (t2 - t0), 1)
    return info


def throughput(work: str, embedder, n: int, runs: int) -> dict:
    """Ingest + embed of a fresh n-entry archive, median entries/s over runs."""
    rates = []
    for run in range(runs):
        src = os.path.join(work, f"throughput-{n}.txt")
        db = os.path.join(work, f"throughput-{n}.db")
        synthetic_source(src, n, seed=100 + run)
        fresh_db(db)
        with Store(db) as store:
            t0 = time.perf_counter()
            report = ingest(store, [src], work, embed=lambda s: embed_missing(s, embedder))
            rates.append(n / (time.perf_counter() - t0))
            assert report.embedded == n
    return {"entries": n, "runs": runs, "entries_per_s_median": round(statistics.median(rates), 1),
            "entries_per_s_all": [round(r, 1) for r in rates]}


def reingest(db: str, src: str, work: str, embedder, runs: int) -> dict:
    """Re-ingesting the archive unchanged, timed `runs` times: nothing is stored or embedded.

    A cached archive was stored by the code of its day: after a change to how entries are read (an
    inferred kind), one untimed ingest first stores what this code reads (`settled` reports how many
    entries it changed and embedded). It changes entries' kinds, not their text, but a vector is kept
    with the hash of the whole entry it was computed for (`almanac.store.vectors`), kind included,
    so those entries are embedded again: 136 of 10,000 when the kind model was refitted at 996f542."""
    # the same path as `almanac ingest`: the model is only consulted when something is missing
    def embed(store):
        return embed_missing(store, embedder) if missing_count(store, embedder.model_name) else 0

    times, embedded = [], []
    with Store(db) as store:
        settled = ingest(store, [src], work, embed=embed)
        for _ in range(runs):
            t0 = time.perf_counter()
            report = ingest(store, [src], work, embed=embed)
            times.append(time.perf_counter() - t0)
            embedded.append(report.embedded)
            assert not report.touched
    return {"seconds_median": round(statistics.median(times), 3), "embedded": embedded,
            "settled": {"changed": settled.total("changed"), "embedded": settled.embedded}}


def latency(db: str, embedder, runs: int) -> dict:
    """Warm latency over the bench questions, with the full answers checked against the store's ranking.

    The first question loads the snapshot; the second question with words the archive holds reads
    the full-text postings into it (`index_load_s`, that question included; almanac/search/snapshot.py). Percentiles are medians over runs;
    `first_run_*` is the first pass alone (words not yet counted or tokenised for this snapshot).
    The answers (ranked and decided in full, `--explain`) are compared with those of a searcher
    that leaves every question's words to the store (FTS5 or PostgreSQL), and hashed, so two
    versions of the code can be compared by `answers_sha256`.
    """
    questions = [q for q, _ in ON_TOPIC] + OFF_TOPIC
    with Store(db) as store:
        searcher = Searcher(store, embedder)
        t0 = time.perf_counter()
        json.dumps(searcher.search("warm up").to_json())
        load = time.perf_counter() - t0
        searcher.search("unikernels booting on Xen")  # the first question with words the archive has
        t0 = time.perf_counter()
        json.dumps(searcher.search("Xen unikernels that boot").to_json())  # the second: postings read
        index_load = time.perf_counter() - t0
        p50s, p95s, cpu50s, cpu95s = [], [], [], []
        for _ in range(runs):
            samples, cpu = [], []
            for q in questions:
                t, c = time.perf_counter(), time.thread_time()
                json.dumps(searcher.search(q).to_json())
                samples.append((time.perf_counter() - t) * 1000)
                cpu.append((time.thread_time() - c) * 1000)
            p50s.append(float(np.percentile(samples, 50)))
            p95s.append(float(np.percentile(samples, 95)))
            cpu50s.append(float(np.percentile(cpu, 50)))
            cpu95s.append(float(np.percentile(cpu, 95)))
        describing = describing_latency(searcher, runs)
        answers = [searcher.search(q, limit=10).to_json(explain=True) for q in questions]
        by_store = answers_by_store(store, embedder, questions)
    digest = hashlib.sha256(json.dumps(answers, sort_keys=True).encode()).hexdigest()[:16]
    # Wall time suffers when other processes share the cores; CPU time of the
    # querying thread is the steadier measure of the work itself.
    return {"questions": len(questions), "runs": runs, "first_query_incl_load_s": round(load, 3),
            "index_load_s": round(index_load, 3),
            "p50_ms": round(statistics.median(p50s), 2), "p95_ms": round(statistics.median(p95s), 2),
            "cpu_p50_ms": round(statistics.median(cpu50s), 2), "cpu_p95_ms": round(statistics.median(cpu95s), 2),
            "first_run_p50_ms": round(p50s[0], 2), "first_run_cpu_p50_ms": round(cpu50s[0], 2),
            **describing,
            "answers_sha256": digest,
            "same_answers_as_store_ranking": None if by_store is None else by_store == answers}


def describing_latency(searcher, runs: int) -> dict:
    """Warm p50 over questions that describe an item ("the talk where he explained…"), which embed
    what the description says without its frame as well (`Question.content`; none of the bench
    questions above does), and, alternated in the same runs, the same with that second text off."""
    from almanac.search import understand
    from tests.eval.harness import UNRELATED_HELD_OUT

    described = understand.described_content
    with_content, without = [], []
    for i in range(runs * 2):
        on = i % 2 == 0
        understand.described_content = described if on else (lambda text: None)
        try:
            samples = []
            for q in UNRELATED_HELD_OUT:
                t = time.perf_counter()
                json.dumps(searcher.search(q).to_json())
                samples.append((time.perf_counter() - t) * 1000)
        finally:
            understand.described_content = described
        (with_content if on else without).append(float(np.percentile(samples, 50)))
    return {"describing_questions": len(UNRELATED_HELD_OUT),
            "describing_p50_ms": round(statistics.median(with_content), 2),
            "describing_without_content_p50_ms": round(statistics.median(without), 2)}


def answers_by_store(store, embedder, questions: list[str]) -> list[dict] | None:
    """The answers of a searcher that never reads the postings into memory (None where the code has no such index)."""
    from almanac.search import snapshot

    if not hasattr(snapshot, "LEXICAL_INDEX_ON_QUESTION"):
        return None
    saved = snapshot.LEXICAL_INDEX_ON_QUESTION
    snapshot.LEXICAL_INDEX_ON_QUESTION = 10**9
    try:
        searcher = Searcher(store, embedder)
        return [searcher.search(q, limit=10).to_json(explain=True) for q in questions]
    finally:
        snapshot.LEXICAL_INDEX_ON_QUESTION = saved


def encode_ms(embedder, runs: int = 50) -> float:
    samples = []
    for i in range(runs):
        t = time.perf_counter()
        embedder.encode([f"which paper showed unikernels booting on a DNS request {i}?"])
        samples.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(samples), 2)


def cold_start(db: str, runs: int, cache_home: str) -> dict:
    """`almanac ask` as a user runs it: wall time to answer, and the process's peak RSS."""
    times, cpu, rss = [], [], []
    env = {**os.environ, "ALMANAC_DB": db, "XDG_CACHE_HOME": cache_home}
    env.pop("ALMANAC_CONFIG", None)
    for _ in range(runs):
        # /usr/bin/time measures the process from its own small fork: a child forked
        # straight from this big process would report this process's pages as its peak.
        report = os.path.join(os.path.dirname(db), "time.txt")
        t0 = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-o", report, "-f", "%M %U %S", ALMANAC, "ask",
             "which paper showed unikernels booting on a DNS request?", "--json"],
            capture_output=True, env=env, cwd=os.path.dirname(db),
        )
        times.append(time.perf_counter() - t0)
        with open(report) as f:
            max_kb, user, system = f.read().split()[-3:]
        cpu.append(float(user) + float(system))
        rss.append(int(max_kb) / 1024)
        assert proc.returncode == 0 and json.loads(proc.stdout)["answered"], proc.stdout[:200]
    return {"runs": runs, "seconds_median": round(statistics.median(times), 3),
            "cpu_seconds_median": round(statistics.median(cpu), 3),
            "peak_rss_mb_median": round(statistics.median(rss), 1)}


def archive_table(embedder, cache_dir: str, misses: bool, fit_all: bool) -> dict:
    """Leave-one-archive-out figures per archive (see the module docstring)."""
    from tests.eval import harness

    runs, built = harness.evaluate_all(embedder, cache_dir)
    names = list(built)
    table = harness.leave_one_out(runs, names)
    if not misses:
        for row in table.values():
            row["misses"] = len(row["misses"])
    out = {"leave_one_out": table, "kind_inference": harness.kind_accuracy(built),
           # What a user gets: the shipped weights, decision model and strictness. For an archive
           # the shipped settings were fitted on, this flatters; for a new one it is the honest figure.
           "shipped": {n: {k: v for k, v in harness.score(runs[FusionWeights()][n], DEFAULT_MODEL,
                                                        DEFAULT_STRICTNESS).items() if misses or k != "misses"}
                       for n in names}}
    if fit_all:
        weights = harness.choose_weights(runs, names)
        model = harness.fit_model([r for n in names for r in runs[weights][n]])
        strictness = harness.choose_strictness({n: runs[weights][n] for n in names}, model)
        out["fit_on_all"] = {"weights": weights.__dict__, "strictness": strictness,
                             "bias": round(model.bias, 3),
                             "coefficients": {k: round(v, 3) for k, v in model.coefficients.items()}}
    return out


def held_out_table(embedder, directory: str, cache_dir: str, misses: bool) -> dict:
    """Archives that nothing was fitted or chosen on (tests/eval_unseen/, or a folder of your own laid
    out like tests/eval/, or one archive's folder), scored with the shipped weights, decision model
    and strictness: what a new user gets. Rows as in the leave-one-archive-out table; `total` pools
    the archives' questions."""
    import pathlib

    from tests.eval import harness

    folder, names = pathlib.Path(directory), None
    if (folder / "questions.json").exists():  # one archive's own folder
        folder, names = folder.parent, [folder.name]
    elif not harness.archive_names(folder):
        raise SystemExit(f"{directory}: no questions.json in it or in its folders (see tests/eval/README.md)")
    runs, built = harness.evaluate_all(embedder, cache_dir, names, grid=[FusionWeights()], directory=folder)
    rows = {n: harness.score(runs[FusionWeights()][n], DEFAULT_MODEL, DEFAULT_STRICTNESS) for n in built}
    total = {"archives": len(rows), "on_topic": sum(r["on_topic"] for r in rows.values())}
    for key in ("r_at_1", "r_at_3", "answered"):
        total[key] = sum(round(r[key] * r["on_topic"]) for r in rows.values())
    # How many of each archive's off-topic questions each share is of: refused / asked, pooled.
    asked = {"unrelated_refused": dict.fromkeys(rows, len(harness.UNRELATED)),
             "held_out_refused": dict.fromkeys(rows, len(harness.UNRELATED_HELD_OUT)),
             "near_refused": {n: sum(near for _, near in archive.off_topic) for n, (_, archive) in built.items()}}
    for key, count in asked.items():
        total[key] = f"{sum(round((rows[n][key] or 0) * count[n]) for n in rows)}/{sum(count.values())}"
    if not misses:
        for row in rows.values():
            row["misses"] = len(row["misses"])
    return {"shipped": rows, "total": total, "kind_inference": harness.kind_accuracy(built, folder)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25,10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--throughput-entries", type=int, default=1000)
    parser.add_argument("--work", default="/tmp/almanac-bench")
    parser.add_argument("--fresh", action="store_true", help="rebuild cached archives")
    parser.add_argument("--table", action="store_true", help="include every miss in the evaluation table")
    parser.add_argument("--quality-only", action="store_true", help="only the per-archive evaluation table")
    parser.add_argument("--no-table", action="store_true", help="leave out the per-archive evaluation table")
    parser.add_argument("--encoders", default="onnx,sentence_transformers",
                        help="query encoders whose warm latency is measured (onnx, sentence_transformers)")
    parser.add_argument("--fit", action="store_true",
                        help="also choose weights, model and strictness on every archive (what ships)")
    parser.add_argument("--held-out", metavar="DIR",
                        help="only score the archives in DIR (e.g. tests/eval_unseen) with the shipped settings")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)

    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
    t0 = time.perf_counter()
    embedder = load_embedder("")
    out: dict = {"cpu_count": os.cpu_count(), "load_average_at_start": os.getloadavg()[0], "model": embedder.model_name,
                 "model_load_s": round(time.perf_counter() - t0, 2)}
    from almanac.onnx_encoder import export, load_exported

    cache_home = os.path.join(args.work, "xdg-cache")
    export(embedder, os.path.join(cache_home, "almanac"))
    onnx = load_exported(os.path.join(cache_home, "almanac"), "", embedder.model_name)
    if args.held_out:
        out["held_out"] = held_out_table(embedder, args.held_out, os.path.join(args.work, "held-out"), args.table)
        json.dump(out, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    if not args.no_table:
        out["archives"] = archive_table(embedder, os.path.join(args.work, "eval"), args.table, args.fit)
    if args.quality_only:
        json.dump(out, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    out["query_encode_ms_median"] = {"sentence_transformers": encode_ms(embedder), "onnx": encode_ms(onnx)}
    query_embedders = {name: e for name, e in {"onnx": onnx, "sentence_transformers": embedder}.items()
                       if name in args.encoders.split(",")}

    sizes = [int(s) for s in args.sizes.split(",") if s]
    out["sizes"] = {}
    for n in sizes:
        # Embedding 10,000 entries (whole and sentence by sentence) takes most of an hour on
        # two shared cores; latency does not depend on what the vectors hold, so from 10,000
        # on they are synthesised (the seed's own 25 stay real).
        info = build(args.work, n, embedder, synthesise=n >= 10_000, fresh=args.fresh or n == 25)
        result = {"build": {k: v for k, v in info.items() if k not in ("db", "src")}}
        result["warm_query"] = {name: latency(info["db"], e, args.runs) for name, e in query_embedders.items()}
        if n == 10_000:
            result["reingest_unchanged"] = reingest(info["db"], info["src"], args.work, embedder, args.runs)
        if n in (25, 10_000):
            result["cold_start_almanac_ask"] = cold_start(info["db"], args.runs, cache_home)
        out["sizes"][str(n)] = result
        print(f"# {n} done", file=sys.stderr, flush=True)
    if args.throughput_entries:
        out["ingest_embed_throughput"] = throughput(args.work, embedder, args.throughput_entries, args.runs)
    out["load_average_at_end"] = os.getloadavg()[0]
    out["bench_process_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
