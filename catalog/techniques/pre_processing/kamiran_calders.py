"""Kamiran & Calders (2012) data-level techniques: massaging, uniform and preferential sampling.

All three remove the dependence between group and label in the *training* data; ``transform`` is
the identity. Massaging and preferential sampling use a *ranker* (a probabilistic classifier fitted
on the training data) to find the rows closest to the decision boundary.

The paper states them for two groups (deprived and favoured). Here every group is brought to the
rate expected under independence of group and label, which for two groups is exactly the paper's
rule (for massaging: ``M = disc * |D| * |F| / n`` promotions in the deprived group and as many
demotions in the favoured one).

Each takes a ``strength`` in [0, 1] (the knob ``fairmend tune`` searches): the sampling techniques
resize every (group, label) cell to ``|g, y| + strength (|g| |y| / n - |g, y|)`` rows, linearly
between its observed size and its expected size under independence; massaging relabels
``strength`` times the paper's number of rows. ``strength=1``, the default, is the paper's method
exactly; ``0`` leaves the training data unchanged.

References
----------
Kamiran, F. & Calders, T. (2009). Classifying without discriminating. IC4 2009.
Kamiran, F. & Calders, T. (2012). Data preprocessing techniques for classification without
discrimination. Knowledge and Information Systems 33(1), 1-33.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import PreProcessorMixin, Resampled
from fairmend.catalog.params import Param

from fairmend.errors import InvalidParameterError

from ._common import as_frame, categorical_columns, check_binary_labels, check_groups, take_sensitive

RANKERS = ("logreg", "naive_bayes")
STRENGTH = Param(
    "0 = data unchanged, 1 = the paper's full repair; linear in between", range=(0.0, 1.0), tunable=True
)


def _checked(strength: float) -> float:
    if not 0.0 <= strength <= 1.0:
        raise InvalidParameterError(f"strength must lie in [0, 1], got {strength!r}")
    return strength


def _cell_size(observed: int, expected: float, strength: float) -> int:
    """Rows a cell keeps: its expected size at strength 1 (exactly), its observed size at 0."""
    return (
        round(float(expected))
        if strength == 1.0
        else round(observed + strength * (float(expected) - observed))
    )


def ranker_scores(X: pd.DataFrame, y: np.ndarray, kind: str) -> np.ndarray:
    """P(y = 1 | x) on the training rows from a ranker fitted on them (one-hot categoricals)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    if kind not in RANKERS:
        raise InvalidParameterError(f"ranker must be one of {', '.join(RANKERS)}, got {kind!r}")
    cats = categorical_columns(X)
    nums = [c for c in X.columns if c not in cats]
    prep = ColumnTransformer(
        [
            ("num", StandardScaler(), nums),
            ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), cats),
        ],
        sparse_threshold=0.0,
    )
    clf = LogisticRegression(max_iter=2000) if kind == "logreg" else GaussianNB()
    Xo = X.copy()
    for c in cats:
        Xo[c] = Xo[c].astype(object).astype(str)
    model = Pipeline([("prep", prep), ("clf", clf)]).fit(Xo, y)
    return np.asarray(model.predict_proba(Xo))[:, 1]


def _targets(groups: np.ndarray, y: np.ndarray) -> dict[Any, dict[int, float]]:
    """Expected size of each (group, label) cell under independence: |g| * |y| / n."""
    n = len(y)
    return {
        g: {lab: float(np.sum(groups == g) * np.sum(y == lab) / n) for lab in (0, 1)}
        for g in pd.unique(groups)
    }


class Massaging(PreProcessorMixin):
    """Relabel the most borderline training rows so that every group has the overall positive rate.

    In a group whose positive rate is below the overall rate, the ``n_g * (p - p_g)`` negatives with
    the highest ranker score are promoted to positive; in a group above it, that many positives
    with the lowest score are demoted. For two groups this is Kamiran & Calders' massaging with
    ``M`` promotions and ``M`` demotions, which leaves the number of positives unchanged and the
    training data with zero discrimination (up to rounding to whole rows).

    Parameters
    ----------
    ranker : {"logreg", "naive_bayes"}
        Classifier whose scores rank rows by closeness to the positive class (the paper used naive
        Bayes; logistic regression is the default here).
    strength : float in [0, 1]
        Share of the paper's relabelling applied: ``round(strength * n_g (p - p_g))`` rows per group.
    """

    def __init__(
        self,
        *,
        ranker: Annotated[
            str,
            Param(
                "Classifier ranking rows by closeness to the positive class",
                choices=("logreg", "naive_bayes"),
            ),
        ] = "logreg",
        strength: Annotated[float, STRENGTH] = 1.0,
    ) -> None:
        self.ranker = ranker
        self.strength = strength

    def fit(self, X: Any, y: Any, *, sensitive_features: Any) -> Massaging:
        X = as_frame(X)
        y = check_binary_labels(y, len(X))
        groups = check_groups(sensitive_features, len(X), technique="massaging")
        strength = _checked(self.strength)
        scores = ranker_scores(X, y, self.ranker)
        p = y.mean()
        new_y = y.copy()
        changes: dict[str, int] = {}
        for g in pd.unique(groups):
            idx = np.flatnonzero(groups == g)
            gap = float(len(idx) * p - y[idx].sum())
            m = round(gap) if strength == 1.0 else round(strength * gap)
            if m > 0:  # promote the highest-scored negatives
                cand = idx[y[idx] == 0]
                chosen = cand[np.argsort(-scores[cand], kind="stable")[:m]]
                new_y[chosen] = 1
            elif m < 0:  # demote the lowest-scored positives
                cand = idx[y[idx] == 1]
                chosen = cand[np.argsort(scores[cand], kind="stable")[:-m]]
                new_y[chosen] = 0
            changes[str(g)] = m
        self.changes_ = changes
        self.y_ = new_y
        self.n_relabelled_ = int(np.sum(new_y != y))
        return self

    def fit_resample(self, X: Any, y: Any, *, sensitive_features: Any) -> Resampled:
        self.fit(X, y, sensitive_features=sensitive_features)
        return Resampled(X=as_frame(X), y=self.y_.copy(), sensitive_features=sensitive_features)


