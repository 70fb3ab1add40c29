"""Disaggregated (intersectional) evaluation in the style of Gender Shades."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult, group_labels
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.evaluation._common import check_groups, clean, describe, prepare
from fairmend.catalog.techniques.evaluation._groups import gaps, group_table

METRICS = ("accuracy", "tpr", "fpr", "selection_rate", "base_rate")


class IntersectionalFairnessEvaluation:
    """Accuracy, TPR, FPR and selection rate for every intersection of the protected attributes.

    Buolamwini & Gebru (2018) showed that aggregate and single-attribute numbers hide the worst
    performance, which sits at intersections (darker-skinned women). This audit reports one row per
    intersection of all protected attributes, next to each attribute's own groups (marginals), with a
    Wilson 95% interval for accuracy. Max gaps (max - min) are taken over intersections with at least
    ``min_group_size`` rows; smaller cells are listed in ``small_groups`` and left out of the gaps.

    A *model audit*: without ``predictions`` a logistic-regression baseline's test split is audited.

    Parameters
    ----------
    min_group_size : int
        Minimum rows for an intersection to enter the gap statistics (30 by convention).
    predictions, scores : str or None
        Columns of the audited decisions / P(y=1).
    seed : int
        Seed of the baseline split.

    References
    ----------
    Buolamwini, J. & Gebru, T. (2018). Gender Shades: Intersectional Accuracy Disparities in Commercial
    Gender Classification. FAT* 2018, PMLR 81.
    """

    def __init__(
        self,
        *,
        min_group_size: Annotated[int, Param('Smaller intersections are left out of the max gaps', range=(1.0, 1000000.0))] = 30,
        predictions: Annotated[str | None, Param('Column of audited 0/1 decisions (baseline model when absent)')] = None,
        scores: Annotated[str | None, Param('Column of P(y=1), thresholded at 0.5 when no predictions')] = None,
        seed: Annotated[int, Param('Seed of the baseline split', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
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
        audit = prepare(
            data,
            protected,
            outcome,
            predictions or self.predictions,
            scores or self.scores,
            when_missing="baseline",
            seed=self.seed,
        )
        inter = group_labels(audit.frame[audit.protected])
        check_groups(inter, "|".join(audit.protected))
        table = group_table(audit, inter, list(METRICS))
        table.insert(0, "level", "intersection")
        lo, hi = [], []
        for g in table["group"]:
            mask = inter == g
            ci = _wilson(int((audit.y_true[mask] == audit.y_pred[mask]).sum()), int(mask.sum()))
            lo.append(ci[0])
            hi.append(ci[1])
        table["accuracy_ci_low"], table["accuracy_ci_high"] = lo, hi
        table["small"] = table["n"] < self.min_group_size
        marginals = []
        for attr in audit.protected:
            t = group_table(audit, audit.frame[attr].astype(str).to_numpy(dtype=object), list(METRICS))
            t.insert(0, "level", attr)
            marginals.append(t)
        judged = table[~table["small"]]
        max_gaps = {m: gaps(judged, m) for m in ("accuracy", "tpr", "fpr", "selection_rate")}
        marginal_gaps = {
            str(t["level"].iloc[0]): {
                m: gaps(t, m)["difference"] for m in ("accuracy", "tpr", "fpr", "selection_rate")
            }
            for t in marginals
        }
        worst = judged.loc[judged["accuracy"].idxmin()] if len(judged) else None
        summary = {
            **describe(audit),
            "n_rows": len(audit.y_true),
            "overall_accuracy": float(np.mean(audit.y_true == audit.y_pred)),
            "n_intersections": len(table),
            "max_gaps": max_gaps,
            "marginal_gaps": marginal_gaps,
            "worst_accuracy_group": None if worst is None else str(worst["group"]),
            "worst_accuracy": None if worst is None else float(worst["accuracy"]),
            "small_groups": table[table["small"]]["group"].astype(str).tolist(),
        }
        full = pd.concat([table, *marginals], ignore_index=True)
        return AnalysisResult("intersectional_fairness_evaluation", clean(summary), {"groups": full})


def _wilson(successes: int, n: int) -> tuple[float, float]:
    """Wilson score 95% interval of a proportion (scipy's ``binomtest``)."""
    from scipy.stats import binomtest

    if n == 0:
        return float("nan"), float("nan")
    ci = binomtest(successes, n).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)
