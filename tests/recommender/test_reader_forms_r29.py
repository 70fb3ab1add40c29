"""Forms of statement the reader must get right (twenty-ninth round, issue 14). Every phrasing here was
written for this file, not taken from a validation corpus or the development queries; each failed before the
change it tests, or guards it."""

from __future__ import annotations

import pytest
from fairmend.recommender import parse_text
from quality import budget_of, from_text


@pytest.mark.parametrize(
    "text, budget",
    [
        # a bare fraction of the metric itself (the denominator was read as 50 points before)
        ("Sales agreed to a drop of at most 1/50 in accuracy.", 0.02),
        ("The accuracy may fall by no more than 3/100.", 0.03),
        # guards: a fraction of a unit, a fraction of something else, a number that is no fraction
        ("We can lose at most 1/2 a point of accuracy.", 0.005),
        ("We may lose at most 2 points of accuracy; 3/10 of the applicants are women.", 0.02),
        ("We can lose up to 2/3 of our clients if accuracy drops.", None),
        ("Accuracy may drop at most 2 points; support is 24/7.", 0.02),
    ],
)
def test_a_bare_fraction_of_the_metric(text, budget):
    assert budget_of(text) == (pytest.approx(budget) if budget is not None else None)


@pytest.mark.parametrize(
    "text, field, value",
    [
        # a prohibition reversed by the statement's pronoun or a named ruling (read as still holding before)
        (
            (
                "Counsel once said marital status could not be used at decision time; after an appeal they reversed"
                " that, and it is permitted now. Single parents are declined more."
            ),
            "protected_at_inference_allowed",
            True,
        ),
        (
            (
                "The risk office had ruled that the scorer may not be refitted, but it has since reversed that"
                " ruling. Older drivers pay more."
            ),
            "retraining_allowed",
            True,
        ),
        # guards: a reversal of something else keeps the prohibition; so does one by another party, before
        (
            "We cannot refit the scorer; the board reversed its decision on the new branch. Older drivers pay more.",
            "retraining_allowed",
            False,
        ),
        (
            "We cannot refit the scorer; we dropped the decision threshold last spring. Older drivers pay more.",
            "retraining_allowed",
            False,
        ),
    ],
)
def test_a_prohibition_reversed_later(text, field, value):
    assert from_text(parse_text(text), field) is value
