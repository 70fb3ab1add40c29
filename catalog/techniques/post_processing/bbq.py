"""Bayesian binning into quantiles (BBQ), Naeini, Cooper & Hauskrecht (2015)."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.post_processing._calibrator_base import Calibrator
from scipy.special import gammaln, logsumexp

from fairmend.errors import InvalidParameterError


class BayesianBinningIntoQuantiles(Calibrator):
    """Bayesian model averaging over equal-frequency histogram-binning models.

    Every model ``M_B`` bins the sorted scores into ``B`` quantile bins, for ``B`` from
    ``N^(1/3) / C`` to ``C N^(1/3)``. A bin with ``m`` positives and ``n`` negatives and score
    interval midpoint ``p`` has a Beta(``N' p / B``, ``N' (1 - p) / B``) prior; the model's
    marginal likelihood (a BDeu score) weights its posterior-mean bin estimate
    ``(m + alpha) / (m + n + alpha + beta)`` in the averaged calibrated probability.

    Parameters
    ----------
    C : float
        Spread of the numbers of bins considered around ``N^(1/3)``.
    prior_strength : float
        Equivalent sample size ``N'`` of the Beta priors.
    per_group, threshold
        As in :class:`fairmend.catalog.techniques.post_processing.calibration.PlattScaling`.

    References
    ----------
    Naeini, M. P., Cooper, G. F., Hauskrecht, M. (2015). Obtaining Well Calibrated Probabilities
    Using Bayesian Binning. AAAI.
    """

    _key = "bayesian_binning_into_quantiles"

    def __init__(
        self, *, C: Annotated[float, Param('Bin counts from N^(1/3)/C to C N^(1/3) are averaged', range=(1.0, 1000.0))] = 10.0, prior_strength: Annotated[float, Param("Equivalent sample size N' of the Beta priors", range=(0.001, 1000.0))] = 2.0, per_group: Annotated[bool, Param('Fit one calibration map per group (then needed at prediction)')] = False, threshold: Annotated[float, Param('Decision threshold on the calibrated probability', range=(0.0, 1.0))] = 0.5
    ) -> None:
        self.C = C
        self.prior_strength = prior_strength
        self.per_group = per_group
        self.threshold = threshold

    def _check_params(self) -> None:
        if float(self.C) < 1.0:
            raise InvalidParameterError(f"C must be >= 1, got {self.C}")
        if float(self.prior_strength) <= 0.0:
            raise InvalidParameterError(f"prior_strength must be > 0, got {self.prior_strength}")

    def _fit_one(self, s: np.ndarray, y: np.ndarray) -> dict[str, Any]:
        n = len(s)
        root = n ** (1.0 / 3.0)
        lo = max(1, int(np.floor(root / float(self.C))))
        hi = min(n, int(np.ceil(root * float(self.C))))
        models, log_scores = [], []
        for n_bins in range(lo, hi + 1):
            edges = np.unique(np.quantile(s, np.linspace(0.0, 1.0, n_bins + 1)))
            inner = edges[1:-1]
            idx = np.searchsorted(inner, s, side="right")
            k = len(inner) + 1
            tot = np.bincount(idx, minlength=k).astype(float)
            pos = np.bincount(idx, weights=y, minlength=k)
            lower, upper = np.r_[edges[0], inner], np.r_[inner, edges[-1]]
            mid = np.clip((lower + upper) / 2.0, 1e-3, 1.0 - 1e-3)
            ess = float(self.prior_strength) / k
            alpha, beta = ess * mid, ess * (1.0 - mid)
            log_ml = np.sum(
                gammaln(ess)
                - gammaln(tot + ess)
                + gammaln(pos + alpha)
                - gammaln(alpha)
                + gammaln(tot - pos + beta)
                - gammaln(beta)
            )
            models.append((inner, (pos + alpha) / (tot + alpha + beta)))
            log_scores.append(log_ml)
        log_scores_arr = np.asarray(log_scores)
        weights = np.exp(log_scores_arr - logsumexp(log_scores_arr))
        return {"models": models, "weights": weights}

    def _apply_one(self, state: dict[str, Any], s: np.ndarray) -> np.ndarray:
        out = np.zeros(len(s))
        for (inner, values), w in zip(state["models"], state["weights"], strict=True):
            if w > 1e-12:
                out += w * values[np.searchsorted(inner, s, side="right")]
        return out / state["weights"][state["weights"] > 1e-12].sum()
