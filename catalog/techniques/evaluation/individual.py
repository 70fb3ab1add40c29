"""Individual-fairness audits: generalized entropy (Theil) index of benefits and kNN consistency."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.evaluation._common import (
    AUDIT_NOTES,
    as_list,
    binary,
    check_columns,
    clean,
    describe,
    encode_features,
    prepare,
)

from fairmend.errors import DataError, InvalidParameterError


def generalized_entropy(b: np.ndarray, alpha: float) -> float:
    r"""Generalized entropy index :math:`GE_\alpha(b)` of non-negative benefits ``b``.

    :math:`\frac{1}{n\alpha(\alpha-1)}\sum_i[(b_i/\mu)^\alpha - 1]`; :math:`\alpha = 1` is the Theil
    index :math:`\frac1n\sum_i \frac{b_i}{\mu}\ln\frac{b_i}{\mu}` (with :math:`0\ln 0 = 0`) and
    :math:`\alpha = 0` the mean log deviation :math:`-\frac1n\sum_i\ln\frac{b_i}{\mu}`.
    """
    b = np.asarray(b, dtype=float)
    mu = b.mean()
    if mu <= 0:
        raise DataError("generalized entropy needs a positive mean benefit")
    r = b / mu
    if alpha == 1:
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(r > 0, r * np.log(r), 0.0)
        return float(terms.mean())
    if alpha == 0:
        with np.errstate(divide="ignore"):
            return float(-np.log(r).mean())
    return float(np.mean(r**alpha - 1) / (alpha * (alpha - 1)))


class InequalityIndices:
    r"""Generalized entropy / Theil index of individual benefits, decomposed between and within groups.

    Speicher et al. (2018) give each individual the benefit :math:`b_i = \hat y_i - y_i + 1` (2 for a
    false positive, 1 for a correct decision, 0 for a false negative) and measure unfairness as the
    inequality :math:`GE_\alpha(b)` of benefits. It splits exactly into a between-group term (every
    benefit replaced by its group's mean) and a within-group term
    :math:`\sum_g \frac{n_g}{n}(\mu_g/\mu)^\alpha GE_\alpha(b_g)`.

    This is a *model audit*: without a ``predictions`` column it audits a logistic-regression
    baseline's test-split predictions (see :mod:`._common`).

    Parameters
    ----------
    alpha : float
        Inequality aversion: 0 mean log deviation, 1 Theil index, 2 half the squared coefficient of
        variation (aif360's default).
    predictions, scores : str or None
        Columns holding the audited model's 0/1 predictions / P(y=1).
    seed : int
        Seed of the baseline split when no predictions are given.

    References
    ----------
    Speicher, T., Heidari, H., Grgić-Hlača, N., Gummadi, K. P., Singla, A., Weller, A. & Zafar, M. B.
    (2018). A Unified Approach to Quantifying Algorithmic Unfairness: Measuring Individual & Group
    Unfairness via Inequality Indices. KDD 2018.
    """

    def __init__(
        self, *, alpha: Annotated[float, Param('Inequality aversion (1 = Theil index, 2 = aif360 default)', range=(0.0, 10.0))] = 2.0, predictions: Annotated[str | None, Param('Column of audited 0/1 decisions (baseline model when absent)')] = None, scores: Annotated[str | None, Param('Column of P(y=1), thresholded at 0.5 when no predictions')] = None, seed: Annotated[int, Param('Seed of the baseline split', range=(0.0, 2147483647.0))] = 0
    ) -> None:
        self.alpha = alpha
        self.predictions = predictions
        self.scores = scores
        self.seed = seed

    def run(
        self,
        data: pd.DataFrame,
        *,
        protected: str | Sequence[str],
        outcome: str,
        predictions: str | None = None,
        scores: str | None = None,
    ) -> AnalysisResult:
        if self.alpha < 0:
            raise InvalidParameterError(f"alpha must be non-negative, got {self.alpha}")
        audit = prepare(
            data,
            protected,
            outcome,
            predictions or self.predictions,
            scores or self.scores,
            when_missing="baseline",
            seed=self.seed,
        )
        alpha = float(self.alpha)
        b = audit.y_pred - audit.y_true + 1.0
        total = generalized_entropy(b, alpha)
        mu = b.mean()
        rows = []
        between_b = np.empty_like(b)
        within = 0.0
        for g in sorted(np.unique(audit.groups)):
            mask = audit.groups == g
            bg = b[mask]
            between_b[mask] = bg.mean()
            ge_g = generalized_entropy(bg, alpha) if bg.mean() > 0 else float("nan")
            share = mask.mean()
            if bg.mean() > 0:
                within += share * (bg.mean() / mu) ** alpha * ge_g
            rows.append({"group": g, "n": int(mask.sum()), "mean_benefit": float(bg.mean()), "ge": ge_g})
        between = generalized_entropy(between_b, alpha)
        summary = {
            **describe(audit),
            "n_rows": len(b),
            "alpha": alpha,
            "generalized_entropy_index": total,
            "theil_index": generalized_entropy(b, 1.0),
            "between_group": between,
            "within_group": float(within),
            "between_share": float(between / total) if total > 0 else 0.0,
        }
        return AnalysisResult("inequality_indices_theil_gei", clean(summary), {"groups": pd.DataFrame(rows)})


def consistency(X: np.ndarray, y: np.ndarray, *, n_neighbors: int = 5, include_self: bool = True) -> float:
    r"""Zemel et al.'s consistency :math:`1 - \frac1n\sum_i|\hat y_i - \frac1k\sum_{j\in kNN(x_i)}\hat y_j|`.

    With ``include_self`` the point itself counts among its ``k`` neighbours, as in aif360.
    """
    from sklearn.neighbors import NearestNeighbors

    k = n_neighbors + (0 if include_self else 1)
    if k > len(y):
        raise DataError(f"consistency needs more than {k} rows, got {len(y)}")
    idx = NearestNeighbors(n_neighbors=k, algorithm="ball_tree").fit(X).kneighbors(X, return_distance=False)
    if not include_self:
        idx = idx[:, 1:]
    y = np.asarray(y, dtype=float)
    return float(1 - np.abs(y - y[idx].mean(axis=1)).mean())


class ConsistencyIndividualFairness:
    """kNN consistency: do similar individuals get the same decision?

    An *outcome audit*: scores the ``predictions`` column, or the labels when none is given
    (aif360's ``BinaryLabelDatasetMetric.consistency`` on a dataset). Features are every column
    except the outcome, predictions and scores (and the protected attributes unless
    ``include_protected``). With ``encode=True`` categorical columns are one-hot encoded and
    numeric ones standardised first; with ``encode=False`` every feature must be numeric and is used
    as is (aif360's behaviour).

    Parameters
    ----------
    n_neighbors : int
        Neighbours per individual (the point itself included when ``include_self``).
    include_self : bool
        Count the individual among its own neighbours (aif360 does).
    include_protected : bool
        Keep the protected attributes among the features.
    encode : bool
        One-hot encode categoricals and standardise numerics.
    max_rows : int
        Audit a seeded random sample of at most this many rows (kNN is O(n log n) per query).
    predictions : str or None
        Column with the audited 0/1 decisions.
    seed : int
        Seed of the row sample.

    References
    ----------
    Zemel, R., Wu, Y., Swersky, K., Pitassi, T. & Dwork, C. (2013). Learning Fair Representations.
    ICML 2013.
    """

    def __init__(
        self,
        *,
        n_neighbors: Annotated[int, Param('Neighbours per individual', range=(1.0, 1000.0))] = 5,
        include_self: Annotated[bool, Param('Count the individual among its neighbours (as aif360)')] = True,
        include_protected: Annotated[bool, Param('Keep protected attributes among the features')] = False,
        encode: Annotated[bool, Param('One-hot categoricals and standardise numerics')] = True,
        max_rows: Annotated[int, Param('Audit a seeded sample of at most this many rows', range=(10.0, 10000000.0))] = 20_000,
        predictions: Annotated[str | None, Param('Column of audited 0/1 decisions (labels when absent)')] = None,
        seed: Annotated[int, Param('Seed of the row sample', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.n_neighbors = n_neighbors
        self.include_self = include_self
        self.include_protected = include_protected
        self.encode = encode
        self.max_rows = max_rows
        self.predictions = predictions
        self.seed = seed

    def run(
        self,
        data: pd.DataFrame,
        *,
        protected: str | Sequence[str],
        outcome: str,
        predictions: str | None = None,
        scores: str | None = None,
    ) -> AnalysisResult:
        names = as_list(protected)
        pred = predictions or self.predictions
        check_columns(data, outcome, pred, scores, *names)
        frame = data.reset_index(drop=True)
        if len(frame) > self.max_rows:
            frame = frame.sample(n=self.max_rows, random_state=self.seed).reset_index(drop=True)
        target = binary(frame[pred if pred else outcome], pred or outcome)
        drop = [c for c in (outcome, pred, scores) if c is not None]
        if not self.include_protected:
            drop += names
        X = frame.drop(columns=list(dict.fromkeys(drop)))
        if X.shape[1] == 0:
            raise DataError("no feature columns left for the nearest-neighbour search")
        if self.encode:
            matrix = encode_features(X)
        else:
            bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
            if bad:
                raise DataError(
                    f"encode=False needs numeric features; non-numeric: {', '.join(map(str, bad))}"
                )
            matrix = X.to_numpy(dtype=float)
        score = consistency(matrix, target, n_neighbors=self.n_neighbors, include_self=self.include_self)
        summary = {
            "audited": "predictions" if pred else "labels",
            "audit_note": AUDIT_NOTES["predictions" if pred else "labels"].replace(" against the labels", ""),
            "n_rows": len(frame),
            "n_neighbors": int(self.n_neighbors),
            "consistency": score,
            "n_features": int(matrix.shape[1]),
        }
        return AnalysisResult("consistency_individual_fairness", clean(summary))
