"""Forms of statement the reader must get right (fifteenth round, issue 14). Every phrasing here was written
for this file, not taken from a validation corpus; each failed before the change it tests, or guards it."""

from __future__ import annotations

import pytest
from fairmend.catalog.types import TaskType
from fairmend.recommender import parse_text

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
    c = parse_text(text)
    assert (c.task if c.sources.get("task") == "text" else None) == task
