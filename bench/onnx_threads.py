"""Benchmark: how many onnxruntime threads encode one question fastest, idle and beside a busy process.

A question is encoded on the asking thread (the bot's worker thread, the web
server's, `almanac ask`), one at a time, on a machine that also runs other
work. This compares, in the same runs and interleaved (the machine is shared:
only a comparison in one run means much):

- `one_thread`: one onnxruntime thread;
- `two_spinning`: two threads that spin while they wait for work (onnxruntime's default);
- `two_waiting`: two threads that sleep while they wait (`allow_spinning` 0; what ships,
  `almanac.onnx_encoder.QUERY_THREADS`).

Each variant encodes the seed's evaluation questions one by one; a run's figure
is the p50 in ms, and the JSON gives the median over --runs runs, first on an
idle machine, then while --busy processes each keep a core busy (plain Python
loops, ended when the measurement ends).

    .venv/bin/python bench/onnx_threads.py [--runs 5] [--busy 1] [--work /tmp/almanac-bench]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from almanac.embeddings import bundled_model_path, load_embedder  # noqa: E402
from almanac.onnx_encoder import OnnxEmbedder, export  # noqa: E402
from tests.eval_questions import OFF_TOPIC, ON_TOPIC  # noqa: E402

VARIANTS = {"one_thread": (1, True), "two_spinning": (2, True), "two_waiting": (2, False)}


def spin_until(deadline: float) -> None:
    """Keep one core busy until `deadline` (time.time()), then stop by itself."""
    while time.time() < deadline:
        pass


def p50_ms(encoder: OnnxEmbedder, questions: list[str]) -> float:
    samples = []
    for q in questions:
        t = time.perf_counter()
        encoder.encode([q])
        samples.append((time.perf_counter() - t) * 1000)
    return float(np.percentile(samples, 50))


def measure(encoders: dict[str, OnnxEmbedder], questions: list[str], runs: int) -> dict:
    """Median over runs of each variant's p50, the variants taking turns within each run."""
    per_run: dict[str, list[float]] = {name: [] for name in encoders}
    for run in range(runs):
        order = list(encoders) if run % 2 == 0 else list(reversed(encoders))
        for name in order:
            per_run[name].append(p50_ms(encoders[name], questions))
    return {name: {"p50_ms_median": round(statistics.median(v), 2), "p50_ms_runs": [round(x, 2) for x in v]}
            for name, v in per_run.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--busy", type=int, default=1, help="processes that each keep a core busy in the second part")
    parser.add_argument("--work", default="/tmp/almanac-bench")
    args = parser.parse_args()

    embedder = load_embedder("")
    path = export(embedder, os.path.join(args.work, "xdg-cache", "almanac"))
    model_dir = bundled_model_path()
    encoders = {name: OnnxEmbedder(path, model_dir, embedder.model_name, threads=threads, spin=spin)
                for name, (threads, spin) in VARIANTS.items()}
    questions = [q for q, _ in ON_TOPIC] + OFF_TOPIC
    reference = encoders["one_thread"].encode(questions)
    for name, encoder in encoders.items():  # the same vectors, whatever the threads
        assert np.allclose(encoder.encode(questions), reference, atol=1e-5), name
        p50_ms(encoder, questions[:20])  # warm up
    out = {"cpu_count": os.cpu_count(), "load_average_at_start": os.getloadavg()[0],
           "questions": len(questions), "runs": args.runs, "idle": measure(encoders, questions, args.runs)}
    # Bounded: the busy processes stop by themselves after a generous deadline, and are ended
    # as soon as the measurement is done.
    deadline = time.time() + 300
    busy = [multiprocessing.Process(target=spin_until, args=(deadline,), daemon=True) for _ in range(args.busy)]
    for p in busy:
        p.start()
    try:
        out[f"beside_{args.busy}_busy"] = measure(encoders, questions, args.runs)
    finally:
        for p in busy:
            p.terminate()
            p.join()
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
