"""``fairmend mlflow promote NAME --alias ALIAS``: move a registry alias only to a model whose fairness gate passed."""

from __future__ import annotations

import click

from fairmend.cli._common import echo_json


@click.group()
def mlflow() -> None:
    """MLflow helpers for models logged with ``fairmend run --mlflow``."""


@mlflow.command()
@click.argument("name")
@click.option("--alias", required=True, help="Registry alias to point at the version (e.g. champion).")
@click.option("--version", "version", help="Model version (default: the latest).")
@click.option("--mlflow-uri", help="Tracking and registry URI (default: MLFLOW_TRACKING_URI, else ./mlruns).")
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON.")
@click.pass_context
def promote(ctx: click.Context, name: str, alias: str, version: str | None, mlflow_uri: str | None,
            as_json: bool) -> None:
    """Set ALIAS of registered model NAME to a version whose latest fairness gate passed; refuse (exit 1) otherwise."""
    from fairmend.tracking import promote as run_promote

    result = run_promote(name, alias, version=version, uri=mlflow_uri)
    if as_json:
        echo_json(result)
    elif result["promoted"]:
        click.echo(f"{name} version {result['version']} is now {alias!r} (fairness gate passed, {result['gate_source']})")
    else:
        click.echo(f"refused: {name} version {result['version']} not promoted to {alias!r}:", err=True)
        for reason in result["reasons"]:
            click.echo(f"  - {reason}", err=True)
    if not result["promoted"]:
        ctx.exit(1)
