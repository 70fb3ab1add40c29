"""Sensitivity of the protected attribute's estimated effect to unmeasured confounding.

* Robustness value (Cinelli & Hazlett 2020, *Making sense of sensitivity: extending omitted
  variable bias*, JRSS-B 82(1)): from the OLS of the outcome on the treatment and covariates,
  ``f = |t| / sqrt(df)`` and ``RV_q = ½(√(f_q⁴ + 4 f_q²) − f_q²)`` with ``f_q = q·f``; the
  ``RV_{q,α}`` variant uses ``f* = q·f − |t*_{α, df−1}| / √(df − 1)``.
* E-value (VanderWeele & Ding 2017, *Sensitivity analysis in observational research: introducing
  the E-value*, Annals of Internal Medicine 167(4)): for a risk ratio ``RR ≥ 1``,
  ``E = RR + √(RR (RR − 1))``; the E-value of the confidence limit closest to 1 is 1 when the
  interval contains 1. (Seed 001 attributes the E-value to Cinelli & Hazlett; it is VanderWeele & Ding's.)
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.causal._common import as_columns, check_columns, design, prepare
from scipy import stats

from fairmend.errors import DataError


def robustness_value(t: float, df: int, q: float = 1.0, alpha: float | None = None) -> float:
    """Cinelli & Hazlett's robustness value ``RV_q`` (or ``RV_{q,α}`` when ``alpha`` is given)."""
    f = q * abs(t) / math.sqrt(df)
    if alpha is not None:
        f -= abs(stats.t.ppf(alpha / 2, df - 1)) / math.sqrt(df - 1)
        if f <= 0:
            return 0.0
    return float(0.5 * (math.sqrt(f**4 + 4 * f**2) - f**2))


