"""The constraint reader: clauses, negation scope, withdrawal, permission, budgets, uncertainty, and
the freshness of the shipped model and index. Uses the real all-MiniLM-L6-v2 (shipped offline)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fairmend.catalog.types import Stage, TaskType
from fairmend.recommender import parse_text, reader
from fairmend.recommender.constraints import Constraints, merge_flags
from fairmend.recommender.parse import UNDERSTOOD, _apply_findings, accuracy_budget

pytestmark = pytest.mark.integration


def test_clauses_and_negation_scope():
    assert reader.split_clauses("can't retrain and can't use race") == ["can't retrain", "can't use race"]
    assert reader.split_clauses("the data and the model are frozen") == ["the data and the model are frozen"]
    toks = reader.scoped_tokens("We cannot retrain the model, but we can use age")
    assert "NOT_retrain" in toks and "use" in toks and "NOT_use" not in toks
    assert reader.scoped_tokens("nobody can not retrain")[-1] == "retrain"  # double negation


@pytest.mark.parametrize("text, value", [
    # phrasings quoted in issue 14 (none is in the validation corpus or the exemplars)
    ("we thought we couldn't retrain, but actually we can", True),
    ("the model belongs to a supplier and is locked", False),
])
def test_retraining_read_with_withdrawal(text, value):
    assert parse_text(text).retraining_allowed is value


def test_two_constraints_in_one_clause():
    c = parse_text("can't retrain and can't use race")
    assert c.retraining_allowed is False and c.protected_at_inference_allowed is False
    assert c.sources["retraining_allowed"] == "text" and c.evidence["retraining_allowed"] == "can't retrain"


def test_permission_overrides_the_domain_default():
    default = parse_text("A mortgage approval model shows a gap between age groups.")
    assert default.protected_at_inference_allowed is False and default.sources[
        "protected_at_inference_allowed"] == "domain-default"
    c = parse_text("A mortgage approval model. Using age at decision time is allowed in our setting.")
    assert c.domain == "lending" and c.protected_at_inference_allowed is True
    assert c.sources["protected_at_inference_allowed"] == "text"


@pytest.mark.parametrize("text, budget", [
    ("we can lose at most 2 points", 0.02), ("accuracy loss under 2%", 0.02), ("no more than 0.02 AUC", 0.02),
    ("a drop of one percentage point of accuracy at most", 0.01), ("up to five percent accuracy", 0.05),
    ("the approval gap is 12 points", None), ("accuracy is 91% on 10,000 rows", None),
])
def test_accuracy_budget_forms(text, budget):
    got = accuracy_budget(text)
    assert (got[0] if got else None) == pytest.approx(budget) if budget else got is None


def test_uncertain_constraints_are_reported_not_dropped():
    c = Constraints()
    _apply_findings(c, {"retraining": reader.Finding("forbidden", UNDERSTOOD - 0.1, "it is kind of fixed"),
                        "scope": reader.Finding("pre_processing", UNDERSTOOD - 0.1, "mostly the data"),
                        "task": reader.Finding("ranking", UNDERSTOOD + 0.1, "we rank items")})
    assert c.retraining_allowed is False  # restrictive: applied to be safe, and said so
    assert c.stages is None and c.preferred_stages == [Stage.PRE_PROCESSING]  # permissive: only a preference
    assert c.task == TaskType.RANKING
    flags = {u.field: (u.flag, u.applied) for u in c.uncertain}
    assert flags == {"retraining_allowed": ("--retraining", True), "stages": ("--stage pre_processing", False)}
    lines = c.uncertain_lines()
    assert lines[0].startswith("uncertain: cannot retrain? (from: 'it is kind of fixed'") and "--retraining" in lines[0]
    assert [line for line in c.understood() if "retrain" in line] == []  # shown once, as uncertain
    settled = merge_flags(c, retraining=True)
    assert settled.retraining_allowed is True and [u.field for u in settled.uncertain] == ["stages"]
    d = settled.to_dict()
    assert d["retraining_allowed"] == {"value": True, "source": "flag", "confidence": 1.0}
    assert d["task"]["source"] == "text" and d["task"]["evidence"] == "we rank items"
    assert all(set(v) >= {"value", "source", "confidence"} for v in d.values())
    json.dumps(d)


def test_no_intervention_excludes_every_intervention(fake_recommender):
    c = merge_flags(parse_text("approval rates by group"), intervention=False)
    res = fake_recommender.recommend("approval rates by group", constraints=c, top=10)
    assert res.recommendations and all(r.technique.stage in {Stage.EVALUATION, Stage.CAUSAL, Stage.MONITORING,
                                                             Stage.DOCUMENTATION} for r in res.recommendations)
    reasons = dict(res.excluded)
    assert "nothing may be changed" in reasons["reweighing_kamiran_calders"]


def test_shipped_reader_model_and_index_are_fresh():
    """Run `python -m fairmend.recommender.build` after editing the exemplars or a technique's text."""
    from fairmend.recommender.build import stale

    assert stale() == []


def test_shipped_index_means_nothing_is_embedded_on_a_fresh_install(tmp_path, catalog_techniques):
    from fairmend.recommender.build import builtin_techniques
    from fairmend.recommender.embedding import MiniLMEmbedder
    from fairmend.recommender.index import load_or_build

    class NoEncode(MiniLMEmbedder):
        def encode(self, texts):
            raise AssertionError(f"embedded {len(texts)} texts")

    builtins = builtin_techniques()
    index = load_or_build(builtins, NoEncode(), directory=tmp_path)  # empty cache
    assert index.embedded == 0 and sorted(set(index.owners.tolist())) == list(range(len(builtins)))
    assert not any(tmp_path.iterdir())
    norms = np.linalg.norm(index.vectors, axis=1)
    assert np.allclose(norms, 1.0, atol=1e-4)
