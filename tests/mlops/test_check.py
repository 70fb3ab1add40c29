"""``fairmend check``: exit 1 when the Adult baseline breaks a rule, 0 on lenient rules, 2 on a bad config."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from fairmend.cli import cli


@pytest.fixture(scope="module")
def adult_outputs(adult, tmp_path_factory):
    """Full Adult with a logistic regression's decisions and scores as columns, and the model as .skops."""
    from fairmend.engine.models import fit_model, make_base_model
    from fairmend.modelio import save_model

    folder = tmp_path_factory.mktemp("check")
    frame = adult.frame.copy()
    X = frame.drop(columns=["income", "sex", "race"])
    model = fit_model(make_base_model("logreg", X, seed=0), X, frame["income"].to_numpy())
    save_model(model, folder / "model.skops")
    frame["pred"] = model.predict(X)
    frame["score"] = model.predict_proba(X)[:, 1]
    frame.to_parquet(folder / "adult.parquet")
    return folder, frame


def _check(folder, config, *extra):
    path = folder / "fairness-lint.yml"
    path.write_text(config if isinstance(config, str) else yaml.safe_dump(config), encoding="utf-8")
    return CliRunner().invoke(cli, ["check", "--config", str(path), *extra])


BASE = {"data": "adult.parquet", "protected": ["sex", "race"], "outcome": "income", "predictions": "pred",
        "n_boot": 300, "n_permutations": 300}


def test_strict_config_fails_and_lists_each_failure(adult_outputs):
    folder, _ = adult_outputs
    config = {**BASE, "metrics": {"demographic_parity_difference": {"max": 0.1, "use": "ci_upper"},
                                  "accuracy": {"min": 0.8}}}
    res = _check(folder, config, "--json")
    assert res.exit_code == 1, res.output
    doc = json.loads(res.stdout)
    assert doc["passed"] is False
    failed = {(c["rule"], c["scope"]) for c in doc["checks"] if not c["passed"]}
    assert failed == {("demographic_parity_difference", "sex"), ("demographic_parity_difference", "race")}
    dp_sex = next(c for c in doc["checks"] if c["scope"] == "sex")
    assert dp_sex["value"] == dp_sex["ci95"][1] > 0.1
    assert len(doc["failures"]) == 2 and all("violates <= 0.1" in f for f in doc["failures"])
    text = _check(folder, config)
    assert text.exit_code == 1
    assert text.output.count("FAIL") == 3 and "fairness check FAILED: 1 of 3" in text.output


