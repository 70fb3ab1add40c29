"""Forms of statement the reader must get right (twenty-second round, issue 14). Every phrasing here was
written for this file, not taken from a validation corpus or the development queries; each failed before the
change it tests, or guards it."""

from __future__ import annotations

import pytest
from fairmend.recommender import parse_text
from quality import from_text


@pytest.mark.parametrize(
    "text, retraining",
    [
        # a change of the model called someone else's decision (read as a permission before)
        ("We set the thresholds. Refitting the scorer isn't our decision.", False),
        ("Re-training the model isn't our choice, the vendor decides.", False),
        # a permission in the passive, with words between the model and the modal (read as nothing before)
        ("Our learning-to-rank model for job ads may be retrained.", True),
        (
            "The ranker for hotel listings may be retrained; the ethnicity of guests must not be used when ranking.",
            True,
        ),
        # guards (read right before too): other forms of both, a grant in doubt, a question about it
        ("Changing the model is not up to us; we can only reorder the list.", False),
        ("The pricing model for small fleets may be retrained. Women pay more.", True),
        ("We are unsure whether the model can be retrained at all.", None),
        ("Whether retraining is our call depends on the contract.", None),
    ],
)
def test_who_may_change_the_model(text, retraining):
    assert from_text(parse_text(text), "retraining_allowed") is retraining


@pytest.mark.parametrize(
    "text, at_inference",
    [
        # a use granted while the model is built is no permission at decision time (read as one before)
        (
            "The law lets us use age when developing the model, but the decision service may not see it.",
            False,
        ),
        ("We may use ethnicity when building our pricing model.", None),
        # guard: a use granted at decision time as well
        ("We may use sex when building the model and when making each decision.", True),
    ],
)
def test_a_use_while_building_the_model(text, at_inference):
    assert from_text(parse_text(text), "protected_at_inference_allowed") is at_inference


@pytest.mark.parametrize(
    "text, task",
    [
        # a model with its count of classes, a predictive model of an amount (read as nothing before)
        (
            "Our chatbot routes users with a model with 25 intents; older users are misrouted.",
            "multiclass_classification",
        ),
        ("Our team built a predictive model of first-term GPA.", "regression"),
        # guards (read right before too): other predicted amounts, a model with a count of something that is
        # no class, a forecast of a rate
        ("The bank runs a predictive model of each customer's overdraft limit.", "regression"),
        ("A forecast of monthly rent for each flat is shown to landlords.", "regression"),
        ("We trained a model with 12 features on 40k loans.", None),
        ("A forecast of default rates by region goes to the board.", None),
    ],
)
def test_counts_of_classes_and_predicted_amounts(text, task):
    got = from_text(parse_text(text), "task")
    assert (got.value if got is not None else None) == task


@pytest.mark.parametrize(
    "text, retraining",
    [
        # an unsure "cannot retrain" backed by a sure limit to post-processing in another sentence (unsure,
        # so not applied, before)
        (
            (
                "Only the decision rules are ours to change. The score is delivered by the group risk team and "
                "their training process is beyond our reach."
            ),
            False,
        ),
        # guards: the limit alone says nothing about retraining; a permission beside it stands
        ("Thresholds are the only lever we have. The model and its data belong to a different agency.", None),
        (
            "We only set the thresholds, so post-processing it is. Retraining the model is fine by the owners.",
            True,
        ),
    ],
)
def test_a_weak_ban_on_retraining_backed_by_a_limit_to_post_processing(text, retraining):
    assert from_text(parse_text(text), "retraining_allowed") is retraining


@pytest.mark.parametrize(
    "text, stages",
    [
        # an unsure kind of work framed by the next sentence as the whole request (a preference before)
        (
            "If the gap in approval rate between men and women shifts suddenly, page someone. That is all we need.",
            ["monitoring"],
        ),
        # guards: a next sentence that asks for more; "that's all I know"
        (
            "If the gap in approval rate between men and women shifts suddenly, page someone. We also want to know why.",
            None,
        ),
        ("We may retrain the model. That's all I know so far.", None),
    ],
)
def test_the_whole_request(text, stages):
    got = parse_text(text).stages
    assert ([s.value for s in got] if got else None) == stages


@pytest.mark.parametrize(
    "text, intervention",
    [
        # a fix not wanted (read as a documentation request alone before)
        (
            "The auditors want a datasheet for the hiring data. We do not need any fixes, just the datasheet.",
            False,
        ),
        ("I don't want any mitigations proposed; measure the approval gap by age.", False),
        # guards: a fix wanted after all, something else not needed
        ("We don't need any fixes to the data, but the model's thresholds must change.", None),
        ("We don't need any retraining; please adjust the thresholds so the age gap closes.", None),
    ],
)
def test_a_fix_not_wanted(text, intervention):
    assert from_text(parse_text(text), "intervention_allowed") is intervention


@pytest.mark.parametrize(
    "text, intervention",
    [
        # a question comparing fixes someone proposed is a choice of fix (read as measure-only before)
        (
            "A teammate proposed massaging the labels. Another proposed a threshold shift. How do these compare?",
            None,
        ),
        (
            "Legal suggested dropping the postcode; the data team suggested reweighing. How do these compare?",
            None,
        ),
        # guard: comparing figures, with nothing proposed, is a request to measure
        ("We have approval rates for both groups from last year. How do these compare?", False),
    ],
)
def test_comparing_proposed_fixes(text, intervention):
    assert from_text(parse_text(text), "intervention_allowed") is intervention
