"""The gate reads the intervals: significant improvement required, significant regressions fail, flags."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from fairmend.cli import cli
from fairmend.pipeline.policy import Policy
from fairmend.runner.gates import GatePolicy, evaluate_gate

DP, EOPP = "demographic_parity_difference", "equal_opportunity_difference"


def _c(before, after, lo, hi, p, before_signed=None):
    delta = after - before if before_signed is None else after - before_signed
    return {"before": before, "after": after, "before_signed": before if before_signed is None else before_signed,
            "delta": delta, "ci95": [lo, hi], "p_value": p, "p_value_bh": p}


def _change(**over):
    change = {DP: _c(0.20, 0.10, -0.14, -0.06, 0.001), "accuracy": _c(0.80, 0.79, -0.02, 0.00, 0.08),
              EOPP: _c(0.10, 0.11, -0.02, 0.04, 0.5)}
    change.update(over)
    return change


def test_significant_improvement_within_budgets_passes():
    v = evaluate_gate(DP, _change(), higher_is_better=False)
    assert v.passed and not v.failed


def test_improvement_whose_interval_reaches_zero_fails():
    v = evaluate_gate(DP, _change(**{DP: _c(0.20, 0.15, -0.11, 0.01, 0.09)}), higher_is_better=False)
    assert not v.passed and v.failed == [DP] and "FAIL" in v.reasons[0]
    loose = evaluate_gate(DP, _change(**{DP: _c(0.20, 0.15, -0.11, 0.01, 0.09)}), higher_is_better=False,
                          policy=GatePolicy(require_significance=False))
    assert loose.passed  # 25 % point improvement: the old rule alone passes it


def test_guarded_criterion_getting_significantly_worse_fails_and_is_named():
    worse = _c(0.08, 0.28, 0.12, 0.28, 0.001)  # equal opportunity 0.08 -> 0.28, as in the issue
    v = evaluate_gate(DP, _change(**{EOPP: worse}), higher_is_better=False)
    assert not v.passed and v.failed == [EOPP]
    assert any(r.startswith(EOPP) and "FAIL" in r for r in v.reasons)
    noisy = _c(0.08, 0.12, -0.01, 0.09, 0.12)  # beyond the 0.02 budget, but not significant
    assert evaluate_gate(DP, _change(**{EOPP: noisy}), higher_is_better=False).passed
    # two groups, gap reversed (signed 0.08 -> -0.28): |gap| grew significantly when the change < -0.16
    reversed_gap = _c(0.08, 0.28, -0.45, -0.27, 0.001, before_signed=0.08)
    reversed_gap["delta"] = -0.36
    assert evaluate_gate(DP, _change(**{EOPP: reversed_gap}), higher_is_better=False).failed == [EOPP]


def test_accuracy_loss_beyond_budget_fails_only_when_significant():
    big = _c(0.80, 0.70, -0.14, -0.06, 0.001)
    v = evaluate_gate(DP, _change(accuracy=big), higher_is_better=False)
    assert not v.passed and v.failed == ["accuracy"]
    noisy = _c(0.80, 0.74, -0.13, 0.01, 0.09)
    assert evaluate_gate(DP, _change(accuracy=noisy), higher_is_better=False).passed
    assert not evaluate_gate(DP, _change(accuracy=noisy), higher_is_better=False,
                             policy=GatePolicy(require_significance=False)).passed


def test_no_interval_cannot_pass_a_significance_gate():
    no_ci = {**_c(0.20, 0.10, 0, 0, None), "ci95": None}
    v = evaluate_gate(DP, _change(**{DP: no_ci}), higher_is_better=False)
    assert not v.passed and "no interval" in v.reasons[0]


def test_policy_yaml_key(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("require_significance: false\nmax_fairness_worsening: 0.05\n")
    p = Policy.from_yaml(path)
    assert p.require_significance is False and p.max_fairness_worsening == 0.05
    assert Policy().require_significance is True


def test_run_cli_flag(adult_sample, tmp_path):
    data = tmp_path / "adult.csv"
    adult_sample.frame.to_csv(data, index=False)
    base = ["run", "reweighing_kamiran_calders", "--data", str(data), "--protected", "sex", "--outcome", "income",
            "--n-boot", "200", "--json"]
    on = json.loads(CliRunner().invoke(cli, base).output)
    off = json.loads(CliRunner().invoke(cli, [*base, "--no-require-significance"]).output)
    assert on["config"]["policy"]["require_significance"] is True
    assert off["config"]["policy"]["require_significance"] is False
    assert "significant" in on["gate"]["reasons"][0] and "significant" not in off["gate"]["reasons"][0]
    table = CliRunner().invoke(cli, base[:-1]).output
    assert "p(BH)" in table and "Benjamini-Hochberg" in table


@pytest.mark.parametrize("flag, expected", [("--no-require-significance", False), ("--require-significance", True)])
def test_pipeline_cli_flag_overrides_policy(monkeypatch, tmp_path, flag, expected):
    import fairmend.cli.pipeline as mod

    seen = {}

    def fake(data, protected, outcome, policy, output, resume, quiet, favourable_label=None, **_user_model):
        seen["policy"] = policy
        raise SystemExit(0)

    monkeypatch.setattr(mod, "run_and_report", fake)
    policy = tmp_path / "p.yaml"
    policy.write_text(f"require_significance: {str(not expected).lower()}\n")
    CliRunner().invoke(cli, ["pipeline", "--data", "x.csv", "--protected", "sex", "--outcome", "y",
                             "--policy", str(policy), flag])
    assert seen["policy"].require_significance is expected
