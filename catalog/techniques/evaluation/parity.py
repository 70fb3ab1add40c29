"""Group-parity audits: selection rates (four-fifths rule), error rates and predictive values per group.

Each audit reports, for every protected attribute alone and for their intersection, a per-group table
and the largest gap (max - min) and smallest ratio (min / max) of its metrics.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, ClassVar

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.evaluation._common import Audit, clean, describe, prepare
from fairmend.catalog.techniques.evaluation._groups import gaps, group_table, views


class _ParityAudit:
    key: ClassVar[str]
    metrics: ClassVar[tuple[str, ...]]
    when_missing: ClassVar[str]

    predictions: str | None
    scores: str | None
    seed: int
    min_group_size: int

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
            when_missing=self.when_missing,
            seed=self.seed,
        )
        tables, by_view = {}, {}
        for name, groups in views(audit):
            table = group_table(audit, groups, list(self.metrics))
            table["judged"] = table["n"] >= self.min_group_size
            tables[name] = table
            judged = table[table["judged"]]
            by_view[name] = {m: gaps(judged, m) for m in self.metrics} | self._extra(table, judged)
        summary = describe(audit) | self._headline(audit, by_view)
        summary["by_attribute"] = by_view
        return AnalysisResult(self.key, clean(summary), {f"groups_{k}": v for k, v in tables.items()})

    def _extra(self, table: pd.DataFrame, judged: pd.DataFrame) -> dict[str, Any]:
        return {}

    def _headline(self, audit: Audit, by_view: dict[str, dict[str, Any]]) -> dict[str, Any]:
        return {}


class DemographicParityFourFifths(_ParityAudit):
    """Selection rate per group, demographic parity difference, disparate-impact ratio, four-fifths rule.

    The Uniform Guidelines' four-fifths rule: a group whose selection rate is below ``threshold``
    (0.8) times the rate of the most-selected group shows adverse impact. Each group's impact ratio
    (its rate / the highest rate) is reported; ``passes_four_fifths`` is False when any group of any
    attribute (or their intersection, groups of at least ``min_group_size`` rows) falls below.

    An *outcome audit*: audits ``predictions`` if given, else the labels (a data audit).

    Parameters
    ----------
    threshold : float
        Impact-ratio threshold (0.8 = four-fifths).
    min_group_size : int
        Groups smaller than this are reported but not judged (nor used as the reference rate).
    predictions : str or None
        Column with the audited 0/1 decisions.

    References
    ----------
    U.S. EEOC et al. (1978). Uniform Guidelines on Employee Selection Procedures, 29 CFR 1607.4(D).
    Feldman, M., Friedler, S. A., Moeller, J., Scheidegger, C. & Venkatasubramanian, S. (2015).
    Certifying and Removing Disparate Impact. KDD 2015.
    """

    key = "demographic_parity_metrics_four_fifths"
    metrics = ("selection_rate",)
    when_missing = "labels"

    def __init__(
        self, *, threshold: Annotated[float, Param('Impact-ratio threshold (0.8 = four-fifths rule)', range=(0.0, 1.0))] = 0.8, min_group_size: Annotated[int, Param('Smaller groups are reported but not judged', range=(1.0, 1000000.0))] = 30, predictions: Annotated[str | None, Param('Column of audited 0/1 decisions (labels when absent)')] = None
    ) -> None:
        self.threshold = threshold
        self.min_group_size = min_group_size
        self.predictions = predictions

    scores = None
    seed = 0

    def _extra(self, table: pd.DataFrame, judged: pd.DataFrame) -> dict[str, Any]:
        top = float(judged["selection_rate"].max()) if len(judged) else float("nan")
        table["impact_ratio"] = table["selection_rate"] / top if top > 0 else np.nan
        table["adverse_impact"] = table["judged"] & (table["impact_ratio"] < self.threshold)
        failing = table[table["adverse_impact"]]["group"].astype(str).tolist()
        return {
            "demographic_parity_difference": float(
                judged["selection_rate"].max() - judged["selection_rate"].min()
            ),
            "disparate_impact_ratio": float(judged["selection_rate"].min() / top)
            if top > 0
            else float("nan"),
            "adverse_impact_groups": failing,
            "passes_four_fifths": not failing,
        }

    def _headline(self, audit: Audit, by_view: dict[str, dict[str, Any]]) -> dict[str, Any]:
        worst = min(by_view, key=lambda v: by_view[v]["disparate_impact_ratio"])
        return {
            "threshold": float(self.threshold),
            "passes_four_fifths": all(v["passes_four_fifths"] for v in by_view.values()),
            "worst_attribute": worst,
            "disparate_impact_ratio": by_view[worst]["disparate_impact_ratio"],
            "demographic_parity_difference": max(
                v["demographic_parity_difference"] for v in by_view.values()
            ),
        }


class ErrorRateParityMetrics(_ParityAudit):
    """TPR, FPR, FNR, TNR per group; equal-opportunity, equalized-odds and average-odds differences.

    Equal opportunity difference is the TPR gap (max - min over groups), equalized odds difference the
    larger of the TPR and FPR gaps, average odds difference the mean of the two gaps. Ratios are
    min / max. ``passes`` applies the gate equalized-odds difference < ``max_gap``.

    A *model audit*: without ``predictions`` a logistic-regression baseline's test split is audited.

    Parameters
    ----------
    max_gap : float
        Gate on the equalized-odds difference.
    min_group_size : int
        Groups smaller than this are reported but left out of the gaps.
    predictions, scores : str or None
        Columns of the audited decisions / P(y=1) (scores are thresholded at 0.5 without predictions).
    seed : int
        Seed of the baseline split.

    References
    ----------
    Hardt, M., Price, E. & Srebro, N. (2016). Equality of Opportunity in Supervised Learning. NeurIPS 2016.
    """

    key = "error_rate_parity_metrics"
    metrics = ("tpr", "fpr", "fnr", "tnr", "accuracy")
    when_missing = "baseline"

    def __init__(
        self,
        *,
        max_gap: Annotated[float, Param('Gate on the equalized-odds difference', range=(0.0, 1.0))] = 0.1,
        min_group_size: Annotated[int, Param('Smaller groups are left out of the gaps', range=(1.0, 1000000.0))] = 30,
        predictions: Annotated[str | None, Param('Column of audited 0/1 decisions (baseline model when absent)')] = None,
        scores: Annotated[str | None, Param('Column of P(y=1), thresholded at 0.5 when no predictions')] = None,
        seed: Annotated[int, Param('Seed of the baseline split', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.max_gap = max_gap
        self.min_group_size = min_group_size
        self.predictions = predictions
        self.scores = scores
        self.seed = seed

    def _extra(self, table: pd.DataFrame, judged: pd.DataFrame) -> dict[str, Any]:
        tpr, fpr = gaps(judged, "tpr"), gaps(judged, "fpr")
        return {
            "equal_opportunity_difference": tpr["difference"],
            "equalized_odds_difference": float(np.nanmax([tpr["difference"], fpr["difference"]])),
            "average_odds_difference": float(np.nanmean([tpr["difference"], fpr["difference"]])),
            "equalized_odds_ratio": float(np.nanmin([tpr["ratio"], fpr["ratio"]])),
        }

    def _headline(self, audit: Audit, by_view: dict[str, dict[str, Any]]) -> dict[str, Any]:
        worst = max(by_view, key=lambda v: by_view[v]["equalized_odds_difference"])
        eod = by_view[worst]["equalized_odds_difference"]
        return {
            "worst_attribute": worst,
            "equalized_odds_difference": eod,
            "equal_opportunity_difference": max(v["equal_opportunity_difference"] for v in by_view.values()),
            "average_odds_difference": by_view[worst]["average_odds_difference"],
            "passes": bool(eod < self.max_gap),
        }


class PredictiveParityMetrics(_ParityAudit):
    """PPV, NPV, FDR and FOR per group and their gaps (predictive parity / sufficiency).

    Predictive parity asks that a positive decision mean the same in every group (equal PPV, so equal
    FDR); sufficiency adds equal NPV (equal false omission rate). Chouldechova (2017) shows that with
    different base rates this cannot hold together with equal error rates. The average predictive
    value difference is the mean of the PPV and NPV gaps.

    A *model audit*: without ``predictions`` a logistic-regression baseline's test split is audited.

    Parameters
    ----------
    max_gap : float
        Gate on the PPV gap.
    min_group_size : int
        Groups smaller than this are reported but left out of the gaps.
    predictions, scores : str or None
        Columns of the audited decisions / P(y=1).
    seed : int
        Seed of the baseline split.

    References
    ----------
    Chouldechova, A. (2017). Fair Prediction with Disparate Impact: A Study of Bias in Recidivism
    Prediction Instruments. Big Data 5(2).
    """

    key = "predictive_parity_metrics"
    metrics = ("ppv", "npv", "fdr", "for", "base_rate")
    when_missing = "baseline"

    def __init__(
        self,
        *,
        max_gap: Annotated[float, Param('Gate on the PPV gap', range=(0.0, 1.0))] = 0.1,
        min_group_size: Annotated[int, Param('Smaller groups are left out of the gaps', range=(1.0, 1000000.0))] = 30,
        predictions: Annotated[str | None, Param('Column of audited 0/1 decisions (baseline model when absent)')] = None,
        scores: Annotated[str | None, Param('Column of P(y=1), thresholded at 0.5 when no predictions')] = None,
        seed: Annotated[int, Param('Seed of the baseline split', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.max_gap = max_gap
        self.min_group_size = min_group_size
        self.predictions = predictions
        self.scores = scores
        self.seed = seed

    def _extra(self, table: pd.DataFrame, judged: pd.DataFrame) -> dict[str, Any]:
        ppv, npv = gaps(judged, "ppv"), gaps(judged, "npv")
        return {
            "ppv_difference": ppv["difference"],
            "npv_difference": npv["difference"],
            "average_predictive_value_difference": float(np.nanmean([ppv["difference"], npv["difference"]])),
        }

    def _headline(self, audit: Audit, by_view: dict[str, dict[str, Any]]) -> dict[str, Any]:
        worst = max(by_view, key=lambda v: by_view[v]["ppv_difference"])
        gap = by_view[worst]["ppv_difference"]
        return {
            "worst_attribute": worst,
            "ppv_difference": gap,
            "npv_difference": by_view[worst]["npv_difference"],
            "average_predictive_value_difference": by_view[worst]["average_predictive_value_difference"],
            "passes": bool(gap < self.max_gap),
        }
