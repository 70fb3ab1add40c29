"""The pipeline report: self-contained ``report.html`` (inline SVG and CSS, no script, no network),
``report.json`` and the Markdown deliverables (validation report, model card, implementation guide).

The page is written for the person who decides: the first screen says the decision in one sentence,
the headline before -> after per protected attribute with 95 % intervals, what failed and the next
step. Then the groups of each attribute and of the intersection (small groups greyed and left out of
every claim), the final checks, the candidates, calibration, the data, the decision trail, one
definition per metric and links to the other documents. Every number names its grouping and the rows
it was measured on (selection rows for choices, held-out test rows for the reported results).
"""

from __future__ import annotations

import math
import re
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from fairmend.report import markdown, svg
from fairmend.report.facts import ALL_ROWS, MIN_ROWS, Claim, Facts, Grouping, gather
from fairmend.report.summary import (
    check_rows,
    decision_sentence,
    headline,
    next_steps,
    small_note,
    target,
    unjudged,
)
from fairmend.report.text import (
    DEFINITIONS,
    EVENTS,
    check_name,
    empty_slot,
    metric_name,
    num,
    p_text,
    params_text,
    pretty,
    signed,
    stack_steps,
)

SECTIONS = ("summary", "attributes", "intersectional", "checks", "candidates", "calibration", "data", "trail",
            "definitions", "documents")
TITLES = {"summary": "Summary", "attributes": "Groups of each protected attribute",
          "intersectional": "Intersectional groups", "checks": "Final checks", "candidates": "Candidates tried",
          "calibration": "Calibration", "data": "Data and feasibility", "trail": "Decision trail",
          "definitions": "Definitions", "documents": "Documents"}
PER_ATTRIBUTE_FIGURES = ("fig-selection-rate", "fig-tpr", "fig-reliability")  # one of each per attribute
FIGURES = ("fig-pareto",)
SHORT = {"selection_rate": "Selection rate", "tpr": "TPR (true positive rate)", "fpr": "FPR (false positive rate)"}
NUM = ' class="num"'
GATES = {"gate2_pre_processing": "pre-processing gate", "gate3_in_processing": "in-processing gate",
         "post_processing": "post-processing gate", "gate4_final": "final gate"}
DOCUMENTS = (("validation_report.md", "Validation report"), ("model_card.md", "Model card"),
             ("implementation_guide.md", "Implementation guide"), ("report.json", "Every number, as JSON"),
             ("audit_log.jsonl", "Audit log"), ("predictions.parquet", "Test-row predictions"),
             ("splits.json", "Row splits"))
CSS = """
:root{--fail:#b3261e;--pass:#1b6e3a;--grey:#8a8a8a}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1180px;margin:0 auto;
padding:1.2em 1.2em 3em;color:#1d1d1d}
h1{font-size:1em;font-weight:600;color:#555;margin:0 0 .4em}
h2{font-size:1.25em;margin:1.6em 0 .4em;border-bottom:1px solid #ddd;padding-bottom:.2em}
h3{font-size:1.05em;margin:1.2em 0 .3em}
.first{display:grid;grid-template-columns:minmax(0,1.3fr) minmax(0,1fr);gap:0 1.8em}
table.headline{font-size:13px}table.headline td:first-child{white-space:nowrap}
pre.cmd{white-space:pre-wrap;word-break:break-word;background:#fff;border:1px solid #d5dcea;padding:.4em .6em;
margin:.5em 0 0;font-size:.85em}
.first h2{margin-top:.6em}
ul.failed,ul.more{padding-left:1.2em;margin:.3em 0}ul.failed li,ul.more li{margin:.25em 0}
.decision{font-size:1.3em;font-weight:650;line-height:1.3;margin:.2em 0 .5em;padding:.5em .8em;
border-left:6px solid var(--fail);background:#fdf1f0}
.decision.deploy{border-color:var(--pass);background:#eef7f0}
.meta,.note{color:#444;font-size:.92em}
.next{font-size:1.05em;padding:.5em .8em;background:#f3f6fb;border-left:6px solid #4c72b0}
table{border-collapse:collapse;font-size:13.5px;margin:.5em 0}
caption,p.caption{text-align:left;font-size:.9em;color:#444;padding:.2em 0;margin:.8em 0 0}
.scroll table{min-width:560px}table.claims{min-width:760px}table.claims td:last-child{min-width:16em}
td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5;font-weight:600}
tr.grouping th{background:#e9eef6}tr.grouping .tag{white-space:normal}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.small td,td.small{color:var(--grey);background:#f4f4f4}
.tag{font-size:.8em;color:var(--grey);white-space:nowrap}
.badge{display:inline-block;padding:0 .45em;border-radius:3px;font-size:.82em;font-weight:600;color:#fff;
white-space:nowrap}
.badge.pass{background:var(--pass)}.badge.fail{background:var(--fail)}.badge.none{background:#888}
.ci{color:#555;font-size:.88em}
.scroll{overflow-x:auto;max-width:100%}
.figs{display:flex;flex-wrap:wrap;gap:12px}
svg.figure{max-width:100%;height:auto;border:1px solid #eee}
.figs svg.figure{flex:1 1 420px;width:100%;max-width:640px}
nav ul{display:flex;flex-wrap:wrap;gap:.2em 1.1em;list-style:none;padding:0;margin:.8em 0}
dt{font-weight:600;margin-top:.5em}dd{margin-left:1.2em}
a{color:#2a5db0}
@media (max-width:900px){.first{display:block}}
@media (max-width:640px){body{font-size:14px;padding:.7em .7em 2em}.decision{font-size:1.12em}
table{font-size:12.5px}td,th{padding:3px 5px}
table.stack,table.stack td:last-child{min-width:0}table.stack thead{display:none}
table.stack,table.stack tbody,table.stack tr,table.stack td,table.stack th{display:block;width:100%}
table.stack tr{border-bottom:1px solid #ddd;padding:.25em 0}
table.stack td{border:0;padding:1px 6px;text-align:left;white-space:normal}
table.stack td[data-label]{display:inline-block;width:auto;margin-right:.6em}
table.stack td[data-label]::before{content:attr(data-label) ": ";color:#666}}
"""


