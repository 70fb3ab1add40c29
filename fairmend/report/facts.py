"""What the pipeline report says, computed once from a pipeline result.

Every number the HTML report, the Markdown deliverables and the console summary print comes from
:func:`gather`: the group rates of each grouping (each protected attribute, and their intersection),
and the before/after claims with a 95 % interval and a p-value from one paired bootstrap
(:func:`fairmend.stats.compare`, so ``p < 0.05`` exactly when the interval excludes 0), with
Benjamini-Hochberg adjustment over every p-value of the report. All of it is measured on the
held-out *test* rows, which no choice of the pipeline looked at.

Small groups are shown but not judged: a group with fewer than :data:`MIN_ROWS` test rows is left out
of every gap and ratio (as the pipeline's gates do), and a group with fewer than :data:`MIN_CLASS`
positives (or negatives) is also left out of the metrics built from TPR (or FPR).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fairmend.report.text import metric_name

MIN_ROWS = 30  # the pipeline's gates judge groups of at least this many rows
MIN_CLASS = 10  # positives (negatives) a group needs before its TPR (FPR) is judged
SELECTION_METRICS = ("disparate_impact_ratio", "demographic_parity_difference")
LABEL_METRICS = ("equalized_odds_difference", "equal_opportunity_difference")
ALL_ROWS = "all rows"
JOINT = " × "  # grouping name of an intersection: "sex × race"
RATES = ("selection_rate", "tpr", "fpr")


def wilson(k: float, n: float, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion k / n."""
    if n <= 0:
        return (math.nan, math.nan)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Rate:
    """A group's rate with its 95 % Wilson interval."""

    value: float
    low: float
    high: float


@dataclass
class GroupRow:
    label: str
    n: int
    positives: int
    before: dict[str, Rate]
    after: dict[str, Rate]

    @property
    def negatives(self) -> int:
        return self.n - self.positives

    @property
    def small(self) -> bool:
        return self.n < MIN_ROWS

    def judged(self, rate: str) -> bool:
        """Whether this group's ``rate`` enters gaps and ratios."""
        if self.small:
            return False
        if rate == "tpr":
            return self.positives >= MIN_CLASS
        if rate == "fpr":
            return self.negatives >= MIN_CLASS
        return True

    def why_not(self, rate: str) -> str:
        if self.small:
            return f"{self.label} ({self.n} rows)"
        if rate == "tpr":
            return f"{self.label} ({self.positives} positives)"
        return f"{self.label} ({self.negatives} negatives)"


@dataclass
class Grouping:
    """One way of splitting the test rows: a protected attribute, or the intersection of all of them."""

    name: str
    columns: tuple[str, ...]
    rows: list[GroupRow]

    def left_out(self, metric: str) -> list[str]:
        needs = ("tpr", "fpr") if metric in LABEL_METRICS else ("selection_rate",)
        out = []
        for r in self.rows:
            missing = [k for k in needs if not r.judged(k)]
            if missing:
                out.append(r.why_not(missing[0]))
        return out


@dataclass
class Claim:
    """One before/after statement: ``metric`` over ``grouping``'s judged groups on the test rows."""

    grouping: str
    metric: str
    before: float
    after: float
    delta: float
    low: float
    high: float
    p_value: float
    estimand: str
    groups: list[str]
    left_out: list[str]
    reversed: bool = False  # two groups: the gap changed sign (delta is about the signed difference)
    p_value_bh: float = math.nan

    @property
    def significant(self) -> bool:
        return bool(self.p_value < 0.05)

    def to_dict(self) -> dict[str, Any]:
        return {"before": self.before, "after": self.after, "delta": self.delta, "ci95": [self.low, self.high],
                "p_value": self.p_value, "p_value_bh": self.p_value_bh, "estimand": self.estimand,
                "groups": self.groups, "left_out": self.left_out, "gap_reversed": self.reversed,
                "measured_on": "test"}


@dataclass
class Facts:
    groupings: list[Grouping]
    claims: list[Claim]
    n_test: int
    abstained: int = 0
    not_computed: list[str] = field(default_factory=list)  # grouping/metric pairs without two judged groups

    def claim(self, grouping: str, metric: str) -> Claim | None:
        return next((c for c in self.claims if c.grouping == grouping and c.metric == metric), None)

    def grouping(self, name: str) -> Grouping:
        return next(g for g in self.groupings if g.name == name)

    def to_dict(self) -> dict[str, Any]:
        """``report.json``'s ``significance``: grouping -> metric -> claim."""
        out: dict[str, dict[str, Any]] = {}
        for c in self.claims:
            out.setdefault(c.grouping, {})[c.metric] = c.to_dict()
        return out


