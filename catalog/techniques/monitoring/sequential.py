"""Streaming monitors of a group's positive rate or error rate, in row (time) order.

* SPRT — Wald (1945), *Sequential Tests of Statistical Hypotheses*: Bernoulli log-likelihood ratio
  ``Λ_n = Σ x ln(p1/p0) + (1−x) ln((1−p1)/(1−p0))`` against ``A = ln((1−β)/α)`` (accept H1: alert)
  and ``B = ln(β/(1−α))`` (accept H0: restart the test).
* CUSUM — Page (1954): two-sided tabular CUSUM ``S⁺ = max(0, S⁺ + x − μ0 − k)``, alarm at ``h``
  (``k``, ``h`` in units of the reference standard deviation); the change point estimate is the last
  time the alarming statistic was zero.
* Page-Hinkley — Page (1954), Hinkley (1971): the cumulative deviation from the *running* mean,
  ``m_T = Σ_{t≤T} (x_t − x̄_T − k)``, alarms when ``m_T − min_{t≤T} m_t > h`` (an increase; the mirror
  statistic for a decrease); the change point estimate is the time of that minimum. Unlike CUSUM it
  needs no reference mean, so it also runs with ``reference_fraction`` covering little history.
* ADWIN — Bifet & Gavaldà (2007), *Learning from Time-Changing Data with Adaptive Windowing*: keep a
  window ``W``; drop its oldest part while some split ``W = W0·W1`` has ``|μ̂0 − μ̂1| ≥ ε_cut`` with the
  paper's variance-based (normal-approximation) bound ``ε_cut = sqrt(2/m · σ²_W · ln(2/δ')) + 2/(3m) ·
  ln(2/δ')``, ``m = 1/(1/n0 + 1/n1)`` and ``δ' = δ / ln n`` (the Hoeffding bound is valid but much
  more conservative).
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult, group_labels
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.monitoring._common import require
from fairmend.catalog.techniques.monitoring.fairness import _binary

from fairmend.errors import DataError, InvalidParameterError


def sprt(x: np.ndarray, p0: float, p1: float, alpha: float = 0.05, beta: float = 0.2) -> dict[str, Any]:
    """Wald's SPRT on a 0/1 stream, stopping at the first boundary crossed (H1 accepted = alert)."""
    if not (0 < p0 < 1 and 0 < p1 < 1 and p0 != p1):
        raise InvalidParameterError(f"SPRT needs 0 < p0, p1 < 1 and p0 != p1 (got p0={p0}, p1={p1})")
    upper, lower = math.log((1 - beta) / alpha), math.log(beta / (1 - alpha))
    w1, w0 = math.log(p1 / p0), math.log((1 - p1) / (1 - p0))
    llr = 0.0
    for i, v in enumerate(x):
        llr += w1 if v else w0
        if llr >= upper:
            return {"decision": "H1", "alert": True, "alert_at": i, "decided_at": i, "llr": llr}
        if llr <= lower:
            return {"decision": "H0", "alert": False, "alert_at": None, "decided_at": i, "llr": llr}
    return {"decision": "undecided", "alert": False, "alert_at": None, "decided_at": None, "llr": llr}


def cusum(x: np.ndarray, mu0: float, sigma: float, k: float = 0.5, h: float = 5.0) -> dict[str, Any]:
    """Two-sided tabular CUSUM; returns the first alarm and the estimated change point."""
    sigma = sigma if sigma > 0 else 1.0
    hi = lo = 0.0
    last_zero_hi = last_zero_lo = 0
    for i, v in enumerate(x):
        z = (v - mu0) / sigma
        hi, lo = max(0.0, hi + z - k), max(0.0, lo - z - k)
        if hi == 0:
            last_zero_hi = i + 1
        if lo == 0:
            last_zero_lo = i + 1
        if hi > h or lo > h:
            up = hi > h
            return {
                "alert": True,
                "alert_at": i,
                "change_point": last_zero_hi if up else last_zero_lo,
                "direction": "increase" if up else "decrease",
            }
    return {"alert": False, "alert_at": None, "change_point": None, "direction": None}


