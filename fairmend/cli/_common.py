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
