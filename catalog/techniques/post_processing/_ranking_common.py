"""Input checks shared by the rankers (contract ``ranker``: ``rerank(scores, groups, *, k)``)."""

from __future__ import annotations

from typing import Any

import numpy as np
from fairmend.catalog.contracts import group_labels

from fairmend.errors import DataError, InvalidParameterError, SingleGroupError


def check_ranking_input(scores: Any, groups: Any, k: int) -> tuple[np.ndarray, np.ndarray, int]:
    s = np.asarray(scores, dtype=float).ravel()
    if s.size == 0 or not np.all(np.isfinite(s)):
        raise DataError("scores must be a non-empty array of finite numbers")
    g = group_labels(groups)
    if len(g) != len(s):
        raise DataError(f"groups has {len(g)} rows but scores has {len(s)}")
    if len(set(g.tolist())) < 2:
        raise SingleGroupError(f"all candidates are in group {g[0]!r}; nothing to re-rank for")
    if not 1 <= int(k) <= len(s):
        raise InvalidParameterError(f"k must be between 1 and the number of candidates ({len(s)}), got {k}")
    return s, g, int(k)


def protected_label(groups: np.ndarray, protected_group: str | None) -> str:
    """The protected group: as named, else the smallest group among the candidates."""
    values, counts = np.unique(groups, return_counts=True)
    if protected_group is None:
        return str(values[np.argmin(counts)])
    if str(protected_group) not in set(values.tolist()):
        raise DataError(
            f"protected_group {protected_group!r} is not among the candidates' groups {sorted(values)}"
        )
    return str(protected_group)


def by_score(s: np.ndarray, rows: np.ndarray) -> list[int]:
    """Row indices in ``rows`` sorted by descending score (stable on ties)."""
    return [int(i) for i in rows[np.argsort(-s[rows], kind="stable")]]
