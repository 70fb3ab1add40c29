"""Expected calibration error overall and per group, with reliability-diagram tables."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.evaluation._common import clean, describe, prepare

from fairmend.errors import DataError, InvalidParameterError

SCHEMES = ("equal_width", "equal_mass")


def bin_ids(p: np.ndarray, n_bins: int, scheme: str) -> np.ndarray:
    """Bin index of each score: ``n_bins`` equal-width bins of [0, 1] or equal-count (quantile) bins."""
    if scheme == "equal_width":
        return np.clip(np.floor(p * n_bins).astype(int), 0, n_bins - 1)
    order = np.argsort(p, kind="mergesort")
    ids = np.empty(len(p), dtype=int)
    ids[order] = np.arange(len(p)) * n_bins // max(len(p), 1)
    return ids


def reliability(y: np.ndarray, p: np.ndarray, n_bins: int, scheme: str) -> pd.DataFrame:
    """One row per non-empty bin: n, mean score (confidence), observed positive rate, score range."""
    ids = bin_ids(p, n_bins, scheme)
    frame = pd.DataFrame({"bin": ids, "y": y, "p": p})
    table = (
        frame.groupby("bin")
        .agg(
            n=("y", "size"),
            mean_score=("p", "mean"),
            observed_rate=("y", "mean"),
            score_min=("p", "min"),
            score_max=("p", "max"),
        )
        .reset_index()
    )
    table["gap"] = table["observed_rate"] - table["mean_score"]
    return table


def ece(y: np.ndarray, p: np.ndarray, n_bins: int = 10, scheme: str = "equal_width") -> tuple[float, float]:
    r"""Expected and maximum calibration error.

    ECE is :math:`\sum_b \frac{n_b}{n}|\bar y_b - \bar p_b|` over non-empty bins, MCE the largest bin gap.
    """
    table = reliability(y, p, n_bins, scheme)
    gaps = table["gap"].abs().to_numpy()
    return float(np.sum(table["n"].to_numpy() / len(y) * gaps)), float(gaps.max())


class ECEGroupCalibrationAudit:
    """Calibration of a model's scores overall and within each group (equal-width and equal-mass ECE).

    ECE depends on the binning, so both schemes are reported: equal-width (``n_bins`` bins of [0, 1],
    Naeini et al.'s ECE) and equal-mass (``n_bins`` bins with the same number of rows, which avoids
    near-empty high-score bins). The maximum calibration error (MCE) is reported alongside, and the
    ``reliability`` table holds every bin's mean score and observed rate per group (a reliability
    diagram; drawn as ``reliability.svg`` when ``output_dir`` is set). ``passes`` applies the gates
    ECE < ``max_ece`` overall and < ``max_group_ece`` in every group (equal-width scheme).

    A *model audit*: needs ``scores`` (P(y=1)); without them a logistic-regression baseline is fitted
    on a split and its test-split scores are audited.

    Parameters
    ----------
    n_bins : int
        Bins per scheme.
    max_ece, max_group_ece : float
        Gates for overall and per-group ECE.
    predictions, scores : str or None
        Columns of the audited model's decisions and P(y=1).
    output_dir : str or None
        Folder to write ``reliability.csv`` and ``reliability.svg`` into.
    seed : int
        Seed of the baseline split when no scores are given.

    References
    ----------
    Naeini, M. P., Cooper, G. F. & Hauskrecht, M. (2015). Obtaining Well Calibrated Probabilities Using
    Bayesian Binning. AAAI 2015. Kleinberg, J., Mullainathan, S. & Raghavan, M. (2017). Inherent
    Trade-Offs in the Fair Determination of Risk Scores. ITCS 2017.
    """

    def __init__(
        self,
        *,
        n_bins: Annotated[int, Param('Bins per scheme (equal-width and equal-mass)', range=(1.0, 1000.0))] = 10,
        max_ece: Annotated[float, Param('Gate on overall ECE', range=(0.0, 1.0))] = 0.05,
        max_group_ece: Annotated[float, Param("Gate on every group's ECE", range=(0.0, 1.0))] = 0.08,
        predictions: Annotated[str | None, Param('Column of audited 0/1 decisions')] = None,
        scores: Annotated[str | None, Param('Column of P(y=1) (baseline model when absent)')] = None,
        output_dir: Annotated[str | None, Param('Folder for reliability.csv and reliability.svg')] = None,
        seed: Annotated[int, Param('Seed of the baseline split', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.n_bins = n_bins
        self.max_ece = max_ece
        self.max_group_ece = max_group_ece
        self.predictions = predictions
        self.scores = scores
        self.output_dir = output_dir
        self.seed = seed

    def run(
        self,
        data: pd.DataFrame,
        *,
        protected: str | Sequence[str],
        outcome: str,
        predictions: str | None = None,
        scores: str | None = None,
    ) -> AnalysisResult:
        if self.n_bins < 1:
            raise InvalidParameterError(f"n_bins must be at least 1, got {self.n_bins}")
        score_col = scores or self.scores
        if score_col is None and (predictions or self.predictions) is not None:
            raise DataError("calibration needs a scores column (P(y=1)), not only 0/1 predictions")
        audit = prepare(
            data,
            protected,
            outcome,
            predictions or self.predictions,
            score_col,
            when_missing="baseline",
            seed=self.seed,
        )
        if audit.y_score is None:  # pragma: no cover - prepare() always yields scores here
            raise DataError("calibration needs a scores column (P(y=1))")
        y, p = audit.y_true, audit.y_score
        parts = [("overall", np.ones(len(y), dtype=bool))]
        parts += [(str(g), audit.groups == g) for g in sorted(np.unique(audit.groups))]
        rows, diagram = [], []
        for name, mask in parts:
            row: dict[str, object] = {
                "group": name,
                "n": int(mask.sum()),
                "mean_score": float(p[mask].mean()),
                "base_rate": float(y[mask].mean()),
            }
            for scheme in SCHEMES:
                e, m = ece(y[mask], p[mask], self.n_bins, scheme)
                row[f"ece_{scheme}"], row[f"mce_{scheme}"] = e, m
                table = reliability(y[mask], p[mask], self.n_bins, scheme)
                table.insert(0, "scheme", scheme)
                table.insert(0, "group", name)
                diagram.append(table)
            rows.append(row)
        groups = pd.DataFrame(rows)
        per_group = groups[groups["group"] != "overall"]
        overall = groups.iloc[0]
        worst = per_group.loc[per_group["ece_equal_width"].idxmax()]
        summary = {
            **describe(audit),
            "n_rows": len(y),
            "n_bins": int(self.n_bins),
            "ece": float(overall["ece_equal_width"]),
            "ece_equal_mass": float(overall["ece_equal_mass"]),
            "mce": float(overall["mce_equal_width"]),
            "group_ece": {r["group"]: float(r["ece_equal_width"]) for r in per_group.to_dict("records")},
            "group_ece_equal_mass": {
                r["group"]: float(r["ece_equal_mass"]) for r in per_group.to_dict("records")
            },
            "worst_group": str(worst["group"]),
            "max_group_ece": float(worst["ece_equal_width"]),
            "ece_gap": float(per_group["ece_equal_width"].max() - per_group["ece_equal_width"].min()),
            "passes": bool(
                overall["ece_equal_width"] < self.max_ece
                and per_group["ece_equal_width"].max() < self.max_group_ece
            ),
        }
        reliability_table = pd.concat(diagram, ignore_index=True)
        artifacts = self._write(reliability_table) if self.output_dir else {}
        return AnalysisResult(
            "ece_group_calibration_audit",
            clean(summary),
            {"groups": groups, "reliability": reliability_table},
            artifacts,
        )

    def _write(self, table: pd.DataFrame) -> dict[str, str]:
        import io

        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from fairmend.io import write_atomic, write_csv_atomic

        out = Path(str(self.output_dir))
        csv = write_csv_atomic(out / "reliability.csv", table)
        fig, axes = plt.subplots(1, 2, figsize=(10, 4.5), sharey=True)
        for ax, scheme in zip(axes, SCHEMES, strict=True):
            ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect calibration")
            for group, t in table[table["scheme"] == scheme].groupby("group", sort=False):
                ax.plot(t["mean_score"], t["observed_rate"], marker="o", label=str(group))
            ax.set_title(f"Reliability ({scheme.replace('_', ' ')} bins)")
            ax.set_xlabel("mean predicted P(y=1)")
        axes[0].set_ylabel("observed rate of y=1")
        axes[1].legend(fontsize="small")
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", bbox_inches="tight")
        plt.close(fig)
        svg = write_atomic(out / "reliability.svg", buffer.getvalue())
        return {"reliability_csv": str(csv), "reliability_svg": str(svg)}