def write_report(result: Any, out_dir: Path) -> dict[str, str]:
    """Write report.html, report.json and the Markdown deliverables; returns their paths."""
    from fairmend.io import write_atomic, write_json_atomic

    facts = gather(result)
    doc = result.to_dict()
    doc["significance"] = facts.to_dict()
    doc["summary"] = {"decision": decision_sentence(result), "next_steps": [vars(a) for a in next_steps(result)],
                      "measured_on": "test", "n_test": facts.n_test,
                      "left_out": {g.name: sorted({x for m in ("demographic_parity_difference",
                                                               "equalized_odds_difference") for x in g.left_out(m)})
                                   for g in facts.groupings}}
    paths = {"report_json": str(write_json_atomic(out_dir / "report.json", doc))}
    paths["report_html"] = str(write_atomic(out_dir / "report.html", render_html(result, facts)))
    for name, text in markdown.deliverables(result, facts).items():
        paths[name] = str(write_atomic(out_dir / f"{name}.md", text))
    return paths


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "x"


def figure_id(kind: str, attribute: str) -> str:
    return f"{kind}-{slug(attribute)}"


def metric_link(metric: str) -> str:
    return f'<a href="#def-{metric}">{escape(metric_name(metric))}</a>'


def _check_label(name: str) -> str:
    return check_name(name).lower()


def _badge(passed: bool | None, yes: str = "pass", no: str = "fail") -> str:
    if passed is None:
        return '<span class="badge none">n/a</span>'
    return f'<span class="badge {"pass" if passed else "fail"}">{yes if passed else no}</span>'


def _change_cell(c: Claim, label: str = "") -> str:
    flip = ' <span class="tag">gap reversed: the change is of the signed difference</span>' if c.reversed else ""
    data = f' data-label="{label}"' if label else ""
    return (f'<td class="num"{data}>{signed(c.delta)} <span class="ci">({signed(c.low)} to {signed(c.high)})</span>'
            f'{flip}</td>')


# -- the first screen -----------------------------------------------------------------------------

