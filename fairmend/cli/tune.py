"""``fairmend tune KEY --data F --protected A --outcome Y [--trials N] [--timeout S] [--storage URL] [--json]``."""

from __future__ import annotations

from typing import Any

import click

from fairmend.cli._common import data_options, echo_json, split_columns


def _ci(entry: dict[str, Any]) -> str:
    ci = entry.get("ci95")
    return f"{entry['value']:.4f} [{ci[0]:.4f}, {ci[1]:.4f}]" if ci else f"{entry['value']:.4f}"


def format_tune(doc: dict[str, Any]) -> str:
    m = doc["target_metric"]
    study, rows = doc["study"], doc["rows"]
    head = (f"{doc['technique']}: {study['n_complete']} of {study['n_trials']} trials complete "
            f"({study['new_trials']} new), judged on {rows['selection']} selection rows; "
            f"Pareto front re-measured on {rows['test']} untouched test rows")
    goal = "maximize" if doc["higher_is_better"] else "minimize"
    lines = [head, f"objectives: accuracy (maximize), {m} ({goal}); searched: {', '.join(k['name'] for k in doc['tuned'])}"]
    if doc["baseline_test"]:
        lines.append(f"baseline on test rows: accuracy {doc['baseline_test']['accuracy']:.4f}, "
                     f"{m} {doc['baseline_test'][m]:.4f}")
    lines.append(f"{'trial':>5}  {'test accuracy [95% CI]':<26}{'test ' + m + ' [95% CI]':<44}gate  params")
    for p in doc["pareto"]:
        params = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in p["params"].items())
        gate = "pass" if p["gate_passed"] else "fail"
        mark = "  (dominated on test)" if p["dominated_on_test"] else ""
        lines.append(f"{p['trial']:>5}  {_ci(p['test']['accuracy']):<26}{_ci(p['test'][m]):<44}{gate:<6}{params}{mark}")
    return "\n".join(lines)


@click.command()
@click.argument("key")
@data_options
@click.option("--trials", default=20, show_default=True, type=int,
              help="Trials the study should hold (a resumed study runs only the missing ones).")
@click.option("--timeout", type=float, help="Stop starting new trials after this many seconds.")
@click.option("--storage", help="Optuna storage URL (sqlite:///tune.db) to make the study resumable.")
@click.option("--study-name", help="Study name in --storage (default: derived from the arguments and data).")
@click.option("--tune", "search", multiple=True, metavar="NAME",
              help="Search this parameter (repeatable; default: the parameters the technique declares tunable).")
@click.option("--param", "params", multiple=True, help="Fix a technique parameter NAME=VALUE (repeatable).")
@click.option("--target-metric", help="Fairness objective instead of the technique's criterion's metric.")
@click.option("--base-model", default="logreg", show_default=True, help="logreg, gbm, rf or a PATH.skops model.")
@click.option("--test-size", default=0.3, show_default=True, type=float, help="Share of rows held out as test rows.")
@click.option("--selection-size", default=0.3, show_default=True, type=float,
              help="Share of the tuning rows that judge each trial.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--n-boot", default=1000, show_default=True, type=int, help="Bootstrap resamples for the test-row CIs.")
@click.option("--output", type=click.Path(file_okay=False), help="Folder for tune.json and the Pareto chart pareto.svg.")
@click.option("--mlflow", "mlflow_log", is_flag=True, help="Log the study and each Pareto point to MLflow.")
@click.option("--mlflow-uri", help="MLflow tracking URI (implies --mlflow; default: MLFLOW_TRACKING_URI, else ./mlruns).")
@click.option("--json", "as_json", is_flag=True, help="Print the result (with the pareto list) as JSON.")
def tune(key: str, data: str, protected: str, outcome: str, favourable_label: str | None, trials: int,
         timeout: float | None, storage: str | None, study_name: str | None, search: tuple[str, ...],
         params: tuple[str, ...], target_metric: str | None, base_model: str, test_size: float,
         selection_size: float, seed: int, n_boot: int, output: str | None, mlflow_log: bool,
         mlflow_uri: str | None, as_json: bool) -> None:
    """Search KEY's parameters for the accuracy / fairness Pareto front (Optuna), then re-measure it on test rows."""
    from fairmend.cli._progress import progress
    from fairmend.cli.run_cmd import parse_params
    from fairmend.tune import pareto_svg
    from fairmend.tune import tune as run_tune

    if mlflow_log or mlflow_uri:
        from fairmend.tracking import require

        mlflow_uri = require(mlflow_uri)
    with progress(f"tune {key}", enabled=not as_json) as step:
        doc = run_tune(key, data, protected=split_columns(protected), outcome=outcome,
                       favourable_label=favourable_label, trials=trials, timeout=timeout, storage=storage,
                       study_name=study_name, search=list(search), params=parse_params(params),
                       target_metric=target_metric, base_model=base_model, test_size=test_size,
                       selection_size=selection_size, seed=seed, n_boot=n_boot, progress=step)
    chart = pareto_svg(doc)
    if output:
        from pathlib import Path

        from fairmend.io import write_atomic, write_json_atomic

        write_json_atomic(Path(output) / "tune.json", doc)
        write_atomic(Path(output) / "pareto.svg", chart)
    if mlflow_uri:
        from fairmend.tracking import log_tune

        doc["mlflow"] = log_tune(doc, chart, uri=mlflow_uri)
    if as_json:
        echo_json(doc)
        return
    click.echo(format_tune(doc))
