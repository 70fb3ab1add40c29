"""The benchmark report: per technique, dataset and attribute, the median change over seeds with its
spread, and the Fairea classes (:mod:`fairmend.scale.fairea`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fairmend.scale.fairea import CLASSES

_LEGEND = (
    "Δ = after - before on the test rows: median over seeds [25th, 75th percentile]. SPD, AOD and EOD "
    "are max - min over the attribute's groups (lower is fairer). Fairea: the most frequent class over "
    "seeds and its share (win-win, good / poor trade-off, inverted, lose-lose; Hort et al. 2021).\n"
)
_SHORT = {
    "win-win": "win-win",
    "good trade-off": "good",
    "poor trade-off": "poor",
    "inverted trade-off": "inverted",
    "lose-lose": "lose-lose",
    "no change": "none",
}


def _spread(values: pd.Series, digits: int = 3) -> str:
    v = values.dropna().to_numpy(dtype=float)
    if len(v) == 0:
        return "-"
    q25, q50, q75 = np.percentile(v, [25, 50, 75])
    return f"{q50:+.{digits}f} [{q25:+.{digits}f}, {q75:+.{digits}f}]"


def _majority(values: pd.Series) -> str:
    v = values.dropna()
    if v.empty:
        return "-"
    shares = v.value_counts(normalize=True)
    return f"{_SHORT.get(shares.index[0], shares.index[0])} {shares.iloc[0]:.0%}"


def summary_table(results: pd.DataFrame) -> pd.DataFrame:
    """One row per (technique, dataset, protected): cells ok, medians of the changes with their
    interquartile range over seeds, and the most frequent Fairea class per bias metric."""
    rows = []
    for (technique, dataset, protected), cells in results.groupby(
        ["technique", "dataset", "protected"], sort=True
    ):
        ok = cells[cells["status"] == "ok"]
        row: dict[str, Any] = {
            "technique": technique,
            "dataset": dataset,
            "protected": protected,
            "ok": f"{len(ok)}/{len(cells)}",
            "accuracy": f"{ok['accuracy_after'].median():.3f}" if len(ok) else "-",
            "Δ accuracy": _spread(ok["accuracy_after"] - ok["accuracy_before"]),
        }
        for short in ("spd", "aod", "eod"):
            row[f"Δ {short.upper()}"] = _spread(ok[f"{short}_after"] - ok[f"{short}_before"])
        for short in ("spd", "aod", "eod"):
            row[f"Fairea {short.upper()}"] = _majority(ok[f"fairea_{short}"])
        rows.append(row)
    return pd.DataFrame(rows)


def class_shares(results: pd.DataFrame) -> pd.DataFrame:
    """Per technique, the share of each Fairea class over its finished cells and the three bias metrics."""
    ok = results[results["status"] == "ok"]
    long = ok.melt(
        id_vars=["technique"], value_vars=["fairea_spd", "fairea_aod", "fairea_eod"], value_name="cls"
    )
    table = pd.crosstab(long["technique"], long["cls"], normalize="index")
    table = table.reindex(columns=[c for c in CLASSES if c in table.columns])
    return table.map(lambda x: f"{x:.0%}").reset_index()


def markdown_table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "(no rows)\n"
    cols = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "| " + " | ".join("---" for _ in cols) + " |"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |")
    return "\n".join(lines) + "\n"


def report_markdown(
    results: pd.DataFrame, *, protocol: dict[str, Any], title: str = "Benchmark", preamble: str = ""
) -> str:
    """The report as Markdown: settings, the summary table, Fairea class shares, and errors."""
    n_ok = int((results["status"] == "ok").sum())
    parts = [
        f"# {title}\n",
        preamble,
        f"{len(results)} cells ({n_ok} ok, {len(results) - n_ok} error); protocol: "
        + ", ".join(f"{k} {v}" for k, v in protocol.items())
        + ".\n",
        _LEGEND,
        markdown_table(summary_table(results)),
        "\n## Fairea classes per technique (all datasets, attributes, seeds and the three bias metrics)\n\n",
        markdown_table(class_shares(results)),
    ]
    errors = results[results["status"] == "error"]
    if not errors.empty:
        first = (
            errors.groupby(["technique", "dataset"], sort=True)
            .agg(cells=("seed", "size"), message=("message", "first"))
            .reset_index()
        )
        parts += ["\n## Errors\n\n", markdown_table(first)]
    return "\n".join(p for p in parts if p)
