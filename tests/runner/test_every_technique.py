"""Every built-in executable technique runs through `fairmend run` (the Python API) on German credit
and returns a complete report. Whether each moves its own target the right way is tested beside its
implementation in tests/techniques/; this file guards the one code path they all share."""

from __future__ import annotations

import json
import math

import pytest

from fairmend.catalog.types import Contract, TaskType
from fairmend.plugins import get_catalog, reset
from fairmend.runner.core import REQUIRED_METRICS, run_task, run_technique

reset()
BUILTIN = [t for t in get_catalog() if t.executable and t.plugin.startswith("fairmend.plugins.builtin")]

# Parameters that keep a run on 1,000 rows quick, or that a technique needs on this data.
PARAMS = {
    "optimized_preprocessing_calmon": {"columns": "duration,credit_amount,checking_status"},
    "adversarial_debiasing_zhang": {"epochs": 5},
    "adversarial_fairness_classifier_fairlearn": {"epochs": 5},
    "deltr_fair_learning_to_rank": {"epochs": 50},
    "sensr_individual_fairness": {"epochs": 3},
    "fair_bayesian_hyperparameter_optimization": {"n_initial": 3, "n_iter": 2},
    "causal_discovery_constraint_score_based": {"max_rows": 300},
    "causal_dag_construction": {"max_rows": 300},
}

# Techniques that act on the protected attribute as a model feature (they say so when it is missing).
PROTECTED_AS_FEATURE = {"counterfactual_data_augmentation"}


@pytest.mark.parametrize("technique", BUILTIN, ids=lambda t: t.key)
def test_runs_on_german_with_a_complete_report(technique, german, tmp_path):
    task = run_task(technique)
    outcome = "credit_amount" if task is TaskType.REGRESSION else "credit"
    names = {p.name for p in technique.parameters}
    params = {k: v for k, v in PARAMS.get(technique.key, {}).items() if k in names}
    if technique.key == "pareto_frontier_fairness_accuracy":  # compares runs: make two to compare
        for key in ("reweighing_kamiran_calders", "group_thresholds_demographic_parity"):
            run_technique(key, german.frame, protected=["sex"], outcome="credit", n_boot=0, n_permutations=0,
                          output=tmp_path / key)
        params = {"reports": str(tmp_path / "*" / "report.json")}
    result = run_technique(technique.key, german.frame, protected=["sex"], outcome=outcome, params=params,
                           n_boot=20, n_permutations=20, output=tmp_path / "out",
                           use_protected_feature=technique.key in PROTECTED_AS_FEATURE)
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["technique"] == technique.key and report["stage"] == technique.stage.value
    if technique.contract is Contract.ANALYSIS:
        assert report["analysis"]["summary"], technique.key
        return
    assert report["gate"]["reasons"], technique.key
    assert result.target_metric in report["change"]
    if task is TaskType.BINARY_CLASSIFICATION:
        assert set(REQUIRED_METRICS) <= set(report["change"])
    for metric, c in report["change"].items():
        assert math.isfinite(c["before"]) and math.isfinite(c["after"]), (technique.key, metric)
