"""Path-specific effect of the protected attribute along unfair paths (Nabi & Shpitser 2018,
*Fair Inference on Outcomes*, AAAI).

Variables: attribute ``A`` (``a1`` = privileged, ``a0`` = the others), baseline covariates ``C``,
*resolving* (fair) mediators ``R`` named by the user, the remaining mediators ``M`` and outcome
``Y``, in the causal order ``C → A → R → M → Y`` (``R`` may affect ``M``, not the reverse). The
permissible paths are those through ``R``; every other path (``A → Y``, ``A → M → … → Y``) is
impermissible. The path-specific effect along the impermissible paths compares
``Y(a1, M(a1, R(a0)), R(a0))`` with ``Y(a0)``: ``R`` keeps its baseline value on every path, so there
is no recanting witness and the effect is identified by the edge g-formula

``E[Y(a1, M(a1, R(a0)), R(a0))] = Σ_{c,r,m} E[Y | a1, m, r, c] p(m | a1, r, c) p(r | a0, c) p(c)``.

Estimation (outcome regression with a density-ratio weight on the resolving mediators): fit
``μ(a, m, r, c) = E[Y | A, M, R, C]``; over the ``a1`` rows (draws of ``m`` from ``p(m | a1, r, c)``)
average ``μ(a1, M, R, C)`` with weights ``1 / P(a1 | C)`` (standardises ``C`` to the population) times
``p(r | a0, c) / p(r | a1, c) = odds(a1 | c) / odds(a1 | r, c)`` (Bayes' rule, logistic propensity
models, probabilities clipped to [0.01, 0.99]); normalised (Hájek) averages. Only the resolving
mediators need overlap between groups: mediators that nearly determine ``A`` (e.g. Adult's
``relationship`` for ``sex``) are never weighted on.
``E[Y(a)]`` is the weighted average of ``μ`` with ``A = a`` over the ``a`` rows. Without resolving
mediators the unfair PSE equals the total effect (up to estimation error).
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.causal._common import as_columns, check_columns, prepare
from fairmend.catalog.techniques.causal._gformula import (
    DEMOGRAPHIC_CONFOUNDERS,
    OutcomeRegression,
    encode,
    is_binary,
)

from fairmend.errors import DataError


def _weights(a: np.ndarray, C: np.ndarray) -> np.ndarray:
    """Inverse probability of the observed attribute given ``C`` (ones when ``C`` is empty)."""
    from sklearn.linear_model import LogisticRegression

    if C.shape[1] == 0:
        return np.ones(len(a))
    ps = LogisticRegression(max_iter=3000).fit(C, a).predict_proba(C)[:, 1]
    return np.where(a == 1, 1 / np.clip(ps, 1e-3, 1), 1 / np.clip(1 - ps, 1e-3, 1))


def _odds(a: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Fitted odds ``P(A=1 | X) / P(A=0 | X)`` (probabilities clipped to [0.01, 0.99])."""
    from sklearn.linear_model import LogisticRegression

    if X.shape[1] == 0:
        p = np.full(len(a), a.mean())
    else:
        p = LogisticRegression(max_iter=3000).fit(X, a).predict_proba(X)[:, 1]
    p = np.clip(p, 0.01, 0.99)
    return p / (1 - p)


def path_specific_effects(
    a: np.ndarray, y: np.ndarray, C: np.ndarray, R: np.ndarray, M: np.ndarray, outcome_model: str = "logistic"
) -> dict[str, float]:
    """``E[Y(a0)]``, ``E[Y(a1)]``, ``E[Y(a1, M(a1, R(a0)), R(a0))]``, total effect, unfair PSE and fair part."""
    x0, x1 = a == 0, a == 1
    full = np.column_stack([M, R, C])
    mu = OutcomeRegression(outcome_model).fit(a, full, y)
    mu1, mu0 = mu.predict(1, full), mu.predict(0, full)
    w = _weights(a, C)
    ey0 = float(np.average(mu0[x0], weights=w[x0]))
    ey1 = float(np.average(mu1[x1], weights=w[x1]))
    if R.shape[1]:
        # p(r | a0, c) / p(r | a1, c) by Bayes: odds(A=1 | c) / odds(A=1 | r, c)
        ratio = _odds(a, C) / _odds(a, np.column_stack([R, C]))
    else:
        ratio = np.ones(len(a))
    cross = float(np.average(mu1[x1], weights=(w * ratio)[x1]))
    te = ey1 - ey0
    pse = cross - ey0
    return {
        "E_Y(a0)": ey0,
        "E_Y(a1)": ey1,
        "E_Y(a1,M(a1,R(a0)),R(a0))": cross,
        "total_effect": te,
        "pse_unfair": pse,
        "pse_fair": te - pse,
    }


