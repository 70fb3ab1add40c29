"""Fair decision tree with the strong-demographic-parity splitting criterion (Pereira Barata et al.).

Each candidate split of a node is scored by the SCAFF criterion of the paper,
``(1 - θ) · AUC_y − θ · AUC_s``, where the split's two leaves score their rows by the leaf's
positive-label rate; ``AUC_y`` is the ROC AUC of that score for the label and ``AUC_s`` the AUC of
the same score for the protected attribute, folded to ``max(AUC, 1 − AUC)`` (and, with more than
two groups, the largest one-vs-rest value). ``θ`` is the ``orthogonality`` parameter: ``0`` gives
an ordinary (AUC-splitting) tree, ``1`` a tree whose splits carry no information about the group.
Because AUC compares whole score distributions, a low ``AUC_s`` bounds the difference between
the groups' score distributions at every threshold ("strong" demographic parity).

Numeric features are encoded by :class:`FeatureEncoder` (categoricals one-hot) and split on at
most ``n_bins - 1`` quantile thresholds per feature. The protected attribute is used at fit only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.in_processing._common import (
    FeatureEncoder,
    check_binary_labels,
    check_groups,
    check_sample_weight,
    proba_columns,
)
from sklearn.base import BaseEstimator, ClassifierMixin

from fairmend.errors import InvalidParameterError


@dataclass
class _Node:
    value: float
    feature: int = -1
    threshold: float = 0.0
    left: _Node | None = None
    right: _Node | None = None


def _split_auc(pos_l: np.ndarray, neg_l: np.ndarray, pos_r: np.ndarray, neg_r: np.ndarray,
               hi_left: np.ndarray) -> np.ndarray:
    """AUC of a two-valued score (left leaf scored high where ``hi_left``) for a binary target."""
    pos, neg = pos_l + pos_r, neg_l + neg_r
    denom = np.maximum(pos * neg, 1e-12)
    ties = 0.5 * (pos_l * neg_l + pos_r * neg_r)
    auc_hi_left = (pos_l * neg_r + ties) / denom
    auc_hi_right = (pos_r * neg_l + ties) / denom
    return np.where(hi_left, auc_hi_left, auc_hi_right)


class FairTreeClassifier(ClassifierMixin, BaseEstimator):
    """Decision tree whose splits trade label AUC against protected-attribute AUC (SCAFF).

    Parameters
    ----------
    orthogonality : float
        ``θ`` in ``[0, 1]``: weight of the protected-attribute AUC in the split criterion.
    max_depth : int
        Maximum depth of the tree.
    min_samples_leaf : int
        Fewest (weighted) training rows a leaf may hold.
    n_bins : int
        Candidate thresholds per feature are its ``n_bins`` quantiles.

    References
    ----------
    Pereira Barata, A., Takes, F. W., van den Herik, H. J., Veenman, C. J. (2023). Fair tree
    classifier using strong demographic parity. Machine Learning. doi:10.1007/s10994-023-06376-z
    """

    def __init__(self, *, orthogonality: Annotated[float, Param('``θ`` in ``[0, 1]``: weight of the protected-attribute AUC in the split criterion', range=(0.0, 1.0), tunable=True)] = 0.5, max_depth: Annotated[int, Param('Maximum depth of the tree', range=(1.0, 30.0))] = 5, min_samples_leaf: Annotated[int, Param('Fewest (weighted) training rows a leaf may hold', range=(1.0, 100000.0))] = 20,
                 n_bins: Annotated[int, Param('Candidate thresholds per feature are its ``n_bins`` quantiles', range=(2.0, 1024.0))] = 32) -> None:
        self.orthogonality = orthogonality
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.n_bins = n_bins

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> FairTreeClassifier:
        if not 0.0 <= self.orthogonality <= 1.0:
            raise InvalidParameterError(f"orthogonality must be in [0, 1], got {self.orthogonality}")
        if self.max_depth < 1 or self.min_samples_leaf < 1 or self.n_bins < 2:
            raise InvalidParameterError("max_depth and min_samples_leaf must be >= 1 and n_bins >= 2")
        y_arr = check_binary_labels(y)
        groups = check_groups(sensitive_features, len(y_arr), technique="fair tree")
        w = check_sample_weight(sample_weight, len(y_arr))
        self.encoder_ = FeatureEncoder()
        Z = self.encoder_.fit_transform(X)
        self.groups_ = np.array(sorted(set(groups.tolist())), dtype=object)
        g = np.searchsorted(self.groups_, groups)
        # one-vs-rest indicators; with two groups one column suffices (AUC is folded anyway)
        n_s = 1 if len(self.groups_) == 2 else len(self.groups_)
        S = np.column_stack([(g == k).astype(float) for k in range(n_s)])
        thresholds = []
        for j in range(Z.shape[1]):
            qs = np.unique(np.quantile(Z[:, j], np.linspace(0, 1, self.n_bins + 1)[1:-1]))
            thresholds.append(qs)
        self.thresholds_ = thresholds
        self.tree_ = self._grow(Z, y_arr.astype(float), S, w, np.arange(len(y_arr)), 0)
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = Z.shape[1]
        return self

    def _score(self, yw_l, w_l, yw_t, w_t, S_l, S_t):
        """SCAFF value of every candidate (arrays over thresholds)."""
        pos_l, neg_l = yw_l, w_l - yw_l
        pos_r, neg_r = yw_t - yw_l, (w_t - yw_t) - (w_l - yw_l)
        hi_left = pos_l / np.maximum(w_l, 1e-12) >= pos_r / np.maximum(w_t - w_l, 1e-12)
        auc_y = _split_auc(pos_l, neg_l, pos_r, neg_r, hi_left)
        auc_s = np.zeros_like(auc_y)
        for k in range(S_l.shape[1]):
            a = _split_auc(S_l[:, k], w_l - S_l[:, k], S_t[k] - S_l[:, k], (w_t - S_t[k]) - (w_l - S_l[:, k]),
                           hi_left)
            auc_s = np.maximum(auc_s, np.maximum(a, 1 - a))
        return (1 - self.orthogonality) * auc_y - self.orthogonality * auc_s

    def _grow(self, Z, y, S, w, idx, depth) -> _Node:
        wi, yi = w[idx], y[idx]
        node = _Node(value=float(np.sum(wi * yi) / np.sum(wi)))
        if depth >= self.max_depth or len(idx) < 2 * self.min_samples_leaf or node.value in (0.0, 1.0):
            return node
        Si = S[idx] * wi[:, None]
        yw_t, w_t, S_t = float(np.sum(wi * yi)), float(np.sum(wi)), Si.sum(axis=0)
        # not splitting scores AUC_y = AUC_s = 0.5
        best = ((1 - self.orthogonality) * 0.5 - self.orthogonality * 0.5 + 1e-9, -1, 0.0)
        for j, ths in enumerate(self.thresholds_):
            if len(ths) == 0:
                continue
            col = Z[idx, j]
            order = np.argsort(col, kind="stable")
            cs = col[order]
            cut = np.searchsorted(cs, ths, side="right")  # rows with value <= threshold go left
            cw = np.concatenate([[0.0], np.cumsum(wi[order])])
            cy = np.concatenate([[0.0], np.cumsum((wi * yi)[order])])
            cS = np.vstack([np.zeros(S.shape[1]), np.cumsum(Si[order], axis=0)])
            n_l = cut
            ok = (n_l >= self.min_samples_leaf) & (len(idx) - n_l >= self.min_samples_leaf)
            if not ok.any():
                continue
            cut, ths_ok = cut[ok], ths[ok]
            vals = self._score(cy[cut], cw[cut], yw_t, w_t, cS[cut], S_t)
            k = int(np.argmax(vals))
            if vals[k] > best[0]:
                best = (float(vals[k]), j, float(ths_ok[k]))
        if best[1] < 0:
            return node
        node.feature, node.threshold = best[1], best[2]
        go_left = Z[idx, best[1]] <= best[2]
        node.left = self._grow(Z, y, S, w, idx[go_left], depth + 1)
        node.right = self._grow(Z, y, S, w, idx[~go_left], depth + 1)
        return node

    def _leaf_values(self, Z: np.ndarray) -> np.ndarray:
        out = np.empty(len(Z))
        stack = [(self.tree_, np.arange(len(Z)))]
        while stack:
            node, idx = stack.pop()
            if node.feature < 0 or node.left is None or node.right is None:
                out[idx] = node.value
                continue
            left = Z[idx, node.feature] <= node.threshold
            stack.append((node.left, idx[left]))
            stack.append((node.right, idx[~left]))
        return out

    def predict_proba(self, X: Any) -> np.ndarray:
        return proba_columns(self._leaf_values(self.encoder_.transform(X)))

    def predict(self, X: Any) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)

    def get_depth(self) -> int:
        def depth(node: _Node | None) -> int:
            if node is None or node.feature < 0:
                return 0
            return 1 + max(depth(node.left), depth(node.right))

        return depth(self.tree_)
