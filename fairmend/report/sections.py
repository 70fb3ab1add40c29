"""The later sections of ``report.html``: final checks, candidates and their Pareto chart (selection rows),
calibration, data and feasibility, the decision trail, definitions and documents; and the small HTML
helpers every section uses (links to definitions, badges, figure ids)."""

from __future__ import annotations

import math
import re
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from fairmend.report import svg
from fairmend.report.facts import ALL_ROWS, MIN_ROWS, Facts
from fairmend.report.style import badge
from fairmend.report.summary import check_rows, small_note
from fairmend.report.text import (
    DEFINITIONS,
    EVENTS,
    check_name,
    metric_name,
    num,
    params_text,
    pretty,
    signed,
)

NUM = ' class="num"'
GATES = {"gate2_pre_processing": "pre-processing gate", "gate3_in_processing": "in-processing gate",
         "post_processing": "post-processing gate", "gate4_final": "final gate"}
DOCUMENTS = (("validation_report.md", "Validation report"), ("model_card.md", "Model card"),
             ("implementation_guide.md", "Implementation guide"), ("report.json", "Every number, as JSON"),
             ("audit_log.jsonl", "Audit log"), ("predictions.parquet", "Test-row predictions"),
             ("splits.json", "Row splits"))


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "x"


def figure_id(kind: str, attribute: str) -> str:
    return f"{kind}-{slug(attribute)}"


def metric_link(metric: str) -> str:
    return f'<a href="#def-{metric}">{escape(metric_name(metric))}</a>'


def check_label(name: str) -> str:
    return check_name(name).lower()


# -- checks, candidates, calibration ----------------------------------------------------------------

def checks_section(result: Any) -> str:
    def cell(v: tuple[bool, str] | None, label: str) -> str:
        inner = "not measured" if v is None else f"{badge(v[0])} {escape(v[1])}"
        return f'<td data-label="{label}">{inner}</td>'

    rows = "".join(f"<tr><td><strong>{escape(r.label)}</strong></td>{cell(r.selection, 'selection rows')}"
                   f"{cell(r.test, 'test rows')}</tr>" for r in check_rows(result))
    return (f'<p class="note">The pipeline decides on the selection rows; the held-out test rows confirm. Deploying '
            f'needs both.</p><div class="scroll"><table class="stack"><thead><tr><th>check</th><th>selection rows (decides)</th>'
            f'<th>test rows (confirms)</th></tr></thead><tbody>{rows}</tbody></table></div>')


def pareto_points(result: Any) -> tuple[list[svg.Point], list[dict[str, Any]]]:
    """Baseline, every candidate that ran and the final stack, all measured on the selection rows."""
    from fairmend.pipeline.gates import dp_gap

    sel = result.selection
    raw: list[dict[str, Any]] = []
    if "baseline" in sel:
        raw.append({"label": "baseline model", "x": dp_gap(sel["baseline"]), "y": sel["baseline"].accuracy,
                    "kind": "baseline"})
    for a in result.attempts:
        d = a.to_dict()
        if d["accuracy"] is not None:
            raw.append({"label": f"{a.stage}: {a.key} ({params_text(a.params)})", "x": d["demographic_parity_difference"],
                        "y": d["accuracy"], "kind": "candidate"})
    if "final" in sel:
        fx, fy = dp_gap(sel["final"]), sel["final"].accuracy
        same = [p for p in raw if math.isclose(p["x"], fx, abs_tol=1e-12) and math.isclose(p["y"], fy, abs_tol=1e-12)]
        if same:
            same[-1]["label"] += " = final stack"
            same[-1]["kind"] = "final"
        else:
            raw.append({"label": "final stack", "x": fx, "y": fy, "kind": "final"})
    points = []
    for p in raw:
        dominated = any(q["x"] <= p["x"] and q["y"] >= p["y"] and (q["x"] < p["x"] or q["y"] > p["y"]) for q in raw)
        points.append(svg.Point(p["x"], p["y"], p["label"], not dominated, p["kind"]))
    return points, raw


