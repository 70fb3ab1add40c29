"""Forms of statement the reader must get right (twentieth round, issue 14). Every phrasing here was written
for this file, not taken from a validation corpus or the development queries; each failed before the change it
tests, or guards it."""

from __future__ import annotations

import pytest
from fairmend.recommender import parse_text
from quality import from_text


@pytest.mark.parametrize(
    "text, retraining",
    [
        # another model's freeze, then a clause that only names the model the writer works on
        (
            (
                "The claims model is frozen by the actuaries; I work on the fraud-triage classifier. Older "
                "policyholders are flagged far more often."
            ),
            None,
        ),
        ("Retraining the pricing engine needs a board vote, but I'm working on the renewal model.", None),
        (
            (
                "Retraining the pricing engine needs a board vote, but I'm working on the renewal model, which our "
                "team rebuilds whenever it likes."
            ),
            True,
        ),
        # "..., which my group maintains, is a separate system": the one described before is another
        (
            (
                "HR's attrition predictor cannot be touched until the audit ends. The promotion scorer, which my "
                "group maintains, is a separate system."
            ),
            None,
        ),
        # "- different story": the model just described is not the writer's
        (
            (
                "Our partner bank's scorecard is a sealed binary - different story. Our own collections model "
                "flags tenants in social housing far more often."
            ),
            None,
        ),
    ],
)
def test_a_freeze_of_another_model_does_not_bind_the_one_asked_about(text, retraining):
    assert from_text(parse_text(text), "retraining_allowed") is retraining


@pytest.mark.parametrize(
    "text",
    [
        # the writer's own model is the frozen one: the turn resets only what came before it
        "I work on the credit model, and it cannot be retrained.",
        "The scorer is frozen by its vendor. I work on the data side.",
        "The scorer is frozen by its vendor; I work on the model team.",
        "The scorer is frozen by its vendor, which is a different story from last year.",
    ],
)
def test_the_writers_own_freeze_still_holds(text):
    assert from_text(parse_text(text), "retraining_allowed") is False


@pytest.mark.parametrize(
    "text, budget",
    [
        ("Compliance won't approve more than a 0.015 AUC dip.", 0.015),
        ("The CFO approved a 2-point accuracy trade-off and no more.", 0.02),
        # an approval with no limit stated
        ("The regulator approved the model in 2024 at an AUC of 0.88.", None),
        ("Two approvals are needed before we change anything.", None),
    ],
)
def test_an_approval_limit_is_a_budget(text, budget):
    assert parse_text(text).max_accuracy_loss == (pytest.approx(budget) if budget else None)


@pytest.mark.parametrize(
    "text",
    [
        # a request scoped to measuring: nothing is to change, which bars every intervention, but no ban on
        # retraining is stated
        (
            "Leadership asked whether the churn model treats older customers worse. No changes to the model are on "
            "the table; they want the numbers."
        ),
        "We need the approval gap by ethnicity measured. No changes, just the figures.",
        "HR doesn't want any changes right now, just a picture of who the screener passes.",
    ],
)
def test_a_request_scoped_to_measuring_forbids_no_retraining(text):
    c = parse_text(text)
    assert c.intervention_allowed is False
    assert from_text(c, "retraining_allowed") is None


@pytest.mark.parametrize(
    "text",
    [
        # a ban on changing the model, with or without a request to measure beside it
        "No changes to the model are allowed; we want the gap measured.",
        "The regulator does not want any changes to the approved model. We need numbers on the gap.",
        "The scorer is locked by the vendor. No changes requested from us, just the figures.",
    ],
)
def test_a_ban_on_changing_the_model_still_forbids_retraining(text):
    assert from_text(parse_text(text), "retraining_allowed") is False


@pytest.mark.parametrize(
    "text, allowed",
    [
        # a use granted for training alone: no permission at decision time, a ban with "but not at inference"
        ("We own the pipeline; caste may feed into the loss but not into inference.", False),
        (
            "Retraining is allowed; ethnicity may go into the training objective but not into the decisions.",
            False,
        ),
        (
            "We refit freely, and marital status can be used to train the model but never to score anyone.",
            False,
        ),
        ("Our statisticians may use disability status during fitting to equalise error rates.", None),
        # a permission at decision time still grants
        ("Age may be used at decision time, and during training too.", True),
        ("Using gender in the final decision is permitted under the programme.", True),
    ],
)
def test_a_use_granted_for_training_alone_is_no_permission_at_decision_time(text, allowed):
    assert from_text(parse_text(text), "protected_at_inference_allowed") is allowed


@pytest.mark.parametrize(
    "text, retraining, intervention",
    [
        # a report that the fixes tried failed: no ban, and fixing is not ruled out (another fix is asked for);
        # the first (test_reader's) was read as "cannot retrain" (0.99) from the whole sentence
        ("We tried reweighing, but no fix has worked so far. What else is there?", None, None),
        (
            "We reweighted the sample last spring, but nothing has helped so far. What else could we try?",
            None,
            None,
        ),
        ("None of the mitigations we piloted has worked. Which one should we try next?", None, None),
        # beside a ban, the ban stands
        ("Nothing we tried has helped, and we cannot retrain the model.", False, None),
    ],
)
def test_a_report_that_fixes_failed_states_no_ban(text, retraining, intervention):
    c = parse_text(text)
    assert from_text(c, "retraining_allowed") is retraining
    assert c.intervention_allowed is intervention


@pytest.mark.parametrize(
    "text, allowed",
    [
        # the attribute named in a store, then the decision step denied that store
        (
            (
                "Ethnicity is stored in the research warehouse. The scoring engine has no access to the research "
                "warehouse."
            ),
            False,
        ),
        # another store, or someone who does not decide
        ("Religion is kept in the archive. The decision service cannot access the payroll system.", None),
        ("Religion is kept in the archive. Our analysts cannot access the archive.", None),
    ],
)
def test_a_decision_step_denied_the_store_that_holds_the_attribute(text, allowed):
    assert from_text(parse_text(text), "protected_at_inference_allowed") is allowed


@pytest.mark.parametrize(
    "text, retraining",
    [
        # the model or its code named as something the writer cannot change, inside a longer statement
        (
            "Scores come from the head-office platform, built on code we cannot modify. Men are approved more.",
            False,
        ),
        (
            "Scoring runs on a supplier's system that we are not allowed to touch, and older drivers pay more.",
            False,
        ),
        # the data, not the model; a model the writer can change
        ("The training data we cannot change, but the model is ours to retrain.", True),
    ],
)
def test_a_model_named_as_unchangeable_is_a_retraining_ban(text, retraining):
    assert from_text(parse_text(text), "retraining_allowed") is retraining


def test_the_why_line_names_the_stage_with_its_article(fake_recommender):
    # "is an evaluation technique", not "is a evaluation technique"
    text = "We only need numbers on the approval gap, no changes."
    recs = fake_recommender.recommend(text, top=5).recommendations
    why = [r.why for r in recs if r.technique.stage.value == "evaluation"]
    assert why and all("is an evaluation technique" in w and " a evaluation" not in w for w in why)
