"""Causal explanation formula (Zhang & Bareinboim 2018, *Fairness in Decision-Making — The Causal
Explanation Formula*, AAAI).

Standard fairness model: protected attribute ``X`` (binary: ``x1`` = privileged, ``x0`` = the
others), confounders ``Z`` (pre-treatment, may share causes with ``X``), mediators ``W`` (caused by
``X`` and ``Z``) and outcome ``Y``. With ``Y_x`` the potential outcome and ``Y_{x, W_{x'}}`` the
outcome under ``x`` with mediators at their value under ``x'``, the paper defines

* total variation ``TV_{x0,x1}(y) = P(y | x1) − P(y | x0)``,
* counterfactual direct effect ``Ctf-DE_{x0,x1}(y | x0) = P(y_{x1, W_{x0}} | x0) − P(y_{x0} | x0)``,
* counterfactual indirect effect ``Ctf-IE_{x1,x0}(y | x0) = P(y_{x1, W_{x0}} | x0) − P(y_{x1} | x0)``,
* counterfactual spurious effect ``Ctf-SE_{x1,x0}(y) = P(y_{x1} | x0) − P(y | x1)``,

and its Theorem 3 (the causal explanation formula) is
``TV_{x0,x1}(y) = Ctf-DE_{x0,x1}(y|x0) − Ctf-IE_{x1,x0}(y|x0) − Ctf-SE_{x1,x0}(y)``.

Under the standard fairness model every term is identified (their Theorem 2):
``P(y_{x1, W_{x0}} | x0) = Σ_{z,w} P(y | x1, z, w) P(w | x0, z) P(z | x0)`` — the average over the
``x0`` rows of the outcome regression evaluated at ``x1`` — and
``P(y_{x1} | x0) = Σ_z P(y | x1, z) P(z | x0)`` — the average over the ``x0`` rows of
``E[Y | x1, z]``, estimated by regressing the ``x1`` rows' plug-in predictions on ``Z``. The
decomposition is reported with the paper's signs, plus the "disparity-contribution" view
``TV = DE + (−IE) + (−SE)`` whose three parts add up to the observed gap.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.causal._common import prepare
from fairmend.catalog.techniques.causal._gformula import (
    OutcomeRegression,
    apply,
    encode,
    is_binary,
    regress,
    split_roles,
)


def explanation_formula(
    a: np.ndarray, y: np.ndarray, Z: np.ndarray, W: np.ndarray, outcome_model: str = "logistic"
) -> dict[str, float]:
    """The four identified quantities and the decomposition (see the module docstring)."""
    x0, x1 = a == 0, a == 1
    mu = OutcomeRegression(outcome_model).fit(a, np.column_stack([Z, W]), y)
    mu1 = mu.predict(1, np.column_stack([Z, W]))  # E[Y | x1, z_i, w_i] for every row
    p_x0, p_x1 = float(y[x0].mean()), float(y[x1].mean())
    y_x1_wx0_given_x0 = float(mu1[x0].mean())
    y_x1_given_x0 = float(apply(regress(mu1, Z, x1), Z[x0]).mean())
    de = y_x1_wx0_given_x0 - p_x0  # P(y_{x0} | x0) = P(y | x0) by consistency
    ie = y_x1_wx0_given_x0 - y_x1_given_x0
    se = y_x1_given_x0 - p_x1
    tv = p_x1 - p_x0
    return {
        "P(y|x0)": p_x0,
        "P(y|x1)": p_x1,
        "P(y_x1,W_x0|x0)": y_x1_wx0_given_x0,
        "P(y_x1|x0)": y_x1_given_x0,
        "tv": tv,
        "ctf_de": de,
        "ctf_ie": ie,
        "ctf_se": se,
        "identity_residual": tv - (de - ie - se),
    }


class CausalExplanationFormula:
    """Decompose the observed disparity into counterfactual direct, indirect and spurious effects.

    Parameters
    ----------
    confounders : str, optional
        Comma-separated confounders ``Z``; default: the demographic columns present among
        ``age, native_country, race, sex, age_group`` (minus the protected attribute).
    mediators : str, optional
        Comma-separated mediators ``W``; default: every other feature.
    outcome_model : {"logistic", "linear"}, default "logistic"
    n_boot : int, default 0
        Bootstrap replicates for 95 % percentile intervals.
    privileged : str, optional
        Value of the protected attribute coded ``x1`` (default: highest favourable rate).
    seed : int, default 0

    References
    ----------
    Zhang, J. & Bareinboim, E. (2018). Fairness in decision-making — the causal explanation
    formula. AAAI.
    """

    technique = "causal_explanation_formula_zhang_bareinboim"

    def __init__(
        self,
        confounders: Annotated[str | None, Param('Comma-separated confounders ``Z``; default: the demographic columns present among ``age, native_country, race, sex, age_group`` (minus the protected attribute)')] = None,
        mediators: Annotated[str | None, Param('Comma-separated mediators ``W``; default: every other feature')] = None,
        outcome_model: Annotated[str, Param('Model of E[Y | x, z, w] used by the g-formula', choices=('logistic', 'linear'))] = "logistic",
        n_boot: Annotated[int, Param('Bootstrap replicates for 95 % percentile intervals', range=(0.0, 2000.0))] = 0,
        privileged: Annotated[str | None, Param('Value of the protected attribute coded ``x1`` (default: highest favourable rate)')] = None,
        seed: Annotated[int, Param('Seed of the bootstrap', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.confounders = confounders
        self.mediators = mediators
        self.outcome_model = outcome_model
        self.n_boot = n_boot
        self.privileged = privileged
        self.seed = seed

    def run(
        self, data: pd.DataFrame, *, protected: Any, outcome: str, predictions: Any = None, scores: Any = None
    ) -> AnalysisResult:
        prep = prepare(data, protected, outcome, self.privileged)
        confs, meds = split_roles(data, prep.features, self.confounders, self.mediators)
        Z, W = encode(data, confs), encode(data, meds)
        model = self.outcome_model if is_binary(prep.y) else "linear"
        est: dict[str, Any] = explanation_formula(prep.a, prep.y, Z, W, model)
        if self.n_boot:
            rng = np.random.default_rng(self.seed)
            draws = []
            for _ in range(int(self.n_boot)):
                i = rng.integers(0, len(prep.a), len(prep.a))
                draws.append(explanation_formula(prep.a[i], prep.y[i], Z[i], W[i], model))
            for key in ("tv", "ctf_de", "ctf_ie", "ctf_se"):
                vals = [d[key] for d in draws]
                est[f"{key}_ci"] = [float(np.quantile(vals, 0.025)), float(np.quantile(vals, 0.975))]
        table = pd.DataFrame(
            [
                {
                    "component": "direct (Ctf-DE)",
                    "paper_value": est["ctf_de"],
                    "contribution_to_tv": est["ctf_de"],
                },
                {
                    "component": "indirect (Ctf-IE)",
                    "paper_value": est["ctf_ie"],
                    "contribution_to_tv": -est["ctf_ie"],
                },
                {
                    "component": "spurious (Ctf-SE)",
                    "paper_value": est["ctf_se"],
                    "contribution_to_tv": -est["ctf_se"],
                },
                {
                    "component": "total variation (TV)",
                    "paper_value": est["tv"],
                    "contribution_to_tv": est["tv"],
                },
            ]
        )
        summary = {
            **prep.describe(),
            "confounders": confs,
            "mediators": meds,
            "outcome_model": model,
            **est,
            "formula": "TV = Ctf-DE(x0->x1 | x0) - Ctf-IE(x1->x0 | x0) - Ctf-SE(x1->x0)",
            "citation": "Zhang & Bareinboim 2018",
        }
        return AnalysisResult(technique=self.technique, summary=summary, tables={"decomposition": table})


__all__ = ["CausalExplanationFormula", "explanation_formula"]
