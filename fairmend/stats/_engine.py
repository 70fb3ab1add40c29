"""Resampling engines shared by the bootstrap and permutation tests.

Count metrics (everything in :data:`fairmend.metrics._counts.COUNT_METRICS`) depend on the data only
through the per-group confusion counts, so resamples are drawn directly as counts:

* stratified bootstrap (strata = group x label, or group alone; see
  :func:`fairmend.stats._estimand.strata_of_metric`): within a stratum of ``n_s`` rows, drawing ``n_s``
  rows with replacement gives cell counts ``Multinomial(n_s, m / n_s)``, where ``m`` counts the rows of
  each (label,) prediction pattern (``pred`` alone, or the pair ``(pred_before, pred_after)`` for paired
  resampling). This is *exactly* the distribution of the counts of a row-level bootstrap.
* paired swap permutation: rows with equal predictions are unaffected by a swap; of the ``m10`` rows
  with ``(a, b) = (1, 0)`` a ``Binomial(m10, 1/2)`` number are swapped, likewise for ``m01``.

Score metrics (AUC, Brier, ECE) need the rows: they are resampled as index / swap matrices, and the
block jackknife (BCa only) as weight matrices, in chunks of at most :data:`MAX_BYTES` of working memory.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from fairmend.metrics import _scores
from fairmend.metrics._counts import COUNT_METRICS, gap
from fairmend.stats._estimand import Orientation, evaluate

STRATIFY = ("group_label", "group", "none")

MAX_BYTES = 200_000_000


def chunk_size(n: int, total: int, bytes_per_cell: int = 96) -> int:
    return int(max(1, min(total, MAX_BYTES // max(1, n * bytes_per_cell))))


def strata_of(g: np.ndarray, y: np.ndarray, stratify: str) -> np.ndarray:
    """Row strata: group x label, group, or one stratum."""
    if stratify == "group_label":
        return g * 2 + y
    return g.astype(np.int64) if stratify == "group" else np.zeros(len(y), dtype=np.int64)


def pattern_counts(g: np.ndarray, y: np.ndarray, preds: list[np.ndarray], n_groups: int) -> np.ndarray:
    """Row counts per (stratum, pattern): shape ``(2 * n_groups, 2 ** len(preds))``."""
    pattern = np.zeros(len(y), dtype=np.int64)
    for k, p in enumerate(preds):
        pattern += p << k
    k = 2 ** len(preds)
    cell = (g * 2 + y) * k + pattern
    return np.bincount(cell, minlength=2 * n_groups * k).reshape(2 * n_groups, k)


def _to_counts(stratum_pos: np.ndarray, stratum_n: np.ndarray, n_groups: int) -> np.ndarray:
    """Positives per stratum ``(..., 2G)`` and stratum sizes (broadcastable) -> counts ``(..., G, 2, 2)``."""
    pos = stratum_pos.reshape(*stratum_pos.shape[:-1], n_groups, 2)
    size = np.reshape(stratum_n, (*np.shape(stratum_n)[:-1], n_groups, 2))
    return np.stack([size - pos, pos], axis=-1).astype(float)


def bootstrap_counts(pc: np.ndarray, n_preds: int, n_boot: int, rng: np.random.Generator,
                     stratify: str = "group_label") -> list[np.ndarray]:
    """Bootstrap count arrays, one ``(n_boot, ..., G, 2, 2)`` array per prediction vector.

    ``pc`` is ``(..., 2G, K)`` from :func:`pattern_counts`; leading axes are independent data sets (the
    calibration simulations resample thousands at once). ``stratify``: ``"group_label"`` resamples
    within each group x label stratum, ``"group"`` within each group (its label counts vary),
    ``"none"`` all rows at once (a multinomial over every cell, as a plain row bootstrap does).
    """
    *batch, n_strata, k = pc.shape
    cells_per = {"group_label": 1, "group": 2, "none": n_strata}[stratify]
    blocks = pc.reshape(*batch, n_strata // cells_per, cells_per * k)
    sizes = blocks.sum(axis=-1)
    probs = np.where(sizes[..., None] > 0, blocks / np.maximum(sizes, 1)[..., None], 1.0 / blocks.shape[-1])
    draws = rng.multinomial(sizes, probs, size=(n_boot, *sizes.shape))
    draws = draws.reshape(n_boot, *batch, n_strata, k)
    row_sizes = draws.sum(axis=-1)
    out = []
    for j in range(n_preds):
        bit = ((np.arange(k) >> j) & 1).astype(bool)
        out.append(_to_counts(draws[..., bit].sum(axis=-1), row_sizes, n_strata // 2))
    return out


def swap_counts(pc: np.ndarray, n_perm: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Count arrays of (a, b) after swapping each row's two predictions with probability 1/2."""
    sizes = pc.sum(axis=1)
    m00, m10, m01, m11 = pc[:, 0], pc[:, 1], pc[:, 2], pc[:, 3]  # pattern = a + 2 b
    s10 = rng.binomial(m10[None, :], 0.5, size=(n_perm, len(sizes)))
    s01 = rng.binomial(m01[None, :], 0.5, size=(n_perm, len(sizes)))
    pos_a = m11 + m10 - s10 + s01
    pos_b = m11 + m01 - s01 + s10
    n_groups = len(sizes) // 2
    del m00
    return _to_counts(pos_a, sizes, n_groups), _to_counts(pos_b, sizes, n_groups)


