"""More forms of statement the reader must get right (fourteenth round, issue 14). Every phrasing here was
written for this file, not taken from a validation corpus; each failed before the change it tests."""

from __future__ import annotations

import pytest
from fairmend.catalog.types import Stage, TaskType
from fairmend.recommender import parse_text
from fairmend.recommender.constraints import Constraints
from fairmend.recommender.settle import named_limit


@pytest.mark.parametrize(
    "text, retraining",
    [
        (
            "The old scorecard is frozen. That said, we are allowed to build a replacement model from scratch.",
            True,
        ),
        ("We can refit the model. Nevertheless the regulator forbids any change to it this year.", False),
    ],
)
def test_a_clause_that_opens_with_a_contrast_prevails(text, retraining):
    assert parse_text(text).retraining_allowed is retraining


@pytest.mark.parametrize(
    "text, task",
    [
        (
            "a hosted classifier labels each post acceptable / needs review / remove.",
            TaskType.MULTICLASS_CLASSIFICATION,
        ),
        ("it classifies every claim genuine / suspicious / fraudulent", TaskType.MULTICLASS_CLASSIFICATION),
        ("Our four-level priority classifier for emergency calls.", TaskType.MULTICLASS_CLASSIFICATION),
        ("We run a 5-tier triage model in the ED.", TaskType.MULTICLASS_CLASSIFICATION),
        ("The model predicts default for men / women / non-binary applicants.", None),
        ("we label applicants by age 18-30 / 31-50 / 51+", None),
        ("We have three-way splits of the data for validation.", None),
        (
            "Our intake model sorts complaints into billing, fraud, or service quality, and the vendor will not change it.",
            TaskType.MULTICLASS_CLASSIFICATION,
        ),
        (
            "The wound-photo triage CNN (heal / monitor / refer) is CE-marked.",
            TaskType.MULTICLASS_CLASSIFICATION,
        ),
        ("Helpdesk priority classifier (P1 to P4) from our vendor.", TaskType.MULTICLASS_CLASSIFICATION),
        ("We split applicants into men, women and non-binary people for the audit.", None),
        ("The model has two outcomes.", None),
    ],
)
def test_labels_written_out_listed_after_into_in_brackets_or_counted(text, task):
    assert parse_text(text).task == task


@pytest.mark.parametrize(
    "text",
    [
        "No changes to any customer-facing model until the inquiry reports. We need figures on the age gap.",
        (
            "We have zero ability to change anything in the insurer's system; we want to know whether its quotes "
            "differ by ethnicity."
        ),
        (
            "The data agreement forbids us from deploying any modification to the tool, and the board wants an "
            "independent assessment of its error rates by sex."
        ),
        "I have read access to the logs and no deploy rights. Management would like a breakdown of approvals by race.",
    ],
)
def test_more_ways_of_saying_nothing_may_change_beside_a_request_to_measure(text):
    c = parse_text(text)
    assert (c.retraining_allowed, c.intervention_allowed) == (False, False)


@pytest.mark.parametrize(
    "text",
    [
        "The law bars us from altering the training data, so the fix has to be in the algorithm.",
        "No changes to the threshold please; we would rather reweight the data.",
    ],
)
def test_a_bar_on_changing_something_other_than_the_model_is_no_freeze(text):
    c = parse_text(text)
    assert c.retraining_allowed is not False and c.intervention_allowed is not False


def test_a_question_asking_what_to_measure_agrees_with_the_kind_of_work_stated_before_it():
    c = parse_text(
        "Alerting only, please. The churn model feeds a retention queue and we want to hear if the flag rate for "
        "older customers creeps up. Which statistics should we compute?"
    )
    assert c.stages == [Stage.MONITORING] and c.intervention_allowed is None


def test_a_limiting_word_next_to_what_one_stage_works_on_is_that_stage():
    c = parse_text(
        "I want to deal with this solely through reweighting. Women are under-represented among approvals."
    )
    assert c.stages == [Stage.PRE_PROCESSING]


@pytest.mark.parametrize(
    "text, stages",
    [
        ("we'd fix it purely at the threshold level", [Stage.POST_PROCESSING]),
        ("the loss function and nothing else may change", [Stage.IN_PROCESSING]),
        # another stage's object named too, a belief withdrawn, a limit word far from the object
        ("only the threshold may change, though the training data could be reweighted later", None),
        ("i assumed only the thresholds could be touched, but actually the whole pipeline is ours", None),
        ("only a few people know how the old model sets its threshold", None),
    ],
)
def test_named_limit_rule(text, stages):
    c = Constraints()
    named_limit(c, text)
    assert c.stages == stages


@pytest.mark.parametrize(
    "text, available",
    [
        ("The ranking service's feature store has no gender column, although the HR database does.", None),
        ("The app never asks for ethnicity, but it is recorded at enrolment by the school.", None),
        ("We hold no ethnicity data at all, and we would not be allowed to collect it.", False),
    ],
)
def test_an_attribute_absent_from_the_decision_but_held_elsewhere_is_not_uncollected(text, available):
    c = parse_text(text)
    assert c.protected_available is available and c.protected_at_inference_allowed is False


def test_a_limited_accuracy_loss_is_no_limit_to_the_loss_function():
    c = Constraints()
    named_limit(c, "we can only tolerate a small accuracy loss")
    assert c.stages is None
