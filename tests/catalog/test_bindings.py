"""Every executable technique's binding is honest: the implementation imports, its ``__init__``
keywords are exactly the declared parameters (same order, same defaults), each default passes its
own range or choices, and the class offers the methods of its declared contract."""

from __future__ import annotations

import inspect

import pytest

from fairmend.catalog.types import Contract
from fairmend.plugins import get_catalog, reset

reset()
EXECUTABLE = [t for t in get_catalog() if t.executable]

METHODS = {
    Contract.PREPROCESSOR: ("fit", "fit_resample", "transform"),
    Contract.ESTIMATOR: ("fit", "predict"),
    Contract.POSTPROCESSOR: ("fit", "predict"),
    Contract.RANKER: ("rerank",),
    Contract.CLUSTERER: ("fit", "predict"),
    Contract.ANALYSIS: ("run",),
}


def test_the_built_in_catalog_is_fully_executable():
    missing = [t.key for t in get_catalog() if t.plugin.startswith("fairmend.plugins.builtin") and not t.executable]
    assert missing == [], f"catalogued without an implementation: {missing}"


@pytest.mark.parametrize("technique", EXECUTABLE, ids=lambda t: t.key)
def test_binding_matches_the_implementation(technique):
    assert technique.contract is not None, f"{technique.key} declares no contract"
    cls = technique.load()
    sig = {
        name: p
        for name, p in inspect.signature(cls.__init__).parameters.items()
        # ``estimator`` is the model slot of a model-agnostic technique (fairmend.estimator fills it), not a
        # tunable parameter of the registry.
        if name not in ("self", "estimator") and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    }
    assert [p.name for p in technique.parameters] == list(sig), technique.key
    for spec in technique.parameters:
        assert sig[spec.name].default == spec.default, (technique.key, spec.name)
        if spec.default is not None:
            assert spec.coerce(spec.default) == spec.default, (technique.key, spec.name)
        assert spec.help, (technique.key, spec.name)
    for method in METHODS[technique.contract]:
        assert callable(getattr(cls, method, None)), f"{technique.key}: {technique.contract} needs {method}()"
    if technique.contract in (Contract.ESTIMATOR, Contract.PREPROCESSOR, Contract.POSTPROCESSOR, Contract.CLUSTERER):
        fit = inspect.signature(cls.fit).parameters
        assert fit["sensitive_features"].kind is inspect.Parameter.KEYWORD_ONLY, technique.key
    if technique.contract is Contract.POSTPROCESSOR:
        assert list(inspect.signature(cls.fit).parameters)[1:3] == ["y_score", "y_true"], technique.key
        assert "X" in inspect.signature(cls.predict).parameters, technique.key
    cls()  # constructible with its defaults
