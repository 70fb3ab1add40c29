"""Statistical validation of fairness gaps: bootstrap intervals, permutation tests, multiple testing.

All three are *model audits* (see :mod:`._common`): they audit ``predictions`` when given, else a
logistic-regression baseline's test-split predictions, because intervals and tests of error-rate gaps
are degenerate on the labels alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.evaluation._common import Audit, check_columns, clean, describe, prepare
from fairmend.catalog.techniques.evaluation._groups import views
from fairmend.catalog.techniques.evaluation._resampling import (
    GAP_METRICS,
    RATE_METRICS,
    gap,
    large_groups,
    rate_parts,
    studentized_gap,
)
from fairmend.catalog.techniques.evaluation.subgroup import exact_permutation_pvalue

from fairmend.errors import InvalidParameterError


def _metric_list(metrics: str) -> list[str]:
    names = [m.strip() for m in metrics.split(",") if m.strip()]
    bad = [m for m in names if m not in GAP_METRICS]
    if bad or not names:
        raise InvalidParameterError(f"metrics {bad or metrics!r} not among {', '.join(GAP_METRICS)}")
    return names


class BootstrapConfidenceIntervals:
    """Percentile bootstrap intervals of between-group gaps, resampling within each group.

    Each of ``n_resamples`` resamples draws, inside every group, as many rows as the group has (with
    replacement), so small groups keep their size; the gap (max - min over groups) of each metric is
    recomputed and the ``confidence`` percentile interval reported with the point estimate and the
    bootstrap standard error. A max - min gap is never negative, so its interval is no test of "no
    gap": use ``permutation_test_fairness`` for that.

    Parameters
    ----------
    metrics : str
        Comma-separated gaps: selection_rate (demographic parity), tpr (equal opportunity), fpr,
        accuracy, equalized_odds.
    n_resamples : int
        Bootstrap resamples.
    confidence : float
        Interval coverage.
    min_group_size : int
        Groups with fewer rows are left out (listed in ``excluded_groups``): tiny groups make every
        max-min gap extreme.
    predictions, scores : str or None
        Columns of the audited decisions / P(y=1).
    seed : int
        Seed of the resampling and of the baseline split.

    References
    ----------
    Efron, B. (1979). Bootstrap Methods: Another Look at the Jackknife. Annals of Statistics 7(1).
    """

    def __init__(
        self,
        *,
        metrics: Annotated[str, Param('Comma-separated gaps: selection_rate, tpr, fpr, accuracy, equalized_odds')] = "selection_rate,tpr,fpr,equalized_odds",
        n_resamples: Annotated[int, Param('Bootstrap resamples (stratified by group)', range=(10.0, 100000.0))] = 1000,
        confidence: Annotated[float, Param('Interval coverage', range=(0.5, 0.999))] = 0.95,
        min_group_size: Annotated[int, Param('Smaller groups are left out', range=(1.0, 1000000.0))] = 30,
        predictions: Annotated[str | None, Param('Column of audited 0/1 decisions (baseline model when absent)')] = None,
        scores: Annotated[str | None, Param('Column of P(y=1), thresholded at 0.5 when no predictions')] = None,
        seed: Annotated[int, Param('Seed of resampling and baseline split', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.metrics = metrics
        self.n_resamples = n_resamples
        self.confidence = confidence
        self.min_group_size = min_group_size
        self.predictions = predictions
        self.scores = scores
        self.seed = seed

    def run(
        self,
        data: pd.DataFrame,
        *,
        protected: str | Sequence[str],
        outcome: str,
        predictions: str | None = None,
        scores: str | None = None,
    ) -> AnalysisResult:
        metrics = _metric_list(self.metrics)
        if not 0 < self.confidence < 1 or self.n_resamples < 10:
            raise InvalidParameterError("confidence must lie in (0, 1) and n_resamples be at least 10")
        audit = prepare(
            data,
            protected,
            outcome,
            predictions or self.predictions,
            scores or self.scores,
            when_missing="baseline",
            seed=self.seed,
        )
        keep, excluded = large_groups(audit.groups, self.min_group_size)
        labels, codes = np.unique(audit.groups[keep], return_inverse=True)
        k = len(labels)
        y, p = audit.y_true[keep], audit.y_pred[keep]
        members = [np.flatnonzero(codes == g) for g in range(k)]
        rng = np.random.default_rng(self.seed)
        draws = np.empty((self.n_resamples, len(metrics)))
        for b in range(self.n_resamples):
            idx = np.concatenate([rng.choice(m, size=len(m), replace=True) for m in members])
            for j, metric in enumerate(metrics):
                draws[b, j] = gap(metric, y[idx], p[idx], codes[idx], k)
        lo_q, hi_q = (1 - self.confidence) / 2, 1 - (1 - self.confidence) / 2
        rows = []
        for j, metric in enumerate(metrics):
            col = draws[:, j][~np.isnan(draws[:, j])]
            low, high = np.quantile(col, [lo_q, hi_q]) if len(col) else (np.nan, np.nan)
            rows.append(
                {
                    "metric": f"{metric}_difference",
                    "estimate": gap(metric, y, p, codes, k),
                    "ci_low": float(low),
                    "ci_high": float(high),
                    "std_error": float(np.std(col, ddof=1)),
                }
            )
        table = pd.DataFrame(rows)
        summary = describe(audit) | {
            "groups": [str(v) for v in labels],
            "excluded_groups": excluded,
            "confidence": float(self.confidence),
            "n_resamples": int(self.n_resamples),
            "intervals": {
                r["metric"]: {k2: r[k2] for k2 in ("estimate", "ci_low", "ci_high", "std_error")}
                for r in rows
            },
        }
        return AnalysisResult("bootstrap_confidence_intervals", clean(summary), {"intervals": table})


class PermutationTestFairness:
    """Permutation test of "the metric does not depend on the group" for between-group gaps.

    Group labels are shuffled ``n_permutations`` times (within label strata for TPR / FPR / equalized
    odds, so each group keeps its number of positives and negatives in expectation) and the observed
    gap compared with its permutation distribution; p = (1 + #{permuted >= observed}) / (1 + B).
    With ``studentize`` (default) the statistic is the largest pairwise gap divided by its standard
    error, which DiCiccio et al. (2020) show keeps the test valid for the hypothesis of equal rates
    even when groups differ in other ways; without it the test is of full exchangeability.

    Parameters
    ----------
    metrics : str
        Comma-separated gaps: selection_rate, tpr, fpr, accuracy, equalized_odds.
    n_permutations : int
        Permutations per metric.
    studentize : bool
        Use the studentised statistic.
    min_group_size : int
        Groups with fewer rows are left out (listed in ``excluded_groups``): tiny groups make every
        max-min gap extreme.
    predictions, scores : str or None
        Columns of the audited decisions / P(y=1).
    seed : int
        Seed of the permutations and of the baseline split.

    References
    ----------
    DiCiccio, C., Vasudevan, S., Basu, K., Kenthapadi, K. & Agarwal, D. (2020). Evaluating Fairness
    Using Permutation Tests. KDD 2020.
    """

    def __init__(
        self,
        *,
        metrics: Annotated[str, Param('Comma-separated gaps: selection_rate, tpr, fpr, accuracy, equalized_odds')] = "selection_rate,tpr,fpr",
        n_permutations: Annotated[int, Param('Permutations per metric', range=(10.0, 100000.0))] = 1000,
        studentize: Annotated[bool, Param('Studentised statistic (DiCiccio et al. 2020)')] = True,
        min_group_size: Annotated[int, Param('Smaller groups are left out', range=(1.0, 1000000.0))] = 30,
        predictions: Annotated[str | None, Param('Column of audited 0/1 decisions (baseline model when absent)')] = None,
        scores: Annotated[str | None, Param('Column of P(y=1), thresholded at 0.5 when no predictions')] = None,
        seed: Annotated[int, Param('Seed of permutations and baseline split', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.metrics = metrics
        self.n_permutations = n_permutations
        self.studentize = studentize
        self.min_group_size = min_group_size
        self.predictions = predictions
        self.scores = scores
        self.seed = seed

    def run(
        self,
        data: pd.DataFrame,
        *,
        protected: str | Sequence[str],
        outcome: str,
        predictions: str | None = None,
        scores: str | None = None,
    ) -> AnalysisResult:
        metrics = _metric_list(self.metrics)
        if self.n_permutations < 10:
            raise InvalidParameterError("n_permutations must be at least 10")
        audit = prepare(
            data,
            protected,
            outcome,
            predictions or self.predictions,
            scores or self.scores,
            when_missing="baseline",
            seed=self.seed,
        )
        keep, excluded = large_groups(audit.groups, self.min_group_size)
        labels, codes = np.unique(audit.groups[keep], return_inverse=True)
        k = len(labels)
        y, p = audit.y_true[keep], audit.y_pred[keep]
        stat = studentized_gap if self.studentize else gap
        rng = np.random.default_rng(self.seed)
        rows = []
        for metric in metrics:
            observed = stat(metric, y, p, codes, k)
            strata = (
                [np.flatnonzero(y == v) for v in (0, 1)]
                if metric in ("tpr", "fpr", "equalized_odds")
                else [np.arange(len(y))]
            )
            count = 0
            for _ in range(self.n_permutations):
                perm = codes.copy()
                for s in strata:
                    perm[s] = rng.permutation(codes[s])
                count += stat(metric, y, p, perm, k) >= observed - 1e-12
            rows.append(
                {
                    "metric": f"{metric}_difference",
                    "gap": gap(metric, y, p, codes, k),
                    "statistic": observed,
                    "p_value": (1 + count) / (1 + self.n_permutations),
                }
            )
        table = pd.DataFrame(rows)
        summary = describe(audit) | {
            "studentized": bool(self.studentize),
            "groups": [str(v) for v in labels],
            "excluded_groups": excluded,
            "n_permutations": int(self.n_permutations),
            "p_values": {r["metric"]: r["p_value"] for r in rows},
            "gaps": {r["metric"]: r["gap"] for r in rows},
        }
        return AnalysisResult("permutation_test_fairness", clean(summary), {"tests": table})


class MultipleComparisonCorrection:
    """Benjamini-Hochberg and Holm-Bonferroni correction across many group x metric tests.

    With ``p_value_column`` the rows of ``data`` are taken as already-computed tests and their p-values
    are corrected. Otherwise one test per (attribute, group, metric) is run: the group's rate against
    the rest of the data, with the exact permutation test for a binary indicator (Fisher's exact test,
    see :func:`.subgroup.exact_permutation_pvalue`), and the family of p-values corrected.

    Parameters
    ----------
    metrics : str
        Comma-separated rates tested per group: selection_rate, tpr, fpr, accuracy.
    alpha : float
        False discovery rate (BH) and family-wise error rate (Holm).
    p_value_column : str or None
        Column of ready p-values to correct instead of running tests.
    predictions, scores : str or None
        Columns of the audited decisions / P(y=1).
    seed : int
        Seed of the baseline split.

    References
    ----------
    Benjamini, Y. & Hochberg, Y. (1995). Controlling the False Discovery Rate: A Practical and Powerful
    Approach to Multiple Testing. JRSS B 57(1). Holm, S. (1979). A Simple Sequentially Rejective Multiple
    Test Procedure. Scandinavian Journal of Statistics 6(2).
    """

    def __init__(
        self,
        *,
        metrics: Annotated[str, Param('Comma-separated rates tested per group vs rest')] = "selection_rate,tpr,fpr,accuracy",
        alpha: Annotated[float, Param('FDR (Benjamini-Hochberg) and FWER (Holm) level', range=(0.0, 1.0))] = 0.05,
        p_value_column: Annotated[str | None, Param('Correct this column of ready p-values instead of running tests')] = None,
        predictions: Annotated[str | None, Param('Column of audited 0/1 decisions (baseline model when absent)')] = None,
        scores: Annotated[str | None, Param('Column of P(y=1), thresholded at 0.5 when no predictions')] = None,
        seed: Annotated[int, Param('Seed of the baseline split', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.metrics = metrics
        self.alpha = alpha
        self.p_value_column = p_value_column
        self.predictions = predictions
        self.scores = scores
        self.seed = seed

    def run(
        self,
        data: pd.DataFrame,
        *,
        protected: str | Sequence[str] | None = None,
        outcome: str | None = None,
        predictions: str | None = None,
        scores: str | None = None,
    ) -> AnalysisResult:
        from scipy.stats import false_discovery_control

        if self.p_value_column is not None:
            check_columns(data, self.p_value_column)
            table = data.reset_index(drop=True).copy()
            pvals = pd.to_numeric(table[self.p_value_column], errors="coerce").to_numpy(dtype=float)
            if np.isnan(pvals).any() or (pvals < 0).any() or (pvals > 1).any():
                raise InvalidParameterError(f"column {self.p_value_column!r} must hold p-values in [0, 1]")
            table = table.rename(columns={self.p_value_column: "p_value"})
            head: dict[str, object] = {"source": "given_p_values"}
        else:
            if protected is None or outcome is None:
                raise InvalidParameterError("give protected and outcome, or p_value_column")
            metrics = _metric_list(self.metrics)
            bad = [m for m in metrics if m not in RATE_METRICS]
            if bad:
                raise InvalidParameterError(f"per-group tests support {', '.join(RATE_METRICS)}, not {bad}")
            audit = prepare(
                data,
                protected,
                outcome,
                predictions or self.predictions,
                scores or self.scores,
                when_missing="baseline",
                seed=self.seed,
            )
            table = _group_tests(audit, metrics)
            pvals = table["p_value"].to_numpy(dtype=float)
            head = {"source": "group_vs_rest_exact_tests"} | describe(audit)
        table["q_value_bh"] = false_discovery_control(pvals, method="bh")
        table["p_holm"] = _holm(pvals)
        table["significant_bh"] = table["q_value_bh"] <= self.alpha
        table["significant_holm"] = table["p_holm"] <= self.alpha
        table["significant_uncorrected"] = pvals <= self.alpha
        summary = head | {
            "alpha": float(self.alpha),
            "n_tests": len(table),
            "n_significant_uncorrected": int(table["significant_uncorrected"].sum()),
            "n_significant_bh": int(table["significant_bh"].sum()),
            "n_significant_holm": int(table["significant_holm"].sum()),
        }
        return AnalysisResult("multiple_comparison_correction", clean(summary), {"tests": table})


def _group_tests(audit: Audit, metrics: list[str]) -> pd.DataFrame:
    rows = []
    for name, groups in views(audit):
        for metric in metrics:
            hit, eligible = rate_parts(metric, audit.y_true, audit.y_pred)
            pool = eligible > 0
            k_all, n_all = int(hit[pool].sum()), int(pool.sum())
            for g in sorted(np.unique(groups)):
                member = pool & (groups == g)
                n_in = int(member.sum())
                if n_in == 0 or n_in == n_all:
                    continue
                k_in = int(hit[member].sum())
                rows.append(
                    {
                        "attribute": name,
                        "group": g,
                        "metric": metric,
                        "n": n_in,
                        "rate": k_in / n_in,
                        "rest_rate": (k_all - k_in) / (n_all - n_in),
                        "p_value": exact_permutation_pvalue(k_in, n_in, k_all, n_all),
                    }
                )
    return pd.DataFrame(rows)


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values (monotone, capped at 1)."""
    m = len(p)
    order = np.argsort(p)
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adjusted
    return out
