"""Synthetic oversampling: SMOTE (Chawla et al. 2002) and Fair-SMOTE (Chakraborty et al. 2021).

Rows are generated in a numeric encoding of X (standardised numeric columns, one-hot categoricals;
:class:`NumericEncoder`) and mapped back to the original columns, so categorical values stay
valid categories and integer columns stay integers. Synthetic rows inherit the group (and the
label) of the stratum they were generated for.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import PreProcessorMixin, Resampled
from fairmend.catalog.params import Param

from fairmend.errors import DataError, InvalidParameterError

from ._common import NumericEncoder, as_frame, check_binary_labels, check_groups, take_sensitive


def _neighbours(Z: np.ndarray, k: int) -> np.ndarray:
    """Indices (into ``Z``) of each row's ``k`` nearest other rows; fewer when the stratum is small."""
    from sklearn.neighbors import NearestNeighbors

    k = min(k, len(Z) - 1)
    if k < 1:
        return np.zeros((len(Z), 0), dtype=int)
    nn = NearestNeighbors(n_neighbors=k + 1).fit(Z)
    idx = nn.kneighbors(Z, return_distance=False)
    return idx[:, 1:]


def _assemble(
    X: pd.DataFrame, y: np.ndarray, sensitive_features: Any, parts: list[tuple[pd.DataFrame, int, np.ndarray]]
) -> Resampled:
    """Original rows followed by synthetic ones; ``parts`` holds (rows, label, source row of each row's group)."""
    frames = [X.reset_index(drop=True)] + [p[0] for p in parts]
    labels = [y] + [np.full(len(p[0]), p[1]) for p in parts]
    group_rows = np.concatenate([np.arange(len(X))] + [np.asarray(p[2]) for p in parts]).astype(int)
    new_X = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return Resampled(
        X=new_X,
        y=np.concatenate(labels).astype(int),
        sensitive_features=take_sensitive(sensitive_features, group_rows),
    )


class SMOTEOversampling(PreProcessorMixin):
    """SMOTE oversampling of the minority class, per group (default) or over the whole training set.

    ``by="group"`` oversamples, inside every group, that group's minority class up to
    ``sampling_ratio`` times the size of its majority class: with ratio 1 every group ends up with a
    positive rate of 1/2, so the label no longer depends on the group. ``by="label"`` is classic
    SMOTE: the overall minority class is oversampled (neighbours searched across groups; synthetic
    rows take the group of their seed row).

    Parameters
    ----------
    by : {"group", "label"}
        Oversample within each group, or the class over the whole data.
    k_neighbors : int
        Neighbours (same stratum) a synthetic row may be interpolated towards.
    sampling_ratio : float in (0, 1]
        Target minority / majority size ratio.
    random_state : int
        Seed.

    References
    ----------
    Chawla, N. V., Bowyer, K. W., Hall, L. O. & Kegelmeyer, W. P. (2002). SMOTE: Synthetic Minority
    Over-sampling Technique. JAIR 16, 321-357.
    """

    def __init__(
        self, *, by: Annotated[str, Param("Oversample each group's minority class (group) or the overall minority class (label)", choices=('group', 'label'))] = "group", k_neighbors: Annotated[int, Param('Nearest neighbours to interpolate towards', range=(1.0, 100.0))] = 5, sampling_ratio: Annotated[float, Param('Target minority/majority size ratio', range=(0.01, 1.0))] = 1.0, random_state: Annotated[int, Param('Seed', range=(0.0, 2147483647.0))] = 0
    ) -> None:
        self.by = by
        self.k_neighbors = k_neighbors
        self.sampling_ratio = sampling_ratio
        self.random_state = random_state

    def fit(self, X: Any, y: Any, *, sensitive_features: Any) -> SMOTEOversampling:
        self.fit_resample(X, y, sensitive_features=sensitive_features)
        return self

    def fit_resample(self, X: Any, y: Any, *, sensitive_features: Any) -> Resampled:
        if self.by not in ("group", "label"):
            raise InvalidParameterError(f"by must be 'group' or 'label', got {self.by!r}")
        if not 0.0 < float(self.sampling_ratio) <= 1.0:
            raise InvalidParameterError(f"sampling_ratio must be in (0, 1], got {self.sampling_ratio}")
        if int(self.k_neighbors) < 1:
            raise InvalidParameterError(f"k_neighbors must be at least 1, got {self.k_neighbors}")
        X = as_frame(X)
        y = check_binary_labels(y, len(X))
        groups = check_groups(sensitive_features, len(X), technique="SMOTE oversampling")
        enc = NumericEncoder().fit(X)
        Z = enc.transform(X)
        rng = np.random.default_rng(self.random_state)
        strata = [groups == g for g in pd.unique(groups)] if self.by == "group" else [np.ones(len(y), bool)]
        parts = []
        for mask in strata:
            counts = [int(np.sum(mask & (y == lab))) for lab in (0, 1)]
            minority = int(np.argmin(counts))
            n_new = round(float(self.sampling_ratio) * max(counts)) - counts[minority]
            cell = np.flatnonzero(mask & (y == minority))
            if n_new <= 0 or len(cell) == 0:
                continue
            nbrs = _neighbours(Z[cell], int(self.k_neighbors))
            seeds = rng.integers(0, len(cell), size=n_new)
            if nbrs.shape[1]:
                partner = nbrs[seeds, rng.integers(0, nbrs.shape[1], size=n_new)]
                new_Z = Z[cell][seeds] + rng.random((n_new, 1)) * (Z[cell][partner] - Z[cell][seeds])
            else:
                new_Z = Z[cell][seeds]
            # each synthetic row takes the group of its seed row
            parts.append((enc.inverse(new_Z), minority, cell[seeds]))
        self.n_synthetic_ = int(sum(len(p[0]) for p in parts))
        return _assemble(X, y, sensitive_features, parts)


