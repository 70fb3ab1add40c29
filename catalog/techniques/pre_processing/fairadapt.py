"""Fair data adaptation with quantile preservation (Plečko & Meinshausen 2020, *Fair Data Adaptation
with Quantile Preservation*, JMLR 21(242)); own implementation (the R package ``fairadapt`` that
AIF360 wraps is not available here).

The protected attribute ``A`` has a *reference* (advantaged) group. Features are visited in the
topological order of a DAG over the features (default: ``A → every feature``, no feature-feature
edges). For each non-reference row and feature ``V`` with feature parents ``pa(V)``:

1. its conditional rank ``u = F_{V | A=a, pa(V)=pa}(v)`` is computed among the rows of its own group
   in the same cell of (binned) *original* parent values (ties of discrete values get a uniform
   rank inside their step, the randomised probability integral transform, seeded),
2. ``V`` is replaced by the reference group's conditional quantile ``F^{-1}_{V | A=ref, pa(V)=pa~}(u)``
   in the cell of the *already adapted* parent values ``pa~``.

This is the paper's quantile-preservation step with the quantile regressions replaced by
rank-matching within bins of the parents (``n_bins`` quantile bins per numeric parent, categories
for categorical ones; cells with fewer than ``min_cell`` rows fall back to the marginal of the
group). Categorical features use conditional frequency mapping: categories are ordered by the
reference group's favourable-outcome rate, each row draws ``u`` uniformly inside its category's
cumulative-frequency interval (seeded), and takes the reference category whose interval holds
``u``. Reference rows are never changed; the label and resolving variables are kept.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import PreProcessorMixin, group_labels
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.pre_processing._common import (
    as_frame,
    categorical_columns,
    check_binary_labels,
    check_groups,
)

from fairmend.errors import ColumnNotFoundError, DataError


class FairAdapt(PreProcessorMixin):
    """Quantile-preserving causal data adaptation towards a reference group.

    Parameters
    ----------
    edges : str, optional
        Feature-to-feature edges (file or ``"a->b, ..."``); default: every feature depends on ``A`` only.
    resolving : str, optional
        Comma-separated features left unchanged (the paper's resolving variables).
    reference : str, optional
        Reference (advantaged) group; default: the group with the highest favourable rate.
    n_bins : int, default 4
        Quantile bins per numeric parent when conditioning on parents.
    min_cell : int, default 20
        Smallest parent cell used; smaller cells fall back to the group's marginal.
    seed : int, default 0
        Seed of the uniform draws inside categorical frequency intervals.

    References
    ----------
    Plečko, D. & Meinshausen, N. (2020). Fair data adaptation with quantile preservation. JMLR 21.
    """

    def __init__(
        self,
        edges: Annotated[str | None, Param('Feature-to-feature edges (file or ``"a->b, ..."``); default: every feature depends on ``A`` only')] = None,
        resolving: Annotated[str | None, Param("Comma-separated features left unchanged (the paper's resolving variables)")] = None,
        reference: Annotated[str | None, Param('Reference (advantaged) group; default: the group with the highest favourable rate')] = None,
        n_bins: Annotated[int, Param('Quantile bins per numeric parent when conditioning on parents', range=(1.0, 100.0))] = 4,
        min_cell: Annotated[int, Param("Smallest parent cell used; smaller cells fall back to the group's marginal", range=(1.0, 100000.0))] = 20,
        seed: Annotated[int, Param('Seed of the uniform draws inside categorical frequency intervals', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.edges = edges
        self.resolving = resolving
        self.reference = reference
        self.n_bins = n_bins
        self.min_cell = min_cell
        self.seed = seed

    def _order(self, X: pd.DataFrame) -> tuple[list[str], dict[str, list[str]]]:
        from fairmend.catalog.techniques.causal._common import as_columns
        from fairmend.catalog.techniques.causal._dag import DAG
        from fairmend.catalog.techniques.causal.dag import parse_edges

        parents: dict[str, list[str]] = {}
        dag = DAG(list(X.columns))
        for u, v in parse_edges(self.edges)[0]:
            for c in (u, v):
                if c not in X.columns:
                    raise ColumnNotFoundError(f"edge {u} -> {v}: column {c!r} is not a feature")
            dag.add_edge(u, v)
            parents.setdefault(v, []).append(u)
        self.resolving_ = as_columns(self.resolving) or []
        for c in self.resolving_:
            if c not in X.columns:
                raise ColumnNotFoundError(f"resolving column {c!r} is not a feature")
        return dag.topological_order(), parents

    def _cells(self, frame: pd.DataFrame, pa: list[str]) -> np.ndarray:
        if not pa:
            return np.zeros(len(frame), dtype=object)
        codes = []
        for p in pa:
            if p in self.edges_:
                codes.append(np.digitize(frame[p].to_numpy(float), self.edges_[p]).astype(str))
            else:
                codes.append(frame[p].astype(str).to_numpy())
        return np.array(["|".join(t) for t in zip(*codes, strict=True)], dtype=object)

    def fit(self, X: Any, y: Any, *, sensitive_features: Any) -> FairAdapt:
        X = as_frame(X).reset_index(drop=True)
        y = check_binary_labels(y, len(X))
        groups = check_groups(sensitive_features, len(X), technique="fairadapt")
        rates = pd.Series(y).groupby(groups).mean()
        ref = str(self.reference) if self.reference is not None else str(rates.idxmax())
        if ref not in set(groups):
            raise DataError(f"reference group {ref!r} does not occur in sensitive_features")
        if self.n_bins < 1 or self.min_cell < 1:
            raise DataError("n_bins and min_cell must be at least 1")
        self.order_, self.parents_ = self._order(X)
        self.reference_, self.groups_ = ref, sorted(set(groups))
        self.categorical_ = categorical_columns(X)
        self.int_columns_ = [c for c in X.columns if pd.api.types.is_integer_dtype(X[c])]
        self.dtypes_ = X.dtypes.to_dict()
        is_ref = groups == ref
        all_parents = {p for ps in self.parents_.values() for p in ps}
        self.edges_ = {
            p: np.unique(
                np.quantile(X.loc[is_ref, p].astype(float), np.linspace(0, 1, self.n_bins + 1)[1:-1])
            )
            for p in all_parents
            if p not in self.categorical_
        }
        self.cat_order_ = {}
        for c in self.categorical_:
            ranked = pd.Series(y[is_ref]).groupby(X.loc[is_ref, c].astype(str).to_numpy()).mean()
            seen = ranked.sort_values(kind="stable").index.tolist()
            self.cat_order_[c] = seen + sorted(set(X[c].astype(str)) - set(seen))
        self.train_ = (X.copy(), groups)
        return self

    def _values(self, frame: pd.DataFrame, groups: np.ndarray, g: str, cells: np.ndarray, cell: Any, c: str):
        rows = (groups == g) & (cells == cell)
        if rows.sum() < self.min_cell:
            rows = groups == g
        return frame.loc[rows, c].to_numpy()

    def _adapt(self, X: pd.DataFrame, groups: np.ndarray) -> pd.DataFrame:
        Xtr, gtr = self.train_
        out = X.copy()
        rng = np.random.default_rng(self.seed)
        for c in self.order_:
            if c in self.resolving_:
                continue
            pa = self.parents_.get(c, [])
            cells_orig_tr = self._cells(Xtr, pa)
            cells_orig = self._cells(X, pa)
            cells_new = self._cells(out, pa)
            new = out[c].to_numpy(dtype=object).copy()
            for g in self.groups_:
                if g == self.reference_:
                    continue
                for cell in pd.unique(cells_orig[groups == g]):
                    rows = np.flatnonzero((groups == g) & (cells_orig == cell))
                    own = self._values(Xtr, gtr, g, cells_orig_tr, cell, c)
                    u = self._ranks(X[c].to_numpy()[rows], own, c, rng)
                    for target_cell in pd.unique(cells_new[rows]):
                        sub = cells_new[rows] == target_cell
                        ref_vals = self._values(Xtr, gtr, self.reference_, cells_orig_tr, target_cell, c)
                        new[rows[sub]] = self._quantiles(u[sub], ref_vals, c)
            out[c] = self._cast(new, c)
        return out

    def _ranks(self, values: np.ndarray, own: np.ndarray, c: str, rng: np.random.Generator) -> np.ndarray:
        if c in self.categorical_:
            order = self.cat_order_[c]
            codes_own = pd.Index(order).get_indexer(own.astype(str))
            codes = pd.Index(order).get_indexer(values.astype(str))
            freq = np.bincount(codes_own[codes_own >= 0], minlength=len(order)) / max(
                (codes_own >= 0).sum(), 1
            )
            upper = np.cumsum(freq)
            lower = upper - freq
            lo = np.where(codes >= 0, lower[np.maximum(codes, 0)], 0.0)
            hi = np.where(codes >= 0, upper[np.maximum(codes, 0)], 1.0)
            return lo + (hi - lo) * rng.random(len(values))
        own_sorted = np.sort(own.astype(float))
        v = values.astype(float)
        # randomised probability integral transform: ties get a uniform rank inside their step
        lo = np.searchsorted(own_sorted, v, "left") / len(own_sorted)
        hi = np.searchsorted(own_sorted, v, "right") / len(own_sorted)
        return np.clip(lo + (hi - lo) * rng.random(len(v)), 0.0, 1.0)

    def _quantiles(self, u: np.ndarray, ref_vals: np.ndarray, c: str) -> np.ndarray:
        if c in self.categorical_:
            order = self.cat_order_[c]
            codes = pd.Index(order).get_indexer(ref_vals.astype(str))
            freq = np.bincount(codes[codes >= 0], minlength=len(order)).astype(float)
            cum = np.cumsum(freq) / freq.sum()
            idx = np.minimum(np.searchsorted(cum, u, side="right"), len(order) - 1)
            return np.asarray(order, dtype=object)[idx]
        return np.quantile(ref_vals.astype(float), u)

    def _cast(self, values: np.ndarray, c: str) -> pd.Series:
        if c in self.categorical_:
            return pd.Series(values, dtype=self.dtypes_[c])
        v = values.astype(float)
        if c in self.int_columns_:
            return pd.Series(np.round(v).astype(self.dtypes_[c]))
        return pd.Series(v.astype(self.dtypes_[c]))

    def transform(self, X: Any, *, sensitive_features: Any = None) -> pd.DataFrame:
        """Adapt rows of the non-reference groups (the attribute is needed at prediction time)."""
        if sensitive_features is None:
            raise DataError("fairadapt needs sensitive_features to adapt rows")
        X = as_frame(X)
        index = X.index
        X = X.reset_index(drop=True)[list(self.train_[0].columns)]
        groups = group_labels(sensitive_features)
        unknown = set(groups) - set(self.groups_)
        if unknown:
            raise DataError(f"groups {sorted(unknown)} were not seen when fitting fairadapt")
        out = self._adapt(X, groups)
        out.index = index
        return out


__all__ = ["FairAdapt"]