def jackknife_counts(pc: np.ndarray, n_preds: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Leave-one-row-out count arrays, one per non-empty (stratum, pattern) cell, with multiplicities."""
    n_strata, k = pc.shape
    cells = np.argwhere(pc > 0)
    weights = pc[cells[:, 0], cells[:, 1]].astype(float)
    sizes = pc.sum(axis=1)
    out = []
    for j in range(n_preds):
        bit = ((np.arange(k) >> j) & 1).astype(bool)
        pos = np.tile(pc[:, bit].sum(axis=1).astype(float), (len(cells), 1))
        n = np.tile(sizes.astype(float), (len(cells), 1))
        rows = np.arange(len(cells))
        n[rows, cells[:, 0]] -= 1
        pos[rows, cells[:, 0]] -= bit[cells[:, 1]]
        counts = np.empty((len(cells), n_strata // 2, 2, 2))
        counts[..., 1] = pos.reshape(len(cells), -1, 2)
        counts[..., 0] = (n - pos).reshape(len(cells), -1, 2)
        out.append(counts)
    return out, weights


def count_values(counts: list[np.ndarray], metrics: list[str], orientation: Orientation | None = None
                 ) -> dict[str, np.ndarray]:
    """Metric values (single prediction) or after - before deltas (two predictions)."""
    first = evaluate(counts[0], metrics, orientation)
    if len(counts) == 1:
        return first
    second = evaluate(counts[1], metrics, orientation)
    return {m: second[m] - first[m] for m in metrics}


def is_count_metric(name: str) -> bool:
    return name in COUNT_METRICS


# ---------------------------------------------------------------- row-level (score) resampling


class ScoreData:
    """Row-level arrays needed by score metrics, for one or two score vectors."""

    def __init__(self, y: np.ndarray, g: np.ndarray, n_groups: int, scores: list[np.ndarray],
                 orientation: Orientation | None = None):
        self.y, self.g, self.n_groups, self.scores = y, g, n_groups, scores
        self.codes, self.n_values = _scores.value_codes(*scores)
        self.bins = [_scores.equal_width_bins(s) for s in scores]
        self.orientation = orientation

    def group_ece(self, j: int = 0) -> np.ndarray:
        """Per-group ECE of score vector ``j`` on all rows, shape ``(n_groups,)``."""
        s = self.scores[j]
        return _scores.batched_group_ece(self.bins[j][None], s[None], self.y[None], _scores.DEFAULT_BINS,
                                         self.g[None], self.n_groups)[0]

    def values(self, metrics: list[str], take: np.ndarray | None = None, swap: np.ndarray | None = None,
               w: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Metrics on row matrices: ``take`` = bootstrap index matrix, ``swap`` = swap mask, ``w`` = weights.

        With two score vectors the result is the after - before difference.
        """
        per_vector = []
        for j in range(len(self.scores)):
            other = 1 - j if len(self.scores) == 2 else j
            if take is not None:
                sel = lambda a: a[take]
                s, u, bins = sel(self.scores[j]), sel(self.codes[j]), sel(self.bins[j])
                y, g = sel(self.y), sel(self.g)
            else:
                rows = swap.shape[0] if swap is not None else w.shape[0]
                if swap is not None:
                    s = np.where(swap, self.scores[other], self.scores[j])
                    u = np.where(swap, self.codes[other], self.codes[j])
                    bins = np.where(swap, self.bins[other], self.bins[j])
                else:
                    s, u, bins = (np.broadcast_to(a, (rows, len(a))) for a in (self.scores[j], self.codes[j], self.bins[j]))
                y = np.broadcast_to(self.y, (rows, len(self.y)))
                g = np.broadcast_to(self.g, (rows, len(self.g)))
            per_vector.append(_score_batch(metrics, s, y, g, self.n_groups, u, self.n_values, bins, w, self.orientation))
        if len(per_vector) == 1:
            return per_vector[0]
        return {m: per_vector[1][m] - per_vector[0][m] for m in metrics}


def _score_batch(metrics: list[str], s: np.ndarray, y: np.ndarray, g: np.ndarray, n_groups: int, u: np.ndarray,
                 n_values: int, bins: np.ndarray, w: np.ndarray | None, orientation: Orientation | None = None
                 ) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    k = _scores.DEFAULT_BINS
    for m in metrics:
        if m == "roc_auc":
            out[m] = _scores.batched_auc(u, y.astype(bool), n_values, w)
        elif m == "brier":
            out[m] = _scores.batched_brier(s, y, w)
        elif m == "ece":
            out[m] = _scores.batched_group_ece(bins, s, y, k, w=w)[:, 0]
        elif m == "ece_difference":
            per_group = _scores.batched_group_ece(bins, s, y, k, g, n_groups, w)
            out[m] = gap(per_group) if orientation is None else orientation.gap("ece", per_group)
        else:  # pragma: no cover - callers route count metrics elsewhere
            raise KeyError(m)
    return out


def stratified_index_chunks(g: np.ndarray, y: np.ndarray, n_boot: int, rng: np.random.Generator,
                            stratify: str = "group_label") -> Iterator[np.ndarray]:
    """Bootstrap index matrices ``(b, n)``, ``b`` bounded by :data:`MAX_BYTES`."""
    strata = strata_of(g, y, stratify)
    order = np.argsort(strata, kind="stable")
    sizes = np.bincount(strata)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    n = len(y)
    step = chunk_size(n, n_boot)
    done = 0
    while done < n_boot:
        b = min(step, n_boot - done)
        idx = np.empty((b, n), dtype=np.int64)
        for s in np.flatnonzero(sizes):
            lo, size = starts[s], sizes[s]
            idx[:, lo:lo + size] = order[lo + rng.integers(0, size, size=(b, size))]
        yield idx
        done += b


def swap_chunks(n: int, n_perm: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    step = chunk_size(n, n_perm)
    done = 0
    while done < n_perm:
        b = min(step, n_perm - done)
        yield rng.random((b, n)) < 0.5
        done += b


def block_jackknife(sd: ScoreData, metrics: list[str], rng: np.random.Generator, n_blocks: int = 50
                    ) -> dict[str, np.ndarray]:
    """Delete-a-group jackknife values ``(K,)``: value ``k`` leaves out a random ``1/K`` of the rows.

    Evaluated a few blocks at a time, so the ``(K, n)`` weight matrix never exists in full.
    """
    n = len(sd.y)
    k = min(n_blocks, n)
    block = rng.permutation(np.arange(n) % k)
    parts: dict[str, list[np.ndarray]] = {m: [] for m in metrics}
    step = chunk_size(n, k)
    for lo in range(0, k, step):
        w = (block[None, :] != np.arange(lo, min(k, lo + step))[:, None]).astype(float)
        for m, v in sd.values(metrics, w=w).items():
            parts[m].append(v)
    return {m: np.concatenate(v) for m, v in parts.items()}
