"""Feasibility of the policy's targets from the baseline's scores (Hardt et al. 2016 derived predictors)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairmend.pipeline.feasibility import check_feasibility


def _two_groups(n: int, base_rates: tuple[float, float], noise: float, seed: int = 0):
    rng = np.random.default_rng(seed)
    g = np.where(rng.uniform(size=n) < 0.5, "a", "b")
    p = np.where(g == "a", base_rates[0], base_rates[1])
    y = (rng.uniform(size=n) < p).astype(int)
    score = np.clip(y + rng.normal(scale=noise, size=n), 0, 1) * 0.98 + 0.01
    return y, score, pd.DataFrame({"group": g})


def test_unequal_base_rates_make_parity_costly_and_binding():
    """Near-perfect scores, base rates 0.6 vs 0.2: equalized odds is free (TPR 1, FPR 0 in both groups), but
    a disparate impact ratio of 0.8 forces many wrong decisions: the targets cannot both hold within 5 %."""
    y, score, A = _two_groups(4000, (0.6, 0.2), noise=0.05)
    f = check_feasibility(y, score, A, min_di=0.8, max_eo=0.1, max_accuracy_loss=0.05)
    assert f.accuracy["unconstrained"] > 0.97
    assert f.accuracy["equalized_odds"] == pytest.approx(f.accuracy["unconstrained"], abs=0.01)
    assert f.accuracy["both"] <= min(f.accuracy["disparate_impact"], f.accuracy["equalized_odds"]) + 1e-9
    assert not f.feasible and f.binding == "disparate_impact"
    assert "cannot both hold" in f.message and "disparate impact ratio >= 0.8" in f.message
    # The bound is attainable: with base rates 0.6/0.2, parity at ratio 0.8 needs selection rates s_b >= 0.8 s_a,
    # so at least (0.8 * 0.6 - 0.2) / 2 = 14 % of all rows are decided against their label.
    assert f.accuracy["disparate_impact"] <= 1 - 0.13


def test_equal_base_rates_are_feasible():
    y, score, A = _two_groups(4000, (0.4, 0.4), noise=0.3, seed=1)
    f = check_feasibility(y, score, A, min_di=0.8, max_eo=0.1, max_accuracy_loss=0.05)
    assert f.feasible and f.binding is None and "can hold together" in f.message
    assert f.base_rates["group"]["a"] == pytest.approx(0.4, abs=0.03)


def test_unconstrained_optimum_is_at_least_the_best_single_threshold():
    y, score, A = _two_groups(3000, (0.5, 0.3), noise=0.4, seed=2)
    f = check_feasibility(y, score, A, min_di=0.8, max_eo=0.1, max_accuracy_loss=0.1)
    best_threshold = max(((score >= t) == y).mean() for t in np.linspace(0, 1, 101))
    assert f.accuracy["unconstrained"] >= best_threshold - 0.01


def test_pipeline_reports_feasibility_before_searching(adult_sample, tmp_path):
    import json

    from fairmend.pipeline import Policy, run_pipeline

    out = tmp_path / "run"
    result = run_pipeline(adult_sample.frame, protected=["sex"], outcome="income",
                          policy=Policy.from_dict({"candidates_per_stage": 1, "max_iterations": 1}), output=out)
    assert result.to_dict()["feasibility"]["measured_on"] == "selection"
    events = [json.loads(line)["event"] for line in (out / "audit_log.jsonl").read_text().splitlines()]
    assert events.index("feasibility") < events.index("decision_point_1")


def test_pipeline_favourable_label_zero(german, tmp_path):
    """A recidivism-style outcome (1 = unfavourable): with --favourable-label 0 the pipeline's rates are
    those of outcome 0, stated in its report, and its audit log holds no Python reprs."""
    import json

    from click.testing import CliRunner

    from fairmend.cli import cli

    frame = german.frame.copy()
    frame["reoffended"] = 1 - frame.pop("credit")
    data = tmp_path / "recid.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["pipeline", "--data", str(data), "--protected", "sex", "--outcome", "reoffended",
                                   "--favourable-label", "0", "--output", str(out), "--quiet", "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads((out / "report.json").read_text())
    assert report["dataset"]["favourable_label"] == 0
    assert report["dataset"]["base_rate"] == pytest.approx((frame["reoffended"] == 0).mean())
    log = (out / "audit_log.jsonl").read_text()
    rules = " ".join(json.loads(line).get("rule", "") for line in log.splitlines())
    assert "{'" not in rules and "['" not in rules