class PathSpecificFairness:
    """Path-specific effect of the protected attribute along impermissible paths (Nabi & Shpitser 2018).

    Parameters
    ----------
    resolving : str, optional
        Comma-separated resolving (fair) mediators ``R``; paths through them are permissible.
    confounders : str, optional
        Comma-separated baseline covariates ``C``; default: the demographic columns present among
        ``age, native_country, race, sex, age_group`` (minus the protected attribute).
    mediators : str, optional
        Other mediators ``M``; default: every remaining feature.
    outcome_model : {"logistic", "linear"}, default "logistic"
    tolerance : float, default 0.05
        The outcome is flagged unfair when ``|PSE| > tolerance`` (the paper's ε bound).
    n_boot : int, default 0
    privileged : str, optional
    seed : int, default 0

    References
    ----------
    Nabi, R. & Shpitser, I. (2018). Fair inference on outcomes. AAAI.
    """

    technique = "path_specific_fairness_nabi_shpitser"

    def __init__(
        self,
        resolving: Annotated[str | None, Param('Comma-separated resolving (fair) mediators ``R``; paths through them are permissible')] = None,
        confounders: Annotated[str | None, Param('Comma-separated baseline covariates ``C``; default: the demographic columns present among ``age, native_country, race, sex, age_group`` (minus the protected attribute)')] = None,
        mediators: Annotated[str | None, Param('Other mediators ``M``; default: every remaining feature')] = None,
        outcome_model: Annotated[str, Param('Model of E[Y | x, c, m, r] used by the g-formula', choices=('logistic', 'linear'))] = "logistic",
        tolerance: Annotated[float, Param("The outcome is flagged unfair when ``|PSE| > tolerance`` (the paper's ε bound)", range=(0.0, 1.0))] = 0.05,
        n_boot: Annotated[int, Param('Bootstrap replicates for 95 % percentile intervals', range=(0.0, 2000.0))] = 0,
        privileged: Annotated[str | None, Param('Value of the protected attribute taken as the reference level (default: highest favourable rate)')] = None,
        seed: Annotated[int, Param('Seed of the bootstrap', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.resolving = resolving
        self.confounders = confounders
        self.mediators = mediators
        self.outcome_model = outcome_model
        self.tolerance = tolerance
        self.n_boot = n_boot
        self.privileged = privileged
        self.seed = seed

    def roles(self, data: pd.DataFrame, features: list[str]) -> tuple[list[str], list[str], list[str]]:
        res = as_columns(self.resolving) or []
        confs = as_columns(self.confounders)
        if confs is None:
            confs = [c for c in DEMOGRAPHIC_CONFOUNDERS if c in features and c not in res]
        meds = as_columns(self.mediators)
        if meds is None:
            meds = [c for c in features if c not in set(confs) | set(res)]
        check_columns(data, confs + res + meds, "path-specific")
        seen: dict[str, str] = {}
        for role, cols in (("confounder", confs), ("resolving", res), ("mediator", meds)):
            for c in cols:
                if c in seen:
                    raise DataError(f"column {c!r} is listed both as {seen[c]} and {role}")
                seen[c] = role
        return confs, res, meds

    def run(
        self, data: pd.DataFrame, *, protected: Any, outcome: str, predictions: Any = None, scores: Any = None
    ) -> AnalysisResult:
        prep = prepare(data, protected, outcome, self.privileged)
        confs, res, meds = self.roles(data, prep.features)
        C, R, M = encode(data, confs), encode(data, res), encode(data, meds)
        model = self.outcome_model if is_binary(prep.y) else "linear"
        est: dict[str, Any] = path_specific_effects(prep.a, prep.y, C, R, M, model)
        if self.n_boot:
            rng = np.random.default_rng(self.seed)
            draws = []
            for _ in range(int(self.n_boot)):
                i = rng.integers(0, len(prep.a), len(prep.a))
                draws.append(path_specific_effects(prep.a[i], prep.y[i], C[i], R[i], M[i], model))
            for key in ("total_effect", "pse_unfair", "pse_fair"):
                vals = [d[key] for d in draws]
                est[f"{key}_ci"] = [float(np.quantile(vals, 0.025)), float(np.quantile(vals, 0.975))]
        summary = {
            **prep.describe(),
            "confounders": confs,
            "resolving": res,
            "mediators": meds,
            "outcome_model": model,
            **est,
            "tolerance": float(self.tolerance),
            "unfair": bool(abs(est["pse_unfair"]) > self.tolerance),
            "observed_disparity": float(prep.y[prep.a == 1].mean() - prep.y[prep.a == 0].mean()),
            "citation": "Nabi & Shpitser 2018",
        }
        return AnalysisResult(technique=self.technique, summary=summary)


__all__ = ["PathSpecificFairness", "path_specific_effects"]
