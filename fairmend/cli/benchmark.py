"""``fairmend benchmark --techniques K1,K2 --datasets german,adult --seeds 0-49 --output DIR``."""

from __future__ import annotations

import click

from fairmend.cli._common import echo_json, split_columns


@click.command()
@click.option(
    "--techniques",
    required=True,
    help="Technique keys, comma-separated, or all (every executable pre/in/post technique).",
)
@click.option("--datasets", required=True, help="Bundled datasets, comma-separated (adult, german).")
@click.option("--protected", help="Protected attribute(s), comma-separated (default: each dataset's own).")
@click.option("--seeds", default="0-49", show_default=True, help="Seeds: 0-49, 0,3,7 or 0-4,10.")
@click.option(
    "--output",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for results.parquet, report.md and benchmark.json; rerunning resumes it.",
)
@click.option(
    "--scheduler", metavar="ADDRESS", help="Dask scheduler address (tcp://host:8786); default a LocalCluster."
)
@click.option(
    "--workers", type=click.IntRange(min=1), help="LocalCluster worker processes (default: one per core)."
)
@click.option(
    "--base-model", default="logreg", show_default=True, help="Base model of every run (Chen et al.: logreg)."
)
@click.option(
    "--test-size",
    default=0.3,
    show_default=True,
    type=float,
    help="Test share of the rows (Chen et al.: 0.3).",
)
@click.option(
    "--n-boot",
    default=200,
    show_default=True,
    type=click.IntRange(min=1),
    help="Bootstrap resamples per run.",
)
@click.option(
    "--use-protected-feature/--no-use-protected-feature",
    default=True,
    show_default=True,
    help="The base model sees the protected attribute (Chen et al.: yes).",
)
@click.option(
    "--retry-errors", is_flag=True, help="Run cells that failed before again (finished cells are skipped)."
)
@click.option(
    "--mlflow", "mlflow_log", is_flag=True, help="Log the sweep to MLflow as one run (table as artifact)."
)
@click.option(
    "--mlflow-uri",
    help="MLflow tracking URI (implies --mlflow; default: MLFLOW_TRACKING_URI, else ./mlruns).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def benchmark(
    techniques: str,
    datasets: str,
    protected: str | None,
    seeds: str,
    output: str,
    scheduler: str | None,
    workers: int | None,
    base_model: str,
    test_size: float,
    n_boot: int,
    use_protected_feature: bool,
    retry_errors: bool,
    mlflow_log: bool,
    mlflow_uri: str | None,
    as_json: bool,
) -> None:
    """Sweep techniques x datasets x protected attributes x seeds on Dask (Chen et al. 2023 protocol)."""
    from fairmend.scale.benchmark import Protocol, parse_seeds, run_benchmark

    if mlflow_log or mlflow_uri:
        from fairmend.tracking import require

        mlflow_uri = require(mlflow_uri)  # before the sweep: a missing MLflow fails at once
    summary = run_benchmark(
        split_columns(techniques),
        split_columns(datasets),
        parse_seeds(seeds),
        output,
        protected=split_columns(protected) or None,
        protocol=Protocol(
            base_model=base_model,
            test_size=test_size,
            n_boot=n_boot,
            use_protected_feature=use_protected_feature,
        ),
        scheduler=scheduler,
        workers=workers,
        retry_errors=retry_errors,
        progress=lambda text: click.echo(text, err=True),
    )
    if mlflow_uri:
        from fairmend.tracking import log_benchmark

        summary["mlflow"] = log_benchmark(summary, uri=mlflow_uri)
    if as_json:
        echo_json(summary)
        return
    click.echo(
        f"{summary['cells']} cells: {summary['skipped']} skipped, {summary['ok']} ok, {summary['error']} error "
        f"in {summary['seconds']} s -> {summary['results']}, {summary['report']}"
    )
    if "mlflow" in summary:
        click.echo(f"MLflow run {summary['mlflow']['run_id']} in {summary['mlflow']['tracking_uri']}")
