"""Optimized pre-processing (Calmon et al. 2017): a randomised mapping of discretised features and labels.

Own formulation with cvxpy. ``aif360.algorithms.preprocessing.OptimPreproc`` is not wrapped: it
calls ``DataFrame.applymap``, removed in pandas 3, and needs a hand-written distortion function.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import PreProcessorMixin, Resampled, group_labels
from fairmend.catalog.params import Param

from fairmend.errors import (
    ColumnNotFoundError,
    DataError,
    InvalidParameterError,
    MissingDependencyError,
    NotExecutableError,
)

from ._common import as_frame, check_binary_labels, check_groups, take_sensitive

MAX_VARIABLES = 200_000


class OptimizedPreprocessing(PreProcessorMixin):
    """Learn ``P(x_hat, y_hat | d, x, y)`` that keeps the data close while limiting discrimination.

    The chosen columns are discretised (numeric ones into ``n_bins`` quantile bins, categorical ones
    kept as categories), giving discrete states ``x``. With the empirical joint ``p(d, x, y)`` the
    linear program (cvxpy) finds a row-stochastic mapping ``P`` that

    * minimises the total-variation distance between ``p(x_hat, y_hat)`` and ``p(x, y)`` (utility),
    * keeps ``|p(y_hat = 1 | d) - p(y = 1)| <= epsilon * p(y = 1)`` for every group ``d``
      (discrimination control against the target distribution ``p_T = p(y)``),
    * keeps the expected distortion ``E[delta | d, x, y] <= distortion_bound`` for every state,
      where ``delta`` counts bins moved per numeric column, 1 per changed categorical value and
      ``label_cost`` for a changed label (individual distortion control).

    ``fit_resample`` draws ``(x_hat, y_hat)`` for every training row; the output X holds only the
    mapped columns (as in the paper: the model is trained on the transformed discrete features),
    numeric bins represented by their training median. ``transform`` draws ``x_hat`` from
    ``p(x_hat | d, x) = sum_y p(y | d, x) sum_y_hat P(x_hat, y_hat | d, x, y)``, so it needs the
    group of each row; states never seen in training are left unchanged.

    Parameters
    ----------
    columns : str
        Comma-separated columns to map (keep their joint cardinality small: the program has
        ``(groups * states * 2) * (states * 2)`` variables).
    n_bins : int
        Quantile bins per numeric column.
    epsilon : float
        Allowed relative deviation of each group's positive rate from the overall rate.
    distortion_bound : float
        Bound on each state's expected distortion.
    label_cost : float
        Distortion of changing the label.
    random_state : int
        Seed of the sampling from the mapping.

    References
    ----------
    Calmon, F. P., Wei, D., Vinzamuri, B., Ramamurthy, K. N. & Varshney, K. R. (2017). Optimized
    Pre-Processing for Discrimination Prevention. NeurIPS 2017.
    """

    def __init__(
        self,
        *,
        columns: Annotated[str | None, Param('Comma-separated columns to map (required; keep their joint cardinality small)')] = None,
        n_bins: Annotated[int, Param('Quantile bins per numeric column', range=(2.0, 20.0))] = 4,
        epsilon: Annotated[float, Param("Allowed relative deviation of each group's positive rate from the overall rate", range=(0.0, 1.0), tunable=True)] = 0.05,
        distortion_bound: Annotated[float, Param("Bound on each state's expected distortion (bins moved + label changes)", range=(0.0, 100.0))] = 1.0,
        label_cost: Annotated[float, Param('Distortion of changing the label', range=(0.0, 100.0))] = 1.0,
        random_state: Annotated[int, Param('Seed of the sampling from the mapping', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.columns = columns
        self.n_bins = n_bins
        self.epsilon = epsilon
        self.distortion_bound = distortion_bound
        self.label_cost = label_cost
        self.random_state = random_state

    # -- discretisation -------------------------------------------------------------------------
    def _discretise(self, X: pd.DataFrame) -> np.ndarray:
        codes = []
        for c in self.columns_:
            if c in self.edges_:
                codes.append(
                    np.clip(
                        np.searchsorted(self.edges_[c], X[c].to_numpy(float), "right"),
                        0,
                        len(self.values_[c]) - 1,
                    )
                )
            else:
                lookup = {v: i for i, v in enumerate(self.values_[c])}
                codes.append(np.array([lookup.get(v, -1) for v in X[c].astype(object)]))
        return np.column_stack(codes)

    def _fit_bins(self, X: pd.DataFrame) -> None:
        self.edges_: dict[str, np.ndarray] = {}
        self.values_: dict[str, list[Any]] = {}
        for c in self.columns_:
            if pd.api.types.is_numeric_dtype(X[c]) and not pd.api.types.is_bool_dtype(X[c]):
                x = X[c].to_numpy(float)
                inner = np.unique(np.quantile(x, np.linspace(0, 1, int(self.n_bins) + 1)[1:-1]))
                self.edges_[c] = inner
                b = np.searchsorted(inner, x, "right")
                self.values_[c] = [
                    float(np.median(x[b == k])) if np.any(b == k) else float("nan")
                    for k in range(len(inner) + 1)
                ]
            else:
                self.values_[c] = list(pd.unique(X[c].astype(object)))

    # -- fit ------------------------------------------------------------------------------------
    def fit(self, X: Any, y: Any, *, sensitive_features: Any) -> OptimizedPreprocessing:
        try:
            import cvxpy as cp
        except ImportError as exc:
            raise MissingDependencyError(
                "optimized_preprocessing_calmon needs cvxpy: pip install cvxpy"
            ) from exc
        X = as_frame(X)
        y = check_binary_labels(y, len(X))
        groups = check_groups(sensitive_features, len(X), technique="optimized pre-processing")
        self._check(X)
        self._fit_bins(X)
        codes = self._discretise(X)
        sizes = [len(self.values_[c]) for c in self.columns_]
        self.states_ = list(itertools.product(*[range(s) for s in sizes]))
        index = {s: i for i, s in enumerate(self.states_)}
        n_x = len(self.states_)
        self.groups_ = [str(g) for g in pd.unique(groups)]
        n_d = len(self.groups_)
        n_rows, n_cols = n_d * n_x * 2, n_x * 2
        if n_rows * n_cols > MAX_VARIABLES:
            raise NotExecutableError(
                f"optimized pre-processing over {', '.join(self.columns_)} needs {n_rows * n_cols} variables "
                f"(limit {MAX_VARIABLES}); choose fewer columns or fewer bins"
            )
        x_idx = np.array([index[tuple(r)] for r in codes])
        d_idx = np.array([self.groups_.index(g) for g in groups])
        row = (d_idx * n_x + x_idx) * 2 + y
        p_in = np.bincount(row, minlength=n_rows) / len(y)  # p(d, x, y)
        # distortion between (x, y) and (x_hat, y_hat)
        S = np.array(self.states_)
        numeric = np.array([c in self.edges_ for c in self.columns_])
        diff = np.abs(S[:, None, :] - S[None, :, :])
        dist_x = np.where(numeric, diff, diff > 0).sum(-1).astype(float)  # n_x x n_x
        delta = np.zeros((n_x * 2, n_x * 2))
        for yy in (0, 1):
            for yh in (0, 1):
                delta[yy::2, yh::2] = dist_x + float(self.label_cost) * (yy != yh)
        delta_rows = np.tile(delta, (n_d, 1))
        P = cp.Variable((n_rows, n_cols), nonneg=True)
        p_xy = np.bincount(x_idx * 2 + y, minlength=n_cols) / len(y)
        out = p_in @ P
        p_target = float(y.mean())
        cons = [
            cp.sum(P, axis=1) == 1,
            cp.sum(cp.multiply(P, delta_rows), axis=1) <= float(self.distortion_bound),
        ]
        for k in range(n_d):
            sl = slice(k * n_x * 2, (k + 1) * n_x * 2)
            p_d = p_in[sl].sum()
            pos_d = (p_in[sl] @ P[sl, :])[1::2]
            rate = cp.sum(pos_d) / p_d
            cons += [cp.abs(rate - p_target) <= float(self.epsilon) * p_target]
        problem = cp.Problem(cp.Minimize(cp.norm1(out - p_xy)), cons)
        problem.solve(solver=self._solver(cp))
        if P.value is None or problem.status not in ("optimal", "optimal_inaccurate"):
            raise NotExecutableError(
                f"optimized pre-processing found no mapping ({problem.status}); raise distortion_bound or epsilon"
            )
        M = np.clip(P.value, 0, None)
        self.mapping_ = M / M.sum(axis=1, keepdims=True)
        self.p_in_ = p_in
        self.objective_ = float(problem.value)
        return self

    @staticmethod
    def _solver(cp: Any) -> str | None:
        for name in ("CLARABEL", "HIGHS"):
            if name in cp.installed_solvers():
                return name
        return None

    def _check(self, X: pd.DataFrame) -> None:
        if not self.columns:
            raise InvalidParameterError("optimized pre-processing needs columns=... (a few columns to map)")
        self.columns_ = [c.strip() for c in str(self.columns).split(",") if c.strip()]
        for c in self.columns_:
            if c not in X.columns:
                raise ColumnNotFoundError(f"column {c!r} is not in X")
            if X[c].isna().any():
                raise DataError(f"column {c!r} has missing values")
        for name in ("epsilon", "distortion_bound", "label_cost"):
            if float(getattr(self, name)) < 0:
                raise InvalidParameterError(f"{name} must be non-negative")
        if int(self.n_bins) < 2:
            raise InvalidParameterError(f"n_bins must be at least 2, got {self.n_bins}")

    # -- apply ----------------------------------------------------------------------------------
    def _decode(self, x_states: np.ndarray, index: pd.Index) -> pd.DataFrame:
        S = np.array(self.states_)[x_states]
        return pd.DataFrame(
            {c: [self.values_[c][k] for k in S[:, j]] for j, c in enumerate(self.columns_)}, index=index
        )

    def _rows(self, X: pd.DataFrame, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        codes = self._discretise(X)
        index = {s: i for i, s in enumerate(self.states_)}
        x_idx = np.array([index.get(tuple(r), -1) for r in codes])
        unseen = sorted(set(groups) - set(self.groups_))
        if unseen:
            raise DataError(f"group(s) {', '.join(map(repr, unseen))} were not seen in fit")
        d_idx = np.array([self.groups_.index(g) for g in groups])
        return x_idx, d_idx

    def transform(self, X: Any, *, sensitive_features: Any = None) -> pd.DataFrame:
        X = as_frame(X)
        if sensitive_features is None:
            raise DataError("optimized pre-processing needs sensitive_features in transform")
        x_idx, d_idx = self._rows(X, group_labels(sensitive_features))
        rng = np.random.default_rng(int(self.random_state) + 1)
        n_x = len(self.states_)
        new = x_idx.copy()
        for i in np.flatnonzero(x_idx >= 0):
            base = (d_idx[i] * n_x + x_idx[i]) * 2
            w = self.p_in_[base : base + 2]
            w = w / w.sum() if w.sum() > 0 else np.array([0.5, 0.5])
            p_xhat = (w[:, None] * self.mapping_[base : base + 2]).sum(0)
            p_xhat = p_xhat[0::2] + p_xhat[1::2]
            new[i] = rng.choice(n_x, p=p_xhat / p_xhat.sum())
        out = self._decode(np.where(new >= 0, new, 0), X.index)
        for c in self.columns_:  # unseen states keep their original values
            out.loc[new < 0, c] = X.loc[new < 0, c].to_numpy()
        return out

    def fit_resample(self, X: Any, y: Any, *, sensitive_features: Any) -> Resampled:
        self.fit(X, y, sensitive_features=sensitive_features)
        X = as_frame(X)
        y = np.asarray(y).astype(int)
        x_idx, d_idx = self._rows(X, group_labels(sensitive_features))
        rng = np.random.default_rng(int(self.random_state))
        n_x = len(self.states_)
        rows = (d_idx * n_x + x_idx) * 2 + y
        draws = np.array([rng.choice(n_x * 2, p=self.mapping_[r]) for r in rows])
        new_X = self._decode(draws // 2, pd.RangeIndex(len(X)))
        return Resampled(
            X=new_X, y=draws % 2, sensitive_features=take_sensitive(sensitive_features, np.arange(len(X)))
        )
