"""Proxy-variable detection: how well each feature (and all of them together) predicts a protected attribute.

A feature that predicts the protected attribute lets a model discriminate "through" it even when the
attribute itself is left out (fairness through unawareness fails). This analysis measures, per feature
and per protected attribute,

* **Cramér's V** of the feature × attribute contingency table (numeric features are cut into
  ``n_bins`` quantile bins), in [0, 1];
* **normalised mutual information** (arithmetic normalisation, as
  :func:`sklearn.metrics.normalized_mutual_info_score`), in [0, 1];
* **AUC** of predicting the attribute from that feature alone, using a cross-fitted (out-of-fold)
  per-category share of each group as the score; one-vs-rest, prevalence-weighted for more than two
  groups. 0.5 means no information.

and the cross-validated AUC of a logistic regression on *all* non-protected features (the combined
proxy strength: how recoverable the attribute is from the data as a whole).

``summary["proxies"]`` lists the features whose ``metric`` reaches ``threshold`` for at least one
protected attribute, strongest first; the pipeline reads exactly that key.

References
----------
Yeom, S., Datta, A. & Fredrikson, M. (2018). Hunting for Discriminatory Proxies in Linear Regression
Models. NeurIPS 2018.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.evaluation._common import as_list, check_columns, check_groups, clean

from fairmend.errors import DataError, InvalidParameterError

METRICS = ("cramers_v", "nmi", "auc")


def discretise(values: pd.Series, n_bins: int) -> np.ndarray:
    """Categories as strings; numeric columns with more than ``n_bins`` values become quantile bins."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        if values.nunique(dropna=True) > n_bins:
            binned = pd.qcut(values.rank(method="first"), n_bins, labels=False)
            # rank-based cut splits ties arbitrarily; re-merge rows with equal values into one bin
            binned = binned.groupby(values).transform("min")
            lo, hi = values.groupby(binned).transform("min"), values.groupby(binned).transform("max")
            labels = "[" + lo.map("{:g}".format) + ", " + hi.map("{:g}".format) + "]"
            return labels.where(values.notna(), "<missing>").astype(str).to_numpy(dtype=object)
    return values.astype(object).where(values.notna(), "<missing>").astype(str).to_numpy(dtype=object)


def cramers_v(x: np.ndarray, a: np.ndarray) -> float:
    from scipy.stats.contingency import association

    table = pd.crosstab(x, a).to_numpy()
    if min(table.shape) < 2:
        return 0.0
    return float(association(table, method="cramer"))


