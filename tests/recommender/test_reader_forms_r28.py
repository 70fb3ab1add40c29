"""Forms of statement the reader must get right (twenty-eighth round, issue 14). Every phrasing here was
written for this file, not taken from a validation corpus or the development queries; each failed before the
change it tests, or guards it."""

from __future__ import annotations

import pytest
from fairmend.recommender import parse_text
from quality import budget_of, from_text


@pytest.mark.parametrize(
    "text, field, value",
    [
        # an emphatic denial ("absolutely not" read as the permission "absolutely" before)
        (
            "May we use nationality when the loan is approved? Our counsel said absolutely not.",
            "protected_at_inference_allowed",
            False,
        ),
        (
            "Can we refit the model ourselves? Compliance's reply was: certainly not.",
            "retraining_allowed",
            False,
        ),
        ("Could the screener take disability into account when deciding? Of course not.", None, None),
        # an answer named as one ("the answer from legal was a firm no"; not read before)
        (
            "Are we allowed to feed religion into the scorer at decision time? The answer from legal was a firm no.",
            "protected_at_inference_allowed",
            False,
        ),
        ("Is a refit possible at all? The vendor's answer was a flat no.", "retraining_allowed", False),
        # "of course" after a question, which the clause splitter takes as a connective (not read before)
        ("Could we retrain it? Of course, the code is ours.", "retraining_allowed", True),
        # guards (read right before too)
        ("Can we retrain? Absolutely, go ahead.", "retraining_allowed", True),
        ("Could we retrain it? Yes, the code is ours.", "retraining_allowed", True),
        ("Could we retrain it? No, the vendor owns it.", "retraining_allowed", False),
        ("Could we retrain it? Of course not, the vendor owns it.", "retraining_allowed", False),
    ],
)
def test_answers_deny_and_grant(text, field, value):
    constraints = parse_text(text)
    if field is None:  # the denial must at least not read as a permission
        assert from_text(constraints, "protected_at_inference_allowed") is not True
        return
    assert from_text(constraints, field) is value


@pytest.mark.parametrize(
    "text, budget",
    [
        # a limit replaced later: the replacement counts (the first limit was read before)
        ("Finance first allowed a 0.5 point loss; the board later raised it to 3 points.", 0.03),
        (
            "Product said we could lose at most half a point. The director overruled that and set the cap at 2 points.",
            0.02,
        ),
        ("We may lose no more than 1% of accuracy; risk has since tightened the limit to 0.5%.", 0.005),
        # a limit dropped later: no budget (the dropped limit was read before)
        ("Originally we had to stay within 1 point of accuracy, but that limit was dropped.", None),
        (
            "We can lose at most 2 points of accuracy. The 2-point limit no longer applies after the reorg, though.",
            None,
        ),
        (
            "Accuracy could fall by at most 1.5 points until the steering group scrapped that cap in May.",
            None,
        ),
        # guards (read right before too): a revision of something else, a limit kept
        ("At most 1% accuracy loss. The board set the budget at 5% of revenue.", 0.01),
        (
            "We can lose at most 2 points of accuracy, and the approval gap was cut to 3 points last year.",
            0.02,
        ),
        ("We can lose at most 2 points of accuracy.", 0.02),
        ("Accuracy may fall by at most 1.5 pp.", 0.015),
    ],
)
def test_a_limit_revised_or_dropped_later(text, budget):
    assert budget_of(text) == (pytest.approx(budget) if budget is not None else None)
