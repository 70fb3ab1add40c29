"""fairmend: choose, apply and validate fairness interventions.

Public API (imported lazily so ``import fairmend`` stays cheap)::

    fairmend.run(key, data, protected=[...], outcome=...)   # -> RunResult
    fairmend.estimator(key, estimator=..., **params)         # -> scikit-learn classifier
    fairmend.get_catalog()                                  # -> Catalog
    fairmend.load_adult(), fairmend.load_german()           # bundled real data
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "run": ("fairmend.runner", "run_technique"),
    "estimator": ("fairmend.estimators", "estimator"),
    "RunResult": ("fairmend.runner", "RunResult"),
    "GatePolicy": ("fairmend.runner", "GatePolicy"),
    "get_catalog": ("fairmend.plugins", "get_catalog"),
    "load_adult": ("fairmend.datasets", "load_adult"),
    "load_german": ("fairmend.datasets", "load_german"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'fairmend' has no attribute {name!r}")
