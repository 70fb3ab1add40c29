"""DELTR: learning to rank with a disparate-exposure penalty (Zehlike & Castillo 2020).

Task: ranking. A linear scoring function ``f(x) = wᵀx`` is trained with the ListNet top-one loss
(cross-entropy between the softmax of the relevance labels and the softmax of the scores within
each query) plus ``gamma · U(q)``, where the exposure ``E`` of a group in query ``q`` is the mean
top-one probability ``softmax(f)_i`` of its items. With ``disparity="one_sided"`` (the default,
the authors' choice) ``U(q) = max(0, E_nonprotected - E_protected)²``: only a ranking that gives
the protected group less exposure is penalised. ``disparity="squared"`` penalises
``(E_nonprotected - E_protected)²`` in both directions, which also pushes a protected group that
is ahead back down. Exposures are multiplied by the query size ``n_q`` (so 1 = a uniform
ranking's share), which makes ``gamma`` comparable across query sizes. ``gamma = 0`` is plain
ListNet. Features are encoded by :class:`FeatureEncoder` (numerics standardised, categoricals
one-hot). ``predict`` returns scores; sort them within a query to rank. The protected attribute
is used at fit only.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.in_processing._common import FeatureEncoder, check_groups, import_torch
from fairmend.catalog.techniques.post_processing._ranking_common import protected_label
from sklearn.base import BaseEstimator

from fairmend.errors import DataError, InvalidParameterError


class DELTR(BaseEstimator):
    """ListNet ranker with a disparate-exposure penalty (two groups).

    Parameters
    ----------
    gamma : float
        Weight of the exposure-disparity term (0 = ListNet).
    disparity : {"one_sided", "squared"}
        ``max(0, E_nonprotected - E_protected)²`` (Zehlike & Castillo) or ``(E_nonprotected -
        E_protected)²`` (symmetric).
    protected_group : str or None
        The protected group; ``None`` = the smaller group of the training rows.
    epochs : int
        Full-batch Adam iterations.
    lr : float
        Adam learning rate.
    l2 : float
        L2 penalty on the weights.
    random_state : int
        Seed of torch.

    References
    ----------
    Zehlike, M., Castillo, C. (2020). Reducing Disparate Exposure in Ranking: A Learning To Rank
    Approach. WWW 2020.
    """

    def __init__(
        self,
        *,
        gamma: Annotated[float, Param('Weight of the exposure-disparity term (0 = ListNet)', range=(0.0, 1000000.0), tunable=True)] = 1.0,
        disparity: Annotated[str, Param("Exposure penalty max(0, E_nonprotected - E_protected)^2 (the authors') or the symmetric (E_nonprotected - E_protected)^2", choices=('one_sided', 'squared'))] = "one_sided",
        protected_group: Annotated[str | None, Param('Protected group; empty = the smaller group')] = None,
        epochs: Annotated[int, Param('Full-batch Adam iterations', range=(1.0, 100000.0))] = 300,
        lr: Annotated[float, Param('Adam learning rate', range=(1e-06, 10.0))] = 0.05,
        l2: Annotated[float, Param('L2 penalty on the weights', range=(0.0, 10.0))] = 1e-4,
        random_state: Annotated[int, Param('Seed of torch', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.gamma = gamma
        self.disparity = disparity
        self.protected_group = protected_group
        self.epochs = epochs
        self.lr = lr
        self.l2 = l2
        self.random_state = random_state

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, query_ids: Any = None) -> DELTR:
        if self.gamma < 0 or self.epochs < 1 or self.lr <= 0 or self.l2 < 0:
            raise InvalidParameterError("gamma and l2 must be >= 0, epochs >= 1 and lr > 0")
        if self.disparity not in ("one_sided", "squared"):
            raise InvalidParameterError(f"disparity must be 'one_sided' or 'squared', got {self.disparity!r}")
        torch = import_torch()
        rel = np.asarray(y, dtype=float).ravel()
        if not np.all(np.isfinite(rel)):
            raise DataError("relevance labels y must be finite numbers")
        groups = check_groups(sensitive_features, len(rel), binary=True, technique="DELTR").astype(str)
        self.groups_ = sorted(set(groups.tolist()))
        self.protected_group_ = protected_label(groups, self.protected_group)
        q = (
            np.zeros(len(rel), dtype=int)
            if query_ids is None
            else np.unique(np.asarray(query_ids), return_inverse=True)[1]
        )
        if len(q) != len(rel):
            raise DataError(f"query_ids has {len(q)} rows but X has {len(rel)}")
        self.encoder_ = FeatureEncoder()
        Z = torch.tensor(self.encoder_.fit_transform(X), dtype=torch.float32)
        torch.manual_seed(self.random_state)
        n_q = int(q.max()) + 1
        qt = torch.as_tensor(q)
        is_g1 = torch.tensor(groups == self.protected_group_, dtype=torch.float32)  # 1 = protected
        relt = torch.tensor(rel, dtype=torch.float32)
        # per-query group counts; queries holding a single group carry no disparity
        n1 = torch.zeros(n_q).index_add_(0, qt, is_g1)
        n0 = torch.zeros(n_q).index_add_(0, qt, 1 - is_g1)
        both = (n0 > 0) & (n1 > 0)
        size = n0 + n1
        target = self._query_softmax(torch, relt, qt, n_q)
        w = torch.zeros(Z.shape[1], requires_grad=True)
        opt = torch.optim.Adam([w], lr=self.lr, weight_decay=self.l2)
        for _ in range(self.epochs):
            opt.zero_grad()
            s = Z @ w
            logp = self._query_log_softmax(torch, s, qt, n_q)
            listnet = -torch.zeros(n_q).index_add_(0, qt, target * logp)
            p = logp.exp() * size[qt]  # exposure relative to a uniform ranking (1 = fair share)
            exp1 = torch.zeros(n_q).index_add_(0, qt, p * is_g1) / n1.clamp(min=1)
            exp0 = torch.zeros(n_q).index_add_(0, qt, p * (1 - is_g1)) / n0.clamp(min=1)
            gap = exp0 - exp1  # non-protected minus protected exposure
            if self.disparity == "one_sided":
                gap = gap.clamp(min=0.0)
            disparity = torch.where(both, gap**2, torch.zeros(n_q))
            loss = (listnet + self.gamma * disparity).mean()
            loss.backward()
            opt.step()
        self.coef_ = w.detach().numpy().astype(float)
        return self

    @staticmethod
    def _query_log_softmax(torch: Any, s: Any, q: Any, n_q: int) -> Any:
        mx = torch.full((n_q,), -1e30).scatter_reduce(0, q, s.detach(), reduce="amax")
        e = (s - mx[q]).exp()
        denom = torch.zeros(n_q).index_add_(0, q, e)
        return s - mx[q] - denom.log()[q]

    def _query_softmax(self, torch: Any, s: Any, q: Any, n_q: int) -> Any:
        return self._query_log_softmax(torch, s, q, n_q).exp()

    def predict(self, X: Any) -> np.ndarray:
        """Ranking scores (higher = ranked earlier)."""
        return self.encoder_.transform(X) @ self.coef_