class ADWIN:
    """ADWIN adaptive window (Bifet & Gavaldà 2007), exact-window version with a check every ``clock`` items.

    ``update(x)`` returns True when the window shrank (a change was detected).
    """

    def __init__(
        self, delta: float = 0.002, clock: int = 32, max_window: int = 10_000, min_side: int = 16
    ) -> None:
        self.delta = delta
        self.clock = clock
        self.max_window = max_window
        self.min_side = min_side
        self.window_: list[float] = []
        self.changes_: list[int] = []
        self.seen_ = 0

    def update(self, x: float) -> bool:
        self.window_.append(float(x))
        self.seen_ += 1
        if len(self.window_) > self.max_window:
            self.window_.pop(0)
        if self.seen_ % self.clock:
            return False
        shrunk = False
        while len(self.window_) >= 2 * self.min_side:
            w = np.asarray(self.window_)
            n = len(w)
            cuts = np.arange(self.min_side, n - self.min_side + 1)
            csum = np.cumsum(w)
            n0, n1 = cuts.astype(float), (n - cuts).astype(float)
            mu0, mu1 = csum[cuts - 1] / n0, (csum[-1] - csum[cuts - 1]) / n1
            m = 1.0 / (1.0 / n0 + 1.0 / n1)
            var = float(w.var())
            log_term = math.log(2.0 * math.log(n) / self.delta)
            eps = np.sqrt(2.0 / m * var * log_term) + 2.0 / (3.0 * m) * log_term
            hit = np.nonzero(np.abs(mu0 - mu1) >= eps)[0]
            if not len(hit):
                break
            del self.window_[: int(cuts[hit[0]])]
            shrunk = True
        if shrunk:
            self.changes_.append(self.seen_)
        return shrunk

    @property
    def mean(self) -> float:
        return float(np.mean(self.window_)) if self.window_ else float("nan")


def page_hinkley(x: np.ndarray, sigma: float, k: float = 0.5, h: float = 5.0) -> dict[str, Any]:
    """Two-sided Page-Hinkley test; returns the first alarm and the estimated change point.

    ``m_T = Σ_{t≤T} (z_t − z̄_t − k)`` with ``z = x / sigma`` and ``z̄_t`` the mean of ``z_1..z_t``; an
    increase alarms when ``m_T − min_{0≤t≤T} m_t > h`` (``m_0 = 0``), a decrease on the mirror
    statistic. The change point is the number of values before the minimum's end.
    """
    sigma = sigma if sigma > 0 else 1.0
    z = np.asarray(x, dtype=float) / sigma
    running = np.cumsum(z) / np.arange(1, len(z) + 1)
    hits = []
    for sign, direction in ((1.0, "increase"), (-1.0, "decrease")):
        m = np.r_[0.0, np.cumsum(sign * (z - running) - k)]
        alarm = np.flatnonzero(m - np.minimum.accumulate(m) > h)
        if len(alarm):
            end = int(alarm[0])  # m[end] is after ``end`` values
            hits.append((end - 1, int(np.argmin(m[: end + 1])), direction))
    if not hits:
        return {"alert": False, "alert_at": None, "change_point": None, "direction": None}
    at, change_point, direction = min(hits)
    return {"alert": True, "alert_at": at, "change_point": change_point, "direction": direction}


class _StreamBase:
    """Per-group 0/1 streams: positive predictions (``metric="positive_rate"``) or errors (``"error_rate"``)."""

    technique = ""

    def __init__(self, metric: str = "positive_rate", reference_fraction: float = 0.3) -> None:
        self.metric = metric
        self.reference_fraction = reference_fraction

    def _streams(self, data: pd.DataFrame, protected: Any, outcome: str | None, predictions: Any):
        prot = [protected] if isinstance(protected, str) else list(protected)
        require(data, *prot, outcome, predictions)
        if self.metric not in ("positive_rate", "error_rate"):
            raise InvalidParameterError(
                f"metric must be 'positive_rate' or 'error_rate', got {self.metric!r}"
            )
        col = predictions or outcome
        if col is None:
            raise DataError("sequential monitoring needs a predictions or outcome column")
        x = _binary(data[col], col)
        if self.metric == "error_rate":
            if not (predictions and outcome):
                raise DataError("metric 'error_rate' needs both predictions and outcome")
            x = (x != _binary(data[outcome], outcome)).astype(int)
        g = group_labels(data[prot])
        for group in sorted(set(g)):
            s = x[g == group]
            cut = max(1, int(len(s) * self.reference_fraction))
            yield group, s[:cut], s[cut:], cut

    def _result(self, rows: list[dict[str, Any]], extra: dict[str, Any]) -> AnalysisResult:
        table = pd.DataFrame(rows)
        summary = {
            "metric": self.metric,
            **extra,
            "alerts": table.loc[table["alert"], "group"].tolist(),
            "any_alert": bool(table["alert"].any()),
            "groups": {r["group"]: {k: v for k, v in r.items() if k != "group"} for r in rows},
        }
        return AnalysisResult(technique=self.technique, summary=summary, tables={"groups": table})


