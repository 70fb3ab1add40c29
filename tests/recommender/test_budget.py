"""Accuracy budgets in the forms people write them (fairmend.recommender.budget and .floors)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fairmend.recommender.budget import accuracy_budget

# 221 phrasings (151 budgets, 70 near misses) written by a helper session that saw no code and no
# evaluation corpus; the rules were developed on them, so they are development data, not a held-out figure
FORMS = Path(__file__).with_name("budget_forms.yaml")


def test_budget_forms_corpus():
    items = yaml.safe_load(FORMS.read_text())["items"]
    tp = fp = fn = 0
    for item in items:
        got = accuracy_budget(item["text"])
        value = round(got[0], 5) if got else None
        gold = round(item["budget"], 5) if item["budget"] is not None else None
        if value == gold:
            tp += gold is not None
            continue
        fp += value is not None
        fn += gold is not None
    assert len(items) >= 200
    assert tp / (tp + fp) >= 0.98 and tp / (tp + fn) >= 0.95, (tp, fp, fn)


@pytest.mark.parametrize(
    "text, budget",
    [
        # a floor below today's level
        ("The AUC is 0.84 today and it must not fall below 0.82.", 0.02),
        ("Our accuracy sits at 90%. Anything under 88.5% will be rejected.", 0.015),
        ("We can let recall go from 0.75 to 0.74, no further.", 0.01),
        ("F1 >= baseline - 2pp", 0.02),
        ("accuracy cannot go below 85%", None),  # no level to measure the loss from
        ("The approval rate is 60% and must stay above 55%.", None),  # not accuracy
        ("Accuracy is 0.91 for men and 0.86 for women.", None),  # levels, no floor
        # conditional rejections, trailing limits, abbreviations, a comma decimal
        ("If the AUC drops by more than 0.01 the release is blocked.", 0.01),
        ("3 pts of bal. acc. at most", 0.03),
        ("we accept max 1,5 percent of loss on accuracy", 0.015),
        ("Two points. That is the accuracy loss we can defend.", 0.02),
        # near misses: other quantities, gaps between groups, questions, reported or withdrawn amounts
        ("No more than 10% of applicants may be sent to manual review.", None),
        ("The gap in recall between the groups must be no more than 2 points.", None),
        ("Could we lose two points of accuracy?", None),
        ("The vendor claims its method costs less than 1% accuracy.", None),
        ("We thought the accuracy budget was 1 pt, but that no longer holds.", None),
        ("A drop of under 5% in the approval rate is fine.", None),
        # what the amount is of, a gap named in an earlier phrase, a label that names the budget, hedges
        ("We'll tolerate at most three tenths of a percentage point of lost accuracy.", 0.003),
        ("Close the age gap in approvals, with a maximum of 0.75 percent accuracy lost.", 0.0075),
        ("Retraining: allowed. Budget: under 2.5%.", 0.025),
        ("A quarter of a point of AUC at the very most.", 0.0025),
        ("Ideally we'd keep it under 1% of accuracy, but that's negotiable.", None),
        ("Losing more than 1% of accuracy is non-negotiable: at most 1%.", 0.01),
        # a half after the unit
        ("We can give up a point and a half of accuracy, no more.", 0.015),
        ("Two percentage points and a half is our accuracy limit.", 0.025),
        # a limit named by a noun after the amount, "but no further"
        ("There is a 1.5pp accuracy allowance for this work.", 0.015),
        ("We were given a 3% AUC budget for the change.", 0.03),
        ("F1 can drop by up to 0.03 but no further.", 0.03),
        ("we have a 2% budget increase for the team", None),
        # twenty-first round: a question asking for an outcome within the writer's own limit (not a question
        # about the amount), a wish, a loss that already happened, a number taken back later, a label with
        # words before its colon, Gini, "a single point", "caps", a bare fraction called absolute
        ("Is there a post-processing fix that keeps recall within 1.5 points?", None),
        ("Which method closes the approval gap while costing no more than 0.5% accuracy?", 0.005),
        ("Could we reach parity with under two points of AUC lost?", 0.02),
        ("Is a 1% drop in accuracy acceptable to you?", None),
        ("Preferably F1 would not fall by more than 2 points.", None),
        ("Preferably retrain in-house, but accuracy may drop by at most 2 points.", 0.02),
        ("Last quarter the accuracy fell 3% after the vendor update.", None),
        ("Our hit rate dropped 4 points after the migration.", None),
        ("Budget: at most 1.5 pp of AUC. Forget that, legal says there is no fixed number yet.", None),
        ("Accuracy tolerance for the renewal-pricing work: 0.4 pp.", 0.004),
        ("The Gini coefficient may fall by no more than 0.02.", 0.02),
        ("Precision must not go down by more than a single percentage point.", 0.01),
        ("The risk committee caps the AUC loss at 0.5%.", 0.005),
        ("Accuracy loss has to stay below 0.015 absolute.", 0.015),
        ("We'd shed a couple of tenths of a point of accuracy for this.", None),
        # twenty-second round: a rise in a regression's error, a metric named by the sentence before, a loss
        # named after the amount with an adjective before the limit, "scratch that" takes back only the
        # sentence just before it
        ("Mean absolute error may rise by at most 3% on the salary model.", 0.03),
        ("We can live with a 1.5% increase in the RMSE, not more.", 0.015),
        ("The error rate gap is 4% between the regions.", None),
        ("F1 sits at 0.74 today. The largest tolerable loss is 0.02.", 0.02),
        ("F1 sits at 0.74 today. Approvals dropped 0.05 last spring.", None),
        ("A three point loss of AUC would be the hard ceiling for us.", 0.03),
        ("A 2% reduction in recall would be our absolute limit.", 0.02),
        (
            "Max 1% accuracy loss. It is a ranking... scratch that, a classifier. Only the data may change.",
            0.01,
        ),
        ("Max 1% accuracy loss. Scratch that, we have not agreed a number.", None),
    ],
)
def test_budget_forms(text, budget):
    got = accuracy_budget(text)
    assert (got[0] if got else None) == pytest.approx(budget) if budget else got is None
