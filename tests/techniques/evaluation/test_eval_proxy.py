"""Proxy-variable detection on Adult: relationship and marital status predict sex."""

from __future__ import annotations

import numpy as np
import pytest

from fairmend.catalog.techniques.evaluation.proxy import ProxyVariableDetection, cramers_v
from fairmend.errors import ColumnNotFoundError, InvalidParameterError, SingleGroupError


@pytest.fixture(scope="module")
def result(adult_frame):
    frame = adult_frame.copy()
    frame["noise"] = np.random.default_rng(1).normal(size=len(frame))
    return ProxyVariableDetection().run(frame, protected=["sex", "race"], outcome="income")


def test_flags_relationship_and_marital_status_for_sex(result):
    proxies = result.summary["proxies"]
    assert proxies[:2] == ["relationship", "marital_status"]
    sex = [p["feature"] for p in result.summary["by_attribute"]["sex"]]
    assert {"relationship", "marital_status"} <= set(sex)
    strengths = [result.summary["proxy_strength"][p] for p in proxies]
    assert strengths == sorted(strengths, reverse=True)


def test_noise_outcome_and_weak_features_not_flagged(result):
    table = result.tables["associations"]
    assert "income" not in set(table["feature"])
    assert "noise" not in result.summary["proxies"]
    noise = table[(table["feature"] == "noise") & (table["attribute"] == "sex")].iloc[0]
    assert noise["cramers_v"] < 0.1 and abs(noise["auc"] - 0.5) < 0.05
    assert "fnlwgt" not in result.summary["proxies"]


def test_single_feature_auc_and_combined_model(result):
    table = result.tables["associations"]
    rel = table[(table["feature"] == "relationship") & (table["attribute"] == "sex")].iloc[0]
    assert rel["auc"] > 0.8  # "Husband"/"Wife" nearly determine sex
    # all features together recover sex far better than chance, and better than any single one
    assert result.summary["combined_auc"]["sex"] > rel["auc"]


def test_auc_metric_threshold(adult_frame):
    res = ProxyVariableDetection(metric="auc", threshold=0.75, combined_model=False).run(
        adult_frame, protected="sex", outcome="income"
    )
    assert res.summary["proxies"][0] == "relationship"
    assert "marital_status" in res.summary["proxies"]


def test_cramers_v_defining_values():
    a = np.array(["x", "y"] * 50, dtype=object)
    assert cramers_v(a.copy(), a) == pytest.approx(1.0)
    assert cramers_v(np.array(["k"] * 100, dtype=object), a) == 0.0


def test_bad_input(adult_frame):
    with pytest.raises(ColumnNotFoundError, match="gender"):
        ProxyVariableDetection().run(adult_frame, protected="gender", outcome="income")
    one = adult_frame[adult_frame["sex"] == "Male"]
    with pytest.raises(SingleGroupError, match="sex"):
        ProxyVariableDetection(combined_model=False).run(one, protected="sex", outcome="income")
    with pytest.raises(InvalidParameterError):
        ProxyVariableDetection(metric="pearson").run(adult_frame, protected="sex", outcome="income")