class SPRTMonitoring(_StreamBase):
    """Wald's SPRT per group: H0 rate = ``p0`` vs H1 rate = ``p0 ± delta`` (Wald 1945).

    Parameters
    ----------
    metric : {"positive_rate", "error_rate"}, default "positive_rate"
    p0 : float, optional
        Rate under H0 (default: the group's rate in the first ``reference_fraction`` of its rows).
    delta : float, default 0.05
        Shift tested (both directions: an increase and a decrease SPRT).
    alpha, beta : float, default 0.05, 0.2
    reference_fraction : float, default 0.3
    """

    technique = "sprt_sequential_monitoring"

    def __init__(
        self,
        metric: Annotated[str, Param('Monitored per-group rate', choices=('positive_rate', 'error_rate'))] = "positive_rate",
        p0: Annotated[float | None, Param('H0 rate (default: reference rate)', range=(0.001, 0.999))] = None,
        delta: Annotated[float, Param('Shift tested in each direction', range=(0.001, 0.5))] = 0.05,
        alpha: Annotated[float, Param('Type I error', range=(0.0001, 0.5))] = 0.05,
        beta: Annotated[float, Param('Type II error', range=(0.0001, 0.5))] = 0.2,
        reference_fraction: Annotated[float, Param("Share of each group's rows used as reference", range=(0.05, 0.95))] = 0.3,
    ) -> None:
        super().__init__(metric, reference_fraction)
        self.p0 = p0
        self.delta = delta
        self.alpha = alpha
        self.beta = beta

    def run(
        self,
        data: pd.DataFrame,
        *,
        protected: Any,
        outcome: str | None = None,
        predictions: Any = None,
        scores: Any = None,
    ) -> AnalysisResult:
        rows = []
        for group, ref, cur, offset in self._streams(data, protected, outcome, predictions):
            p0 = self.p0 if self.p0 is not None else float(np.clip(ref.mean(), 0.01, 0.99))
            tests = {
                d: sprt(cur, p0, float(np.clip(p0 + d, 0.001, 0.999)), self.alpha, self.beta)
                for d in (self.delta, -self.delta)
            }
            hits = [(t["alert_at"], d) for d, t in tests.items() if t["alert"]]
            first = min(hits) if hits else None
            rows.append(
                {
                    "group": group,
                    "p0": p0,
                    "current_rate": float(cur.mean()) if len(cur) else float("nan"),
                    "n_current": len(cur),
                    "alert": first is not None,
                    "direction": None if first is None else ("increase" if first[1] > 0 else "decrease"),
                    "alert_at_row_of_group": None if first is None else int(first[0] + offset),
                }
            )
        return self._result(rows, {"alpha": self.alpha, "beta": self.beta, "delta": self.delta})


