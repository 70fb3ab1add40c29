"""``fairmend recommend "TEXT" [--top N] [--json] [--data F --protected A --outcome Y] [--run]``.

The text output starts with one ``understood:`` line per hard constraint in force (and where it came
from) and one ``uncertain:`` line per constraint the reader is unsure of, naming the flag that settles it.
"""

from __future__ import annotations

from typing import Any

import click

from fairmend.cli._common import echo_json, split_columns
from fairmend.errors import InvalidParameterError

CRITERIA = ("demographic_parity", "equal_opportunity", "equalized_odds", "calibration", "predictive_parity",
            "individual_fairness", "counterfactual_fairness")
TASKS = ("classification", "binary_classification", "multiclass_classification", "regression", "ranking",
         "clustering")
STAGES = ("causal", "pre_processing", "in_processing", "post_processing", "evaluation", "monitoring",
          "documentation")


@click.command()
@click.argument("text")
@click.option("--top", default=5, show_default=True, type=click.IntRange(1, 50), help="How many to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--retraining/--no-retraining", default=None, help="Whether the model may be retrained.")
@click.option("--protected-at-inference/--no-protected-at-inference", default=None,
              help="Whether the deployed model may see the protected attribute.")
@click.option("--intervention/--no-intervention", default=None,
              help="Whether the data, model or decisions may be changed (--no-intervention: analyse only).")
@click.option("--stage", "stages", multiple=True, type=click.Choice(STAGES), help="Allowed stage (repeatable).")
@click.option("--criterion", "criteria", multiple=True, type=click.Choice(CRITERIA), help="Target criterion.")
@click.option("--max-accuracy-loss", type=float, help="Accuracy budget as a fraction (0.02 = two points).")
@click.option("--task", type=click.Choice(TASKS), help="Prediction task.")
@click.option("--data", type=click.Path(exists=True, dir_okay=False), help="Audit this CSV/Parquet first.")
@click.option("--protected", help="Protected attribute column(s), comma-separated (with --data).")
@click.option("--outcome", help="Binary outcome column (with --data).")
@click.option("--run", "do_run", is_flag=True, help="Run the top executable recommendation on --data.")
def recommend(text: str, top: int, as_json: bool, retraining: bool | None, protected_at_inference: bool | None,
              intervention: bool | None, stages: tuple[str, ...], criteria: tuple[str, ...],
              max_accuracy_loss: float | None, task: str | None, data: str | None, protected: str | None,
              outcome: str | None, do_run: bool) -> None:
    """Recommend fairness techniques for the situation described in TEXT."""
    if not text.strip():
        raise InvalidParameterError("TEXT is empty: describe the model, the data and what may change")
    from fairmend.recommender import Recommender, apply_audit, audit_data, merge_flags, parse_text

    cols = split_columns(protected)
    if (data is not None or do_run) and not (data and cols and outcome):
        raise InvalidParameterError("--data, --protected and --outcome go together (and --run needs all three)")
    constraints = merge_flags(parse_text(text), retraining=retraining, protected_at_inference=protected_at_inference,
                              intervention=intervention, stages=list(stages) or None,
                              criteria=list(criteria) or None, max_accuracy_loss=max_accuracy_loss, task=task)
    audit = None
    if data:
        audit = audit_data(data, protected=cols, outcome=outcome or "")
        constraints = apply_audit(constraints, audit)
    recommender = Recommender(progress=lambda line: click.echo(f"fairmend: {line}", err=True))
    result = recommender.recommend(text, constraints=constraints, top=top, audit=audit, data=data,
                                   protected=cols or None, outcome=outcome)
    run_result = None
    if do_run:
        run_result = _run_top(result, data or "", cols, outcome or "")
    if as_json:
        payload = result.to_dict()
        if run_result is not None:
            payload["run"] = run_result.to_dict()
        echo_json(payload)
        return
    click.echo(format_result(result))
    if run_result is not None:
        from fairmend.cli.run_cmd import format_result as format_run

        click.echo("\n" + format_run(run_result))


def _run_top(result: Any, data: str, protected: list[str], outcome: str) -> Any:
    from fairmend.errors import NotExecutableError

    runnable = [r for r in result.recommendations if r.technique.executable]
    if not runnable:
        raise NotExecutableError("none of the recommendations shown is executable in fairmend; "
                                 "use --top to see more, or apply one by hand from its citation")
    from fairmend.runner import run_technique

    return run_technique(runnable[0].technique.key, data, protected=protected, outcome=outcome)


def format_result(result: Any) -> str:
    c = result.constraints
    lines = c.understood() + c.uncertain_lines()
    if not lines:
        lines.append("understood: no hard constraint (any stage, retraining allowed; see --help for the flags)")
    soft = c.describe()
    if soft:
        lines.append("Also read: " + "; ".join(soft))
    if result.audit is not None:
        lines.append(f"Data audit: {result.audit['n_rows']} rows")
        for col, a in result.audit["attributes"].items():
            rates = ", ".join(f"{g} n={s['n']} rate={s['base_rate']:.3f}" for g, s in a["groups"].items())
            lines.append(f"  - {col}: {a['n_groups']} groups ({rates}); base-rate gap "
                         f"{a['demographic_parity_difference']:.3f}")
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
        lines.append(f"\nExcluded by hard constraints: {len(result.excluded)} techniques "
                     "(--json lists each with its reason)")
    return "\n".join(lines)
