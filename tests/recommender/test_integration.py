"""Integration tests with the real all-MiniLM-L6-v2 model (marked ``integration``)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from fairmend.recommender import MiniLMEmbedder, Recommender, apply_audit, audit_data, parse_text

sys.path.insert(0, str(Path(__file__).parent))
from quality import evaluate  # noqa: E402

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def real_recommender(tmp_path_factory):
    return Recommender(cache_directory=tmp_path_factory.mktemp("cache"))


@pytest.mark.slow
def test_numpy_minilm_matches_sentence_transformers():
    pytest.importorskip("sentence_transformers")
    from sentence_transformers import SentenceTransformer

    emb = MiniLMEmbedder()
    texts = ["Our loan model approves fewer women; we cannot retrain it.", "drift", "word " * 400]
    model = SentenceTransformer(str(emb.model_path), device="cpu")
    expected = model.encode(texts, normalize_embeddings=True)
    assert np.abs(emb.encode(texts) - expected).max() < 1e-5


@pytest.mark.slow
def test_quality_on_labelled_queries(real_recommender):
    out = evaluate(real_recommender)
    assert out["violations"] == []
    assert out["hit_at_3"] >= 0.90, out["misses"]


def test_data_aware_audit_detects_groups(tmp_path):
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 600
    race = rng.choice(["a", "b", "c"], size=n, p=[0.6, 0.3, 0.1])
    y = (rng.random(n) < np.where(race == "a", 0.6, 0.3)).astype(int)
    path = tmp_path / "d.csv"
    pd.DataFrame({"race": race, "x": rng.normal(size=n), "y": y}).to_csv(path, index=False)
    audit = audit_data(str(path), protected=["race"], outcome="y")
    attr = audit["attributes"]["race"]
    assert attr["n_groups"] == 3
    rates = {g: s["base_rate"] for g, s in attr["groups"].items()}
    assert attr["demographic_parity_difference"] == pytest.approx(max(rates.values()) - min(rates.values()))
    c = apply_audit(parse_text("reduce bias in our model"), audit)
    assert c.multi_group and c.sources["multi_group"] == "data" and c.small_data
    assert [x.value for x in c.criteria] == ["demographic_parity"]


@pytest.mark.slow
def test_cli_run_executes_top_executable(tmp_path, monkeypatch):
    import json

    try:
        import fairmend.runner  # noqa: F401
    except ImportError:
        pytest.skip("runner not available")

    from click.testing import CliRunner

    from fairmend.cli import cli
    from fairmend.datasets import load_german

    monkeypatch.setenv("FAIRMEND_CACHE_DIR", str(tmp_path / "cache"))
    ds = load_german()
    path = tmp_path / "german.csv"
    ds.frame.to_csv(path, index=False)
    out = CliRunner().invoke(cli, ["recommend", "recalibrate our credit scores per group", "--json", "--top", "10",
                                   "--data", str(path), "--protected", "sex", "--outcome", ds.label, "--run"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)  # stderr may carry a progress line
    first_exec = next(r for r in d["recommendations"] if r["executable"])
    assert d["run"]["technique"] == first_exec["key"]
