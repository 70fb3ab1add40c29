"""Instance-weighting pre-processors: reweighing (Kamiran & Calders 2012) and FairBalance (Yu et al.).

Both only return ``sample_weight`` for the training rows; ``transform`` is the identity. Both take a
``strength`` in [0, 1] that interpolates every row's weight linearly between 1 (no repair) and the paper's
weight (:func:`interpolate`): ``w_s = 1 + s (w - 1)``; ``strength=1``, the default, is the paper's method.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import PreProcessorMixin, Resampled
from fairmend.catalog.params import Param

from ._common import as_frame, check_binary_labels, check_groups

STRENGTH = Param(
    "0 = unit weights (no repair), 1 = the paper's weights; linear in between", range=(0.0, 1.0), tunable=True
)


def interpolate(weight: float, strength: float) -> float:
    """``1 + strength (weight - 1)``: unit weight at 0, ``weight`` itself (exactly) at 1."""
    from fairmend.errors import InvalidParameterError

    if not 0.0 <= strength <= 1.0:
        raise InvalidParameterError(f"strength must lie in [0, 1], got {strength!r}")
    return weight if strength == 1.0 else 1.0 + strength * (weight - 1.0)


class Reweighing(PreProcessorMixin):
    """Weights that make the protected attribute and the label statistically independent.

    Each (group ``g``, label ``y``) cell gets weight ``P(g) P(y) / P(g, y)`` (expected over observed
    cell frequency), so that the weighted data satisfy ``P_w(y | g) = P(y)`` for every group.
    Works with any number of groups; for two groups the weights equal those of
    ``aif360.algorithms.preprocessing.Reweighing``.

    Parameters
    ----------
    strength : float in [0, 1]
        How far to move from the unweighted data towards independence: a cell's weight is
        ``1 + strength (P(g) P(y) / P(g, y) - 1)``. ``1`` (the default) gives the paper's weights exactly,
        ``0`` unit weights (the unrepaired baseline). Every group keeps its total weight ``|g|`` at any
        strength, so its weighted positive rate is exactly ``p_g + strength (p - p_g)``: linear from its
        observed rate ``p_g`` to the overall rate ``p``. This is the knob ``fairmend tune`` searches.

    References
    ----------
    Kamiran, F. & Calders, T. (2012). Data preprocessing techniques for classification without
    discrimination. Knowledge and Information Systems 33(1), 1-33.
    """

    def __init__(self, *, strength: Annotated[float, STRENGTH] = 1.0) -> None:
        self.strength = strength

    def fit(self, X: Any, y: Any, *, sensitive_features: Any) -> Reweighing:
        X = as_frame(X)
        y = check_binary_labels(y, len(X))
        groups = check_groups(sensitive_features, len(X), technique="reweighing")
        n = len(y)
        weights: dict[tuple[str, int], float] = {}
        for g in pd.unique(groups):
            in_g = groups == g
            for label in (0, 1):
                n_cell = int(np.sum(in_g & (y == label)))
                paper = float(in_g.sum() * np.sum(y == label) / (n * n_cell)) if n_cell else 0.0
                weights[(g, label)] = interpolate(paper, self.strength) if n_cell else 0.0
        self.weights_ = weights
        self.sample_weight_ = np.array([weights[(g, label)] for g, label in zip(groups, y, strict=True)])
        return self

    def fit_resample(self, X: Any, y: Any, *, sensitive_features: Any) -> Resampled:
        self.fit(X, y, sensitive_features=sensitive_features)
        return Resampled(
            X=as_frame(X),
            y=np.asarray(y).astype(int),
            sensitive_features=sensitive_features,
            sample_weight=self.sample_weight_.copy(),
        )


class FairBalance(PreProcessorMixin):
    """Weights that balance the class distribution inside every group (FairBalance).

    Row ``i`` in group ``g`` with label ``y`` gets weight ``|g| / |g, y|`` (``variant="fairbalance"``,
    the paper's Eq.: every group keeps its total weight but both of its classes get half of it), or
    ``1 / |g, y|`` (``variant="fairbalance_class"``, which also equalises the groups' total weights).
    After weighting, ``P_w(y = 1 | g) = 1/2`` in every group, which makes the label independent of
    the group (demographic parity of the training labels) and — as the paper argues — lets a
    learner equalise odds because each group's classes carry equal weight.

    ``strength`` in [0, 1] interpolates each (mean-1 normalised) weight ``w`` as ``1 + strength (w - 1)``:
    ``1`` (the default) is the paper's weighting exactly, ``0`` unit weights; the mean weight stays 1.

    References
    ----------
    Yu, Z., Chakraborty, J. & Menzies, T. (2024). FairBalance: How to Achieve Equalized Odds With
    Data Pre-processing. IEEE Transactions on Software Engineering; arXiv:2107.08310.
    """

    def __init__(
        self,
        *,
        variant: Annotated[
            str,
            Param(
                "|g|/|g,y| weights (fairbalance) or 1/|g,y| (fairbalance_class)",
                choices=("fairbalance", "fairbalance_class"),
            ),
        ] = "fairbalance",
        strength: Annotated[float, STRENGTH] = 1.0,
    ) -> None:
        self.variant = variant
        self.strength = strength

    def fit(self, X: Any, y: Any, *, sensitive_features: Any) -> FairBalance:
        from fairmend.errors import InvalidParameterError

        if self.variant not in ("fairbalance", "fairbalance_class"):
            raise InvalidParameterError(
                f"variant must be 'fairbalance' or 'fairbalance_class', got {self.variant!r}"
            )
        X = as_frame(X)
        y = check_binary_labels(y, len(X))
        groups = check_groups(sensitive_features, len(X), technique="FairBalance")
        weights: dict[tuple[str, int], float] = {}
        for g in pd.unique(groups):
            in_g = groups == g
            for label in (0, 1):
                n_cell = int(np.sum(in_g & (y == label)))
                num = float(in_g.sum()) if self.variant == "fairbalance" else 1.0
                weights[(g, label)] = num / n_cell if n_cell else 0.0
        w = np.array([weights[(g, label)] for g, label in zip(groups, y, strict=True)])
        scale = len(w) / float(w.sum())  # mean weight 1 so learners' regularisation keeps its scale
        self.weights_ = {k: interpolate(v * scale, self.strength) for k, v in weights.items()}
        self.sample_weight_ = np.array(
            [self.weights_[(g, label)] for g, label in zip(groups, y, strict=True)]
        )
        return self

    def fit_resample(self, X: Any, y: Any, *, sensitive_features: Any) -> Resampled:
        self.fit(X, y, sensitive_features=sensitive_features)
        return Resampled(
            X=as_frame(X),
            y=np.asarray(y).astype(int),
            sensitive_features=sensitive_features,
            sample_weight=self.sample_weight_.copy(),
        )
