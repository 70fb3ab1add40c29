"""Natural direct and indirect effects of the protected attribute on the outcome.

Pearl (2001), *Direct and indirect effects*, UAI: with ``Y(a, M(a'))`` the outcome under attribute
``a`` and mediators at their value under ``a'``,
``NDE = E[Y(1, M(0))] − E[Y(0, M(0))]``, ``NIE = E[Y(1, M(1))] − E[Y(1, M(0))]``, ``TE = NDE + NIE``.

Two estimators:

* ``"g_formula"`` (imputation): fit the outcome model ``E[Y | A, M, C]`` (logistic or linear);
  ``E[Y(a, M(a'))]`` is the average prediction with ``A`` set to ``a`` over the rows whose observed
  attribute is ``a'`` (their mediators are draws of ``M(a')``), weighted by ``1 / P(A = a' | C)``
  to standardise to the whole population when confounders ``C`` are given. Identification needs
  no unmeasured A–Y, M–Y or A–M confounding and no mediator–outcome confounder affected by A.
* ``"product"``: linear structural equations; ``NIE = Σ_k α_k β_k`` (product of coefficients,
  one-hot mediators included), ``NDE`` = the attribute's coefficient in the outcome equation.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.causal._common import Prepared, as_columns, check_columns, design, prepare

from fairmend.errors import DataError


def _fit_outcome(X: np.ndarray, y: np.ndarray, model: str) -> Any:
    from sklearn.linear_model import LinearRegression, LogisticRegression

    if model == "logistic":
        return LogisticRegression(C=1e4, max_iter=2000).fit(X, y)
    return LinearRegression().fit(X, y)


def _predict(m: Any, X: np.ndarray) -> np.ndarray:
    return m.predict_proba(X)[:, 1] if hasattr(m, "predict_proba") else m.predict(X)


def g_formula(a: np.ndarray, y: np.ndarray, M: np.ndarray, C: np.ndarray, model: str) -> dict[str, float]:
    """NDE / NIE / TE by the imputation g-formula (see the module docstring)."""
    from sklearn.linear_model import LogisticRegression

    m = _fit_outcome(np.column_stack([a, M, C]), y, model)
    if C.shape[1]:
        ps = LogisticRegression(max_iter=2000).fit(C, a).predict_proba(C)[:, 1]
        w = np.where(a == 1, 1 / np.clip(ps, 1e-3, 1), 1 / np.clip(1 - ps, 1e-3, 1))
    else:
        w = np.ones(len(a))

    def potential(a_set: int, a_med: int) -> float:
        rows = a == a_med
        X = np.column_stack([np.full(rows.sum(), a_set), M[rows], C[rows]])
        return float(np.average(_predict(m, X), weights=w[rows]))

    y00, y10, y11 = potential(0, 0), potential(1, 0), potential(1, 1)
    return {
        "E_Y(0,M(0))": y00,
        "E_Y(1,M(0))": y10,
        "E_Y(1,M(1))": y11,
        "nde": y10 - y00,
        "nie": y11 - y10,
        "total_effect": y11 - y00,
    }


def product_of_coefficients(a: np.ndarray, y: np.ndarray, M: np.ndarray, C: np.ndarray) -> dict[str, float]:
    """Linear SEM: ``M_k = α_k A + γ_k C + e_k``, ``Y = θ A + β M + δ C + e``; NIE = Σ α_k β_k."""
    ones = np.ones((len(a), 1))
    Xy = np.column_stack([ones, a, M, C])
    coef_y, *_ = np.linalg.lstsq(Xy, y.astype(float), rcond=None)
    theta, beta = coef_y[1], coef_y[2 : 2 + M.shape[1]]
    Xm = np.column_stack([ones, a, C])
    alpha = np.linalg.lstsq(Xm, M, rcond=None)[0][1] if M.shape[1] else np.zeros(0)
    nie = float(alpha @ beta)
    return {"nde": float(theta), "nie": nie, "total_effect": float(theta) + nie}


class MediationAnalysis:
    """Natural direct / indirect effect of the protected attribute on the outcome (Pearl 2001).

    Parameters
    ----------
    mediators : str, optional
        Comma-separated mediator columns; default: every feature that is not a confounder.
    confounders : str, optional
        Comma-separated pre-treatment covariates (adjusted for, never mediators).
    method : {"g_formula", "product"}, default "g_formula"
    outcome_model : {"logistic", "linear"}, default "logistic"
        Outcome model of the g-formula (``"product"`` is always linear).
    n_boot : int, default 0
        Bootstrap replicates for percentile intervals (0 = none).
    privileged : str, optional
    seed : int, default 0
    """

    technique = "mediation_analysis_nde_nie"

    def __init__(
        self,
        mediators: Annotated[str | None, Param('Comma-separated mediators (default: all non-confounder features)')] = None,
        confounders: Annotated[str | None, Param('Comma-separated pre-treatment covariates')] = None,
        method: Annotated[str, Param('Estimator', choices=('g_formula', 'product'))] = "g_formula",
        outcome_model: Annotated[str, Param('g-formula outcome model', choices=('logistic', 'linear'))] = "logistic",
        n_boot: Annotated[int, Param('Bootstrap replicates (0 = none)', range=(0.0, 2000.0))] = 0,
        privileged: Annotated[str | None, Param('Protected value coded 1')] = None,
        seed: Annotated[int, Param('Bootstrap seed', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.mediators = mediators
        self.confounders = confounders
        self.method = method
        self.outcome_model = outcome_model
        self.n_boot = n_boot
        self.privileged = privileged
        self.seed = seed

    def _estimate(self, a: np.ndarray, y: np.ndarray, M: np.ndarray, C: np.ndarray) -> dict[str, float]:
        if self.method == "product":
            return product_of_coefficients(a, y, M, C)
        if self.method != "g_formula":
            raise DataError(f"unknown mediation method {self.method!r}; use 'g_formula' or 'product'")
        return g_formula(a, y, M, C, self.outcome_model)

    def estimate(self, prep: Prepared) -> tuple[dict[str, Any], list[str], list[str]]:
        data = prep.frame
        confs = as_columns(self.confounders) or []
        meds = as_columns(self.mediators) or [f for f in prep.features if f not in confs]
        check_columns(data, confs + meds, "mediation")
        if not meds:
            raise DataError("mediation analysis needs at least one mediator column")
        M = design(data, meds).to_numpy(dtype=float)
        C = design(data, confs).to_numpy(dtype=float)
        a, y = prep.a, prep.y
        est: dict[str, Any] = self._estimate(a, y, M, C)
        te = est["total_effect"]
        est["proportion_mediated"] = est["nie"] / te if abs(te) > 1e-12 else float("nan")
        if self.n_boot:
            rng = np.random.default_rng(self.seed)
            draws = []
            for _ in range(self.n_boot):
                i = rng.integers(0, len(a), len(a))
                draws.append(self._estimate(a[i], y[i], M[i], C[i]))
            for key in ("nde", "nie", "total_effect"):
                vals = [d[key] for d in draws]
                est[f"{key}_ci"] = [float(np.quantile(vals, 0.025)), float(np.quantile(vals, 0.975))]
        return est, meds, confs

    def run(
        self, data: pd.DataFrame, *, protected: Any, outcome: str, predictions: Any = None, scores: Any = None
    ) -> AnalysisResult:
        prep = prepare(data, protected, outcome, self.privileged)
        est, meds, confs = self.estimate(prep)
        summary = {
            **prep.describe(),
            "method": self.method,
            "outcome_model": "linear" if self.method == "product" else self.outcome_model,
            "mediators": meds,
            "confounders": confs,
            **est,
            "observed_disparity": float(prep.y[prep.a == 1].mean() - prep.y[prep.a == 0].mean()),
            "citation": "Pearl 2001",
        }
        return AnalysisResult(technique=self.technique, summary=summary)


__all__ = ["MediationAnalysis", "g_formula", "product_of_coefficients"]