def ols(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """OLS coefficients, classical standard errors and residual degrees of freedom."""
    n = X.shape[0]
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    df = n - np.linalg.matrix_rank(X)
    sigma2 = float(resid @ resid) / df
    cov = sigma2 * np.linalg.pinv(X.T @ X)
    return beta, np.sqrt(np.diag(cov)), int(df)


def e_value(rr: float) -> float:
    """VanderWeele & Ding's E-value of a risk ratio (ratios below 1 are inverted first)."""
    if not np.isfinite(rr) or rr <= 0:
        return float("nan")
    rr = max(rr, 1.0 / rr)
    return float(rr + math.sqrt(rr * (rr - 1.0)))


def _covariates(data: pd.DataFrame, covariates: Any) -> list[str]:
    cols = as_columns(covariates) or []
    check_columns(data, cols, "covariate")
    return cols


class OmittedVariableSensitivity:
    """Cinelli & Hazlett (2020) robustness value of the protected attribute's coefficient.

    Parameters
    ----------
    covariates : str, optional
        Comma-separated adjustment covariates (e.g. a back-door set); none = the raw disparity.
    q : float, default 1.0
        Fraction of the estimate that the confounder would have to remove (1 = bring it to zero).
    alpha : float, default 0.05
        Level of ``RV_{q,α}`` (confounding strong enough to make the estimate insignificant).
    privileged : str, optional
        Value of the protected attribute coded 1 (default: the group with the highest outcome rate).
    """

    technique = "omitted_variable_sensitivity_cinelli_hazlett"

    def __init__(
        self,
        covariates: Annotated[str | None, Param('Comma-separated adjustment covariates')] = None,
        q: Annotated[float, Param('Fraction of the estimate to explain away', range=(0.0, 10.0))] = 1.0,
        alpha: Annotated[float, Param('Level of RV_{q,alpha}', range=(0.0001, 0.5))] = 0.05,
        privileged: Annotated[str | None, Param('Protected value coded 1')] = None,
    ) -> None:
        self.covariates = covariates
        self.q = q
        self.alpha = alpha
        self.privileged = privileged

    def run(
        self, data: pd.DataFrame, *, protected: Any, outcome: str, predictions: Any = None, scores: Any = None
    ) -> AnalysisResult:
        prep = prepare(data, protected, outcome, self.privileged)
        covs = _covariates(data, self.covariates)
        Z = design(data, covs)
        X = np.column_stack([np.ones(len(prep.a)), prep.a, Z.to_numpy(dtype=float)])
        beta, se, df = ols(X, prep.y.astype(float))
        if not np.isfinite(se[1]) or se[1] == 0:
            raise DataError(
                "the protected attribute is collinear with the covariates; its effect is not estimable"
            )
        t = float(beta[1] / se[1])
        summary = {
            **prep.describe(),
            "covariates": covs,
            "estimate": float(beta[1]),
            "std_error": float(se[1]),
            "t_value": t,
            "dof": df,
            "partial_r2_treatment": t**2 / (t**2 + df),
            "q": self.q,
            "alpha": self.alpha,
            "robustness_value": robustness_value(t, df, self.q),
            "robustness_value_alpha": robustness_value(t, df, self.q, self.alpha),
            "interpretation": (
                "an unobserved confounder explaining at least RV of the residual variance of both the "
                "protected attribute and the outcome would remove "
                f"{self.q:.0%} of the estimate; one explaining less cannot"
            ),
            "citation": "Cinelli & Hazlett 2020",
        }
        return AnalysisResult(technique=self.technique, summary=summary)


class EValueSensitivity:
    """VanderWeele & Ding (2017) E-value of the outcome risk ratio between groups.

    Parameters
    ----------
    covariates : str, optional
        Comma-separated covariates; when given the risk ratio is standardised by g-computation
        (logistic outcome model) and its interval is a percentile bootstrap.
    alpha : float, default 0.05
        1 − confidence level of the interval.
    n_boot : int, default 200
        Bootstrap replicates (only with covariates).
    privileged : str, optional
    seed : int, default 0
    """

    technique = "e_value_sensitivity"

    def __init__(
        self,
        covariates: Annotated[str | None, Param('Covariates for a standardised risk ratio')] = None,
        alpha: Annotated[float, Param('1 - confidence level', range=(0.0001, 0.5))] = 0.05,
        n_boot: Annotated[int, Param('Bootstrap replicates (with covariates)', range=(10.0, 5000.0))] = 200,
        privileged: Annotated[str | None, Param('Protected value coded 1')] = None,
        seed: Annotated[int, Param('Bootstrap seed', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.covariates = covariates
        self.alpha = alpha
        self.n_boot = n_boot
        self.privileged = privileged
        self.seed = seed

    @staticmethod
    def _standardised_rr(Z: np.ndarray, a: np.ndarray, y: np.ndarray) -> float:
        from sklearn.linear_model import LogisticRegression

        X = np.column_stack([a, Z])
        model = LogisticRegression(max_iter=1000).fit(X, y)
        p1 = model.predict_proba(np.column_stack([np.ones_like(a), Z]))[:, 1].mean()
        p0 = model.predict_proba(np.column_stack([np.zeros_like(a), Z]))[:, 1].mean()
        return float(p1 / p0)

    def run(
        self, data: pd.DataFrame, *, protected: Any, outcome: str, predictions: Any = None, scores: Any = None
    ) -> AnalysisResult:
        prep = prepare(data, protected, outcome, self.privileged)
        a, y = prep.a, prep.y
        covs = _covariates(data, self.covariates)
        n1, n0 = int(a.sum()), int((1 - a).sum())
        x1, x0 = int(y[a == 1].sum()), int(y[a == 0].sum())
        if min(x1, x0) == 0:
            raise DataError("a group has no favourable outcomes; the risk ratio is undefined")
        z = stats.norm.ppf(1 - self.alpha / 2)
        if not covs:
            rr = (x1 / n1) / (x0 / n0)
            se = math.sqrt(1 / x1 - 1 / n1 + 1 / x0 - 1 / n0)
            lo, hi = rr * math.exp(-z * se), rr * math.exp(z * se)
            method = "crude risk ratio, Wald interval on log scale"
        else:
            Z = design(data, covs).to_numpy(dtype=float)
            rr = self._standardised_rr(Z, a, y)
            rng = np.random.default_rng(self.seed)
            boots = []
            for _ in range(self.n_boot):
                idx = rng.integers(0, len(a), len(a))
                boots.append(self._standardised_rr(Z[idx], a[idx], y[idx]))
            lo, hi = (float(v) for v in np.quantile(boots, [self.alpha / 2, 1 - self.alpha / 2]))
            method = "standardised (g-computation) risk ratio, percentile bootstrap interval"
        limit = lo if rr >= 1 else hi
        ci_e = 1.0 if lo <= 1 <= hi else e_value(limit)
        summary = {
            **prep.describe(),
            "covariates": covs,
            "risk_ratio": rr,
            "ci_low": lo,
            "ci_high": hi,
            "confidence": 1 - self.alpha,
            "method": method,
            "rate_privileged": x1 / n1,
            "rate_others": x0 / n0,
            "e_value": e_value(rr),
            "e_value_ci": ci_e,
            "passes_seed_gate": bool(e_value(rr) > 1.5),
            "interpretation": (
                "an unmeasured confounder associated with both the protected attribute and the outcome by a "
                "risk ratio of at least the E-value each could explain the observed disparity away"
            ),
            "citation": "VanderWeele & Ding 2017",
        }
        return AnalysisResult(technique=self.technique, summary=summary)


__all__ = ["EValueSensitivity", "OmittedVariableSensitivity", "e_value", "robustness_value"]
