"""Speed of fairmend's statistical validation vs fairlearn (run on demand, not in tests).

    python benchmarks/bench_validation.py [--n-boot 1000] [--n-permutations 10000]

Data: all 48,842 rows of UCI Adult (adult.data + adult.test, rows with missing values kept: they only
miss categorical features this benchmark does not use), predictions of a logistic regression on the
numeric columns, protected attributes sex and race (10 intersection groups).

1. 1,000-resample bootstrap 95 % intervals of the demographic parity and equalized odds differences:
   fairmend (stratified, the default; and unstratified, fairlearn's resampling scheme) vs
   ``fairlearn.metrics.MetricFrame(..., n_boot=1000)`` on the same data in the same run. fairlearn has
   no interval for the equalized odds difference itself (a max of two gaps), so its TPR-gap and
   FPR-gap intervals are compared with fairmend's ``equal_opportunity_difference`` and
   ``predictive_equality_difference``. Prints both times and the ratio (goal: >= 10x).
2. Time of a 10,000-permutation paired test (count metric; and ROC AUC, which needs the rows).
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

DATA = Path("/work/shared/data/adult")
COLUMNS = ["age", "workclass", "fnlwgt", "education", "education_num", "marital_status", "occupation",
           "relationship", "race", "sex", "capital_gain", "capital_loss", "hours_per_week", "native_country", "income"]
NUMERIC = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]


def load() -> pd.DataFrame:
    parts = [pd.read_csv(DATA / name, names=COLUMNS, skipinitialspace=True, skiprows=skip, na_values="?")
             for name, skip in (("adult.data", 0), ("adult.test", 1))]
    frame = pd.concat(parts, ignore_index=True).dropna(subset=["income"])
    frame["income"] = frame["income"].astype(str).str.rstrip(".").eq(">50K").astype(int)
    return frame


def predictions(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = frame[NUMERIC].to_numpy(dtype=float)
    y = frame["income"].to_numpy()
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
    score = model.predict_proba(X)[:, 1]
    return y, (score >= 0.5).astype(int), score


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--n-permutations", type=int, default=10000)
    args = parser.parse_args()

    import fairlearn.metrics as flm

    from fairmend.stats import paired_permutation_test, stratified_bootstrap_ci

    frame = load()
    y, pred, score = predictions(frame)
    A = frame[["sex", "race"]].astype(object).reset_index(drop=True)
    print(f"Adult: {len(y)} rows, {A.groupby(['sex', 'race']).ngroups} sex x race groups, n_boot = {args.n_boot}")
    metrics = ["demographic_parity_difference", "equalized_odds_difference", "equal_opportunity_difference",
               "predictive_equality_difference"]

    t0 = time.perf_counter()
    ours = stratified_bootstrap_ci(y, pred, A, metrics, n_boot=args.n_boot, seed=0)
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours_plain = stratified_bootstrap_ci(y, pred, A, metrics, n_boot=args.n_boot, seed=0, stratified=False)
    t_plain = time.perf_counter() - t0

    t0 = time.perf_counter()
    mf = flm.MetricFrame(
        metrics={"selection_rate": flm.selection_rate, "tpr": flm.true_positive_rate, "fpr": flm.false_positive_rate},
        y_true=y, y_pred=pred, sensitive_features=A, n_boot=args.n_boot, ci_quantiles=[0.025, 0.975], random_state=0,
    )
    lo, hi = mf.difference_ci()
    t_fl = time.perf_counter() - t0

    point = mf.difference()
    print("\n95 % intervals (point estimate)")
    print(f"{'metric':32s} {'fairlearn (plain)':>24s} {'fairmend unstratified':>24s} {'fairmend stratified':>24s}")
    pairs = [("demographic_parity_difference", "selection_rate"), ("equal_opportunity_difference", "tpr"),
             ("predictive_equality_difference", "fpr"), ("equalized_odds_difference", None)]
    for ours_name, fl_name in pairs:
        fl = f"[{lo[fl_name]:.4f}, {hi[fl_name]:.4f}]" if fl_name else "n/a"
        a, b = ours_plain[ours_name], ours[ours_name]
        print(f"{ours_name:32s} {fl:>24s} {f'[{a[0]:.4f}, {a[1]:.4f}]':>24s} {f'[{b[0]:.4f}, {b[1]:.4f}]':>24s}")
    print(f"(fairlearn point: DP {point['selection_rate']:.4f}, EO {max(point['tpr'], point['fpr']):.4f})")
    print("\nTimes")
    print(f"fairlearn MetricFrame(n_boot={args.n_boot}):   {t_fl:8.2f} s")
    print(f"fairmend stratified bootstrap:        {t_ours:8.3f} s   ratio fairlearn / fairmend = {t_fl / t_ours:,.0f}x")
    print(f"fairmend unstratified bootstrap:      {t_plain:8.3f} s   ratio fairlearn / fairmend = {t_fl / t_plain:,.0f}x")

    rng = np.random.default_rng(1)
    flip = rng.random(len(y)) < 0.05
    pred_b = np.where(flip, 1 - pred, pred)
    score_b = np.clip(score + rng.normal(0, 0.02, len(y)), 0, 1)
    t0 = time.perf_counter()
    res = paired_permutation_test(y, pred, pred_b, A, "equalized_odds_difference", n_permutations=args.n_permutations)
    t_perm = time.perf_counter() - t0
    t0 = time.perf_counter()
    res_auc = paired_permutation_test(y, pred, pred_b, A, "roc_auc", scores_a=score, scores_b=score_b,
                                      n_permutations=args.n_permutations)
    t_auc = time.perf_counter() - t0
    print(f"\nPaired permutation test, {args.n_permutations} permutations:")
    print(f"  equalized_odds_difference: {t_perm:8.3f} s  (delta {res.statistic:+.4f}, p = {res.p_value:.4f})")
    print(f"  roc_auc (row-level swaps): {t_auc:8.3f} s  (delta {res_auc.statistic:+.4f}, p = {res_auc.p_value:.4f})")


if __name__ == "__main__":
    main()
