"""Conditional demographic disparity (Wachter, Mittelstadt & Russell 2021)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.evaluation._common import check_columns, clean, describe, prepare
from fairmend.catalog.techniques.evaluation.proxy import discretise


def demographic_disparity(y: np.ndarray, in_group: np.ndarray) -> float:
    """Share of the group among the rejected minus its share among the accepted (NaN if either is empty)."""
    rejected, accepted = y == 0, y == 1
    if not rejected.any() or not accepted.any():
        return float("nan")
    return float(in_group[rejected].mean() - in_group[accepted].mean())


class ConditionalDemographicDisparity:
    r"""Demographic disparity of each group, unconditioned and conditioned on a legitimate stratum.

    For a group :math:`g`, demographic disparity is :math:`DD_g = P(g\mid\text{rejected}) -
    P(g\mid\text{accepted})`: positive when the group makes up more of the rejected than of the
    accepted. The conditional version averages it over strata :math:`i` of a legitimate factor
    (department, job grade, ...) weighted by stratum size, :math:`CDD_g = \frac1n\sum_i n_i DD_{g,i}`,
    which exposes or dissolves a Simpson's paradox. Strata where everybody is accepted or everybody
    rejected have no DD and are left out of the average (their count is reported).

    An *outcome audit*: audits ``predictions`` if given, else the labels.

    Parameters
    ----------
    stratum : str or None
        Column to condition on. Without it only the unconditioned DD is reported.
    n_bins : int
        Quantile bins when the stratum column is numeric with many values.
    predictions : str or None
        Column with the audited 0/1 decisions.

    References
    ----------
    Wachter, S., Mittelstadt, B. & Russell, C. (2021). Why Fairness Cannot Be Automated: Bridging the
    Gap Between EU Non-Discrimination Law and AI. Computer Law & Security Review 41, 105567.
    """

    def __init__(
        self, *, stratum: Annotated[str | None, Param('Legitimate column to condition on (unconditioned DD only when absent)')] = None, n_bins: Annotated[int, Param('Quantile bins for a numeric stratum', range=(2.0, 100.0))] = 10, predictions: Annotated[str | None, Param('Column of audited 0/1 decisions (labels when absent)')] = None
    ) -> None:
        self.stratum = stratum
        self.n_bins = n_bins
        self.predictions = predictions

    def run(
        self,
        data: pd.DataFrame,
        *,
        protected: str | Sequence[str],
        outcome: str,
        predictions: str | None = None,
        scores: str | None = None,
    ) -> AnalysisResult:
        check_columns(data, self.stratum)
        audit = prepare(
            data, protected, outcome, predictions or self.predictions, None, when_missing="labels"
        )
        y = audit.y_pred
        strata = (
            discretise(audit.frame[self.stratum], self.n_bins)
            if self.stratum is not None
            else np.full(len(y), "all", dtype=object)
        )
        rows, detail = [], []
        for g in sorted(np.unique(audit.groups)):
            member = audit.groups == g
            weighted, weight, skipped = 0.0, 0, 0
            for s in sorted(np.unique(strata)):
                mask = strata == s
                dd = demographic_disparity(y[mask], member[mask])
                detail.append(
                    {
                        "group": g,
                        "stratum": s,
                        "n": int(mask.sum()),
                        "group_n": int(member[mask].sum()),
                        "selection_rate": float(y[mask & member].mean()) if (mask & member).any() else None,
                        "dd": dd,
                    }
                )
                if np.isnan(dd):
                    skipped += 1
                    continue
                weighted += mask.sum() * dd
                weight += int(mask.sum())
            rows.append(
                {
                    "group": g,
                    "n": int(member.sum()),
                    "selection_rate": float(y[member].mean()),
                    "dd": demographic_disparity(y, member),
                    "cdd": weighted / weight if weight else float("nan"),
                    "strata_skipped": skipped,
                }
            )
        table = pd.DataFrame(rows)
        worst = table.loc[table["cdd"].idxmax()] if table["cdd"].notna().any() else None
        summary = {
            **describe(audit),
            "n_rows": len(y),
            "stratum": self.stratum,
            "n_strata": len(np.unique(strata)),
            "dd": {r["group"]: r["dd"] for r in rows},
            "cdd": {r["group"]: r["cdd"] for r in rows},
            "most_disadvantaged_group": None if worst is None else str(worst["group"]),
            "max_cdd": None if worst is None else float(worst["cdd"]),
        }
        return AnalysisResult(
            "conditional_demographic_disparity",
            clean(summary),
            {"groups": table, "strata": pd.DataFrame(detail)},
        )
