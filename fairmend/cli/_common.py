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
