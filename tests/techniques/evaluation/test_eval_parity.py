"""Four-fifths rule, error-rate parity, predictive parity and intersectional evaluation on Adult."""

from __future__ import annotations

import numpy as np
import pytest

from fairmend.catalog.techniques.evaluation.intersectional import IntersectionalFairnessEvaluation
from fairmend.catalog.techniques.evaluation.parity import (
    DemographicParityFourFifths,
    ErrorRateParityMetrics,
    PredictiveParityMetrics,
)
from fairmend.errors import ColumnNotFoundError, SingleGroupError


def test_four_fifths_fails_for_sex_on_adult_labels(adult_frame):
    from fairlearn.metrics import demographic_parity_difference, demographic_parity_ratio

    res = DemographicParityFourFifths().run(adult_frame, protected="sex", outcome="income")
    s = res.summary
    assert s["audited"] == "labels"
    assert s["passes_four_fifths"] is False
    y, sex = adult_frame["income"], adult_frame["sex"]
    assert s["disparate_impact_ratio"] == pytest.approx(
        demographic_parity_ratio(y, y, sensitive_features=sex)
    )
    assert s["demographic_parity_difference"] == pytest.approx(
        demographic_parity_difference(y, y, sensitive_features=sex)
    )
    assert s["disparate_impact_ratio"] < 0.5
    assert s["by_attribute"]["sex"]["adverse_impact_groups"] == ["Female"]


def test_four_fifths_passes_when_rates_are_close(adult_frame, rng):
    frame = adult_frame.assign(pred=rng.binomial(1, 0.3, size=len(adult_frame)))
    res = DemographicParityFourFifths().run(frame, protected="sex", outcome="income", predictions="pred")
    assert res.summary["audited"] == "predictions"
    assert res.summary["passes_four_fifths"] is True
    assert res.summary["disparate_impact_ratio"] > 0.8


def test_small_intersections_are_not_judged(adult_frame):
    res = DemographicParityFourFifths(min_group_size=100).run(
        adult_frame, protected=["sex", "race"], outcome="income"
    )
    table = res.tables["groups_sex|race"]
    small = table[table["n"] < 100]
    assert len(small) > 0 and not small["adverse_impact"].any()


def test_error_rate_parity_matches_fairlearn(adult_scored):
    from fairlearn.metrics import equal_opportunity_difference, equalized_odds_difference

    res = ErrorRateParityMetrics().run(adult_scored, protected="sex", outcome="income", predictions="pred")
    y, p, sex = adult_scored["income"], adult_scored["pred"], adult_scored["sex"]
    assert res.summary["equalized_odds_difference"] == pytest.approx(
        equalized_odds_difference(y, p, sensitive_features=sex)
    )
    assert res.summary["equal_opportunity_difference"] == pytest.approx(
        equal_opportunity_difference(y, p, sensitive_features=sex)
    )
    table = res.tables["groups_sex"].set_index("group")
    np.testing.assert_allclose(table["tpr"] + table["fnr"], 1.0)


def test_error_rate_parity_baseline_when_no_predictions(adult_frame):
    res = ErrorRateParityMetrics().run(adult_frame, protected="sex", outcome="income")
    assert res.summary["audited"] == "baseline_logreg_test_split"
    assert res.summary["n_rows"] == pytest.approx(0.3 * len(adult_frame), abs=2)
    assert res.summary["equalized_odds_difference"] > 0.05  # the unmitigated baseline is not EO-fair on Adult


def test_predictive_parity_values(adult_scored):
    from sklearn.metrics import precision_score

    res = PredictiveParityMetrics().run(adult_scored, protected="sex", outcome="income", predictions="pred")
    table = res.tables["groups_sex"].set_index("group")
    for g in ("Female", "Male"):
        m = adult_scored["sex"] == g
        assert table.loc[g, "ppv"] == pytest.approx(
            precision_score(adult_scored["income"][m], adult_scored["pred"][m])
        )
        assert table.loc[g, "ppv"] + table.loc[g, "fdr"] == pytest.approx(1.0)
        assert table.loc[g, "npv"] + table.loc[g, "for"] == pytest.approx(1.0)
    assert res.summary["ppv_difference"] == pytest.approx(
        abs(table.loc["Female", "ppv"] - table.loc["Male", "ppv"])
    )


def test_intersectional_evaluation_gender_shades_table(adult_scored):
    res = IntersectionalFairnessEvaluation().run(
        adult_scored, protected=["sex", "race"], outcome="income", predictions="pred"
    )
    table = res.tables["groups"]
    inter = table[table["level"] == "intersection"]
    assert len(inter) == adult_scored.groupby(["sex", "race"]).ngroups
    assert inter["n"].sum() == len(adult_scored)
    assert (inter["accuracy_ci_low"] <= inter["accuracy"]).all() and (
        inter["accuracy"] <= inter["accuracy_ci_high"]
    ).all()
    s = res.summary
    # intersections hide larger gaps than each attribute alone (the paper's point)
    assert (
        s["max_gaps"]["selection_rate"]["difference"]
        >= max(v["selection_rate"] for v in s["marginal_gaps"].values()) - 1e-12
    )
    assert set(s["small_groups"]) == set(inter[inter["n"] < 30]["group"])


def test_bad_input(adult_frame):
    with pytest.raises(ColumnNotFoundError):
        ErrorRateParityMetrics().run(adult_frame, protected="sex", outcome="salary")
    with pytest.raises(SingleGroupError):
        DemographicParityFourFifths().run(adult_frame.assign(sex="F"), protected="sex", outcome="income")
