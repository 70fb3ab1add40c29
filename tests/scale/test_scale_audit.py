"""``fairmend audit --engine dask``: the same audit as in memory, from grouped counts per partition."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from fairmend.cli import cli
from fairmend.metrics import confusion_counts, encode_groups
from fairmend.stats._audit import HEADLINE
from fairmend.stats._bootstrap import gap_tests, stratified_bootstrap_ci
from fairmend.stats._counted import table_bootstrap_ci, table_gap_tests, table_permutation_tests
from fairmend.stats._permutation import group_permutation_tests

pytest.importorskip("dask")
pytest.importorskip("distributed")


def _adult_with_predictions(adult_sample):
    frame = adult_sample.frame.copy()
    noise = np.random.default_rng(0).normal(0, 0.05, len(frame))
    frame["score"] = np.clip((frame["education_num"] - 4) / 12 + noise, 0, 1)
    frame["pred"] = ((frame["education_num"] >= 11) | (frame["capital_gain"] > 5000)).astype(int)
    return frame


@pytest.fixture(scope="module")
def adult_parts(adult_sample, tmp_path_factory):
    frame = _adult_with_predictions(adult_sample)
    folder = tmp_path_factory.mktemp("adult_parts")
    for i, part in enumerate(np.array_split(np.arange(len(frame)), 4)):
        frame.iloc[part].to_parquet(folder / f"part-{i}.parquet", index=False)
    return folder, frame


def _audit(*args):
    return CliRunner().invoke(cli, ["audit", *map(str, args)])


@pytest.mark.parametrize("columns", [["sex"], ["race"]])
@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_table_statistics_equal_row_statistics(adult_sample, columns, method):
    """Intervals and p-values from the (G, 2, 2) table are the row-level routines' draws, exactly."""
    frame = _adult_with_predictions(adult_sample)
    y, pred = frame["income"].to_numpy(), frame["pred"].to_numpy()
    A = frame[columns[0]]
    groups = encode_groups(A, len(y))
    counts = confusion_counts(groups.codes, y, pred, groups.n_groups)
    metrics = list(HEADLINE)
    if groups.n_groups == 2:
        assert table_gap_tests(
            counts, groups.labels, metrics, n_boot=300, seed=5, method=method
        ) == gap_tests(y, pred, A, metrics, n_boot=300, seed=5, method=method)
    assert table_bootstrap_ci(
        counts, groups.labels, metrics, n_boot=300, seed=5, method=method
    ) == stratified_bootstrap_ci(y, pred, A, metrics, n_boot=300, seed=5, method=method)
    assert table_permutation_tests(counts, metrics, n_permutations=300, seed=5) == group_permutation_tests(
        y, pred, A, metrics, n_permutations=300, seed=5
    )


def _both_engines(data, *extra):
    """The audit JSON of each engine (its ``data.engine`` checked and removed)."""
    docs = {}
    for engine in ("pandas", "dask"):
        res = _audit(
            "--engine",
            engine,
            "--data",
            data,
            "--protected",
            "sex,race",
            "--outcome",
            "income",
            "--predictions",
            "pred",
            *extra,
            "--json",
        )
        assert res.exit_code == 0, res.output
        docs[engine] = json.loads(res.stdout)
        assert docs[engine]["data"].pop("engine") == engine
    return docs["pandas"], docs["dask"]


def test_dask_audit_equals_pandas_audit(adult_parts):
    folder, _ = adult_parts
    pandas_doc, dask_doc = _both_engines(f"{folder}/*.parquet", "--n-boot", 200, "--n-permutations", 200)
    assert dask_doc == pandas_doc  # metrics, groups, intervals, p-values: every number
    assert dask_doc["n_rows"] == 8000 and len(dask_doc["intersectional"]["groups"]) >= 8


def _compare(a, b, path, loose):
    """Walk two audit documents; numbers equal to 1e-12 except where ``loose`` gives a tolerance."""
    if isinstance(a, dict):
        assert set(a) == set(b), path
        for key in a:
            _compare(a[key], b[key], f"{path}/{key}", loose)
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for x, y in zip(a, b):
            _compare(x, y, path, loose)
    elif isinstance(a, float):
        tol = next((t for name, t in loose.items() if path.endswith(name)), 1e-12)
        assert a == pytest.approx(b, abs=tol, nan_ok=True), path
    else:
        assert a == b, path


