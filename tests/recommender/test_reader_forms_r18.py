"""Forms of statement the reader must get right (eighteenth round, issue 14). Every phrasing here was written
for this file, not taken from a validation corpus; each failed before the change it tests, or guards it."""

from __future__ import annotations

import pytest
from fairmend.catalog.types import Stage
from fairmend.recommender import cues, parse_text


@pytest.mark.parametrize(
    "text, frozen",
    [
        # the data and the model both frozen: nothing is left to change
        ("Both the model and the dataset remain frozen until the review.", True),
        ("Our training data and our model have been locked since March.", True),
        ("The dataset and the model stay off-limits.", True),
        # one of them only, or a state that is no freeze
        ("The model is frozen, but the training data is ours to edit.", False),
        ("The data and the model are both new this year.", False),
        ("The data and the model were refreshed in June.", False),
    ],
)
def test_data_and_model_frozen_together_forbid_every_change(text, frozen):
    assert bool(cues.forbids_change(text)) is frozen


@pytest.mark.parametrize(
    "text, measure",
    [
        # the one thing permitted is an analysis or a report
        ("We are permitted to release a fairness report.", True),
        ("I may write up an evaluation for the board.", True),
        ("We can share a short audit with the regulator.", True),
        # a permission to change, or to publish something that is no analysis
        ("We can publish the model on our website.", False),
        ("We may retrain whenever we like.", False),
    ],
)
def test_a_permitted_report_is_a_request_to_measure(text, measure):
    assert bool(cues.asks_to_measure(text)) is measure


@pytest.mark.parametrize(
    "text, fix",
    [
        # mend the model so that it stops doing something: a fix
        ("Please repair the ranker so that it stops burying older candidates.", True),
        ("Correct our scorer so it no longer penalises part-time staff.", True),
        ("Change the triage classifier so they do not under-refer women.", True),
        # a fix that was not made, or no model named
        ("The vendor didn't fix the model so it still flags the same postcodes.", False),
        ("Fix the typo in the report so it reads well.", False),
    ],
)
def test_mending_the_model_so_it_stops_is_a_fix(text, fix):
    assert bool(cues.asks_for_fix(text)) is fix


def test_frozen_data_and_model_with_only_a_report_permitted_is_no_intervention():
    c = parse_text("The dataset and the model are both locked. We may write up a review of the age gap.")
    assert c.intervention_allowed is False
    assert c.retraining_allowed is False


def test_a_document_beside_a_mended_model_is_not_the_only_work():
    c = parse_text("Give the board a datasheet, and correct the scorer so it no longer favours men.")
    assert c.stages is None or Stage.DOCUMENTATION not in c.stages


@pytest.mark.parametrize(
    "clause, asks",
    [
        # a question nobody could answer is asked, not stated
        ("No one knew if the vendor would let us refit it", "indirect"),
        ("none of us was sure if age could be used", "indirect"),
        ("we had no idea if the model could be rebuilt", "indirect"),
        # a statement of what someone knew
        ("No one knew the model had been retrained", ""),
    ],
)
def test_a_question_nobody_could_answer_asks(clause, asks):
    from fairmend.recommender import reader

    assert reader.asking(clause, True, False) == asks


def test_an_answer_to_a_question_nobody_could_answer_settles_it():
    c = parse_text(
        "None of us was sure if we could refit the pricing model. Compliance answered that we can not."
    )
    assert c.retraining_allowed is False and c.sources.get("retraining_allowed") == "text"


@pytest.mark.parametrize(
    "text, no_fix",
    [
        # measuring or describing the gap instead of closing it, with words between
        ("Estimate the difference in outcomes for rural clients instead of correcting it.", True),
        ("Describe the gap between day and night shifts rather than close it.", True),
        # a fix preferred to something else is still a fix
        ("Explain the gap and then fix it rather than ignore it.", False),
    ],
)
def test_measuring_a_gap_instead_of_closing_it_is_no_fix(text, no_fix):
    assert bool(cues.asks_for_no_fix(text)) is no_fix


def test_what_one_was_told_is_read_for_itself():
    from fairmend.recommender import reader

    assert reader.without_belief_lead("Having been told that we may use religion at decision time") == (
        "we may use religion at decision time"
    )


@pytest.mark.parametrize(
    "text, usable",
    [
        # the attribute stated usable where decisions are made
        ("Gender field usable in production, per counsel.", True),
        ("religion is permitted at decision time here", True),
        # a question, a negation, or a use elsewhere
        ("Is age usable in prod?", False),
        ("Ethnicity is not usable in production.", False),
        ("Sex is usable for monitoring only.", False),
    ],
)
def test_an_attribute_stated_usable_at_decision_time(text, usable):
    assert bool(cues.usable_at_decision(text)) is usable
    if usable:
        assert parse_text(text).protected_at_inference_allowed is True
