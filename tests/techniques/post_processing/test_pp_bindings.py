"""The post-processing bindings name importable classes whose __init__ keywords are the parameters,
and each class offers the methods of its contract."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest
import yaml
from fairmend.catalog.types import Parameter

BINDINGS = Path(__file__).resolve().parents[3] / ".bindings" / "post_processing.yaml"


def _entries() -> list[dict]:
    if not BINDINGS.exists():  # merged into the registry and removed by the lead
        return []
    return yaml.safe_load(BINDINGS.read_text())


@pytest.mark.parametrize("entry", _entries(), ids=lambda e: e["key"])
def test_binding_matches_signature(entry):
    module, _, name = entry["implementation"].partition(":")
    cls = getattr(importlib.import_module(module), name)
    params = {k: v for k, v in inspect.signature(cls.__init__).parameters.items() if k != "self"}
    assert [p["name"] for p in entry["parameters"]] == list(params)
    for p in entry["parameters"]:
        assert params[p["name"]].kind is inspect.Parameter.KEYWORD_ONLY
        assert params[p["name"]].default == p["default"]
        spec = Parameter(
            name=p["name"],
            type=p["type"],
            default=p["default"],
            range=tuple(p["range"]) if p.get("range") else None,
            choices=tuple(p["choices"]) if p.get("choices") else None,
        )
        if p["default"] is not None:
            assert spec.coerce(p["default"]) == p["default"]  # the default passes its own range/choices
    if entry["contract"] == "postprocessor":
        fit = inspect.signature(cls.fit).parameters
        assert list(fit)[1:3] == ["y_score", "y_true"]
        assert fit["sensitive_features"].kind is inspect.Parameter.KEYWORD_ONLY and "X" in fit
        pred = inspect.signature(cls.predict).parameters
        assert "sensitive_features" in pred and "X" in pred
    else:
        assert entry["contract"] == "ranker"
        rerank = inspect.signature(cls.rerank).parameters
        assert (
            list(rerank)[1:3] == ["scores", "groups"] and rerank["k"].kind is inspect.Parameter.KEYWORD_ONLY
        )
    cls()  # constructible with the defaults
