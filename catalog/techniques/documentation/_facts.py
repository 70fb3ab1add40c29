"""Facts about a dataset and a model's predictions, shared by the generated documents."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fairmend.errors import ColumnNotFoundError


def data_facts(data: pd.DataFrame, protected: list[str], outcome: str) -> dict[str, Any]:
    """Rows, columns, missing values, group sizes and favourable-outcome base rates per group."""
    from fairmend.validation import validate

    checked = validate(data, protected=protected, outcome=outcome, min_group_size=0)
    y = pd.Series(checked.y, index=data.index)
    columns = pd.DataFrame(
        [
            {
                "column": c,
                "dtype": "numeric" if pd.api.types.is_numeric_dtype(data[c]) else "categorical",
                "distinct": int(data[c].nunique()),
                "missing": int(data[c].isna().sum()),
            }
            for c in data.columns
        ]
    )
    groups = []
    for attr in protected:
        for value, part in y.groupby(data[attr].astype(str)):
            groups.append(
                {
                    "attribute": attr,
                    "group": value,
                    "rows": len(part),
                    "share": len(part) / len(y),
                    "base_rate": float(part.mean()),
                }
            )
    table = pd.DataFrame(groups)
    ratios = {
        a: float(t["base_rate"].min() / t["base_rate"].max()) if t["base_rate"].max() > 0 else float("nan")
        for a, t in table.groupby("attribute")
    }
    return {
        "n_rows": len(data),
        "n_columns": int(data.shape[1]),
        "outcome": outcome,
        "favourable_label": checked.favourable_label,
        "base_rate": float(y.mean()),
        "columns": columns,
        "groups": table,
        "disparate_impact": ratios,
        "y": checked.y,
    }


def model_facts(
    data: pd.DataFrame, protected: list[str], outcome: str, predictions: str | None, seed: int = 0
) -> dict[str, Any]:
    """Disaggregated performance of ``predictions`` or, without them, of a logistic-regression
    baseline (one-hot features, protected attributes excluded) on a 30 % stratified test split."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    facts = data_facts(data, protected, outcome)
    y = np.asarray(facts["y"], dtype=int)
    if predictions is not None:
        if predictions not in data.columns:
            raise ColumnNotFoundError(f"predictions column {predictions!r} is not in the data")
        from fairmend.catalog.techniques.monitoring.fairness import _binary

        pred, rows, evaluated = (
            _binary(data[predictions], predictions),
            np.arange(len(y)),
            "predictions column",
        )
    else:
        X = pd.get_dummies(data.drop(columns=[outcome, *protected]), dtype=float)
        tr, te = train_test_split(np.arange(len(y)), test_size=0.3, random_state=seed, stratify=y)
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)).fit(X.iloc[tr], y[tr])
        pred, rows, evaluated = model.predict(X.iloc[te]), te, "baseline logistic regression, 30% test split"
        y = y[te]
    out = []
    sub = data.iloc[rows]
    for attr in protected:
        for value in sorted(sub[attr].astype(str).unique()):
            m = (sub[attr].astype(str) == value).to_numpy()
            yy, pp = y[m], pred[m]
            out.append(
                {
                    "attribute": attr,
                    "group": value,
                    "rows": int(m.sum()),
                    "accuracy": float((yy == pp).mean()),
                    "selection_rate": float(pp.mean()),
                    "tpr": float(pp[yy == 1].mean()) if (yy == 1).any() else float("nan"),
                    "fpr": float(pp[yy == 0].mean()) if (yy == 0).any() else float("nan"),
                }
            )
    facts.update(
        {
            "evaluated": evaluated,
            "n_evaluated": len(rows),
            "accuracy": float((y == pred).mean()),
            "performance": pd.DataFrame(out),
        }
    )
    return facts
