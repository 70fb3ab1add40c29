"""``recommend --evaluate K``: candidates measured on the user's data (chosen on selection rows, reported on
test rows), and every printed run command runs as printed."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from fairmend.cli import cli

TEXT = "Our credit model can be retrained. Approval rates differ between men and women; we want equal opportunity."


@pytest.fixture(scope="module")
def german_csv(german, tmp_path_factory):
    path = tmp_path_factory.mktemp("rec") / "german.csv"
    german.frame.to_csv(path, index=False)
    return path


def _recommend(text, data, *flags):
    """``fairmend recommend TEXT --data DATA --protected sex --outcome credit --favourable-label 1 FLAGS``."""
    argv = ["recommend", text, "--data", str(data), "--protected", "sex", "--outcome", "credit"]
    res = CliRunner().invoke(cli, [*argv, "--favourable-label", "1", *flags])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _runs_as_printed(command, cwd):
    argv = shlex.split(command)
    fairmend = str(Path(sys.executable).with_name("fairmend"))
    proc = subprocess.run(
        [fairmend, *argv[1:]], cwd=cwd, check=False, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, (command, proc.stderr[-1500:])


@pytest.mark.slow
def test_evaluate_measures_three_candidates_and_picks(german_csv):
    flags = ["--retraining", "--protected-at-inference", "--criterion", "equal_opportunity"]
    out = _recommend(TEXT, german_csv, *flags, "--evaluate", "3", "--json")
    entries = out["evaluation"]
    assert len(entries) == 3
    measured = [e for e in entries if "error" not in e]
    assert measured, entries
    for e in measured:
        assert e["measured_on"] == "test" and e["target_metric"] == "equal_opportunity_difference"
        change = e["change"]["equal_opportunity_difference"]
        assert set(change) >= {"delta", "ci95", "p_value"}
        assert (change["p_value"] < 0.05) == (change["ci95"][0] > 0 or change["ci95"][1] < 0)
        assert isinstance(e["pareto"], bool) and set(e["gate"]) >= {"passed", "reasons"}
        assert e["before"]["equal_opportunity_difference"] is not None
    assert set(out["pick"]) >= {"key", "reason"}
    assert out["pick"]["key"] is None or out["pick"]["key"] in {e["key"] for e in measured}


def test_printed_run_commands_carry_the_users_choices_and_run(german_csv, tmp_path):
    out = _recommend(
        TEXT, german_csv, "--retraining", "--criterion", "equal_opportunity", "--top", "8", "--json"
    )
    commands = [r["run_command"] for r in out["recommendations"] if not r["run_command"].startswith("#")]
    assert commands
    assert all(f"--data {german_csv}" in c and "--favourable-label 1" in c for c in commands)
    with_param = [c for c in commands if "--param" in c]
    for command in with_param[:1] + [c for c in commands if c not in with_param][:1]:
        _runs_as_printed(command, tmp_path)


@pytest.fixture(scope="module")
def german_with_scores(german, tmp_path_factory):
    """German credit with the user's own model's scores: deliberately uninformative ones, so that a stand-in
    model retrained behind the user's back (about 0.7 accuracy) would show."""
    import numpy as np

    frame = german.frame.copy()
    frame["their_score"] = np.random.default_rng(7).uniform(size=len(frame))
    path = tmp_path_factory.mktemp("rec-scores") / "german_scores.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_evaluate_with_the_users_scores_keeps_their_model_as_the_baseline(german_with_scores):
    text = "a deployed credit model we cannot retrain; equal opportunity"
    flags = ["--protected-at-inference", "--scores", "their_score", "--evaluate", "2", "--json"]
    out = _recommend(text, german_with_scores, *flags)
    measured = [e for e in out["evaluation"] if "error" not in e]
    assert measured, out["evaluation"]
    baselines = {round(e["before"]["accuracy"], 6) for e in measured}
    assert len(baselines) == 1 and baselines.pop() < 0.62  # the user's (random) scores, not a refitted model
    assert all(not r["needs_retraining"] for r in out["recommendations"])
    assert all("--scores their_score" in r["run_command"] for r in out["recommendations"])


def test_named_model_family_reaches_the_printed_command_and_it_runs(german_csv, tmp_path):
    text = (
        "We train a gradient boosting model and can reweight the training data; approval rates differ by sex."
    )
    flags = ["--protected-at-inference", "--stage", "pre_processing", "--top", "3", "--json"]
    out = _recommend(text, german_csv, *flags)
    commands = [r["run_command"] for r in out["recommendations"] if not r["run_command"].startswith("#")]
    assert commands and all("--base-model gbm" in c for c in commands)
    _runs_as_printed(commands[0], tmp_path)


def test_family_parameter_of_a_technique_follows_the_named_family():
    from fairmend.plugins import get_catalog
    from fairmend.recommender.constraints import Constraints

    from fairmend.cli.recommend import _criterion_params

    tuner = get_catalog().get("fair_bayesian_hyperparameter_optimization")
    assert _criterion_params(tuner, Constraints(model_family="gradient_boosting")) == {"model": "gbm"}
    assert _criterion_params(tuner, Constraints(model_family="logistic_regression")) == {"model": "logistic"}
    assert _criterion_params(tuner, Constraints()) == {}
