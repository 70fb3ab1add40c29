"""The stage order and decision points of the workflow, with checkpoints for ``--resume``."""

from __future__ import annotations

from typing import Any

from fairmend.catalog.types import Contract, Criterion
from fairmend.engine.stack import Stack, Step, params_text
from fairmend.pipeline import gates
from fairmend.pipeline.candidates import CALIBRATION, adjust
from fairmend.pipeline.feasibility import check_feasibility
from fairmend.pipeline.measure import ks_integrity
from fairmend.pipeline.result import SLOT, PipelineResult

# The causal stage's analysis (seed 001 step 1): back-door identification with proxies, biased
# mediators and the stage decision rules, run once per protected attribute.
CAUSAL_TECHNIQUE = "backdoor_identification_intervention_points"


def _step(raw: dict[str, Any] | None) -> Step | None:
    return None if raw is None else Step(raw["key"], dict(raw.get("params") or {}))


def _evidence(pipe: Any, base_fit: Any, fitted: Any, rows: str = "selection") -> gates.Evidence | None:
    """Paired statistics of a candidate against the baseline: on the selection rows for every choice,
    on the test rows only for the final report."""
    _, y, A = pipe.data.rows("validation" if rows == "selection" else "test")
    return gates.paired_evidence(y, A.reset_index(drop=True), base_fit.on(rows)[0], fitted.on(rows)[0], pipe.policy)


def _dump(step: Step | None) -> dict[str, Any] | None:
    return None if step is None else {"key": step.key, "params": step.params}


def causal_stage(pipe: Any, frame: Any, protected: list[str], outcome: str) -> dict[str, Any]:
    findings: dict[str, Any] = {"analyses": {}, "proxies": [], "biased_mediators": [], "stages": [], "rules": []}
    if CAUSAL_TECHNIQUE not in pipe.catalog:
        return findings
    t = pipe.catalog.get(CAUSAL_TECHNIQUE)
    if not t.executable or t.contract is not Contract.ANALYSIS:
        return findings
    for attribute in protected:
        pipe.progress(f"causal: {attribute}")
        try:
            summary = t.load()().run(frame, protected=[attribute], outcome=outcome).summary
        except Exception as exc:  # an analysis that cannot run is recorded, not fatal
            findings["analyses"][attribute] = {"error": f"{type(exc).__name__}: {exc}"}
            continue
        findings["analyses"][attribute] = summary
        findings["proxies"] += [f"{p} ({attribute})" for p in summary.get("proxies", [])]
        findings["biased_mediators"] += [f"{m} ({attribute})" for m in summary.get("biased_mediators", [])]
        decision = summary.get("decision", {})
        findings["stages"] += decision.get("stages", [])
        findings["rules"] += [f"{attribute}: {r['rule']} {r['text']} ({r['because']})" for r in decision.get("rules_fired", [])]
    findings["stages"] = sorted(set(findings["stages"]))
    pipe.log.write("causal_analysis", technique=CAUSAL_TECHNIQUE, proxies=findings["proxies"],
                   biased_mediators=findings["biased_mediators"], stages=findings["stages"],
                   rule="; ".join(findings["rules"]) or "no causal rule fired")
    return findings


