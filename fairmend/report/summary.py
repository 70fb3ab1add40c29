"""The report's first screen in words: the decision in one sentence, the headline before -> after per
protected attribute, what failed, and the concrete next step. The HTML, the Markdown validation report
and the console summary of ``fairmend pipeline`` / ``fairmend demo`` all print these."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from fairmend.report.facts import ALL_ROWS, MIN_CLASS, MIN_ROWS, Claim, Facts
from fairmend.report.text import (
    check_name,
    data_options,
    metric_name,
    num,
    p_text,
    pretty,
    signed,
    stack_text,
)

HEADLINE = ("disparate_impact_ratio", "equalized_odds_difference")  # the policy's targets
FAIRNESS_CHECKS = {"dp_target", "eo_target"}
CALIBRATION_CHECKS = {"ece_overall", "ece_groups", "calibration"}


@dataclass
class Target:
    text: str  # "≥ 0.8"
    met: bool | None


def target(claim: Claim, policy: Any) -> Target:
    """The policy's target for the claim's metric, judged on the value after."""
    t = policy.targets
    if claim.metric == "disparate_impact_ratio":
        return Target(f"≥ {t.min_disparate_impact_ratio:g}", claim.after >= t.min_disparate_impact_ratio)
    if claim.metric == "equalized_odds_difference":
        return Target(f"< {t.max_equalized_odds_difference:g}", claim.after < t.max_equalized_odds_difference)
    if claim.metric == "ece":
        return Target(f"< {t.max_ece:g}", claim.after < t.max_ece)
    if claim.metric == "accuracy":
        budget = policy.post_gate.max_accuracy_loss
        loss = (claim.before - claim.after) / claim.before if claim.before > 0 else 0.0
        return Target(f"loss ≤ {budget:.0%}", loss <= budget + 1e-12)
    return Target("no target", None)


def headline(facts: Facts, protected: list[str]) -> list[Claim]:
    """Accuracy over all rows, then the targeted gaps of each protected attribute."""
    out = [c for c in (facts.claim(ALL_ROWS, "accuracy"),) if c is not None]
    for attr in protected:
        out += [c for c in (facts.claim(attr, m) for m in HEADLINE) if c is not None]
    return out


def unjudged(facts: Facts, protected: list[str]) -> list[str]:
    """Headline metrics no claim can be made about: fewer than two groups of the attribute are large enough."""
    return [f"not judged for {attr}: {metric_name(m)}, fewer than two of its groups are large enough"
            for attr in protected for m in HEADLINE if facts.claim(attr, m) is None]


def change_text(c: Claim) -> str:
    """``−0.140 (95% CI −0.171 to −0.108)``."""
    return f"{signed(c.delta)} (95% CI {signed(c.low)} to {signed(c.high)})"


@dataclass
class CheckRow:
    name: str
    label: str
    selection: tuple[bool, str] | None
    test: tuple[bool, str] | None

    @property
    def failed(self) -> bool:
        return any(v is not None and not v[0] for v in (self.selection, self.test))

    @property
    def detail(self) -> str:
        """The detail of a failing measurement (test rows first), else the test rows' detail."""
        for v in (self.test, self.selection):
            if v is not None and not v[0]:
                return v[1]
        return (self.test or self.selection or (True, ""))[1]

    @property
    def where(self) -> str:
        """Where it failed, in words: ``test rows; also failed on the selection rows`` and the like."""
        sel = None if self.selection is None else self.selection[0]
        test = None if self.test is None else self.test[0]
        if test is False:
            return {False: "test rows; also failed on the selection rows", True: "test rows only; passed on the "
                    "selection rows", None: "test rows"}[sel]
        if sel is False:
            return "selection rows; passed on the test rows" if test else "selection rows"
        return ""


def check_rows(result: Any) -> list[CheckRow]:
    """Every final check, on the selection rows (where it decided) and on the test rows (confirmation)."""
    sel_snap, test_snap = result.selection.get("final"), result.final
    sel = {c.name: (c.passed, _named(c, sel_snap)) for c in result.final_gate.checks}
    test = {} if result.test_gate is None else {c.name: (c.passed, _named(c, test_snap))
                                                for c in result.test_gate.checks}
    names = list(dict.fromkeys([*sel, *test]))
    return [CheckRow(n, check_name(n), sel.get(n), test.get(n)) for n in names]


