"""Fairness of exposure in rankings, Singh & Joachims (2018)."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.post_processing._ranking_common import check_ranking_input
from sklearn.base import BaseEstimator

from fairmend.errors import InvalidParameterError, NotExecutableError


def position_bias(n: int) -> np.ndarray:
    """DCG position weights ``1 / log2(1 + j)``, ``j = 1..n``."""
    return 1.0 / np.log2(np.arange(2, n + 2))


class FairExposureRanking(BaseEstimator):
    """Utility-maximising stochastic ranking whose groups get equal (or merit-proportional) exposure.

    On the ``pool_size`` best-scored candidates, a linear program finds the doubly stochastic
    matrix ``P`` (``P[i, j]`` = probability candidate ``i`` is at position ``j``) maximising
    ``u^T P v`` (``u`` = scores, ``v`` = position bias) subject to the exposure constraint: equal
    mean exposure per group (``criterion="demographic_parity"``) or mean exposure proportional to
    mean utility (``"disparate_treatment"``). ``P`` is decomposed into permutations (Birkhoff–von
    Neumann) and one is sampled with ``random_state``; ``rerank`` returns its first ``k`` entries.
    Two groups only.

    Parameters
    ----------
    criterion : str
        ``demographic_parity`` or ``disparate_treatment``.
    pool_size : int
        Number of best-scored candidates entering the program (LP size grows as its square).
    random_state : int
        Seed of the ranking sampled from the policy.

    References
    ----------
    Singh, A., Joachims, T. (2018). Fairness of Exposure in Rankings. KDD.
    """

    def __init__(
        self, *, criterion: Annotated[str, Param('Equal exposure, or exposure proportional to mean utility', choices=('demographic_parity', 'disparate_treatment'))] = "demographic_parity", pool_size: Annotated[int, Param('Best-scored candidates entering the LP', range=(2.0, 500.0))] = 60, random_state: Annotated[int, Param('Seed of the ranking sampled from the policy', range=(0.0, 2147483647.0))] = 0
    ) -> None:
        self.criterion = criterion
        self.pool_size = pool_size
        self.random_state = random_state

    def policy(self, scores: np.ndarray, groups: np.ndarray) -> np.ndarray:
        """The doubly stochastic ranking policy ``P`` for the given candidates."""
        from scipy.optimize import linprog

        n = len(scores)
        labels = sorted(set(groups.tolist()))
        if len(labels) != 2:
            raise NotExecutableError(f"fairness_of_exposure_ranking supports two groups, got {len(labels)}")
        v = position_bias(n)
        a = np.where(
            groups == labels[0], 1.0 / np.sum(groups == labels[0]), -1.0 / np.sum(groups == labels[1])
        )
        if self.criterion == "disparate_treatment":
            u0, u1 = scores[groups == labels[0]].mean(), scores[groups == labels[1]].mean()
            if u0 <= 0 or u1 <= 0:
                raise InvalidParameterError("disparate_treatment needs positive mean scores in both groups")
            a = np.where(groups == labels[0], a / u0, a / u1)
        elif self.criterion != "demographic_parity":
            raise InvalidParameterError(
                f"criterion must be demographic_parity or disparate_treatment, got {self.criterion!r}"
            )
        c = -np.outer(scores, v).ravel()
        rows = np.kron(np.eye(n), np.ones((1, n)))
        cols = np.kron(np.ones((1, n)), np.eye(n))
        fair = np.outer(a, v).ravel()[None, :]
        res = linprog(
            c,
            A_eq=np.vstack([rows, cols, fair]),
            b_eq=np.r_[np.ones(2 * n), 0.0],
            bounds=(0, 1),
            method="highs",
        )
        if res.status != 0:
            raise NotExecutableError(f"exposure LP failed: {res.message}")
        return np.clip(res.x.reshape(n, n), 0.0, 1.0)

    def rerank(self, scores: Any, groups: Any, *, k: int) -> np.ndarray:
        from scipy.optimize import linear_sum_assignment

        s, g, k = check_ranking_input(scores, groups, k)
        if int(self.pool_size) < 2:
            raise InvalidParameterError("pool_size must be at least 2")
        n = min(len(s), max(int(self.pool_size), k))
        pool = np.argsort(-s, kind="stable")[:n]
        P = self.policy(s[pool], g[pool])
        self.policy_ = P
        perms, weights = [], []
        R = P.copy()
        for _ in range(n * n):
            if R.sum() < 1e-6:
                break
            r, cidx = linear_sum_assignment(-(R > 1e-9).astype(float) - R)
            w = R[r, cidx].min()
            if w <= 1e-12:
                break
            perms.append(cidx.copy())
            weights.append(w)
            R[r, cidx] -= w
        wts = np.asarray(weights) / np.sum(weights)
        rng = np.random.RandomState(self.random_state)
        chosen = perms[rng.choice(len(perms), p=wts)]  # chosen[i] = position of pool item i
        order = np.argsort(chosen)
        return pool[order][:k].astype(int)
