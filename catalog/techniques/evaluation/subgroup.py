"""Intersectional subgroup scan: the conjunctions of attribute values whose outcomes deviate most."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations, product
from typing import Annotated

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.evaluation._common import check_columns, clean, describe, prepare
from fairmend.catalog.techniques.evaluation.proxy import discretise

from fairmend.errors import DataError, InvalidParameterError

METRICS = ("selection_rate", "error_rate")
MAX_CANDIDATES = 200_000


def exact_permutation_pvalue(k_in: int, n_in: int, k_all: int, n_all: int) -> float:
    """Two-sided p-value of a subgroup's count of 1s under random relabelling of rows.

    Permuting subgroup membership makes the subgroup's count of 1s hypergeometric, so the exact
    permutation test is Fisher's exact test on the 2 x 2 table (subgroup / rest x 1 / 0).
    """
    from scipy.stats import fisher_exact

    table = [[k_in, n_in - k_in], [k_all - k_in, (n_all - n_in) - (k_all - k_in)]]
    return float(fisher_exact(table, alternative="two-sided").pvalue)


class IntersectionalBiasAuditSubgroupScan:
    """Scan every intersection of the protected attributes for the most deviating subgroups.

    Every conjunction of values of 1 to ``max_order`` attributes — the protected attributes plus,
    optionally, other ``features`` (numeric ones cut into ``n_bins`` quantile bins) — with at least
    ``min_size`` rows is a candidate subgroup. For each, the audited rate (selection rate of the
    decisions, or their error rate) is compared with the rest of the data: gap, ratio and an exact
    two-sided permutation p-value (Fisher's exact test, see :func:`exact_permutation_pvalue`),
    Benjamini-Hochberg corrected over all subgroups scanned. Subgroups are ranked by how far they fall
    on the disadvantaged side: lowest selection rate, or highest error rate.

    ``selection_rate`` is an *outcome audit* (predictions, else the labels); ``error_rate`` is a
    *model audit* (predictions, else a logistic-regression baseline's test split).

    Parameters
    ----------
    metric : {"selection_rate", "error_rate"}
        Rate compared across subgroups.
    features : str or None
        Comma-separated non-protected columns to include in the conjunctions.
    max_order : int
        Largest number of attributes in one conjunction (0 = all of them).
    min_size : int
        Smallest subgroup scanned.
    n_bins : int
        Quantile bins for numeric features.
    alpha : float
        False discovery rate for the ``significant`` flag.
    top_k : int
        Subgroups listed in the summary.
    predictions : str or None
        Column with the audited 0/1 decisions.
    seed : int
        Seed of the baseline split (error rate without predictions).

    References
    ----------
    Zhang, Z. & Neill, D. B. (2016). Identifying Significant Predictive Bias in Classifiers.
    arXiv:1611.08292. Benjamini, Y. & Hochberg, Y. (1995). Controlling the False Discovery Rate.
    JRSS B 57(1).
    """

    def __init__(
        self,
        *,
        metric: Annotated[str, Param('Rate compared across subgroups', choices=('selection_rate', 'error_rate'))] = "selection_rate",
        features: Annotated[str | None, Param('Comma-separated non-protected columns added to the conjunctions')] = None,
        max_order: Annotated[int, Param('Most attributes per conjunction (0 = all)', range=(0.0, 10.0))] = 0,
        min_size: Annotated[int, Param('Smallest subgroup scanned', range=(1.0, 1000000.0))] = 30,
        n_bins: Annotated[int, Param('Quantile bins for numeric features', range=(2.0, 20.0))] = 4,
        alpha: Annotated[float, Param('Benjamini-Hochberg false discovery rate', range=(0.0, 1.0))] = 0.05,
        top_k: Annotated[int, Param('Subgroups listed in the summary', range=(1.0, 1000.0))] = 10,
        predictions: Annotated[str | None, Param('Column of audited 0/1 decisions')] = None,
        seed: Annotated[int, Param('Seed of the baseline split (error_rate without predictions)', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.metric = metric
        self.features = features
        self.max_order = max_order
        self.min_size = min_size
        self.n_bins = n_bins
        self.alpha = alpha
        self.top_k = top_k
        self.predictions = predictions
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
        from scipy.stats import false_discovery_control

        if self.metric not in METRICS:
            raise InvalidParameterError(f"metric {self.metric!r} is not one of {', '.join(METRICS)}")
        extra = [c.strip() for c in (self.features or "").split(",") if c.strip()]
        check_columns(data, *extra)
        audit = prepare(
            data,
            protected,
            outcome,
            predictions or self.predictions,
            None,
            when_missing="labels" if self.metric == "selection_rate" else "baseline",
            seed=self.seed,
        )
        values = (
            audit.y_pred if self.metric == "selection_rate" else (audit.y_pred != audit.y_true).astype(int)
        )
        attrs = list(dict.fromkeys(audit.protected + extra))
        columns = {
            a: discretise(audit.frame[a], self.n_bins)
            if a in extra
            else audit.frame[a].astype(str).to_numpy(dtype=object)
            for a in attrs
        }
        order = len(attrs) if self.max_order <= 0 else min(self.max_order, len(attrs))
        n_levels = {a: len(np.unique(columns[a])) for a in attrs}
        candidates = sum(
            int(np.prod([n_levels[a] for a in combo]))
            for size in range(1, order + 1)
            for combo in combinations(attrs, size)
        )
        if candidates > MAX_CANDIDATES:
            raise InvalidParameterError(
                f"{candidates} candidate subgroups exceed {MAX_CANDIDATES}; lower max_order or pass fewer "
                "features"
            )
        n_all, k_all = len(values), int(values.sum())
        rows = []
        for size in range(1, order + 1):
            for combo in combinations(attrs, size):
                levels = [np.unique(columns[a]) for a in combo]
                for vals in product(*levels):
                    mask = np.ones(n_all, dtype=bool)
                    for a, v in zip(combo, vals, strict=True):
                        mask &= columns[a] == v
                    n_in = int(mask.sum())
                    if n_in < self.min_size or n_in == n_all:
                        continue
                    k_in = int(values[mask].sum())
                    rate, rest = k_in / n_in, (k_all - k_in) / (n_all - n_in)
                    rows.append(
                        {
                            "subgroup": " & ".join(f"{a}={v}" for a, v in zip(combo, vals, strict=True)),
                            "order": size,
                            "n": n_in,
                            "rate": rate,
                            "rest_rate": rest,
                            "gap": rate - rest,
                            "ratio": rate / rest if rest > 0 else float("inf"),
                            "p_value": exact_permutation_pvalue(k_in, n_in, k_all, n_all),
                        }
                    )
        if not rows:
            raise DataError(f"no subgroup has at least min_size={self.min_size} rows")
        table = pd.DataFrame(rows)
        table["q_value"] = false_discovery_control(table["p_value"].to_numpy(), method="bh")
        table["significant"] = table["q_value"] <= self.alpha
        disadvantaged_sign = 1.0 if self.metric == "selection_rate" else -1.0
        table = table.sort_values("gap", key=lambda g: disadvantaged_sign * g).reset_index(drop=True)
        top = table.head(self.top_k)
        summary = {
            **describe(audit),
            "metric": self.metric,
            "n_rows": int(n_all),
            "overall_rate": k_all / n_all,
            "n_subgroups_scanned": len(table),
            "n_significant": int(table["significant"].sum()),
            "most_disadvantaged": top[["subgroup", "n", "rate", "gap", "p_value", "q_value"]].to_dict(
                "records"
            ),
            "worst_subgroup": str(table["subgroup"].iloc[0]),
            "worst_gap": float(table["gap"].iloc[0]),
        }
        return AnalysisResult("intersectional_bias_audit_subgroup_scan", clean(summary), {"subgroups": table})
