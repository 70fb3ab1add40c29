"""Group-conditional (Mondrian) split conformal prediction for equalized coverage.

Romano, Barber, Sabatti & Candès (2020), "With Malice Toward None: Assessing Uncertainty via
Equalized Coverage", Harvard Data Science Review 2(2); Mondrian conformal prediction after Vovk,
Gammerman & Shafer (2005), "Algorithmic Learning in a Random World".
"""

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

KEY = "mondrian_conformal_equalized_coverage"


def conformal_quantile(scores: np.ndarray, alpha: float) -> float:
    """Split-conformal threshold: the ``ceil((n + 1)(1 - alpha))``-th smallest nonconformity score.

    Returns ``inf`` (the full label set) when ``n`` is too small for the requested level.
    """
    n = len(scores)
    k = int(np.ceil((n + 1) * (1.0 - alpha)))
    if k > n:
        return float("inf")
    return float(np.sort(scores)[k - 1])


class MondrianConformalClassifier(BaseEstimator):
    """Split conformal label sets with one calibration quantile per group.

    The nonconformity score of a calibration row is ``1 - p(y_true)``, with ``p(1) = y_score``
    and ``p(0) = 1 - y_score`` (the "LAC" score). ``fit`` computes, for every group ``g``
    separately, the conformal quantile ``q_g`` of the scores of that group's calibration rows;
    a test row of group ``g`` gets the label set ``{y : 1 - p(y) <= q_g}``. By exchangeability
    within the group, ``P(Y in C(X) | A = g) >= 1 - alpha`` for *every* group (equalized
    coverage, Romano et al. 2020, Eq. 4), whereas one pooled quantile only guarantees marginal
    coverage and can under-cover a group. With ``by_class=True`` the calibration is further
    split by true label (group x class Mondrian taxonomy), giving coverage ``>= 1 - alpha`` for
    every (group, class) cell.

    ``predict`` returns the point prediction ``y_score >= threshold`` (the conformal layer does
    not change it); ``predict_set`` returns the label sets and ``predict_proba`` the unchanged
    score.

    Parameters
    ----------
    alpha : float
        Miscoverage level in (0, 1); each group is covered with probability ``>= 1 - alpha``.
    by_class : bool
        Also condition on the true class (label-conditional within each group).
    threshold : float
        Decision threshold of the point prediction.

    References
    ----------
    Romano, Y., Barber, R. F., Sabatti, C., Candès, E. (2020). With Malice Toward None: Assessing
    Uncertainty via Equalized Coverage. Harvard Data Science Review 2(2).
    Vovk, V., Gammerman, A., Shafer, G. (2005). Algorithmic Learning in a Random World. Springer.
    """

    def __init__(self, *, alpha: Annotated[float, Param('Miscoverage level in (0, 1); each group is covered with probability ``>= 1 - alpha``', range=(0.001, 0.999))] = 0.1, by_class: Annotated[bool, Param('Also condition on the true class (label-conditional within each group)')] = False, threshold: Annotated[float, Param('Decision threshold of the point prediction', range=(0.0, 1.0))] = 0.5) -> None:
        self.alpha = alpha
        self.by_class = by_class
        self.threshold = threshold

    def fit(
        self, y_score: Any, y_true: Any, *, sensitive_features: Any, X: Any = None
    ) -> MondrianConformalClassifier:
        alpha = float(self.alpha)
        if not 0.0 < alpha < 1.0:
            raise InvalidParameterError(f"alpha must be in (0, 1), got {self.alpha}")
        s = check_scores(y_score)
        y = check_labels(y_true, len(s))
        groups = check_groups(sensitive_features, len(s), technique=KEY)
        self.groups_ = sorted(set(groups.tolist()))
        nonconformity = 1.0 - np.where(y == 1, s, 1.0 - s)
        # quantiles_[g] = [q for label 0, q for label 1] (equal unless by_class)
        self.quantiles_: dict[str, list[float]] = {}
        self.n_calibration_: dict[str, list[int]] = {}
        for g in self.groups_:
            in_g = groups == g
            cells = [in_g & (y == c) for c in (0, 1)] if self.by_class else [in_g, in_g]
            for c, m in enumerate(cells):
                if not m.any():
                    raise DataError(f"group {g!r} has no calibration rows with label {c}")
            self.quantiles_[g] = [conformal_quantile(nonconformity[m], alpha) for m in cells]
            self.n_calibration_[g] = [int(m.sum()) for m in cells]
        return self

    def predict_set(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        """Boolean label sets, shape ``(n, 2)``: column ``k`` is True when label ``k`` is in the set."""
        s = check_scores(y_score)
        groups = groups_at_predict(sensitive_features, len(s), self.groups_, KEY)
        out = np.zeros((len(s), 2), dtype=bool)
        for g in self.groups_:
            m = groups == g
            for c in (0, 1):
                q = self.quantiles_[g][c]
                p_c = s[m] if c == 1 else 1.0 - s[m]
                out[m, c] = 1.0 - p_c <= q
        return out

    def predict_proba(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        """The score, unchanged (conformal prediction adds sets, it does not re-score)."""
        s = check_scores(y_score)
        groups_at_predict(sensitive_features, len(s), self.groups_, KEY)
        return s

    def predict(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        s = self.predict_proba(y_score, sensitive_features=sensitive_features)
        return (s >= float(self.threshold)).astype(int)
