"""Every executable technique class is a scikit-learn estimator: ``__init__`` only stores its keyword
arguments, ``get_params`` returns exactly the declared parameters, ``clone`` round-trips them and
``set_params`` reaches every one of them."""

from __future__ import annotations

import math

import pytest
from fairmend.catalog.types import Contract, Parameter
from fairmend.plugins import get_catalog
from sklearn.base import BaseEstimator, ClusterMixin, clone, is_classifier, is_regressor
from sklearn.utils.estimator_checks import (
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
)

STAGES = (Contract.PREPROCESSOR, Contract.ESTIMATOR, Contract.POSTPROCESSOR, Contract.CLUSTERER, Contract.RANKER)
TECHNIQUES = [t for t in get_catalog()
              if t.executable and t.contract in STAGES and t.plugin.startswith("fairmend.plugins.builtin")]
MODEL_SLOT = ("estimator",)  # the base learner of a model-agnostic technique, not a registry parameter


def _other_value(spec: Parameter) -> object:
    """A valid value of ``spec`` that differs from its default, so ``set_params`` is seen to take effect."""
    if spec.choices:
        return next((c for c in spec.choices if c != spec.default), spec.default)
    if spec.type == "bool":
        return not spec.default
    if spec.type in ("int", "float"):
        lo, hi = spec.range if spec.range else (-math.inf, math.inf)
        base = spec.default if spec.default is not None else (lo if math.isfinite(lo) else 1)
        for candidate in (base + 1, base - 1, (lo + hi) / 2 if math.isfinite(lo + hi) else base * 2, lo, hi):
            candidate = int(candidate) if spec.type == "int" and math.isfinite(candidate) else candidate
            if math.isfinite(candidate) and lo <= candidate <= hi and candidate != spec.default:
                return candidate
        return spec.default
    return f"{spec.default}-changed"


def test_every_stage_is_covered():
    contracts = {t.contract for t in TECHNIQUES}
    assert contracts == set(STAGES)
    assert len(TECHNIQUES) >= 60


@pytest.mark.parametrize("technique", TECHNIQUES, ids=lambda t: t.key)
def test_technique_class_is_a_scikit_learn_estimator(technique):
    cls = technique.load()
    assert issubclass(cls, BaseEstimator), technique.key
    tasks = {t.value for t in technique.task_types}
    if technique.contract is Contract.CLUSTERER:
        assert issubclass(cls, ClusterMixin), technique.key
    elif technique.contract is Contract.ESTIMATOR and "binary_classification" in tasks:
        assert is_classifier(cls()), technique.key
    elif technique.contract is Contract.ESTIMATOR and tasks == {"regression"}:
        assert is_regressor(cls()), technique.key
    check_parameters_default_constructible(cls.__name__, cls())
    check_no_attributes_set_in_init(cls.__name__, cls())

    est = cls()
    params = est.get_params(deep=False)
    declared = [p.name for p in technique.parameters]
    assert sorted(set(params) - set(MODEL_SLOT)) == sorted(declared), technique.key
    assert {name: params[name] for name in declared} == {p.name: p.default for p in technique.parameters}
    twin = clone(est)
    assert twin is not est and type(twin) is cls
    assert twin.get_params(deep=False) == params


@pytest.mark.parametrize("technique", TECHNIQUES, ids=lambda t: t.key)
def test_set_params_reaches_every_declared_parameter(technique):
    cls = technique.load()
    for spec in technique.parameters:
        value = _other_value(spec)
        est = cls()
        assert est.set_params(**{spec.name: value}) is est
        assert est.get_params(deep=False)[spec.name] == value, (technique.key, spec.name)
        assert getattr(clone(est), spec.name) == value, (technique.key, spec.name)
        # the others keep their defaults
        rest = {k: v for k, v in est.get_params(deep=False).items() if k not in (spec.name, *MODEL_SLOT)}
        assert rest == {p.name: p.default for p in technique.parameters if p.name != spec.name}
    with pytest.raises(ValueError, match="Invalid parameter"):
        cls().set_params(no_such_parameter=1)
