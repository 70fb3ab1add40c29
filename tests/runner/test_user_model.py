"""The user's own model as the baseline (``--scores`` / ``--predictions``), the favourable label,
and the files that let anyone recompute a run's headline numbers (``splits.json``,
``predictions.parquet``)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from fairmend.cli import cli
from fairmend.engine.models import make_base_model

FAST = ["--n-boot", "200", "--n-permutations", "200"]


@pytest.fixture(scope="module")
def scored(german, tmp_path_factory):
    """German credit with a vendor model's scores and decisions: a logistic regression the user trained
    elsewhere (on the first 600 rows, without the sex column), whose outputs are all fairmend sees."""
    frame = german.frame.copy()
    X = frame.drop(columns=["credit", "sex"])
    model = make_base_model("logreg", X).fit(X.iloc[:600], frame["credit"].iloc[:600])
    frame["vendor_score"] = model.predict_proba(X)[:, 1]
    frame["vendor_decision"] = (frame["vendor_score"] >= 0.5).astype(int)
    path = tmp_path_factory.mktemp("scored") / "german_scored.csv"
    frame.to_csv(path, index=False)
    return path, frame


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_postprocessing_of_the_users_scores(scored, tmp_path):
    path, frame = scored
    out = tmp_path / "out"
    res = invoke("run", "threshold_optimizer_equalized_odds_hardt", "--data", path, "--protected", "sex",
                 "--outcome", "credit", "--scores", "vendor_score", "--output", out, "--json", *FAST)
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    pred = pd.read_parquet(out / "predictions.parquet")
    # No stand-in model: the "before" scores are the user's scores on the test rows, row for row.
    np.testing.assert_allclose(pred["score_before"], frame["vendor_score"].to_numpy()[pred["row"]])
    np.testing.assert_array_equal(pred["before"], (pred["score_before"] >= 0.5).astype(int))
    assert report["dataset"]["user_model"]["scores"] == "vendor_score"
    assert report["after"]["equalized_odds_difference"] < report["before"]["equalized_odds_difference"]
    assert "model" not in report["artifacts"]


def test_splits_and_predictions_recompute_the_report(scored, tmp_path):
    path, frame = scored
    out = tmp_path / "out"
    res = invoke("run", "reweighing_kamiran_calders", "--data", path, "--protected", "sex", "--outcome", "credit",
                 "--output", out, "--json", *FAST)
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    splits = json.loads((out / "splits.json").read_text())
    parts = [set(splits[k]) for k in ("train", "selection", "test")]
    assert not (parts[0] & parts[1]) and not (parts[0] & parts[2]) and not (parts[1] & parts[2])
    assert set.union(*parts) == set(range(len(frame)))
    pred = pd.read_parquet(out / "predictions.parquet")
    assert list(pred["row"]) == sorted(splits["test"])
    np.testing.assert_array_equal(pred["y_true"], frame["credit"].to_numpy()[pred["row"]])
    for when in ("before", "after"):
        rates = pred.groupby("group")[when].mean()
        dp = rates.max() - rates.min()
        assert dp == pytest.approx(report[when]["demographic_parity_difference"], abs=1e-12)
        acc = (pred[when] == pred["y_true"]).mean()
        assert acc == pytest.approx(report[when]["accuracy"], abs=1e-12)


def test_user_score_columns_are_not_features(scored, tmp_path):
    path, _ = scored
    out = tmp_path / "out"
    res = invoke("run", "reweighing_kamiran_calders", "--data", path, "--protected", "sex", "--outcome", "credit",
                 "--scores", "vendor_score", "--predictions", "vendor_decision", "--output", out, "--json", *FAST)
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    columns = set(pd.read_csv(out / "transformed_train.csv").columns)
    assert not columns & {"vendor_score", "vendor_decision", "sex", "credit"}
    assert any("trains a new" in n for n in report["notes"])
    pred = pd.read_parquet(out / "predictions.parquet")
    _, frame = scored
    np.testing.assert_array_equal(pred["before"], frame["vendor_decision"].to_numpy()[pred["row"]])


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["threshold_optimizer_equalized_odds_hardt", "--predictions", "vendor_decision"], "give --scores"),
        (["reweighing_kamiran_calders", "--scores", "nope"], "'nope' not found"),
        (["reweighing_kamiran_calders", "--scores", "purpose"], "finite numbers"),
        (["reweighing_kamiran_calders", "--scores", "age"], "probabilities in [0, 1]"),
        (["reweighing_kamiran_calders", "--predictions", "age"], "must be binary"),
    ],
)
def test_user_model_errors(scored, args, needle):
    path, _ = scored
    res = invoke("run", *args, "--data", path, "--protected", "sex", "--outcome", "credit", *FAST)
    assert res.exit_code == 2, res.output
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and needle in lines[0], res.stderr


def test_favourable_label_zero(german, tmp_path):
    """A recidivism-style table: 1 = reoffended, which is the unfavourable outcome."""
    frame = german.frame.copy()
    frame["reoffended"] = 1 - frame.pop("credit")
    path = tmp_path / "recid.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "out"
    res = invoke("run", "reweighing_kamiran_calders", "--data", path, "--protected", "sex", "--outcome",
                 "reoffended", "--favourable-label", "0", "--output", out, "--json", *FAST)
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["dataset"]["favourable_label"] == 0
    assert report["dataset"]["base_rate"] == pytest.approx((frame["reoffended"] == 0).mean())
    pred = pd.read_parquet(out / "predictions.parquet")
    np.testing.assert_array_equal(pred["y_true"], (frame["reoffended"].to_numpy()[pred["row"]] == 0).astype(int))
    rates = pred.groupby("group")["before"].mean()  # selection rates of the favourable outcome 0
    assert rates.max() - rates.min() == pytest.approx(report["before"]["demographic_parity_difference"])


def test_report_p_value_is_recomputable_from_predictions(scored, tmp_path):
    """Anyone can recompute the target metric's p-value from predictions.parquet with fairmend's own paired
    bootstrap: with another seed and 10,000 draws it agrees within Monte-Carlo error."""
    from fairmend.stats import compare

    path, _ = scored
    out = tmp_path / "out"
    res = invoke("run", "reweighing_kamiran_calders", "--data", path, "--protected", "sex", "--outcome", "credit",
                 "--output", out, "--json", "--n-boot", "10000")
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    metric = report["target_metric"]
    pred = pd.read_parquet(out / "predictions.parquet")
    again = compare(pred["y_true"], pred["before"], pred["after"], pred["group"], metrics=[metric], n_boot=10_000,
                    seed=12345)[metric]
    claimed = report["change"][metric]
    assert again["delta"] == pytest.approx(claimed["delta"], abs=1e-12)
    p = claimed["p_value"]
    assert abs(again["p_value"] - p) <= 4 * np.sqrt(max(p * (1 - p), 1e-4) / 10_000) + 2e-4
    assert (again["p_value"] < 0.05) == (claimed["ci95"][0] > 0 or claimed["ci95"][1] < 0)
