"""Judge one comparison of windows with the catalog's monitors, and turn what fired into findings.

* fairness: :class:`~fairmend.catalog.techniques.monitoring.fairness.FairnessMetricMonitoring` (the
  demographic-parity gap of the decisions and, where every row of both windows has its label, the
  equal-opportunity gap), alerting when a gap *grew* by at least ``thresholds.fairness_change`` with a
  95 % bootstrap interval of the change above 0, or when it exceeds ``thresholds.max_gap``;
* drift: :func:`~fairmend.catalog.techniques.monitoring.drift.drift_table` (KS or chi-square per column,
  Bonferroni at ``thresholds.drift_alpha``; PSI above ``thresholds.max_psi`` when set) and, with
  ``mmd: true``, the MMD test.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fairmend.errors import DataError
from fairmend.monitoring.windows import Comparison

PRED, LABEL, ROWS = "_fairmend_decision", "_fairmend_label", "__rows__"
NAMES = {"dp_gap": "demographic-parity gap", "eo_gap": "equal-opportunity gap"}


def favourable(values: pd.Series, label: Any, name: str) -> pd.Series:
    """1 where ``values`` is the favourable label, 0 elsewhere (missing values stay missing)."""
    from fairmend.catalog.techniques.monitoring.fairness import _binary

    known = values.notna()
    out = pd.Series(np.nan, index=values.index)
    if label is None:
        if known.any():
            out[known] = _binary(values[known], name)
        return out
    if (
        pd.api.types.is_numeric_dtype(values)
        and isinstance(label, (int, float))
        and not isinstance(label, bool)
    ):
        out[known] = (values[known] == label).astype(float)
    else:
        out[known] = (values[known].astype(str) == str(label)).astype(float)
    return out


def _fairness(ref: pd.DataFrame, cur: pd.DataFrame, cfg: Any, with_labels: bool) -> dict[str, Any]:
    """The gaps of the catalog's fairness monitor from two windows' count tables (protected..., ``PRED``,
    ``LABEL``, ``__rows__``; :mod:`fairmend.monitoring.counted`): the same numbers on either engine."""
    from fairmend.catalog.contracts import group_labels
    from fairmend.catalog.techniques.monitoring.fairness import count_table, gap_changes

    tables = {}
    for name, t in (("reference", ref), ("current", cur)):
        codes = np.unique(group_labels(t[cfg["protected"]]), return_inverse=True)[1]
        y = t[LABEL].to_numpy(dtype=float).astype(int) if with_labels else None
        tables[name] = count_table(codes, t[PRED].to_numpy(), y, t[ROWS].to_numpy(dtype=float))
    th = cfg["thresholds"]
    rows = gap_changes(
        tables["reference"],
        tables["current"],
        with_labels,
        threshold=th["fairness_change"],
        n_boot=cfg["n_boot"],
        seed=cfg["seed"],
    )
    alerts = [r["metric"] for r in rows if r["alert"]]
    return {
        "audited": "predictions",
        "n_reference": int(ref[ROWS].sum()),
        "n_current": int(cur[ROWS].sum()),
        "threshold": th["fairness_change"],
        "alerts": alerts,
        "any_alert": bool(alerts),
        "metrics": {r["metric"]: {k: v for k, v in r.items() if k != "metric"} for r in rows},
    }


def _small_groups_dropped(
    ref: pd.DataFrame, cur: pd.DataFrame, cfg: Any
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    from fairmend.catalog.contracts import group_labels

    least = cfg["windows"]["min_group_rows"]
    g_ref, g_cur = group_labels(ref[cfg["protected"]]), group_labels(cur[cfg["protected"]])
    sizes_ref = ref[ROWS].groupby(np.asarray(g_ref)).sum()
    sizes_cur = cur[ROWS].groupby(np.asarray(g_cur)).sum()
    keep = sorted(
        g
        for g in set(sizes_ref.index) & set(sizes_cur.index)
        if sizes_ref[g] >= least and sizes_cur[g] >= least
    )
    dropped = sorted((set(sizes_ref.index) | set(sizes_cur.index)) - set(keep))
    return ref[np.isin(g_ref, keep)], cur[np.isin(g_cur, keep)], dropped


def judge(
    comp: Comparison,
    ref: pd.DataFrame,
    cur: pd.DataFrame,
    cfg: Any,
    features: list[str],
    drift: tuple[pd.DataFrame, pd.DataFrame],
) -> dict[str, Any]:
    """Everything measured on one comparison: ``fairness`` (from the windows' count tables ``ref`` and
    ``cur``), ``drift`` and ``mmd`` (on the rows ``drift``: the windows, or samples of them), ``rows``
    (for the state) and ``findings``; or ``skipped`` with the reason."""
    n_ref, n_cur = int(ref[ROWS].sum()), int(cur[ROWS].sum())
    out: dict[str, Any] = {
        **comp.to_dict(),
        "n_reference": n_ref,
        "n_current": n_cur,
        "rows": [],
        "findings": [],
        "notes": [],
    }
    least = cfg["windows"]["min_rows"]
    if min(n_ref, n_cur) < least:
        out["skipped"] = (
            f"too few rows: {n_cur} in the current window, {n_ref} in the reference "
            f"(windows.min_rows: {least})"
        )
        return out
    th = cfg["thresholds"]
    r2, c2, dropped = _small_groups_dropped(ref, cur, cfg)
    if dropped:
        out["notes"].append(
            f"groups left out of the fairness gaps (under {cfg['windows']['min_group_rows']} rows "
            f"in a window): {', '.join(dropped)}"
        )
    if r2.empty or c2.empty or len(set(map(tuple, r2[cfg["protected"]].astype(str).to_numpy()))) < 2:
        out["notes"].append("fairness not judged: fewer than two groups with enough rows in both windows")
    else:
        with_labels = bool(cfg["outcome"]) and not (r2[LABEL].isna().any() or c2[LABEL].isna().any())
        if cfg["outcome"] and not with_labels:
            out["notes"].append(
                f"equal-opportunity gap not judged: {cfg['outcome']!r} is missing on some rows "
                "(labels not yet known)"
            )
        fair = _fairness(r2, c2, cfg, with_labels)
        out["fairness"] = fair
        for metric, v in fair["metrics"].items():
            grew = bool(v["alert"]) and v["change"] > 0
            over = th["max_gap"] is not None and np.isfinite(v["current"]) and v["current"] > th["max_gap"]
            out["rows"].append(
                {
                    "comparison": comp.name,
                    "metric": f"fairness:{metric}",
                    "value": v["current"],
                    "reference": v["reference"],
                    "change": v["change"],
                    "ci_low": v["ci_low"],
                    "ci_high": v["ci_high"],
                    "alert": grew or over,
                }
            )
            name = f"{NAMES.get(metric, metric)} of the decisions by {', '.join(cfg['protected'])}"
            where = f"{comp.name} window {comp.current.text()} vs {comp.reference.text()}"
            if grew:
                out["findings"].append(
                    {
                        "topic": f"{comp.name}|fairness:{metric}",
                        "kind": "fairness",
                        "comparison": comp.name,
                        "metric": metric,
                        "message": (
                            f"{name} grew from {v['reference']:.3f} to {v['current']:.3f} "
                            f"(change {v['change']:+.3f}, 95% CI {v['ci_low']:+.3f} to "
                            f"{v['ci_high']:+.3f}; threshold {th['fairness_change']:g}) "
                            f"in the {where}"
                        ),
                    }
                )
            if over:
                out["findings"].append(
                    {
                        "topic": f"{comp.name}|fairness_level:{metric}",
                        "kind": "fairness",
                        "comparison": comp.name,
                        "metric": metric,
                        "message": f"{name} is {v['current']:.3f}, above max_gap {th['max_gap']:g}, "
                        f"in the {where}",
                    }
                )
    _drift(comp, *drift, cfg, features, out)
    return out


def _drift(
    comp: Comparison, ref: pd.DataFrame, cur: pd.DataFrame, cfg: Any, features: list[str], out: dict[str, Any]
) -> None:
    from fairmend.catalog.techniques.monitoring.drift import MMDDriftTest, drift_table

    th = cfg["thresholds"]
    table = drift_table(ref, cur, features, th["drift_alpha"])
    level = th["drift_alpha"] / max(len(table), 1)
    out["drift"] = table.to_dict(orient="records")
    out["drift_level"] = level
    for r in out["drift"]:
        psi_alert = th["max_psi"] is not None and r["psi"] > th["max_psi"]
        out["rows"].append(
            {
                "comparison": comp.name,
                "metric": f"drift:{r['column']}",
                "value": r["psi"],
                "p_value": r["p_value"],
                "alert": bool(r["alert"]) or psi_alert,
            }
        )
        if r["alert"] or psi_alert:
            why = f"{r['test']} p = {r['p_value']:.2g} < {level:.2g}" if r["alert"] else ""
            why += ("; " if why and psi_alert else "") + (
                f"PSI {r['psi']:.3f} > {th['max_psi']:g}" if psi_alert else ""
            )
            out["findings"].append(
                {
                    "topic": f"{comp.name}|drift:{r['column']}",
                    "kind": "drift",
                    "comparison": comp.name,
                    "metric": r["column"],
                    "message": (
                        f"column {r['column']!r} drifted ({why}; PSI {r['psi']:.3f}) "
                        f"in the {comp.name} window {comp.current.text()} vs "
                        f"{comp.reference.text()}"
                    ),
                }
            )
    if cfg["mmd"]:
        try:
            mmd = (
                MMDDriftTest(
                    reference=ref[features],
                    columns=",".join(features),
                    seed=cfg["seed"],
                    alpha=th["drift_alpha"],
                )
                .run(cur[features])
                .summary
            )
        except DataError as exc:
            out["notes"].append(f"MMD not computed: {exc}")
            return
        out["mmd"] = mmd
        out["rows"].append(
            {
                "comparison": comp.name,
                "metric": "drift:mmd",
                "value": mmd["mmd2"],
                "p_value": mmd["p_value"],
                "alert": mmd["alert"],
            }
        )
        if mmd["alert"]:
            out["findings"].append(
                {
                    "topic": f"{comp.name}|drift:mmd",
                    "kind": "drift",
                    "comparison": comp.name,
                    "metric": "mmd",
                    "message": f"multivariate drift (MMD² {mmd['mmd2']:.4f}, "
                    f"p = {mmd['p_value']:.3g}) in the {comp.name} "
                    f"window {comp.current.text()}",
                }
            )
