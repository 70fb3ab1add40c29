"""Point metrics equal fairlearn's MetricFrame and aif360's ClassificationMetric on Adult (1e-9)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from fairmend.errors import DataError, InvalidParameterError, LabelError, SmallGroupWarning
from fairmend.metrics import (
    FAIRNESS_METRICS,
    PERFORMANCE_METRICS,
    group_table,
    higher_is_better,
    reliability_diagram,
    summarize,
)

TOL = 1e-9


@pytest.mark.parametrize("columns", [["sex"], ["race"], ["sex", "race"]])
def test_matches_fairlearn(adult_preds, columns):
    import fairlearn.metrics as flm
    from sklearn.metrics import balanced_accuracy_score, f1_score, roc_auc_score

    d = adult_preds
    A = d["A"][columns] if len(columns) > 1 else d["A"][columns[0]]
    ours = summarize(d["y"], d["pred"], A, y_score=d["score"])
    y, p = d["y"], d["pred"]
    assert ours["demographic_parity_difference"] == pytest.approx(flm.demographic_parity_difference(y, p, sensitive_features=A), abs=TOL)
    assert ours["disparate_impact_ratio"] == pytest.approx(flm.demographic_parity_ratio(y, p, sensitive_features=A), abs=TOL)
    assert ours["equalized_odds_difference"] == pytest.approx(flm.equalized_odds_difference(y, p, sensitive_features=A), abs=TOL)
    assert ours["equalized_odds_ratio"] == pytest.approx(flm.equalized_odds_ratio(y, p, sensitive_features=A), abs=TOL)
    assert ours["equal_opportunity_difference"] == pytest.approx(flm.equal_opportunity_difference(y, p, sensitive_features=A), abs=TOL)
    mf = flm.MetricFrame(
        metrics={"sr": flm.selection_rate, "tpr": flm.true_positive_rate, "fpr": flm.false_positive_rate,
                 "tnr": flm.true_negative_rate, "fnr": flm.false_negative_rate, "count": flm.count},
        y_true=y, y_pred=p, sensitive_features=A,
    )
    diff = mf.difference()
    assert ours["predictive_equality_difference"] == pytest.approx(diff["fpr"], abs=TOL)
    assert ours["fnr_difference"] == pytest.approx(diff["fnr"], abs=TOL)
    assert ours["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(y, p), abs=TOL)
    assert ours["f1"] == pytest.approx(f1_score(y, p), abs=TOL)
    assert ours["accuracy"] == pytest.approx(np.mean(y == p), abs=TOL)
    assert ours["roc_auc"] == pytest.approx(roc_auc_score(y, d["score"]), abs=TOL)
    assert ours["brier"] == pytest.approx(np.mean((d["score"] - y) ** 2), abs=TOL)
    table = group_table(y, p, A, y_score=d["score"])
    by_group = mf.by_group
    for col, ours_col in [("sr", "selection_rate"), ("tpr", "tpr"), ("fpr", "fpr"), ("tnr", "tnr"), ("fnr", "fnr")]:
        np.testing.assert_allclose(table[ours_col].to_numpy(), by_group[col].to_numpy(dtype=float), atol=TOL)
    np.testing.assert_array_equal(table["n"].to_numpy(), by_group["count"].to_numpy())


def _aif_metric(y, pred, protected01):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from aif360.datasets import BinaryLabelDataset
        from aif360.metrics import ClassificationMetric

    truth = pd.DataFrame({"y": y.astype(float), "prot": protected01.astype(float)})
    ds = BinaryLabelDataset(df=truth, label_names=["y"], protected_attribute_names=["prot"],
                            favorable_label=1.0, unfavorable_label=0.0)
    cls = ds.copy(deepcopy=True)
    cls.labels = pred.astype(float).reshape(-1, 1)
    return ClassificationMetric(ds, cls, unprivileged_groups=[{"prot": 0.0}], privileged_groups=[{"prot": 1.0}])


def test_matches_aif360(adult_preds):
    d = adult_preds
    male = (d["A"]["sex"] == "Male").to_numpy().astype(int)
    cm = _aif_metric(d["y"], d["pred"], male)
    ours = summarize(d["y"], d["pred"], d["A"]["sex"])
    assert ours["demographic_parity_difference"] == pytest.approx(abs(cm.statistical_parity_difference()), abs=TOL)
    di = cm.disparate_impact()
    assert ours["disparate_impact_ratio"] == pytest.approx(min(di, 1 / di), abs=TOL)
    assert ours["equal_opportunity_difference"] == pytest.approx(abs(cm.equal_opportunity_difference()), abs=TOL)
    assert ours["predictive_equality_difference"] == pytest.approx(abs(cm.false_positive_rate_difference()), abs=TOL)
    ppv_gap = abs(cm.positive_predictive_value(privileged=True) - cm.positive_predictive_value(privileged=False))
    assert ours["predictive_parity_difference"] == pytest.approx(ppv_gap, abs=TOL)
    assert ours["accuracy"] == pytest.approx(cm.accuracy(), abs=TOL)
    assert ours["generalized_entropy_index"] == pytest.approx(cm.generalized_entropy_index(alpha=2), abs=TOL)
    assert ours["theil_index"] == pytest.approx(cm.theil_index(), abs=TOL)
    # two groups: average odds (unsigned) equals |aif360's| when TPR and FPR gaps have the same sign
    if np.sign(cm.true_positive_rate_difference()) == np.sign(cm.false_positive_rate_difference()):
        assert ours["average_odds_difference"] == pytest.approx(abs(cm.average_odds_difference()), abs=TOL)


def test_many_categories_and_intersections(adult_preds):
    d = adult_preds
    table = group_table(d["y"], d["pred"], d["A"])
    assert set(table.columns) >= {"group", "sex", "race", "n", "selection_rate", "tpr", "fpr", "ppv", "small_group"}
    assert table["n"].sum() == len(d["y"])
    assert len(table) == 10  # 2 sexes x 5 races, all observed
    assert "Female & Black" in set(table["group"])
    gap = summarize(d["y"], d["pred"], d["A"])["demographic_parity_difference"]
    assert gap == pytest.approx(table["selection_rate"].max() - table["selection_rate"].min(), abs=TOL)


def test_small_groups_flagged():
    y = np.array([0, 1] * 50)
    p = np.array([1, 0] * 50)
    A = np.array(["a"] * 95 + ["b"] * 5)
    with pytest.warns(SmallGroupWarning, match="b"):
        table = group_table(y, p, A, min_group_size=30)
    assert table.set_index("group")["small_group"].to_dict() == {"a": False, "b": True}


def test_ece_and_reliability():
    rng = np.random.default_rng(0)
    s = rng.random(20000)
    y = (rng.random(20000) < s).astype(int)  # perfectly calibrated
    groups = rng.choice(["g1", "g2"], 20000)
    out = summarize(y, (s > 0.5).astype(int), groups, y_score=s)
    assert out["ece"] < 0.02
    shifted = summarize(y, (s > 0.5).astype(int), groups, y_score=np.clip(s * 0.5, 0, 1))
    assert shifted["ece"] > 0.2
    rel = reliability_diagram(y, s, groups, strategy="quantile")
    assert set(rel["group"]) == {"g1", "g2"} and rel.groupby("group")["n"].sum().sum() == 20000
    np.testing.assert_allclose(rel["mean_score"], rel["fraction_positive"], atol=0.05)
    table = group_table(y, (s > 0.5).astype(int), groups, y_score=s)
    assert (table["ece"] < 0.03).all() and (table["ece_equal_mass"] < 0.03).all()


def test_metric_lists_and_directions():
    for name in ("demographic_parity_difference", "disparate_impact_ratio", "equal_opportunity_difference",
                 "equalized_odds_difference", "predictive_parity_difference", "predictive_equality_difference"):
        assert name in FAIRNESS_METRICS
    assert {"accuracy", "balanced_accuracy", "f1", "roc_auc", "brier", "ece"} <= set(PERFORMANCE_METRICS)
    assert not higher_is_better("equalized_odds_difference")
    assert higher_is_better("disparate_impact_ratio") and higher_is_better("accuracy")
    assert not higher_is_better("brier") and not higher_is_better("ece")
    with pytest.raises(InvalidParameterError, match="nope"):
        higher_is_better("nope")


def test_bad_input_errors():
    with pytest.raises(LabelError, match="y_pred"):
        summarize([0, 1, 1], [0, 2, 1], ["a", "b", "a"])
    with pytest.raises(DataError, match="rows"):
        summarize([0, 1, 1], [0, 1, 1], ["a", "b"])
    with pytest.raises(DataError, match="missing"):
        summarize([0, 1, 1], [0, 1, 1], pd.Series(["a", None, "b"], name="sex"))
    with pytest.raises(InvalidParameterError, match="y_score"):
        summarize([0, 1, 1], [0, 1, 1], ["a", "b", "a"], y_score=[0.1, 2.0, 0.3])
