"""Counterfactual prediction audit with a fitted additive-noise SCM (Kusner et al. 2017,
*Counterfactual Fairness*, NeurIPS).

Fits the linear additive-noise model of :mod:`.counterfactual` (every feature ``X_j = f_j(A, pa_j) +
ε_j``), abducts each row's noise, flips the protected attribute and recomputes the features in
topological order with the same noise, then scores both worlds with the audited model and reports
the distribution of counterfactual prediction changes per (observed) group.

The audited model is either an internal baseline (logistic regression on the one-hot / standardised
features, protected attribute excluded, trained on the outcome) or — when a ``predictions`` column is
given — a surrogate logistic regression trained to reproduce that column from the features (its
fidelity is reported): a stored predictions column cannot be re-evaluated on counterfactual inputs,
so the audit is of the surrogate, i.e. of the model as far as the features explain it.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.causal._common import as_columns, check_columns, prepare
from fairmend.catalog.techniques.causal.counterfactual import AdditiveNoiseModel

from fairmend.errors import ColumnNotFoundError, DataError


def _parents(edges: str | None, feats: list[str]) -> dict[str, list[str]]:
    from fairmend.catalog.techniques.causal.dag import parse_edges

    parents: dict[str, list[str]] = {}
    for u, v in parse_edges(edges)[0]:
        if u in feats and v in feats:
            parents.setdefault(v, []).append(u)
    return parents


def _labels(values: pd.Series, name: str) -> np.ndarray:
    arr = pd.to_numeric(values, errors="coerce")
    if arr.isna().any() or not set(arr.unique().tolist()) <= {0, 1}:
        raise DataError(f"predictions column {name!r} must hold 0/1 decisions")
    return arr.to_numpy(dtype=int)


class CounterfactualPredictionAudit:
    """Distribution of counterfactual prediction changes when the protected attribute is flipped.

    Parameters
    ----------
    features : str, optional
        Comma-separated model features (default: all but protected, outcome and predictions).
    edges : str, optional
        DAG (file or ``"a->b, ..."``) giving feature parents; default: features depend on A only.
    threshold : float, default 0.5
        Decision threshold on P(y=1) for flip rates.
    privileged : str, optional
    seed : int, default 0

    References
    ----------
    Kusner, M. J., Loftus, J., Russell, C. & Silva, R. (2017). Counterfactual fairness. NeurIPS.
    """

    technique = "counterfactual_prediction_audit_scm"

    def __init__(
        self,
        features: Annotated[str | None, Param('Comma-separated model features (default: all but protected, outcome and predictions)')] = None,
        edges: Annotated[str | None, Param('DAG (file or ``"a->b, ..."``) giving feature parents; default: features depend on A only')] = None,
        threshold: Annotated[float, Param('Decision threshold on P(y=1) for flip rates', range=(0.01, 0.99))] = 0.5,
        privileged: Annotated[str | None, Param('Protected value to flip from (default: the group with the highest favourable rate)')] = None,
        seed: Annotated[int, Param('Seed of the baseline split', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.features = features
        self.edges = edges
        self.threshold = threshold
        self.privileged = privileged
        self.seed = seed

    def run(
        self, data: pd.DataFrame, *, protected: Any, outcome: str, predictions: Any = None, scores: Any = None
    ) -> AnalysisResult:
        from sklearn.linear_model import LogisticRegression

        if predictions is not None and predictions not in data.columns:
            raise ColumnNotFoundError(f"predictions column {predictions!r} is not in the data")
        drop = [predictions] if predictions is not None else []
        prep = prepare(data, protected, outcome, self.privileged, drop=drop)
        feats = as_columns(self.features) or prep.features
        check_columns(data, feats, "feature")
        X, a = data[feats], prep.a
        anm = AdditiveNoiseModel(_parents(self.edges, feats)).fit(X, a)
        D = anm._design(X).to_numpy(float)
        D_cf = anm.counterfactual(X, a, 1 - a).to_numpy(float)
        target = prep.y if predictions is None else _labels(data[predictions], predictions)
        model = LogisticRegression(max_iter=3000, random_state=self.seed).fit(D, target)
        p, p_cf = model.predict_proba(D)[:, 1], model.predict_proba(D_cf)[:, 1]
        delta = p_cf - p
        flip = (p >= self.threshold) != (p_cf >= self.threshold)
        groups = data[prep.protected].astype(str).to_numpy()
        rows = []
        for g in sorted(set(groups)):
            m = groups == g
            d = delta[m]
            rows.append(
                {
                    "group": g,
                    "rows": int(m.sum()),
                    "mean_change": float(d.mean()),
                    "mean_abs_change": float(np.abs(d).mean()),
                    "q05": float(np.quantile(d, 0.05)),
                    "median": float(np.median(d)),
                    "q95": float(np.quantile(d, 0.95)),
                    "decision_flip_rate": float(flip[m].mean()),
                    "flip_to_favourable": float(((p_cf >= self.threshold) & (p < self.threshold))[m].mean()),
                    "flip_to_unfavourable": float(
                        ((p_cf < self.threshold) & (p >= self.threshold))[m].mean()
                    ),
                }
            )
        summary = {
            **prep.describe(),
            "features": feats,
            "audited_model": "surrogate of predictions column"
            if predictions is not None
            else "baseline logistic regression",
            "mean_abs_change": float(np.abs(delta).mean()),
            "max_abs_change": float(np.abs(delta).max()),
            "decision_flip_rate": float(flip.mean()),
            "citation": "Kusner et al. 2017",
        }
        if predictions is not None:
            summary["surrogate_fidelity"] = float(np.mean((p >= self.threshold) == target))
        return AnalysisResult(
            technique=self.technique,
            summary=summary,
            tables={"counterfactual_changes_by_group": pd.DataFrame(rows)},
        )


__all__ = ["CounterfactualPredictionAudit"]
