"""``fairmend apply RUN_DIR --data BIG --output OUT.parquet [--engine dask]``."""

from __future__ import annotations

import click

from fairmend.cli._common import echo_json, split_columns


@click.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--data", required=True, help="A CSV/Parquet file, a glob or a folder of partitions.")
@click.option(
    "--output", required=True, type=click.Path(dir_okay=False), help="Parquet file of decisions and scores."
)
@click.option(
    "--engine",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", "pandas", "dask"]),
    help="pandas: partitions (Parquet row groups, 1M-row CSV chunks) one after another; dask: in parallel "
    "on Dask; auto: dask from 256 MiB of files.",
)
@click.option(
    "--scheduler", metavar="ADDRESS", help="Dask scheduler address (tcp://host:8786); default local threads."
)
@click.option(
    "--keep", help="Columns copied to the output beside decision and score (default: protected and outcome)."
)
@click.option(
    "--trust", multiple=True, metavar="TYPE", help="Trust this type in the run's model files (repeatable)."
)
@click.option("--overwrite", is_flag=True, help="Replace --output if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def apply(
    run_dir: str,
    data: str,
    output: str,
    engine: str,
    scheduler: str | None,
    keep: str | None,
    trust: tuple[str, ...],
    overwrite: bool,
    as_json: bool,
) -> None:
    """Apply a fitted run (its pre-processor, model and post-processor) to a large table, partition by partition."""
    from fairmend.scale.apply import apply_run

    summary = apply_run(
        run_dir,
        data,
        output,
        engine=engine,
        scheduler=scheduler,
        keep=None if keep is None else split_columns(keep),
        trust=trust,
        overwrite=overwrite,
    )
    if as_json:
        echo_json(summary)
        return
    click.echo(
        f"{summary['rows']} rows in {summary['partitions']} partition(s) -> {summary['output']} "
        f"(selection rate {summary['selection_rate']:.4f}, engine {summary['engine']})"
    )
