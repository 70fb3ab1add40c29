"""``fairmend pipeline``: the gated intervention workflow with rollback, audit log and resume."""

from __future__ import annotations

import click

from fairmend.cli._common import data_options, echo_json, split_columns, user_model_options


def stack_text(stack) -> str:  # type: ignore[no-untyped-def]
    """``pre: KEY (k=v) -> model: KEY -> post: none``: a stack as a reader writes it."""
    from fairmend.report.text import stack_text as text

    return text(stack)


def summary_lines(result) -> list[str]:  # type: ignore[no-untyped-def]
    """The console summary: the report's first screen (same sentence, numbers and grouping names)."""
    from fairmend.report.facts import gather
    from fairmend.report.summary import console_lines

    return console_lines(result, gather(result))


def run_and_report(data, protected, outcome, policy, output, resume, quiet,  # type: ignore[no-untyped-def]
                   favourable_label=None, **user_model):
    from pathlib import Path

    from fairmend.cli._progress import progress as progress_bar
    from fairmend.pipeline import run_pipeline
    from fairmend.report.html import write_report

    with progress_bar("pipeline", enabled=not quiet) as step:
        result = run_pipeline(data, protected=protected, outcome=outcome, policy=policy, output=output,
                              favourable_label=favourable_label,
                              resume=resume, progress=step, **user_model)
    paths = write_report(result, Path(output))
    return result, paths


@click.command()
@data_options
@user_model_options
@click.option("--policy", "policy_file", type=click.Path(dir_okay=False), help="Policy YAML (defaults: seed 001).")
@click.option("--output", default="fairmend-pipeline", show_default=True, type=click.Path(file_okay=False))
@click.option("--resume", is_flag=True, help="Continue a run in --output from its checkpoints.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--require-significance/--no-require-significance", default=None,
              help="Gates need significant improvements; losses beyond budget fail only when significant "
                   "(default: the policy's require_significance, on).")
@click.option("--mlflow", "mlflow_log", is_flag=True,
              help="Log the run to MLflow: stack, policy, before/after metrics with CIs and p-values, gates, "
                   "report and artifacts.")
@click.option("--mlflow-uri", help="MLflow tracking URI (implies --mlflow; default: MLFLOW_TRACKING_URI, else ./mlruns).")
@click.option("--json", "as_json", is_flag=True, help="Print report.json.")
def pipeline(data: str, protected: str, outcome: str, favourable_label: str | None, scores: str | None,
             predictions: str | None, threshold: float, model: str | None, trust: tuple[str, ...],
             policy_file: str | None,
             output: str, resume: bool,
             quiet: bool, require_significance: bool | None, mlflow_log: bool, mlflow_uri: str | None,
             as_json: bool) -> None:
    """Causal analysis → pre → in → post-processing with validation gates and rollback."""
    from dataclasses import replace

    from fairmend.pipeline import Policy

    policy = Policy.from_yaml(policy_file) if policy_file else Policy()
    if require_significance is not None:
        policy = replace(policy, require_significance=require_significance)
    if mlflow_log or mlflow_uri:
        from fairmend.tracking import require

        mlflow_uri = require(mlflow_uri)
    result, paths = run_and_report(data, split_columns(protected), outcome, policy, output, resume, quiet or as_json,
                                   favourable_label=favourable_label, scores=scores, predictions=predictions,
                                   threshold=threshold, model=model, trust=trust)
    tracked = None
    if mlflow_uri:
        from fairmend.tracking import log_pipeline

        tracked = log_pipeline(result, paths["report_json"], output=output, policy=policy, uri=mlflow_uri)
    if as_json:
        import json
        from pathlib import Path

        echo_json(json.loads(Path(paths["report_json"]).read_text()) | ({"mlflow": tracked} if tracked else {}))
        return
    for line in summary_lines(result):
        click.echo(line)
    for name, path in paths.items():
        click.echo(f"wrote {name}: {path}")
    click.echo(f"audit log: {output}/audit_log.jsonl")
    if tracked:
        click.echo(f"mlflow: run {tracked['run_id']} logged to {tracked['tracking_uri']}")
