"""``fairmend audit`` on an Adult sample: predictions column, model file, errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from fairmend.cli import cli

FEATURES = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]


@pytest.fixture(scope="module")
def audit_csv(adult_sample, tmp_path_factory):
    frame = adult_sample.frame.copy()
    score = np.clip((frame["education_num"] - 4) / 12, 0, 1)
    frame["score"] = score
    frame["pred"] = (score > 0.55).astype(int)
    path = tmp_path_factory.mktemp("audit") / "adult.csv"
    frame.to_csv(path, index=False)
    return path, frame


def _invoke(*args):
    return CliRunner().invoke(cli, ["audit", *map(str, args)])


def test_audit_json_predictions(audit_csv):
    from fairmend.metrics import summarize

    path, frame = audit_csv
    res = _invoke("--data", path, "--protected", "sex,race", "--outcome", "income", "--predictions", "pred",
                  "--scores", "score", "--n-boot", 200, "--n-permutations", 200, "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    expected = summarize(frame["income"], frame["pred"], frame[["sex", "race"]], y_score=frame["score"])
    assert doc["overall"]["demographic_parity_difference"] == pytest.approx(expected["demographic_parity_difference"])
    assert set(doc["per_attribute"]) == {"sex", "race"}
    inter = doc["intersectional"]
    assert len(inter["groups"]) == frame.groupby(["sex", "race"]).ngroups
    dp = inter["gaps"]["demographic_parity_difference"]
    assert dp["ci95"][0] <= dp["value"] <= dp["ci95"][1]
    assert 0 < dp["p_value"] <= 1 and "p_value_bh" in dp and dp["max_group"] and dp["min_group"]
    sex = doc["per_attribute"]["sex"]["gaps"]["disparate_impact_ratio"]
    assert sex["four_fifths_rule"] is (sex["value"] >= 0.8)
    assert "ece" in doc["overall"] and "ece" in inter["groups"][0]


def test_audit_table_output(audit_csv):
    path, _ = audit_csv
    res = _invoke("--data", path, "--protected", "sex", "--outcome", "income", "--predictions", "pred",
                  "--n-boot", 100, "--n-permutations", 100)
    assert res.exit_code == 0, res.output
    assert "Groups (attribute 'sex')" in res.output and "demographic_parity_difference" in res.output
    assert "Female" in res.output and "Overall: accuracy" in res.output


def test_audit_with_skops_model(audit_csv, tmp_path):
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression

    path, frame = audit_csv
    model = LogisticRegression(max_iter=500).fit(frame[FEATURES].astype(float), frame["income"])
    model_path = tmp_path / "model.skops"
    sio.dump(model, model_path)
    res = _invoke("--data", path, "--protected", "sex", "--outcome", "income", "--model", model_path,
                  "--n-boot", 100, "--n-permutations", 100, "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    expected = (model.predict(frame[FEATURES].astype(float)) == 1).mean()
    assert doc["overall"]["selection_rate"] == pytest.approx(expected)
    assert "roc_auc" in doc["overall"]


class Custom:  # a type skops does not trust
    def __init__(self):
        self.value = 1


def test_audit_refuses_untrusted_model(audit_csv, tmp_path):
    import skops.io as sio

    path, _ = audit_csv
    model_path = tmp_path / "bad.skops"
    sio.dump({"model": Custom()}, model_path)
    res = _invoke("--data", path, "--protected", "sex", "--outcome", "income", "--model", model_path)
    assert res.exit_code == 2
    assert "refused" in res.output and "Custom" in res.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--predictions", "nope"], "nope"),
        ([], "exactly one of"),
        (["--predictions", "pred", "--model", "m.skops"], "exactly one of"),
        (["--predictions", "age"], "binary"),
    ],
)
def test_audit_errors(audit_csv, args, message):
    path, _ = audit_csv
    res = _invoke("--data", path, "--protected", "sex", "--outcome", "income", *args)
    assert res.exit_code == 2
    assert message in res.output


def test_audit_maps_label_valued_predictions(audit_csv, tmp_path):
    frame = audit_csv[1].copy()
    frame["income"] = np.where(frame["income"] == 1, ">50K", "<=50K")
    frame["pred"] = np.where(frame["pred"] == 1, ">50K", "<=50K")
    labelled = tmp_path / "labels.csv"
    frame.to_csv(labelled, index=False)
    res = _invoke("--data", labelled, "--protected", "sex", "--outcome", "income", "--predictions", "pred",
                  "--scores", "score", "--n-boot", 50, "--n-permutations", 50, "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["overall"]["selection_rate"] == pytest.approx((frame["pred"] == ">50K").mean())
    rows = doc["reliability"]["quantile"]
    assert {r["group"] for r in rows} == {"Female", "Male"} and sum(r["n"] for r in rows) == len(frame)
