"""Fair clustering: fairlet decomposition (Chierichetti et al. 2017) and variational fair clustering
(Ziko et al. 2021).

Task: clustering (not binary classification). Both estimators take
``fit(X, y=None, *, sensitive_features)`` and ``predict(X)`` returning cluster ids; categorical
columns are one-hot encoded and numeric ones standardised by :class:`FeatureEncoder`. The balance
of a clustering is ``min_k min_{g, g'} n_{k,g} / n_{k,g'}`` (0 when a cluster lacks a group).
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.in_processing._common import FeatureEncoder, check_groups
from sklearn.base import BaseEstimator, ClusterMixin

from fairmend.errors import InvalidParameterError, NotExecutableError

_GRAD_CLIP = 5.0


def cluster_balance(labels: Any, groups: Any) -> float:
    """Chierichetti et al.'s balance: the smallest within-cluster ratio between two groups' counts."""
    labels, groups = np.asarray(labels), np.asarray(groups).astype(str)
    uniq = np.unique(groups)
    worst = 1.0
    for k in np.unique(labels):
        counts = np.array([np.sum((labels == k) & (groups == g)) for g in uniq], dtype=float)
        worst = min(worst, counts.min() / counts.max())
    return float(worst)


def _sq_dist(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    return np.maximum((A**2).sum(1)[:, None] + (B**2).sum(1)[None, :] - 2.0 * A @ B.T, 0.0)


class FairletClustering(ClusterMixin, BaseEstimator):
    """(1, t)-fairlet decomposition for two groups, then k-means on the fairlet centres.

    Every point of the smaller group heads one fairlet; the larger group's points are assigned to
    fairlets by a min-cost assignment (``scipy.optimize.linear_sum_assignment``, each fairlet
    with between 1 and ``t`` of them, distance to the head as cost). A fairlet therefore holds
    1 point of the smaller group and 1..t of the larger, so every union of fairlets — every
    cluster — has balance at least ``1/t``. Fairlet heads are clustered by k-means weighted by
    fairlet size (the paper uses k-center / k-median here) and each point takes its fairlet's
    cluster. ``predict`` on new rows returns the nearest centre (no balance guarantee).

    Parameters
    ----------
    n_clusters : int
        Number of clusters.
    t : int or None
        Fairlet size bound; ``None`` uses the smallest feasible ``ceil(n_large / n_small)``.
    random_state : int
        Seed of k-means.

    References
    ----------
    Chierichetti, F., Kumar, R., Lattanzi, S., Vassilvitskii, S. (2017). Fair Clustering Through
    Fairlets. NeurIPS 2017.
    """

    def __init__(self, *, n_clusters: Annotated[int, Param('Number of clusters', range=(2.0, 1000.0))] = 5, t: Annotated[int | None, Param('Fairlet size bound; ``None`` uses the smallest feasible ``ceil(n_large / n_small)``', range=(1.0, 1000.0))] = None, random_state: Annotated[int, Param('Seed of k-means', range=(0.0, 2147483647.0))] = 0) -> None:
        self.n_clusters = n_clusters
        self.t = t
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None, *, sensitive_features: Any) -> FairletClustering:
        from scipy.optimize import linear_sum_assignment
        from sklearn.cluster import KMeans

        if self.n_clusters < 1:
            raise InvalidParameterError("n_clusters must be >= 1")
        self.encoder_ = FeatureEncoder()
        Z = self.encoder_.fit_transform(X)
        groups = check_groups(sensitive_features, len(Z), binary=True, technique="fairlet clustering").astype(str)
        uniq, counts = np.unique(groups, return_counts=True)
        small_g = uniq[np.argmin(counts)]
        small, large = np.flatnonzero(groups == small_g), np.flatnonzero(groups != small_g)
        t = int(np.ceil(len(large) / len(small))) if self.t is None else int(self.t)
        if t < 1 or t * len(small) < len(large):
            raise NotExecutableError(
                f"t={t} is infeasible: {len(large)} rows of the larger group need t >= "
                f"{int(np.ceil(len(large) / len(small)))} per row of group {small_g!r}"
            )
        if len(small) > 5000:
            raise NotExecutableError("fairlet matching is quadratic; use at most 5,000 rows per group")
        cost = np.sqrt(_sq_dist(Z[large], Z[small]))
        big_m = cost.max() * len(large) + 1.0
        # slot 0 of every head is mandatory (large negative cost), slots 1..t-1 optional
        slots = np.hstack([cost - big_m] + [cost] * (t - 1))
        rows, cols = linear_sum_assignment(slots)
        head_of_large = cols[np.argsort(rows)] % len(small)
        fairlet = np.empty(len(Z), dtype=int)
        fairlet[small] = np.arange(len(small))
        fairlet[large] = head_of_large
        sizes = np.bincount(fairlet, minlength=len(small)).astype(float)
        k = min(self.n_clusters, len(small))
        km = KMeans(n_clusters=k, n_init=10, random_state=self.random_state)
        km.fit(Z[small], sample_weight=sizes)
        self.fairlets_ = fairlet
        self.t_ = t
        self.labels_ = km.labels_[fairlet]
        self.cluster_centers_ = np.vstack([Z[self.labels_ == c].mean(axis=0) for c in range(k)])
        self.balance_ = cluster_balance(self.labels_, groups)
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.argmin(_sq_dist(self.encoder_.transform(X), self.cluster_centers_), axis=1)


class VariationalFairClustering(ClusterMixin, BaseEstimator):
    """K-means with a KL fairness term on soft assignments (variational fair clustering).

    Minimises ``Σ_i Σ_k s_ik ‖x_i − c_k‖² + λ Σ_k KL(U ‖ P_k)`` where ``U`` is the groups' overall
    proportions and ``P_k(j) = Σ_i v_ij s_ik / Σ_i s_ik`` their proportions in cluster ``k``.
    Following the paper's bound optimisation, assignments are updated in closed form and
    multiplicatively, ``s_ik ← s_ik exp(−‖x_i − c_k‖² − λ ∂_ik)`` (normalised over ``k``) with ``∂_ik = −Σ_j U_j (v_ij / Σ_i' v_i'j s_i'k −
    1 / Σ_i' s_i'k)`` the gradient of the fairness term (a few inner iterations), alternated with the
    k-means centre update. Hard cluster ids are the argmax of ``s``.

    Parameters
    ----------
    n_clusters : int
        Number of clusters.
    lmbda : float
        Weight ``λ`` of the fairness term (0 = soft k-means from a k-means start).
    n_iter : int
        Outer iterations (centre updates).
    inner_iter : int
        Assignment updates per outer iteration.
    random_state : int
        Seed of the k-means initialisation.

    References
    ----------
    Ziko, I. M., Yuan, J., Granger, E., Ben Ayed, I. (2021). Variational Fair Clustering.
    AAAI 2021.
    """

    def __init__(self, *, n_clusters: Annotated[int, Param('Number of clusters', range=(2.0, 1000.0))] = 5, lmbda: Annotated[float, Param('Weight ``λ`` of the fairness term (0 = soft k-means from a k-means start)', range=(0.0, 1000000.0), tunable=True)] = 30.0, n_iter: Annotated[int, Param('Outer iterations (centre updates)', range=(1.0, 10000.0))] = 30, inner_iter: Annotated[int, Param('Assignment updates per outer iteration', range=(1.0, 1000.0))] = 10,
                 random_state: Annotated[int, Param('Seed of the k-means initialisation', range=(0.0, 2147483647.0))] = 0) -> None:
        self.n_clusters = n_clusters
        self.lmbda = lmbda
        self.n_iter = n_iter
        self.inner_iter = inner_iter
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None, *, sensitive_features: Any) -> VariationalFairClustering:
        from sklearn.cluster import KMeans

        if self.n_clusters < 1 or self.lmbda < 0 or self.n_iter < 1 or self.inner_iter < 1:
            raise InvalidParameterError("n_clusters, n_iter, inner_iter must be >= 1 and lmbda >= 0")
        self.encoder_ = FeatureEncoder()
        Z = self.encoder_.fit_transform(X)
        groups = check_groups(sensitive_features, len(Z), technique="variational fair clustering").astype(str)
        uniq = np.unique(groups)
        V = (groups[:, None] == uniq[None, :]).astype(float)  # n x J
        U = V.mean(axis=0)
        k = self.n_clusters
        km = KMeans(n_clusters=k, n_init=10, random_state=self.random_state).fit(Z)
        C = km.cluster_centers_
        a0 = _sq_dist(Z, C)
        S = np.exp(-(a0 - a0.min(axis=1, keepdims=True)))
        S /= S.sum(axis=1, keepdims=True)
        for _ in range(self.n_iter):
            a = _sq_dist(Z, C)
            for _ in range(self.inner_iter):
                mass = S.sum(axis=0) + 1e-10  # K
                group_mass = V.T @ S + 1e-10  # J x K
                grad = -(V * U[None, :]) @ (1.0 / group_mass) + (U.sum() / mass)[None, :]
                # bound update of the paper: multiplicative in the previous assignments
                # grad is O(k / n); rescaled to O(1) and clipped: near-empty (cluster, group) cells
                # otherwise give unbounded steps and the assignments oscillate
                fair = np.clip(grad * (len(Z) / k), -_GRAD_CLIP, _GRAD_CLIP)
                logits = np.log(S + 1e-300) - (a + self.lmbda * fair)
                logits -= logits.max(axis=1, keepdims=True)
                S = np.exp(logits)
                S /= S.sum(axis=1, keepdims=True)
            C = (S.T @ Z) / (S.sum(axis=0)[:, None] + 1e-10)
        self.soft_assignments_ = S
        self.labels_ = np.argmax(S, axis=1)
        self.cluster_centers_ = C
        self.balance_ = cluster_balance(self.labels_, groups)
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.argmin(_sq_dist(self.encoder_.transform(X), self.cluster_centers_), axis=1)