def _named(check: Any, snap: Any) -> str:
    """The check's detail in words, naming the protected attribute a 'worst' value comes from."""
    metric = {"dp_target": ("disparate_impact_ratio", True), "eo_target": ("equalized_odds_difference", False)}
    detail = pretty(check.detail)
    if check.name in metric and snap is not None and snap.per_attribute:
        m, higher = metric[check.name]
        values = {a: v[m] for a, v in snap.per_attribute.items() if m in v}
        if values:
            attr = sorted(values, key=lambda a: values[a], reverse=not higher)[0]
            detail = detail.replace(" (target", f" ({attr}; target", 1)
    return detail


def decision_sentence(result: Any) -> str:
    rows = check_rows(result)
    n = len(rows)
    if result.decision == "deploy":
        return (f"Ready to deploy: the chosen stack passes all {n} final checks on the selection rows where it was "
                "chosen, and the held-out test rows confirm it.")
    sel_failed = [r.label.lower() for r in rows if r.selection is not None and not r.selection[0]]
    test_failed = [r.label.lower() for r in rows if r.test is not None and not r.test[0]]
    if not sel_failed:
        return (f"Not ready to deploy: the chosen stack passes all {n} final checks on the selection rows, but the "
                f"held-out test rows do not confirm {_join(test_failed)}.")
    tail = (f"; on the held-out test rows it fails {len(test_failed)} of {n}" if result.test_gate is not None else "")
    return (f"Not ready to deploy: the chosen stack fails {len(sel_failed)} of {n} final checks "
            f"({_join(sel_failed)}) on the selection rows where it was chosen{tail}.")


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else "nothing"


@dataclass
class Advice:
    """One next step: a plain sentence and, where there is one, the command that does it."""

    text: str
    command: str | None = None

    def __str__(self) -> str:
        return self.text if self.command is None else f"{self.text} {self.command}"


def next_steps(result: Any) -> list[Advice]:
    """The concrete next step first, then what else to fix."""
    policy = result.fitted["policy"]
    if result.decision == "deploy":
        return [Advice("Deploy with monitoring: compare production data with the training data regularly, and rerun "
                       "the pipeline when the population shifts:",
                       "fairmend monitor --reference train.csv --current new.csv")]
    failed = {r.name for r in check_rows(result) if r.failed}
    sel_ok = result.final_gate.passed
    feas = result.feasibility
    steps: list[Advice] = []
    t = policy.targets
    names = {"disparate_impact": f"disparate impact ratio ≥ {t.min_disparate_impact_ratio:g}",
             "equalized_odds": f"equalized-odds gap < {t.max_equalized_odds_difference:g}"}
    keys = {"disparate_impact": "targets.min_disparate_impact_ratio",
            "equalized_odds": "targets.max_equalized_odds_difference"}
    if sel_ok:
        steps.append(Advice("The stack passed every check on the selection rows, but not on the test rows: the margins "
                            "are within noise at this sample size. Collect more data, or rerun with another seed, "
                            "before deploying."))
    if failed & FAIRNESS_CHECKS and feas is not None and not feas.feasible and feas.binding:
        acc = feas.accuracy
        loss = (acc["unconstrained"] - acc["both"]) / acc["unconstrained"]
        steps.append(Advice(f"Relax the {names[feas.binding]} target ({keys[feas.binding]} in the policy): together the two "
                     f"targets cost at least {loss:.1%} accuracy on this data (post-processing the baseline's "
                     f"scores keeps at most {acc['both']:.3f}, against {acc['unconstrained']:.3f} without targets), "
                     f"and the policy allows {feas.budget:.0%}. Or accept the loss by raising "
                     f"post_gate.max_accuracy_loss to {math.ceil(loss * 100) / 100:.2f} or more."))
    elif failed & FAIRNESS_CHECKS:
        known = feas is not None and bool(feas.accuracy) and feas.feasible
        reach = (f"Both targets can hold together here: post-processing the baseline's scores keeps accuracy "
                 f"{feas.accuracy['both']:.3f}. " if known else "")
        post = result.stack.post
        used = f" (the chosen stack post-processed with constraint={post.params['constraint']})" if (
            post is not None and "constraint" in post.params) else ""
        criterion = "equalized_odds" if "eo_target" in failed else "demographic_parity"
        steps.append(Advice(
            f"{reach}Try a post-processor with the {criterion.replace('_', ' ')} constraint{used}: rerun the pipeline "
            f"with target_criterion: {criterion} in the policy, or try it alone on the baseline model and check that "
            f"the other target still holds:",
            f"fairmend run threshold_optimizer_equalized_odds_hardt {data_options(result.dataset)} "
            f"--param constraint={criterion}"))
    if failed & CALIBRATION_CHECKS:
        steps.append(Advice(f"Calibration: the final probabilities are not calibrated within the policy's limits (ECE "
                     f"< {t.max_ece:g} overall, < {t.max_group_ece:g} per group). Add a group calibration step "
                     "(group_specific_platt_scaling) after the fairness step, or relax max_ece and max_group_ece "
                     "if only the decisions are used."))
    if "intersectional" in failed:
        steps.append(Advice(f"Intersectional groups: some groups of the intersection still select at rates further "
                            f"than {t.max_intersectional_deviation:g} from the average; the intersectional table "
                            "shows which."))
    if "accuracy_loss" in failed:
        steps.append(Advice("Accuracy: the interventions cost more accuracy than the policy allows; weaken them (a "
                            "larger eps or tolerance) or raise the accuracy budget."))
    if "no_fairness_regression" in failed:
        steps.append(Advice("A fairness criterion got significantly worse (the final checks say which): constrain it "
                            "directly."))
    return steps or [Advice("Review the failed checks with the policy owner: accept the trade-off, delay deployment, "
                            "or revise the targets.")]


