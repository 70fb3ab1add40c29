"""Group DRO (Sagawa et al. 2020): the worst group's loss goes down versus plain logistic regression."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairmend.catalog.techniques.in_processing.group_dro import GroupDRO
from fairmend.errors import SingleGroupError


def _group_logloss(proba: np.ndarray, y: np.ndarray, g: np.ndarray) -> dict:
    p = np.clip(np.where(y == 1, proba, 1 - proba), 1e-12, 1)
    return pd.Series(-np.log(p)).groupby(g).mean().to_dict()


def test_worst_group_loss_goes_down(adult_split):
    """Groups = sex x income (label-dependent groups, as in the paper's spurious-correlation setup)."""
    s = adult_split
    g_train = s.A_train["sex"].to_numpy() + "|" + s.y_train.astype(str)
    g_test = s.A_test["sex"].to_numpy() + "|" + s.y_test.astype(str)
    m = GroupDRO(n_iter=600).fit(s.X_train, s.y_train, sensitive_features=g_train)
    base = _group_logloss(s.baseline_proba, s.y_test, g_test)
    ours = _group_logloss(m.predict_proba(s.X_test)[:, 1], s.y_test, g_test)
    assert max(ours.values()) < max(base.values()), (base, ours)
    # the group weights are a distribution that up-weights a group whose loss is near the worst
    assert abs(sum(m.group_weights_.values()) - 1) < 1e-9
    heaviest = max(m.group_weights_, key=m.group_weights_.get)
    assert m.group_losses_[heaviest] > max(m.group_losses_.values()) - 0.1


def test_bad_input(adult_split):
    s = adult_split
    with pytest.raises(SingleGroupError):
        GroupDRO().fit(s.X_train, s.y_train, sensitive_features=["x"] * len(s.y_train))
