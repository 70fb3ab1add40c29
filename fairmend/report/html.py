"""The pipeline report: self-contained ``report.html`` (inline SVG, no network), ``report.json``
and the seed-000 deliverables as Markdown (validation report, model card, implementation guide)."""

from __future__ import annotations

import math
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fairmend.report import markdown, svg

SECTIONS = ("data-audit", "decision-trail", "group-metrics", "pareto", "reliability", "significance")
FIGURES = ("fig-selection-rate", "fig-tpr", "fig-pareto", "fig-reliability")


def wilson(k: float, n: float, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion k / n."""
    if n <= 0:
        return (math.nan, math.nan)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def group_rates(y: np.ndarray, pred: np.ndarray, groups: np.ndarray) -> dict[str, dict[str, tuple[float, float, float]]]:
    out: dict[str, dict[str, tuple[float, float, float]]] = {}
    for g in sorted(set(groups)):
        m = groups == g
        n, k = int(m.sum()), int(pred[m].sum())
        pos = m & (y == 1)
        tp = int(pred[pos].sum())
        out[str(g)] = {
            "selection_rate": (k / n if n else math.nan, *wilson(k, n)),
            "tpr": (tp / pos.sum() if pos.sum() else math.nan, *wilson(tp, int(pos.sum()))),
        }
    return out


def reliability_curves(y: np.ndarray, score: np.ndarray, groups: np.ndarray, bins: int = 10) -> dict[str, list[tuple[float, float]]]:
    edges = np.linspace(0, 1, bins + 1)
    curves = {}
    for g in sorted(set(groups)):
        m = groups == g
        idx = np.clip(np.digitize(score[m], edges[1:-1]), 0, bins - 1)
        pts = []
        for b in range(bins):
            sel = idx == b
            if sel.sum() >= 5:
                pts.append((float(score[m][sel].mean()), float(y[m][sel].mean())))
        curves[str(g)] = pts
    return curves


def pareto_points(attempts: list[dict[str, Any]], baseline: dict[str, float], final: dict[str, float]) -> list[tuple[float, float, str, bool]]:
    raw = [(baseline["gap"], baseline["accuracy"], "baseline")]
    raw += [(a["demographic_parity_difference"], a["accuracy"], f"{a['stage']}:{a['key']}")
            for a in attempts if a.get("accuracy") is not None]
    raw.append((final["gap"], final["accuracy"], "final"))
    out = []
    for x, y, label in raw:
        dominated = any((x2 <= x and y2 >= y) and (x2 < x or y2 > y) for x2, y2, _ in raw)
        out.append((x, y, label, not dominated))
    return out


def write_report(result: Any, out_dir: Path) -> dict[str, str]:
    """Write report.html, report.json and the Markdown deliverables; returns their paths."""
    from fairmend.io import write_atomic, write_json_atomic
    from fairmend.stats import compare

    fitted = result.fitted
    y, A = np.asarray(fitted["y_test"]), fitted["A_test"]
    base, fin = fitted["baseline"], fitted["final"]
    both = base.score is not None and fin.score is not None
    policy = fitted["policy"]
    sig = compare(y, base.pred, fin.pred, A, scores_before=base.score if both else None,
                  scores_after=fin.score if both else None, n_boot=policy.n_boot, seed=policy.seed)
    doc = result.to_dict()
    doc["significance"] = sig
    paths = {"report_json": str(write_json_atomic(out_dir / "report.json", doc))}
    html = render_html(result, sig, y, A)
    paths["report_html"] = str(write_atomic(out_dir / "report.html", html))
    for name, text in markdown.deliverables(result, sig).items():
        paths[name] = str(write_atomic(out_dir / f"{name}.md", text))
    return paths


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    rows = "".join("<tr>" + "".join(f"<td>{_fmt(v)}</td>" for v in r) + "</tr>" for r in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _fmt(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        return "" if not math.isfinite(v) else f"{v:.4f}"
    return escape(str(v))


def render_html(result: Any, sig: dict[str, dict[str, Any]], y: np.ndarray, A: pd.DataFrame) -> str:
    fitted = result.fitted
    base, fin = fitted["baseline"], fitted["final"]
    first = A.columns[0]
    groups = A[first].astype(str).to_numpy()
    rb, ra = group_rates(y, base.pred, groups), group_rates(y, fin.pred, groups)
    names = list(rb)
    figs = [
        svg.grouped_bars(f"Selection rate by {first} (95% Wilson CI)", names,
                         {"before": [rb[g]["selection_rate"] for g in names], "after": [ra[g]["selection_rate"] for g in names]},
                         "selection rate", "fig-selection-rate"),
        svg.grouped_bars(f"True positive rate by {first} (95% Wilson CI)", names,
                         {"before": [rb[g]["tpr"] for g in names], "after": [ra[g]["tpr"] for g in names]},
                         "TPR", "fig-tpr"),
    ]
    from fairmend.pipeline.gates import dp_gap

    attempts = [a.to_dict() for a in result.attempts]
    points = pareto_points(attempts, {"gap": dp_gap(result.baseline), "accuracy": result.baseline.accuracy},
                           {"gap": dp_gap(result.final), "accuracy": result.final.accuracy})
    pareto = svg.scatter_frontier("Pareto frontier: accuracy vs worst demographic-parity gap", points,
                                  "worst DP gap (lower is fairer)", "accuracy", "fig-pareto")
    score = fin.score if fin.score is not None else base.score
    curves = reliability_curves(y, np.asarray(score, dtype=float), groups) if score is not None else {}
    rel = svg.reliability(f"Reliability diagram by {first} (final model)", curves, "fig-reliability")
    log = pd.DataFrame([{"event": r["event"], "stage": r.get("stage", ""), "rule": r.get("rule", "")}
                        for r in _log(result.output) if r["event"] not in ("attempt",)])
    attempts_df = pd.DataFrame(attempts)[["stage", "key", "params", "iteration", "accuracy",
                                          "demographic_parity_difference", "equalized_odds_difference", "error"]] if attempts else pd.DataFrame()
    sig_df = pd.DataFrame([{"metric": k, "before": v["before"], "after": v["after"], "delta": v["delta"],
                            "ci95_low": (v.get("ci95") or [math.nan])[0], "ci95_high": (v.get("ci95") or [math.nan, math.nan])[1],
                            "p_value": v.get("p_value"), "p_value_bh": v.get("p_value_bh"),
                            "what delta measures": v.get("estimand", "")} for k, v in sig.items()])
    groups_df = pd.DataFrame(result.baseline.groups)
    ds = result.dataset
    verdict = "DEPLOY" if result.decision == "deploy" else "ESCALATE"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>fairmend pipeline report</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;font-size:12px;margin:1em 0}}td,th{{border:1px solid #ccc;padding:3px 6px}}
th{{background:#f3f3f3}}.verdict{{font-size:1.3em;font-weight:bold}}svg.figure{{margin:0.5em;border:1px solid #eee}}</style>
</head><body>
<h1>fairmend pipeline report</h1>
<p class="verdict">Decision: {verdict}</p>
<p>Final stack: {escape(str(result.stack.describe()))}</p>
<section id="data-audit"><h2>Data audit</h2>
<p>{ds.get('n_rows')} rows; protected attributes {escape(', '.join(ds.get('protected', [])))}; outcome
{escape(str(ds.get('outcome')))} (base rate {ds.get('base_rate', float('nan')):.3f}); train / validation / test
{ds.get('n_train')} / {ds.get('n_validation')} / {ds.get('n_test')}.</p>
<p>Proxies found in causal analysis: {escape(', '.join(result.causal.get('proxies', [])) or 'none')}.</p>
<h3>Baseline per intersectional group (test split)</h3>{_table(groups_df)}</section>
<section id="decision-trail"><h2>Decision trail</h2>{_table(log) if len(log) else '<p>empty</p>'}
<h3>Every candidate tried</h3>{_table(attempts_df) if len(attempts_df) else '<p>no candidates were needed</p>'}</section>
<section id="group-metrics"><h2>Group metrics before / after</h2>{figs[0]}{figs[1]}</section>
<section id="pareto"><h2>Pareto frontier of candidates</h2>{pareto}</section>
<section id="reliability"><h2>Calibration</h2>{rel}</section>
<section id="significance"><h2>Statistical validation (baseline vs final, test split)</h2>
<p>Δ = change of the quantity in the last column (two groups: the signed difference in the group order fixed on
the baseline). The 95% CI and the two-sided p come from the same stratified paired bootstrap, so p &lt; 0.05 exactly
when the CI excludes 0; p_value_bh is Benjamini-Hochberg adjusted over the metrics.</p>
{_table(sig_df)}</section>
<h2>Final gate</h2>{_table(pd.DataFrame(result.final_gate.to_dict()['checks']))}
</body></html>
"""


def _log(out: Path) -> list[dict[str, Any]]:
    from fairmend.pipeline.auditlog import AuditLog

    return AuditLog(Path(out) / "audit_log.jsonl").records()
