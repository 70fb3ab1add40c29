"""Fairness-accuracy Pareto frontier across candidate models or runs."""

from __future__ import annotations

import glob
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.evaluation._common import clean

from fairmend.errors import ColumnNotFoundError, DataError, DataFileError


def non_dominated(performance: np.ndarray, unfairness: np.ndarray) -> np.ndarray:
    """Mask of Pareto-optimal points when maximising ``performance`` and minimising ``unfairness``.

    A point is dominated when another is at least as good on both axes and strictly better on one.
    """
    perf, unf = np.asarray(performance, float), np.asarray(unfairness, float)
    keep = np.ones(len(perf), dtype=bool)
    for i in range(len(perf)):
        better_eq = (perf >= perf[i]) & (unf <= unf[i])
        strictly = (perf > perf[i]) | (unf < unf[i])
        keep[i] = not np.any(better_eq & strictly)
    return keep


def runs_from_reports(pattern: str, accuracy_metric: str, fairness_metric: str) -> pd.DataFrame:
    """One row per ``report.json`` (its ``after`` metrics), plus each distinct ``before`` baseline."""
    paths: list[str] = []
    for part in (p.strip() for p in pattern.split(",")):
        if part:
            found = sorted(glob.glob(part)) or ([part] if Path(part).exists() else [])
            if not found:
                raise DataFileError(f"no report.json matches {part!r}")
            paths += found
    rows: list[dict[str, Any]] = []
    baselines: set[tuple[float, float]] = set()
    for path in paths:
        try:
            report = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise DataFileError(f"{path}: not a readable report.json ({exc})") from None
        for which in ("before", "after"):
            metrics = report.get(which) or {}
            if accuracy_metric not in metrics or fairness_metric not in metrics:
                raise DataError(f"{path}: {which!r} lacks {accuracy_metric!r} or {fairness_metric!r}")
        before = (float(report["before"][accuracy_metric]), float(report["before"][fairness_metric]))
        if before not in baselines:
            baselines.add(before)
            rows.append(
                {
                    "name": f"baseline ({Path(path).parent.name})",
                    "accuracy": before[0],
                    "unfairness": before[1],
                    "source": path,
                }
            )
        name = report.get("technique", Path(path).parent.name)
        rows.append(
            {
                "name": name,
                "accuracy": float(report["after"][accuracy_metric]),
                "unfairness": float(report["after"][fairness_metric]),
                "source": path,
            }
        )
    return pd.DataFrame(rows)


