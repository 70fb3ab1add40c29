"""GerryFair (Kearns et al. 2018) through aif360: the subgroup FP disparity the auditor finds shrinks."""

from __future__ import annotations

import numpy as np
import pytest

from fairmend.catalog.techniques.in_processing.gerryfair import GerryFairSubgroupClassifier
from fairmend.errors import InvalidParameterError, SingleGroupError

pytest.importorskip("aif360")


def _fp_gap(pred: np.ndarray, y: np.ndarray, A) -> float:
    """Largest |FPR(group) − FPR(all)| weighted by group size among negatives (over sex x race)."""
    neg = y == 0
    overall = pred[neg].mean()
    keys = (A["sex"].astype(str) + "|" + A["race"].astype(str)).to_numpy()[neg]
    gaps = [np.mean(keys == k) * abs(pred[neg][keys == k].mean() - overall) for k in set(keys)]
    return float(max(gaps))


def test_reduces_subgroup_fp_disparity(adult_sample):
    frame = adult_sample.frame.iloc[:3000].reset_index(drop=True)
    train, test = frame.iloc[:2000], frame.iloc[2000:].reset_index(drop=True)
    X_tr, X_te = train.drop(columns=["income", "sex", "race"]), test.drop(columns=["income", "sex", "race"])
    A_tr, A_te = train[["sex", "race"]], test[["sex", "race"]]
    y_tr, y_te = train["income"].to_numpy(), test["income"].to_numpy()
    loose = GerryFairSubgroupClassifier(gamma=1.0, max_iters=10).fit(X_tr, y_tr, sensitive_features=A_tr)
    fair = GerryFairSubgroupClassifier(gamma=0.005, C=10, max_iters=30).fit(X_tr, y_tr, sensitive_features=A_tr)
    p_loose = loose.predict(X_te, sensitive_features=A_te)
    p_fair = fair.predict(X_te, sensitive_features=A_te)
    assert _fp_gap(p_fair, y_te, A_te) <= _fp_gap(p_loose, y_te, A_te) + 0.002
    assert np.mean(p_fair == y_te) > 0.7


def test_bad_input(adult_sample):
    frame = adult_sample.frame.iloc[:200]
    X, y = frame.drop(columns=["income", "sex", "race"]), frame["income"].to_numpy()
    with pytest.raises(SingleGroupError):
        GerryFairSubgroupClassifier().fit(X, y, sensitive_features=["a"] * len(y))
    with pytest.raises(InvalidParameterError):
        GerryFairSubgroupClassifier(fairness_def="TP").fit(X, y, sensitive_features=frame[["sex"]])
