"""Small helpers shared by CLI commands."""

from __future__ import annotations

from typing import Any

import click


def echo_json(obj: Any) -> None:
    """Print ``obj`` as indented JSON (numpy values become plain values, NaN becomes null)."""
    from fairmend._json import dumps

    click.echo(dumps(obj))


def split_columns(raw: str | None) -> list[str]:
    """``"sex,race"`` -> ``["sex", "race"]``."""
    return [c.strip() for c in (raw or "").split(",") if c.strip()]


def user_model_options(command: Any) -> Any:
    """``--scores``, ``--predictions``, ``--threshold``, ``--model`` and ``--trust``: the user's own model as the
    baseline (parameters ``scores``, ``predictions``, ``threshold``, ``model``, ``trust``)."""
    import click

    for option in reversed((
        click.option("--scores", help="Column of your model's probabilities of the favourable outcome "
                                      "(your model is the baseline)."),
        click.option("--predictions", help="Column of your model's decisions (your model is the baseline)."),
        click.option("--threshold", default=0.5, show_default=True, type=float, help="Turns --scores into decisions."),
        click.option("--model", type=click.Path(dir_okay=False, exists=True),
                     help="Your fitted model (.skops) as the baseline."),
        click.option("--trust", multiple=True, metavar="TYPE",
                     help="Trust this type in the --model file beyond fairmend's allow-list (repeatable)."),
    )):
        command = option(command)
    return command


def data_options(command: Any) -> Any:
    """``--data``, ``--protected``, ``--outcome`` and ``--favourable-label``: the four options every command
    that works on the user's table shares (parameters ``data``, ``protected``, ``outcome``,
    ``favourable_label``)."""
    import click

    for option in reversed((
        click.option("--data", required=True, help="CSV or Parquet file, or a bundled dataset name (adult, german)."),
        click.option("--protected", required=True, help="Protected attribute column(s), comma-separated."),
        click.option("--outcome", required=True, help="Binary outcome (label) column."),
        click.option("--favourable-label",
                     help="Outcome value that counts as favourable (default: 1, True or the larger value)."),
    )):
        command = option(command)
    return command