def _summary(result: Any, facts: Facts) -> str:
    ds, policy = result.dataset, result.fitted["policy"]
    protected = list(ds.get("protected", []))
    rows = []
    current = None
    for c in headline(facts, protected):
        if c.grouping != current:
            current = c.grouping
            label = "All test rows" if c.grouping == ALL_ROWS else (
                f"{escape(c.grouping)} <span class=\"tag\">groups judged: {escape(', '.join(c.groups))}</span>")
            rows.append(f'<tr class="grouping"><th colspan="5">{label}</th></tr>')
        t = target(c, policy)
        rows.append(f"<tr><td>{metric_link(c.metric)}</td><td class=\"num\" data-label=\"before → after\">"
                    f"{num(c.before)} → {num(c.after)}</td>{_change_cell(c, 'change (95% CI)')}"
                    f"<td class=\"num\" data-label=\"p (BH)\">{p_text(c.p_value_bh)}</td>"
                    f"<td data-label=\"target\">{escape(t.text)} "
                    f"{'' if t.met is None else _badge(t.met, 'met', 'missed')}</td></tr>")
    left = sorted({g for c in headline(facts, protected) for g in c.left_out})
    left_text = f" Left out here: {escape(', '.join(left))}." if left else ""
    left_text += "".join(f" {escape(x[:1].upper() + x[1:])}." for x in unjudged(facts, protected))
    failed = [r for r in check_rows(result) if r.failed]
    fail_items = "".join(
        f"<li><strong>{escape(r.label)}</strong>: {escape((r.test or r.selection or (True, ''))[1])}"
        f"{_where(r)}</li>" for r in failed) or "<li>Nothing: every final check passed.</li>"
    steps = [_advice(a) for a in next_steps(result)]
    more = "".join(f"<li>{s}</li>" for s in steps[1:])
    n_test = facts.n_test
    abst = (f" The final stack abstained on {facts.abstained} of them; those rows are left out of the comparison."
            if facts.abstained else "")
    favourable = ds.get("favourable_label", 1)
    return f"""<section id="summary">
<h1>fairmend pipeline report · outcome {escape(str(ds.get('outcome')))} by {escape(', '.join(protected))}</h1>
<p class="decision {'deploy' if result.decision == 'deploy' else 'escalate'}">{escape(decision_sentence(result))}</p>
<p class="meta">Favourable outcome: {escape(str(ds.get('outcome')))} = {escape(str(favourable))}. Final stack:
{_stack_html(result.stack)}. Every number on this screen is measured on the {n_test:,} held-out test rows, which no
choice of the pipeline looked at.{abst}</p>
<div class="first"><div>
<h2>Headline: baseline model → final stack</h2>
<div class="scroll"><table class="headline stack"><thead><tr><th>metric</th><th>before → after</th>
<th>change (95% CI)</th><th>p (BH)</th><th>policy target</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>
<p class="note">{escape(small_note(facts))}{left_text} p (BH): adjusted for every comparison in this report;
p &lt; 0.05 exactly when the interval excludes 0 (<a href="#def-change">how these are computed</a>).</p>
</div><div>
<h2>What failed</h2><ul class="failed">{fail_items}</ul>
<h2>Next step</h2><div class="next">{steps[0]}</div>{f'<ul class="more">{more}</ul>' if more else ''}
</div></div>
</section>"""


def _advice(a: Any) -> str:
    return escape(a.text) + ("" if a.command is None else f'<pre class="cmd"><code>{escape(a.command)}</code></pre>')


def _where(r: Any) -> str:
    if r.selection is not None and r.test is not None:
        if not r.selection[0] and not r.test[0]:
            return " <span class=\"tag\">(test rows; also failed on the selection rows)</span>"
        if r.selection[0]:
            return " <span class=\"tag\">(test rows only; passed on the selection rows)</span>"
        return " <span class=\"tag\">(selection rows; passed on the test rows)</span>"
    return " <span class=\"tag\">(selection rows)</span>" if r.test is None else ""


def _stack_html(stack: Any) -> str:
    return " → ".join(f"{name}: {empty_slot(slot)}" if key is None else
                      f"{name}: <code>{escape(key)}</code> ({escape(params_text(params))})"
                      for slot, name, key, params in stack_steps(stack))


# -- groups ---------------------------------------------------------------------------------------

