"""Forms of statement the reader must get right (fifteenth round, issue 14). Every phrasing here was written
for this file, not taken from a validation corpus; each failed before the change it tests, or guards it."""

from __future__ import annotations

import pytest
from fairmend.catalog.types import Stage, TaskType
from fairmend.recommender import parse_text
from quality import from_text

MULTI, REG = TaskType.MULTICLASS_CLASSIFICATION, TaskType.REGRESSION


@pytest.mark.parametrize(
    "text, task",
    [
        # alternatives written out with commas and "or" as what a case is put down as
        ("The classifier routes each ticket to billing, technical, sales or legal.", MULTI),
        ("Every application is marked green, amber or red.", MULTI),
        ("Claims come out as pay, investigate, or deny.", MULTI),
        ("Each CV is sorted into a seniority level: junior, mid, senior or principal.", MULTI),
        ("Our model recognises which of twelve languages a voice note is in.", MULTI),
        # the groups compared, an agent's rating, a person's choice among candidates: no task
        ("Approval rates are lower for Black, Hispanic or Asian applicants.", None),
        ("The model is rated by auditors as fair, unfair or unclear.", None),
        ("We pick one of three candidate models to ship.", None),
        ("We need to decide which of three vendors to buy from.", None),
        # an amount the model puts out
        ("A gradient boosting model that outputs the expected repair cost of a claim.", REG),
        ("Each driver's fee is set by the model, and we can only rescale the fee amounts it produces.", REG),
        ("The predicted delivery times for rural customers run long.", REG),
        ("The tool sets each employee's bonus amount, and women's bonuses come out smaller.", REG),
        ("The inputs and the outputs are off limits to us.", None),
        ("The model outputs a probability of default.", None),
    ],
)
def test_task_named_by_its_outputs(text, task):
    assert from_text(parse_text(text), "task") == task


@pytest.mark.parametrize(
    "text, no_intervention",
    [
        # nothing about the model may change, and only measuring is asked for
        (
            (
                "The screening model is read-only for our team. We have to report whether it rejects older applicants "
                "more often."
            ),
            True,
        ),
        (
            (
                "The pricing engine is untouchable until the appeal is decided; the ombudsman wants an analysis of how "
                "it treats rural customers."
            ),
            True,
        ),
        (
            (
                "The model sits under a supervisory freeze until spring; in the meantime the board wants a breakdown of "
                "approval gaps by age."
            ),
            True,
        ),
        (
            (
                "Neither we nor the vendor may alter the classifier during the inquiry. We need to establish whether "
                "disabled claimants were disadvantaged."
            ),
            True,
        ),
        # the same freezes beside a request for a fix
        (
            "The lending model sits under a supervisory freeze. What corrections to its decisions remain open to us?",
            False,
        ),
        ("Our scorer is read-only for us. Which fixes could we apply downstream of it?", False),
        (
            "The scoring model is read-only to us, but we can set our own cut-offs. How do we even out approval rates?",
            False,
        ),
    ],
)
def test_a_frozen_model_and_a_request_to_measure_is_no_intervention(text, no_intervention):
    c = parse_text(text)
    assert (c.intervention_allowed is False) is no_intervention
    assert c.retraining_allowed is False


@pytest.mark.parametrize(
    "text",
    [
        "Neither we nor the vendor may retrain the model.",
        "Neither the analysts nor the engineers are allowed to refit it.",
    ],
)
def test_two_agents_denied_one_act_is_a_denial(text):
    assert parse_text(text).retraining_allowed is False


@pytest.mark.parametrize(
    "text, stages",
    [
        # a short heading before a colon names a topic, not the kind of work allowed
        ("Objective: equal true positive rates across age bands.", None),
        ("Goal: similar approval rates for men and women.", None),
        ("Requirement from risk: AUC may fall by at most 0.01.", None),
        # what follows the colon still limits the work
        ("Scope: post-processing only.", [Stage.POST_PROCESSING]),
        ("Lever: the decision thresholds, nothing else may change.", [Stage.POST_PROCESSING]),
        # what one stage works on after "has to live in", "must be part of"
        ("Whatever we change has to live in how the classifier is trained.", [Stage.IN_PROCESSING]),
        ("Any correction has to happen through the training data.", [Stage.PRE_PROCESSING]),
        ("We want to understand how the model is trained before doing anything.", None),
    ],
)
def test_headings_and_named_limits(text, stages):
    assert from_text(parse_text(text), "stages") == stages


