"""Scheduled monitoring: the sequential test's false-alarm rate and power, and the time of one run
(on demand, not in tests).

    python benchmarks/bench_monitor.py [--reps 1000] [--rows 45222]

* **calibration**: binomial days simulated under no change (reference rates estimated from ``ref_days`` days
  as in a real run) for several group sizes and rates; the alarm frequency over a 30-day window of the CUSUM
  with the naive threshold (iid N(0, 1) steps) and with the calibrated one (reference-estimate error
  included), at a nominal 0.05; then the power against a rise of the group's rate in the last 7 days;
* **time**: ``fairmend monitor run`` on Adult rows (a logistic regression's decisions, timestamps over 60 days,
  the women's decisions flipped in the last week), first run and a rerun of the same window.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

SETTINGS = [  # (rows of the group a day, rows of the rest, group rate, rest rate, reference days)
    (45, 90, 0.07, 0.26, 14), (15, 30, 0.07, 0.26, 14), (45, 90, 0.30, 0.50, 14), (45, 90, 0.07, 0.26, 7),
]


def alarm_rate(setting, shift, reps, seed, *, naive):
    from fairmend.monitoring import sequential

    ng0, nr0, pg, pr, ref_days = setting
    rng = np.random.default_rng(seed)
    original = sequential.threshold
    if naive:  # the textbook calibration: ignore the reference estimate's error
        sequential.threshold = lambda n, k, a, offset_sd=0.0: original(n, k, a, 0.0)
    try:
        alarms = 0
        for _ in range(reps):
            ng_ref, nr_ref = rng.poisson(ng0 * ref_days), rng.poisson(nr0 * ref_days)
            ref = (rng.binomial(ng_ref, pg), ng_ref, rng.binomial(nr_ref, pr), nr_ref)
            ng, nr = rng.poisson(ng0, 30), rng.poisson(nr0, 30)
            rate = np.full(30, pg)
            rate[-7:] += shift
            counts = np.c_[rng.binomial(ng, rate), ng, rng.binomial(nr, pr), nr].astype(float)
            alarms += sequential.cusum_test(counts, ref, k=0.5, alpha=0.05, min_group_rows=10)["alert"]
    finally:
        sequential.threshold = original
    return alarms / reps


def timing(rows: int) -> dict[str, float]:
    import pandas as pd
    import yaml
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from fairmend.datasets import load_adult
    from fairmend.monitoring import load_config, run_monitor

    frame = load_adult().frame.sample(n=rows, random_state=0, replace=rows > 45_222).reset_index(drop=True)
    X = frame[["age", "education_num", "hours_per_week", "capital_gain", "capital_loss"]]
    frame["pred"] = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, frame["income"]).predict(X)
    start = pd.Timestamp("2026-01-01")
    frame["ts"] = start + pd.to_timedelta(np.random.default_rng(1).uniform(0, 60, len(frame)), unit="D")
    hit = (frame["ts"] >= start + pd.Timedelta(days=53)) & (frame["sex"] == "Female")
    frame.loc[hit, "pred"] = 1 - frame.loc[hit, "pred"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "logs").mkdir()
        for week, part in frame.groupby(frame["ts"].dt.to_period("W")):
            part.to_parquet(folder / "logs" / f"p-{week.start_time.date()}.parquet", index=False)
        cfg = {"source": {"folder": "logs", "timestamp": "ts"}, "protected": "sex", "predictions": "pred",
               "outcome": "income", "windows": {"reference_start": "2026-01-01", "reference_end": "2026-01-14"}}
        (folder / "monitor.yml").write_text(yaml.safe_dump(cfg))
        out = {}
        for name in ("first run", "rerun"):
            t = time.perf_counter()
            doc = run_monitor(load_config(folder / "monitor.yml"), as_of="2026-03-02", send=False)
            out[name] = round(time.perf_counter() - t, 2)
        out["findings"] = len(doc["findings"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=45_222)
    args = parser.parse_args()
    result = {"calibration (nominal 0.05)": [
        {"setting": dict(zip(("n_group_day", "n_rest_day", "p_group", "p_rest", "ref_days"), s)),
         "naive": alarm_rate(s, 0.0, args.reps, i, naive=True),
         "calibrated": alarm_rate(s, 0.0, args.reps, i, naive=False)} for i, s in enumerate(SETTINGS)],
        "power (first setting, calibrated)": {f"+{d}": alarm_rate(SETTINGS[0], d, args.reps, 99, naive=False)
                                             for d in (0.05, 0.10, 0.15)},
        f"seconds, {args.rows} rows": timing(args.rows)}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
