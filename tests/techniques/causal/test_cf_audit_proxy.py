"""Counterfactual prediction audit (Kusner et al. 2017) and proxy intervention (Kilbertus et al. 2017)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairmend.catalog.techniques.causal.counterfactual import AdditiveNoiseModel
from fairmend.catalog.techniques.causal.cf_audit import CounterfactualPredictionAudit
from fairmend.catalog.techniques.causal.proxy_intervention import ProxyInterventionFairness

from fairmend.errors import ColumnNotFoundError, DataError, NotExecutableError


def test_audit_baseline_changes_by_group(adult_sample):
    frame = adult_sample.frame
    res = CounterfactualPredictionAudit().run(frame, protected="sex", outcome="income")
    table = res.tables["counterfactual_changes_by_group"].set_index("group")
    assert set(table.index) == {"Female", "Male"}
    # flipping women to men raises P(>50K) through the fitted SCM, and vice versa
    assert table.loc["Female", "mean_change"] > 0.05
    assert table.loc["Male", "mean_change"] < -0.05
    assert table.loc["Female", "flip_to_unfavourable"] == 0.0
    assert 0 < res.summary["decision_flip_rate"] < 0.5
    assert table["rows"].sum() == len(frame)


def test_audit_matches_additive_noise_model(adult_sample):
    """The reported changes are those of the existing SCM's counterfactual rows."""
    from sklearn.linear_model import LogisticRegression

    frame = adult_sample.frame
    feats = ["age", "education_num", "hours_per_week"]
    res = CounterfactualPredictionAudit(features=",".join(feats)).run(
        frame, protected="sex", outcome="income"
    )
    a = (frame["sex"] == "Male").to_numpy().astype(int)
    anm = AdditiveNoiseModel().fit(frame[feats], a)
    D, D_cf = anm._design(frame[feats]).to_numpy(), anm.counterfactual(frame[feats], a, 1 - a).to_numpy()
    m = LogisticRegression(max_iter=3000).fit(D, frame["income"].to_numpy())
    delta = m.predict_proba(D_cf)[:, 1] - m.predict_proba(D)[:, 1]
    assert res.summary["mean_abs_change"] == pytest.approx(np.abs(delta).mean(), rel=1e-6)


def test_audit_of_predictions_column(adult_sample):
    frame = adult_sample.frame.copy()
    # a model that only looks at age: A barely moves age, so its counterfactual changes are small
    frame["pred"] = (frame["age"] > 45).astype(int)
    full = CounterfactualPredictionAudit().run(frame.drop(columns="pred"), protected="sex", outcome="income")
    res = CounterfactualPredictionAudit().run(frame, protected="sex", outcome="income", predictions="pred")
    assert "pred" not in res.summary["features"]
    assert res.summary["surrogate_fidelity"] > 0.9
    assert res.summary["mean_abs_change"] < full.summary["mean_abs_change"]
    with pytest.raises(ColumnNotFoundError):
        CounterfactualPredictionAudit().run(frame, protected="sex", outcome="income", predictions="nope")
    frame["pred"] = "yes"
    with pytest.raises(DataError):
        CounterfactualPredictionAudit().run(frame, protected="sex", outcome="income", predictions="pred")


def test_proxy_intervention_reduces_dp_gap(adult_sample):
    res = ProxyInterventionFairness().run(adult_sample.frame, protected="sex", outcome="income")
    s = res.summary
    assert {"relationship", "marital_status"} <= set(s["proxies"])
    base, fair = s["baseline"], s["proxy_intervened"]
    assert fair["demographic_parity_difference"] < base["demographic_parity_difference"] - 0.03
    assert fair["accuracy"] > base["accuracy"] - 0.03
    assert res.tables["proxy_effects"]["effect_of_A"].abs().max() > 0.3


def test_proxy_transform_removes_group_dependence(adult_sample):
    frame = adult_sample.frame
    X = frame.drop(columns=["sex", "income"])
    sf = frame["sex"]
    rep = ProxyInterventionFairness(proxies="relationship,marital_status").fit(X, sensitive_features=sf)
    D = rep.transform(X, sensitive_features=sf)
    male = (sf == "Male").to_numpy()
    for c in rep.proxy_columns_:
        assert D.loc[male, c].mean() == pytest.approx(D.loc[~male, c].mean(), abs=1e-9)
    # non-proxy columns are untouched
    assert np.allclose(D["education_num"], rep._encode(X)["education_num"])
    with pytest.raises(ColumnNotFoundError):
        ProxyInterventionFairness(proxies="zip").fit(X, sensitive_features=sf)
    with pytest.raises(NotExecutableError):
        ProxyInterventionFairness().fit(X, sensitive_features=frame["race"])
    with pytest.raises(DataError):
        ProxyInterventionFairness().fit(X, sensitive_features=pd.Series(["Male"] * len(X)))