def candidates_section(result: Any) -> str:
    points, _ = pareto_points(result)
    chart = svg.scatter_frontier("Accuracy against the worst demographic-parity gap, selection rows", points,
                                 "worst demographic-parity gap over the protected attributes (lower is fairer)",
                                 "accuracy", "fig-pareto")
    rows = []
    for a in result.attempts:
        d = a.to_dict()
        if a.error:
            gate = f"did not run: {escape(pretty(a.error))}"
        elif a.verdict is None:
            gate = "not judged"
        else:
            missed = [c.name for c in a.verdict.checks if not c.passed]
            gate = badge(a.verdict.passed) + ("" if not missed else " " + escape(", ".join(
                check_label(n) for n in missed)))
        cells = [("parameters", escape(params_text(a.params))), ("accuracy", num(d["accuracy"])),
                 ("worst DP gap", num(d["demographic_parity_difference"])),
                 ("worst DI ratio", num(d["disparate_impact_ratio"])),
                 ("worst EO gap", num(d["equalized_odds_difference"])), ("its gate", gate)]
        rows.append(f"<tr><td>{escape(a.stage)}: <code>{escape(a.key)}</code></td>" + "".join(
            f'<td data-label="{label}"{"" if i in (0, 5) else NUM}>{value}</td>'
            for i, (label, value) in enumerate(cells)) + "</tr>")
    table = (f'<p class="caption">Every candidate, measured on the selection rows; "worst" is over the protected '
             f'attributes, each over its groups with at least {MIN_ROWS} rows.</p><div class="scroll"><table class="stack">'
             f'<thead><tr>'
             f'<th>stage: technique</th><th>parameters</th><th>{metric_link("accuracy")}</th>'
             f'<th>worst {metric_link("demographic_parity_difference")}</th>'
             f'<th>worst {metric_link("disparate_impact_ratio")}</th>'
             f'<th>worst {metric_link("equalized_odds_difference")}</th><th>its gate</th></tr></thead>'
             f'<tbody>{"".join(rows)}</tbody></table></div>') if rows else "<p>No candidate was needed.</p>"
    return (f'<p class="note">A point is on the frontier when no other point is both fairer and more accurate. '
            f'Candidates are judged on the selection rows, so these numbers differ from the test-row numbers above.'
            f'</p>{chart}{table}')


def reliability_curves(y: np.ndarray, score: np.ndarray, groups: np.ndarray, keep: list[str],
                       bins: int = 10) -> dict[str, list[tuple[float, float]]]:
    edges = np.linspace(0, 1, bins + 1)
    curves = {}
    for g in keep:
        m = groups == g
        idx = np.clip(np.digitize(score[m], edges[1:-1]), 0, bins - 1)
        pts = []
        for b in range(bins):
            sel = idx == b
            if sel.sum() >= 5:
                pts.append((float(score[m][sel].mean()), float(y[m][sel].mean())))
        curves[g] = pts
    return curves


def calibration_section(result: Any, facts: Facts) -> str:
    fitted = result.fitted
    fin = fitted["final"]
    ece = facts.claim(ALL_ROWS, "ece")
    head = ("" if ece is None else f"<p>{metric_link('ece')} over all test rows: {num(ece.before)} → {num(ece.after)}"
            f" (change {signed(ece.delta)}, 95% CI {signed(ece.low)} to {signed(ece.high)}).</p>")
    if fin.score is None:
        return head + "<p>The final stack gives no probabilities, so there is nothing to calibrate.</p>"
    y = np.asarray(fitted["y_test"]).astype(int)
    score = np.asarray(fin.score, dtype=float)
    figs = []
    for attr in result.dataset.get("protected", []):
        g = facts.grouping(attr)
        keep = [r.label for r in g.rows if not r.small]
        labels = fitted["A_test"][attr].astype(str).to_numpy()
        figs.append(svg.reliability(f"Reliability of the final stack by {attr}, test rows",
                                    reliability_curves(y, score, labels, keep), figure_id("fig-reliability", attr)))
    return (head + f'<p class="note">Bins with fewer than 5 rows and groups with fewer than {MIN_ROWS} rows are left '
            f'out.</p><div class="figs">{"".join(figs)}</div>')


# -- data, trail, definitions, documents -----------------------------------------------------------

