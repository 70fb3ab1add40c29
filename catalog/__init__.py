"""Technique catalog: typed metadata, the hook specification and the registry loader."""

from fairmend.catalog.catalog import Catalog
from fairmend.catalog.hookspecs import hookimpl, hookspec
from fairmend.catalog.params import Param
from fairmend.catalog.types import (
    AccuracyCost,
    Citation,
    Contract,
    Criterion,
    Parameter,
    RuntimeClass,
    Stage,
    TaskType,
    Technique,
)

__all__ = [
    "AccuracyCost",
    "Catalog",
    "Citation",
    "Contract",
    "Criterion",
    "Param",
    "Parameter",
    "RuntimeClass",
    "Stage",
    "TaskType",
    "Technique",
    "hookimpl",
    "hookspec",
]
