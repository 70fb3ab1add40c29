"""Pareto frontier of accuracy vs unfairness over runs (a table or report.json files)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from fairmend.catalog.techniques.evaluation.pareto import ParetoFrontierFairnessAccuracy, non_dominated
from fairmend.errors import DataError, DataFileError


def test_non_dominated_set_brute_force(rng):
    acc, unf = rng.uniform(size=60), rng.uniform(size=60)
    mask = non_dominated(acc, unf)
    for i in range(60):
        dominated = any(
            acc[j] >= acc[i] and unf[j] <= unf[i] and (acc[j] > acc[i] or unf[j] < unf[i]) for j in range(60)
        )
        assert mask[i] == (not dominated)


def test_frontier_from_table(tmp_path):
    runs = pd.DataFrame(
        {
            "name": ["base", "rew", "eg", "bad", "thr"],
            "accuracy": [0.85, 0.84, 0.80, 0.79, 0.83],
            "unfairness": [0.20, 0.10, 0.05, 0.06, 0.12],
        }
    )
    res = ParetoFrontierFairnessAccuracy(output_dir=str(tmp_path)).run(runs)
    assert res.summary["frontier"] == ["eg", "rew", "base"]
    assert res.summary["dominated"] == {"bad": "eg", "thr": "rew"}
    assert (tmp_path / "pareto.svg").exists() and (tmp_path / "pareto.csv").exists()


def test_frontier_from_reports(tmp_path):
    for name, acc, gap in (("reweighing", 0.84, 0.08), ("massaging", 0.82, 0.09), ("eg", 0.80, 0.02)):
        d = tmp_path / name
        d.mkdir()
        report = {
            "technique": name,
            "before": {"accuracy": 0.85, "demographic_parity_difference": 0.18},
            "after": {"accuracy": acc, "demographic_parity_difference": gap},
        }
        (d / "report.json").write_text(json.dumps(report))
    res = ParetoFrontierFairnessAccuracy(reports=str(tmp_path / "*" / "report.json")).run(None)
    assert res.summary["n_runs"] == 4  # one shared baseline + three runs
    assert "massaging" in res.summary["dominated"]
    assert set(res.summary["frontier"]) == {"eg", "reweighing", res.summary["best_accuracy"]}


def test_bad_input():
    with pytest.raises(DataError):
        ParetoFrontierFairnessAccuracy().run(
            pd.DataFrame({"name": ["a"], "accuracy": [0.8], "unfairness": [0.1]})
        )
    with pytest.raises(DataFileError):
        ParetoFrontierFairnessAccuracy(reports="/nonexistent/*.json").run(None)
    with pytest.raises(DataError):
        ParetoFrontierFairnessAccuracy().run(
            pd.DataFrame({"name": ["a", "b"], "accuracy": [0.8, np.nan], "unfairness": [0.1, 0.2]})
        )
