"""Data-aware recommendations: audit the user's data before ranking.

Without a model, the outcome itself is the "prediction": the audit reports group sizes, base
rates and the base-rate (demographic-parity) gap per protected attribute, the number of groups,
small groups and intersections, and turns them into constraints (more than two groups,
intersectional, small data, the criterion most violated).
"""

from __future__ import annotations

from typing import Any

from fairmend.catalog.types import Criterion
from fairmend.recommender.constraints import Constraints

SMALL_GROUP = 30


def audit_data(data: Any, *, protected: list[str], outcome: str) -> dict[str, Any]:
    """Group sizes, base rates and base-rate gaps of ``data`` (a path or a DataFrame)."""
    import numpy as np
    import pandas as pd

    from fairmend.io import read_table
    from fairmend.validation import validate

    frame = read_table(data)
    v = validate(frame, protected=protected, outcome=outcome, binary_outcome=True)
    y = np.asarray(v.y, dtype=float)
    out: dict[str, Any] = {"n_rows": int(len(frame)), "base_rate": float(y.mean()), "attributes": {}}
    for col in v.protected:
        rates = pd.Series(y).groupby(v.frame[col].astype(str).to_numpy()).agg(["size", "mean"])
        groups = {str(g): {"n": int(r["size"]), "base_rate": float(r["mean"])} for g, r in rates.iterrows()}
        hi, lo = float(rates["mean"].max()), float(rates["mean"].min())
        out["attributes"][col] = {
            "n_groups": len(groups),
            "groups": groups,
            "demographic_parity_difference": hi - lo,
            "disparate_impact_ratio": lo / hi if hi > 0 else float("nan"),
            "small_groups": [g for g, s in groups.items() if s["n"] < SMALL_GROUP],
        }
    if v.intersections:
        out["intersections"] = {"n_cells": len(v.intersections),
                                "small_cells": sum(1 for n in v.intersections.values() if n < SMALL_GROUP)}
    worst = max(out["attributes"].items(), key=lambda kv: kv[1]["demographic_parity_difference"])
    out["most_violated"] = {
        "criterion": Criterion.DEMOGRAPHIC_PARITY.value, "attribute": worst[0],
        "value": worst[1]["demographic_parity_difference"],
        "note": "measured on the labels (no model given): only base-rate gaps are observable; "
                "error-rate criteria need predictions (run `fairmend audit`).",
    }
    return out


def apply_audit(c: Constraints, audit: dict[str, Any]) -> Constraints:
    """Fold audit findings into ``c`` (text and flags win where they already set a value)."""
    attrs = audit["attributes"]
    if c.multi_group is None and any(a["n_groups"] > 2 for a in attrs.values()):
        c.multi_group = True
        c.sources["multi_group"] = "data"
    if len(attrs) > 1 and not c.intersectional:
        c.intersectional = True
        c.sources["intersectional"] = "data"
    if c.data_size is None:
        c.data_size = audit["n_rows"]
        c.sources["data_size"] = "data"
    if any(a["small_groups"] for a in attrs.values()) or audit["n_rows"] < 2000:
        c.small_data = True
        c.sources["small_data"] = "data"
    if not c.criteria and audit["most_violated"]["value"] >= 0.05:
        c.criteria = [Criterion(audit["most_violated"]["criterion"])]
        c.sources["criteria"] = "data"
    return c