@pytest.mark.parametrize(
    "text, retraining",
    [
        # what is said of another model before the writer turns to the one they ask about
        (
            (
                "Our fraud team's model is a sealed vendor product, but my question is about the marketing model we "
                "built ourselves."
            ),
            None,
        ),
        (
            "The old scorecard is frozen and being retired; I'm asking about its replacement, still on paper.",
            None,
        ),
        (
            "Separately from this, the HR system can't be modified, but that's not the model in question.",
            None,
        ),
        # what is said of the model asked about still counts
        (
            "The fraud model is sealed, but my question is about our own marketing model, which we cannot retrain.",
            False,
        ),
        (
            "The freeze covers the old v2 model; v3, the one I am asking about, can be re-trained freely.",
            True,
        ),
        ("Our vendor model cannot be retrained. My question is about the model's thresholds.", False),
    ],
)
def test_what_is_said_of_another_model_is_no_constraint(text, retraining):
    assert from_text(parse_text(text), "retraining_allowed") is retraining


@pytest.mark.parametrize(
    "text, monitoring_only",
    [
        ("Monitoring is already in place; the gap is still there and we want it gone.", False),
        ("Our dashboard tracks the approval gap by sex, and management needs the gap closed by June.", False),
        ("Set up monitoring of the gap; we don't need it fixed.", True),
    ],
)
def test_wanting_the_gap_gone_asks_for_a_fix_beside_monitoring(text, monitoring_only):
    c = parse_text(text)
    assert (c.stages == [Stage.MONITORING] and c.sources.get("stages") == "text") is monitoring_only


@pytest.mark.parametrize(
    "text, at_inference",
    [
        (
            (
                "Our sister company may not use nationality in its scoring. My question is a different one: our own "
                "churn score rejects applicants with foreign surnames."
            ),
            None,
        ),
        (
            (
                "The ban on age is for the hiring model, which is a different team's system. The one I'm working on is "
                "the promotion classifier."
            ),
            None,
        ),
        # a model of one's own that differs from another stays one's own
        (
            "Age may not be used at decision time in our promotion model, which is a different model from the hiring one.",
            False,
        ),
    ],
)
def test_a_rule_for_a_different_teams_model_is_no_constraint(text, at_inference):
    assert from_text(parse_text(text), "protected_at_inference_allowed") is at_inference


@pytest.mark.parametrize(
    "text, field, value",
    [
        # another party's rule, turned from with a contrast to the writer's own case
        (
            "I know that in Belgium they can't even collect religion, but we are in Ireland and we do record it.",
            "protected_at_inference_allowed",
            None,
        ),
        (
            "Other lenders may not use age in the decision, but our model serves a different market.",
            "protected_at_inference_allowed",
            None,
        ),
        # a rule the writer is bound by, whoever states it
        ("The vendor says they cannot retrain it, but we could ask again.", "retraining_allowed", False),
        ("Our vendor does not let us use age at decision time.", "protected_at_inference_allowed", False),
        # "let" as a permission, negated or not
        ("They don't let us retrain, but we can set the thresholds.", "retraining_allowed", False),
        ("The contract lets us refit the model whenever we like.", "retraining_allowed", True),
        # "breach" as a prohibition word, negated or not
        ("A refit is no breach of the contract.", "retraining_allowed", True),
        ("Using age in the decision would breach the equality act.", "protected_at_inference_allowed", False),
    ],
)
def test_another_partys_rule_and_who_lets_whom(text, field, value):
    assert from_text(parse_text(text), field) is value


@pytest.mark.parametrize(
    "text, retraining",
    [
        ("The original training data was deleted under our retention policy.", False),
        ("We no longer have the training data for the scorecard.", False),
        ("Some training data might have been deleted.", None),
        ("The training data was deleted last year, but we can retrain on fresh data.", True),
    ],
)
def test_the_means_to_refit_gone_is_no_retraining(text, retraining):
    assert from_text(parse_text(text), "retraining_allowed") is retraining


@pytest.mark.parametrize(
    "text, no_intervention",
    [
        (
            (
                "We have read-only sandbox access to the scoring engine, and our brief is to report whether it treats "
                "women worse."
            ),
            True,
        ),
        (
            (
                "We have no way to alter the grading tool; the union wants a clear statistical picture of how it rates "
                "older staff."
            ),
            True,
        ),
        (
            (
                "The eligibility formula is fixed in regulation and untouchable. The ombudsman wants a written account "
                "of how it treats migrants."
            ),
            True,
        ),
        (
            (
                "The AML model is under a regulator-imposed freeze; until then we want to track the false-positive gap "
                "by nationality week by week."
            ),
            True,
        ),
        (
            (
                "We have read-only access to the scores, but we set the cut-offs ourselves. How do we equalise approval "
                "rates?"
            ),
            False,
        ),
        (
            "The vendor tool is untouchable, so we want to know which post-processing fixes are available.",
            False,
        ),
    ],
)
def test_more_freezes_and_more_requests_to_measure(text, no_intervention):
    assert (parse_text(text).intervention_allowed is False) is no_intervention
