"""One-vs.-one mitigation of intersectional bias (Kobayashi & Nakao), with massaging as the binary method.

Intersectional groups are the combinations of the protected attributes' values. A binary
fairness method is applied to every *pair* of groups on that pair's rows only, and each row's
outcome is aggregated over the ``K − 1`` pairs that contain its group. The binary method here is
Kamiran & Calders' massaging, one of the methods the paper wraps: within a pair, the group with
the lower positive rate has its highest-ranked negatives relabelled positive and the other group
its lowest-ranked positives relabelled negative, until both positive rates meet the pair's
overall rate. Each row's *favourable voting rate* ``v`` is the mean of its massaged labels over
its pairs. As in the authors' implementation, each group then gets its own threshold ``t`` on
``v`` (new label ``1[v > t]``): among the thresholds whose group selection rate lies within
``upper_limit_disparity`` of the overall base rate (the limit widens in steps of 0.02 when none
does), the one with the best balanced accuracy against the original labels. A logistic
regression (protected attributes excluded from ``X``) is trained on the new labels, so
prediction needs no protected attribute.
"""

from __future__ import annotations

from itertools import combinations
from typing import Annotated, Any

import numpy as np
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.in_processing._common import (
    FeatureEncoder,
    check_binary_labels,
    check_groups,
    check_sample_weight,
)
from sklearn.base import BaseEstimator, ClassifierMixin

from fairmend.errors import InvalidParameterError