def _group_table(g: Grouping, facts: Facts) -> str:
    rows = []
    for r in g.rows:
        cells = []
        for rate in ("selection_rate", "tpr", "fpr"):
            cls = "num" if r.judged(rate) or r.small else "num small"
            cells.append(f'<td class="{cls}">{num(r.before[rate].value)} → {num(r.after[rate].value)}</td>')
        tag = ' <span class="tag">too small to judge</span>' if r.small else (
            ' <span class="tag">rates from few positives or negatives</span>'
            if not (r.judged("tpr") and r.judged("fpr")) else "")
        row_class = ' class="small"' if r.small else ""
        rows.append(f'<tr{row_class}><td>{escape(r.label)}{tag}</td>'
                    f'<td class="num">{r.n:,}</td><td class="num">{r.positives:,}</td>{"".join(cells)}</tr>')
    return (f'<p class="caption">Groups of {escape(g.name)}, held-out test rows (before → after)</p>'
            f'<div class="scroll"><table class="groups"><thead><tr><th>group</th><th>test rows</th><th>favourable outcomes</th>'
            f'<th>{metric_link("selection_rate")}</th><th>{metric_link("tpr")}</th><th>{metric_link("fpr")}</th>'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def _claims_table(g: Grouping, facts: Facts) -> str:
    claims = [c for c in facts.claims if c.grouping == g.name]
    if not claims:
        return f"<p class=\"note\">Fewer than two groups of {escape(g.name)} are large enough to judge a gap.</p>"
    rows = "".join(
        f"<tr><td>{metric_link(c.metric)}</td><td class=\"num\" data-label=\"before → after\">{num(c.before)} → "
        f"{num(c.after)}</td>{_change_cell(c, 'change (95% CI)')}<td class=\"num\" data-label=\"p\">"
        f"{p_text(c.p_value)}</td><td class=\"num\" data-label=\"p (BH)\">{p_text(c.p_value_bh)}</td>"
        f"<td class=\"num\" data-label=\"groups judged\">{len(c.groups)} of {len(g.rows)}</td>"
        f"<td data-label=\"the change is in\">{escape(c.estimand.removeprefix('change in the '))}</td></tr>"
        for c in claims)
    left = {m: g.left_out(m) for m in ("demographic_parity_difference", "equalized_odds_difference")}
    note = ""
    if left["demographic_parity_difference"]:
        note += f" Left out: {', '.join(left['demographic_parity_difference'])}."
    extra = [x for x in left["equalized_odds_difference"] if x not in left["demographic_parity_difference"]]
    if extra:
        note += f" Also left out of the true/false positive rate metrics: {', '.join(extra)}."
    return (f'<p class="caption">Gaps and ratios over the groups of {escape(g.name)} large enough to judge, held-out '
            f'test rows.{escape(note)}</p><div class="scroll"><table class="claims stack"><thead><tr><th>metric</th><th>before → after</th>'
            f'<th>change (95% CI)</th><th>p</th><th>p (BH)</th><th>groups judged</th><th>the change is in'
            f'</th></tr></thead><tbody>{rows}</tbody></table></div>')


def _bars(g: Grouping, rate: str, fig: str) -> str:
    names = [r.label for r in g.rows]
    counts = [f"n={r.n}" if rate == "selection_rate" else f"{r.positives if rate == 'tpr' else r.negatives} "
              f"{'pos.' if rate == 'tpr' else 'neg.'}" for r in g.rows]
    series = {when: [svg.Bar(getattr(r, when)[rate].value, getattr(r, when)[rate].low, getattr(r, when)[rate].high,
                             r.judged(rate)) for r in g.rows] for when in ("before", "after")}
    title = f"{SHORT[rate]} by {g.name}, test rows (95% CI)"
    return svg.grouped_bars(title, names, counts, series, metric_name(rate), figure_id(fig, g.name), "")


def _attributes(result: Any, facts: Facts) -> str:
    parts = []
    for attr in result.dataset.get("protected", []):
        g = facts.grouping(attr)
        parts.append(f'<h3 id="attr-{slug(attr)}">{escape(attr)}</h3>{_group_table(g, facts)}'
                     f'<div class="figs">{_bars(g, "selection_rate", "fig-selection-rate")}'
                     f'{_bars(g, "tpr", "fig-tpr")}</div>{_claims_table(g, facts)}')
    return "".join(parts)


def _intersectional(result: Any, facts: Facts) -> str:
    joint = [g for g in facts.groupings if len(g.columns) > 1]
    if not joint:
        return "<p>One protected attribute: there is no intersection to show.</p>"
    g = joint[0]
    return _group_table(g, facts) + _claims_table(g, facts)


# -- checks, candidates, calibration ----------------------------------------------------------------

def _checks(result: Any) -> str:
    def cell(v: tuple[bool, str] | None, label: str) -> str:
        inner = "not measured" if v is None else f"{_badge(v[0])} {escape(v[1])}"
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


def _candidates(result: Any) -> str:
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
            gate = _badge(a.verdict.passed) + ("" if not missed else " " + escape(", ".join(
                _check_label(n) for n in missed)))
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


def _calibration(result: Any, facts: Facts) -> str:
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

def _data(result: Any) -> str:
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


def _trail(result: Any) -> str:
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
                    (f"; failed: {', '.join(_check_label(c['name']) for c in bad)}" if bad else "") +
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


def _definitions(result: Any, facts: Facts) -> str:
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


def _documents() -> str:
    return "<ul>" + "".join(f'<li><a href="{f}">{escape(t)}</a> <span class="tag">{escape(f)}</span></li>'
                            for f, t in DOCUMENTS) + "</ul>"


def render_html(result: Any, facts: Facts) -> str:
    body = {
        "attributes": _attributes(result, facts),
        "intersectional": _intersectional(result, facts),
        "checks": _checks(result),
        "candidates": _candidates(result),
        "calibration": _calibration(result, facts),
        "data": _data(result),
        "trail": _trail(result),
        "definitions": _definitions(result, facts),
        "documents": _documents(),
    }
    nav = "".join(f'<li><a href="#{s}">{escape(TITLES[s])}</a></li>' for s in SECTIONS[1:])
    sections = "\n".join(f'<section id="{s}"><h2>{escape(TITLES[s])}</h2>{body[s]}</section>' for s in SECTIONS[1:])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>fairmend pipeline report</title><style>{CSS}</style></head><body>
{_summary(result, facts)}
<nav><ul>{nav}</ul></nav>
{sections}
</body></html>
"""


__all__ = ["FIGURES", "PER_ATTRIBUTE_FIGURES", "SECTIONS", "figure_id", "render_html", "write_report"]
