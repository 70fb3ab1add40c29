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

from html import escape
from pathlib import Path
from typing import Any

from fairmend.report import markdown, svg
from fairmend.report.facts import ALL_ROWS, Claim, Facts, Grouping, gather
from fairmend.report.sections import (
    badge,
    calibration_section,
    candidates_section,
    checks_section,
    data_section,
    definitions_section,
    documents_section,
    figure_id,
    metric_link,
    slug,
    trail_section,
)
from fairmend.report.style import CSS
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
    empty_slot,
    metric_name,
    num,
    p_text,
    params_text,
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


def _change_cell(c: Claim, label: str = "") -> str:
    flip = '<br><span class="tag wrap">gap reversed: the change is of the signed difference</span>' if c.reversed else ""
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
                    f"{'' if t.met is None else badge(t.met, 'met', 'missed')}</td></tr>")
    left = sorted({g for c in headline(facts, protected) for g in c.left_out})
    left_text = f" Left out here: {escape(', '.join(left))}." if left else ""
    left_text += "".join(f" {escape(x[:1].upper() + x[1:])}." for x in unjudged(facts, protected))
    failed = [r for r in check_rows(result) if r.failed]
    fail_items = "".join(
        f"<li><strong>{escape(r.label)}</strong>: {escape(r.detail)} <span class=\"tag\">({escape(r.where)})</span>"
        f"</li>" for r in failed) or "<li>Nothing: every final check passed.</li>"
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


def render_html(result: Any, facts: Facts) -> str:
    body = {
        "attributes": _attributes(result, facts),
        "intersectional": _intersectional(result, facts),
        "checks": checks_section(result),
        "candidates": candidates_section(result),
        "calibration": calibration_section(result, facts),
        "data": data_section(result),
        "trail": trail_section(result),
        "definitions": definitions_section(result, facts),
        "documents": documents_section(),
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
