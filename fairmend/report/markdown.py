"""Seed-000 deliverables as Markdown: validation report, model card, implementation guide."""

from __future__ import annotations

import math
from typing import Any


def _num(v: Any) -> str:
    return "n/a" if v is None or (isinstance(v, float) and not math.isfinite(v)) else f"{v:.4f}"


def _ci(ci: Any) -> str:
    return "n/a" if not ci else f"[{_num(ci[0])}, {_num(ci[1])}]"


def _step_line(catalog: Any, slot: str, step: Any) -> str:
    if step is None:
        return f"- **{slot}**: none"
    t = catalog.get(step.key)
    params = ", ".join(f"{k}={v}" for k, v in step.params.items()) or "defaults"
    return f"- **{slot}**: {t.name} (`{t.key}`, {params}) — {t.citation.short()}"


def deliverables(result: Any, sig: dict[str, dict[str, Any]]) -> dict[str, str]:
    from fairmend.plugins import get_catalog

    catalog = get_catalog()
    ds = result.dataset
    stack = result.stack
    steps = [_step_line(catalog, "pre-processing", stack.pre), _step_line(catalog, "in-processing", stack.model),
             _step_line(catalog, "post-processing", stack.post)]
    rows = "\n".join(
        f"| {m} | {_num(v['before'])} | {_num(v['after'])} | {_num(v['delta'])} | "
        f"{_ci(v.get('ci95'))} | "
        f"{_num(v.get('p_value'))} | {_num(v.get('p_value_bh'))} | {v.get('estimand', '')} |"
        for m, v in sig.items()
    )
    checks = "\n".join(f"- {'PASS' if c.passed else 'FAIL'} — {c.detail}" for c in result.final_gate.checks)
    validation = f"""# Validation report

Decision: **{result.decision}**

Data: {ds.get('n_rows')} rows, protected attributes {', '.join(ds.get('protected', []))}, outcome `{ds.get('outcome')}`;
metrics on the held-out test split ({ds.get('n_test')} rows).

## Interventions
{chr(10).join(steps)}

## Before / after (baseline model vs final stack)
Δ = change of the quantity named in the last column (with two groups the signed difference in the group order
fixed on the baseline, so Δ = after − before unless the gap reversed). The 95% CI and the two-sided p come from
the same stratified paired bootstrap (rows resampled within groups, within group × label for TPR/FPR-based
metrics), so p < 0.05 exactly when the CI excludes 0. p (BH): Benjamini-Hochberg adjusted over the metrics.

| metric | before | after | Δ | 95% CI of Δ | p | p (BH) | what Δ measures |
|---|---|---|---|---|---|---|---|
{rows}

## Final gate
{checks}

The full decision trail is in `audit_log.jsonl`.
"""
    final = result.final.overall
    card = f"""# Model card

## Model details
A binary classifier produced by `fairmend pipeline`: base model `{result.fitted['policy'].base_model}` with
the interventions below.
{chr(10).join(steps)}

## Intended use
Decisions on `{ds.get('outcome')}` where group fairness with respect to {', '.join(ds.get('protected', []))} is
required. Not validated outside the population of the training data.

## Factors
Protected attributes: {', '.join(ds.get('protected', []))}; intersectional groups are reported in `report.html`.

## Metrics (test split)
- accuracy {_num(final.get('accuracy'))}, balanced accuracy {_num(final.get('balanced_accuracy'))}
- demographic parity difference {_num(final.get('demographic_parity_difference'))}, disparate impact ratio {_num(final.get('disparate_impact_ratio'))}
- equalized odds difference {_num(final.get('equalized_odds_difference'))}, equal opportunity difference {_num(final.get('equal_opportunity_difference'))}
- ECE {_num(final.get('ece'))}

## Ethical considerations and caveats
Decision: **{result.decision}**. {'All final-gate checks passed.' if result.decision == 'deploy' else 'Some final-gate checks failed; see the validation report before any deployment.'}
Fairness metrics can conflict (Kleinberg et al. 2017); the chosen target was {result.fitted['policy'].target_criterion.replace('_', ' ')}.
"""
    guide_lines = ["# Implementation guide", "", "Reproduce each chosen intervention on new data:", ""]
    for slot, step in (("pre", stack.pre), ("in", stack.model), ("post", stack.post)):
        if step is None:
            continue
        t = catalog.get(step.key)
        params = " ".join(f"--param {k}={v}" for k, v in step.params.items())
        guide_lines += [
            f"## {t.name}", "", t.summary, "",
            f"- needs retraining: {'yes' if t.needs_retraining else 'no'}; needs the protected attribute at inference: "
            f"{'yes' if t.needs_protected_attribute_at_inference else 'no'}",
            f"- citation: {'; '.join(t.citation.authors)} ({t.citation.year}). {t.citation.title}. {t.citation.venue}.",
            "", "```", f"fairmend run {t.key} --data FILE --protected {','.join(ds.get('protected', []))} "
            f"--outcome {ds.get('outcome')} {params}".rstrip(), "```", "",
        ]
    if len(guide_lines) == 4:
        guide_lines.append("No intervention was applied: the baseline met the policy or every candidate was rolled back.")
    guide_lines += ["", "## Monitoring", "",
                    "Compare production data with the training data regularly: `fairmend monitor --reference train.csv --current new.csv`."]
    return {"validation_report": validation, "model_card": card, "implementation_guide": "\n".join(guide_lines) + "\n"}
