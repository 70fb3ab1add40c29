"""Runner overhead and per-technique wall time on UCI Adult (run on demand, not in tests).

    python benchmarks/bench_run.py [--techniques all|KEY,KEY] [--rows N]

1. fairmend's runner vs a direct fairlearn ThresholdOptimizer pipeline doing the same work
   (split, baseline logistic regression, fit on validation, predict test, metrics): ratio, goal <= 1.10.
2. fairmend's runner vs a direct aif360 Reweighing pipeline: ratio, goal <= 1.10.
3. fairmend's runner vs a direct fairlearn ExponentiatedGradient pipeline: ratio, goal <= 1.10.
4. Wall time and peak Python memory (tracemalloc) of every executable technique through the runner.

Statistics (bootstrap, permutation tests) are switched off in the comparisons (n_boot = 0) so both
sides do the same work; their own cost is measured in bench_validation.py.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
import warnings

import numpy as np

warnings.filterwarnings("ignore")


def _data(rows: int | None):
    from fairmend.datasets import load_adult

    frame = load_adult().frame
    if rows:
        frame = frame.sample(rows, random_state=0).reset_index(drop=True)
    return frame


def _split(frame):
    from fairmend.engine.split import stratified_split

    y = frame["income"].to_numpy()
    return y, stratified_split(y, frame["sex"].astype(str).to_numpy(), test_size=0.3, seed=0)


def _direct_threshold(frame) -> float:
    from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference
    from fairlearn.postprocessing import ThresholdOptimizer

    from fairmend.engine.models import make_base_model

    start = time.perf_counter()
    y, s = _split(frame)
    X = frame.drop(columns=["income", "sex", "race"])
    A = frame["sex"].astype(str)
    model = make_base_model("logreg", X).fit(X.iloc[s.train], y[s.train])
    to = ThresholdOptimizer(estimator=model, constraints="equalized_odds", prefit=True, predict_method="predict_proba")
    to.fit(X.iloc[s.validation], y[s.validation], sensitive_features=A.iloc[s.validation])
    pred = to.predict(X.iloc[s.test], sensitive_features=A.iloc[s.test], random_state=0)
    before = model.predict(X.iloc[s.test])
    for p in (before, pred):
        demographic_parity_difference(y[s.test], p, sensitive_features=A.iloc[s.test])
        equalized_odds_difference(y[s.test], p, sensitive_features=A.iloc[s.test])
        float(np.mean(p == y[s.test]))
    return time.perf_counter() - start


def _direct_reweighing(frame) -> float:
    import pandas as pd
    from aif360.algorithms.preprocessing import Reweighing
    from aif360.datasets import BinaryLabelDataset
    from aif360.metrics import ClassificationMetric

    from fairmend.engine.models import fit_model, make_base_model

    start = time.perf_counter()
    y, s = _split(frame)
    X = frame.drop(columns=["income", "sex", "race"])
    a = (frame["sex"] == "Male").astype(float).to_numpy()
    fit_rows = np.concatenate([s.train, s.validation])
    df = pd.DataFrame({"a": a[fit_rows], "y": y[fit_rows].astype(float)})
    ds = BinaryLabelDataset(df=df, label_names=["y"], protected_attribute_names=["a"])
    rw = Reweighing(unprivileged_groups=[{"a": 0.0}], privileged_groups=[{"a": 1.0}]).fit_transform(ds)
    base = make_base_model("logreg", X).fit(X.iloc[fit_rows], y[fit_rows])
    model = fit_model(make_base_model("logreg", X), X.iloc[fit_rows], y[fit_rows], rw.instance_weights)
    te = pd.DataFrame({"a": a[s.test], "y": y[s.test].astype(float)})
    truth = BinaryLabelDataset(df=te, label_names=["y"], protected_attribute_names=["a"])
    for m in (base, model):
        pred = truth.copy()
        pred.labels = m.predict(X.iloc[s.test]).reshape(-1, 1).astype(float)
        cm = ClassificationMetric(truth, pred, unprivileged_groups=[{"a": 0.0}], privileged_groups=[{"a": 1.0}])
        cm.statistical_parity_difference(), cm.equal_opportunity_difference(), cm.accuracy()
    return time.perf_counter() - start


def _direct_expgrad(frame) -> float:
    from fairlearn.metrics import demographic_parity_difference
    from fairlearn.reductions import DemographicParity, ExponentiatedGradient
    from sklearn.linear_model import LogisticRegression

    from fairmend.engine.models import make_base_model

    start = time.perf_counter()
    y, s = _split(frame)
    X = frame.drop(columns=["income", "sex", "race"])
    A = frame["sex"].astype(str)
    fit_rows = np.concatenate([s.train, s.validation])
    base = make_base_model("logreg", X).fit(X.iloc[fit_rows], y[fit_rows])
    prep = make_base_model("logreg", X).named_steps["prep"].fit(X.iloc[fit_rows])
    eg = ExponentiatedGradient(LogisticRegression(max_iter=2000), DemographicParity(), eps=0.01, max_iter=50)
    def dense(Z):  # the one-hot encoder may return a sparse matrix; fairlearn's reductions need dense input
        return Z.toarray() if hasattr(Z, "toarray") else Z

    eg.fit(dense(prep.transform(X.iloc[fit_rows])), y[fit_rows], sensitive_features=A.iloc[fit_rows])
    pred = eg.predict(dense(prep.transform(X.iloc[s.test])), random_state=0)
    for p in (base.predict(X.iloc[s.test]), pred):
        demographic_parity_difference(y[s.test], p, sensitive_features=A.iloc[s.test])
    return time.perf_counter() - start


def _runner(frame, key: str, params=None) -> float:
    from fairmend.runner import run_technique

    start = time.perf_counter()
    run_technique(key, frame, protected=["sex"], outcome="income", n_boot=0, n_permutations=0, params=params)
    return time.perf_counter() - start


def _best(fn, repeats: int = 3) -> float:
    return min(fn() for _ in range(repeats))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--techniques", default="all")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    frame = _data(args.rows).drop(columns=[])
    frame_sex = frame.drop(columns=["race"])
    print(f"UCI Adult, {len(frame)} rows")
    pairs = [
        ("ThresholdOptimizer (fairlearn)", lambda: _direct_threshold(frame),
         lambda: _runner(frame_sex, "threshold_optimizer_equalized_odds_hardt")),
        ("Reweighing (aif360)", lambda: _direct_reweighing(frame),
         lambda: _runner(frame_sex, "reweighing_kamiran_calders")),
        ("ExponentiatedGradient (fairlearn)", lambda: _direct_expgrad(frame),
         lambda: _runner(frame_sex, "exponentiated_gradient_reduction")),
    ]
    for name, direct, ours in pairs:
        d, o = _best(direct, args.repeats), _best(ours, args.repeats)
        print(f"{name:<36} direct {d:7.2f} s   fairmend run {o:7.2f} s   ratio {o / d:5.2f}  (goal <= 1.10)")
    from fairmend.plugins import get_catalog

    keys = [t.key for t in get_catalog() if t.executable and t.contract is not None
            and t.contract.value in ("preprocessor", "estimator", "postprocessor")
            and "binary_classification" in [x.value for x in t.task_types]]
    if args.techniques != "all":
        keys = [k for k in keys if k in args.techniques.split(",")]
    print(f"\n{'technique':<46}{'wall s':>8}{'peak MiB':>10}")
    for key in keys:
        tracemalloc.start()
        try:
            wall = _runner(frame_sex, key)
            _, peak = tracemalloc.get_traced_memory()
            print(f"{key:<46}{wall:8.2f}{peak / 2**20:10.1f}")
        except Exception as exc:  # noqa: BLE001 - report and continue
            print(f"{key:<46}  failed: {type(exc).__name__}: {exc}")
        finally:
            tracemalloc.stop()


if __name__ == "__main__":
    main()
