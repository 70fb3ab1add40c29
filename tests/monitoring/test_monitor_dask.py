"""``fairmend monitor run --engine dask``: per-day count tables summed over log partitions give the pandas
engine's fairness gaps, intervals, sequential test and findings number for number; drift runs on the same
rows while a window fits ``drift_sample_rows``, on a uniform sample beyond it. The logs are the 8,000 real
Adult rows of ``prediction_log`` with the women's decisions flipped in the last week, one file per week."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from _monitor_logs import shifted, write_weekly_files
from click.testing import CliRunner
from test_monitor_run import _config, _run

from fairmend.cli import cli

pytest.importorskip("dask")
pytest.importorskip("distributed")

SAME = ("window_end", "n_rows", "comparisons", "sequential", "findings", "notes")


@pytest.fixture(scope="module")
def weekly_parquet(prediction_log, tmp_path_factory):
    folder = tmp_path_factory.mktemp("logs") / "logs"
    write_weekly_files(shifted(prediction_log), folder, suffix="parquet")
    return folder


def test_dask_equals_pandas_and_its_extracts_hold_the_window_rows(weekly_parquet, tmp_path):
    config = _config(tmp_path, weekly_parquet)
    pandas_doc = _run(config, "2026-03-02", "--engine", "pandas", "--dry-run")
    dask_doc = _run(config, "2026-03-02", "--engine", "dask", "--dry-run")
    assert (pandas_doc["engine"], dask_doc["engine"]) == ("pandas", "dask")
    assert _run(config, "2026-03-02", "--dry-run")["engine"] == "pandas"  # auto: 8,000 rows are small
    for key in SAME:
        assert dask_doc[key] == pandas_doc[key], key
    weekly = next(c for c in dask_doc["comparisons"] if c["name"] == "weekly")
    assert weekly["fairness"]["metrics"]["dp_gap"]["change"] > 0.3 and weekly["drift"]
    assert {f["topic"] for f in dask_doc["findings"]} >= {"weekly|fairness:dp_gap"}
    assert dask_doc["sequential"]["groups"]["Female"]["alert"] is True

    for comp, sides in dask_doc["extracts"].items():
        for side, folder in sides.items():
            rows = pd.concat([pd.read_parquet(p) for p in sorted(Path(folder).glob("*.parquet"))])
            expected = pd.read_parquet(pandas_doc["extracts"][comp][side])
            order = list(expected.columns)
            assert len(rows) == len(expected) > 0
            pd.testing.assert_frame_equal(
                rows[order].sort_values(order).reset_index(drop=True),
                expected.sort_values(order).reset_index(drop=True),
                check_dtype=False,
            )
    steps = [s.split(": ", 1)[1] for s in dask_doc["next_steps"] if "fairmend monitor --reference" in s]
    import shlex

    res = CliRunner().invoke(cli, [*shlex.split(steps[0])[1:], "--json"])  # runs on the extract folders
    assert res.exit_code == 0, res.output
    assert "fairness:dp_gap" in json.loads(res.stdout)["alerts"]


def test_fairness_equals_the_catalog_monitor_on_the_window_rows(weekly_parquet, tmp_path):
    from fairmend.catalog.techniques.monitoring.fairness import FairnessMetricMonitoring

    config = _config(tmp_path, weekly_parquet)
    doc = _run(config, "2026-03-02", "--engine", "dask", "--dry-run")
    weekly = next(c for c in doc["comparisons"] if c["name"] == "weekly")
    folders = doc["extracts"]["weekly"]
    ref, cur = (pd.read_parquet(folders[side]) for side in ("reference", "current"))
    rows = FairnessMetricMonitoring(reference=ref, threshold=0.10, n_boot=100, seed=0).run(
        cur, protected="sex", outcome="income", predictions="pred"
    )
    assert weekly["fairness"]["metrics"] == rows.summary["metrics"]


def test_csv_logs_with_a_drift_sample_and_the_config_keys(prediction_log, tmp_path):
    logs = tmp_path / "logs"
    write_weekly_files(shifted(prediction_log), logs, suffix="csv")
    base = _config(tmp_path, logs)
    pandas_doc = _run(base, "2026-03-02", "--engine", "pandas", "--dry-run")
    config = _config(tmp_path, logs, engine="dask", drift_sample_rows=1000)
    docs = [_run(config, "2026-03-02", "--dry-run") for _ in range(2)]
    assert docs[0]["engine"] == "dask" and docs[0]["comparisons"] == docs[1]["comparisons"]  # deterministic
    weekly, long = docs[0]["comparisons"]
    assert (
        max(weekly["n_current"], weekly["n_reference"]) <= 1000 < min(long["n_current"], long["n_reference"])
    )
    for mine, theirs in zip(docs[0]["comparisons"], pandas_doc["comparisons"], strict=True):
        assert mine["fairness"] == theirs["fairness"]
        # a window within drift_sample_rows is tested whole (CSV read by Dask as pandas reads it)
        assert (mine["drift"] == theirs["drift"]) is (mine is weekly), mine["name"]
    assert docs[0]["sequential"] == pandas_doc["sequential"]
    sampled = [n for n in docs[0]["notes"] if "uniform sample of 1,000" in n]
    assert len(sampled) == 2, docs[0]["notes"]  # the long window and its reference period

    for extra, expected in (
        ({"engine": "pandas", "scheduler": "tcp://127.0.0.1:1"}, "--scheduler needs engine dask"),
        ({"engine": "banana"}, "engine"),
    ):
        bad = _config(tmp_path, logs, **extra)
        res = CliRunner().invoke(cli, ["monitor", "run", "--config", str(bad), "--as-of", "2026-03-02"])
        assert res.exit_code == 2 and expected in res.stderr, res.output


def test_a_database_source_refuses_dask(tmp_path):
    path = tmp_path / "monitor.yml"
    path.write_text(
        "source: {url: 'sqlite:///logs.db', table: predictions, timestamp: ts}\n"
        "protected: sex\npredictions: pred\nengine: dask\n",
        encoding="utf-8",
    )
    res = CliRunner().invoke(cli, ["monitor", "run", "--config", str(path), "--as-of", "2026-03-02"])
    assert res.exit_code == 2 and "engine dask needs source.folder" in res.stderr, res.output


@pytest.mark.slow
def test_two_worker_local_cluster_equals_pandas(weekly_parquet, tmp_path):
    from distributed import LocalCluster

    config = _config(tmp_path, weekly_parquet)
    pandas_doc = _run(config, "2026-03-02", "--engine", "pandas", "--dry-run")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask_doc = _run(config, "2026-03-02", "--scheduler", cluster.scheduler_address, "--dry-run")
    assert dask_doc["engine"] == "dask"
    for key in SAME:
        assert dask_doc[key] == pandas_doc[key], key


def test_the_sequential_test_from_day_counts_equals_it_from_rows(prediction_log):
    from fairmend.monitoring.sequential import run_sequential
    from fairmend.monitoring.windows import DAY, Window

    log = shifted(prediction_log)
    start = pd.Timestamp("2026-01-31", tz="UTC")
    window = Window(start, start + 30 * DAY)
    ts = log["ts"].dt.tz_localize("UTC")
    ref, now = log[ts < start - 16 * DAY], log[(ts >= start) & (ts < window.end)]
    now_days = ((now["ts"].dt.tz_localize("UTC") - start) // DAY).to_numpy()
    kw = {"window": window, "k": 0.5, "alpha": 0.05, "min_group_rows": 10}
    rows = run_sequential(
        groups_ref=ref["sex"].to_numpy(), fav_ref=ref["pred"].to_numpy(float),
        groups_now=now["sex"].to_numpy(), fav_now=now["pred"].to_numpy(float), days=now_days, **kw,
    )  # fmt: skip
    r = ref.groupby(["sex", "pred"]).size().rename("n").reset_index()
    c = now.assign(day=now_days).groupby(["day", "sex", "pred"]).size().rename("n").reset_index()
    counted = run_sequential(
        groups_ref=r["sex"].to_numpy(), fav_ref=r["pred"].to_numpy(float), weights_ref=r["n"].to_numpy(float),
        groups_now=c["sex"].to_numpy(), fav_now=c["pred"].to_numpy(float), days=c["day"].to_numpy(),
        weights_now=c["n"].to_numpy(float), **kw,
    )  # fmt: skip
    assert len(c) < len(now) / 5 and counted == rows
    assert rows["groups"]["Female"]["alert"] is True


def test_the_count_bootstrap_is_a_row_bootstrap(prediction_log):
    """Resampling a window's count table (a multinomial over its cells) has the distribution of
    resampling its rows: the interval ends of the gap change agree within Monte-Carlo error."""
    import numpy as np
    from fairmend.catalog.techniques.monitoring.fairness import count_table, gap_changes, gaps

    frame = shifted(prediction_log)
    halves = [frame.iloc[:4000], frame.iloc[6000:]]
    arrays = [
        (np.unique(h["sex"], return_inverse=True)[1], h["pred"].to_numpy(), h["income"].to_numpy())
        for h in halves
    ]
    counted = gap_changes(*(count_table(*a) for a in arrays), True, threshold=0.1, n_boot=4000, seed=3)
    rng = np.random.default_rng(11)
    changes: dict[str, list[float]] = {"dp_gap": [], "eo_gap": []}
    for _ in range(4000):
        draws = []
        for g, p, y in arrays:
            i = rng.integers(0, len(g), len(g))
            draws.append(gaps(g[i], p[i], y[i]))
        for k, v in changes.items():
            v.append(draws[1][k] - draws[0][k])
    for row in counted:
        lo, hi = np.quantile(changes[row["metric"]], [0.025, 0.975])
        assert abs(row["ci_low"] - lo) < 0.01 and abs(row["ci_high"] - hi) < 0.01, (row, lo, hi)


def test_labels_not_yet_known_are_judged_alike(prediction_log, tmp_path):
    log = shifted(prediction_log)
    log["income"] = log["income"].astype(float).where(log["ts"] < pd.Timestamp("2026-02-27"))
    write_weekly_files(log, tmp_path / "logs", suffix="csv")
    config = _config(tmp_path, tmp_path / "logs")
    docs = [_run(config, "2026-03-02", "--engine", engine, "--dry-run") for engine in ("pandas", "dask")]
    for key in SAME:
        assert docs[1][key] == docs[0][key], key
    weekly = docs[1]["comparisons"][0]
    assert set(weekly["fairness"]["metrics"]) == {"dp_gap"}
    assert any("equal-opportunity gap not judged" in n for n in weekly["notes"])


def test_a_column_whose_type_changes_between_files_is_one_line(prediction_log, tmp_path):
    write_weekly_files(prediction_log, tmp_path / "logs", suffix="csv")
    last = max((tmp_path / "logs").glob("*.csv"))
    frame = pd.read_csv(last)
    frame.assign(income=frame["income"].map({0: "no", 1: "yes"})).to_csv(last, index=False)
    config = _config(tmp_path, tmp_path / "logs", engine="dask")
    res = CliRunner().invoke(cli, ["monitor", "run", "--config", str(config), "--as-of", "2026-03-02"])
    assert res.exit_code == 2, res.output
    assert "cannot read the logs with engine dask" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_two_table_form_on_dask_equals_pandas(prediction_log, tmp_path):
    log = shifted(prediction_log).assign(ts=lambda f: f["ts"].dt.strftime("%Y-%m-%d %H:%M:%S"))
    ref, cur = log.iloc[:3000], log.iloc[-3000:]
    for name, part in (("ref", ref), ("cur", cur)):
        (tmp_path / name).mkdir()
        for i in range(3):
            part.iloc[i * 1000 : (i + 1) * 1000].to_parquet(tmp_path / name / f"p{i}.parquet", index=False)
    args = ["monitor", "--reference", str(tmp_path / "ref"), "--current", str(tmp_path / "cur")]
    args += ["--protected", "sex", "--outcome", "income", "--predictions", "pred", "--json"]
    docs = {}
    for engine in ("pandas", "dask"):
        res = CliRunner().invoke(cli, [*args, "--engine", engine])
        assert res.exit_code == 0, res.output
        docs[engine] = json.loads(res.stdout)
    assert docs["dask"].pop("engine") == "dask" and docs["pandas"].pop("engine") == "pandas"
    assert docs["dask"].pop("notes") == []
    assert docs["dask"] == docs["pandas"]
    assert "fairness:eo_gap" in docs["dask"]["alerts"]  # the flipped decisions of the last week
    res = CliRunner().invoke(cli, [*args, "--engine", "dask", "--sample-rows", "1000"])
    sampled = json.loads(res.stdout)
    assert sampled["fairness"] == docs["pandas"]["fairness"] and sampled["drift"] != docs["pandas"]["drift"]
    assert len(sampled["notes"]) == 2 and "sample of 1,000 of its 3,000 rows" in sampled["notes"][0]