def test_dask_audit_with_scores_from_histograms(adult_parts):
    """Brier, equal-width ECE and its reliability diagram exact; AUC and equal-mass ECE from 1/1000 bins."""
    folder, _ = adult_parts
    pandas_doc, dask_doc = _both_engines(
        folder, "--scores", "score", "--n-boot", 100, "--n-permutations", 100
    )
    docs = {"pandas": pandas_doc, "dask": dask_doc}
    quantile = [docs[e].pop("reliability").pop("quantile") for e in ("pandas", "dask")]
    _compare(docs["pandas"], docs["dask"], "", {"auc": 2e-3, "ece_equal_mass": 3e-2})
    for rows in quantile:  # equal-mass bins from interpolated edges: same groups, same rows per group
        assert {r["group"] for r in rows} == {r["group"] for r in quantile[0]}
    n_of = [pd.DataFrame(rows).groupby("group")["n"].sum() for rows in quantile]
    pd.testing.assert_series_equal(n_of[0], n_of[1])


def test_dask_audit_of_a_folder_of_csv_matches_parquet(adult_parts, tmp_path):
    folder, frame = adult_parts
    for i, part in enumerate(np.array_split(np.arange(len(frame)), 3)):
        frame.iloc[part].to_csv(tmp_path / f"p{i}.csv", index=False)
    args = (
        "--protected",
        "sex",
        "--outcome",
        "income",
        "--predictions",
        "pred",
        "--n-boot",
        100,
        "--n-permutations",
        0,
        "--json",
        "--engine",
        "dask",
    )
    csv = json.loads(_audit("--data", tmp_path, *args).stdout)
    pq = json.loads(_audit("--data", folder, *args).stdout)
    assert csv["per_attribute"] == pq["per_attribute"]


def test_dask_audit_errors_are_one_line(adult_parts, monkeypatch):
    folder, _ = adult_parts
    base = ["--engine", "dask", "--data", folder, "--outcome", "income", "--predictions", "pred"]
    res = _audit(*base, "--protected", "sexx")
    assert res.exit_code == 2 and "'sexx' not found" in res.stderr and "did you mean 'sex'" in res.stderr
    res = _audit(
        *base, "--protected", "sex,race", "--min-group-size", 1000, "--n-boot", 10, "--n-permutations", 10
    )
    assert res.exit_code == 0 and "protected attribute 'race': 4 group(s) under 1000 rows" in res.stderr
    assert "intersection of 'sex' x 'race'" in res.stderr
    res = _audit(*base, "--protected", "sex", "--scores", "education_num")
    assert (
        res.exit_code == 2
        and "--scores column 'education_num' must hold probabilities in [0, 1]" in res.stderr
    )
    res = _audit(
        "--engine",
        "dask",
        "--data",
        folder / "nothing-*.parquet",
        "--protected",
        "sex",
        "--outcome",
        "income",
        "--predictions",
        "pred",
    )
    assert res.exit_code == 2 and "holds no Parquet or CSV partition" in res.stderr
    from fairmend.scale import _sources

    monkeypatch.setattr(_sources, "dask_available", lambda: False)
    res = _audit(*base, "--protected", "sex", "--json")
    assert res.exit_code == 2 and "pip install 'fairmend[scale]'" in res.stderr
    assert json.loads(res.stdout)["error"]["type"] == "MissingDependencyError"


def test_auto_engine_picks_pandas_for_small_files_and_dask_above_the_threshold(adult_parts, monkeypatch):
    from fairmend.scale import _sources

    folder, _ = adult_parts
    assert _sources.choose_engine("auto", f"{folder}/*.parquet") == "pandas"
    assert _sources.choose_engine("auto", "german") == "pandas"
    monkeypatch.setattr(_sources, "AUTO_DASK_BYTES", 1)
    assert _sources.choose_engine("auto", f"{folder}/*.parquet") == "dask"


