"""Re-ranking with group representation constraints in the top k.

* :class:`DeterministicReranker` — Geyik, Ambler & Kenthapadi (2019), DetGreedy / DetCons.
* :class:`FAIRTopK` — Zehlike et al. (2017), FA*IR ranked group fairness via a binomial test.

Exposure-based re-ranking (Singh & Joachims 2018) lives in :mod:`.exposure`.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import numpy as np
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.post_processing._ranking_common import (
    by_score,
    check_ranking_input,
    protected_label,
)
from scipy.stats import binom
from sklearn.base import BaseEstimator

from fairmend.errors import InvalidParameterError


class DeterministicReranker(BaseEstimator):
    """Greedy re-ranking so every prefix of length ``j`` holds at least ``floor(j p_g)`` and at most
    ``ceil(j p_g)`` candidates of each group ``g`` (when the candidates allow).

    ``algorithm="det_greedy"``: a group below its minimum gets the position (the highest-scored
    such candidate); otherwise the highest-scored candidate among groups below their maximum.
    ``algorithm="det_cons"``: as DetGreedy when a minimum binds, otherwise the group whose
    maximum ``ceil(j p_g) / p_g`` comes soonest — a more conservative spread of the minority.

    Target proportions ``p_g``: the groups' shares among all candidates, or, with
    ``protected_group`` and ``target_proportion``, that share for the protected group and the
    rest split in proportion among the others.

    Parameters
    ----------
    algorithm : str
        ``det_greedy`` or ``det_cons``.
    target_proportion : float or None
        Desired share of ``protected_group`` in every prefix.
    protected_group : str or None
        Group the ``target_proportion`` refers to (default: the smallest group).

    References
    ----------
    Geyik, S. C., Ambler, S., Kenthapadi, K. (2019). Fairness-Aware Ranking in Search &
    Recommendation Systems with Application to LinkedIn Talent Search. KDD.
    """

    def __init__(
        self,
        *,
        algorithm: Annotated[str, Param('DetGreedy or DetCons', choices=('det_greedy', 'det_cons'))] = "det_greedy",
        target_proportion: Annotated[float | None, Param('Share of protected_group in every prefix; empty = pool shares', range=(0.0, 1.0), tunable=True)] = None,
        protected_group: Annotated[str | None, Param('Group target_proportion refers to; empty = smallest group')] = None,
    ) -> None:
        self.algorithm = algorithm
        self.target_proportion = target_proportion
        self.protected_group = protected_group

    def targets(self, groups: np.ndarray) -> dict[str, float]:
        values, counts = np.unique(groups, return_counts=True)
        share = {str(v): c / len(groups) for v, c in zip(values, counts, strict=True)}
        if self.target_proportion is None:
            return share
        p = float(self.target_proportion)
        if not 0.0 <= p <= 1.0:
            raise InvalidParameterError(f"target_proportion must be in [0, 1], got {p}")
        prot = protected_label(groups, self.protected_group)
        rest = 1.0 - share[prot]
        return {g: (p if g == prot else (1.0 - p) * v / rest) for g, v in share.items()}

    def rerank(self, scores: Any, groups: Any, *, k: int) -> np.ndarray:
        if self.algorithm not in ("det_greedy", "det_cons"):
            raise InvalidParameterError(f"algorithm must be det_greedy or det_cons, got {self.algorithm!r}")
        s, g, k = check_ranking_input(scores, groups, k)
        p = self.targets(g)
        queues = {grp: by_score(s, np.flatnonzero(g == grp)) for grp in p}
        count = dict.fromkeys(p, 0)
        out: list[int] = []
        for j in range(1, k + 1):
            avail = [grp for grp in p if count[grp] < len(queues[grp])]
            below_min = [grp for grp in avail if count[grp] < math.floor(j * p[grp])]
            if below_min:
                pick = max(below_min, key=lambda grp: s[queues[grp][count[grp]]])
            else:
                below_max = [grp for grp in avail if count[grp] < math.ceil(j * p[grp])] or avail
                if self.algorithm == "det_greedy" or len(below_max) == 1:
                    pick = max(below_max, key=lambda grp: s[queues[grp][count[grp]]])
                else:
                    pick = min(
                        below_max,
                        key=lambda grp: (
                            math.ceil(j * p[grp]) / max(p[grp], 1e-12),
                            -s[queues[grp][count[grp]]],
                        ),
                    )
            out.append(queues[pick][count[pick]])
            count[pick] += 1
        return np.asarray(out, dtype=int)


def fair_minimum_table(k: int, p: float, alpha: float) -> np.ndarray:
    """FA*IR's table ``m(j)``, ``j = 1..k``: the fewest protected candidates a fair top-``j`` may hold,
    the ``alpha`` quantile of Binomial(``j``, ``p``) (``scipy.stats.binom.ppf``)."""
    j = np.arange(1, k + 1)
    return binom.ppf(alpha, j, p).astype(int)


def adjusted_alpha(k: int, p: float, alpha: float, *, n_sim: int = 2000, seed: int = 0) -> float:
    """Corrected significance so the whole top-``k`` fails a fair ranking with probability ``alpha``.

    Zehlike et al. compute the multiple-test correction exactly; here it is found by bisection
    on a Monte Carlo estimate over ``n_sim`` Bernoulli(``p``) rankings.
    """
    rng = np.random.default_rng(seed)
    cum = np.cumsum(rng.random((n_sim, k)) < p, axis=1)

    def fail_rate(a: float) -> float:
        return float(np.mean(np.any(cum < fair_minimum_table(k, p, a)[None, :], axis=1)))

    lo, hi = 0.0, alpha
    for _ in range(30):
        mid = (lo + hi) / 2.0
        lo, hi = (mid, hi) if fail_rate(mid) <= alpha else (lo, mid)
    return lo


class FAIRTopK(BaseEstimator):
    """FA*IR: the best-scored top-``k`` that passes the ranked group fairness test at every prefix.

    At position ``j`` the protected candidate with the highest score is taken when the prefix
    holds fewer than ``m(j)`` protected candidates (:func:`fair_minimum_table`); otherwise the
    best remaining candidate of either group. With ``adjust_alpha`` the significance is corrected
    for the ``k`` dependent tests (:func:`adjusted_alpha`).

    Parameters
    ----------
    p : float
        Minimum target proportion of protected candidates.
    alpha : float
        Significance of the binomial test.
    protected_group : str or None
        The protected group (default: the smallest group). Other groups are pooled.
    adjust_alpha : bool
        Apply the multiple-test correction.

    References
    ----------
    Zehlike, M., Bonchi, F., Castillo, C., Hajian, S., Megahed, M., Baeza-Yates, R. (2017).
    FA*IR: A Fair Top-k Ranking Algorithm. CIKM.
    """

    def __init__(
        self,
        *,
        p: Annotated[float, Param('Minimum target proportion of protected candidates', range=(0.0, 1.0), tunable=True)] = 0.5,
        alpha: Annotated[float, Param('Significance of the binomial test', range=(0.0, 1.0))] = 0.1,
        protected_group: Annotated[str | None, Param('Protected group; empty = smallest group')] = None,
        adjust_alpha: Annotated[bool, Param('Correct alpha for the k dependent tests')] = False,
    ) -> None:
        self.p = p
        self.alpha = alpha
        self.protected_group = protected_group
        self.adjust_alpha = adjust_alpha

    def rerank(self, scores: Any, groups: Any, *, k: int) -> np.ndarray:
        if not 0.0 < float(self.p) < 1.0 or not 0.0 < float(self.alpha) < 1.0:
            raise InvalidParameterError("p and alpha must be in (0, 1)")
        s, g, k = check_ranking_input(scores, groups, k)
        prot = protected_label(g, self.protected_group)
        alpha = (
            adjusted_alpha(k, float(self.p), float(self.alpha)) if self.adjust_alpha else float(self.alpha)
        )
        self.alpha_used_ = alpha
        self.minimum_table_ = fair_minimum_table(k, float(self.p), alpha)
        protected = by_score(s, np.flatnonzero(g == prot))
        others = by_score(s, np.flatnonzero(g != prot))
        i = o = 0
        out: list[int] = []
        for j in range(k):
            need = i < len(protected) and i < self.minimum_table_[j]
            take_prot = need or (i < len(protected) and (o >= len(others) or s[protected[i]] >= s[others[o]]))
            if take_prot:
                out.append(protected[i])
                i += 1
            else:
                out.append(others[o])
                o += 1
        return np.asarray(out, dtype=int)
