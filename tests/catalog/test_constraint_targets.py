"""The runner judges each run on the metric of the criterion the technique was asked to enforce
(issue 15, item 7): every value of every constraint-like parameter in the registry is mapped."""

from __future__ import annotations

import pytest
from fairmend.catalog.types import TaskType
from fairmend.plugins import get_catalog, reset

from fairmend.metrics import available_metrics
from fairmend.runner.core import run_task
from fairmend.runner.targets import CONSTRAINT_TARGETS, UNMEASURED, target_for

reset()
CLASSIFIERS = [t for t in get_catalog() if t.executable and run_task(t) is TaskType.BINARY_CLASSIFICATION]

# choice parameters that pick an algorithm, model or encoding, not the criterion a run is judged on
NOT_TARGETS = {
    "method",
    "ranker",
    "tie_breaking",
    "adversary_loss",
    "by",
    "variant",
    "loss",
    "model",
    "objective",
    "strategy",
    "algorithm",
    "outcome_model",
    "baseline",
    "mediation_method",
    "disparity",
}


@pytest.mark.parametrize("technique", CLASSIFIERS, ids=lambda t: t.key)
def test_item7_every_constraint_value_maps_to_its_metric(technique):
    known = set(available_metrics(with_scores=True))
    for spec in technique.parameters:
        if not spec.choices:
            continue
        if spec.name in NOT_TARGETS:
            assert spec.name not in CONSTRAINT_TARGETS
            continue
        assert spec.name in CONSTRAINT_TARGETS, f"{technique.key}: classify choice parameter {spec.name!r}"
        for value in spec.choices:
            if (spec.name, str(value)) in UNMEASURED:
                continue
            assert str(value) in CONSTRAINT_TARGETS[spec.name], (
                f"{technique.key}: {spec.name}={value!r} unmapped"
            )
            criterion, metric = CONSTRAINT_TARGETS[spec.name][str(value)]
            assert metric in known, (technique.key, value, metric)
            assert target_for(technique, params={spec.name: value}) == (criterion.value, metric)


@pytest.mark.parametrize(
    ("key", "param", "value", "metric"),
    [
        ("fairgbm", "constraint", "predictive_equality", "predictive_equality_difference"),
        (
            "zafar_disparate_mistreatment",
            "constraint",
            "false_positive_rate",
            "predictive_equality_difference",
        ),
        ("zafar_disparate_mistreatment", "constraint", "misclassification", "accuracy_difference"),
        ("reject_option_classification", "metric", "average_odds", "average_odds_difference"),
        ("calibrated_equalized_odds_pleiss", "cost_constraint", "fpr", "predictive_equality_difference"),
        ("exponentiated_gradient_reduction", "constraint", "error_rate_parity", "accuracy_difference"),
    ],
)
def test_item7_audit_cases(key, param, value, metric):
    assert target_for(get_catalog().get(key), params={param: value})[1] == metric


def test_item7_defaults_and_override():
    catalog = get_catalog()
    assert target_for(catalog.get("fairgbm")) == ("equal_opportunity", "equal_opportunity_difference")
    assert target_for(catalog.get("calibrated_equalized_odds_pleiss"))[1] == "equalized_odds_difference"
    assert target_for(catalog.get("fairgbm"), override="accuracy") == (None, "accuracy")


@pytest.mark.parametrize(
    ("key", "params", "metric"),
    [
        ("reject_option_classification", {"metric": "average_odds"}, "average_odds_difference"),
        ("calibrated_equalized_odds_pleiss", {"cost_constraint": "fpr"}, "predictive_equality_difference"),
    ],
)
def test_item7_run_is_judged_on_the_mapped_metric(german, key, params, metric):
    from fairmend.runner import run_technique

    result = run_technique(
        key, german.frame, protected=["sex"], outcome="credit", params=params, n_boot=0, n_permutations=0
    )
    assert result.target_metric == metric
    assert metric in result.change
