"""LFR (Zemel et al. 2013) against aif360's ``LFR`` on the Adult sample (issue 15, item 1).

The fairness term used to be summed over prototypes where aif360 (and the code released with the
paper) average it, so at aif360's defaults the term weighed K times more and the representation
collapsed. The loss terms are checked against aif360's own objective function evaluated on our
memberships, and the fitted representation against aif360's fitted one downstream.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from _pre_metrics import dp_diff
from fairmend.catalog.techniques.pre_processing.representations import LearnedFairRepresentations
from sklearn.linear_model import LogisticRegression

AIF360_DEFAULTS = {
    "reconstruct_weight": 0.01,
    "target_weight": 1.0,
    "fairness_weight": 50.0,
    "n_prototypes": 5,
}


def _aif360():
    logging.getLogger().setLevel(logging.ERROR)  # aif360 logs its optional extras at import
    helpers = pytest.importorskip("aif360.algorithms.preprocessing.lfr_helpers.helpers")
    lfr = pytest.importorskip("aif360.algorithms.preprocessing.lfr")
    datasets = pytest.importorskip("aif360.datasets")
    return helpers, lfr.LFR, datasets.BinaryLabelDataset


@pytest.fixture(scope="module")
def lfr_at_aif360_defaults(adult_split):
    s = adult_split
    return LearnedFairRepresentations(random_state=0, **AIF360_DEFAULTS).fit(
        s.X_train, s.y_train, sensitive_features=s.A_train
    )


def test_item1_lfr_loss_terms_are_aif360s(adult_split, lfr_at_aif360_defaults, monkeypatch):
    helpers, _, _ = _aif360()
    s, model = adult_split, lfr_at_aif360_defaults
    male = (s.A_train["sex"] == "Male").to_numpy()
    M = model.transform(s.X_train).to_numpy()
    y_hat = np.clip(M @ model.w_, 1e-6, 1 - 1e-6)
    # aif360's objective with its membership function replaced by ours (per group, in its order)
    x = np.zeros((1, 1))
    outputs = iter([(M[~male], x, y_hat[~male, None]), (M[male], x, y_hat[male, None])])
    monkeypatch.setattr(helpers, "get_xhat_y_hat", lambda *args: next(outputs))
    monkeypatch.setattr(helpers.LFR_optim_objective, "steps", 0, raising=False)
    k = M.shape[1]
    args = (x, x, s.y_train[~male], s.y_train[male], k)
    aif_fair = helpers.LFR_optim_objective(np.zeros(k + k), *args, 0.0, 0.0, 1.0, 250, 0)
    ours = model.loss_terms(s.X_train, s.y_train, sensitive_features=s.A_train)
    np.testing.assert_allclose(ours["fairness"], aif_fair, rtol=1e-9)
    outputs = iter([(M[~male], x, y_hat[~male, None]), (M[male], x, y_hat[male, None])])
    monkeypatch.setattr(helpers, "get_xhat_y_hat", lambda *args: next(outputs))
    aif_target = helpers.LFR_optim_objective(np.zeros(k + k), *args, 0.0, 1.0, 0.0, 250, 0)
    np.testing.assert_allclose(ours["target"], aif_target, rtol=1e-6)


@pytest.mark.slow
def test_item1_lfr_matches_aif360(adult_split, lfr_at_aif360_defaults):
    _, LFR, BinaryLabelDataset = _aif360()
    s, ours = adult_split, lfr_at_aif360_defaults
    male_tr = (s.A_train["sex"] == "Male").to_numpy().astype(float)
    male_te = (s.A_test["sex"] == "Male").to_numpy().astype(float)

    def dataset(X, y, male):
        Z = ours.encoder_.transform(X)  # the same standardised / one-hot features for both
        frame = pd.DataFrame(Z, columns=[f"f{j}" for j in range(Z.shape[1])]).assign(sex=male, y=y)
        return BinaryLabelDataset(df=frame, label_names=["y"], protected_attribute_names=["sex"])

    aif = LFR(unprivileged_groups=[{"sex": 0}], privileged_groups=[{"sex": 1}], seed=0)
    train, test = dataset(s.X_train, s.y_train, male_tr), dataset(s.X_test, s.y_test, male_te)
    aif.fit(train)

    def downstream(R_train, R_test):
        pred = LogisticRegression(max_iter=1000).fit(R_train, s.y_train).predict(R_test)
        return float(np.mean(pred == s.y_test)), dp_diff(pred, s.A_test)

    # aif360's representation is x_hat = M V, ours the memberships M: the same span for a linear model
    aif_acc, aif_dp = downstream(aif.transform(train).features, aif.transform(test).features)
    acc, dp = downstream(ours.transform(s.X_train), ours.transform(s.X_test))
    # aif360 is weak here, not a gold standard: it fits with finite-difference L-BFGS capped at
    # 5,000 evaluations (about ten steps for its 5 + 5 x 100 parameters), so on this sample its own
    # label model predicts no positive even at A_z = 0. The loss-term test above is the exact check;
    # this one bounds the downstream gap. Measured: accuracy 0.785 (aif360) vs 0.755 (ours), DP gap
    # 0.019 vs 0.016; the prototype-summed term collapsed to the majority class (0.752, 0.000).
    assert abs(acc - aif_acc) <= 0.05, (aif_acc, acc)
    assert abs(dp - aif_dp) <= 0.03, (aif_dp, dp)
    assert dp < 0.25 * dp_diff(s.baseline_pred, s.A_test)