class ChangePointDetection(_StreamBase):
    """Per-group change-point detection on block rates: two-sided CUSUM (Page 1954) or Page-Hinkley
    (Page 1954; Hinkley 1971).

    Parameters
    ----------
    metric : {"positive_rate", "error_rate"}, default "positive_rate"
    method : {"cusum", "page_hinkley"}, default "cusum"
        CUSUM against the reference rows' rate, or Page-Hinkley against the running mean of the
        monitored blocks.
    k : float, default 0.5
        Allowance, in reference standard deviations of the windowed rate.
    h : float, default 8.0
        Decision threshold, in the same units (higher than the textbook 5 because ``μ0`` is estimated
        from the reference rows and block means of rare events are skewed).
    window : int, default 50
        Rows averaged per step (a group's rate in consecutive blocks).
    reference_fraction : float, default 0.3
    """

    technique = "change_point_detection"

    def __init__(
        self,
        metric: Annotated[str, Param('Monitored per-group rate', choices=('positive_rate', 'error_rate'))] = "positive_rate",
        method: Annotated[str, Param('CUSUM against the reference rate, or Page-Hinkley against the running mean', choices=('cusum', 'page_hinkley'))] = "cusum",
        k: Annotated[float, Param('Allowance (reference sds)', range=(0.0, 5.0))] = 0.5,
        h: Annotated[float, Param('Decision threshold (reference sds)', range=(0.5, 50.0))] = 8.0,
        window: Annotated[int, Param('Rows per step (block rate)', range=(1.0, 10000.0))] = 50,
        reference_fraction: Annotated[float, Param('Reference share per group', range=(0.05, 0.95))] = 0.3,
    ) -> None:
        super().__init__(metric, reference_fraction)
        self.method = method
        self.k = k
        self.h = h
        self.window = window

    def run(
        self,
        data: pd.DataFrame,
        *,
        protected: Any,
        outcome: str | None = None,
        predictions: Any = None,
        scores: Any = None,
    ) -> AnalysisResult:
        if self.method not in ("cusum", "page_hinkley"):
            raise InvalidParameterError(f"method must be 'cusum' or 'page_hinkley', got {self.method!r}")
        rows = []
        for group, ref, cur, offset in self._streams(data, protected, outcome, predictions):
            mu0 = float(ref.mean())
            sigma = math.sqrt(max(mu0 * (1 - mu0), 1e-6) / self.window)  # sd of a block mean
            nb = len(cur) // self.window
            blocks = cur[: nb * self.window].reshape(nb, self.window).mean(axis=1) if nb else np.zeros(0)
            if self.method == "page_hinkley":
                res = page_hinkley(blocks, sigma, self.k, self.h)
            else:
                res = cusum(blocks, mu0, sigma, self.k, self.h)
            rows.append(
                {
                    "group": group,
                    "reference_rate": mu0,
                    "current_rate": float(cur.mean()) if len(cur) else float("nan"),
                    "alert": res["alert"],
                    "direction": res["direction"],
                    "change_point_row_of_group": None
                    if res["change_point"] is None
                    else int(offset + res["change_point"] * self.window),
                }
            )
        return self._result(rows, {"method": self.method, "k": self.k, "h": self.h, "window": self.window})


class ADWINMonitoring(_StreamBase):
    """ADWIN change detection on each group's stream (Bifet & Gavaldà 2007).

    Parameters
    ----------
    metric : {"positive_rate", "error_rate"}, default "positive_rate"
    delta : float, default 0.002
        Confidence parameter.
    clock : int, default 32
        Check for cuts every ``clock`` items.
    """

    technique = "adwin_adaptive_windowing"

    def __init__(self, metric: Annotated[str, Param('Monitored per-group rate', choices=('positive_rate', 'error_rate'))] = "positive_rate", delta: Annotated[float, Param('Confidence parameter', range=(1e-06, 0.5))] = 0.002, clock: Annotated[int, Param('Check for cuts every clock items', range=(1.0, 10000.0))] = 32) -> None:
        super().__init__(metric, reference_fraction=0.0)
        self.delta = delta
        self.clock = clock

    def run(
        self,
        data: pd.DataFrame,
        *,
        protected: Any,
        outcome: str | None = None,
        predictions: Any = None,
        scores: Any = None,
    ) -> AnalysisResult:
        rows = []
        for group, ref, cur, offset in self._streams(data, protected, outcome, predictions):
            stream = np.concatenate([ref, cur])
            det = ADWIN(delta=self.delta, clock=self.clock)
            for v in stream:
                det.update(v)
            rows.append(
                {
                    "group": group,
                    "n": len(stream),
                    "alert": bool(det.changes_),
                    "changes_at_row_of_group": list(det.changes_),
                    "final_window": len(det.window_),
                    "final_mean": det.mean,
                    "overall_mean": float(stream.mean()),
                }
            )
        return self._result(rows, {"delta": self.delta})


__all__ = [
    "ADWIN",
    "ADWINMonitoring",
    "ChangePointDetection",
    "SPRTMonitoring",
    "cusum",
    "page_hinkley",
    "sprt",
]
