"""Built-in technique plugins, one module per stage, each reading its entries from ``registry.yaml``."""

from __future__ import annotations

from collections.abc import Callable

from fairmend.catalog.registry import load_registry
from fairmend.catalog.types import Stage, Technique


def register_stage(stage: Stage, register: Callable[[Technique], None]) -> None:
    """Register every built-in registry entry of ``stage``."""
    for technique in load_registry():
        if technique.stage == stage:
            register(technique)
