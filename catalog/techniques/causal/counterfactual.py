"""Counterfactual fairness (Kusner, Loftus, Russell & Silva 2017, *Counterfactual Fairness*, NeurIPS).

Additive-noise structural model (the paper's "Level 3"): every non-protected feature column ``X_j``
(numeric columns standardised, categorical columns one-hot) is ``X_j = f_j(A, pa_j) + ε_j`` with a
linear ``f_j``; ``pa_j`` are its feature parents in a user DAG (none by default, i.e. every feature
may depend on ``A``). *Abduction* recovers ``ε_j = X_j − f_j(A, pa_j)``; the counterfactual world
flips ``A`` and recomputes the features in topological order with the same noise. A predictor is
counterfactually fair when its prediction is the same in both worlds: one trained only on the
abducted noise terms (which do not depend on ``A``) is fair by construction. One-hot columns are
treated as real-valued in the additive model, which is an approximation for categorical features.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult, group_labels
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.causal._common import as_columns, design, prepare

from fairmend.errors import DataError, NotExecutableError


class AdditiveNoiseModel:
    """Linear additive-noise SCM of the features given a binary attribute ``a`` (and feature parents)."""

    def __init__(self, parents: dict[str, list[str]] | None = None) -> None:
        self.parents = parents

    def fit(self, X: pd.DataFrame, a: np.ndarray) -> AdditiveNoiseModel:
        self.features_ = list(X.columns)
        parents = self.parents or {}
        order, seen = [], set()

        def visit(f: str, stack: tuple[str, ...] = ()) -> None:
            if f in seen:
                return
            if f in stack:
                raise DataError(f"feature parents form a cycle through {f!r}")
            for p in parents.get(f, []):
                if p in self.features_:
                    visit(p, (*stack, f))
            seen.add(f)
            order.append(f)

        for f in self.features_:
            visit(f)
        self.order_ = order
        D = design(X, self.features_)
        self.means_sd_ = {
            c: (float(X[c].mean()), float(X[c].std()) or 1.0)
            for c in self.features_
            if pd.api.types.is_numeric_dtype(X[c])
        }
        self.columns_ = {f: [c for c in D.columns if c == f or c.startswith(f + "=")] for f in self.features_}
        self.coefs_ = {}
        for f in order:
            Z = self._inputs(D, a, f)
            self.coefs_[f] = np.linalg.lstsq(Z, D[self.columns_[f]].to_numpy(float), rcond=None)[0]
        self.design_columns_ = list(D.columns)
        return self

    def _inputs(self, D: pd.DataFrame, a: np.ndarray, f: str) -> np.ndarray:
        pcols = [c for p in (self.parents or {}).get(f, []) if p in self.features_ for c in self.columns_[p]]
        return (
            np.column_stack([np.ones(len(a)), a, D[pcols].to_numpy(float)])
            if pcols
            else np.column_stack([np.ones(len(a)), a])
        )

    def _design(self, X: pd.DataFrame) -> pd.DataFrame:
        cols = {}
        for f in self.features_:
            if f in self.means_sd_:
                mu, sd = self.means_sd_[f]
                cols[f] = (X[f].astype(float) - mu) / sd
            else:
                for c in self.columns_[f]:
                    cols[c] = (X[f].astype(str) == c.split("=", 1)[1]).astype(float)
        return pd.DataFrame(cols, index=X.index)[self.design_columns_]

    def abduct(self, X: pd.DataFrame, a: np.ndarray) -> pd.DataFrame:
        """Noise terms ``ε = X − f(A, pa)`` (one column per design column)."""
        return self.abduct_design(self._design(X), a)

    def abduct_design(self, D: pd.DataFrame, a: np.ndarray) -> pd.DataFrame:
        """Noise terms of an already-encoded design matrix (e.g. counterfactual-world rows)."""
        eps = {}
        for f in self.order_:
            pred = self._inputs(D, a, f) @ self.coefs_[f]
            for k, c in enumerate(self.columns_[f]):
                eps[c] = D[c].to_numpy(float) - pred[:, k]
        return pd.DataFrame(eps, index=D.index)[self.design_columns_]

    def counterfactual(self, X: pd.DataFrame, a: np.ndarray, a_new: np.ndarray) -> pd.DataFrame:
        """Design matrix of the features had ``A`` been ``a_new`` (same noise)."""
        eps = self.abduct(X, a)
        D = pd.DataFrame(index=X.index, columns=self.design_columns_, dtype=float)
        for f in self.order_:
            pred = self._inputs(D, a_new, f) @ self.coefs_[f]
            for k, c in enumerate(self.columns_[f]):
                D[c] = pred[:, k] + eps[c].to_numpy()
        return D


def _binary(sensitive_features: Any, privileged: Any) -> np.ndarray:
    g = group_labels(sensitive_features)
    values = sorted(set(g))
    if len(values) != 2 and privileged is None:
        raise NotExecutableError(
            f"counterfactual fairness needs a binary attribute (got {len(values)} groups); "
            "set privileged to compare one group with the rest"
        )
    priv = str(privileged) if privileged is not None else values[-1]
    return (g == priv).astype(int)


class CounterfactuallyFairClassifier:
    """Logistic regression on the abducted noise terms of an additive-noise model (Kusner et al. 2017).

    ``fit(X, y, *, sensitive_features)``, ``predict(X, *, sensitive_features)``: the attribute is needed
    at inference for abduction, but the prediction is invariant to flipping it.
    """

    def __init__(
        self, parents: dict[str, list[str]] | None = None, privileged: str | None = None, C: float = 1.0
    ) -> None:
        self.parents = parents
        self.privileged = privileged
        self.C = C

    def fit(self, X: pd.DataFrame, y: Any, *, sensitive_features: Any, sample_weight: Any = None):
        from sklearn.linear_model import LogisticRegression

        a = _binary(sensitive_features, self.privileged)
        self.anm_ = AdditiveNoiseModel(self.parents).fit(X, a)
        self.model_ = LogisticRegression(C=self.C, max_iter=2000).fit(
            self.anm_.abduct(X, a).to_numpy(), np.asarray(y), sample_weight=sample_weight
        )
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X: pd.DataFrame, *, sensitive_features: Any) -> np.ndarray:
        a = _binary(sensitive_features, self.privileged)
        return self.model_.predict_proba(self.anm_.abduct(X, a).to_numpy())

    def predict(self, X: pd.DataFrame, *, sensitive_features: Any) -> np.ndarray:
        return self.classes_[self.predict_proba(X, sensitive_features=sensitive_features).argmax(axis=1)]


class CounterfactualFairness:
    """Counterfactual-fairness audit of an unaware baseline and a Level-3 counterfactually fair predictor.

    Splits the data (stratified, seeded), fits the additive-noise model and a logistic regression on
    the features (protected attribute excluded) and one on the noise terms, and reports for each on
    the test split the mean absolute counterfactual change of P(y=1) when the attribute is flipped,
    the share of flipped decisions, and accuracy.

    Parameters
    ----------
    features : str, optional
        Comma-separated feature columns (default: all but the protected attribute and outcome).
    edges : str, optional
        DAG (file or ``"a->b, ..."``) giving feature parents; default: features depend on A only.
    test_size : float, default 0.3
    privileged : str, optional
    seed : int, default 0
    """

    technique = "counterfactual_fairness_kusner"

    def __init__(
        self,
        features: Annotated[str | None, Param('Comma-separated features (default: all)')] = None,
        edges: Annotated[str | None, Param('DAG giving feature parents (default: features depend on A only)')] = None,
        test_size: Annotated[float, Param('Test split share', range=(0.05, 0.9))] = 0.3,
        privileged: Annotated[str | None, Param('Protected value coded 1')] = None,
        seed: Annotated[int, Param('Split seed', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.features = features
        self.edges = edges
        self.test_size = test_size
        self.privileged = privileged
        self.seed = seed

    def run(
        self, data: pd.DataFrame, *, protected: Any, outcome: str, predictions: Any = None, scores: Any = None
    ) -> AnalysisResult:
        from fairmend.catalog.techniques.causal.dag import parse_edges
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import train_test_split

        prep = prepare(data, protected, outcome, self.privileged)
        feats = as_columns(self.features) or prep.features
        parents: dict[str, list[str]] = {}
        for u, v in parse_edges(self.edges)[0]:
            if u in feats and v in feats:
                parents.setdefault(v, []).append(u)
        X, a, y = data[feats], prep.a, prep.y
        idx_tr, idx_te = train_test_split(
            np.arange(len(y)), test_size=self.test_size, random_state=self.seed, stratify=y * 2 + a
        )
        anm = AdditiveNoiseModel(parents).fit(X.iloc[idx_tr], a[idx_tr])
        Xte, ate = X.iloc[idx_te], a[idx_te]
        D_tr, D_te = anm._design(X.iloc[idx_tr]), anm._design(Xte)
        D_cf = anm.counterfactual(Xte, ate, 1 - ate)
        base = LogisticRegression(max_iter=2000).fit(D_tr.to_numpy(), y[idx_tr])
        p, p_cf = base.predict_proba(D_te.to_numpy())[:, 1], base.predict_proba(D_cf.to_numpy())[:, 1]
        fair = CounterfactuallyFairClassifier(parents=parents, privileged="1").fit(
            X.iloc[idx_tr], y[idx_tr], sensitive_features=a[idx_tr]
        )
        q = fair.predict_proba(Xte, sensitive_features=ate)[:, 1]
        # the fair model sees the counterfactual world's features with the flipped attribute
        q_cf = fair.model_.predict_proba(fair.anm_.abduct_design(D_cf, 1 - ate).to_numpy())[:, 1]
        yte = y[idx_te]

        def report(pf: np.ndarray, pc: np.ndarray) -> dict[str, float]:
            return {
                "mean_abs_counterfactual_gap": float(np.mean(np.abs(pf - pc))),
                "max_abs_counterfactual_gap": float(np.max(np.abs(pf - pc))),
                "decision_flip_rate": float(np.mean((pf >= 0.5) != (pc >= 0.5))),
                "accuracy": float(np.mean((pf >= 0.5) == yte)),
            }

        table = pd.DataFrame(
            [
                {"model": "unaware_logistic_regression", **report(p, p_cf)},
                {"model": "counterfactually_fair_noise_model", **report(q, q_cf)},
            ]
        )
        summary = {
            **prep.describe(),
            "features": feats,
            "feature_parents": parents,
            "n_test": len(idx_te),
            "unaware_baseline": table.iloc[0, 1:].to_dict(),
            "counterfactually_fair": table.iloc[1, 1:].to_dict(),
            "citation": "Kusner et al. 2017",
        }
        return AnalysisResult(
            technique=self.technique, summary=summary, tables={"counterfactual_gaps": table}
        )


__all__ = ["AdditiveNoiseModel", "CounterfactualFairness", "CounterfactuallyFairClassifier"]
