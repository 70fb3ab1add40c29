"""Recommender speed: cold CLI wall time, index build time, warm in-process latency p50/p95.

Usage: python benchmarks/bench_recommend.py [--repeats N]

Goals (issue): cold ``fairmend recommend "..."`` <= 3 s on a 2-core machine (with the index cached);
warm query p95 <= 50 ms. The query path never imports torch or sentence-transformers: the query runs
through a numpy port of all-MiniLM-L6-v2 (checked against sentence-transformers to 1e-5 in
tests/recommender/test_integration.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUERIES = [
    "Our loan model approves fewer women; we cannot retrain it",
    "equal opportunity for a hiring classifier trained with a constraint",
    "monitor the fairness of a deployed model over time",
    "rank job candidates fairly in search results",
    "calibrate risk scores per group after training",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    cache = Path(tempfile.mkdtemp(prefix="fairmend-bench-"))
    env = dict(os.environ, FAIRMEND_CACHE_DIR=str(cache))
    exe = [sys.executable, "-m", "fairmend", "recommend"]
    try:
        from fairmend.recommender import Recommender

        os.environ["FAIRMEND_CACHE_DIR"] = str(cache)
        t0 = time.perf_counter()
        rec = Recommender()
        rec._ready()
        build = time.perf_counter() - t0
        print(f"index build (no cache): {build:.2f} s  [embedding {rec.index_.build_seconds:.2f} s, "
              f"{len(rec.techniques_)} techniques]")
        colds = []
        for i in range(args.repeats):
            t0 = time.perf_counter()
            subprocess.run(exe + [QUERIES[i % len(QUERIES)]], env=env, check=True, capture_output=True)
            colds.append(time.perf_counter() - t0)
        print(f"cold CLI (cached index): median {statistics.median(colds):.2f} s, max {max(colds):.2f} s")
        rec = Recommender()
        rec.recommend(QUERIES[0])  # load the cached index and the model weights
        lat = []
        for i in range(100):
            t0 = time.perf_counter()
            rec.recommend(QUERIES[i % len(QUERIES)])
            lat.append((time.perf_counter() - t0) * 1000)
        lat.sort()
        print(f"warm query latency: p50 {lat[49]:.1f} ms, p95 {lat[94]:.1f} ms")
    finally:
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
