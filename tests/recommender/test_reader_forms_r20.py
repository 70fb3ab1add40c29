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
