"""Reject option based classification, Kamiran, Karim & Zhang (2012)."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.post_processing._common import (
    check_groups,
    check_labels,
    check_scores,
    groups_at_predict,
)
from sklearn.base import BaseEstimator

from fairmend.errors import DataError, InvalidParameterError

METRICS = ("statistical_parity", "average_odds", "equal_opportunity")


class RejectOptionClassification(BaseEstimator):
    """Give the favourable label to the unprivileged group (and the unfavourable one to the
    privileged group) inside a band ``(t - m, t + m]`` of low confidence around the threshold ``t``.

    ``fit`` searches a grid of thresholds ``t`` (``n_thresholds`` values in
    ``[low_threshold, high_threshold]``) and margins ``m`` (``n_margins`` values in
    ``[0, min(t, 1 - t)]``), keeps the pairs whose signed fairness metric (unprivileged minus
    privileged) lies in ``[-metric_bound, metric_bound]`` and among them the one with the highest
    balanced accuracy — the search AIF360's ``RejectOptionClassification`` runs. When no pair is
    feasible, the pair with the smallest absolute metric is kept (AIF360 keeps the smallest signed
    value) and ``feasible_`` is False.

    Parameters
    ----------
    metric : str
        ``statistical_parity``, ``average_odds`` or ``equal_opportunity``.
    metric_bound : float
        Allowed absolute value of the metric.
    low_threshold, high_threshold : float
        Range of classification thresholds searched.
    n_thresholds, n_margins : int
        Grid sizes.
    privileged_group : str or None
        Label of the privileged group; ``None`` takes the group with the higher selection rate at
        threshold 0.5 on the fitting data. Exactly two groups are supported.

    References
    ----------
    Kamiran, F., Karim, A., Zhang, X. (2012). Decision Theory for Discrimination-Aware
    Classification. ICDM.
    """

    def __init__(
        self,
        *,
        metric: Annotated[str, Param('Fairness metric bounded during the search', choices=('statistical_parity', 'average_odds', 'equal_opportunity'))] = "statistical_parity",
        metric_bound: Annotated[float, Param('Allowed absolute metric value', range=(0.0, 1.0), tunable=True)] = 0.05,
        low_threshold: Annotated[float, Param('Lowest classification threshold searched', range=(0.0, 1.0))] = 0.01,
        high_threshold: Annotated[float, Param('Highest classification threshold searched', range=(0.0, 1.0))] = 0.99,
        n_thresholds: Annotated[int, Param('Thresholds on the grid', range=(1.0, 10000.0))] = 100,
        n_margins: Annotated[int, Param('Critical-region margins per threshold', range=(1.0, 10000.0))] = 50,
        privileged_group: Annotated[str | None, Param('Privileged group label; empty = group with the higher selection rate')] = None,
    ) -> None:
        self.metric = metric
        self.metric_bound = metric_bound
        self.low_threshold = low_threshold
        self.high_threshold = high_threshold
        self.n_thresholds = n_thresholds
        self.n_margins = n_margins
        self.privileged_group = privileged_group

    def _check_params(self) -> None:
        if self.metric not in METRICS:
            raise InvalidParameterError(f"metric must be one of {', '.join(METRICS)}, got {self.metric!r}")
        if not 0.0 <= self.low_threshold < self.high_threshold <= 1.0:
            raise InvalidParameterError("need 0 <= low_threshold < high_threshold <= 1")
        if int(self.n_thresholds) < 1 or int(self.n_margins) < 1:
            raise InvalidParameterError("n_thresholds and n_margins must be at least 1")

    @staticmethod
    def _labels(s: np.ndarray, priv: np.ndarray, t: float, margins: np.ndarray) -> np.ndarray:
        """Predictions for one threshold and every margin: shape (n_margins, n_rows)."""
        base = s > t
        crit = (s[None, :] <= t + margins[:, None]) & (s[None, :] > t - margins[:, None])
        return np.where(crit, ~priv[None, :], base[None, :])

    def _metric(self, pred: np.ndarray, y: np.ndarray, priv: np.ndarray) -> np.ndarray:
        def rate(rows: np.ndarray) -> np.ndarray:
            return pred[:, rows].mean(axis=1) if rows.any() else np.zeros(len(pred))

        if self.metric == "statistical_parity":
            return rate(~priv) - rate(priv)
        tpr = rate(~priv & (y == 1)) - rate(priv & (y == 1))
        if self.metric == "equal_opportunity":
            return tpr
        return 0.5 * (tpr + rate(~priv & (y == 0)) - rate(priv & (y == 0)))

    def fit(
        self, y_score: Any, y_true: Any, *, sensitive_features: Any, X: Any = None
    ) -> RejectOptionClassification:
        self._check_params()
        s = check_scores(y_score)
        y = check_labels(y_true, len(s))
        groups = check_groups(
            sensitive_features, len(s), binary=True, technique="reject_option_classification"
        )
        self.groups_ = sorted(set(groups.tolist()))
        if self.privileged_group is None:
            rates = {g: float((s[groups == g] >= 0.5).mean()) for g in self.groups_}
            self.privileged_group_ = max(self.groups_, key=lambda g: rates[g])
        elif str(self.privileged_group) in self.groups_:
            self.privileged_group_ = str(self.privileged_group)
        else:
            raise DataError(f"privileged_group {self.privileged_group!r} is not one of {self.groups_}")
        priv = groups == self.privileged_group_
        best: tuple[float, float, float, float] | None = None  # (balanced acc, metric, t, m)
        fallback: tuple[float, float, float] | None = None  # (|metric|, t, m)
        for t in np.linspace(self.low_threshold, self.high_threshold, int(self.n_thresholds)):
            margins = np.linspace(0.0, t if t <= 0.5 else 1.0 - t, int(self.n_margins))
            pred = self._labels(s, priv, t, margins)
            bal = 0.5 * (pred[:, y == 1].mean(axis=1) + (1.0 - pred[:, y == 0].mean(axis=1)))
            met = self._metric(pred, y, priv)
            ok = np.flatnonzero(np.abs(met) <= self.metric_bound + 1e-12)
            if ok.size:
                i = ok[np.argmax(bal[ok])]
                if best is None or bal[i] > best[0]:
                    best = (float(bal[i]), float(met[i]), float(t), float(margins[i]))
            j = int(np.argmin(np.abs(met)))
            if fallback is None or abs(met[j]) < fallback[0]:
                fallback = (float(abs(met[j])), float(t), float(margins[j]))
        self.feasible_ = best is not None
        if best is not None:
            self.balanced_accuracy_, self.metric_value_, self.threshold_, self.margin_ = best
        else:
            assert fallback is not None
            self.metric_value_, self.threshold_, self.margin_ = fallback
        return self

    def predict(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        s = check_scores(y_score)
        groups = groups_at_predict(sensitive_features, len(s), self.groups_, "reject_option_classification")
        priv = groups == self.privileged_group_
        return self._labels(s, priv, self.threshold_, np.array([self.margin_]))[0].astype(int)
