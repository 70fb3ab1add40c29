"""``fairmend tune``: Pareto search judged on selection rows, re-measured on untouched test rows."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from fairmend.plugins import get_catalog

from fairmend.cli import cli
from fairmend.tune import knobs, tune

GERMAN = {"protected": "sex", "outcome": "credit", "seed": 0}


def test_exponentiated_gradient_pareto_front_has_points_with_cis():
    res = CliRunner().invoke(cli, ["tune", "exponentiated_gradient_reduction", "--data", "german", "--protected",
                                   "sex", "--outcome", "credit", "--trials", "8", "--n-boot", "200", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    metric = doc["target_metric"]
    assert metric == "demographic_parity_difference" and doc["study"]["n_complete"] == 8
    assert len(doc["pareto"]) >= 2
    for point in doc["pareto"]:
        assert set(point["params"]) == {"eps", "difference_bound"}
        for name in ("accuracy", metric):
            lo, hi = point["test"][name]["ci95"]
            assert lo <= point["test"][name]["value"] <= hi
        assert point["change"][metric]["ci95"] is not None and point["change"][metric]["p_value"] is not None
    selection = [(p["selection"]["accuracy"], -p["selection"][metric]) for p in doc["pareto"]]
    for a in selection:  # the front is non-dominated on the selection rows the trials were judged on
        assert not any(b[0] >= a[0] and b[1] >= a[1] and b != a for b in selection)


@pytest.mark.slow
@pytest.mark.parametrize("key", ["reweighing_kamiran_calders", "prejudice_remover", "relaxed_threshold_optimizer"])
def test_reweighing_prejudice_remover_and_thresholding_fronts(key):
    """Each searches its declared tunable parameters only, and its front has >= 2 points with CIs."""
    tunable = {p.name for p in get_catalog().get(key).parameters if p.tunable}
    res = CliRunner().invoke(cli, ["tune", key, "--data", "german", "--protected", "sex", "--outcome", "credit",
                                   "--trials", "8", "--n-boot", "50", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    metric = doc["target_metric"]
    assert [k["name"] for k in doc["tuned"]] == sorted(tunable) and len(tunable) == 1
    assert len(doc["pareto"]) >= 2
    for point in doc["pareto"]:
        assert set(point["params"]) == tunable
        for name in ("accuracy", metric):
            lo, hi = point["test"][name]["ci95"]
            assert lo <= point["test"][name]["value"] <= hi


def test_trials_never_see_the_test_rows(german):
    """Scrambling the test rows' features changes the test measurements, never a trial's objectives."""
    from fairmend.catalog.contracts import group_labels

    from fairmend.engine.split import stratified_split

    frame = german.frame.copy()
    y = frame["credit"].to_numpy()
    test = stratified_split(y, group_labels(frame[["sex"]].astype(str)), test_size=0.3, seed=0).test
    scrambled = frame.copy()
    features = [c for c in frame.columns if c not in ("sex", "credit")]
    rng = np.random.default_rng(1)
    for c in features:
        scrambled.loc[test, c] = rng.permutation(frame.loc[test, c].to_numpy())
    kw = {**GERMAN, "trials": 4, "n_boot": 0, "params": {"C": "1.0"}}
    a = tune("prejudice_remover", frame, **kw)
    b = tune("prejudice_remover", scrambled, **kw)
    assert [t["selection"] for t in a["trials"]] == [t["selection"] for t in b["trials"]]
    assert a["rows"] == b["rows"] == {"tuning": 700, "selection": 210, "test": 300}
    assert [p["test"] for p in a["pareto"]] != [p["test"] for p in b["pareto"]]


def test_sqlite_storage_resumes_the_study(tmp_path):
    storage = f"sqlite:///{tmp_path / 'tune.db'}"
    kw = {**GERMAN, "storage": storage, "n_boot": 0}
    first = tune("relaxed_threshold_optimizer", "german", trials=3, **kw)
    again = tune("relaxed_threshold_optimizer", "german", trials=5, **kw)
    assert first["study"]["name"] == again["study"]["name"]
    assert (first["study"]["new_trials"], again["study"]["new_trials"], again["study"]["n_trials"]) == (3, 2, 5)
    assert [t["params"] for t in again["trials"][:3]] == [t["params"] for t in first["trials"]]


def test_searched_parameters_come_from_the_declared_ranges():
    catalog = get_catalog()
    eg = {k.name: k for k in knobs(catalog.get("exponentiated_gradient_reduction"))}
    assert set(eg) == {"eps", "difference_bound"}  # the declared tunables: not C, max_iter nor random_state
    assert eg["eps"].log and eg["eps"].high == 1.0 and not eg["difference_bound"].log
    pr = {k.name: k for k in knobs(catalog.get("prejudice_remover"))}
    assert set(pr) == {"eta"} and pr["eta"].log and pr["eta"].high == 1000.0
    assert [k.name for k in knobs(catalog.get("relaxed_threshold_optimizer"))] == ["tolerance"]
    assert [k.name for k in knobs(catalog.get("grid_search_reduction"))] == ["constraint_weight"]
    assert [k.name for k in knobs(catalog.get("adversarial_debiasing_zhang"))] == ["alpha"]
    rw = knobs(catalog.get("reweighing_kamiran_calders"))
    assert [(k.name, k.low, k.high, k.log) for k in rw] == [("strength", 0.0, 1.0, False)]
    assert [k.name for k in knobs(catalog.get("exponentiated_gradient_reduction"), search=["C"])] == ["C"]
    choice = knobs(catalog.get("massaging_kamiran_calders"), search=["ranker"])
    assert choice[0].kind == "choice" and len(choice[0].choices) >= 2


FAMILIES = {  # the "at least": reductions, thresholding, reweighing family, prejudice remover, adversarial
    "exponentiated_gradient_reduction": {"eps", "difference_bound"},
    "grid_search_reduction": {"constraint_weight"},
    "relaxed_threshold_optimizer": {"tolerance"},
    "reject_option_classification": {"metric_bound"},
    "ml_debiaser_randomized_threshold": {"epsilon"},
    "reweighing_kamiran_calders": {"strength"},
    "fairbalance": {"strength"},
    "massaging_kamiran_calders": {"strength"},
    "uniform_sampling_kamiran_calders": {"strength"},
    "preferential_sampling_kamiran_calders": {"strength"},
    "prejudice_remover": {"eta"},
    "adversarial_debiasing_zhang": {"alpha"},
    "adversarial_fair_representations_laftr": {"gamma"},
}


@pytest.mark.parametrize("key", sorted(FAMILIES))
def test_each_family_declares_its_trade_off_knobs_and_tune_searches_them(key):
    technique = get_catalog().get(key)
    assert {p.name for p in technique.parameters if p.tunable} == FAMILIES[key]
    assert {k.name for k in knobs(technique)} == FAMILIES[key]
    assert not {"random_state", "seed", "max_iter", "epochs", "learning_rate", "C"} & FAMILIES[key]


@pytest.mark.parametrize("args, named", [
    (["platt_scaling"], "declares no tunable trade-off parameter"),
    (["relaxed_threshold_optimizer", "--param", "tolerance=0.1"], "no tunable trade-off parameter left unfixed"),
    (["prejudice_remover", "--tune", "nope"], "nope"),
    (["prejudice_remover", "--tune", "eta", "--param", "eta=2"], "both tuned"),
    (["prejudice_remover", "--trials", "0"], "--trials"),
    (["prejudice_remover", "--param", "eta=-1"], "eta"),
])
def test_bad_requests_exit_2(args, named):
    res = CliRunner().invoke(cli, ["tune", *args, "--data", "german", "--protected", "sex", "--outcome", "credit",
                                   "--json"])
    assert res.exit_code == 2, res.output
    assert named in json.loads(res.stdout)["error"]["message"]


def test_output_folder_chart_and_mlflow_runs(tmp_path, monkeypatch):
    import xml.etree.ElementTree as ET

    from mlflow.tracking import MlflowClient

    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    uri = (tmp_path / "mlruns").as_uri()
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["tune", "relaxed_threshold_optimizer", "--data", "german", "--protected", "sex",
                                   "--outcome", "credit", "--trials", "4", "--n-boot", "100", "--output", str(out),
                                   "--mlflow-uri", uri, "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert json.loads((out / "tune.json").read_text())["pareto"] == doc["pareto"]
    svg = ET.fromstring((out / "pareto.svg").read_text())
    labels = "".join(svg.itertext())
    assert "baseline" in labels and all(f"trial {p['trial']}" in labels for p in doc["pareto"])
    client = MlflowClient(tracking_uri=uri)
    parent = client.get_run(doc["mlflow"]["run_id"])
    assert {"tune.json", "pareto.svg"} <= {f.path for f in client.list_artifacts(parent.info.run_id)}
    children = client.search_runs([parent.info.experiment_id],
                                  f"tags.mlflow.parentRunId = '{parent.info.run_id}'")
    assert len(children) == len(doc["pareto"]) >= 1
    metric = doc["target_metric"]
    by_trial = {p["trial"]: p for p in doc["pareto"]}
    for child in children:
        point = by_trial[int(child.info.run_name.split()[-1])]
        assert child.data.metrics[f"test/{metric}"] == pytest.approx(point["test"][metric]["value"])
        assert child.data.metrics[f"test_ci_high/{metric}"] == pytest.approx(point["test"][metric]["ci95"][1])
