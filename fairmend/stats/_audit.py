"""The fairness audit of one set of predictions: per-group metrics, gaps with CIs and p-values.

Used by ``fairmend audit``; returns plain dicts ready for JSON. Every gap's interval and p-value agree
(p < 0.05 exactly when the 95 % interval excludes parity: 0 for differences, 1 for ratios):

* two groups: both from one stratified bootstrap of the signed difference, group order fixed on the
  data (the higher rate first), so the interval may reach below 0;
* more groups: p from the group-permutation test of "no disparity at all"; the interval is the
  bootstrap interval of the max - min statistic (which is never 0, so its interval alone cannot test
  parity), extended to parity when the permutation test does not reject it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fairmend.metrics._api import gap_details, group_table, summarize
from fairmend.metrics._encode import encode_groups
from fairmend.stats._bootstrap import gap_tests, stratified_bootstrap_ci
from fairmend.stats._compare import benjamini_hochberg
from fairmend.stats._estimand import describe
from fairmend.stats._permutation import group_permutation_tests

HEADLINE = ("demographic_parity_difference", "disparate_impact_ratio", "equal_opportunity_difference",
            "predictive_equality_difference", "equalized_odds_difference", "predictive_parity_difference",
            "accuracy_difference")


def _scope(y: np.ndarray, pred: np.ndarray, A: pd.Series | pd.DataFrame, score: np.ndarray | None, *,
           n_boot: int, n_permutations: int, seed: int, ci_method: str, min_group_size: int) -> dict[str, Any]:
    import warnings

    from fairmend.errors import SmallGroupWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallGroupWarning)  # reported through the small_group column
        table = group_table(y, pred, A, y_score=score, min_group_size=min_group_size)
    metrics = summarize(y, pred, A, y_score=score)
    details = gap_details(table)
    n_groups = encode_groups(A, len(y)).n_groups
    cis: dict[str, Any] = {}
    pvals: dict[str, float] = {}
    if n_groups == 2 and n_boot:
        both = gap_tests(y, pred, A, list(HEADLINE), n_boot=n_boot, seed=seed, method=ci_method)
        cis = {m: v[:2] for m, v in both.items()}
        pvals = {m: v[2] for m, v in both.items()}
    else:
        cis = stratified_bootstrap_ci(y, pred, A, list(HEADLINE), n_boot=n_boot, seed=seed, method=ci_method) if n_boot else {}
        tests = group_permutation_tests(y, pred, A, list(HEADLINE), n_permutations=n_permutations, seed=seed) if n_permutations else {}
        pvals = {m: t.p_value for m, t in tests.items()}
        for m, (lo, hi) in list(cis.items()):
            if m in pvals and pvals[m] >= 0.05:  # parity not rejected: the interval must contain it
                cis[m] = (lo, max(hi, 1.0)) if m.endswith("_ratio") else (min(lo, 0.0), hi)
    gaps = {}
    for m in HEADLINE:
        entry = {"value": metrics[m], "ci95": list(cis[m]) if m in cis else None,
                 "p_value": pvals.get(m), "estimand": describe(m, None, n_groups, change=False)
                 if n_groups != 2 else f"signed two-group difference (higher-rate group first; parity {1 if m.endswith('_ratio') else 0})"}
        if m in details:
            entry.update({k: v for k, v in details[m].items() if k not in ("value", "rate")})
        gaps[m] = entry
    return {"metrics": metrics, "groups": table.to_dict(orient="records"), "gaps": gaps,
            "n_small_groups": int(table["small_group"].sum())}


def audit(y: Any, pred: Any, frame: pd.DataFrame, protected: list[str], *, score: Any = None, n_boot: int = 1000,
          n_permutations: int = 2000, seed: int = 0, ci_method: str = "percentile", min_group_size: int = 30,
          alpha: float = 0.05) -> dict[str, Any]:
    """Audit predictions against each protected attribute and their intersection.

    Returns
    -------
    dict
        ``overall`` (metrics over the intersection groups), ``per_attribute`` and ``intersectional``
        scopes, each with ``metrics``, ``groups`` (per-group rows), ``gaps`` (value, 95 % stratified
        bootstrap CI, group-permutation p-value, the groups with the highest and lowest rate), plus
        ``p_value_bh`` on every gap: Benjamini-Hochberg over all gaps tested in the audit; with scores,
        ``reliability``: reliability-diagram rows per intersection group for equal-width (``uniform``)
        and equal-mass (``quantile``) bins.
    """
    y = np.asarray(y)
    pred = np.asarray(pred)
    kw = {"n_boot": n_boot, "n_permutations": n_permutations, "seed": seed, "ci_method": ci_method, "min_group_size": min_group_size}
    per_attribute = {col: _scope(y, pred, frame[col].reset_index(drop=True), score, **kw) for col in protected}
    inter = _scope(y, pred, frame[protected].reset_index(drop=True), score, **kw) if len(protected) > 1 else None
    scopes = list(per_attribute.values()) + ([inter] if inter else [])
    entries = [(s, m) for s in scopes for m in HEADLINE if s["gaps"][m]["p_value"] is not None]
    if entries:
        rejected, adjusted = benjamini_hochberg([s["gaps"][m]["p_value"] for s, m in entries], alpha)
        for (s, m), adj, rej in zip(entries, adjusted, rejected):
            s["gaps"][m]["p_value_bh"] = float(adj)
            s["gaps"][m]["significant"] = bool(rej)
    overall = inter["metrics"] if inter else per_attribute[protected[0]]["metrics"]
    reliability = None
    if score is not None:
        from fairmend.metrics._api import reliability_diagram

        A = frame[protected].reset_index(drop=True)
        reliability = {strategy: reliability_diagram(y, score, A, strategy=strategy).to_dict(orient="records")
                       for strategy in ("uniform", "quantile")}
    return {"n_rows": len(y), "protected": list(protected), "overall": overall,
            "per_attribute": per_attribute, "intersectional": inter,
            "reliability": reliability,
            "settings": {"n_boot": n_boot, "n_permutations": n_permutations, "seed": seed, "ci_method": ci_method,
                         "min_group_size": min_group_size, "alpha": alpha}}