def _massage_pair(y: np.ndarray, in_a: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Massaged labels of one pair's rows (``in_a`` marks the first group)."""
    out = y.copy()
    n_a, n_b = in_a.sum(), (~in_a).sum()
    rate_a, rate_b = y[in_a].mean(), y[~in_a].mean()
    lo_mask, hi_mask = (in_a, ~in_a) if rate_a < rate_b else (~in_a, in_a)
    n_lo, n_hi = (n_a, n_b) if rate_a < rate_b else (n_b, n_a)
    diff = abs(rate_a - rate_b)
    # M relabellings in each group equalise the rates: (p_lo n_lo + M)/n_lo = (p_hi n_hi − M)/n_hi
    m = int(np.rint(diff * n_lo * n_hi / (n_lo + n_hi)))
    if m == 0:
        return out
    promote = np.flatnonzero(lo_mask & (y == 0))
    demote = np.flatnonzero(hi_mask & (y == 1))
    m = min(m, len(promote), len(demote))
    out[promote[np.argsort(-score[promote], kind="stable")[:m]]] = 1
    out[demote[np.argsort(score[demote], kind="stable")[:m]]] = 0
    return out


def _choose_threshold(vote: np.ndarray, y: np.ndarray, w: np.ndarray, base_rate: float, limit: float) -> float:
    """Threshold on the voting rate: best balanced accuracy among those within the disparity limit."""
    ts = np.linspace(0.01, 0.99, 99)
    pred = vote[None, :] > ts[:, None]
    sel = (pred * w).sum(axis=1) / w.sum()
    diff = np.abs(sel - base_rate)
    pos, neg = y == 1, y == 0
    tpr = (pred[:, pos] * w[pos]).sum(axis=1) / w[pos].sum() if pos.any() else np.ones(len(ts))
    tnr = ((~pred[:, neg]) * w[neg]).sum(axis=1) / w[neg].sum() if neg.any() else np.ones(len(ts))
    bal = 0.5 * (tpr + tnr)
    ok = np.zeros(len(ts), dtype=bool)
    for widen in np.arange(0.0, 1.0 + 1e-9, 0.02):
        ok = diff <= limit + widen + 1e-12
        if ok.any():
            break
    cand = ok & (bal >= bal[ok].max() - 1e-12)
    cand &= diff <= diff[cand].min() + 1e-12
    return float(ts[cand].max())


class IntersectionalOneVsOne(ClassifierMixin, BaseEstimator):
    """Pairwise (one-vs.-one) massaging over intersectional groups, then logistic regression.

    Parameters
    ----------
    upper_limit_disparity : float
        Target bound on ``|selection rate of a group − overall base rate|`` of the new labels.
    min_group_size : int
        Groups with fewer training rows are left out of the pairwise mitigation (their labels
        stay as they are); massaging a handful of rows only adds noise.
    C : float
        Inverse L2 strength of the ranker and of the final logistic regression.

    References
    ----------
    Kobayashi, K., Nakao, Y. (2022). One-vs.-One Mitigation of Intersectional Bias: A General
    Method for Extending Fairness-Aware Binary Classification. DiTTEt 2021, Advances in
    Intelligent Systems and Computing vol. 1410, Springer.

    Kamiran, F., Calders, T. (2012). Data preprocessing techniques for classification without
    discrimination. Knowledge and Information Systems 33(1).
    """

    def __init__(self, *, upper_limit_disparity: Annotated[float, Param('Target bound on ``|selection rate of a group − overall base rate|`` of the new labels', range=(0.0, 1.0), tunable=True)] = 0.03, min_group_size: Annotated[int, Param('Groups with fewer training rows are left out of the pairwise mitigation (their labels stay as they are); massaging a handful of rows only adds noise', range=(1.0, 100000.0))] = 20, C: Annotated[float, Param('Inverse L2 strength of the ranker and of the final logistic regression', range=(1e-06, 1000000.0))] = 1.0) -> None:
        self.upper_limit_disparity = upper_limit_disparity
        self.min_group_size = min_group_size
        self.C = C

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> IntersectionalOneVsOne:
        from sklearn.linear_model import LogisticRegression

        if self.min_group_size < 1 or self.C <= 0:
            raise InvalidParameterError("min_group_size must be >= 1 and C > 0")
        if not 0.0 <= self.upper_limit_disparity <= 1.0:
            raise InvalidParameterError(f"upper_limit_disparity must be in [0, 1], got {self.upper_limit_disparity}")
        y_arr = check_binary_labels(y)
        groups = check_groups(sensitive_features, len(y_arr), technique="one-vs.-one mitigation")
        w = check_sample_weight(sample_weight, len(y_arr))
        self.encoder_ = FeatureEncoder()
        Z = self.encoder_.fit_transform(X)
        ranker = LogisticRegression(C=self.C, max_iter=1000).fit(Z, y_arr, sample_weight=w)
        score = ranker.decision_function(Z)
        uniq, counts = np.unique(groups.astype(str), return_counts=True)
        big = [u for u, c in zip(uniq, counts) if c >= self.min_group_size]
        if len(big) < 2:
            raise InvalidParameterError(
                f"fewer than two groups have min_group_size={self.min_group_size} rows; lower it"
            )
        self.groups_ = big
        gstr = groups.astype(str)
        votes = np.zeros(len(y_arr))
        n_pairs = np.zeros(len(y_arr))
        for a, b in combinations(big, 2):
            rows = np.flatnonzero((gstr == a) | (gstr == b))
            new = _massage_pair(y_arr[rows], gstr[rows] == a, score[rows])
            votes[rows] += new
            n_pairs[rows] += 1
        vote = np.where(n_pairs > 0, votes / np.maximum(n_pairs, 1), y_arr.astype(float))
        base_rate = float(np.average(y_arr, weights=w))
        y_new = y_arr.copy()
        self.thresholds_ = {}
        for grp in big:
            rows = gstr == grp
            t = _choose_threshold(vote[rows], y_arr[rows], w[rows], base_rate, self.upper_limit_disparity)
            self.thresholds_[grp] = t
            y_new[rows] = (vote[rows] > t).astype(int)
        self.n_pairs_ = len(big) * (len(big) - 1) // 2
        self.voting_rate_ = vote
        self.n_relabelled_ = int(np.sum(y_new != y_arr))
        self.massaged_labels_ = y_new
        if len(np.unique(y_new)) < 2:
            raise InvalidParameterError("relabelling left a single class; raise upper_limit_disparity")
        self.model_ = LogisticRegression(C=self.C, max_iter=1000).fit(Z, y_new, sample_weight=w)
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        return self.model_.predict_proba(self.encoder_.transform(X))

    def predict(self, X: Any) -> np.ndarray:
        return self.model_.predict(self.encoder_.transform(X)).astype(int)
