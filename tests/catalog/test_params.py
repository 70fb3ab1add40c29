"""Parameters are declared once, on the class (issue 12, item 4): ``registry.yaml`` holds none, and
``techniques show``, ``--param`` validation and the docs read the class's ``__init__``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import pytest
import yaml
from click.testing import CliRunner
from fairmend.catalog.params import Param, parameters_of
from fairmend.catalog.registry import registry_path, technique_from_dict
from fairmend.plugins import get_catalog

from fairmend.cli import cli
from fairmend.errors import CatalogError, InvalidParameterError

ROOT = Path(__file__).resolve().parents[2]


class _Example:
    def __init__(
        self,
        estimator=None,
        *,
        constraint: Annotated[str, Param("Which parity", choices=("dp", "eo"))] = "dp",
        eps: Annotated[float, Param("Allowed violation", range=(0, 1))] = 0.01,
        rounds: Annotated[int, Param("Iterations", range=(1, 500))] = 50,
        warm: Annotated[bool, Param("Warm start")] = False,
        columns: Annotated[str | None, Param("Comma-separated columns")] = None,
    ) -> None:
        self.estimator, self.constraint, self.eps = estimator, constraint, eps
        self.rounds, self.warm, self.columns = rounds, warm, columns


def test_specs_come_from_the_signature_and_annotations():
    specs = {p.name: p for p in parameters_of(_Example)}
    assert list(specs) == ["constraint", "eps", "rounds", "warm", "columns"]  # estimator is a model slot
    assert (specs["constraint"].type, specs["constraint"].choices, specs["constraint"].default) == ("choice", ("dp", "eo"), "dp")
    assert (specs["eps"].type, specs["eps"].range, specs["eps"].help) == ("float", (0.0, 1.0), "Allowed violation")
    assert (specs["rounds"].type, specs["warm"].type, specs["columns"].type) == ("int", "bool", "str")
    assert specs["columns"].default is None
    assert specs["rounds"].coerce("7") == 7
    with pytest.raises(InvalidParameterError, match="outside"):
        specs["eps"].coerce("2")


def test_an_undeclared_argument_is_a_catalog_error_naming_it():
    class Bad:
        def __init__(self, alpha: float = 0.1) -> None:
            self.alpha = alpha

    with pytest.raises(CatalogError, match="'alpha' has no Param"):
        parameters_of(Bad)


def test_registry_yaml_holds_no_parameters():
    doc = yaml.safe_load(registry_path().read_text(encoding="utf-8"))
    entries = doc["techniques"] if isinstance(doc, dict) else doc
    assert entries and not [e["key"] for e in entries if "parameters" in e]


def test_a_registry_entry_with_parameters_is_refused():
    doc = yaml.safe_load(registry_path().read_text(encoding="utf-8"))
    entry = dict(doc["techniques"][0], parameters=[{"name": "alpha", "type": "float"}])
    with pytest.raises(CatalogError, match="declared once"):
        technique_from_dict(entry)


def test_show_and_param_validation_read_the_class():
    technique = get_catalog().get("exponentiated_gradient_reduction")
    cls = technique.load()
    assert technique.parameters == parameters_of(cls)
    shown = json.loads(CliRunner().invoke(cli, ["techniques", "show", technique.key, "--json"]).stdout)
    assert [p["name"] for p in shown["parameters"]] == [p.name for p in parameters_of(cls)]
    res = CliRunner().invoke(cli, ["run", technique.key, "--data", "german", "--protected", "sex", "--outcome",
                                   "credit", "--param", "no_such=1"])
    assert res.exit_code == 2 and "no parameter 'no_such'" in res.output


def test_listing_the_catalog_imports_no_implementation():
    """``techniques list`` stays instant: parameters are read only where they are shown."""
    code = ("import sys; from click.testing import CliRunner; from fairmend.cli import cli; "
            "r = CliRunner().invoke(cli, ['techniques', 'list', '--json']); assert r.exit_code == 0, r.output; "
            "print([m for m in sys.modules if m.startswith('fairmend.catalog.techniques.')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_tunable_is_declared_on_the_class_and_shown():
    """``Param(tunable=True)`` marks the trade-off knobs ``fairmend tune`` searches; show and docs expose it."""
    from fairmend.catalog.docs import render_markdown

    class Knobbed:
        def __init__(
            self,
            *,
            eps: Annotated[float, Param("Allowed violation", range=(0, 1), tunable=True)] = 0.01,
            max_iter: Annotated[int, Param("Iterations", range=(1, 500))] = 50,
        ) -> None:
            self.eps, self.max_iter = eps, max_iter

    assert [(p.name, p.tunable) for p in parameters_of(Knobbed)] == [("eps", True), ("max_iter", False)]

    class Unsearchable:
        def __init__(self, *, name: Annotated[str, Param("Free text", tunable=True)] = "a") -> None:
            self.name = name

    with pytest.raises(CatalogError, match="'name' is tunable but declares no range or choices"):
        parameters_of(Unsearchable)
    technique = get_catalog().get("reweighing_kamiran_calders")
    shown = json.loads(CliRunner().invoke(cli, ["techniques", "show", technique.key, "--json"]).stdout)
    assert [(p["name"], p["tunable"], p["range"]) for p in shown["parameters"]] == [("strength", True, [0.0, 1.0])]
    assert "| `strength` | float | 1 | 0 – 1 | yes |" in render_markdown(technique)
    eg = json.loads(CliRunner().invoke(cli, ["techniques", "show", "exponentiated_gradient_reduction", "--json"]).stdout)
    assert {p["name"] for p in eg["parameters"] if p["tunable"]} == {"eps", "difference_bound"}
