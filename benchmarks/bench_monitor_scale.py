"""``fairmend monitor run --engine dask`` on synthetic prediction logs larger than a laptop's memory
(run on demand, not in tests).

    python benchmarks/bench_monitor_scale.py [--rows 10M] [--partition-rows 1M] [--folder DIR]
                                             [--engines dask,pandas] [--scheduler ADDRESS] [--keep]

The log is generated partition by partition (never the whole table in memory): timestamps uniform over
the 60 days from 2026-01-01, protected ``g`` (four groups), label ``y``, decision ``p`` whose rate for group
``north`` (the lowest rate) drops by 0.15 in the last 7 days, and two drift columns (``x`` numeric, ``c`` categorical, ``x``
shifted by 0.1 in the last 7 days). While generating, the script counts (window, g, p) itself. Each engine
then runs as a child process,

    fairmend monitor run --config DIR/monitor.yml --as-of 2026-03-02 --engine E --dry-run --json

and the script prints its wall time, rows/s and peak RSS (``wait4``), and the largest difference between the
run's demographic-parity gaps (weekly and long, current and reference) and the numpy counts.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from bench_scale import _size, run_child  # the script's folder is on sys.path

GROUPS = np.array(["north", "south", "east", "west"])
START = np.datetime64("2026-01-01T00:00:00", "us")
DAY_US = 86_400_000_000
# (name, first day, last day excluded) from START, for --as-of 2026-03-02 (day 60) and the reference below
WINDOWS = {
    ("weekly", "current"): (53, 60),
    ("weekly", "reference"): (46, 53),
    ("long", "current"): (30, 60),
    ("long", "reference"): (0, 14),
}


def generate(folder: Path, rows: int, partition_rows: int, seed: int = 0) -> dict:
    """Write the partitions; returns the counts ``[g, p]`` per window of what was written."""
    rng = np.random.default_rng(seed)
    counts = {w: np.zeros((4, 2), dtype=np.int64) for w in WINDOWS}
    for i, start in enumerate(range(0, rows, partition_rows)):
        n = min(partition_rows, rows - start)
        offset = rng.integers(0, 60 * DAY_US, n)
        day = offset // DAY_US
        late = day >= 53
        g = rng.integers(0, 4, n)
        y = (rng.random(n) < 0.3 + 0.05 * g).astype(np.int8)
        rate = 0.2 + 0.05 * g + 0.4 * y - 0.15 * ((g == 0) & late)
        p = (rng.random(n) < rate).astype(np.int8)
        x = rng.normal(0.1 * late, 1.0, n)
        c = rng.choice(np.array(["a", "b", "c"]), n, p=[0.5, 0.3, 0.2])
        for w, (lo, hi) in WINDOWS.items():
            inside = (day >= lo) & (day < hi)
            counts[w] += np.bincount(g[inside] * 2 + p[inside], minlength=8).reshape(4, 2)
        pd.DataFrame(
            {"ts": START + offset.astype("timedelta64[us]"), "g": GROUPS[g], "y": y, "p": p, "x": x, "c": c}
        ).to_parquet(folder / f"part-{i:05d}.parquet", index=False)
    return counts


def run(config: Path, engine: str, scheduler: str | None) -> tuple[dict, float, float]:
    """``monitor run`` as a child process: (its JSON, wall seconds, peak RSS in MB)."""
    cmd = [sys.executable, "-m", "fairmend", "monitor", "run", "--config", str(config)]
    cmd += ["--as-of", "2026-03-02", "--engine", engine, "--dry-run", "--json"]
    if scheduler:
        cmd += ["--scheduler", scheduler]
    return run_child(cmd, f"monitor run --engine {engine}")


def check(doc: dict, counts: dict) -> float:
    """Largest |run - numpy| over the demographic-parity gaps of both comparisons and both sides."""
    worst = 0.0
    for comp in doc["comparisons"]:
        metrics = comp["fairness"]["metrics"]["dp_gap"]
        for side, key in (("current", "current"), ("reference", "reference")):
            c = counts[(comp["name"], side)]
            rates = c[:, 1] / c.sum(axis=1)
            worst = max(worst, abs(metrics[key] - float(rates.max() - rates.min())))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10M")
    parser.add_argument("--partition-rows", default="1M")
    parser.add_argument("--folder", help="where to write the logs (default: a temporary folder)")
    parser.add_argument("--engines", default="dask", help="comma-separated: dask, pandas")
    parser.add_argument("--scheduler")
    parser.add_argument("--keep", action="store_true", help="keep the generated logs")
    args = parser.parse_args()
    root = Path(args.folder or tempfile.mkdtemp(prefix="fairmend-monitor-scale-"))
    logs = root / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    rows = _size(args.rows)
    try:
        t0 = time.perf_counter()
        counts = generate(logs, rows, _size(args.partition_rows))
        generated = time.perf_counter() - t0
        config = root / "monitor.yml"
        settings = {
            "source": {"folder": "logs", "timestamp": "ts"},
            "protected": "g",
            "predictions": "p",
            "outcome": "y",
            "features": ["x", "c"],
            "windows": {"reference_start": "2026-01-01", "reference_end": "2026-01-14"},
            "output": "out",
        }
        config.write_text(yaml.safe_dump(settings), encoding="utf-8")
        size = sum(f.stat().st_size for f in logs.iterdir()) / 2**20
        print(
            f"{rows:,} rows in {len(list(logs.iterdir()))} partitions ({size:,.0f} MiB), generated in {generated:.1f} s"
        )
        for engine in args.engines.split(","):
            doc, seconds, rss = run(config, engine, args.scheduler)
            fired = sorted({f["topic"] for f in doc["findings"]})
            print(
                f"{engine}: {seconds:.1f} s wall, {rows / seconds / 1e6:.2f} M rows/s, peak RSS {rss:,.0f} MB, "
                f"max |dp_gap - numpy| {check(doc, counts):.2e}; findings {fired}; notes {doc['notes']}"
            )
    finally:
        if not args.keep and not args.folder:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
