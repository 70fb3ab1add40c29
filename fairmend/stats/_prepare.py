"""Input preparation shared by the statistical routines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from fairmend.errors import InvalidParameterError
from fairmend.metrics._api import FAIRNESS_METRICS, PERFORMANCE_METRICS, SCORE_ONLY, available_metrics
from fairmend.metrics._encode import GroupCodes, as_binary, as_scores, check_lengths, encode_groups


@dataclass
class Prepared:
    y: np.ndarray
    groups: GroupCodes
    preds: list[np.ndarray]
    scores: list[np.ndarray] | None

    @property
    def g(self) -> np.ndarray:
        return self.groups.codes

    @property
    def n_groups(self) -> int:
        return self.groups.n_groups


def prepare(y_true: Any, preds: list[Any], sensitive_features: Any, scores: list[Any] | None,
            names: tuple[str, ...] = ("y_pred",), score_names: tuple[str, ...] = ("y_score",)) -> Prepared:
    y = as_binary(y_true, "y_true")
    p = [as_binary(v, name) for v, name in zip(preds, names)]
    check_lengths(len(y), **dict(zip(names, p)))
    groups = encode_groups(sensitive_features, len(y))
    s = None
    if scores is not None and all(v is not None for v in scores):
        s = [as_scores(v, len(y), name) for v, name in zip(scores, score_names)]
    return Prepared(y, groups, p, s)


def resolve_metrics(metrics: Any, with_scores: bool) -> list[str]:
    """Default: every metric computable with the inputs; otherwise check each name."""
    if metrics is None:
        return available_metrics(with_scores)
    if isinstance(metrics, str):
        metrics = [metrics]
    known = set(FAIRNESS_METRICS) | set(PERFORMANCE_METRICS)
    out = []
    for m in metrics:
        if m not in known:
            raise InvalidParameterError(f"unknown metric {m!r}; known: {', '.join(sorted(known))}")
        if m in SCORE_ONLY and not with_scores:
            raise InvalidParameterError(f"metric {m!r} needs scores (y_score / scores_before and scores_after)")
        out.append(m)
    return list(dict.fromkeys(out))


def check_level(level: float) -> None:
    if not 0 < level < 1:
        raise InvalidParameterError(f"level must be in (0, 1), got {level!r}")


def check_positive(name: str, value: int) -> None:
    if int(value) < 1:
        raise InvalidParameterError(f"{name} must be a positive integer, got {value!r}")
