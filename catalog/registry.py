"""Read technique entries (``registry.yaml`` or a plugin's own YAML) into :class:`Technique` objects."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from fairmend.catalog.types import (
    AccuracyCost,
    Citation,
    Contract,
    Criterion,
    RuntimeClass,
    Stage,
    TaskType,
    Technique,
)

from fairmend.errors import CatalogError

REQUIRED = (
    "key", "name", "stage", "summary", "description", "criteria", "needs_retraining",
    "needs_protected_attribute_at_inference", "model_agnostic", "supports_multiple_groups",
    "task_types", "runtime_class", "citation",
)


def registry_path() -> Path:
    """Location of the built-in ``registry.yaml`` shipped inside the package."""
    return Path(str(resources.files("fairmend.catalog").joinpath("registry.yaml")))


@lru_cache(maxsize=4)
def _load_yaml(path: str) -> list[dict[str, Any]]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as fh:
        doc = yaml.load(fh, Loader=loader)
    entries = doc.get("techniques") if isinstance(doc, dict) else doc
    if not isinstance(entries, list):
        raise CatalogError(f"{path}: expected a list of techniques under 'techniques:'")
    return entries


def load_registry(path: str | Path | None = None) -> list[Technique]:
    """Parse every entry of a registry file into techniques (validated)."""
    return [technique_from_dict(e) for e in _load_yaml(str(path or registry_path()))]


def _enum(enum_type: type, value: Any, key: str, fieldname: str) -> Any:
    try:
        return enum_type(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_type)
        raise CatalogError(f"technique {key!r}: {fieldname} {value!r} is not one of: {allowed}") from None


def citation_from_dict(raw: Mapping[str, Any], key: str = "?") -> Citation:
    authors = raw.get("authors")
    if isinstance(authors, str):
        authors = [a.strip() for a in authors.split(";") if a.strip()]
    if not authors or not raw.get("title") or not raw.get("year") or not raw.get("venue"):
        raise CatalogError(f"technique {key!r}: citation needs authors, year, title and venue")
    return Citation(
        authors=tuple(authors),
        year=int(raw["year"]),
        title=str(raw["title"]),
        venue=str(raw["venue"]),
        doi=raw.get("doi"),
        url=raw.get("url"),
    )


def technique_from_dict(raw: Mapping[str, Any], plugin: str = "") -> Technique:
    """Build a :class:`Technique` from a mapping; errors name the entry and the field."""
    key = raw.get("key", "?")
    missing = [f for f in REQUIRED if f not in raw]
    if missing:
        raise CatalogError(f"technique {key!r}: missing field(s) {', '.join(missing)}")
    if "parameters" in raw:
        raise CatalogError(f"technique {key!r}: parameters are declared once, on the implementation class's "
                           "__init__ as Annotated[type, Param(help, range=..., choices=...)], not in the registry")
    tid = raw.get("technique_id")
    if isinstance(tid, list):
        tid = tuple(int(t) for t in tid)
    cost = raw.get("expected_accuracy_cost")
    contract = raw.get("contract")
    return Technique(
        key=str(key),
        name=str(raw["name"]),
        stage=_enum(Stage, raw["stage"], key, "stage"),
        summary=str(raw["summary"]).strip(),
        description=str(raw["description"]).strip(),
        criteria=tuple(_enum(Criterion, c, key, "criterion") for c in raw["criteria"]),
        needs_retraining=bool(raw["needs_retraining"]),
        needs_protected_attribute_at_inference=bool(raw["needs_protected_attribute_at_inference"]),
        needs_protected_attribute_for_fit=bool(raw.get("needs_protected_attribute_for_fit", True)),
        model_agnostic=bool(raw["model_agnostic"]),
        supports_multiple_groups=bool(raw["supports_multiple_groups"]),
        task_types=tuple(_enum(TaskType, t, key, "task type") for t in raw["task_types"]),
        runtime_class=_enum(RuntimeClass, raw["runtime_class"], key, "runtime_class"),
        citation=citation_from_dict(raw["citation"], key),
        technique_id=tid,
        contract=_enum(Contract, contract, key, "contract") if contract else None,
        implementation=raw.get("implementation"),
        expected_accuracy_cost=(
            AccuracyCost(float(cost["low"]), float(cost["high"]), str(cost.get("source", ""))) if cost else None
        ),
        extras=tuple(raw.get("extras") or ()),
        reference_implementations=tuple(raw.get("reference_implementations") or ()),
        use_cases=tuple(raw.get("use_cases") or ()),
        also_cite=tuple(citation_from_dict(c, key) for c in raw.get("also_cite") or ()),
        notes=str(raw.get("notes", "")).strip(),
        plugin=plugin,
    )
