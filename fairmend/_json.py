"""JSON encoding shared by the CLI and artifact writers (no heavy imports: listing uses it)."""

from __future__ import annotations

import json
import math
from typing import Any


def json_default(value: Any) -> Any:
    """numpy scalars/arrays and pandas objects become plain values."""
    if hasattr(value, "tolist") and getattr(value, "ndim", 0) > 0:
        return finite(value.tolist())
    if hasattr(value, "item"):
        return finite(value.item())
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return str(value)


def finite(obj: Any) -> Any:
    """Replace non-finite floats (NaN, inf) by ``None`` so the JSON stays standard."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite(v) for v in obj]
    return obj


def dumps(obj: Any, *, indent: int | None = 2) -> str:
    return json.dumps(finite(obj), indent=indent, default=json_default, allow_nan=False)
