"""The runner on real data: report contract, statistics, gate and artifacts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import fairmend
from fairmend.errors import InvalidParameterError, NotExecutableError, OutputExistsError
from fairmend.runner import GatePolicy, run_technique

REQUIRED = ("demographic_parity_difference", "disparate_impact_ratio", "equal_opportunity_difference",
            "equalized_odds_difference", "accuracy", "balanced_accuracy")


@pytest.fixture(scope="module")
def reweighing(adult_sample):
    return run_technique("reweighing_kamiran_calders", adult_sample.frame, protected=["sex"], outcome="income",
                         n_boot=300, n_permutations=300)


def test_report_contract(reweighing):
    d = reweighing.to_dict()
    for key in ("technique", "stage", "dataset", "target_criterion", "before", "after", "change", "gate", "artifacts"):
        assert key in d
    for m in REQUIRED:
        c = d["change"][m]
        assert set(c) >= {"delta", "ci95", "p_value"}
        assert c["ci95"][0] <= c["delta"] <= c["ci95"][1]
        assert 0 < c["p_value"] <= 1
        assert np.isclose(c["delta"], c["after_signed"] - c["before_signed"])  # two groups: signed, fixed order
        assert np.isclose(abs(c["after_signed"]), d["after"][m]) or m in ("disparate_impact_ratio",)
    assert d["stage"] == "pre_processing" and d["target_criterion"] == "demographic_parity"
    assert isinstance(d["gate"]["passed"], bool) and len(d["gate"]["reasons"]) >= 2
    json.dumps(d)  # JSON-ready


def test_reweighing_reduces_demographic_parity_gap_on_adult(reweighing):
    c = reweighing.change["demographic_parity_difference"]
    assert c["after"] < c["before"] * 0.7, c
    assert c["p_value"] < 0.05  # a real improvement is detected by the paired permutation test
    assert reweighing.gate.fairness_improvement >= 0.10


def test_public_api_alias(adult_sample):
    assert fairmend.run is run_technique


def test_gate_fails_when_policy_is_strict(adult_sample):
    r = run_technique("reweighing_kamiran_calders", adult_sample.frame, protected="sex", outcome="income",
                      policy=GatePolicy(min_fairness_improvement=0.99, max_accuracy_loss=0.0), n_boot=100,
                      n_permutations=100)
    assert not r.gate.passed
    assert any("FAIL" in reason for reason in r.gate.reasons)


def test_post_processing_uses_validation_split(adult_sample):
    r = run_technique("threshold_optimizer_equalized_odds_hardt", adult_sample.frame, protected=["sex"],
                      outcome="income", n_boot=200, n_permutations=200)
    c = r.change[r.target_metric]
    assert c["after"] < c["before"], c
    assert r.dataset["n_validation"] > 0


def test_artifacts_and_overwrite(adult_sample, tmp_path):
    out = tmp_path / "run"
    r = run_technique("reweighing_kamiran_calders", adult_sample.frame, protected=["sex"], outcome="income",
                      output=out, n_boot=100, n_permutations=100)
    assert (out / "report.json").is_file() and (out / "transformed_train.csv").is_file()
    assert (out / "model.skops").is_file()
    assert json.loads((out / "report.json").read_text())["technique"] == "reweighing_kamiran_calders"
    with pytest.raises(OutputExistsError, match="--overwrite"):
        run_technique("reweighing_kamiran_calders", adult_sample.frame, protected=["sex"], outcome="income",
                      output=out, n_boot=100, n_permutations=100)
    run_technique("reweighing_kamiran_calders", adult_sample.frame, protected=["sex"], outcome="income",
                  output=out, overwrite=True, n_boot=100, n_permutations=100)
    from fairmend.modelio import load_model

    model = load_model(out / "model.skops")
    assert hasattr(model, "predict")
    assert r.artifacts["model"].endswith("model.skops")


def test_report_json_is_written_once_with_the_final_paths(adult_sample, tmp_path, monkeypatch):
    import fairmend.io
    from fairmend.runner import artifacts, core, tasks

    writes = []
    real = fairmend.io.write_json_atomic

    def counting(path, payload, *args, **kwargs):
        if Path(path).name == "report.json":
            writes.append(path)
        return real(path, payload, *args, **kwargs)

    for module in (core, artifacts, tasks):  # every runner module that writes JSON
        monkeypatch.setattr(module, "write_json_atomic", counting, raising=False)
    out = tmp_path / "run"
    run_technique("reweighing_kamiran_calders", adult_sample.frame, protected=["sex"], outcome="income",
                  output=out, n_boot=50, n_permutations=50)
    assert len(writes) == 1
    artifacts_written = json.loads((out / "report.json").read_text())["artifacts"]
    assert all(Path(v).parent == out for v in artifacts_written.values())  # the final folder, never staging


def test_user_input_is_not_modified(adult_sample):
    frame = adult_sample.frame.copy()
    before = frame.copy()
    run_technique("reweighing_kamiran_calders", frame, protected=["sex"], outcome="income", n_boot=50, n_permutations=50)
    assert frame.equals(before)


def test_unknown_parameter_is_refused(adult_sample):
    with pytest.raises(InvalidParameterError, match="no parameter"):
        run_technique("reweighing_kamiran_calders", adult_sample.frame, protected=["sex"], outcome="income",
                      params={"nonsense": "1"})


def test_non_executable_technique_is_refused(adult_sample):
    """A plugin may catalog a technique without an implementation (metadata only): `run` refuses it."""
    import dataclasses

    t = dataclasses.replace(fairmend.get_catalog().get("reweighing_kamiran_calders"), key="metadata_only",
                            implementation=None)

    class OneTechnique:
        def get(self, key):
            return t

    with pytest.raises(NotExecutableError, match="'metadata_only' is catalogued but has no implementation"):
        run_technique("metadata_only", adult_sample.frame, protected=["sex"], outcome="income",
                      catalog=OneTechnique())
