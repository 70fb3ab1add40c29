"""``fairmend apply``: a saved run re-applied partition by partition reproduces the run's own predictions."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from fairmend.cli import cli


@pytest.fixture(scope="module")
def german_run(german, tmp_path_factory):
    base = tmp_path_factory.mktemp("apply")
    res = CliRunner().invoke(
        cli,
        [
            "run",
            "disparate_impact_remover",
            "--data",
            "german",
            "--protected",
            "sex",
            "--outcome",
            "credit",
            "--favourable-label",
            "1",
            "--n-boot",
            "50",
            "--output",
            str(base / "run"),
        ],
    )
    assert res.exit_code == 0, res.output
    parts = base / "parts"
    parts.mkdir()
    frame = german.frame
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), 3)):
        frame.iloc[rows].to_parquet(parts / f"p{i}.parquet", index=False, row_group_size=128)
    return base / "run", parts


def _apply(*args):
    return CliRunner().invoke(cli, ["apply", *map(str, args)])


def test_run_folder_holds_the_recipe_and_the_fitted_preprocessor(german_run):
    run, _ = german_run
    recipe = json.loads((run / "apply.json").read_text())
    assert recipe["objects"] == {"preprocessor": "preprocessor.skops", "model": "model.skops"}
    assert (
        recipe["protected"] == ["sex"] and "credit" not in recipe["features"] and not recipe["not_persisted"]
    )


@pytest.mark.parametrize("engine", ["pandas", "dask"])
def test_apply_reproduces_the_runs_test_predictions(german_run, tmp_path, engine):
    if engine == "dask":
        pytest.importorskip("dask")
    run, parts = german_run
    out = tmp_path / "decisions.parquet"
    res = _apply(run, "--data", parts, "--output", out, "--engine", engine, "--json")
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["rows"] == 1000 and summary["engine"] == engine
    assert summary["partitions"] == (
        3 if engine == "dask" else 9
    )  # dask: a file each; pandas: 3 row groups each
    applied = pd.read_parquet(out)
    assert list(applied.columns) == ["sex", "credit", "decision", "score"]
    saved = pd.read_parquet(run / "predictions.parquet")
    rows = saved["row"].to_numpy()
    np.testing.assert_array_equal(applied["decision"].to_numpy()[rows], saved["after"].to_numpy())
    np.testing.assert_allclose(
        applied["score"].to_numpy()[rows], saved["score_after"].to_numpy(), rtol=0, atol=1e-12
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_apply_failure_leaves_no_output(german_run, tmp_path):
    run, parts = german_run
    broken = tmp_path / "broken"
    broken.mkdir()
    pd.read_parquet(parts / "p0.parquet").drop(columns=["duration"]).to_parquet(
        broken / "p.parquet", index=False
    )
    out = tmp_path / "out.parquet"
    res = _apply(run, "--data", broken, "--output", out)
    assert res.exit_code == 2 and "'duration'" in res.stderr
    assert list(tmp_path.iterdir()) == [broken]


def test_apply_needs_a_run_folder(tmp_path, german_run):
    _, parts = german_run
    res = _apply(tmp_path, "--data", parts, "--output", tmp_path / "o.parquet")
    assert res.exit_code == 2 and "holds no apply.json" in res.stderr
    res = _apply(tmp_path, "--data", parts, "--output", tmp_path / "o.csv")
    assert res.exit_code == 2 and "must name a .parquet file" in res.stderr
