"""``fairmend benchmark``: cells on Dask, resumable, failures isolated; Fairea classes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from fairmend.cli import cli
from fairmend.scale.benchmark import COLUMNS, parse_seeds
from fairmend.scale.fairea import DEGREES, classify, mutation_baseline

pytest.importorskip("distributed")

ACCEPTANCE = [
    "--techniques",
    "reweighing_kamiran_calders,threshold_optimizer_equalized_odds_hardt",
    "--datasets",
    "german",
    "--seeds",
    "0-2",
]


def _bench(*args):
    return CliRunner().invoke(cli, ["benchmark", *map(str, args)])


@pytest.mark.slow
def test_acceptance_sweep_writes_a_row_per_cell_and_resumes(tmp_path):
    out = tmp_path / "D"
    res = _bench(*ACCEPTANCE, "--output", out, "--json")
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert (summary["cells"], summary["ran"], summary["ok"], summary["error"]) == (12, 12, 12, 0)
    results = pd.read_parquet(out / "results.parquet")
    assert list(results.columns) == COLUMNS
    assert len(results) == 12 and (results["status"] == "ok").all()
    assert set(results["protected"]) == {"sex", "age_group"} and sorted(set(results["seed"])) == [0, 1, 2]
    assert results[["accuracy_before", "spd_before", "aod_before", "eod_before"]].notna().all().all()
    assert "[12/12]" in res.stderr
    report = (out / "report.md").read_text()
    assert "reweighing_kamiran_calders | german | sex | 3/3" in report
    again = _bench(*ACCEPTANCE, "--output", out, "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["skipped"] == 12 and json.loads(again.stdout)["ran"] == 0
    pd.testing.assert_frame_equal(pd.read_parquet(out / "results.parquet"), results)


@pytest.fixture()
def in_process_cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_a_failing_cell_is_isolated_and_retried_on_request(tmp_path, monkeypatch, in_process_cluster):
    import fairmend.runner

    real = fairmend.runner.run_technique

    def flaky(key, data, **kw):
        if kw["seed"] == 1:
            raise RuntimeError("planted failure")
        return real(key, data, **kw)

    monkeypatch.setattr(fairmend.runner, "run_technique", flaky)
    args = [
        "--techniques",
        "reweighing_kamiran_calders",
        "--datasets",
        "german",
        "--protected",
        "sex",
        "--seeds",
        "0-1",
        "--output",
        tmp_path,
        "--scheduler",
        in_process_cluster,
        "--json",
    ]
    res = _bench(*args)
    assert res.exit_code == 0, res.output
    results = pd.read_parquet(tmp_path / "results.parquet").set_index("seed")
    assert results.loc[0, "status"] == "ok" and results.loc[1, "status"] == "error"
    assert results.loc[1, "message"] == "RuntimeError: planted failure"
    assert "## Errors" in (tmp_path / "report.md").read_text()
    assert json.loads(_bench(*args).stdout)["ran"] == 0  # finished cells, errors included, are skipped
    monkeypatch.setattr(fairmend.runner, "run_technique", real)
    retried = json.loads(_bench(*args, "--retry-errors").stdout)
    assert (retried["ran"], retried["ok"]) == (1, 1)
    assert (pd.read_parquet(tmp_path / "results.parquet")["status"] == "ok").all()


def test_sweep_errors_are_one_line(tmp_path):
    base = ["--datasets", "german", "--seeds", "0", "--output", tmp_path / "o"]
    res = _bench("--techniques", "no_such_technique", *base)
    assert res.exit_code == 2 and "no_such_technique" in res.stderr
    res = _bench(
        "--techniques",
        "reweighing_kamiran_calders",
        "--datasets",
        "german",
        "--protected",
        "colour",
        "--seeds",
        "0",
        "--output",
        tmp_path / "o",
    )
    assert res.exit_code == 2 and "no column 'colour'" in res.stderr
    res = _bench(
        "--techniques",
        "reweighing_kamiran_calders",
        "--datasets",
        "german",
        "--seeds",
        "3-1",
        "--output",
        tmp_path / "o",
    )
    assert res.exit_code == 2 and "--seeds" in res.stderr


def test_resume_refuses_another_protocol(tmp_path):
    (tmp_path / "benchmark.json").write_text(
        json.dumps({"protocol": {"base_model": "gbm", "test_size": 0.3, "n_boot": 200}})
    )
    res = _bench(
        "--techniques",
        "reweighing_kamiran_calders",
        "--datasets",
        "german",
        "--seeds",
        "0",
        "--output",
        tmp_path,
    )
    assert res.exit_code == 2 and "protocol" in res.stderr and "choose another --output" in res.stderr


def test_all_plans_every_executable_pre_in_post_technique():
    from fairmend.plugins import get_catalog

    from fairmend.scale.benchmark import plan

    cells = plan(["all"], ["german"], None, [0, 1])
    keys = {c.technique for c in cells}
    assert len(cells) == len(keys) * 2 * 2 and {c.protected for c in cells} == {"sex", "age_group"}
    stages = {get_catalog().get(k).stage.value for k in keys}
    assert stages == {"pre_processing", "in_processing", "post_processing"}
    assert {"reweighing_kamiran_calders", "threshold_optimizer_equalized_odds_hardt"} <= keys


def test_parse_seeds():
    assert parse_seeds("0-4,10,3") == [0, 1, 2, 3, 4, 10]
    assert parse_seeds("7") == [7]


def test_fairea_regions():
    base_bias, base_acc = np.array([0.20, 0.10, 0.0]), np.array([0.80, 0.75, 0.70])
    case = lambda b, a: classify(0.20, 0.80, b, a, base_bias, base_acc)
    assert case(0.10, 0.82) == "win-win"
    assert case(0.10, 0.78) == "good trade-off"  # the baseline gives 0.75 at bias 0.10
    assert case(0.10, 0.74) == "poor trade-off"
    assert case(0.25, 0.82) == "inverted trade-off"
    assert case(0.25, 0.78) == "lose-lose"
    assert case(0.20, 0.80) == "no change"
    assert case(float("nan"), 0.8) is None


def test_mutation_baseline_runs_from_the_model_to_the_constant_classifier(german):
    frame = german.frame
    y = frame["credit"].to_numpy()
    pred = (frame["duration"] < 24).astype(int).to_numpy()
    groups = (frame["sex"] == "male").astype(int).to_numpy()
    bias, acc = mutation_baseline(y, pred, groups, 2, "demographic_parity_difference", seed=0)
    rates = [pred[groups == g].mean() for g in (0, 1)]
    assert len(bias) == len(DEGREES)
    assert bias[0] == pytest.approx(abs(rates[0] - rates[1])) and acc[0] == pytest.approx((pred == y).mean())
    label = int(pred.mean() >= 0.5)
    assert bias[-1] == 0.0 and acc[-1] == pytest.approx((y == label).mean())
    assert np.all(np.diff(acc) < 0.02)  # mutation only loses accuracy (up to sampling noise)