def _rates(y: np.ndarray, pred: np.ndarray) -> dict[str, Rate]:
    pos = y == 1
    out = {}
    for name, mask in (("selection_rate", np.ones_like(pos)), ("tpr", pos), ("fpr", ~pos)):
        n, k = int(mask.sum()), int((pred[mask] == 1).sum())
        out[name] = Rate(k / n if n else math.nan, *wilson(k, n))
    return out


def _grouping(name: str, columns: tuple[str, ...], labels: np.ndarray, y: np.ndarray, before: np.ndarray,
              after: np.ndarray) -> Grouping:
    rows = []
    for g in sorted(set(labels.tolist())):
        m = labels == g
        rows.append(GroupRow(str(g), int(m.sum()), int(y[m].sum()), _rates(y[m], before[m]), _rates(y[m], after[m])))
    return Grouping(name, columns, rows)


def _claims(grouping: Grouping, labels: np.ndarray, y: np.ndarray, before: np.ndarray, after: np.ndarray,
            metrics: tuple[str, ...], rate: str, kw: dict[str, Any]) -> list[Claim] | None:
    from fairmend.stats import compare

    keep_groups = [r.label for r in grouping.rows if all(r.judged(k) for k in (("tpr", "fpr") if rate == "tpr"
                                                                               else ("selection_rate",)))]
    if len(keep_groups) < 2:
        return None
    keep = np.isin(labels, keep_groups)
    res = compare(y[keep], before[keep], after[keep], labels[keep], metrics=list(metrics), **kw)
    out = []
    for m in metrics:
        c = res[m]
        lo, hi = c["ci95"]
        out.append(Claim(grouping.name, m, float(c["before"]), float(c["after"]), float(c["delta"]), float(lo),
                         float(hi), float(c["p_value"]), str(c["estimand"]), keep_groups, grouping.left_out(m),
                         reversed=bool(np.isfinite(c["after_signed"]) and not math.isclose(
                             float(c["after_signed"]), float(c["after"]), abs_tol=1e-12))))
    return out


def gather(result: Any) -> Facts:
    """Everything the report states about ``result`` (a :class:`fairmend.pipeline.PipelineResult`)."""
    from fairmend.stats import benjamini_hochberg, compare

    fitted = result.fitted
    y_all = np.asarray(fitted["y_test"]).astype(int)
    A: pd.DataFrame = fitted["A_test"].astype(str).reset_index(drop=True)
    base, fin = fitted["baseline"], fitted["final"]
    pb_all, pa_all = np.asarray(base.pred).astype(int), np.asarray(fin.pred).astype(int)
    valid = (pb_all >= 0) & (pa_all >= 0)  # a post-processor may abstain (-1) on some rows
    y, pb, pa, A = y_all[valid], pb_all[valid], pa_all[valid], A[valid].reset_index(drop=True)
    policy = fitted["policy"]
    kw = {"n_boot": policy.n_boot, "seed": policy.seed}

    specs: list[tuple[str, tuple[str, ...], np.ndarray]] = [(c, (c,), A[c].to_numpy()) for c in A.columns]
    if A.shape[1] > 1:
        specs.append((JOINT.join(A.columns), tuple(A.columns), A.agg(" & ".join, axis=1).to_numpy()))
    groupings, claims, missing = [], [], []
    joint_labels = specs[-1][2]
    for name, cols, labels in specs:
        g = _grouping(name, cols, labels, y, pb, pa)
        groupings.append(g)
        for metrics, rate in ((SELECTION_METRICS, "selection_rate"), (LABEL_METRICS, "tpr")):
            found = _claims(g, labels, y, pb, pa, metrics, rate, kw)
            if found is None:
                missing += [f"{m} over {name}" for m in metrics]
            else:
                claims += found
    scores = base.score is not None and fin.score is not None
    overall = compare(y, pb, pa, joint_labels, metrics=["accuracy", "ece"] if scores else ["accuracy"],
                      scores_before=np.asarray(base.score)[valid] if scores else None,
                      scores_after=np.asarray(fin.score)[valid] if scores else None, **kw)
    for m, c in overall.items():
        lo, hi = c["ci95"]
        claims.append(Claim(ALL_ROWS, m, float(c["before"]), float(c["after"]), float(c["delta"]), float(lo),
                            float(hi), float(c["p_value"]), f"change in the {metric_name(m)} over all rows", [], []))
    _, adjusted = benjamini_hochberg([claim.p_value for claim in claims])
    for claim, q in zip(claims, adjusted):
        claim.p_value_bh = float(q)
    return Facts(groupings, claims, len(y_all), int((~valid).sum()), missing)
