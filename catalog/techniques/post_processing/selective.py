"""Fair selective classification (abstention), after Lee et al. (2021)."""

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

from fairmend.errors import InvalidParameterError

ABSTAIN = -1


class FairSelectiveClassification(BaseEstimator):
    """Abstain on low-confidence rows with group-specific confidence thresholds.

    Confidence is ``max(s, 1 - s)``; a row is accepted when its confidence reaches its group's
    threshold and then labelled ``s >= 0.5``; otherwise ``predict`` returns ``-1`` (abstain).

    * ``criterion="equal_coverage"``: each group accepts the same fraction ``coverage`` of its rows.
    * ``criterion="equal_accuracy"``: the target is the pooled accuracy at ``coverage``; each group
      accepts its largest most-confident prefix whose accuracy on the fitting data reaches the
      target, so accuracy on accepted rows is (approximately) equal across groups — the
      sufficiency-motivated goal of Lee et al. that abstention must not widen accuracy gaps.
      Groups that are easier get more coverage; harder groups abstain more.

    Parameters
    ----------
    criterion : str
        ``equal_coverage`` or ``equal_accuracy``.
    coverage : float
        Fraction of rows to accept (per group, or pooled to set the accuracy target).

    References
    ----------
    Lee, J. K., Bu, Y., Rajan, D., Sattigeri, P., Panda, R., Das, S., Wornell, G. W. (2021). Fair
    Selective Classification via Sufficiency. ICML.
    """

    def __init__(self, *, criterion: Annotated[str, Param('Equalise coverage, or accuracy on accepted rows, across groups', choices=('equal_coverage', 'equal_accuracy'))] = "equal_coverage", coverage: Annotated[float, Param('Fraction of rows accepted (predict returns -1 to abstain)', range=(0.01, 1.0))] = 0.8) -> None:
        self.criterion = criterion
        self.coverage = coverage

    def fit(
        self, y_score: Any, y_true: Any, *, sensitive_features: Any, X: Any = None
    ) -> FairSelectiveClassification:
        if self.criterion not in ("equal_coverage", "equal_accuracy"):
            raise InvalidParameterError(
                f"criterion must be equal_coverage or equal_accuracy, got {self.criterion!r}"
            )
        if not 0.0 < float(self.coverage) <= 1.0:
            raise InvalidParameterError(f"coverage must be in (0, 1], got {self.coverage}")
        s = check_scores(y_score)
        y = check_labels(y_true, len(s))
        groups = check_groups(sensitive_features, len(s), technique="fair_selective_classification")
        self.groups_ = sorted(set(groups.tolist()))
        conf = np.maximum(s, 1.0 - s)
        correct = ((s >= 0.5).astype(int) == y).astype(float)
        cov = float(self.coverage)
        self.thresholds_: dict[str, float] = {}
        if self.criterion == "equal_coverage":
            for g in self.groups_:
                self.thresholds_[g] = (
                    float(np.quantile(conf[groups == g], 1.0 - cov, method="higher")) if cov < 1 else 0.0
                )
            self.target_accuracy_ = None
            return self
        order = np.argsort(-conf, kind="stable")
        k = max(1, int(np.ceil(cov * len(s))))
        self.target_accuracy_ = float(correct[order[:k]].mean())
        for g in self.groups_:
            m = np.flatnonzero(groups == g)
            o = m[np.argsort(-conf[m], kind="stable")]
            prefix_acc = np.cumsum(correct[o]) / np.arange(1, len(o) + 1)
            ok = np.flatnonzero(prefix_acc >= self.target_accuracy_ - 1e-12)
            n_acc = int(ok.max()) + 1 if ok.size else 1
            self.thresholds_[g] = float(conf[o[n_acc - 1]])
        return self

    def predict(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        """Labels 0/1, or ``-1`` where the classifier abstains."""
        s = check_scores(y_score)
        groups = groups_at_predict(sensitive_features, len(s), self.groups_, "fair_selective_classification")
        conf = np.maximum(s, 1.0 - s)
        t = np.array([self.thresholds_[g] for g in groups])
        return np.where(conf >= t, (s >= 0.5).astype(int), ABSTAIN)
