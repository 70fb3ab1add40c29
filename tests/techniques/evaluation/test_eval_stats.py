"""Bootstrap intervals, permutation tests and multiple-comparison correction of fairness gaps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairmend.catalog.techniques.evaluation.stats_tests import (
    BootstrapConfidenceIntervals,
    MultipleComparisonCorrection,
    PermutationTestFairness,
    _holm,
)
from fairmend.errors import InvalidParameterError, SingleGroupError


def test_bootstrap_estimate_matches_fairlearn_and_interval_width_matches_normal_theory(adult_scored):
    from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference

    res = BootstrapConfidenceIntervals(n_resamples=400).run(
        adult_scored, protected="sex", outcome="income", predictions="pred"
    )
    iv = res.summary["intervals"]
    y, p, sex = adult_scored["income"], adult_scored["pred"], adult_scored["sex"]
    dp = iv["selection_rate_difference"]
    assert dp["estimate"] == pytest.approx(demographic_parity_difference(y, p, sensitive_features=sex))
    assert iv["equalized_odds_difference"]["estimate"] == pytest.approx(
        equalized_odds_difference(y, p, sensitive_features=sex)
    )
    assert dp["ci_low"] < dp["estimate"] < dp["ci_high"]
    # two large groups: the gap is ~normal with the textbook standard error of a difference of proportions
    rates = adult_scored.groupby("sex")["pred"].agg(["mean", "size"])
    se = np.sqrt((rates["mean"] * (1 - rates["mean"]) / rates["size"]).sum())
    assert dp["std_error"] == pytest.approx(se, rel=0.2)
    assert dp["ci_high"] - dp["ci_low"] == pytest.approx(2 * 1.96 * se, rel=0.2)


def test_bootstrap_is_seeded_and_drops_small_groups(adult_scored):
    a = BootstrapConfidenceIntervals(n_resamples=50, seed=3).run(
        adult_scored, protected=["sex", "race"], outcome="income", predictions="pred"
    )
    b = BootstrapConfidenceIntervals(n_resamples=50, seed=3).run(
        adult_scored, protected=["sex", "race"], outcome="income", predictions="pred"
    )
    assert a.summary == b.summary
    counts = adult_scored.groupby(["sex", "race"]).size()
    small = {f"{s}|{r}" for (s, r), n in counts.items() if n < 30}
    assert set(a.summary["excluded_groups"]) == small


def test_permutation_test_detects_adult_gap(adult_scored):
    res = PermutationTestFairness(n_permutations=199).run(
        adult_scored, protected="sex", outcome="income", predictions="pred"
    )
    assert res.summary["p_values"]["selection_rate_difference"] == pytest.approx(1 / 200)
    assert res.summary["p_values"]["fpr_difference"] < 0.01


@pytest.mark.parametrize("studentize", [True, False])
def test_permutation_test_is_valid_under_the_null(studentize):
    """Decisions independent of the group: p-values reject at 10% in about 10% of datasets."""
    rng = np.random.default_rng(0)
    rejections = 0
    for _ in range(40):
        n = 300
        frame = pd.DataFrame(
            {
                "g": rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2]),
                "y": rng.binomial(1, 0.4, size=n),
                "pred": rng.binomial(1, 0.3, size=n),
            }
        )
        res = PermutationTestFairness(
            metrics="selection_rate", n_permutations=99, studentize=studentize, min_group_size=1, seed=1
        ).run(frame, protected="g", outcome="y", predictions="pred")
        rejections += res.summary["p_values"]["selection_rate_difference"] <= 0.1
    assert rejections / 40 <= 0.25


def test_holm_known_values():
    np.testing.assert_allclose(_holm(np.array([0.01, 0.04, 0.03, 0.005])), [0.03, 0.06, 0.06, 0.02])


def test_multiple_comparison_on_group_tests(adult_scored):
    from scipy.stats import false_discovery_control

    res = MultipleComparisonCorrection().run(
        adult_scored, protected=["sex", "race"], outcome="income", predictions="pred"
    )
    t = res.tables["tests"]
    np.testing.assert_allclose(t["q_value_bh"], false_discovery_control(t["p_value"], method="bh"))
    assert (t["p_holm"] >= t["q_value_bh"] - 1e-12).all()  # Holm is never less strict than BH
    s = res.summary
    assert s["n_significant_holm"] <= s["n_significant_bh"] <= s["n_significant_uncorrected"]
    female = t[(t["attribute"] == "sex") & (t["group"] == "Female") & (t["metric"] == "selection_rate")]
    assert female["significant_holm"].item()


def test_multiple_comparison_of_given_p_values():
    table = pd.DataFrame({"test": list("abcd"), "p": [0.01, 0.04, 0.03, 0.005]})
    res = MultipleComparisonCorrection(p_value_column="p").run(table)
    assert res.summary["source"] == "given_p_values"
    assert res.summary["n_significant_uncorrected"] == 4
    assert res.summary["n_significant_holm"] == 2  # 0.02 and 0.03
    with pytest.raises(InvalidParameterError):
        MultipleComparisonCorrection(p_value_column="p").run(table.assign(p=[0.1, 2.0, 0.3, 0.4]))


def test_bad_input(adult_scored):
    with pytest.raises(InvalidParameterError):
        BootstrapConfidenceIntervals(metrics="auc").run(adult_scored, protected="sex", outcome="income")
    with pytest.raises(SingleGroupError):
        PermutationTestFairness(min_group_size=10**6).run(
            adult_scored, protected="sex", outcome="income", predictions="pred"
        )