class UniformSampling(PreProcessorMixin):
    """Resample each (group, label) cell uniformly at random to its expected size ``|g| |y| / n``.

    Cells smaller than expected are oversampled (all rows kept plus random duplicates), larger ones
    are undersampled without replacement.

    Parameters
    ----------
    random_state : int
        Seed of the random draws.
    strength : float in [0, 1]
        Cell sizes move from observed (0) to expected (1, the default) linearly.
    """

    def __init__(
        self,
        *,
        random_state: Annotated[int, Param("Seed of the random draws", range=(0.0, 2147483647.0))] = 0,
        strength: Annotated[float, STRENGTH] = 1.0,
    ) -> None:
        self.random_state = random_state
        self.strength = strength

    def fit(self, X: Any, y: Any, *, sensitive_features: Any) -> UniformSampling:
        X = as_frame(X)
        y = check_binary_labels(y, len(X))
        groups = check_groups(sensitive_features, len(X), technique="uniform sampling")
        strength = _checked(self.strength)
        rng = np.random.default_rng(self.random_state)
        keep: list[np.ndarray] = []
        for g, sizes in _targets(groups, y).items():
            for lab, expected in sizes.items():
                cell = np.flatnonzero((groups == g) & (y == lab))
                size = _cell_size(len(cell), expected, strength)
                if len(cell) == 0:
                    continue
                if size <= len(cell):
                    keep.append(np.sort(rng.choice(cell, size=size, replace=False)))
                else:
                    keep.append(np.concatenate([cell, rng.choice(cell, size=size - len(cell), replace=True)]))
        self.indices_ = np.concatenate(keep)
        return self

    def fit_resample(self, X: Any, y: Any, *, sensitive_features: Any) -> Resampled:
        self.fit(X, y, sensitive_features=sensitive_features)
        return _subset(X, y, sensitive_features, self.indices_)


class PreferentialSampling(PreProcessorMixin):
    """Duplicate or drop the rows closest to the decision boundary until cells reach their expected size.

    A ranker scores every training row. In each (group, label) cell that is smaller than expected
    under independence, the borderline rows (lowest scores for positives, highest for negatives)
    are duplicated — cycling through the cell if more copies are needed; in each larger cell the
    borderline rows are removed.

    Parameters
    ----------
    ranker : {"logreg", "naive_bayes"}
        Classifier whose scores rank rows by closeness to the decision boundary.
    strength : float in [0, 1]
        Cell sizes move from observed (0) to expected (1, the default) linearly.
    """

    def __init__(
        self,
        *,
        ranker: Annotated[
            str,
            Param(
                "Classifier ranking rows by closeness to the decision boundary",
                choices=("logreg", "naive_bayes"),
            ),
        ] = "logreg",
        strength: Annotated[float, STRENGTH] = 1.0,
    ) -> None:
        self.ranker = ranker
        self.strength = strength

    def fit(self, X: Any, y: Any, *, sensitive_features: Any) -> PreferentialSampling:
        X = as_frame(X)
        y = check_binary_labels(y, len(X))
        groups = check_groups(sensitive_features, len(X), technique="preferential sampling")
        strength = _checked(self.strength)
        scores = ranker_scores(X, y, self.ranker)
        keep: list[np.ndarray] = []
        for g, sizes in _targets(groups, y).items():
            for lab, expected in sizes.items():
                cell = np.flatnonzero((groups == g) & (y == lab))
                if len(cell) == 0:
                    continue
                # borderline first: positives by ascending score, negatives by descending score
                order = cell[np.argsort(scores[cell] if lab == 1 else -scores[cell], kind="stable")]
                size = _cell_size(len(cell), expected, strength)
                if size <= len(cell):
                    keep.append(np.sort(order[len(cell) - size :]))
                else:
                    extra = np.resize(order, size - len(cell))
                    keep.append(np.concatenate([cell, extra]))
        self.indices_ = np.concatenate(keep)
        return self

    def fit_resample(self, X: Any, y: Any, *, sensitive_features: Any) -> Resampled:
        self.fit(X, y, sensitive_features=sensitive_features)
        return _subset(X, y, sensitive_features, self.indices_)


def _subset(X: Any, y: Any, sensitive_features: Any, idx: np.ndarray) -> Resampled:
    X = as_frame(X)
    return Resampled(
        X=X.iloc[idx].reset_index(drop=True),
        y=np.asarray(y).astype(int)[idx],
        sensitive_features=take_sensitive(sensitive_features, idx),
    )