def data_section(result: Any) -> str:
    ds = result.dataset
    proxies = ", ".join(result.causal.get("proxies", [])) or "none found"
    out = [(f"<p>{ds.get('n_rows', 0):,} rows; outcome {escape(str(ds.get('outcome')))} (favourable rate "
            f"{num(ds.get('base_rate'))}); protected attributes {escape(', '.join(ds.get('protected', [])))}. Rows "
            f"split three ways: {ds.get('n_train', 0):,} train rows fit every model, {ds.get('n_validation', 0):,} "
            f"selection rows choose and gate the candidates, {ds.get('n_test', 0):,} held-out test rows measure the "
            f"result once.</p>"),
           f"<p>Proxies of a protected attribute found by the causal analysis: {escape(proxies)}.</p>"]
    feas = result.feasibility
    if feas is not None:
        message = pretty(feas.message)
        out.append(f"<h3>Can the targets hold together?</h3><p>{escape(message[:1].upper() + message[1:])}.</p>")
        names = {"unconstrained": "no target", "disparate_impact": "disparate impact target only",
                 "equalized_odds": "equalized-odds target only", "both": "both targets"}
        if feas.accuracy:
            rows = "".join(f"<tr><td>{names.get(k, k)}</td><td class=\"num\">{num(v)}</td></tr>"
                           for k, v in feas.accuracy.items())
            out.append(f'<table><caption>Best accuracy a post-processing of the baseline\'s scores can keep, '
                       f'{escape(feas.measured_on)} rows</caption><thead><tr><th>targets</th><th>best accuracy</th>'
                       f'</tr></thead><tbody>{rows}</tbody></table>')
        rates = "".join(f"<tr><td>{escape(attr)}</td><td>{escape(', '.join(f'{g} {v:.3f}' for g, v in groups.items()))}"
                        f"</td></tr>" for attr, groups in feas.base_rates.items())
        if rates:
            out.append(f'<table><caption>Favourable rate per group, {escape(feas.measured_on)} rows</caption><thead>'
                       f'<tr><th>attribute</th><th>groups</th></tr></thead><tbody>{rates}</tbody></table>')
    return "".join(out)


def trail_section(result: Any) -> str:
    from fairmend.pipeline.auditlog import AuditLog

    rows = []
    for r in AuditLog(Path(result.output) / "audit_log.jsonl").records():
        event = r.get("event", "")
        if event in ("attempt", "baseline"):
            continue
        what = r.get("rule") or ""
        if event in ("gate4", "test_confirmation"):
            checks = r.get("checks") or []
            bad = [c for c in checks if not c.get("passed")]
            what = (f"{len(checks) - len(bad)} of {len(checks)} checks passed" +
                    (f"; failed: {', '.join(check_label(c['name']) for c in bad)}" if bad else "") +
                    (f" ({what})" if what else ""))
        if event == "start":
            what = "policy and data recorded in the audit log"
        if event == "candidates":
            what = f"{', '.join(r.get('candidates') or []) or 'none'}: {what}"
        if event == "gate_passed":
            what = f"{r.get('key')} ({params_text(r.get('params'))}) passed the {GATES.get(what, what)}"
        stage = f" ({r['stage']})" if r.get("stage") else ""
        rows.append(f"<tr><td><strong>{escape(EVENTS.get(event, event.replace('_', ' ')) + stage)}</strong></td>"
                    f"<td>{escape(pretty(str(what)))}</td></tr>")
    return (f'<div class="scroll"><table class="stack"><thead><tr><th>step (stage)</th><th>what happened and why</th>'
            f'</tr>'
            f'</thead><tbody>{"".join(rows)}</tbody></table></div><p class="note">The causal analysis reads all rows; '
            f'every other step of the trail reads the selection rows, so its numbers differ from the test-row numbers '
            f'of the summary. The complete record, with every number, is <a href="audit_log.jsonl">audit_log.jsonl</a>.'
            f'</p>')


def definitions_section(result: Any, facts: Facts) -> str:
    policy = result.fitted["policy"]
    n = sum(1 for c in facts.claims if math.isfinite(c.p_value))
    items = "".join(f'<dt id="def-{k}">{escape(metric_name(k))}</dt><dd>{escape(v)}</dd>' for k, v in DEFINITIONS.items())
    items += (f'<dt id="def-change">change, 95% CI, p and p (BH)</dt><dd>The change is after minus before of the '
              f'statistic named in "the change is in": with two groups the signed difference (or ratio) in a '
              f'group order fixed on the baseline, so a gap that reverses is not counted as closed; with more groups '
              f'the highest-minus-lowest statistic. Interval and two-sided p come from the same paired bootstrap '
              f'({policy.n_boot} resamples of the test rows within groups, seed {policy.seed}), so p &lt; 0.05 exactly '
              f'when the interval excludes 0. p (BH) is Benjamini-Hochberg adjusted over all {n} p-values in this '
              f'report.</dd>'
              f'<dt id="def-rows">train, selection and test rows</dt><dd>Disjoint rows: models are fitted on the train '
              f'rows, candidates are chosen and gated on the selection rows, and the result is measured once on the '
              f'held-out test rows.</dd>'
              f'<dt id="def-small">small groups</dt><dd>{escape(small_note(facts))}</dd>')
    return f"<dl>{items}</dl>"


def documents_section() -> str:
    return "<ul>" + "".join(f'<li><a href="{f}">{escape(t)}</a> <span class="tag">{escape(f)}</span></li>'
                            for f, t in DOCUMENTS) + "</ul>"
