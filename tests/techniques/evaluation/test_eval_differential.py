"""Differential fairness (Foulds et al. 2020) against aif360 and under a reweighing-style repair."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairmend.catalog.techniques.evaluation.differential import DifferentialFairness, epsilon
from fairmend.errors import InvalidParameterError, SingleGroupError

from _eval_helpers import silence_aif360


def _aif360_edf(frame, y, alpha, y_pred=None):
    silence_aif360()
    from aif360.sklearn.metrics import smoothed_edf

    index = pd.MultiIndex.from_frame(frame[["sex", "race"]])
    y_true = pd.Series(np.asarray(y), index=index)
    pred = None if y_pred is None else np.asarray(y_pred)
    return smoothed_edf(y_true, pred, concentration=2 * alpha)


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0])
def test_epsilon_matches_aif360_smoothed_edf(adult_frame, alpha):
    res = DifferentialFairness(alpha=alpha).run(adult_frame, protected=["sex", "race"], outcome="income")
    assert res.summary["audited"] == "labels"
    assert res.summary["epsilon"] > 0.5
    assert res.summary["epsilon"] == pytest.approx(
        _aif360_edf(adult_frame, adult_frame["income"], alpha), abs=1e-12
    )


def test_bias_amplification_matches_aif360(adult_scored):
    silence_aif360()
    from aif360.sklearn.metrics import df_bias_amplification

    res = DifferentialFairness().run(
        adult_scored, protected=["sex", "race"], outcome="income", predictions="pred"
    )
    index = pd.MultiIndex.from_frame(adult_scored[["sex", "race"]])
    expected = df_bias_amplification(
        pd.Series(adult_scored["income"].to_numpy(), index=index),
        adult_scored["pred"].to_numpy(),
        concentration=1.0,
    )
    assert res.summary["bias_amplification"] == pytest.approx(expected, abs=1e-12)


def test_epsilon_decreases_after_reweighing_repair(adult_frame):
    """Preferential resampling to the Kamiran-Calders expected cell sizes n_s * P(y): y independent of s."""
    frame = adult_frame
    groups = (frame["sex"] + "|" + frame["race"]).to_numpy()
    y = frame["income"].to_numpy()
    rng = np.random.default_rng(0)
    rows = []
    for g in np.unique(groups):
        n_g = int((groups == g).sum())
        for label, p_label in ((1, y.mean()), (0, 1 - y.mean())):
            cell = np.flatnonzero((groups == g) & (y == label))
            rows.append(rng.choice(cell, size=int(round(n_g * p_label)), replace=True))
    repaired = frame.iloc[np.concatenate(rows)].reset_index(drop=True)
    before = DifferentialFairness().run(frame, protected=["sex", "race"], outcome="income").summary["epsilon"]
    after = (
        DifferentialFairness().run(repaired, protected=["sex", "race"], outcome="income").summary["epsilon"]
    )
    assert before > 1.0
    assert after < 0.25 * before


def test_intersection_bounds_attribute_subsets(adult_frame):
    """Foulds et al. Thm: the epsilon of any attribute subset is at most twice the intersection's."""
    res = DifferentialFairness().run(adult_frame, protected=["sex", "race"], outcome="income")
    for value in res.summary["epsilon_by_attribute_subset"].values():
        assert value <= 2 * res.summary["epsilon"]


def test_equal_rates_give_zero_epsilon():
    y = np.array([1, 0] * 50)
    groups = np.array(["a"] * 50 + ["b"] * 50, dtype=object)
    assert epsilon(y, groups, 0.5) == pytest.approx(0.0)


def test_bad_input(adult_frame):
    with pytest.raises(InvalidParameterError):
        DifferentialFairness(alpha=-1).run(adult_frame, protected="sex", outcome="income")
    with pytest.raises(SingleGroupError):
        DifferentialFairness().run(adult_frame.assign(sex="x"), protected="sex", outcome="income")
