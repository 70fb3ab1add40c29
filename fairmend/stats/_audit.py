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

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from fairmend.metrics._api import gap_details, group_score_columns, score_metrics, table_from_counts
from fairmend.metrics._counts import COUNT_FAIRNESS, COUNT_PERFORMANCE, confusion_counts, evaluate_counts
from fairmend.metrics._encode import GroupCodes, as_binary, as_scores, encode_groups
from fairmend.stats._compare import benjamini_hochberg
from fairmend.stats._counted import table_bootstrap_ci, table_gap_tests, table_permutation_tests
from fairmend.stats._estimand import describe

HEADLINE = ("demographic_parity_difference", "disparate_impact_ratio", "equal_opportunity_difference",
            "predictive_equality_difference", "equalized_odds_difference", "predictive_parity_difference",
            "accuracy_difference")


def _scope(y: np.ndarray, pred: np.ndarray, A: pd.Series | pd.DataFrame, score: np.ndarray | None, **kw: Any
           ) -> dict[str, Any]:
    groups = encode_groups(A, len(y))
    y, pred = as_binary(y, "y_true"), as_binary(pred, "y_pred")
    counts = confusion_counts(groups.codes, y, pred, groups.n_groups)
    scored = None
    if score is not None:
        s = as_scores(score, len(y))
        scored = (score_metrics(y, s, groups), group_score_columns(y, s, groups))
    return scope_from_counts(groups, counts, scored, **kw)


def scope_from_counts(groups: GroupCodes, counts: np.ndarray, scored: tuple[dict[str, float], dict[str, Any]] | None,
                      *, n_boot: int, n_permutations: int, seed: int, ci_method: str, min_group_size: int
                      ) -> dict[str, Any]:
    """One audit scope from the ``(G, 2, 2)`` confusion table of its groups (and, with scores, the score
    metrics and per-group score columns): every number but the score ones depends on the table alone."""
    table = table_from_counts(groups, counts, min_group_size=min_group_size,
                              score_columns=None if scored is None else scored[1])
    metrics = {k: float(v) for k, v in evaluate_counts(counts, list(COUNT_FAIRNESS) + list(COUNT_PERFORMANCE)).items()}
    if scored is not None:
        metrics.update(scored[0])
    details = gap_details(table)
    n_groups = groups.n_groups
    cis: dict[str, Any] = {}
    pvals: dict[str, float] = {}
    if n_groups == 2 and n_boot:
        both = table_gap_tests(counts, groups.labels, list(HEADLINE), n_boot=n_boot, seed=seed, method=ci_method)
        cis = {m: v[:2] for m, v in both.items()}
        pvals = {m: v[2] for m, v in both.items()}
    else:
        cis = table_bootstrap_ci(counts, groups.labels, list(HEADLINE), n_boot=n_boot, seed=seed, method=ci_method) if n_boot else {}
        tests = table_permutation_tests(counts, list(HEADLINE), n_permutations=n_permutations, seed=seed) if n_permutations else {}
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

    def scope(columns: list[str]) -> dict[str, Any]:
        A = frame[columns[0]] if len(columns) == 1 else frame[columns]
        return _scope(y, pred, A.reset_index(drop=True), score, **kw)

    reliability = None
    if score is not None:
        from fairmend.metrics._api import reliability_diagram

        A = frame[protected].reset_index(drop=True)
        reliability = {strategy: reliability_diagram(y, score, A, strategy=strategy).to_dict(orient="records")
                       for strategy in ("uniform", "quantile")}
    return assemble(scope, protected, len(y), reliability, alpha=alpha, **kw)


def assemble(scope: Callable[[list[str]], dict[str, Any]], protected: list[str], n_rows: int,
             reliability: dict[str, Any] | None, *, alpha: float, **settings: Any) -> dict[str, Any]:
    """The audit document from a function that audits one scope (a list of protected columns)."""
    per_attribute = {col: scope([col]) for col in protected}
    inter = scope(list(protected)) if len(protected) > 1 else None
    scopes = list(per_attribute.values()) + ([inter] if inter else [])
    entries = [(s, m) for s in scopes for m in HEADLINE if s["gaps"][m]["p_value"] is not None]
    if entries:
        rejected, adjusted = benjamini_hochberg([s["gaps"][m]["p_value"] for s, m in entries], alpha)
        for (s, m), adj, rej in zip(entries, adjusted, rejected):
            s["gaps"][m]["p_value_bh"] = float(adj)
            s["gaps"][m]["significant"] = bool(rej)
    overall = inter["metrics"] if inter else per_attribute[protected[0]]["metrics"]
    return {"n_rows": n_rows, "protected": list(protected), "overall": overall,
            "per_attribute": per_attribute, "intersectional": inter,
            "reliability": reliability,
            "settings": {**settings, "alpha": alpha}}
