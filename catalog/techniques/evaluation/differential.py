"""Differential fairness (Foulds et al. 2020): an epsilon bound on intersectional outcome ratios."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Annotated

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult, group_labels
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.evaluation._common import clean, describe, prepare

from fairmend.errors import InvalidParameterError


def smoothed_rates(y: np.ndarray, groups: np.ndarray, alpha: float) -> pd.DataFrame:
    """Per group: n, positives, raw and Dirichlet-smoothed ``P(y=1 | s) = (N_1 + a) / (N + 2a)``."""
    frame = pd.DataFrame({"group": groups, "y": y})
    table = frame.groupby("group", sort=True)["y"].agg(n="size", positives="sum").reset_index()
    table["rate"] = table["positives"] / table["n"]
    table["smoothed_rate"] = (table["positives"] + alpha) / (table["n"] + 2 * alpha)
    return table


def epsilon(y: np.ndarray, groups: np.ndarray, alpha: float) -> float:
    r"""Smoothed empirical differential fairness :math:`\epsilon`.

    :math:`\max_{y\in\{0,1\}}\max_{s_i,s_j}|\ln P(y|s_i) - \ln P(y|s_j)|` over the groups present.
    """
    p = smoothed_rates(y, groups, alpha)["smoothed_rate"].to_numpy(dtype=float)
    with np.errstate(divide="ignore"):
        logs = [np.log(p), np.log(1 - p)]
    return float(max(v.max() - v.min() for v in logs))


class DifferentialFairness:
    r"""Smoothed empirical differential fairness over all intersections of the protected attributes.

    A mechanism is :math:`\epsilon`-differentially fair when for every outcome :math:`y` and every two
    intersectional groups :math:`s_i, s_j`, :math:`e^{-\epsilon}\le P(y|s_i)/P(y|s_j)\le e^\epsilon`.
    Probabilities are estimated with a symmetric Dirichlet prior (``alpha`` pseudo-counts per outcome),
    so empty or tiny groups do not give infinite epsilon. Foulds et al. prove that the epsilon of the
    full intersection bounds (up to a factor 2) that of every subset of attributes; the summary reports
    both the intersection and each attribute alone.

    An *outcome audit*: audits ``predictions`` if given, else the labels (the data's epsilon). With
    predictions it also reports the bias amplification :math:`\epsilon_{model} - \epsilon_{data}`.

    Parameters
    ----------
    alpha : float
        Dirichlet pseudo-count per outcome value. 0.5 equals aif360's default ``concentration=1.0``
        (:math:`|R_Y|\alpha`).
    predictions : str or None
        Column with the audited 0/1 decisions.

    References
    ----------
    Foulds, J. R., Islam, R., Keya, K. N. & Pan, S. (2020). An Intersectional Definition of Fairness.
    ICDE 2020.
    """

    def __init__(self, *, alpha: Annotated[float, Param('Dirichlet pseudo-count per outcome (0.5 = aif360 concentration 1.0)', range=(0.0, 100.0))] = 0.5, predictions: Annotated[str | None, Param('Column of audited 0/1 decisions (labels when absent)')] = None) -> None:
        self.alpha = alpha
        self.predictions = predictions

    def run(
        self,
        data: pd.DataFrame,
        *,
        protected: str | Sequence[str],
        outcome: str,
        predictions: str | None = None,
        scores: str | None = None,
    ) -> AnalysisResult:
        if self.alpha < 0:
            raise InvalidParameterError(f"alpha must be non-negative, got {self.alpha}")
        audit = prepare(
            data, protected, outcome, predictions or self.predictions, None, when_missing="labels"
        )
        alpha = float(self.alpha)
        eps = epsilon(audit.y_pred, audit.groups, alpha)
        table = smoothed_rates(audit.y_pred, audit.groups, alpha)
        subsets: dict[str, float] = {}
        names = audit.protected
        for size in range(1, len(names)):
            for combo in combinations(names, size):
                subsets["|".join(combo)] = epsilon(
                    audit.y_pred, group_labels(audit.frame[list(combo)]), alpha
                )
        lo, hi = table.loc[table["smoothed_rate"].idxmin()], table.loc[table["smoothed_rate"].idxmax()]
        summary = {
            **describe(audit),
            "n_rows": len(audit.y_pred),
            "alpha": alpha,
            "epsilon": eps,
            "max_ratio": float(np.exp(eps)),
            "epsilon_by_attribute_subset": subsets,
            "n_intersections": len(table),
            "lowest_rate_group": str(lo["group"]),
            "highest_rate_group": str(hi["group"]),
        }
        if audit.audited == "predictions":
            data_eps = epsilon(audit.y_true, audit.groups, alpha)
            summary["epsilon_data"] = data_eps
            summary["bias_amplification"] = eps - data_eps
        return AnalysisResult("differential_fairness", clean(summary), {"intersections": table})