def test_lenient_config_passes(adult_outputs):
    folder, _ = adult_outputs
    config = {**BASE, "metrics": {"demographic_parity_difference": {"max": 0.3, "use": "ci_upper"},
                                  "disparate_impact_ratio": {"min": 0.15, "use": "ci_lower"},
                                  "roc_auc": {"min": 0.85}},
              "scores": "score", "data_quality": {"min_group_size": 30, "max_missing_share": 0.0}}
    res = _check(folder, config, "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["passed"] and doc["n_failed"] == 0 and doc["n_checks"] == 2 * 2 + 1 + 2 * 2


def test_ci_bound_is_stricter_than_the_estimate(adult_outputs):
    folder, _ = adult_outputs
    res = _check(folder, {**BASE, "protected": "sex", "metrics": {"demographic_parity_difference": {"max": 0.5}}},
                 "--json")
    first = json.loads(res.stdout)["checks"][0]
    estimate, (lo, hi) = first["estimate"], first["ci95"]
    assert lo < estimate < hi
    limit = (estimate + hi) / 2  # the estimate is within it, the upper bound is not
    for use, code in (("estimate", 0), ("ci_upper", 1)):
        rule = {"demographic_parity_difference": {"max": float(limit), "use": use}}
        assert _check(folder, {**BASE, "protected": "sex", "metrics": rule}).exit_code == code


def test_model_file_gives_the_columns_verdict(adult_outputs):
    folder, _ = adult_outputs
    rules = {"demographic_parity_difference": {"max": 0.1}, "accuracy": {"min": 0.8}}
    by_model = {k: v for k, v in BASE.items() if k != "predictions"} | {"model": "model.skops", "metrics": rules}
    a = json.loads(_check(folder, by_model, "--json").stdout)
    b = json.loads(_check(folder, {**BASE, "metrics": rules}, "--json").stdout)
    assert [(c["scope"], c["value"], c["passed"]) for c in a["checks"]] == [
        (c["scope"], c["value"], c["passed"]) for c in b["checks"]]


@pytest.mark.parametrize("config, named", [
    ({**BASE, "colour": "blue", "metrics": {"accuracy": {"min": 0.5}}}, "colour"),
    ({**BASE, "metrics": {"demographic_parity_difference": {"max": 0.1, "use": "upper"}}}, "use"),
    ({**BASE, "metrics": {"demographic_parity_difference": {"max": "high"}}}, "max"),
    ({**BASE, "metrics": {"dp_gap": {"max": 0.1}}}, "metrics.dp_gap"),
    ({**BASE, "metrics": {"accuracy": {"min": 0.8, "use": "ci_lower"}}}, "metrics.accuracy.use"),
    ({**BASE, "metrics": {"accuracy": {}}}, "metrics.accuracy"),
    ({**BASE, "data_quality": {"min_group_share": 1.5}}, "data_quality.min_group_share"),
    ({**BASE, "data_quality": {"proxy": {"metric": "chi2", "max": 0.3}}}, "data_quality.proxy.metric"),
    ({**BASE, "n_boot": -5, "metrics": {"accuracy": {"min": 0.5}}}, "n_boot"),
    ({k: v for k, v in BASE.items() if k != "outcome"} | {"metrics": {"accuracy": {"min": 0.5}}}, "outcome"),
    ({**BASE, "predictions": None, "metrics": {"accuracy": {"min": 0.5}}}, "predictions"),
    ({**BASE, "model": "model.pkl", "predictions": None, "metrics": {"accuracy": {"min": 0.5}}}, "model"),
    ({**BASE, "metrics": [{"accuracy": 0.5}]}, "metrics"),
    ({**BASE}, "no rules"),
    ("data: [adult\n", "not valid YAML"),
    ("- a list\n", "must hold a mapping"),
])
def test_malformed_config_exits_2_naming_the_key(adult_outputs, config, named):
    folder, _ = adult_outputs
    res = _check(folder, config, "--json")
    assert res.exit_code == 2, res.output
    error = json.loads(res.stdout)["error"]
    assert named in error["message"] and "\n" not in error["message"]


def test_missing_config_file_and_missing_column_exit_2(tmp_path, adult_outputs):
    folder, _ = adult_outputs
    assert CliRunner().invoke(cli, ["check", "--config", str(tmp_path / "none.yml")]).exit_code == 2
    res = _check(folder, {**BASE, "predictions": "nope", "metrics": {"accuracy": {"min": 0.5}}})
    assert res.exit_code == 2 and "predictions column 'nope'" in res.output


def test_data_quality_rules_name_the_group_and_column(german, tmp_path):
    frame = german.frame.copy()
    rng = np.random.default_rng(0)
    female = (frame["sex"] == frame["sex"].unique()[0]).to_numpy()
    frame.loc[female & (rng.random(len(frame)) < 0.3), "duration"] = np.nan  # missing in one group only
    frame["sex_code"] = frame["sex"].map({v: i for i, v in enumerate(frame["sex"].unique())})  # a planted proxy
    frame.to_csv(tmp_path / "german.csv", index=False)
    config = {"data": "german.csv", "protected": "sex", "outcome": "credit",
              "data_quality": {"min_group_size": 50, "max_missing_share": 0.1, "max_missing_gap": 0.1,
                               "proxy": {"metric": "cramers_v", "max": 0.5, "exclude": ["duration", "personal_status"]}}}
    res = _check(tmp_path, config, "--json")
    assert res.exit_code == 1, res.output
    doc = json.loads(res.stdout)
    verdict = {c["rule"]: c for c in doc["checks"]}
    assert verdict["min_group_size"]["passed"]
    assert not verdict["max_missing_share"]["passed"] and "'duration'" in verdict["max_missing_share"]["message"]
    assert not verdict["max_missing_gap"]["passed"]
    assert not verdict["proxy"]["passed"] and list(verdict["proxy"]["proxies"]) == ["sex_code"]
    frame.drop(columns=["sex_code"]).fillna({"duration": 0}).to_csv(tmp_path / "german.csv", index=False)
    assert _check(tmp_path, config).exit_code == 0


def test_documented_config_and_hook_are_valid():
    import re
    from pathlib import Path

    from fairmend.check import parse_config

    root = Path(__file__).resolve().parents[2]
    doc = (root / "docs" / "ci-gate.md").read_text(encoding="utf-8")
    config = yaml.safe_load(re.search(r"```yaml\n(# \.fairness-lint\.yml.*?)```", doc, re.DOTALL).group(1))
    parsed = parse_config(config)
    assert parsed.metrics["demographic_parity_difference"] == {"max": 0.1, "min": None, "use": "ci_upper"}
    assert parsed.data_quality["proxy"]["exclude"] == ["id"]
    hooks = yaml.safe_load((root / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["fairmend-check"]
    assert hooks[0]["entry"].split()[:2] == ["fairmend", "check"] and hooks[0]["pass_filenames"] is False
    assert re.search(hooks[0]["files"], "models/credit.skops") and re.search(hooks[0]["files"], ".fairness-lint.yml")


def test_intersectional_scope_is_judged_too(adult_outputs):
    folder, frame = adult_outputs
    config = {**BASE, "intersectional": True, "metrics": {"demographic_parity_difference": {"max": 0.5}},
              "data_quality": {"min_group_size": 100}}
    doc = json.loads(_check(folder, config, "--json").stdout)
    scopes = {(c["rule"], c["scope"]) for c in doc["checks"]}
    assert ("demographic_parity_difference", "sex x race") in scopes and ("min_group_size", "sex x race") in scopes
    cells = frame.groupby(["sex", "race"]).size()
    small = next(c for c in doc["checks"] if c["rule"] == "min_group_size" and c["scope"] == "sex x race")
    assert small["value"] == cells.min() and small["passed"] is bool(cells.min() >= 100)
