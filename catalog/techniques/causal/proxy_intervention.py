"""Removing proxy discrimination by intervening on proxies (Kilbertus et al. 2017, *Avoiding
Discrimination through Causal Reasoning*, NeurIPS).

A predictor exhibits *proxy discrimination* when its output changes under an intervention on a proxy
``P`` of the protected attribute ``A`` (``P(R | do(P = p)) ≠ P(R | do(P = p'))`` for the part of ``P``
caused by ``A``). For linear structural equations ``P = α_P + β_P A + ε_P`` the paper's
construction removes the ``A → P`` dependence: the intervened proxy is ``P̃ = P − E[P | A] + E[P]
= α_P + β_P E[A] + ε_P``, which keeps each individual's noise ``ε_P`` but no longer varies with
``A``; a model trained on ``P̃`` (and the non-proxy features) is free of proxy discrimination through
``P`` in the linear SCM. Categorical proxies are one-hot encoded and each indicator is treated as a
linear (real-valued) equation, an approximation the paper's linear setting also makes.

The registry lists the technique under the *causal* stage, so it follows the ``analysis``
contract (:meth:`ProxyInterventionFairness.run` reports ``β_P`` per proxy and the baseline vs.
intervened model's demographic-parity gap on a held-out split) and also exposes
:meth:`~ProxyInterventionFairness.fit` / :meth:`~ProxyInterventionFairness.transform` so the repair
can be used as a pre-processor (the attribute is needed to transform rows).
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.causal._common import as_columns, check_columns, design, prepare
from fairmend.catalog.techniques.causal.counterfactual import _binary
from fairmend.catalog.techniques.causal.proxy import proxy_scores
from fairmend.catalog.techniques.pre_processing._common import check_groups

from fairmend.errors import DataError


class ProxyInterventionFairness:
    """Linear intervention on proxies of the protected attribute, then an unaware model.

    Parameters
    ----------
    proxies : str, optional
        Comma-separated proxy columns; default: features whose cross-fitted AUC for the attribute is
        at least ``proxy_auc`` (:func:`fairmend.catalog.techniques.causal.proxy.proxy_scores`).
    proxy_auc : float, default 0.65
    test_size : float, default 0.3
    C : float, default 1.0
        Inverse regularisation of the logistic-regression models.
    privileged : str, optional
    seed : int, default 0

    References
    ----------
    Kilbertus, N., Rojas-Carulla, M., Parascandolo, G., Hardt, M., Janzing, D. & Schölkopf, B.
    (2017). Avoiding discrimination through causal reasoning. NeurIPS.
    """

    technique = "proxy_unresolved_discrimination_kilbertus"

    def __init__(
        self,
        proxies: Annotated[str | None, Param('Comma-separated proxy columns; default: features whose cross-fitted AUC for the attribute is at least ``proxy_auc`` (:func:`fairmend.catalog.techniques.causal.proxy.proxy_scores`)')] = None,
        proxy_auc: Annotated[float, Param('Cross-fitted AUC for the attribute above which a feature counts as a proxy', range=(0.5, 1.0))] = 0.65,
        test_size: Annotated[float, Param('Share of rows held out to evaluate the proxy-intervened predictor', range=(0.05, 0.8))] = 0.3,
        C: Annotated[float, Param('Inverse regularisation of the logistic-regression models', range=(1e-06, 1000000.0))] = 1.0,
        privileged: Annotated[str | None, Param('Value of the protected attribute proxies are set to (default: highest favourable rate)')] = None,
        seed: Annotated[int, Param('Seed of the split and the cross-fitting', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.proxies = proxies
        self.proxy_auc = proxy_auc
        self.test_size = test_size
        self.C = C
        self.privileged = privileged
        self.seed = seed

    # --- pre-processor view -------------------------------------------------------------------
    def fit(self, X: pd.DataFrame, y: Any = None, *, sensitive_features: Any) -> ProxyInterventionFairness:
        check_groups(sensitive_features, len(X), technique="proxy intervention")
        return self._fit(X, _binary(sensitive_features, self.privileged))

    def _fit(self, X: pd.DataFrame, a: np.ndarray) -> ProxyInterventionFairness:
        if a.min() == a.max():
            raise DataError("proxy intervention needs both values of the protected attribute")
        proxies = as_columns(self.proxies)
        if proxies is None:
            scores = proxy_scores(X, a, list(X.columns), seed=self.seed)
            proxies = scores.loc[scores["auc"] >= self.proxy_auc, "feature"].tolist()
        check_columns(X, proxies, "proxy")
        self.proxies_ = proxies
        self.features_ = list(X.columns)
        D = design(X, self.features_)
        self.columns_ = list(D.columns)
        self.proxy_columns_ = [c for c in self.columns_ for p in proxies if c == p or c.startswith(p + "=")]
        # β_P: the A -> P coefficient of each (encoded) proxy equation P = α + β A + ε
        self.beta_ = {
            c: float(D.loc[a == 1, c].mean() - D.loc[a == 0, c].mean()) for c in self.proxy_columns_
        }
        self.group_means_ = {
            c: (float(D.loc[a == 0, c].mean()), float(D.loc[a == 1, c].mean())) for c in self.proxy_columns_
        }
        self.overall_ = {c: float(D[c].mean()) for c in self.proxy_columns_}
        return self

    def _encode(self, X: pd.DataFrame) -> pd.DataFrame:
        D = design(X, self.features_)
        return D.reindex(columns=self.columns_, fill_value=0.0)

    def transform(self, X: pd.DataFrame, *, sensitive_features: Any) -> pd.DataFrame:
        """Encoded design matrix with every proxy column replaced by ``P − E[P | A] + E[P]``."""
        return self._transform(X, _binary(sensitive_features, self.privileged))

    def _transform(self, X: pd.DataFrame, a: np.ndarray) -> pd.DataFrame:
        D = self._encode(X)
        for c in self.proxy_columns_:
            m0, m1 = self.group_means_[c]
            D[c] = D[c].to_numpy(float) - np.where(a == 1, m1, m0) + self.overall_[c]
        return D

    # --- analysis view ------------------------------------------------------------------------
    def run(
        self, data: pd.DataFrame, *, protected: Any, outcome: str, predictions: Any = None, scores: Any = None
    ) -> AnalysisResult:
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import train_test_split

        from fairmend.metrics import summarize

        prep = prepare(data, protected, outcome, self.privileged)
        X, a, y = data[prep.features], prep.a, prep.y
        tr, te = train_test_split(
            np.arange(len(y)), test_size=self.test_size, random_state=self.seed, stratify=y * 2 + a
        )
        self._fit(X.iloc[tr], a[tr])
        base = LogisticRegression(C=self.C, max_iter=3000).fit(self._encode(X.iloc[tr]), y[tr])
        fair = LogisticRegression(C=self.C, max_iter=3000).fit(self._transform(X.iloc[tr], a[tr]), y[tr])
        p_base = base.predict(self._encode(X.iloc[te]))
        p_fair = fair.predict(self._transform(X.iloc[te], a[te]))
        m_base = summarize(y[te], p_base, a[te])
        m_fair = summarize(y[te], p_fair, a[te])
        keys = (
            "accuracy",
            "demographic_parity_difference",
            "disparate_impact_ratio",
            "equalized_odds_difference",
        )
        table = pd.DataFrame(
            [{"proxy_column": c, "effect_of_A": b} for c, b in self.beta_.items()]
        ).sort_values("effect_of_A", key=np.abs, ascending=False, ignore_index=True)
        summary = {
            **prep.describe(),
            "proxies": self.proxies_,
            "n_test": len(te),
            "baseline": {k: float(m_base[k]) for k in keys},
            "proxy_intervened": {k: float(m_fair[k]) for k in keys},
            "citation": "Kilbertus et al. 2017",
        }
        return AnalysisResult(technique=self.technique, summary=summary, tables={"proxy_effects": table})


__all__ = ["ProxyInterventionFairness"]
