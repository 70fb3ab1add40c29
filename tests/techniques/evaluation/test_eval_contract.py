"""Every evaluation analysis accepts the runner's call `run(frame, protected=, outcome=)` and returns JSON."""

from __future__ import annotations

import json

import pytest

from fairmend._json import dumps
from fairmend.catalog.contracts import AnalysisResult
from fairmend.catalog.techniques.evaluation.calibration import ECEGroupCalibrationAudit
from fairmend.catalog.techniques.evaluation.conditional import ConditionalDemographicDisparity
from fairmend.catalog.techniques.evaluation.differential import DifferentialFairness
from fairmend.catalog.techniques.evaluation.individual import ConsistencyIndividualFairness, InequalityIndices
from fairmend.catalog.techniques.evaluation.intersectional import IntersectionalFairnessEvaluation
from fairmend.catalog.techniques.evaluation.parity import (
    DemographicParityFourFifths,
    ErrorRateParityMetrics,
    PredictiveParityMetrics,
)
from fairmend.catalog.techniques.evaluation.pareto import ParetoFrontierFairnessAccuracy
from fairmend.catalog.techniques.evaluation.proxy import ProxyVariableDetection
from fairmend.catalog.techniques.evaluation.representation import DatasetRepresentationAudit
from fairmend.catalog.techniques.evaluation.stats_tests import (
    BootstrapConfidenceIntervals,
    MultipleComparisonCorrection,
    PermutationTestFairness,
)
from fairmend.catalog.techniques.evaluation.subgroup import IntersectionalBiasAuditSubgroupScan
from fairmend.errors import ColumnNotFoundError

ANALYSES = [
    ProxyVariableDetection,
    DatasetRepresentationAudit,
    DifferentialFairness,
    ConditionalDemographicDisparity,
    DemographicParityFourFifths,
    ErrorRateParityMetrics,
    PredictiveParityMetrics,
    IntersectionalFairnessEvaluation,
    IntersectionalBiasAuditSubgroupScan,
    ECEGroupCalibrationAudit,
    InequalityIndices,
    ConsistencyIndividualFairness,
    BootstrapConfidenceIntervals,
    PermutationTestFairness,
    MultipleComparisonCorrection,
]


@pytest.mark.parametrize("cls", ANALYSES, ids=lambda c: c.__name__)
def test_runs_with_defaults_on_german_and_is_json_ready(cls, german):
    frame = german.frame.copy()
    before = frame.copy()
    result = cls().run(frame, protected=list(german.protected), outcome=german.label)
    assert isinstance(result, AnalysisResult)
    assert result.summary
    text = dumps(result.to_dict())
    assert json.loads(text)["technique"] == result.technique
    assert frame.equals(before)  # the user's frame is never modified


@pytest.mark.parametrize("cls", ANALYSES, ids=lambda c: c.__name__)
def test_init_only_stores_parameters(cls):
    obj = cls()
    assert not any(k.endswith("_") for k in vars(obj))
    assert set(vars(obj)) == set(
        cls.__init__.__code__.co_varnames[1 : cls.__init__.__code__.co_kwonlyargcount + 1]
    )


def test_pareto_on_a_plain_dataset_names_the_missing_column(german):
    with pytest.raises(ColumnNotFoundError, match="name"):
        ParetoFrontierFairnessAccuracy().run(german.frame, protected=["sex"], outcome="credit")
