"""Feature drift between a reference and a current window.

* Kolmogorov–Smirnov two-sample test for numeric columns (Smirnov 1948).
* Pearson's chi-square test of homogeneity for categorical columns (Pearson 1900).
* Population stability index ``PSI = Σ (c_i − r_i) ln(c_i / r_i)`` over reference-quantile bins
  (numeric) or categories; conventional reading: < 0.1 stable, 0.1–0.25 moderate, > 0.25 major.
* Maximum mean discrepancy with an RBF kernel (median-heuristic bandwidth) and a permutation
  p-value (Gretton et al. 2012, *A Kernel Two-Sample Test*, JMLR 13), on subsamples.

A column alerts when its test's p-value is below ``alpha`` divided by the number of columns
(Bonferroni), so unchanged data raise an alert on some column with probability at most ``alpha``.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.monitoring._common import require, windows
from scipy import stats

EPS = 1e-4


def _numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s) and s.nunique() > 10


def psi(reference: pd.Series, current: pd.Series, n_bins: int = 10) -> float:
    """Population stability index of ``current`` against ``reference``."""
    if _numeric(reference):
        edges = np.unique(np.quantile(reference.dropna().astype(float), np.linspace(0, 1, n_bins + 1)))
        edges[0], edges[-1] = -np.inf, np.inf
        r = np.histogram(reference.dropna().astype(float), edges)[0]
        c = np.histogram(current.dropna().astype(float), edges)[0]
    else:
        cats = sorted(set(reference.dropna().astype(str)) | set(current.dropna().astype(str)))
        r = reference.dropna().astype(str).value_counts().reindex(cats, fill_value=0).to_numpy()
        c = current.dropna().astype(str).value_counts().reindex(cats, fill_value=0).to_numpy()
    rp = np.clip(r / max(r.sum(), 1), EPS, None)
    cp = np.clip(c / max(c.sum(), 1), EPS, None)
    return float(np.sum((cp - rp) * np.log(cp / rp)))


def column_test(reference: pd.Series, current: pd.Series) -> dict[str, Any]:
    """KS for numeric columns, chi-square for the others; plus PSI."""
    ref, cur = reference.dropna(), current.dropna()
    if _numeric(ref):
        res = stats.ks_2samp(ref.astype(float), cur.astype(float))
        out = {
            "kind": "numeric",
            "test": "ks",
            "statistic": float(res.statistic),
            "p_value": float(res.pvalue),
        }
    else:
        r, c = ref.astype(str), cur.astype(str)
        cats = sorted(set(r) | set(c))
        table = np.vstack(
            [r.value_counts().reindex(cats, fill_value=0), c.value_counts().reindex(cats, fill_value=0)]
        )
        if len(cats) < 2:
            out = {"kind": "categorical", "test": "chi_square", "statistic": 0.0, "p_value": 1.0}
        else:
            chi2, p, _, _ = stats.chi2_contingency(table)
            out = {"kind": "categorical", "test": "chi_square", "statistic": float(chi2), "p_value": float(p)}
    value = psi(ref, cur)
    out["psi"] = value
    out["psi_level"] = "stable" if value < 0.1 else "moderate" if value < 0.25 else "major"
    return out


def drift_table(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    columns: list[str],
    alpha: float = 0.05,
    only: str | None = None,
) -> pd.DataFrame:
    """One row per column with its test, PSI and ``alert`` (Bonferroni over ``columns``)."""
    rows = []
    for col in columns:
        t = column_test(reference[col], current[col])
        if only and t["test"] != only:
            continue
        rows.append({"column": col, **t})
    table = pd.DataFrame(rows, columns=["column", "kind", "test", "statistic", "p_value", "psi", "psi_level"])
    level = alpha / max(len(table), 1)
    table["alert"] = table["p_value"] < level
    return table


def mmd_test(X: np.ndarray, Y: np.ndarray, *, n_permutations: int = 200, seed: int = 0) -> dict[str, float]:
    """Unbiased MMD² with an RBF kernel (median heuristic) and a permutation p-value."""
    Z = np.vstack([X, Y]).astype(float)
    sq = np.sum(Z**2, 1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * Z @ Z.T, 0)
    bandwidth = float(np.median(d2[np.triu_indices(len(Z), 1)])) or 1.0
    K = np.exp(-d2 / bandwidth)
    n = len(X)

    def mmd2(idx: np.ndarray) -> float:
        a, b = idx[:n], idx[n:]
        Kaa, Kbb, Kab = K[np.ix_(a, a)], K[np.ix_(b, b)], K[np.ix_(a, b)]
        m, k = len(a), len(b)
        return float(
            (Kaa.sum() - np.trace(Kaa)) / (m * (m - 1))
            + (Kbb.sum() - np.trace(Kbb)) / (k * (k - 1))
            - 2 * Kab.mean()
        )

    rng = np.random.default_rng(seed)
    base = np.arange(len(Z))
    if min(n, len(Z) - n) < 2:  # the unbiased estimate needs two rows per sample
        return {"mmd2": float("nan"), "p_value": float("nan"), "bandwidth": bandwidth}
    observed = mmd2(base)
    if not np.isfinite(observed):  # e.g. missing values: no statistic, so no evidence and no alert
        return {"mmd2": float("nan"), "p_value": float("nan"), "bandwidth": bandwidth}
    perms = np.array([mmd2(rng.permutation(base)) for _ in range(n_permutations)])
    p = (1 + np.sum(perms >= observed)) / (1 + n_permutations)
    return {"mmd2": observed, "p_value": float(p), "bandwidth": bandwidth}


class _DriftBase:
    def __init__(
        self,
        reference: Annotated[str | None, Param('Reference data file (default: first rows of data)')] = None,
        reference_fraction: Annotated[float, Param('Share of rows used as reference when no file', range=(0.05, 0.95))] = 0.5,
        columns: Annotated[str | None, Param('Comma-separated columns (default: all)')] = None,
        alpha: Annotated[float, Param('Family-wise level (Bonferroni)', range=(0.0001, 0.5))] = 0.05,
    ) -> None:
        self.reference = reference
        self.reference_fraction = reference_fraction
        self.columns = columns
        self.alpha = alpha

    technique = ""
    only: str | None = None

    def _columns(self, data: pd.DataFrame, protected: Any, outcome: str | None) -> list[str]:
        if self.columns:
            cols = [c.strip() for c in self.columns.split(",") if c.strip()]
            require(data, *cols)
            return cols
        return list(data.columns)

    def run(
        self,
        data: pd.DataFrame,
        *,
        protected: Any = None,
        outcome: str | None = None,
        predictions: Any = None,
        scores: Any = None,
    ) -> AnalysisResult:
        ref, cur = windows(data, self.reference, self.reference_fraction)
        table = drift_table(ref, cur, self._columns(data, protected, outcome), self.alpha, self.only)
        summary = {
            "n_reference": len(ref),
            "n_current": len(cur),
            "alpha": self.alpha,
            "columns_tested": len(table),
            "alerts": table.loc[table["alert"], "column"].tolist(),
            "any_alert": bool(table["alert"].any()),
        }
        return AnalysisResult(technique=self.technique, summary=summary, tables={"drift": table})


class KSDriftTest(_DriftBase):
    """Kolmogorov–Smirnov drift test of every numeric column (Smirnov 1948), with PSI.

    Parameters
    ----------
    reference : str, optional
        Reference data file; default: the first ``reference_fraction`` of the rows.
    reference_fraction : float, default 0.5
    columns : str, optional
        Comma-separated columns (default: all).
    alpha : float, default 0.05
        Family-wise level (Bonferroni over the columns tested).
    """

    technique = "ks_drift_test"
    only = "ks"


class ChiSquareDriftTest(_DriftBase):
    """Pearson chi-square drift test of every categorical column (Pearson 1900), with PSI.

    Same parameters as :class:`KSDriftTest`.
    """

    technique = "chi_square_drift_test"
    only = "chi_square"


class MMDDriftTest:
    """Multivariate drift: MMD two-sample test with an RBF kernel (Gretton et al. 2012).

    Parameters
    ----------
    reference : str, optional
    reference_fraction : float, default 0.5
    columns : str, optional
        Comma-separated columns (default: all; one-hot encoded and standardised on the reference).
    max_rows : int, default 500
        Rows sampled from each window (the kernel matrix is quadratic).
    n_permutations : int, default 200
    alpha : float, default 0.05
    seed : int, default 0
    """

    technique = "mmd_drift_test"

    def __init__(
        self,
        reference: Annotated[str | None, Param('Reference data file')] = None,
        reference_fraction: Annotated[float, Param('Reference share when no file', range=(0.05, 0.95))] = 0.5,
        columns: Annotated[str | None, Param('Comma-separated columns')] = None,
        max_rows: Annotated[int, Param('Rows sampled per window', range=(20.0, 5000.0))] = 500,
        n_permutations: Annotated[int, Param('Permutations of the p-value', range=(20.0, 10000.0))] = 200,
        alpha: Annotated[float, Param('Alert level', range=(0.0001, 0.5))] = 0.05,
        seed: Annotated[int, Param('Seed', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.reference = reference
        self.reference_fraction = reference_fraction
        self.columns = columns
        self.max_rows = max_rows
        self.n_permutations = n_permutations
        self.alpha = alpha
        self.seed = seed

    def run(
        self,
        data: pd.DataFrame,
        *,
        protected: Any = None,
        outcome: str | None = None,
        predictions: Any = None,
        scores: Any = None,
    ) -> AnalysisResult:
        ref, cur = windows(data, self.reference, self.reference_fraction)
        cols = [c.strip() for c in self.columns.split(",")] if self.columns else list(data.columns)
        require(data, *cols)
        ref = ref.sample(n=min(self.max_rows, len(ref)), random_state=self.seed)
        cur = cur.sample(n=min(self.max_rows, len(cur)), random_state=self.seed + 1)
        both = pd.get_dummies(pd.concat([ref[cols], cur[cols]], ignore_index=True), dtype=float).fillna(0.0)
        mu, sd = both.iloc[: len(ref)].mean(), both.iloc[: len(ref)].std().replace(0, 1).fillna(1)
        Z = ((both - mu) / sd).to_numpy()
        res = mmd_test(Z[: len(ref)], Z[len(ref) :], n_permutations=self.n_permutations, seed=self.seed)
        summary = {
            "n_reference": len(ref),
            "n_current": len(cur),
            "columns": cols,
            **res,
            "alpha": self.alpha,
            "alert": bool(res["p_value"] < self.alpha),
        }
        return AnalysisResult(technique=self.technique, summary=summary)


__all__ = [
    "ChiSquareDriftTest",
    "KSDriftTest",
    "MMDDriftTest",
    "column_test",
    "drift_table",
    "mmd_test",
    "psi",
]
