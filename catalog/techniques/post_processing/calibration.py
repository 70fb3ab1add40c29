"""Parametric and binning calibrators of a trained model's scores (pooled or per group).

* :class:`PlattScaling` — Platt (1999): logistic map of the score's logit, smoothed targets.
* :class:`GroupSpecificPlattScaling` — Platt scaling fitted per group (Pleiss et al. 2017).
* :class:`IsotonicCalibration` — Zadrozny & Elkan (2002): monotone step function.
* :class:`BetaCalibration` — Kull, Silva Filho & Flach (2017): logistic regression on
  ``ln s`` and ``-ln(1 - s)`` with non-negative slopes.
* :class:`TemperatureScaling` — Guo et al. (2017): ``sigmoid(logit(s) / T)``.
* :class:`HistogramBinning` — Zadrozny & Elkan (2001): mean label per score bin.

Bayesian binning into quantiles lives in :mod:`.bbq`.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.post_processing._calibrator_base import Calibrator, clip01, fit_logistic
from fairmend.catalog.techniques.post_processing._common import logit, sigmoid
from scipy.optimize import minimize_scalar

from fairmend.errors import InvalidParameterError


class PlattScaling(Calibrator):
    """Platt scaling: ``P(y=1 | s) = sigmoid(a * logit(s) + b)``.

    The map is fitted by log loss on Platt's smoothed targets ``(N+ + 1) / (N+ + 2)`` and
    ``1 / (N- + 2)``. Scores are probabilities, so the input is their logit.

    Parameters
    ----------
    per_group : bool
        Fit one map per group of ``sensitive_features`` (then needed at prediction).
    threshold : float
        Decision threshold of ``predict`` on the calibrated probability.

    References
    ----------
    Platt, J. (1999). Probabilistic Outputs for Support Vector Machines and Comparisons to
    Regularized Likelihood Methods. Advances in Large Margin Classifiers, MIT Press.
    """

    _key = "platt_scaling"

    def __init__(self, *, per_group: Annotated[bool, Param('Fit one calibration map per group (then needed at prediction)')] = False, threshold: Annotated[float, Param('Decision threshold on the calibrated probability', range=(0.0, 1.0))] = 0.5) -> None:
        self.per_group = per_group
        self.threshold = threshold

    def _fit_one(self, s: np.ndarray, y: np.ndarray) -> np.ndarray:
        n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
        targets = np.where(y == 1, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))
        return fit_logistic(logit(s)[:, None], targets)

    def _apply_one(self, state: np.ndarray, s: np.ndarray) -> np.ndarray:
        return sigmoid(state[0] * logit(s) + state[1])


class GroupSpecificPlattScaling(PlattScaling):
    """Platt scaling fitted separately for each group (``per_group=True`` by default).

    References
    ----------
    Pleiss, G., Raghavan, M., Wu, F., Kleinberg, J., Weinberger, K. Q. (2017). On Fairness and
    Calibration. NeurIPS.
    """

    _key = "group_specific_platt_scaling"

    def __init__(self, *, per_group: Annotated[bool, Param('Fit one calibration map per group (then needed at prediction)')] = True, threshold: Annotated[float, Param('Decision threshold on the calibrated probability', range=(0.0, 1.0))] = 0.5) -> None:
        self.per_group = per_group
        self.threshold = threshold


class IsotonicCalibration(Calibrator):
    """Isotonic-regression calibration (monotone, piecewise-constant; clipped outside the fit range).

    References
    ----------
    Zadrozny, B., Elkan, C. (2002). Transforming Classifier Scores into Accurate Multiclass
    Probability Estimates. KDD.
    """

    _key = "isotonic_calibration"

    def __init__(self, *, per_group: Annotated[bool, Param('Fit one calibration map per group (then needed at prediction)')] = False, threshold: Annotated[float, Param('Decision threshold on the calibrated probability', range=(0.0, 1.0))] = 0.5) -> None:
        self.per_group = per_group
        self.threshold = threshold

    def _fit_one(self, s: np.ndarray, y: np.ndarray) -> Any:
        from sklearn.isotonic import IsotonicRegression

        return IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(s, y)

    def _apply_one(self, state: Any, s: np.ndarray) -> np.ndarray:
        return np.asarray(state.predict(s), dtype=float)


class BetaCalibration(Calibrator):
    """Beta calibration: ``sigmoid(a ln s - b ln(1 - s) + c)`` with ``a, b >= 0``.

    Fitted as a logistic regression on the two features ``ln s`` and ``-ln(1 - s)``; Kull et al.
    refit without a feature whose slope comes out negative, which the bound ``>= 0`` achieves
    directly. ``a = b`` recovers Platt scaling on the logit.

    References
    ----------
    Kull, M., Silva Filho, T., Flach, P. (2017). Beta Calibration: A Well-Founded and Easily
    Implemented Improvement on Logistic Calibration for Binary Classifiers. AISTATS.
    """

    _key = "beta_calibration"

    def __init__(self, *, per_group: Annotated[bool, Param('Fit one calibration map per group (then needed at prediction)')] = False, threshold: Annotated[float, Param('Decision threshold on the calibrated probability', range=(0.0, 1.0))] = 0.5) -> None:
        self.per_group = per_group
        self.threshold = threshold

    @staticmethod
    def _features(s: np.ndarray) -> np.ndarray:
        s = clip01(s)
        return np.column_stack([np.log(s), -np.log1p(-s)])

    def _fit_one(self, s: np.ndarray, y: np.ndarray) -> np.ndarray:
        return fit_logistic(self._features(s), y, nonneg=(0, 1))

    def _apply_one(self, state: np.ndarray, s: np.ndarray) -> np.ndarray:
        return sigmoid(self._features(s) @ state[:2] + state[2])


class TemperatureScaling(Calibrator):
    """Temperature scaling: ``sigmoid(logit(s) / T)`` with ``T > 0`` minimising the log loss.

    One parameter, so it cannot shift a biased score, only sharpen or soften it.

    References
    ----------
    Guo, C., Pleiss, G., Sun, Y., Weinberger, K. Q. (2017). On Calibration of Modern Neural
    Networks. ICML.
    """

    _key = "temperature_scaling"

    def __init__(self, *, per_group: Annotated[bool, Param('Fit one calibration map per group (then needed at prediction)')] = False, threshold: Annotated[float, Param('Decision threshold on the calibrated probability', range=(0.0, 1.0))] = 0.5) -> None:
        self.per_group = per_group
        self.threshold = threshold

    def _fit_one(self, s: np.ndarray, y: np.ndarray) -> float:
        z = logit(s)

        def nll(log_t: float) -> float:
            q = z / np.exp(log_t)
            return float(np.mean(np.logaddexp(0.0, q) - y * q))

        res = minimize_scalar(nll, bounds=(-5.0, 5.0), method="bounded")
        return float(np.exp(res.x))

    def _apply_one(self, state: float, s: np.ndarray) -> np.ndarray:
        return sigmoid(logit(s) / state)


class HistogramBinning(Calibrator):
    """Histogram binning: the calibrated probability is the fraction of positives in the score's bin.

    Parameters
    ----------
    n_bins : int
        Number of bins.
    strategy : str
        ``quantile`` (equal-frequency, as in Zadrozny & Elkan) or ``uniform`` (equal-width).
    per_group, threshold
        As in :class:`PlattScaling`.

    References
    ----------
    Zadrozny, B., Elkan, C. (2001). Obtaining Calibrated Probability Estimates from Decision Trees
    and Naive Bayesian Classifiers. ICML.
    """

    _key = "histogram_binning"

    def __init__(
        self, *, n_bins: Annotated[int, Param('Number of score bins', range=(1.0, 1000.0))] = 10, strategy: Annotated[str, Param('Equal-frequency or equal-width bins', choices=('quantile', 'uniform'))] = "quantile", per_group: Annotated[bool, Param('Fit one calibration map per group (then needed at prediction)')] = False, threshold: Annotated[float, Param('Decision threshold on the calibrated probability', range=(0.0, 1.0))] = 0.5
    ) -> None:
        self.n_bins = n_bins
        self.strategy = strategy
        self.per_group = per_group
        self.threshold = threshold

    def _check_params(self) -> None:
        if int(self.n_bins) < 1:
            raise InvalidParameterError(f"n_bins must be at least 1, got {self.n_bins}")
        if self.strategy not in ("quantile", "uniform"):
            raise InvalidParameterError(f"strategy must be 'quantile' or 'uniform', got {self.strategy!r}")

    def _fit_one(self, s: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n_bins = int(self.n_bins)
        if self.strategy == "quantile":
            edges = np.unique(np.quantile(s, np.linspace(0.0, 1.0, n_bins + 1)))
        else:
            edges = np.linspace(0.0, 1.0, n_bins + 1)
        inner = edges[1:-1]
        idx = np.searchsorted(inner, s, side="right")
        n = np.bincount(idx, minlength=len(inner) + 1)
        pos = np.bincount(idx, weights=y, minlength=len(inner) + 1)
        centres = (np.r_[0.0, inner] + np.r_[inner, 1.0]) / 2.0
        values = np.where(n > 0, pos / np.maximum(n, 1), centres)
        return inner, values

    def _apply_one(self, state: tuple[np.ndarray, np.ndarray], s: np.ndarray) -> np.ndarray:
        inner, values = state
        return values[np.searchsorted(inner, s, side="right")]
