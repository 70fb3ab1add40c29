"""``fairmend recommend "TEXT" [--top N] [--json] [--data F --protected A --outcome Y [--favourable-label V]
[--scores COL | --predictions COL | --model M.skops]] [--run | --evaluate K]``.

The text output starts with one ``understood:`` line per hard constraint in force (and where it came
from) and one ``uncertain:`` line per constraint the reader is unsure of, naming the flag that settles it.
"""

from __future__ import annotations

from typing import Any

import click

from fairmend.cli._common import echo_json, split_columns
from fairmend.errors import InvalidParameterError

CRITERIA = (
    "demographic_parity",
    "equal_opportunity",
    "equalized_odds",
    "calibration",
    "predictive_parity",
    "individual_fairness",
    "counterfactual_fairness",
)
TASKS = (
    "classification",
    "binary_classification",
    "multiclass_classification",
    "regression",
    "ranking",
    "clustering",
)
# Model family read from the text -> fairmend's base model of that family (``--base-model``).
FAMILY_BASE_MODEL = {"gradient_boosting": "gbm", "tree": "rf", "logistic_regression": "logreg"}
# The same family as a technique parameter's choice (a parameter named "model", "estimator", ...).
FAMILY_CHOICES = {
    "gbm": ("gbm", "gradient_boosting", "hist_gradient_boosting", "boosting"),
    "rf": ("rf", "random_forest", "forest", "tree"),
    "logreg": ("logistic", "logreg", "logistic_regression"),
}
FAMILY_PARAMETERS = ("model", "estimator", "base_estimator", "learner", "classifier", "base_model")
STAGES = (
    "causal",
    "pre_processing",
    "in_processing",
    "post_processing",
    "evaluation",
    "monitoring",
    "documentation",
)


@click.command()
@click.argument("text")
@click.option("--top", default=5, show_default=True, type=click.IntRange(1, 50), help="How many to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--retraining/--no-retraining", default=None, help="Whether the model may be retrained.")
@click.option(
    "--protected-at-inference/--no-protected-at-inference",
    default=None,
    help="Whether the deployed model may see the protected attribute.",
)
@click.option(
    "--intervention/--no-intervention",
    default=None,
    help="Whether the data, model or decisions may be changed (--no-intervention: analyse only).",
)
@click.option(
    "--stage", "stages", multiple=True, type=click.Choice(STAGES), help="Allowed stage (repeatable)."
)
@click.option("--criterion", "criteria", multiple=True, type=click.Choice(CRITERIA), help="Target criterion.")
@click.option("--max-accuracy-loss", type=float, help="Accuracy budget as a fraction (0.02 = two points).")
@click.option("--task", type=click.Choice(TASKS), help="Prediction task.")
@click.option("--data", type=click.Path(exists=True, dir_okay=False), help="Audit this CSV/Parquet first.")
@click.option("--protected", help="Protected attribute column(s), comma-separated (with --data).")
@click.option("--outcome", help="Binary outcome column (with --data).")
@click.option("--favourable-label", help="Outcome value that counts as favourable (with --data).")
@click.option(
    "--scores",
    help="Column of your model's probabilities of the favourable outcome (your model is the baseline).",
)
@click.option("--predictions", help="Column of your model's decisions (your model is the baseline).")
@click.option(
    "--model",
    "model_path",
    type=click.Path(dir_okay=False),
    help="Your fitted model (.skops) as the baseline.",
)
@click.option("--run", "do_run", is_flag=True, help="Run the top executable recommendation on --data.")
@click.option(
    "--evaluate",
    "evaluate_k",
    type=click.IntRange(1, 10),
    help="Measure the top K eligible techniques on --data: chosen on selection rows, reported on test rows.",
)
def recommend(
    text: str,
    top: int,
    as_json: bool,
    retraining: bool | None,
    protected_at_inference: bool | None,
    intervention: bool | None,
    stages: tuple[str, ...],
    criteria: tuple[str, ...],
    max_accuracy_loss: float | None,
    task: str | None,
    data: str | None,
    protected: str | None,
    outcome: str | None,
    favourable_label: str | None,
    scores: str | None,
    predictions: str | None,
    model_path: str | None,
    do_run: bool,
    evaluate_k: int | None,
) -> None:
    """Recommend fairness techniques for the situation described in TEXT."""
    if not text.strip():
        raise InvalidParameterError("TEXT is empty: describe the model, the data and what may change")
    from dataclasses import replace

    from fairmend.recommender import Recommender, apply_audit, audit_data, merge_flags, parse_text

    cols = split_columns(protected)
    if (data is not None or do_run or evaluate_k) and not (data and cols and outcome):
        raise InvalidParameterError(
            "--data, --protected and --outcome go together (and --run and --evaluate need all three)"
        )
    if do_run and evaluate_k:
        raise InvalidParameterError("give --run or --evaluate K, not both")
    constraints = merge_flags(
        parse_text(text),
        retraining=retraining,
        protected_at_inference=protected_at_inference,
        intervention=intervention,
        stages=list(stages) or None,
        criteria=list(criteria) or None,
        max_accuracy_loss=max_accuracy_loss,
        task=task,
    )
    # The model family named in the text is the base model of every run (unless the user's own model is).
    family = FAMILY_BASE_MODEL.get(constraints.model_family or "", "logreg")
    user = {
        "favourable_label": favourable_label,
        "scores": scores,
        "predictions": predictions,
        "base_model": model_path or family,
    }
    audit = None
    if data:
        audit = audit_data(data, protected=cols, outcome=outcome or "")
        constraints = apply_audit(constraints, audit)
    recommender = Recommender(progress=lambda line: click.echo(f"fairmend: {line}", err=True))
    # One ranking: --evaluate looks past the ones shown for the top K eligible interventions.
    pool = recommender.recommend(
        text,
        constraints=constraints,
        top=max(top, 50) if evaluate_k else top,
        audit=audit,
        data=data,
        protected=cols or None,
        outcome=outcome,
    )
    result = replace(pool, recommendations=pool.recommendations[:top])
    for rec in result.recommendations:
        rec.run_command = complete_command(rec, constraints, data, cols, outcome, user)
    run_result = evaluation = None
    if do_run:
        run_result = _run_top(result, data or "", cols, outcome or "", constraints, user)
    if evaluate_k:
        evaluation = _evaluate(
            pool, evaluate_k, data or "", cols, outcome or "", constraints, user, quiet=as_json
        )
    if as_json:
        payload = result.to_dict()
        if run_result is not None:
            payload["run"] = run_result.to_dict()
        if evaluation is not None:
            payload.update(evaluation)
        echo_json(payload)
        return
    click.echo(format_result(result))
    if run_result is not None:
        from fairmend.cli.run_cmd import format_result as format_run

        click.echo("\n" + format_run(run_result))
    if evaluation is not None:
        click.echo("\n" + format_evaluation(evaluation))


