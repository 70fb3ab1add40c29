"""What each interval and test is about: the estimand of every metric, and how it is resampled.

Two groups
    A max - min gap is ``|r_a - r_b|``: its estimator is biased upward when the true gap is near 0 and
    its percentile interval cannot cover 0. So with two groups every gap and ratio is evaluated in a
    *fixed group order*, chosen once on the reference predictions (the baseline of a comparison, the
    predictions themselves for a single interval): the group with the higher reference rate first.
    The estimand is the signed difference ``r(first) - r(second)`` (ratios: ``r(second) / r(first)``),
    whose value at the reference equals the unsigned metric, but which may cross 0 in resamples or
    after an intervention. Swapping the order flips the sign of the statistic and of its interval, so
    coverage does not depend on which order was chosen.
More than two groups
    The estimand is the max - min (or min / max) statistic as defined in
    :mod:`fairmend.metrics._counts`. Its interval covers the change in the max - min gap; when two
    groups' rates are within noise of each other the statistic is biased upward, and intervals of the
    gap itself (not of a change) never reach 0.

Stratification (:func:`strata_of_metric`)
    Metrics conditioned on the label (TPR / FPR / FNR and the metrics built from them, balanced
    accuracy, ROC AUC) are resampled within group x label strata, so each group keeps its numbers of
    positives and negatives. Every other metric (selection rate, accuracy, PPV, calibration, ...) is
    resampled within groups only: fixing the labels as well would remove the label's share of their
    variance and understate the standard error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fairmend.metrics._api import FAIRNESS_METRICS
from fairmend.metrics._counts import evaluate_counts, group_rates

# metric -> (rate, how the groups' rates combine). Composites of two rates (equalized odds, average
# odds) keep their max - min definition even for two groups: a signed max would hide a reversed gap.
ORIENTABLE: dict[str, tuple[tuple[str, ...], str]] = {
    "demographic_parity_difference": (("selection_rate",), "gap"),
    "disparate_impact_ratio": (("selection_rate",), "ratio"),
    "equal_opportunity_difference": (("tpr",), "gap"),
    "equal_opportunity_ratio": (("tpr",), "ratio"),
    "predictive_equality_difference": (("fpr",), "gap"),
    "predictive_parity_difference": (("ppv",), "gap"),
    "npv_difference": (("npv",), "gap"),
    "fnr_difference": (("fnr",), "gap"),
    "accuracy_difference": (("accuracy",), "gap"),
}
LABEL_CONDITIONAL = frozenset({
    "equal_opportunity_difference", "equal_opportunity_ratio", "predictive_equality_difference",
    "equalized_odds_difference", "equalized_odds_ratio", "average_odds_difference", "fnr_difference",
    "balanced_accuracy", "roc_auc",
})
_RATE_NAME = {"selection_rate": "selection rate", "tpr": "TPR", "fpr": "FPR", "ppv": "PPV", "npv": "NPV",
              "fnr": "FNR", "accuracy": "accuracy", "ece": "ECE"}


def strata_of_metric(metric: str) -> str:
    """``"group_label"`` for label-conditioned metrics, ``"group"`` for the rest."""
    return "group_label" if metric in LABEL_CONDITIONAL else "group"


@dataclass(frozen=True)
class Orientation:
    """Fixed group order per rate for two groups: ``order[rate] = (first, second)`` group codes."""

    order: dict[str, tuple[int, int]]
    labels: list[str]

    @classmethod
    def from_counts(cls, counts: np.ndarray, labels: list[str], ece: np.ndarray | None = None) -> Orientation | None:
        """Order each rate by its value on ``counts`` ``(2, 2, 2)``; ``None`` unless there are two groups."""
        if counts.shape[-3] != 2:
            return None
        rates = {k: v for k, v in group_rates(counts).items() if k in _RATE_NAME}
        if ece is not None:
            rates["ece"] = ece
        order = {}
        for name, r in rates.items():
            flip = bool(np.isfinite(r).all() and r[1] > r[0])
            order[name] = (1, 0) if flip else (0, 1)
        return cls(order, labels)

    def gap(self, rate: str, values: np.ndarray) -> np.ndarray:
        first, second = self.order[rate]
        return values[..., first] - values[..., second]

    def ratio(self, rate: str, values: np.ndarray) -> np.ndarray:
        first, second = self.order[rate]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(values[..., first] > 0, values[..., second] / np.where(values[..., first] > 0,
                            values[..., first], 1.0), np.nan)

    def describe(self, metric: str) -> str:
        (rate,), how = ORIENTABLE.get(metric, (("ece",), "gap"))
        first, second = (self.labels[i] for i in self.order[rate])
        name = _RATE_NAME[rate]
        return f"{name}({second}) / {name}({first})" if how == "ratio" else f"{name}({first}) - {name}({second})"


def evaluate(counts: np.ndarray, metrics: list[str], orientation: Orientation | None) -> dict[str, np.ndarray]:
    """Count metrics on a batched count array; with an orientation, the two-group signed forms."""
    if orientation is None:
        return evaluate_counts(counts, metrics)
    plain = [m for m in metrics if m not in ORIENTABLE]
    out = evaluate_counts(counts, plain) if plain else {}
    oriented = [m for m in metrics if m in ORIENTABLE]
    if oriented:
        rates = group_rates(counts)
        for m in oriented:
            (rate,), how = ORIENTABLE[m]
            out[m] = orientation.gap(rate, rates[rate]) if how == "gap" else orientation.ratio(rate, rates[rate])
    return {m: np.asarray(out[m], dtype=float) for m in metrics}


_COMPOSITE = {"equalized_odds_difference": "larger of the TPR and FPR max - min gaps",
              "equalized_odds_ratio": "smaller of the TPR and FPR min / max ratios",
              "average_odds_difference": "mean of the TPR and FPR max - min gaps"}
_WHOLE = frozenset({"generalized_entropy_index", "theil_index"})


def describe(metric: str, orientation: Orientation | None, n_groups: int, *, change: bool) -> str:
    """One sentence naming what the interval and the p-value are about."""
    if orientation is not None and (metric in ORIENTABLE or metric == "ece_difference"):
        kind = "ratio" if ORIENTABLE.get(metric, ((), "gap"))[1] == "ratio" else "signed difference"
        text = f"{kind} {orientation.describe(metric)} (group order fixed on the baseline)"
    elif metric in FAIRNESS_METRICS and metric not in _WHOLE:
        kind = _COMPOSITE.get(metric, "min / max" if metric.endswith("_ratio") else "max - min")
        text = f"{kind} over {n_groups} groups (biased away from parity when groups are within noise of each other)"
    else:
        text = f"{metric} over all rows"
    return f"change in the {text}" if change else text
