"""Peak memory of the score-metric bootstrap at scale (run on demand, not in tests).

    python benchmarks/bench_bootstrap_memory.py [--rows 1000000] [--n-boot 20] [--method percentile]

Each measurement runs in a fresh subprocess and reports its peak resident set size (``ru_maxrss``)
minus the resident size after the synthetic data were built, so the number is the working memory of
:func:`fairmend.stats.stratified_bootstrap_ci` / :func:`fairmend.stats.compare` on ROC AUC, Brier and
ECE (synthetic data: two groups, scores with 6 decimals, labels drawn from the scores). Working memory
per resample chunk is bounded by ``fairmend.stats._engine.MAX_BYTES``, so the peak does not grow with
``--n-boot``; only the time does.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

CHILD = r"""
import json, resource, sys, time
import numpy as np
rows, n_boot, method, kind = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
from fairmend.stats import compare, stratified_bootstrap_ci
rng = np.random.default_rng(0)
g = rng.integers(0, 2, rows)
s = np.round(np.clip(rng.beta(2, 3, rows) + 0.05 * g, 0, 1), 6)
y = (rng.random(rows) < s).astype(int)
s2 = np.round(np.clip(s + rng.normal(0, 0.05, rows), 0, 1), 6)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
metrics = ["roc_auc", "brier", "ece", "ece_difference"]
if kind == "single":
    stratified_bootstrap_ci(y, (s >= 0.5).astype(int), g, metrics, y_score=s, n_boot=n_boot, method=method)
else:
    compare(y, (s >= 0.5).astype(int), (s2 >= 0.5).astype(int), g, scores_before=s, scores_after=s2,
            metrics=metrics, n_boot=n_boot, ci_method=method)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"baseline_mib": base / 1024, "peak_mib": peak / 1024, "seconds": time.perf_counter() - t}))
"""


def measure(rows: int, n_boot: int, method: str, kind: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(rows), str(n_boot), method, kind],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--n-boot", type=int, default=20)
    parser.add_argument("--method", default="percentile", choices=["percentile", "bca"])
    args = parser.parse_args()
    for kind in ("single", "paired"):
        t = time.perf_counter()
        r = measure(args.rows, args.n_boot, args.method, kind)
        print(f"{kind:>7} {args.method:<10} rows={args.rows:,} n_boot={args.n_boot}: peak {r['peak_mib']:.0f} MiB "
              f"(data and interpreter {r['baseline_mib']:.0f} MiB, working {r['peak_mib'] - r['baseline_mib']:.0f} MiB), "
              f"{r['seconds']:.1f} s [{time.perf_counter() - t:.1f} s with start-up]")


if __name__ == "__main__":
    main()