def test_techniques_list_does_not_import_dask():
    code = (
        "import sys; from click.testing import CliRunner; from fairmend.cli import cli; "
        "r = CliRunner().invoke(cli, ['techniques', 'list']); assert r.exit_code == 0, r.output; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed', 'pyarrow')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _write_synthetic(folder, n_parts: int, rows: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    for i in range(n_parts):
        g = rng.integers(0, 3, rows)
        h = rng.integers(0, 2, rows)
        y = (rng.random(rows) < 0.3 + 0.1 * g).astype(np.int8)
        p = (rng.random(rows) < 0.2 + 0.15 * g + 0.3 * y).astype(np.int8)
        pd.DataFrame({"g": np.array(["a", "b", "c"])[g], "h": h, "y": y, "p": p}).to_parquet(
            folder / f"part-{i:03d}.parquet", index=False
        )


@pytest.mark.slow
def test_one_million_rows_dask_equals_pandas_equals_numpy(tmp_path):
    _write_synthetic(tmp_path, 8, 125_000)
    args = [
        "--data",
        f"{tmp_path}/*.parquet",
        "--protected",
        "g,h",
        "--outcome",
        "y",
        "--predictions",
        "p",
        "--n-boot",
        200,
        "--n-permutations",
        200,
        "--json",
    ]
    dask_doc = json.loads(_audit(*args, "--engine", "dask").stdout)
    pandas_doc = json.loads(_audit(*args, "--engine", "pandas").stdout)
    for doc in (dask_doc, pandas_doc):
        doc["data"].pop("engine")
    assert dask_doc == pandas_doc
    frame = pd.concat([pd.read_parquet(f) for f in sorted(tmp_path.glob("*.parquet"))], ignore_index=True)
    assert dask_doc["n_rows"] == len(frame) == 1_000_000
    # direct numpy: selection rate, TPR and FPR per value of g, and the gaps
    g = frame["g"].map({"a": 0, "b": 1, "c": 2}).to_numpy()
    y, p = frame["y"].to_numpy(), frame["p"].to_numpy()
    sel = np.bincount(g, weights=p) / np.bincount(g)
    tpr = np.bincount(g, weights=p * y) / np.bincount(g, weights=y)
    fpr = np.bincount(g, weights=p * (1 - y)) / np.bincount(g, weights=1 - y)
    scope = dask_doc["per_attribute"]["g"]
    assert scope["metrics"]["demographic_parity_difference"] == pytest.approx(
        sel.max() - sel.min(), abs=1e-12
    )
    assert scope["metrics"]["disparate_impact_ratio"] == pytest.approx(sel.min() / sel.max(), abs=1e-12)
    assert scope["metrics"]["equal_opportunity_difference"] == pytest.approx(tpr.max() - tpr.min(), abs=1e-12)
    assert scope["metrics"]["equalized_odds_difference"] == pytest.approx(
        max(tpr.max() - tpr.min(), fpr.max() - fpr.min()), abs=1e-12
    )
    assert [r["n"] for r in scope["groups"]] == np.bincount(g).tolist()
    assert dask_doc["overall"]["accuracy"] == pytest.approx(float((y == p).mean()), abs=1e-12)


@pytest.mark.slow
def test_two_worker_local_cluster(tmp_path):
    """A real two-process LocalCluster: the audit through --scheduler equals the local-threads audit."""
    from distributed import LocalCluster

    _write_synthetic(tmp_path, 6, 20_000, seed=3)
    args = [
        "--engine",
        "dask",
        "--data",
        tmp_path,
        "--protected",
        "g",
        "--outcome",
        "y",
        "--predictions",
        "p",
        "--n-boot",
        100,
        "--n-permutations",
        100,
        "--json",
    ]
    local = json.loads(_audit(*args).stdout)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        res = _audit(*args, "--scheduler", cluster.scheduler_address)
        assert res.exit_code == 0, res.output
        with cluster.get_client() as client:
            assert len(client.scheduler_info()["workers"]) == 2
    assert json.loads(res.stdout) == local
    assert local["n_rows"] == 120_000


def test_unreachable_scheduler_is_a_one_line_error(adult_parts, monkeypatch):
    from fairmend.scale import _sources

    monkeypatch.setattr(_sources, "CONNECT_TIMEOUT", "1s")
    folder, _ = adult_parts
    res = _audit(
        "--data",
        folder,
        "--protected",
        "sex",
        "--outcome",
        "income",
        "--predictions",
        "pred",
        "--scheduler",
        "tcp://127.0.0.1:9",
    )
    assert res.exit_code == 2 and "cannot reach the Dask scheduler" in res.stderr
