"""Seed-000 deliverables as Markdown: validation report, model card, implementation guide."""

from __future__ import annotations

from typing import Any

from fairmend.report.facts import ALL_ROWS, Claim, Facts
from fairmend.report.summary import check_rows, decision_sentence, headline, next_steps, small_note, target
from fairmend.report.text import data_options, metric_name, num, p_text, params_text, signed


def _step_line(catalog: Any, slot: str, step: Any) -> str:
    if step is None:
        return f"- **{slot}**: none"
    t = catalog.get(step.key)
    return f"- **{slot}**: {t.name} (`{t.key}`, {params_text(step.params)}) — {t.citation.short()}"


def _claim_row(c: Claim, policy: Any | None = None, facts: Facts | None = None) -> str:
    where = "all test rows" if c.grouping == ALL_ROWS else c.grouping
    cells = [where, metric_name(c.metric), f"{num(c.before)} → {num(c.after)}", signed(c.delta),
             f"{signed(c.low)} to {signed(c.high)}"]
    if policy is None:
        total = "all" if facts is None or c.grouping == ALL_ROWS else (
            f"{len(c.groups)} of {len(facts.grouping(c.grouping).rows)}")
        cells += [p_text(c.p_value), p_text(c.p_value_bh), total, c.estimand.removeprefix("change in the ")]
    else:
        t = target(c, policy)
        cells += [p_text(c.p_value_bh), t.text + ("" if t.met is None else (" (met)" if t.met else " (missed)"))]
    return "| " + " | ".join(cells) + " |"


def deliverables(result: Any, facts: Facts) -> dict[str, str]:
    from fairmend.plugins import get_catalog

    catalog = get_catalog()
    ds = result.dataset
    policy = result.fitted["policy"]
    protected = list(ds.get("protected", []))
    stack = result.stack
    steps = [_step_line(catalog, "pre-processing", stack.pre), _step_line(catalog, "in-processing", stack.model),
             _step_line(catalog, "post-processing", stack.post)]
    head = "\n".join(_claim_row(c, policy) for c in headline(facts, protected))
    every = "\n".join(_claim_row(c, facts=facts) for c in facts.claims)
    left = sorted({x for c in facts.claims for x in c.left_out})
    checks = "\n".join(
        f"| {r.label} | {_check_cell(r.selection)} | {_check_cell(r.test)} |" for r in check_rows(result))
    advice = next_steps(result)
    validation = f"""# Validation report

**{decision_sentence(result)}**

Data: {ds.get('n_rows', 0):,} rows, protected attributes {', '.join(protected)}, outcome `{ds.get('outcome')}`
(favourable: {ds.get('outcome')} = {ds.get('favourable_label', 1)}). Rows split three ways: {ds.get('n_train', 0):,}
train, {ds.get('n_validation', 0):,} selection (candidates chosen and gated), {ds.get('n_test', 0):,} held-out test
rows. Every number below is measured on the {facts.n_test:,} test rows unless a table says otherwise.

## Interventions
{chr(10).join(steps)}

## Headline: baseline model → final stack
| grouping | metric | before → after | change | 95% CI of the change | p (BH) | policy target |
|---|---|---|---|---|---|---|
{head}

{small_note(facts, greyed=False)}

## Next step
{chr(10).join(_advice_md(a, i == 0) for i, a in enumerate(advice))}

## Final checks
The pipeline decides on the selection rows; the held-out test rows confirm.

| check | selection rows (decides) | test rows (confirms) |
|---|---|---|
{checks}

## Every comparison (test rows)
Change = after − before of the statistic in the last column (with two groups the signed difference in a group
order fixed on the baseline). The 95% CI and the two-sided p come from the same paired bootstrap
({policy.n_boot} resamples, seed {policy.seed}), so p < 0.05 exactly when the CI excludes 0. p (BH):
Benjamini-Hochberg adjusted over all {sum(1 for c in facts.claims if c.p_value == c.p_value)} p-values of this report.

| grouping | metric | before → after | change | 95% CI of the change | p | p (BH) | groups judged | the change is in |
|---|---|---|---|---|---|---|---|---|
{every}

Left out as too small to judge: {', '.join(left) or 'no group'}.

The full decision trail is in `audit_log.jsonl`; the figures and definitions in `report.html`.
"""
    acc = facts.claim(ALL_ROWS, "accuracy")
    ece = facts.claim(ALL_ROWS, "ece")
    per_attr = "\n".join(
        f"- {c.grouping}: {metric_name(c.metric)} {num(c.after)} (baseline {num(c.before)})"
        for c in headline(facts, protected) if c.grouping != ALL_ROWS)
    card = f"""# Model card

## Model details
A binary classifier produced by `fairmend pipeline`: base model `{policy.base_model}` with the interventions below.
{chr(10).join(steps)}

## Intended use
Decisions on `{ds.get('outcome')}` where group fairness with respect to {', '.join(protected)} is required. Not
validated outside the population of the training data.

## Factors
Protected attributes: {', '.join(protected)}; intersectional groups are reported in `report.html`.

## Metrics (the {facts.n_test:,} held-out test rows)
- accuracy {num(None if acc is None else acc.after)} (baseline {num(None if acc is None else acc.before)})
- calibration error (ECE) {num(None if ece is None else ece.after)} (baseline {num(None if ece is None else ece.before)})
{per_attr}

{small_note(facts, greyed=False)}

## Ethical considerations and caveats
{decision_sentence(result)} Fairness metrics can conflict (Kleinberg et al. 2017); the chosen target was
{policy.target_criterion.replace('_', ' ')}.
"""
    guide_lines = ["# Implementation guide", "", "Reproduce each chosen intervention on new data:", ""]
    for slot, step in (("pre", stack.pre), ("in", stack.model), ("post", stack.post)):
        if step is None:
            continue
        t = catalog.get(step.key)
        params = " ".join(f"--param {k}={v}" for k, v in step.params.items())
        guide_lines += [
            f"## {t.name}", "", t.summary, "",
            (f"- needs retraining: {'yes' if t.needs_retraining else 'no'}; needs the protected attribute at "
             f"inference: {'yes' if t.needs_protected_attribute_at_inference else 'no'}"),
            f"- citation: {'; '.join(t.citation.authors)} ({t.citation.year}). {t.citation.title}. {t.citation.venue}.",
            "", "```", f"fairmend run {t.key} {data_options(ds)} {params}".rstrip(), "```", "",
        ]
    if len(guide_lines) == 4:
        guide_lines.append("No intervention was applied: the baseline met the policy or every candidate was rolled back.")
    guide_lines += ["", "## Monitoring", "",
                    "Compare production data with the training data regularly: `fairmend monitor --reference train.csv --current new.csv`."]
    return {"validation_report": validation, "model_card": card, "implementation_guide": "\n".join(guide_lines) + "\n"}


def _check_cell(v: tuple[bool, str] | None) -> str:
    return "not measured" if v is None else f"{'PASS' if v[0] else 'FAIL'}: {v[1]}"


def _advice_md(a: Any, first: bool) -> str:
    text = a.text if first else f"- {a.text}"
    return text + ("" if a.command is None else f"\n\n    {a.command}\n")
