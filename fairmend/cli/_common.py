"""Small helpers shared by CLI commands."""

from __future__ import annotations

import json
from typing import Any

import click


def echo_json(obj: Any) -> None:
    """Print ``obj`` as indented JSON (numpy scalars and paths become plain values)."""
    click.echo(json.dumps(obj, indent=2, default=_default, allow_nan=False))


def _default(value: Any) -> Any:
    import math

    if hasattr(value, "item"):
        value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def split_columns(raw: str | None) -> list[str]:
    """``"sex,race"`` -> ``["sex", "race"]``."""
    return [c.strip() for c in (raw or "").split(",") if c.strip()]
