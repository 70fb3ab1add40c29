"""Forms of statement the reader must get right, and what a doubted reading does to the ranking (thirty-first
round, issue 14). Every phrasing here was written for this file, not taken from a validation corpus or the
development queries; each failed before the change it tests, or guards it."""

from __future__ import annotations

import pytest
from fairmend.recommender import parse_text
from fairmend.recommender.constraints import Constraints, Uncertain
from fairmend.recommender.fit import uncertain_conflicts
from fairmend.recommender.frozen import freezes_other
from quality import from_text


@pytest.mark.parametrize(
    "words, thing",
    [
        # a model word that only says whose the frozen thing is
        ("The grading committee froze the scoring rubric for this cycle", "rubric"),
        ("the ranking dashboard is locked for the quarter", "dashboard"),
        ("our pipeline dependencies are frozen until the upgrade", "dependencies"),
        # guards: the model is the thing frozen, or may be
        ("the scoring model is locked", None),
        ("the classifier's dashboard is frozen", None),
        ("the model and its dashboard are frozen", None),
        ("we have read-only access to the model registry", None),
    ],
)
def test_a_model_word_before_another_thing_names_no_model(words, thing):
    assert freezes_other(words) == thing


def test_a_frozen_scoring_rubric_is_no_ban_on_retraining():
    c = parse_text(
        "The grading committee froze the scoring rubric for this cycle. Our bursary classifier turns down more"
        " students from rural schools; how can we reduce that?"
    )
    assert from_text(c, "retraining_allowed") is not False


def _technique(catalog_techniques, key):
    return next(t for t in catalog_techniques if t.key == key)


@pytest.mark.parametrize("doubted, marked", [(False, True), (True, False)])
def test_a_doubted_reading_marks_no_technique(catalog_techniques, doubted, marked):
    c = Constraints()
    c.uncertain.append(
        Uncertain(
            "retraining_allowed",
            False,
            0.9,
            "we froze the rubric",
            "--no-retraining",
            applied=False,
            reason="the words freeze the rubric, not the model",
            doubted=doubted,
        )
    )
    retrains = _technique(catalog_techniques, "reweighing_kamiran_calders")
    assert bool(uncertain_conflicts(retrains, c)) is marked
    line = c.uncertain_lines()[0]
    assert "--no-retraining" in line  # reported with its flag either way
    assert ("no technique is marked" in line) is doubted


def test_a_doubted_reading_lowers_no_technique(fake_recommender):
    text = (
        "We froze the rubric last week. Our hiring model rejects more women than men with the same"
        " experience; how do we fix it?"
    )
    c = parse_text(text)
    doubts = [u for u in c.uncertain if u.field == "retraining_allowed"]
    assert from_text(c, "retraining_allowed") is not False
    assert doubts and doubts[0].doubted and doubts[0].to_dict()["doubted"] is True
    res = fake_recommender.recommend(text, constraints=c, top=30)
    assert not any("uncertain" in x for r in res.recommendations for x in r.soft_conflicts)
    assert any(r.technique.needs_retraining for r in res.recommendations[:10])


@pytest.mark.parametrize(
    "text",
    [
        (
            "No one may alter the claims model before the regulator's review ends. The auditor wants to know"
            " whether it pays out less to older policyholders."
        ),
        # a guard: read right before the change too
        (
            "We may not change the parole tool in any way, and my job is to investigate whether its scores differ"
            " by race."
        ),
    ],
)
def test_a_ban_on_anyone_changing_the_model_and_a_measurement_asked_for_is_measure_only(text):
    c = parse_text(text)
    assert from_text(c, "intervention_allowed") is False
    assert from_text(c, "retraining_allowed") is False


def test_nobody_changing_another_thing_is_no_ban():
    # guard: what nobody may change is not the model, and a fix is asked for
    c = parse_text(
        "No one can change the staffing rota this month. Our fraud model flags more transfers to West Africa;"
        " how do we reduce that?"
    )
    assert from_text(c, "intervention_allowed") is not False