class FairSMOTE(PreProcessorMixin):
    """Fair-SMOTE: grow every (group, label) subgroup to the size of the largest one.

    New rows of a subgroup are made as in the paper's differential-evolution-style generation: a
    random parent and two distinct ones of its ``k_neighbors`` nearest neighbours ``c1``, ``c2`` in
    the subgroup; with probability ``crossover`` each numeric feature becomes ``parent + mutation *
    (c1 - c2)`` (clipped to the subgroup's observed range) and each categorical feature one of the
    three rows' values, otherwise the parent's value is kept. Balanced subgroups make label and group
    independent in the training data.

    With ``situation_testing=True`` the paper's second step also runs: a logistic regression with
    the group as a feature is fitted on the balanced data, and rows whose prediction changes when
    their group is switched to any other group are removed as likely biased labels.

    Parameters
    ----------
    k_neighbors : int
        Neighbours in the subgroup that parents are mixed with.
    crossover : float in [0, 1]
        Probability that a feature is regenerated (paper: cr = 0.8).
    mutation : float in [0, 1]
        Step size of the numeric mutation (paper: f = 0.8).
    situation_testing : bool
        Remove rows whose prediction flips with the group.
    random_state : int
        Seed.

    References
    ----------
    Chakraborty, J., Majumder, S. & Menzies, T. (2021). Bias in Machine Learning Software: Why? How?
    What to Do? ESEC/FSE 2021.
    """

    def __init__(
        self,
        *,
        k_neighbors: Annotated[int, Param('Neighbours in the subgroup that parents are mixed with', range=(2.0, 100.0))] = 5,
        crossover: Annotated[float, Param('Probability that a feature is regenerated', range=(0.0, 1.0))] = 0.8,
        mutation: Annotated[float, Param('Step size of the numeric mutation', range=(0.0, 1.0))] = 0.8,
        situation_testing: Annotated[bool, Param('Remove rows whose prediction flips when the group is switched')] = False,
        random_state: Annotated[int, Param('Seed', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.k_neighbors = k_neighbors
        self.crossover = crossover
        self.mutation = mutation
        self.situation_testing = situation_testing
        self.random_state = random_state

    def fit(self, X: Any, y: Any, *, sensitive_features: Any) -> FairSMOTE:
        self.fit_resample(X, y, sensitive_features=sensitive_features)
        return self

    def _generate(
        self, cell_X: pd.DataFrame, n_new: int, enc: NumericEncoder, rng: np.random.Generator
    ) -> pd.DataFrame:
        Z = enc.transform(cell_X)
        nbrs = _neighbours(Z, int(self.k_neighbors))
        parents = rng.integers(0, len(cell_X), size=n_new)
        if nbrs.shape[1] == 0:
            return cell_X.iloc[parents].reset_index(drop=True)
        # two distinct neighbours, drawn without replacement (the same one twice would make
        # ``c1 - c2 = 0`` and copy the parent); a two-row subgroup has a single neighbour
        m = nbrs.shape[1]
        j1 = rng.integers(0, m, size=n_new)
        j2 = (j1 + rng.integers(1, m, size=n_new)) % m if m > 1 else j1
        c1, c2 = nbrs[parents, j1], nbrs[parents, j2]
        out = {}
        for c in cell_X.columns:
            values = cell_X[c].to_numpy()
            base = values[parents]
            change = rng.random(n_new) < float(self.crossover)
            if c in enc.nums_:
                v = values.astype(float)
                new = np.clip(v[parents] + float(self.mutation) * (v[c1] - v[c2]), v.min(), v.max())
                if c in enc.int_cols_:
                    new = np.round(new)
                col = np.where(change, new, v[parents])
                out[c] = pd.Series(col).astype(cell_X[c].dtype).to_numpy()
            else:
                pick = rng.integers(0, 3, size=n_new)
                choice = np.where(pick == 0, base, np.where(pick == 1, values[c1], values[c2]))
                out[c] = np.where(change, choice, base)
        return pd.DataFrame(out).astype(cell_X.dtypes.to_dict())

    def fit_resample(self, X: Any, y: Any, *, sensitive_features: Any) -> Resampled:
        for name in ("crossover", "mutation"):
            if not 0.0 <= float(getattr(self, name)) <= 1.0:
                raise InvalidParameterError(f"{name} must be in [0, 1], got {getattr(self, name)}")
        if int(self.k_neighbors) < 2:
            raise InvalidParameterError(f"k_neighbors must be at least 2, got {self.k_neighbors}")
        X = as_frame(X).reset_index(drop=True)
        y = check_binary_labels(y, len(X))
        groups = check_groups(sensitive_features, len(X), technique="Fair-SMOTE")
        enc = NumericEncoder().fit(X)
        rng = np.random.default_rng(self.random_state)
        cells = {
            (g, lab): np.flatnonzero((groups == g) & (y == lab)) for g in pd.unique(groups) for lab in (0, 1)
        }
        empty = [k for k, v in cells.items() if len(v) == 0]
        if empty:
            raise DataError(f"Fair-SMOTE needs both labels in every group; empty subgroup(s) {empty}")
        target = max(len(v) for v in cells.values())
        parts = []
        for (g, lab), idx in cells.items():
            n_new = target - len(idx)
            if n_new > 0:
                parts.append((self._generate(X.iloc[idx], n_new, enc, rng), lab, np.full(n_new, idx[0])))
        res = _assemble(X, y, sensitive_features, parts)
        self.n_synthetic_ = int(sum(len(p[0]) for p in parts))
        self.n_removed_ = 0
        if self.situation_testing:
            res = self._situation_test(res)
        return res

    def _situation_test(self, res: Resampled) -> Resampled:
        from fairmend.catalog.contracts import group_labels
        from sklearn.linear_model import LogisticRegression

        groups = group_labels(res.sensitive_features)
        levels = list(pd.unique(groups))
        enc = NumericEncoder().fit(res.X)
        Z = enc.transform(res.X)

        def with_group(g: np.ndarray) -> np.ndarray:
            return np.hstack([Z, (g[:, None] == np.array(levels, dtype=object)[None, :]).astype(float)])

        model = LogisticRegression(max_iter=2000).fit(with_group(groups), res.y)
        pred = model.predict(with_group(groups))
        biased = np.zeros(len(groups), dtype=bool)
        for other in levels:
            switched = np.full(len(groups), other, dtype=object)
            biased |= (model.predict(with_group(switched)) != pred) & (groups != other)
        keep = np.flatnonzero(~biased)
        self.n_removed_ = int(biased.sum())
        return Resampled(
            X=res.X.iloc[keep].reset_index(drop=True),
            y=res.y[keep],
            sensitive_features=take_sensitive(res.sensitive_features, keep),
        )
