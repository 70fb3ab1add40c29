"""Generalized entropy index and consistency against aif360's dataset metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairmend.catalog.techniques.evaluation.individual import ConsistencyIndividualFairness, InequalityIndices
from fairmend.errors import ColumnNotFoundError, DataError, LabelError

from _eval_helpers import silence_aif360


def _classification_metric(frame, protected="sex", privileged="Male"):
    silence_aif360()
    from aif360.datasets import BinaryLabelDataset
    from aif360.metrics import ClassificationMetric

    num = pd.DataFrame(
        {
            "a": (frame[protected] == privileged).astype(float).to_numpy(),
            "y": frame["income"].astype(float).to_numpy(),
        }
    )
    truth = BinaryLabelDataset(df=num, label_names=["y"], protected_attribute_names=["a"])
    pred = truth.copy()
    pred.labels = frame["pred"].to_numpy(dtype=float).reshape(-1, 1)
    return ClassificationMetric(truth, pred, unprivileged_groups=[{"a": 0}], privileged_groups=[{"a": 1}])


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0, 3.0])
def test_gei_matches_aif360(adult_scored, alpha):
    res = InequalityIndices(alpha=alpha).run(
        adult_scored, protected="sex", outcome="income", predictions="pred"
    )
    metric = _classification_metric(adult_scored)
    assert res.summary["generalized_entropy_index"] == pytest.approx(
        metric.generalized_entropy_index(alpha=alpha), abs=1e-9
    )
    assert res.summary["between_group"] == pytest.approx(
        metric.between_group_generalized_entropy_index(alpha=alpha), abs=1e-9
    )
    if alpha == 1.0:
        assert res.summary["theil_index"] == pytest.approx(metric.theil_index(), abs=1e-9)
    # Speicher et al.'s exact decomposition
    assert res.summary["within_group"] + res.summary["between_group"] == pytest.approx(
        res.summary["generalized_entropy_index"], abs=1e-12
    )


def test_gei_baseline_audit_and_perfect_predictions(adult_frame):
    res = InequalityIndices().run(adult_frame, protected=["sex", "race"], outcome="income")
    assert res.summary["audited"] == "baseline_logreg_test_split"
    assert 0 < res.summary["generalized_entropy_index"] < 0.5
    perfect = adult_frame.assign(pred=adult_frame["income"])
    res = InequalityIndices().run(perfect, protected="sex", outcome="income", predictions="pred")
    assert res.summary["generalized_entropy_index"] == 0.0


def _german_numeric(german):
    frame = german.frame
    X = pd.get_dummies(frame.drop(columns=["credit", "sex", "age_group"]), dtype=float)
    X = (X - X.mean()) / X.std(ddof=0).replace(0, 1)
    X["sex_male"] = (frame["sex"] == "male").astype(float)
    X["credit"] = frame["credit"].astype(float)
    return X


@pytest.mark.parametrize("k", [3, 5, 10])
def test_consistency_matches_aif360(german, k):
    silence_aif360()
    from aif360.datasets import BinaryLabelDataset
    from aif360.metrics import BinaryLabelDatasetMetric

    num = _german_numeric(german)
    ours = ConsistencyIndividualFairness(n_neighbors=k, encode=False, include_protected=True).run(
        num, protected="sex_male", outcome="credit"
    )
    ds = BinaryLabelDataset(df=num, label_names=["credit"], protected_attribute_names=["sex_male"])
    ref = BinaryLabelDatasetMetric(
        ds, unprivileged_groups=[{"sex_male": 0}], privileged_groups=[{"sex_male": 1}]
    )
    assert ours.summary["consistency"] == pytest.approx(
        float(np.ravel(ref.consistency(n_neighbors=k))[0]), abs=1e-9
    )


def test_consistency_of_smooth_vs_random_decisions(adult_frame, adult_scored):
    smooth = ConsistencyIndividualFairness().run(
        adult_scored, protected="sex", outcome="income", predictions="pred"
    )
    shuffled = adult_scored.assign(pred=np.random.default_rng(0).permutation(adult_scored["pred"].to_numpy()))
    rand = ConsistencyIndividualFairness().run(
        shuffled, protected="sex", outcome="income", predictions="pred"
    )
    # a model's decisions are a function of x, so neighbours agree far more than shuffled decisions
    assert smooth.summary["consistency"] > rand.summary["consistency"] + 0.1
    assert smooth.summary["audited"] == "predictions"


def test_bad_input(adult_frame):
    with pytest.raises(ColumnNotFoundError):
        InequalityIndices().run(adult_frame, protected="sex", outcome="income", predictions="nope")
    with pytest.raises(LabelError):
        InequalityIndices().run(adult_frame.assign(p=2), protected="sex", outcome="income", predictions="p")
    with pytest.raises(DataError, match="numeric"):
        ConsistencyIndividualFairness(encode=False).run(adult_frame, protected="sex", outcome="income")