def _criterion_params(technique: Any, constraints: Any) -> dict[str, str]:
    """The parameters the user's words set: the one that makes ``technique`` enforce the first criterion
    they asked for, and the model family they named where the technique takes one."""
    from fairmend.catalog.targets import params_for_criterion

    out: dict[str, str] = {}
    for criterion in getattr(constraints, "criteria", None) or []:
        found = params_for_criterion(technique, criterion)
        if found:
            out.update(found)
            break
    family = FAMILY_BASE_MODEL.get(getattr(constraints, "model_family", None) or "")
    if family is not None:
        for spec in technique.parameters:
            if spec.name not in FAMILY_PARAMETERS or not spec.choices:
                continue
            match = [str(v) for v in spec.choices if str(v).lower() in FAMILY_CHOICES[family]]
            if match:
                out[spec.name] = match[0]
    return out


def complete_command(
    rec: Any,
    constraints: Any,
    data: str | None,
    protected: list[str],
    outcome: str | None,
    user: dict[str, Any],
) -> str:
    """The recommendation's ``fairmend run`` command with everything the user gave: data, columns,
    favourable label, their model, and the criterion they asked for as the technique's parameter."""
    import shlex

    t = rec.technique
    args = [
        "fairmend",
        "run",
        t.key,
        "--data",
        data or "DATA.csv",
        "--protected",
        ",".join(protected) or "PROTECTED",
        "--outcome",
        outcome or "OUTCOME",
    ]
    for flag, value in (
        ("--favourable-label", user["favourable_label"]),
        ("--scores", user["scores"]),
        ("--predictions", user["predictions"]),
    ):
        if value is not None:
            args += [flag, str(value)]
    if user["base_model"] != "logreg":
        args += ["--base-model", user["base_model"]]
    for name, value in _criterion_params(t, constraints).items():
        args += ["--param", f"{name}={value}"]
    cmd = " ".join(shlex.quote(a) for a in args)
    if not t.executable:
        return f"# not executable in fairmend yet (catalogued only); see the citation: {cmd}"
    return cmd


def _run_top(
    result: Any, data: str, protected: list[str], outcome: str, constraints: Any, user: dict[str, Any]
) -> Any:
    from fairmend.errors import NotExecutableError

    runnable = [r for r in result.recommendations if r.technique.executable]
    if not runnable:
        raise NotExecutableError(
            "none of the recommendations shown is executable in fairmend; "
            "use --top to see more, or apply one by hand from its citation"
        )
    from fairmend.runner import run_technique

    top = runnable[0].technique
    return run_technique(
        top.key,
        data,
        protected=protected,
        outcome=outcome,
        params=_criterion_params(top, constraints),
        **user,
    )


