"""Dataset representation audit: group shares vs a reference, per-group base rates, small groups."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult, group_labels
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.evaluation._common import as_list, binary, check_columns, check_groups, clean

from fairmend.errors import InvalidParameterError


def parse_reference(reference: str | dict[str, Any] | None) -> dict[str, dict[str, float]]:
    """``{attribute: {value: population share}}`` from a dict, a JSON string or a JSON file path."""
    if reference is None:
        return {}
    if isinstance(reference, dict):
        raw: Any = reference
    else:
        text = str(reference).strip()
        if not text.startswith("{"):
            path = Path(text)
            if not path.is_file():
                raise InvalidParameterError(f"reference {text!r} is neither a JSON object nor a JSON file")
            text = path.read_text(encoding="utf-8")
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidParameterError(f"reference is not valid JSON: {exc}") from None
    out: dict[str, dict[str, float]] = {}
    for attr, shares in raw.items():
        if not isinstance(shares, dict):
            raise InvalidParameterError(f"reference for {attr!r} must map each group to its population share")
        total = float(sum(shares.values()))
        if total <= 0:
            raise InvalidParameterError(f"reference shares for {attr!r} must be positive")
        out[str(attr)] = {str(k): float(v) / total for k, v in shares.items()}
    return out


class DatasetRepresentationAudit:
    """Who is in the data, how often they get the favourable label, and which groups are too small.

    For each protected attribute and for their intersection: group size and share, the share expected
    from a reference population (``reference``) or, without one, parity (``1 / number of groups``),
    the representation ratio (share / expected), the KL divergence of the observed from the expected
    distribution, the per-group base rate of the favourable outcome and its gap to the overall rate,
    and the groups under ``min_group_size`` rows (too small for stable estimates).

    Parameters
    ----------
    reference : str or None
        Population shares as a JSON object (or a path to a JSON file) mapping attribute to
        ``{group: share}``, e.g. ``{"sex": {"Female": 0.51, "Male": 0.49}}``; shares are normalised.
        Attributes without a reference are compared with parity.
    min_group_size : int
        Groups with fewer rows are flagged (30 is the usual minimum).
    underrepresented_ratio : float
        A group whose representation ratio is below this is flagged as under-represented.

    References
    ----------
    Suresh, H. & Guttag, J. (2021). A Framework for Understanding Sources of Harm throughout the
    Machine Learning Life Cycle. EAAMO 2021.
    """

    def __init__(
        self, *, reference: Annotated[str | None, Param('Population shares: JSON object or JSON file, {attribute: {group: share}}; parity when absent')] = None, min_group_size: Annotated[int, Param('Groups with fewer rows are flagged as small', range=(1.0, 1000000.0))] = 30, underrepresented_ratio: Annotated[float, Param('Share / expected share below this is under-represented', range=(0.0, 1.0))] = 0.8
    ) -> None:
        self.reference = reference
        self.min_group_size = min_group_size
        self.underrepresented_ratio = underrepresented_ratio

    def run(
        self,
        data: pd.DataFrame,
        *,
        protected: str | Sequence[str],
        outcome: str,
        predictions: str | None = None,
        scores: str | None = None,
    ) -> AnalysisResult:
        names = as_list(protected)
        check_columns(data, outcome, *names)
        reference = parse_reference(self.reference)
        unknown = sorted(set(reference) - set(names))
        if unknown:
            raise InvalidParameterError(
                f"reference names attribute(s) {unknown} that are not protected attributes"
            )
        frame = data.reset_index(drop=True)
        y = binary(frame[outcome], outcome)
        overall = float(y.mean())
        views = [(a, frame[a].astype(str).to_numpy(dtype=object)) for a in names]
        if len(names) > 1:
            views.append(("|".join(names), group_labels(frame[names])))
        rows, kl = [], {}
        for attr, groups in views:
            check_groups(groups, attr)
            values, counts = np.unique(groups, return_counts=True)
            share = counts / counts.sum()
            ref = reference.get(attr)
            if ref is not None:
                missing = sorted(set(ref) - set(values))
                expected = np.array([ref.get(v, 0.0) for v in values])
            else:
                missing, expected = [], np.full(len(values), 1.0 / len(values))
            with np.errstate(divide="ignore", invalid="ignore"):
                kl[attr] = float(np.sum(np.where(share > 0, share * np.log(share / expected), 0.0)))
            for v, n, s, e in zip(values, counts, share, expected, strict=True):
                base = float(y[groups == v].mean())
                rows.append(
                    {
                        "attribute": attr,
                        "group": v,
                        "n": int(n),
                        "share": float(s),
                        "expected_share": float(e),
                        "representation_ratio": float(s / e) if e > 0 else float("inf"),
                        "base_rate": base,
                        "base_rate_gap": base - overall,
                        "small": bool(n < self.min_group_size),
                    }
                )
            for v in missing:
                rows.append(
                    {
                        "attribute": attr,
                        "group": v,
                        "n": 0,
                        "share": 0.0,
                        "expected_share": ref[v],
                        "representation_ratio": 0.0,
                        "base_rate": float("nan"),
                        "base_rate_gap": float("nan"),
                        "small": True,
                    }
                )
        table = pd.DataFrame(rows)
        under = table[table["representation_ratio"] < self.underrepresented_ratio]
        summary = {
            "n_rows": len(frame),
            "overall_base_rate": overall,
            "class_imbalance": float(abs(2 * overall - 1)),
            "reference": "given" if reference else "parity",
            "kl_divergence": kl,
            "min_representation_ratio": {
                a: float(t["representation_ratio"].min()) for a, t in table.groupby("attribute")
            },
            "max_base_rate_gap": {
                a: float(t["base_rate"].max() - t["base_rate"].min()) for a, t in table.groupby("attribute")
            },
            "underrepresented_groups": [f"{r.attribute}={r.group}" for r in under.itertuples()],
            "small_groups": [f"{r.attribute}={r.group}" for r in table[table["small"]].itertuples()],
        }
        return AnalysisResult("dataset_representation_audit", clean(summary), {"groups": table})