def execute(pipe: Any, frame: Any, protected: list[str], outcome: str, info: dict[str, Any], *, resume: bool) -> Any:

    policy, log = pipe.policy, pipe.log
    log.write("start", dataset=info, policy=policy.to_dict(), resume=resume)

    causal = pipe.ckpt.load("causal") if resume else None
    if causal is None:
        causal = causal_stage(pipe, frame, protected, outcome)
        pipe.ckpt.save("causal", causal)
    else:
        log.write("resumed", stage="causal")

    pipe.progress("baseline model")
    baseline, base_fit = pipe.measure(Stack())
    log.write("baseline", metrics=baseline.overall, per_attribute=baseline.per_attribute,
              intersectional=baseline.intersectional)

    # Before searching: can the targets hold together at all (Hardt et al. 2016 feasible region)?
    pipe.progress("feasibility of the targets")
    _, y_sel, A_sel = pipe.data.rows("validation")
    feasibility = check_feasibility(
        y_sel, base_fit.selection_score, A_sel.reset_index(drop=True),
        min_di=policy.targets.min_disparate_impact_ratio, max_eo=policy.targets.max_equalized_odds_difference,
        max_accuracy_loss=policy.post_gate.max_accuracy_loss)
    log.write("feasibility", **feasibility.to_dict(), rule=feasibility.message)

    # Decision point 1: is pre-processing needed?
    di = baseline.worst("disparate_impact_ratio", higher_is_better=True)
    need_pre = di < policy.targets.min_disparate_impact_ratio or bool(causal["biased_mediators"])
    rule = (f"disparate impact ratio {di:.3f} {'<' if di < policy.targets.min_disparate_impact_ratio else '>='} "
            f"{policy.targets.min_disparate_impact_ratio}; biased mediators: "
            f"{', '.join(causal['biased_mediators']) or 'none'}; proxies: {', '.join(causal['proxies']) or 'none'}")
    log.write("decision_point_1", pre_processing=need_pre, rule=("pre-processing needed: " if need_pre else
              "skip to in-processing: no biased mediators and ") + rule)

    stack = Stack()
    X_train = pipe.data.rows("train")[0]
    dp = {Criterion.DEMOGRAPHIC_PARITY}
    stack = _stage(pipe, "pre", stack, resume, need_pre, dp, lambda s, f: gates.gate2(
        baseline, s, ks_integrity(X_train, f.X_train), policy, _evidence(pipe, base_fit, f)))

    after_pre, _ = pipe.measure(stack)
    t_checks = gates.targets(after_pre, policy)
    loss = gates.accuracy_loss(baseline, after_pre)
    skip_in = all(c.passed for c in t_checks) and loss <= policy.pre_gate.max_accuracy_loss
    log.write("decision_point_2", in_processing=not skip_in,
              rule=("skip in-processing: " if skip_in else "proceed to in-processing: ")
              + "; ".join(c.detail for c in t_checks) + f"; accuracy loss {loss:.1%}")
    want_in = dp if policy.target_criterion == "demographic_parity" else {Criterion.EQUALIZED_ODDS, Criterion.EQUAL_OPPORTUNITY}
    stack = _stage(pipe, "in", stack, resume, not skip_in, want_in, lambda s, f: gates.gate3(
        baseline, s, f.converged, policy, _evidence(pipe, base_fit, f)))

    after_in, _ = pipe.measure(stack)
    targets_ok = all(c.passed for c in gates.targets(after_in, policy))
    calib_ok = all(c.passed for c in gates.calibration(after_in, policy))
    if targets_ok and calib_ok:
        post_want, post_rule = None, "skip post-processing: targets met and ECE below thresholds"
    elif targets_ok:
        post_want, post_rule = CALIBRATION, "apply group calibration: targets met but ECE >= threshold"
    else:
        post_want, post_rule = want_in | {Criterion.EQUALIZED_ODDS}, "apply threshold optimisation: targets unmet"
    log.write("decision_point_3", post_processing=post_want is not None, rule=post_rule,
              checks=[c.detail for c in gates.targets(after_in, policy) + gates.calibration(after_in, policy)])

    def judge_post(s: Any, f: Any) -> gates.Verdict:
        checks = gates.calibration(s, policy) if post_want is CALIBRATION else [gates.target_met(s, policy, policy.target_criterion)]
        loss_ = gates.accuracy_loss(baseline, s)
        checks.append(gates.budget_check("accuracy_loss", loss_, policy.post_gate.max_accuracy_loss,
                                         _evidence(pipe, base_fit, f), policy))
        checks.append(gates.intersectional(after_in, s, policy.post_gate.max_new_intersectional_gap))
        return gates.Verdict("post_processing", checks)

    stack = _stage(pipe, "post", stack, resume, post_want is not None, post_want or set(), judge_post)

    final, fitted = pipe.measure(stack)
    verdict = gates.gate4(baseline, final, policy, _evidence(pipe, base_fit, fitted))
    log.write("gate4", iteration=1, **verdict.to_dict(), stack=stack.describe())
    iteration = 1
    while not verdict.passed and iteration < policy.max_iterations:
        stronger = None
        if stack.model is not None and verdict.failed("dp_target", "eo_target", "intersectional"):
            spec = pipe.catalog.get(stack.model.key).parameters
            stronger = adjust(stack.model.key, stack.model.params, stronger=True, defaults={p.name: p.default for p in spec})
            names = {p.name for p in spec}
            stronger = stronger if stronger is not None and set(stronger) <= names else None
        if stronger is None:
            log.write("rollback", stage="final", iteration=iteration + 1,
                      rule="final gate failed and no in-processing constraint can be strengthened")
            break
        iteration += 1
        log.write("rollback", stage="final", iteration=iteration,
                  rule=f"fairness targets unmet: rollback to in-processing with stronger constraint {params_text(stronger)}")
        stack = stack.with_step("model", Step(stack.model.key, stronger))
        final, fitted = pipe.measure(stack)
        verdict = gates.gate4(baseline, final, policy, _evidence(pipe, base_fit, fitted))
        log.write("gate4", iteration=iteration, **verdict.to_dict(), stack=stack.describe())

    # The chosen stack, measured once on the untouched test rows: the report's numbers and a confirmation.
    base_test, final_test = pipe.measure_test(base_fit), pipe.measure_test(fitted)
    test_verdict = gates.gate4(base_test, final_test, policy, _evidence(pipe, base_fit, fitted, "test"))
    log.write("test_confirmation", measured_on="test", **test_verdict.to_dict(),
              rule="the stack chosen on the selection rows, measured once on the held-out test rows")
    decision = "deploy" if verdict.passed and test_verdict.passed else "escalate"
    if decision == "escalate":
        failed = [c.detail for c in (verdict.checks if not verdict.passed else test_verdict.checks) if not c.passed]
        why = (f"final gate unmet on the selection rows after {iteration} iteration(s)" if not verdict.passed else
               "the final gate passed on the selection rows but is not confirmed on the held-out test rows")
        log.write("escalation", iterations=iteration, failed=failed, binding_target=feasibility.binding,
                  feasibility=feasibility.message,
                  rule=f"{why}: business decision required (accept the trade-off, delay deployment, or revise "
                       "the targets)", stack=stack.describe())
    else:
        log.write("deploy", rule="all final-gate checks passed on the selection rows and on the test rows",
                  stack=stack.describe())
    return PipelineResult(output=pipe.out, baseline=base_test, final=final_test, stack=stack, decision=decision,
                          final_gate=verdict, attempts=list(pipe.attempts), causal=causal, dataset=info,
                          fitted={"final": fitted, "baseline": base_fit, "policy": policy, "y_test": pipe.data.rows("test")[1],
                                  "A_test": pipe.data.rows("test")[2].reset_index(drop=True)},
                          test_gate=test_verdict, selection={"baseline": baseline, "final": final},
                          feasibility=feasibility)


def _stage(pipe: Any, stage: str, stack: Stack, resume: bool, needed: bool, want: set[Criterion], judge: Any) -> Stack:

    slot = SLOT[stage]
    saved = pipe.ckpt.load(stage) if resume else None
    if saved is not None:
        pipe.log.write("resumed", stage=stage, chosen=saved["chosen"])
        return stack.with_step(slot, _step(saved["chosen"]))
    chosen = None
    if needed:
        chosen = pipe.search(stage, stack, want, judge)
    pipe.ckpt.save(stage, {"stage": stage, "needed": needed, "chosen": _dump(chosen)})
    return stack.with_step(slot, chosen)
