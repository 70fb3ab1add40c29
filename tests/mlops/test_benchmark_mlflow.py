"""``fairmend benchmark ... --mlflow``: one MLflow run per sweep with its settings, the results table as an
artifact and the report's medians as metrics; a resumed sweep logs the whole table again."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from fairmend.cli import cli

pytest.importorskip("distributed")
pytest.importorskip("mlflow")


@pytest.fixture()
def in_process_cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_benchmark_logs_one_run_with_table_report_and_medians(tmp_path, monkeypatch, in_process_cluster):
    from mlflow.tracking import MlflowClient

    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    uri = (tmp_path / "mlruns").as_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    out = tmp_path / "sweep"
    args = ["benchmark", "--techniques", "reweighing_kamiran_calders", "--datasets", "german", "--protected", "sex",
            "--seeds", "0-1", "--n-boot", "20", "--output", str(out), "--scheduler", in_process_cluster,
            "--mlflow", "--json"]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert (summary["ran"], summary["ok"]) == (2, 2)

    client = MlflowClient(tracking_uri=uri)
    experiments = [e.experiment_id for e in client.search_experiments()]
    runs = client.search_runs(experiments)
    assert len(runs) == 1 and runs[0].info.run_id == summary["mlflow"]["run_id"]
    run = runs[0]
    params, metrics = run.data.params, run.data.metrics
    assert run.data.tags["fairmend.kind"] == "benchmark"
    assert (params["techniques"], params["datasets"], params["protected"], params["seeds"]) == (
        "reweighing_kamiran_calders", "german", "sex", "0,1")
    assert (params["protocol.base_model"], params["protocol.n_boot"], params["protocol.test_size"]) == (
        "logreg", "20", "0.3")
    assert (metrics["cells"], metrics["ran"], metrics["ok"], metrics["error"], metrics["cells_ok"]) == (
        2, 2, 2, 0, 2)

    table = pd.read_parquet(out / "results.parquet")
    prefix = "reweighing_kamiran_calders/german/sex"
    assert metrics[f"{prefix}/ok_share"] == 1.0
    for short in ("accuracy", "spd", "aod", "eod"):
        expected = (table[f"{short}_after"] - table[f"{short}_before"]).median()
        assert metrics[f"{prefix}/median_delta_{short}"] == pytest.approx(expected)
    assert metrics[f"{prefix}/median_delta_spd"] < 0  # reweighing narrows the DP gap on German (both seeds)

    artifacts = {f.path for f in client.list_artifacts(run.info.run_id)}
    assert {"results.parquet", "results.csv", "report.md", "benchmark.json"} <= artifacts
    local = client.download_artifacts(run.info.run_id, "results.parquet", str(tmp_path / "dl"))
    pd.testing.assert_frame_equal(pd.read_parquet(local), table)
    report = client.download_artifacts(run.info.run_id, "report.md", str(tmp_path / "dl"))
    assert "reweighing_kamiran_calders | german | sex | 2/2" in Path(report).read_text(encoding="utf-8")

    again = CliRunner().invoke(cli, args)  # resumed: nothing runs, the whole table is logged as a second run
    assert again.exit_code == 0, again.output
    second = client.get_run(json.loads(again.stdout)["mlflow"]["run_id"])
    assert (second.data.metrics["ran"], second.data.metrics["skipped"], second.data.metrics["cells_ok"]) == (0, 2, 2)
    assert len(client.search_runs(experiments)) == 2