def small_note(facts: Facts, *, greyed: bool = True) -> str:
    shown = "greyed" if greyed else "listed in report.html"
    return (f"Groups with fewer than {MIN_ROWS} test rows are {shown} and left out of every gap and ratio; "
            f"metrics built from true or false positive rates also leave out groups with fewer than {MIN_CLASS} "
            f"positives or negatives.")


def _target_text(t: Target) -> str:
    return "" if t.met is None else f"  target {t.text}: {'met' if t.met else 'missed'}"


def console_lines(result: Any, facts: Facts) -> list[str]:
    """The console summary: the same sentence, numbers and grouping names as the report's first screen."""
    policy = result.fitted["policy"]
    lines = [decision_sentence(result), f"stack: {stack_text(result.stack)}"]
    if result.feasibility is not None:
        lines.append(f"feasibility: {pretty(result.feasibility.message)}")
    lines.append(f"before -> after on the {facts.n_test:,} held-out test rows (95% CI of the change, p adjusted "
                 f"for {sum(1 for c in facts.claims if c.p_value == c.p_value)} comparisons):")
    for c in headline(facts, result.dataset.get("protected", [])):
        where = "all test rows" if c.grouping == ALL_ROWS else c.grouping
        lines.append(f"  {where + ': ' + metric_name(c.metric):42} {num(c.before)} -> {num(c.after)}  "
                     f"change {change_text(c)}, p(BH) {p_text(c.p_value_bh)}{_target_text(target(c, policy))}")
    left = sorted({g for c in headline(facts, result.dataset.get("protected", [])) for g in c.left_out})
    if left:
        lines.append(f"  left out as too small to judge: {', '.join(left)}")
    lines += [f"  {x}" for x in unjudged(facts, result.dataset.get("protected", []))]
    lines.append(f"candidates tried: {len(result.attempts)} (judged on the selection rows)")
    lines.append("final checks: selection rows | test rows")
    for r in check_rows(result):
        sel = "-" if r.selection is None else ("PASS" if r.selection[0] else "FAIL")
        test = "-" if r.test is None else ("PASS" if r.test[0] else "FAIL")
        detail = r.detail
        lines.append(f"  {sel:4} | {test:4}  {r.label}: {detail}")
    for i, step in enumerate(next_steps(result)):
        lines.append(f"{'next step' if i == 0 else '  also'}: {step.text}")
        if step.command:
            lines.append(f"    {step.command}")
    return lines
