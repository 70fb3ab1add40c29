"""Score metrics of a Dask audit from per-partition score histograms.

With ``--scores`` each partition is grouped by (protected values, outcome, decision, equal-width decile
``bin``, fine bin of width 1/:data:`FINE_BINS`) with the row count, the sum of scores and the sum of
squared scores. From the combined table:

* exact (up to floating-point summation order): Brier score, ECE over 10 equal-width bins (overall, per
  group, ``ece_difference``) and the equal-width reliability diagram;
* from the fine histogram (ties within a 1/1000-wide bin count one half): ROC AUC, the equal-mass ECE
  (``ece_equal_mass``) and the equal-mass reliability diagram, whose bin edges are interpolated from the
  histogram's cumulative counts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fairmend.metrics._scores import DEFAULT_BINS

FINE_BINS = 1000
BIN, FINE, N, S1, S2 = "__bin__", "__fine__", "__rows__", "__s1__", "__s2__"


def partial_scores(part: pd.DataFrame, keys: list[str], score: str) -> pd.DataFrame:
    """One partition's rows per ``keys`` x decile x fine bin, with score sums (invalid scores: fine bin -1)."""
    s = pd.to_numeric(part[score], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    ok = np.isfinite(s) & (s >= 0) & (s <= 1)
    clean = np.where(ok, s, 0.0)
    frame = part[keys].copy()
    frame[BIN] = np.minimum((clean * DEFAULT_BINS).astype(np.int64), DEFAULT_BINS - 1)
    frame[FINE] = np.where(ok, np.minimum((clean * FINE_BINS).astype(np.int64), FINE_BINS - 1), -1)
    frame[S1], frame[S2] = clean, clean * clean
    grouped = frame.groupby([*keys, BIN, FINE], dropna=False, observed=True, sort=False)
    out = grouped[[S1, S2]].sum()
    out[N] = grouped.size()
    return out.reset_index()


def combine_scores(parts: list[pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    frame = pd.concat(parts, ignore_index=True)
    return (
        frame.groupby([*keys, BIN, FINE], dropna=False, observed=True, sort=False)[[N, S1, S2]]
        .sum()
        .reset_index()
    )


def _auc(fine: np.ndarray, y: np.ndarray, n: np.ndarray) -> float:
    pos = np.bincount(fine, weights=n * y, minlength=FINE_BINS)
    neg = np.bincount(fine, weights=n * (1 - y), minlength=FINE_BINS)
    if pos.sum() == 0 or neg.sum() == 0:
        return float("nan")
    below = np.cumsum(neg) - neg
    return float(np.sum(pos * (below + 0.5 * neg)) / (pos.sum() * neg.sum()))


def _ece(bins: np.ndarray, y: np.ndarray, n: np.ndarray, s1: np.ndarray, size: int) -> float:
    cnt = np.bincount(bins, weights=n, minlength=size)
    gap = np.abs(
        np.bincount(bins, weights=n * y, minlength=size) - np.bincount(bins, weights=s1, minlength=size)
    )
    return float(gap.sum() / cnt.sum()) if cnt.sum() > 0 else float("nan")


def equal_mass_edges(fine: np.ndarray, n: np.ndarray, n_bins: int = DEFAULT_BINS) -> np.ndarray:
    """Quantile edges of the scores, interpolated within the fine bins (as ``equal_mass_edges`` bounds them)."""
    hist = np.bincount(fine, weights=n, minlength=FINE_BINS)
    cdf = np.concatenate([[0.0], np.cumsum(hist)]) / hist.sum()
    edges = np.interp(np.linspace(0.0, 1.0, n_bins + 1), cdf, np.linspace(0.0, 1.0, FINE_BINS + 1))
    edges[0], edges[-1] = 0.0, 1.0
    return edges


def _mass_bins(fine: np.ndarray, edges: np.ndarray) -> np.ndarray:
    centres = (fine + 0.5) / FINE_BINS
    return np.searchsorted(edges[1:-1], centres, side="right").astype(np.int64)


class ScoreTable:
    """The combined histogram table: one row per (protected values, y, decision, decile, fine bin)."""

    def __init__(self, table: pd.DataFrame):
        self.table = table
        self.y = table["__y__"].to_numpy(dtype=float)
        self.n = table[N].to_numpy(dtype=float)
        self.s1, self.s2 = table[S1].to_numpy(dtype=float), table[S2].to_numpy(dtype=float)
        self.bin, self.fine = table[BIN].to_numpy(dtype=np.int64), table[FINE].to_numpy(dtype=np.int64)

    def _brier(self, rows: np.ndarray) -> float:
        n = self.n[rows].sum()
        total = self.s2[rows] - 2 * self.y[rows] * self.s1[rows] + self.y[rows] * self.n[rows]
        return float(total.sum() / n) if n > 0 else float("nan")

    def _parts(self, rows: np.ndarray) -> tuple[np.ndarray, ...]:
        return self.fine[rows], self.y[rows], self.n[rows], self.s1[rows], self.bin[rows]

    def group_columns(self, codes: np.ndarray, n_groups: int) -> dict[str, list[float]]:
        """Per group ``auc``, ``brier``, ``ece``, ``ece_equal_mass`` (the columns of ``group_table``)."""
        cols: dict[str, list[float]] = {"auc": [], "brier": [], "ece": [], "ece_equal_mass": []}
        for g in range(n_groups):
            rows = codes == g
            fine, y, n, s1, bins = self._parts(rows)
            cols["auc"].append(_auc(fine, y, n))
            cols["brier"].append(self._brier(rows))
            cols["ece"].append(_ece(bins, y, n, s1, DEFAULT_BINS))
            cols["ece_equal_mass"].append(
                _ece(_mass_bins(fine, equal_mass_edges(fine, n)), y, n, s1, DEFAULT_BINS)
            )
        return cols

    def metrics(self, group_ece: list[float]) -> dict[str, float]:
        """``roc_auc``, ``brier``, ``ece`` over all rows and ``ece_difference`` from the groups' ECE."""
        from fairmend.metrics._counts import gap

        every = np.ones(len(self.n), dtype=bool)
        fine, y, n, s1, bins = self._parts(every)
        return {
            "roc_auc": _auc(fine, y, n),
            "brier": self._brier(every),
            "ece": _ece(bins, y, n, s1, DEFAULT_BINS),
            "ece_difference": float(gap(np.asarray(group_ece, dtype=float))),
        }

    def reliability(self, labels: np.ndarray) -> dict[str, Any]:
        """Reliability-diagram rows per group label for equal-width and equal-mass bins."""
        out = {}
        mass_edges = equal_mass_edges(self.fine, self.n)
        for strategy, bins, edges in (
            ("uniform", self.bin, np.linspace(0.0, 1.0, DEFAULT_BINS + 1)),
            ("quantile", _mass_bins(self.fine, mass_edges), mass_edges),
        ):
            frame = pd.DataFrame(
                {"group": labels, "bin": bins, "n": self.n, "s": self.s1, "pos": self.y * self.n}
            )
            agg = frame.groupby(["group", "bin"], sort=True)[["n", "s", "pos"]].sum().reset_index()
            agg = agg[agg["n"] > 0]
            rows = pd.DataFrame(
                {
                    "group": agg["group"],
                    "bin": agg["bin"].astype(np.int64),
                    "lower": edges[agg["bin"].to_numpy()],
                    "upper": edges[agg["bin"].to_numpy() + 1],
                    "n": agg["n"].astype(np.int64),
                    "mean_score": agg["s"] / agg["n"],
                    "fraction_positive": agg["pos"] / agg["n"],
                }
            )
            out[strategy] = rows.to_dict(orient="records")
        return out
