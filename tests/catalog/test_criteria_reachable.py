"""Names and criteria are true (issue 15, item 8): every criterion a mitigation technique lists is
reachable through one of its parameters, or is the single criterion it enforces."""

from __future__ import annotations

import pytest
from fairmend.catalog.types import Criterion as C
from fairmend.plugins import get_catalog, reset

from fairmend.runner.targets import CONSTRAINT_TARGETS

reset()
MITIGATION = [
    t
    for t in get_catalog()
    if t.executable and t.stage.value in ("pre_processing", "in_processing", "post_processing")
]
# criteria a parameter can select; the rest (calibration, individual fairness, ...) are properties
# a technique has whatever its parameters
SELECTABLE = {
    C.DEMOGRAPHIC_PARITY,
    C.EQUAL_OPPORTUNITY,
    C.PREDICTIVE_EQUALITY,
    C.EQUALIZED_ODDS,
    C.ERROR_RATE_PARITY,
    C.ACCURACY_PARITY,
    C.PREDICTIVE_PARITY,
    C.EXPOSURE_PARITY,
    C.DISPARATE_TREATMENT_EXPOSURE,
    C.DISPARATE_IMPACT_EXPOSURE,
}
IMPLIES = {C.EQUALIZED_ODDS: {C.EQUAL_OPPORTUNITY, C.PREDICTIVE_EQUALITY}}
# parameter values that select a criterion: the runner's map plus the ranking criteria
VALUE_CRITERION = {
    (name, value): crit for name, table in CONSTRAINT_TARGETS.items() for value, (crit, _) in table.items()
}
VALUE_CRITERION |= {
    ("criterion", "demographic_parity"): C.EXPOSURE_PARITY,  # fairness of exposure: equal mean exposure
    ("criterion", "disparate_treatment"): C.DISPARATE_TREATMENT_EXPOSURE,
}


def _closure(criteria):
    out = set(criteria)
    for c in criteria:
        out |= IMPLIES.get(c, set())
    return out


@pytest.mark.parametrize("technique", MITIGATION, ids=lambda t: t.key)
def test_item8_every_listed_criterion_is_reachable(technique):
    listed = [c for c in technique.criteria if c in SELECTABLE]
    selected = {
        VALUE_CRITERION[(p.name, str(v))]
        for p in technique.parameters
        if p.choices
        for v in p.choices
        if (p.name, str(v)) in VALUE_CRITERION
    }
    if selected:
        unreachable = [c.value for c in listed if c not in _closure(selected)]
        assert not unreachable, f"{technique.key}: no parameter value selects {unreachable}"
    elif listed:
        extra = [c.value for c in listed if c not in _closure([listed[0]])]
        assert not extra, f"{technique.key} has no criterion parameter but lists {[c.value for c in listed]}"


def test_item8_named_promises_removed():
    catalog = get_catalog()
    assert "FCI" not in catalog.get("causal_discovery_constraint_score_based").name
    assert "forest" not in catalog.get("fair_trees_strong_dp").name
    assert "SVM" not in catalog.get("zafar_fairness_constraints_dp").name
    assert "isotonic" not in catalog.get("group_specific_platt_scaling").name
    assert "false discovery" not in catalog.get("meta_fair_classifier_celis").name
    change_point = catalog.get("change_point_detection")
    assert "PELT" not in change_point.name and change_point.citation.year == 1954
    method = next(p for p in change_point.parameters if p.name == "method")
    assert list(method.choices) == ["cusum", "page_hinkley"]