def crossfit_auc(x: np.ndarray, a: np.ndarray, *, folds: int, seed: int, smoothing: float = 1.0) -> float:
    """AUC of the out-of-fold (Laplace-smoothed) per-category group shares as scores for ``a``."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    classes = np.unique(a)
    proba = np.zeros((len(a), len(classes)))
    codes_a = np.searchsorted(classes, a)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(np.zeros(len(a)), codes_a):
        counts = pd.crosstab(x[train], codes_a[train]).reindex(columns=range(len(classes)), fill_value=0)
        prior = np.bincount(codes_a[train], minlength=len(classes)) / len(train)
        shares = (counts.to_numpy() + smoothing * prior) / (
            counts.to_numpy().sum(axis=1, keepdims=True) + smoothing
        )
        lookup = pd.DataFrame(shares, index=counts.index)
        proba[test] = lookup.reindex(x[test]).fillna(pd.Series(prior)).to_numpy()
    if len(classes) == 2:
        return float(roc_auc_score(codes_a, proba[:, 1]))
    return float(roc_auc_score(codes_a, proba, multi_class="ovr", average="weighted"))


def combined_auc(X: pd.DataFrame, a: np.ndarray, *, folds: int, seed: int) -> float:
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from fairmend.engine.models import make_base_model

    classes, codes = np.unique(a, return_inverse=True)
    model = make_base_model("logreg", X, seed=seed)
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    proba = cross_val_predict(model, X, codes, cv=cv, method="predict_proba")
    if len(classes) == 2:
        return float(roc_auc_score(codes, proba[:, 1]))
    return float(roc_auc_score(codes, proba, multi_class="ovr", average="weighted"))


class ProxyVariableDetection:
    """Flag features that act as proxies of the protected attributes.

    Parameters
    ----------
    metric : {"cramers_v", "nmi", "auc"}
        Association measure compared with ``threshold`` to flag a proxy.
    threshold : float
        A feature is a proxy when ``metric`` reaches this value for some protected attribute.
        Defaults suit Cramér's V (0.3 = a moderate association); use about 0.7 for ``"auc"`` and
        0.05 for ``"nmi"``.
    n_bins : int
        Quantile bins for numeric features.
    folds : int
        Folds for the cross-fitted single-feature AUC and the combined-model AUC.
    combined_model : bool
        Also fit the all-features logistic regression (the slowest part).
    exclude : str or None
        Comma-separated feature names to leave out (e.g. identifiers).
    seed : int
        Seed of the fold split.
    """

    def __init__(
        self,
        *,
        metric: Annotated[str, Param('Association measure compared with threshold', choices=('cramers_v', 'nmi', 'auc'))] = "cramers_v",
        threshold: Annotated[float, Param('A feature is a proxy when metric reaches this (about 0.7 for auc, 0.05 for nmi)', range=(0.0, 1.0))] = 0.3,
        n_bins: Annotated[int, Param('Quantile bins for numeric features', range=(2.0, 100.0))] = 10,
        folds: Annotated[int, Param('Folds of the cross-fitted AUCs', range=(2.0, 20.0))] = 5,
        combined_model: Annotated[bool, Param('Also fit an all-features logistic regression predicting the attribute')] = True,
        exclude: Annotated[str | None, Param('Comma-separated columns not to test (e.g. identifiers)')] = None,
        seed: Annotated[int, Param('Seed of the fold split', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.metric = metric
        self.threshold = threshold
        self.n_bins = n_bins
        self.folds = folds
        self.combined_model = combined_model
        self.exclude = exclude
        self.seed = seed

    def run(
        self,
        data: pd.DataFrame,
        *,
        protected: str | Sequence[str],
        outcome: str | None = None,
        predictions: str | None = None,
        scores: str | None = None,
    ) -> AnalysisResult:
        """Measure every feature's association with each protected attribute.

        The outcome, predictions and scores columns are not features and are left out.
        """
        if self.metric not in METRICS:
            raise InvalidParameterError(f"metric {self.metric!r} is not one of {', '.join(METRICS)}")
        names = as_list(protected)
        check_columns(data, outcome, predictions, scores, *names)
        skip = set(names) | {c for c in (outcome, predictions, scores) if c is not None}
        skip |= {c.strip() for c in (self.exclude or "").split(",") if c.strip()}
        features = [c for c in data.columns if c not in skip]
        if not features:
            raise DataError("no feature columns left to test as proxies")
        frame = data.reset_index(drop=True)
        rows: list[dict[str, Any]] = []
        combined: dict[str, float] = {}
        for attr in names:
            a = frame[attr].astype(str).to_numpy(dtype=object)
            check_groups(a, attr)
            for feature in features:
                x = discretise(frame[feature], self.n_bins)
                from sklearn.metrics import normalized_mutual_info_score

                rows.append(
                    {
                        "attribute": attr,
                        "feature": feature,
                        "cramers_v": cramers_v(x, a),
                        "nmi": float(normalized_mutual_info_score(a, x)),
                        "auc": crossfit_auc(x, a, folds=self.folds, seed=self.seed),
                        "n_levels": len(np.unique(x)),
                    }
                )
            if self.combined_model:
                combined[attr] = combined_auc(frame[features], a, folds=self.folds, seed=self.seed)
        table = pd.DataFrame(rows)
        table["is_proxy"] = table[self.metric] >= self.threshold
        table = table.sort_values(["attribute", self.metric], ascending=[True, False]).reset_index(drop=True)
        strength = table.groupby("feature")[self.metric].max().sort_values(ascending=False)
        proxies = [f for f, v in strength.items() if v >= self.threshold]
        by_attribute = {
            attr: [
                {"feature": r.feature, self.metric: float(getattr(r, self.metric))}
                for r in table[(table["attribute"] == attr) & table["is_proxy"]].itertuples()
            ]
            for attr in names
        }
        summary = {
            "metric": self.metric,
            "threshold": float(self.threshold),
            "proxies": proxies,
            "proxy_strength": {f: float(strength[f]) for f in proxies},
            "by_attribute": by_attribute,
            "combined_auc": combined,
            "n_features": len(features),
            "n_rows": len(frame),
        }
        return AnalysisResult("proxy_variable_detection", clean(summary), {"associations": table})
