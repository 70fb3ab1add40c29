"""Bootstrap intervals against plain-loop references, permutation-test size and power, BH, CV."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairmend.errors import InvalidParameterError
from fairmend.stats import (
    benjamini_hochberg,
    compare,
    cross_validate_intervention,
    group_permutation_test,
    paired_bootstrap_ci,
    paired_permutation_test,
    stratified_bootstrap_ci,
)


def _subsample(d, n, seed=0):
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(len(d["y"]), n, replace=False))
    return d["y"][idx], d["pred"][idx], d["score"][idx], d["A"].iloc[idx].reset_index(drop=True), idx


def _dp_eo(y, p, g):
    """Reference DP and EO gaps by a loop over groups (groups without positives/negatives skipped)."""
    sr, tpr, fpr = [], [], []
    for v in np.unique(g):
        m = g == v
        sr.append(p[m].mean())
        if (m & (y == 1)).any():
            tpr.append(p[m & (y == 1)].mean())
        if (m & (y == 0)).any():
            fpr.append(p[m & (y == 0)].mean())
    return max(sr) - min(sr), max(max(tpr) - min(tpr), max(fpr) - min(fpr))


def _loop_bootstrap(y, preds, g, n_boot, seed, stat, by_label=True):
    """Plain-loop stratified bootstrap: resample rows within each group x label stratum (or group)."""
    rng = np.random.default_rng(seed)
    labels = (0, 1) if by_label else (None,)
    strata = [np.flatnonzero((g == v) & ((y == lab) if lab is not None else True)) for v in np.unique(g) for lab in labels]
    out = []
    for _ in range(n_boot):
        idx = np.concatenate([rng.choice(s, len(s), replace=True) for s in strata if len(s)])
        out.append(stat(idx))
    return np.array(out)


def _close(ours, ref_reps, frac=0.25):
    lo, hi = np.quantile(ref_reps, [0.025, 0.975])
    sd = ref_reps.std()
    assert abs(ours[0] - lo) < frac * sd + 1e-12 and abs(ours[1] - hi) < frac * sd + 1e-12, (ours, (lo, hi), sd)


def test_bootstrap_matches_plain_loop(adult_preds):
    y, p, _s, A, _ = _subsample(adult_preds, 3000)
    g = (A["sex"] + "|" + A["race"]).to_numpy()
    ours = stratified_bootstrap_ci(y, p, A, ["demographic_parity_difference", "equalized_odds_difference", "accuracy"],
                                   n_boot=2000, seed=1)
    # selection-rate and accuracy metrics are resampled within groups, label-conditioned ones within group x label
    ref = _loop_bootstrap(y, [p], g, 2000, 2, lambda i: (_dp_eo(y[i], p[i], g[i])[0], np.mean(y[i] == p[i])), by_label=False)
    ref_eo = _loop_bootstrap(y, [p], g, 2000, 3, lambda i: _dp_eo(y[i], p[i], g[i])[1])
    _close(ours["demographic_parity_difference"], ref[:, 0])
    _close(ours["equalized_odds_difference"], ref_eo, frac=0.35)  # small cells: a discrete distribution
    _close(ours["accuracy"], ref[:, 1])


def test_score_bootstrap_matches_plain_loop(adult_preds):
    from sklearn.metrics import roc_auc_score

    y, p, s, A, _ = _subsample(adult_preds, 2000, seed=3)
    g = A["sex"].to_numpy()
    ours = stratified_bootstrap_ci(y, p, A["sex"], ["roc_auc", "brier"], y_score=s, n_boot=1500, seed=4)
    ref_auc = _loop_bootstrap(y, [p], g, 1500, 5, lambda i: roc_auc_score(y[i], s[i]))
    ref_brier = _loop_bootstrap(y, [p], g, 1500, 6, lambda i: np.mean((s[i] - y[i]) ** 2), by_label=False)
    _close(ours["roc_auc"], ref_auc)
    _close(ours["brier"], ref_brier)


def test_paired_bootstrap_matches_plain_loop(adult_preds, adult_fair_preds):
    y, p, _s, A, idx = _subsample(adult_preds, 3000, seed=6)
    q = adult_fair_preds[idx]
    g = A["sex"].to_numpy()
    ours = paired_bootstrap_ci(y, p, q, A["sex"], ["demographic_parity_difference"], n_boot=2000, seed=7)
    # two groups: the signed difference in the order fixed on the baseline (higher selection rate first)
    first, second = sorted(np.unique(g), key=lambda v: -p[g == v].mean())

    def signed(pred, i):
        return pred[i][g[i] == first].mean() - pred[i][g[i] == second].mean()

    ref = _loop_bootstrap(y, [p, q], g, 2000, 8, lambda i: signed(q, i) - signed(p, i), by_label=False)
    _close(ours["demographic_parity_difference"], ref)


def test_bca_matches_plain_loop_reference():
    from scipy.stats import norm

    rng = np.random.default_rng(0)
    n = 400
    g = rng.choice(["a", "b"], n)
    y = rng.integers(0, 2, n)
    p = (rng.random(n) < np.where(g == "a", 0.3, 0.5)).astype(int)
    dp = lambda i: _dp_eo(y[i], p[i], g[i])[0]
    theta = dp(np.arange(n))
    reps = _loop_bootstrap(y, [p], g, 4000, 1, dp)
    jack = np.array([dp(np.delete(np.arange(n), i)) for i in range(n)])
    d = jack.mean() - jack
    a = np.sum(d**3) / (6 * np.sum(d**2) ** 1.5)
    z0 = norm.ppf(np.mean(reps < theta) + 0.5 * np.mean(reps == theta))
    z = norm.ppf([0.025, 0.975])
    ref = np.quantile(reps, norm.cdf(z0 + (z0 + z) / (1 - a * (z0 + z))))
    ours = stratified_bootstrap_ci(y, p, g, ["demographic_parity_difference"], n_boot=4000, seed=2, method="bca")
    sd = reps.std()
    assert abs(ours["demographic_parity_difference"][0] - ref[0]) < 0.25 * sd
    assert abs(ours["demographic_parity_difference"][1] - ref[1]) < 0.25 * sd


def test_paired_permutation_size():
    """Null: intervention predictions from the same distribution as the baseline; reject ~5 %."""
    rng = np.random.default_rng(123)
    n, cases = 1000, 300
    rejections = {"demographic_parity_difference": 0, "equalized_odds_difference": 0}
    for case in range(cases):
        g = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
        y = rng.integers(0, 2, n)
        prob = np.where(g == "a", 0.5, 0.35) + 0.2 * y
        pa = (rng.random(n) < prob).astype(int)
        pb = (rng.random(n) < prob).astype(int)
        for metric in rejections:
            res = paired_permutation_test(y, pa, pb, g, metric, n_permutations=500, seed=case)
            rejections[metric] += res.p_value <= 0.05
    for metric, count in rejections.items():
        rate = count / cases
        assert 0.02 <= rate <= 0.09, (metric, rate)


def test_paired_permutation_size_score_metric():
    rng = np.random.default_rng(7)
    n, cases, rejected = 400, 200, 0
    for case in range(cases):
        g = rng.choice(["a", "b"], n)
        y = rng.integers(0, 2, n)
        sa = np.clip(0.3 + 0.3 * y + rng.normal(0, 0.2, n), 0, 1)
        sb = np.clip(0.3 + 0.3 * y + rng.normal(0, 0.2, n), 0, 1)
        res = paired_permutation_test(y, (sa > 0.5).astype(int), (sb > 0.5).astype(int), g, "roc_auc",
                                      scores_a=sa, scores_b=sb, n_permutations=300, seed=case)
        rejected += res.p_value <= 0.05
    assert 0.02 <= rejected / cases <= 0.09


def test_identical_predictions_are_not_significant(adult_preds):
    d = adult_preds
    res = paired_permutation_test(d["y"], d["pred"], d["pred"], d["A"], "demographic_parity_difference", n_permutations=200)
    assert res.statistic == 0 and res.p_value == 1.0


def test_power_real_improvement_on_adult(adult_preds, adult_fair_preds):
    d = adult_preds
    out = compare(d["y"], d["pred"], adult_fair_preds, d["A"]["sex"], n_boot=500, n_permutations=1000, seed=0,
                  metrics=["demographic_parity_difference", "disparate_impact_ratio", "accuracy"])
    dp = out["demographic_parity_difference"]
    assert dp["before"] > 0.05 and dp["after"] < 0.02
    assert dp["delta"] == pytest.approx(dp["after"] - dp["before"])
    assert dp["p_value"] < 0.01 and dp["ci95"][1] < 0 and dp["improved"] and dp["significant"]
    assert out["disparate_impact_ratio"]["improved"]
    res = paired_permutation_test(d["y"], d["pred"], adult_fair_preds, d["A"]["sex"], "demographic_parity_difference",
                                  n_permutations=2000, alternative="less")
    assert res.p_value == pytest.approx(1 / 2001)


def test_compare_with_scores_and_reproducible(adult_preds, adult_fair_preds):
    y, p, s, A, idx = _subsample(adult_preds, 2000, seed=9)
    q = adult_fair_preds[idx]
    s2 = s / 2  # exact, strictly monotone: same ranking, worse calibration
    kw = {"scores_before": s, "scores_after": s2, "n_boot": 200, "n_permutations": 200, "seed": 3}
    first = compare(y, p, q, A, **kw)
    assert compare(y, p, q, A, **kw) == first
    assert {"roc_auc", "brier", "ece", "ece_difference", "equalized_odds_difference"} <= set(first)
    assert first["roc_auc"]["delta"] == pytest.approx(0.0, abs=1e-12)
    assert first["roc_auc"]["p_value"] == 1.0 and first["ece"]["delta"] > 0 and not first["ece"]["improved"]
    for v in first.values():
        assert set(v) >= {"before", "after", "delta", "ci95", "p_value", "improved"}
    bca = compare(y, p, q, A, ci_method="bca", metrics=["accuracy"], n_boot=200, n_permutations=100)
    assert bca["accuracy"]["ci95"][0] <= bca["accuracy"]["delta"] <= bca["accuracy"]["ci95"][1]
    with pytest.raises(InvalidParameterError, match="scores"):
        compare(y, p, q, A, metrics=["roc_auc"])
    with pytest.raises(InvalidParameterError, match="unknown"):
        compare(y, p, q, A, metrics=["bogus"])


def test_group_permutation_test(adult_preds):
    d = adult_preds
    real = group_permutation_test(d["y"], d["pred"], d["A"]["sex"], n_permutations=300)
    assert real.p_value == pytest.approx(1 / 301)
    rng = np.random.default_rng(0)
    pvals = [group_permutation_test(d["y"][:3000], d["pred"][:3000], rng.choice(["a", "b"], 3000),
                                    "equalized_odds_difference", n_permutations=200, seed=i).p_value for i in range(40)]
    assert 0.3 < np.mean(pvals) < 0.7  # random groups: p-values roughly uniform


def test_benjamini_hochberg_matches_scipy():
    from scipy.stats import false_discovery_control

    p = np.random.default_rng(0).random(50) ** 3
    rejected, adjusted = benjamini_hochberg(p, alpha=0.1)
    np.testing.assert_allclose(adjusted, false_discovery_control(p, method="bh"), atol=1e-12)
    np.testing.assert_array_equal(rejected, adjusted <= 0.1)
    assert benjamini_hochberg([0.001, 0.2, np.nan])[1][2] != benjamini_hochberg([0.001, 0.2, np.nan])[1][2]  # NaN stays NaN


def test_cross_validate_intervention(adult_sample):
    from sklearn.linear_model import LogisticRegression

    frame = adult_sample.frame
    X = frame[["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]].astype(float)
    y = frame["income"].to_numpy()
    A = frame["sex"]

    def thresholds(X_tr, y_tr, A_tr, X_te, A_te):
        model = LogisticRegression(max_iter=500).fit(X_tr, y_tr)
        s_tr, s_te = model.predict_proba(X_tr)[:, 1], model.predict_proba(X_te)[:, 1]
        rate = (s_tr >= 0.5).mean()
        pred = np.zeros(len(s_te), dtype=int)
        for v in np.unique(A_tr):
            t = np.quantile(s_tr[A_tr.to_numpy() == v], 1 - rate)
            pred[A_te.to_numpy() == v] = s_te[A_te.to_numpy() == v] > t
        return pred

    out = cross_validate_intervention(LogisticRegression(max_iter=500), thresholds, X, y, sensitive_features=A,
                                      n_splits=4, metrics=["demographic_parity_difference", "accuracy"])
    assert len(out["folds"]) == 4
    dp = out["summary"]["demographic_parity_difference"]
    assert dp["mean_delta"] < -0.05 and dp["max_delta"] < 0 and dp["std_delta"] >= 0
    assert pd.notna(out["summary"]["accuracy"]["mean_delta"])


@pytest.mark.parametrize("metric", ["demographic_parity_difference", "equal_opportunity_difference", "predictive_parity_difference"])
def test_group_permutation_matches_row_shuffle_reference(metric):
    """The exact hypergeometric count draws give the same p-value as shuffling group labels row by row."""
    from fairmend.metrics import summarize

    rng = np.random.default_rng(11)
    n = 600
    g = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
    y = (rng.random(n) < np.where(g == "a", 0.4, 0.3)).astype(int)
    p = (rng.random(n) < 0.3 + 0.3 * y + np.where(g == "c", 0.08, 0.0)).astype(int)
    strata = {"demographic_parity_difference": np.zeros(n), "equal_opportunity_difference": y,
              "predictive_parity_difference": p}[metric]
    observed = summarize(y, p, g)[metric]
    null = []
    for _ in range(2000):
        gp = g.copy()
        for v in np.unique(strata):
            rows = np.flatnonzero(strata == v)
            gp[rows] = rng.permutation(g[rows])
        null.append(summarize(y, p, gp)[metric])
    ref = (1 + np.sum(np.array(null) >= observed - 1e-12)) / 2001
    ours = group_permutation_test(y, p, g, metric, n_permutations=4000, seed=1)
    assert ours.statistic == pytest.approx(observed)
    assert abs(ours.p_value - ref) < 4 * np.sqrt(ref * (1 - ref) / 2000) + 0.005, (ours.p_value, ref)
