"""Scaling of ``fairmend audit --engine dask`` on synthetic prediction logs (run on demand, not in tests).

    python benchmarks/bench_scale.py [--rows 10M,30M,100M] [--partition-rows 2M] [--folder DIR]
                                     [--scheduler ADDRESS] [--keep]

For each size the log is generated partition by partition (``--partition-rows`` rows per Parquet file,
never the whole table in memory) with a planted disparity: protected ``g`` (four groups, strings) and
``h`` (two groups), label ``y`` and decision ``p``. While generating, the script keeps its own numpy
counts per (g, h, y, p); the audit then runs as a separate process,

    fairmend audit --engine dask --data 'DIR/*.parquet' --protected g,h --outcome y --predictions p --json

and the script prints wall time, rows/s and the audit process's peak RSS (``wait4``), and checks every
count metric of the audit (per attribute and intersectional) against the direct numpy computation.
A 10,000-row log is audited first: its time is the fixed cost (start-up, imports, the bootstrap and
permutation draws, which do not depend on the number of rows), and ``marginal rows/s`` divides the rows by
the time beyond it. Time should grow linearly with rows; peak RSS should stay flat (under 4 GB) because
each partition is reduced to a few dozen counts as soon as it is read.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

GROUPS = np.array(["north", "south", "east", "west"])


def _size(text: str) -> int:
    text = text.strip().upper()
    scale = {"K": 1_000, "M": 1_000_000, "G": 1_000_000_000}.get(text[-1], 1)
    return int(float(text[:-1] if text[-1] in "KMG" else text) * scale)


def generate(folder: Path, rows: int, partition_rows: int, seed: int = 0) -> np.ndarray:
    """Write ``rows`` rows as Parquet partitions; returns the counts ``[g, h, y, p]`` of what was written."""
    rng = np.random.default_rng(seed)
    counts = np.zeros((4, 2, 2, 2), dtype=np.int64)
    for i, start in enumerate(range(0, rows, partition_rows)):
        n = min(partition_rows, rows - start)
        g = rng.integers(0, 4, n)
        h = rng.integers(0, 2, n)
        y = (rng.random(n) < 0.25 + 0.1 * g).astype(np.int8)
        p = (rng.random(n) < 0.15 + 0.05 * g + 0.05 * h + 0.4 * y).astype(np.int8)
        counts += np.bincount(((g * 2 + h) * 2 + y) * 2 + p, minlength=32).reshape(4, 2, 2, 2)
        pd.DataFrame({"g": GROUPS[g], "h": h.astype(np.int8), "y": y, "p": p}).to_parquet(
            folder / f"part-{i:05d}.parquet", index=False
        )
    return counts


def numpy_metrics(c: np.ndarray) -> dict[str, float]:
    """Gaps straight from counts ``[group, y, p]`` (no fairmend code)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        sel = (c[:, 0, 1] + c[:, 1, 1]) / c.sum(axis=(1, 2))
        tpr = c[:, 1, 1] / c[:, 1].sum(axis=1)
        fpr = c[:, 0, 1] / c[:, 0].sum(axis=1)
        ppv = c[:, 1, 1] / (c[:, 0, 1] + c[:, 1, 1])
        acc = (c[:, 0, 0] + c[:, 1, 1]) / c.sum(axis=(1, 2))
    gap = lambda r: float(np.nanmax(r) - np.nanmin(r))
    return {
        "demographic_parity_difference": gap(sel),
        "disparate_impact_ratio": float(np.nanmin(sel) / np.nanmax(sel)),
        "equal_opportunity_difference": gap(tpr),
        "predictive_equality_difference": gap(fpr),
        "equalized_odds_difference": max(gap(tpr), gap(fpr)),
        "average_odds_difference": (gap(tpr) + gap(fpr)) / 2,
        "predictive_parity_difference": gap(ppv),
        "accuracy_difference": gap(acc),
    }


def audit(folder: Path, scheduler: str | None) -> tuple[dict, float, float]:
    """Run the audit as a child process: (its JSON, wall seconds, peak RSS in MB)."""
    cmd = [
        sys.executable,
        "-m",
        "fairmend",
        "audit",
        "--engine",
        "dask",
        "--data",
        f"{folder}/*.parquet",
        "--protected",
        "g,h",
        "--outcome",
        "y",
        "--predictions",
        "p",
        "--json",
    ]
    if scheduler:
        cmd += ["--scheduler", scheduler]
    return run_child(cmd, "audit")


def run_child(cmd: list[str], what: str) -> tuple[dict, float, float]:
    """Run ``cmd`` (a fairmend command printing JSON) as a child process: (its JSON, wall seconds, the
    child's peak RSS in MB from ``wait4``); exits with the end of its output when it fails."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0)
        text = out.read()
    if code != 0:
        raise SystemExit(f"{what} failed ({code}): {text[-500:]}")
    return json.loads(text), seconds, usage.ru_maxrss / 1024


def check(doc: dict, counts: np.ndarray) -> float:
    """Largest absolute difference between the audit's count metrics and numpy's, over all scopes."""
    scopes = {"g": counts.sum(axis=1), "h": counts.sum(axis=0), "intersectional": counts.reshape(8, 2, 2)}
    worst = 0.0
    for name, c in scopes.items():
        got = (
            doc["intersectional"]["metrics"]
            if name == "intersectional"
            else doc["per_attribute"][name]["metrics"]
        )
        for metric, value in numpy_metrics(c).items():
            worst = max(worst, abs(got[metric] - value))
    assert doc["n_rows"] == int(counts.sum())
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10M,30M,100M")
    parser.add_argument("--partition-rows", default="2M")
    parser.add_argument("--folder", help="Where the logs go (default: a temporary folder, removed after)")
    parser.add_argument("--scheduler", help="Dask scheduler address (default: local threads)")
    parser.add_argument("--keep", action="store_true", help="Keep the generated logs")
    args = parser.parse_args()
    base = Path(args.folder or tempfile.mkdtemp(prefix="fairmend-scale-"))
    print(f"{os.cpu_count()} cores; partitions of {_size(args.partition_rows):,} rows under {base}")
    print(
        f"{'rows':>13} {'generate s':>10} {'audit s':>8} {'rows/s':>12} {'marginal rows/s':>15} "
        f"{'peak RSS MB':>11} {'max |diff|':>10}"
    )
    fixed = None
    for rows in [10_000, *(_size(r) for r in args.rows.split(","))]:
        folder = base / f"log-{rows}"
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        counts = generate(folder, rows, _size(args.partition_rows))
        made = time.perf_counter() - start
        doc, seconds, rss = audit(folder, args.scheduler)
        worst = check(doc, counts)
        beyond = None if fixed is None else seconds - fixed
        marginal = (
            "(fixed cost)" if beyond is None else f"{rows / beyond:,.0f}" if beyond >= 1 else "< 1 s beyond"
        )
        fixed = seconds if fixed is None else fixed
        print(
            f"{rows:>13,} {made:>10.1f} {seconds:>8.1f} {rows / seconds:>12,.0f} {marginal:>15} "
            f"{rss:>11.0f} {worst:>10.1e}",
            flush=True,
        )
        if not args.keep:
            shutil.rmtree(folder)
    if not args.keep and not args.folder:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