class ParetoFrontierFairnessAccuracy:
    """Which candidates are not beaten on both accuracy and fairness at once?

    Input is either a table of runs (``data`` with columns ``name_column``, ``accuracy_column``,
    ``fairness_column``; the fairness column is a gap, lower is better) or, with ``reports``, a list of
    ``fairmend run`` ``report.json`` files whose ``after`` metrics are the candidates and whose
    ``before`` metrics give the unmitigated baseline. The non-dominated set is the Pareto frontier;
    each dominated candidate is listed with one candidate that dominates it. Writes ``pareto.csv`` and
    ``pareto.svg`` (scatter with the frontier drawn as a step line) when ``output_dir`` is set.

    Parameters
    ----------
    reports : str or None
        Comma-separated ``report.json`` paths or glob patterns. When set, ``data`` is ignored.
    accuracy_metric, fairness_metric : str
        Metric names read from reports' ``before``/``after`` dicts.
    name_column, accuracy_column, fairness_column : str
        Columns of ``data`` when it is a table of runs.
    output_dir : str or None
        Folder for ``pareto.csv`` and ``pareto.svg``.

    References
    ----------
    Wick, M., Panda, S. & Tristan, J.-B. (2019). Unlocking Fairness: a Trade-off Revisited.
    NeurIPS 2019.
    """

    def __init__(
        self,
        *,
        reports: Annotated[str | None, Param('Comma-separated report.json paths or globs (else data is a table of runs)')] = None,
        accuracy_metric: Annotated[str, Param("Metric read from reports' before/after")] = "accuracy",
        fairness_metric: Annotated[str, Param('Unfairness metric (lower is better) read from reports')] = "demographic_parity_difference",
        name_column: Annotated[str, Param('Run-name column of a runs table')] = "name",
        accuracy_column: Annotated[str, Param('Accuracy column of a runs table')] = "accuracy",
        fairness_column: Annotated[str, Param('Unfairness column of a runs table')] = "unfairness",
        output_dir: Annotated[str | None, Param('Folder for pareto.csv and pareto.svg')] = None,
    ) -> None:
        self.reports = reports
        self.accuracy_metric = accuracy_metric
        self.fairness_metric = fairness_metric
        self.name_column = name_column
        self.accuracy_column = accuracy_column
        self.fairness_column = fairness_column
        self.output_dir = output_dir

    def run(
        self,
        data: pd.DataFrame | None = None,
        *,
        protected: str | Sequence[str] | None = None,
        outcome: str | None = None,
        predictions: str | None = None,
        scores: str | None = None,
    ) -> AnalysisResult:
        """Compute the frontier; ``protected`` and ``outcome`` are unused (the runs are already measured)."""
        if self.reports:
            runs = runs_from_reports(self.reports, self.accuracy_metric, self.fairness_metric)
        else:
            if data is None:
                raise DataError("give a table of runs or the reports parameter")
            missing = [c for c in (self.name_column, self.accuracy_column, self.fairness_column) if c not in data]
            if missing:
                raise ColumnNotFoundError(
                    f"a Pareto frontier compares measured runs: the data lacks the run column(s) "
                    f"{', '.join(map(repr, missing))}; give a table of runs (one row per model) or "
                    "the reports parameter (a glob of `fairmend run` report.json files)"
                )
            runs = pd.DataFrame(
                {
                    "name": data[self.name_column].astype(str).to_numpy(dtype=object),
                    "accuracy": pd.to_numeric(data[self.accuracy_column], errors="coerce").to_numpy(),
                    "unfairness": pd.to_numeric(data[self.fairness_column], errors="coerce").to_numpy(),
                }
            )
        if runs[["accuracy", "unfairness"]].isna().any().any():
            raise DataError("every run needs numeric accuracy and fairness values")
        if len(runs) < 2:
            raise DataError(f"a Pareto frontier needs at least two runs, got {len(runs)}")
        acc, unf = runs["accuracy"].to_numpy(float), runs["unfairness"].to_numpy(float)
        runs["pareto_optimal"] = non_dominated(acc, unf)
        dominated_by = []
        for i in range(len(runs)):
            beats = (acc >= acc[i]) & (unf <= unf[i]) & ((acc > acc[i]) | (unf < unf[i]))
            dominated_by.append(
                None if not beats.any() else str(runs["name"].iloc[int(np.flatnonzero(beats)[0])])
            )
        runs["dominated_by"] = dominated_by
        front = runs[runs["pareto_optimal"]].sort_values("unfairness")
        summary = {
            "n_runs": len(runs),
            "frontier": front["name"].tolist(),
            "dominated": {r.name: r.dominated_by for r in runs[~runs["pareto_optimal"]].itertuples()},
            "frontier_points": front[["name", "accuracy", "unfairness"]].to_dict("records"),
            "best_accuracy": str(runs.loc[runs["accuracy"].idxmax(), "name"]),
            "lowest_unfairness": str(runs.loc[runs["unfairness"].idxmin(), "name"]),
        }
        artifacts = self._write(runs) if self.output_dir else {}
        return AnalysisResult("pareto_frontier_fairness_accuracy", clean(summary), {"runs": runs}, artifacts)

    def _write(self, runs: pd.DataFrame) -> dict[str, str]:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from fairmend.io import write_atomic, write_csv_atomic

        out = Path(str(self.output_dir))
        csv = write_csv_atomic(out / "pareto.csv", runs)
        fig, ax = plt.subplots(figsize=(6, 4.5))
        dom = runs[~runs["pareto_optimal"]]
        front = runs[runs["pareto_optimal"]].sort_values("unfairness")
        ax.scatter(dom["unfairness"], dom["accuracy"], color="grey", label="dominated")
        ax.scatter(front["unfairness"], front["accuracy"], color="C0", label="Pareto optimal")
        ax.step(front["unfairness"], front["accuracy"], where="post", color="C0")
        for r in runs.itertuples():
            ax.annotate(
                str(r.name), (r.unfairness, r.accuracy), fontsize=7, xytext=(3, 3), textcoords="offset points"
            )
        ax.set_xlabel(f"{self.fairness_metric} (lower is fairer)")
        ax.set_ylabel(self.accuracy_metric)
        ax.legend(fontsize="small")
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", bbox_inches="tight")
        plt.close(fig)
        svg = write_atomic(out / "pareto.svg", buffer.getvalue())
        return {"pareto_csv": str(csv), "pareto_svg": str(svg)}
