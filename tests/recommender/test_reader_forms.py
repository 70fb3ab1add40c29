"""More forms of statement the reader must get right (fourteenth round, issue 14). Every phrasing here was
written for this file, not taken from a validation corpus; each failed before the change it tests."""

from __future__ import annotations

import pytest
from fairmend.catalog.types import TaskType
from fairmend.recommender import parse_text


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
    ],
)
def test_labels_written_out_after_the_object_and_a_count_of_levels(text, task):
    assert parse_text(text).task == task