def _evaluate(
    result: Any,
    k: int,
    data: str,
    protected: list[str],
    outcome: str,
    constraints: Any,
    user: dict[str, Any],
    *,
    quiet: bool,
) -> dict[str, Any]:
    from fairmend.catalog.targets import CRITERION_METRIC
    from fairmend.catalog.types import Contract
    from fairmend.cli._progress import progress
    from fairmend.errors import NotExecutableError
    from fairmend.evaluate import evaluate

    runnable = [
        r.technique
        for r in result.recommendations
        if r.technique.executable
        and r.technique.contract in (Contract.PREPROCESSOR, Contract.ESTIMATOR, Contract.POSTPROCESSOR)
    ]
    if not runnable:
        raise NotExecutableError(
            "none of the recommendations shown can be measured on data (no executable pre-, "
            "in- or post-processing technique); use --top to see more"
        )
    chosen = runnable[:k]
    metric = next((CRITERION_METRIC[c] for c in (constraints.criteria or []) if c in CRITERION_METRIC), None)
    budget = constraints.max_accuracy_loss if constraints.max_accuracy_loss is not None else 0.05
    with progress("evaluate", total=len(chosen), enabled=not quiet) as step:
        return evaluate(
            [(t.key, _criterion_params(t, constraints)) for t in chosen],
            data,
            protected=protected,
            outcome=outcome,
            max_accuracy_loss=budget,
            target_metric=metric,
            progress=step,
            **user,
        )


def format_evaluation(ev: dict[str, Any]) -> str:
    metric = ev["judged_on"]
    lines = [f"Measured on your data (judged on {metric}; chosen on selection rows, reported on test rows):"]
    for e in ev["evaluation"]:
        if "error" in e:
            lines.append(f"  {e['key']}: could not run: {e['error']}")
            continue
        c, a = e["change"].get(metric, {}), e["change"].get("accuracy", {})
        ci = c.get("ci95") or [float("nan")] * 2
        aci = a.get("ci95") or [float("nan")] * 2
        gate = "gate passed" if e["gate"] and e["gate"]["passed"] else "gate failed"
        front = ", on the Pareto front" if e.get("pareto") else ""
        lines.append(
            f"  {e['key']}: {metric} {e['before'][metric]:.4f} -> {e['after'][metric]:.4f} "
            f"(change {c.get('delta', float('nan')):+.4f}, 95% CI [{ci[0]:+.4f}, {ci[1]:+.4f}], "
            f"p = {c.get('p_value', float('nan')):.3g}); accuracy {e['before']['accuracy']:.4f} -> "
            f"{e['after']['accuracy']:.4f} (95% CI of change [{aci[0]:+.4f}, {aci[1]:+.4f}]); {gate}{front}"
        )
    pick = ev["pick"]
    lines.append(
        f"Pick: {pick['key']} ({pick['reason']})" if pick["key"] else f"Pick: none ({pick['reason']})"
    )
    return "\n".join(lines)


def format_result(result: Any) -> str:
    c = result.constraints
    lines = c.understood() + c.uncertain_lines()
    if not lines:
        lines.append(
            "understood: no hard constraint (any stage, retraining allowed; see --help for the flags)"
        )
    soft = c.describe()
    if soft:
        lines.append("Also read: " + "; ".join(soft))
    if result.audit is not None:
        lines.append(f"Data audit: {result.audit['n_rows']} rows")
        for col, a in result.audit["attributes"].items():
            rates = ", ".join(f"{g} n={s['n']} rate={s['base_rate']:.3f}" for g, s in a["groups"].items())
            lines.append(
                f"  - {col}: {a['n_groups']} groups ({rates}); base-rate gap "
                f"{a['demographic_parity_difference']:.3f}"
            )
    lines += [f"Note: {x}" for x in result.caveats]
    if not result.recommendations:
        lines.append("No technique satisfies the hard constraints. Consider relaxing:")
        lines += [f"  - {r}" for r in result.relax]
    for rec in result.recommendations:
        t = rec.technique
        lines.append(f"\n{rec.rank}. {t.name} [{t.key}] ({t.stage.value}, score {rec.score:.2f})")
        lines.append(f"   Why: {rec.why}")
        lines += [f"   Trade-off: {x}" for x in rec.trade_offs]
        lines += [f"   Conflict: {x}" for x in rec.soft_conflicts]
        lines.append(f"   Cite: {t.citation.short()}, {t.citation.title}")
        lines.append(f"   Run: {rec.run_command}")
    if result.excluded:
        lines.append(
            f"\nExcluded by hard constraints: {len(result.excluded)} techniques "
            "(--json lists each with its reason)"
        )
    return "\n".join(lines)
