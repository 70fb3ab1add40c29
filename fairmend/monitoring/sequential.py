"""The sequential test of a monitoring run: a two-sided CUSUM (Page 1954) of each group's daily
selection-rate difference, calibrated by simulation.

For group ``g`` and day ``t`` of the long window, ``d_t = rate_g,t − rate_rest,t`` (the model's
favourable-decision rate in ``g`` minus the rate in every other row of that day) is standardised against
the reference period: ``z_t = (d_t − d_ref) / se_t`` with
``se_t² = p_g(1 − p_g)/n_g,t + p_r(1 − p_r)/n_r,t`` from the reference rates ``p_g``, ``p_r`` and the day's
group sizes. Under no change ``z_t`` is close to iid N(0, 1). The tabular CUSUM
``S⁺_t = max(0, S⁺_{t−1} + z_t − k)``, ``S⁻_t = max(0, S⁻_{t−1} − z_t − k)`` alarms at the first day
``max(S⁺, S⁻) > h``.

Calibration: ``d_ref`` is itself estimated, so under no change every ``z_t`` shares one offset
``(d̂_ref − d_ref) / se_t`` of standard deviation ``r = se_ref / se_t`` (``se_ref`` from the reference
period's group sizes; the median day's ``se_t``). A CUSUM calibrated for iid steps ignores it and
false-alarms several times too often (16–27 % instead of 5 % over 30 days, by simulation:
``benchmarks/bench_monitor.py``). So ``h`` is the ``1 − α/G`` quantile of ``max_t max(S⁺_t, S⁻_t)`` over
``long_days`` steps ``e_t + b``, ``e_t`` iid N(0, 1) and ``b ~ N(0, r²)`` common to the path (20,000
simulated paths, fixed seed): the probability of any false alarm within the long window is then about
``α`` across the ``G`` groups tested (Bonferroni; with two groups one test covers both, as the two
differences mirror each other). Days on which a group (or the rest) has fewer than ``min_group_rows`` rows
are skipped, which only lowers the false-alarm rate. ``tests/monitoring/test_sequential.py`` checks the
level by simulating binomial days, and the power against a planted shift.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from fairmend.monitoring.windows import DAY, Window


@functools.lru_cache(maxsize=256)
def threshold(
    n_steps: int, k: float, alpha: float, offset_sd: float = 0.0, n_sim: int = 20_000, seed: int = 20_260_101
) -> float:
    """``h`` with P(max over ``n_steps`` of the two-sided CUSUM > h) = ``alpha`` when the steps are iid
    N(0, 1) plus one common N(0, ``offset_sd``²) offset per path (the error of the reference estimate)."""
    rng = np.random.default_rng(seed)
    hi, lo, top = np.zeros(n_sim), np.zeros(n_sim), np.zeros(n_sim)
    offset = rng.standard_normal(n_sim) * offset_sd
    for _ in range(max(n_steps, 1)):
        z = rng.standard_normal(n_sim) + offset
        hi = np.maximum(0.0, hi + z - k)
        lo = np.maximum(0.0, lo - z - k)
        top = np.maximum(top, np.maximum(hi, lo))
    return float(np.quantile(top, 1 - alpha))


def daily_counts(
    groups: np.ndarray,
    favourable: np.ndarray,
    days: np.ndarray,
    n_days: int,
    group: str,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """``(n_days, 4)``: favourable and total rows of ``group`` and of the rest, per day index (``weights``:
    the rows each entry stands for, when the entries are counts)."""
    out = np.zeros((n_days, 4))
    w = np.ones(len(days)) if weights is None else np.asarray(weights, dtype=float)
    inside = (days >= 0) & (days < n_days)
    mine = groups == group
    for col, mask in enumerate((mine, ~mine)):
        sel = inside & mask
        out[:, 2 * col] = np.bincount(days[sel], weights=favourable[sel] * w[sel], minlength=n_days)
        out[:, 2 * col + 1] = np.bincount(days[sel], weights=w[sel], minlength=n_days)
    return out


def cusum_test(
    counts: np.ndarray,
    reference: tuple[float, float, float, float],
    *,
    k: float,
    alpha: float,
    min_group_rows: int,
) -> dict[str, Any]:
    """The CUSUM of one group's standardised daily rate difference: ``counts`` from :func:`daily_counts`,
    ``reference`` the favourable and total rows of the group and of the rest in the reference period."""
    from fairmend.catalog.techniques.monitoring.sequential import cusum

    fg, ng_ref, fr, nr_ref = reference
    p_group, p_rest = fg / ng_ref, fr / nr_ref
    pg, pr = float(np.clip(p_group, 0.01, 0.99)), float(np.clip(p_rest, 0.01, 0.99))
    xg, ng, xr, nr = counts.T
    ok = (ng >= min_group_rows) & (nr >= min_group_rows)
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = xg / ng - xr / nr
        se = np.sqrt(pg * (1 - pg) / ng + pr * (1 - pr) / nr)
        z = (diff - (p_group - p_rest)) / se
    se_ref = float(np.sqrt(pg * (1 - pg) / ng_ref + pr * (1 - pr) / nr_ref))
    offset_sd = round(se_ref / float(np.median(se[ok])), 2) if ok.any() else 0.0
    h = threshold(len(counts), k, alpha, offset_sd)
    used = np.flatnonzero(ok)
    res = cusum(z[used], 0.0, 1.0, k=k, h=h)
    hi = lo = 0.0
    path = []
    for i in range(len(z)):
        if ok[i]:
            hi, lo = max(0.0, hi + z[i] - k), max(0.0, lo - z[i] - k)
        path.append({"day": i, "z": float(z[i]) if ok[i] else None, "s_hi": hi, "s_lo": lo})
    alarm = None if res["alert_at"] is None else int(used[res["alert_at"]])
    change = None if res["change_point"] is None else int(used[min(res["change_point"], len(used) - 1)])
    return {
        "alert": bool(res["alert"]),
        "alarm_day": alarm,
        "change_day": change,
        "h": h,
        "offset_sd": offset_sd,
        "direction": res["direction"],
        "days_used": int(ok.sum()),
        "path": path,
    }


def run_sequential(
    *,
    groups_ref: np.ndarray,
    fav_ref: np.ndarray,
    groups_now: np.ndarray,
    fav_now: np.ndarray,
    days: np.ndarray,
    window: Window,
    k: float,
    alpha: float,
    min_group_rows: int,
    weights_ref: np.ndarray | None = None,
    weights_now: np.ndarray | None = None,
) -> dict[str, Any]:
    """The CUSUM of every tested group over the days of ``window``: reference rows' groups and 0/1
    decisions, the window rows' groups, decisions and day index (with ``weights_*``, each entry stands
    for that many rows: the per-day count tables of ``--engine dask`` give the same test)."""
    w_ref = np.ones(len(fav_ref)) if weights_ref is None else np.asarray(weights_ref, dtype=float)
    n_days = int((window.end - window.start) / DAY)
    labels = sorted(set(groups_ref.tolist()))
    tested = labels[:1] if len(labels) == 2 else labels
    out: dict[str, Any] = {
        "method": "cusum",
        "k": k,
        "alpha": alpha,
        "window": window.to_dict(),
        "groups_tested": tested,
        "groups": {},
    }
    for g in tested:
        mine = groups_ref == g
        if not mine.any() or mine.all():
            continue
        counts = daily_counts(groups_now, fav_now, days, n_days, g, weights_now)
        fw = fav_ref * w_ref
        reference = (fw[mine].sum(), w_ref[mine].sum(), fw[~mine].sum(), w_ref[~mine].sum())
        res = cusum_test(counts, reference, k=k, alpha=alpha / len(tested), min_group_rows=min_group_rows)
        res["reference_difference"] = float(reference[0] / reference[1] - reference[2] / reference[3])
        for key in ("alarm_day", "change_day"):
            res[key.replace("_day", "_date")] = (
                None if res[key] is None else str((window.start + res[key] * DAY).date())
            )
        for step in res["path"]:
            step["date"] = str((window.start + step.pop("day") * DAY).date())
        out["groups"][g] = res
    return out
