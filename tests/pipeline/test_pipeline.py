"""The gated pipeline on real data: decisions, rollback, escalation, resume, and the report."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from fairmend.cli import cli
from fairmend.pipeline import Policy, run_pipeline
from fairmend.pipeline.policy import PreGate
from fairmend.report.html import write_report
from fairmend.report.html import FIGURES, PER_ATTRIBUTE_FIGURES, SECTIONS, figure_id

FAST = dict(n_boot=100, n_permutations=100, candidates_per_stage=1)


@pytest.fixture(scope="module")
def default_run(adult_sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("pipe") / "run"
    result = run_pipeline(adult_sample.frame, protected=["sex"], outcome="income",
                          policy=Policy.from_dict({"candidates_per_stage": 1}), output=out)
    paths = write_report(result, out)
    return result, out, paths


def _events(out):
    return [json.loads(line) for line in (out / "audit_log.jsonl").read_text().splitlines()]


def test_audit_log_explains_each_decision(default_run):
    result, out, _ = default_run
    events = _events(out)
    kinds = [e["event"] for e in events]
    for needed in ("start", "baseline", "decision_point_1", "decision_point_2", "decision_point_3", "gate4"):
        assert needed in kinds, kinds
    for e in events:
        if e["event"].startswith("decision_point") or e["event"] in ("rollback", "escalation", "deploy"):
            assert e.get("rule"), e
    assert kinds[-1] in ("deploy", "escalation")
    assert result.decision in ("deploy", "escalate")
    # decision 1 fires on Adult: the baseline's disparate impact ratio for sex is far below 0.80
    d1 = next(e for e in events if e["event"] == "decision_point_1")
    assert d1["pre_processing"] is True and "disparate impact ratio" in d1["rule"]


def test_pipeline_improves_fairness_on_adult(default_run):
    result, _, _ = default_run
    from fairmend.pipeline.gates import dp_gap

    assert dp_gap(result.final) < dp_gap(result.baseline) * 0.6
    assert result.final.accuracy > result.baseline.accuracy - 0.08


def test_report_has_every_section_and_figure(default_run):
    _, out, paths = default_run
    html = (out / "report.html").read_text()
    for section in SECTIONS:
        assert f'<section id="{section}">' in html, section
    for fig in [*FIGURES, *(figure_id(kind, "sex") for kind in PER_ATTRIBUTE_FIGURES)]:
        assert re.search(rf'<svg class="figure" id="{fig}"', html), fig
    assert html.count("<circle") >= 2 and 'class="ci"' in html and 'class="frontier"' in html or "no candidates" in html
    # self-contained: nothing is fetched over the network
    assert not re.search(r'<(script|link|img)[^>]+(src|href)=', html)
    assert "p (BH)" in html
    for name in ("validation_report", "model_card", "implementation_guide"):
        text = (out / f"{name}.md").read_text()
        assert text.startswith("# ")
    report = json.loads((out / "report.json").read_text())
    assert report["decision"] == default_run[0].decision
    assert "significance" in report and "demographic_parity_difference" in report["significance"]["sex"]


def test_forced_gate_failure_rolls_back_then_escalates(adult_sample, tmp_path):
    policy = Policy.from_dict({
        "pre_gate": {"min_fairness_improvement": 0.99, "max_accuracy_loss": 0.0},
        "targets": {"min_disparate_impact_ratio": 0.999, "max_equalized_odds_difference": 0.001},
        "candidates": {"pre": ["disparate_impact_remover", "reweighing_kamiran_calders"]},
        "max_iterations": 3, **FAST,
    })
    out = tmp_path / "forced"
    result = run_pipeline(adult_sample.frame, protected=["sex"], outcome="income", policy=policy, output=out)
    events = _events(out)
    rollbacks = [e for e in events if e["event"] == "rollback"]
    assert rollbacks, "a failed gate must trigger the rollback rules"
    assert any("weaken" in e["rule"] or "strengthen" in e["rule"] or "switch" in e["rule"] for e in rollbacks)
    pre_attempts = [e for e in events if e["event"] == "attempt" and e["stage"] == "pre"]
    assert 1 < len(pre_attempts) <= 3  # at most max_iterations tries
    assert any(e["event"] == "stage_rolled_back" and e["stage"] == "pre" for e in events)
    assert result.stack.pre is None  # rolled back to the unmodified data
    assert result.decision == "escalate"
    esc = [e for e in events if e["event"] == "escalation"]
    assert esc and esc[0]["failed"] and "business decision" in esc[0]["rule"]


def test_resume_continues_from_checkpoints(adult_sample, tmp_path):
    out = tmp_path / "resume"
    policy = Policy.from_dict({**FAST, "max_iterations": 1})
    first = run_pipeline(adult_sample.frame, protected=["sex"], outcome="income", policy=policy, output=out)
    n_attempts = len([e for e in _events(out) if e["event"] == "attempt"])
    second = run_pipeline(adult_sample.frame, protected=["sex"], outcome="income", policy=policy, output=out,
                          resume=True)
    events = _events(out)
    assert [e["stage"] for e in events if e["event"] == "resumed"] == ["causal", "pre", "in", "post"]
    assert len([e for e in events if e["event"] == "attempt"]) == n_attempts  # nothing re-searched
    assert second.stack.describe() == first.stack.describe()


def test_output_folder_is_not_reused_without_resume(adult_sample, tmp_path):
    out = tmp_path / "busy"
    out.mkdir()
    (out / "something.txt").write_text("user file")
    from fairmend.errors import OutputExistsError

    with pytest.raises(OutputExistsError, match="--resume"):
        run_pipeline(adult_sample.frame, protected=["sex"], outcome="income", output=out)
    assert (out / "something.txt").read_text() == "user file"


def test_policy_yaml_rejects_unknown_keys(tmp_path):
    bad = tmp_path / "policy.yaml"
    bad.write_text("targets:\n  min_dp_ratio: 0.8\n")
    result = CliRunner().invoke(cli, ["pipeline", "--data", "x.csv", "--protected", "sex", "--outcome", "y",
                                      "--policy", str(bad)])
    assert result.exit_code == 2 and "min_dp_ratio" in result.stderr


def test_policy_defaults_are_the_seed_numbers():
    p = Policy()
    assert p.targets.min_disparate_impact_ratio == 0.80 and p.targets.max_equalized_odds_difference == 0.10
    assert p.targets.max_ece == 0.05 and p.targets.max_group_ece == 0.08
    assert p.pre_gate == PreGate(0.05, 0.10, 0.05, 0.02)
    assert p.in_gate.max_accuracy_loss == 0.08 and p.post_gate.max_accuracy_loss == 0.10
    assert p.max_iterations == 3


def test_choices_on_selection_rows_report_on_test_rows(default_run):
    """Three disjoint splits: every attempt is judged on selection rows; the reported baseline and
    final numbers come from test rows that nothing was chosen on, and predictions.parquet recomputes them."""
    import pandas as pd

    result, out, _ = default_run
    report = result.to_dict()
    assert report["attempts"] and all(a["measured_on"] == "selection" for a in report["attempts"])
    assert report["baseline"]["measured_on"] == report["final"]["measured_on"] == "test"
    assert report["final_gate"]["measured_on"] == "selection" and report["test_gate"]["measured_on"] == "test"
    splits = json.loads((out / "splits.json").read_text())
    parts = [set(splits[k]) for k in ("train", "selection", "test")]
    assert sum(map(len, parts)) == len(set.union(*parts)) == 8_000
    pred = pd.read_parquet(out / "predictions.parquet")
    assert sorted(pred["row"]) == sorted(splits["test"])
    for when, snap in (("before", result.baseline), ("after", result.final)):
        rates = pred.groupby("group")[when].mean()
        assert rates.max() - rates.min() == pytest.approx(snap.per_attribute["sex"]["demographic_parity_difference"])
        assert (pred[when] == pred["y_true"]).mean() == pytest.approx(snap.accuracy)


def test_resume_refuses_checkpoints_of_other_inputs(adult_sample, tmp_path):
    from fairmend.errors import ResumeMismatchError

    out = tmp_path / "run"
    policy = Policy.from_dict({"candidates_per_stage": 1, "max_iterations": 1})
    run_pipeline(adult_sample.frame, protected=["sex"], outcome="income", policy=policy, output=out)
    other = Policy.from_dict({"candidates_per_stage": 1, "max_iterations": 2})
    with pytest.raises(ResumeMismatchError, match="policy"):
        run_pipeline(adult_sample.frame, protected=["sex"], outcome="income", policy=other, output=out, resume=True)
    changed = adult_sample.frame.copy()
    changed.loc[0, "age"] += 1
    with pytest.raises(ResumeMismatchError, match="data"):
        run_pipeline(changed, protected=["sex"], outcome="income", policy=policy, output=out, resume=True)


def test_pipeline_output_holding_its_input_is_refused(adult_sample, tmp_path):
    data = tmp_path / "adult.csv"
    adult_sample.frame.to_csv(data, index=False)
    res = CliRunner().invoke(cli, ["pipeline", "--data", str(data), "--protected", "sex", "--outcome", "income",
                                   "--output", str(tmp_path), "--resume"])
    assert res.exit_code == 2 and "contains the input" in res.stderr
