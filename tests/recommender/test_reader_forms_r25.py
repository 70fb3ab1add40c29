"""Forms of statement the reader must get right (twenty-fifth round, issue 14). Every phrasing here was
written for this file, not taken from a validation corpus or the development queries; each failed before the
change it tests, or guards it."""

from __future__ import annotations

import pytest
from fairmend.recommender import parse_text
from fairmend.recommender.budget import accuracy_budget
from quality import from_text


@pytest.mark.parametrize(
    "text, budget",
    [
        # a number and a fraction joined by hyphens (read as half a point before)
        ("Our board allows a loss of three-and-a-half points of accuracy.", 0.035),
        ("Budget: one-and-a-quarter percent of accuracy, no more.", 0.0125),
        # guards (read right before too)
        ("We can give up two and a half points of accuracy at most.", 0.025),
        ("No more than half a point of accuracy may go.", 0.005),
        ("Accuracy may drop by a point and a half, at most.", 0.015),
    ],
)
def test_hyphenated_mixed_numbers(text, budget):
    got = accuracy_budget(text)
    assert got is not None and got[0] == pytest.approx(budget)


@pytest.mark.parametrize(
    "text",
    [
        # the explanation turned down, not the fix; a fix asked for (read as "no intervention" before)
        "Tenants on benefits get flagged more. Spare me the details - I don't need the theory, only a pointer.",
        "Churn offers skip customers over 70. I don't need the maths, just tell me which fix to try.",
        # a change asked about (read as "no intervention" before)
        "Rejections of night-shift workers keep rising. I want to know what we ought to be doing differently.",
        # guards: a hedge about an amount (read right before too)
        "Tenants on benefits get flagged more. A small accuracy cost is fine, nothing precise. Which approach?",
        "Loan refusals for carers are up. We can lose some AUC, nothing in particular agreed. Any method?",
    ],
)
def test_no_measuring_only_request(text):
    assert from_text(parse_text(text), "intervention_allowed") is None


@pytest.mark.parametrize(
    "text, intervention",
    [
        # guards: measuring asked for, with nothing to change (read right before too)
        ("The scorer is frozen; we don't need a fix, just the numbers on the age gap.", False),
        ("No changes to the tool may be made. We need an audit of the gender gap, nothing more.", False),
    ],
)
def test_measuring_only_kept(text, intervention):
    assert from_text(parse_text(text), "intervention_allowed") is intervention


@pytest.mark.parametrize(
    "text, value",
    [
        # a supposition in a sentence that calls itself imagined (read as a ban before)
        (
            (
                "Suppose ethnicity were banned from the decision step - a thought experiment for our ethics seminar,"
                " nothing decided. Our tenant model turns down more Black applicants. What would you suggest?"
            ),
            None,
        ),
        # guard (read right before too)
        (
            (
                "Imagine race could never reach the scoring step - purely hypothetical, for a training course. Our"
                " tenant model turns down more Black applicants. What would you do?"
            ),
            None,
        ),
        # guards: a supposition asking for advice under the rule, and a plain ban, still state it
        ("Suppose religion could not be used at decision time: which methods would remain?", False),
        ("Religion may not be used at decision time, by statute.", False),
    ],
)
def test_imagined_rules(text, value):
    assert from_text(parse_text(text), "protected_at_inference_allowed") is value


@pytest.mark.parametrize(
    "text, stages",
    [
        # the one lever named (no stage read before)
        (
            "The only thing within our control is the pass mark for the written test. Women pass less often.",
            ["post_processing"],
        ),
        ("The one thing we control is the cut-off used to invite people to interview.", ["post_processing"]),
        # guards (read right before too)
        (
            "My remit is the feature table feeding the underwriting model. Which methods fit?",
            ["pre_processing"],
        ),
        ("The only thing we can change is the threshold.", ["post_processing"]),
        ("All we can touch is the loss function.", ["in_processing"]),
        ("The one thing we know is that the gap is real.", []),
    ],
)
def test_the_one_lever(text, stages):
    got = parse_text(text).stages
    assert [s.value for s in got or []] == stages


@pytest.mark.parametrize(
    "text, retraining",
    [
        # what the model outputs, described (read as a ban on retraining before)
        ("The detector outputs a probability and the integrity office reviews anything above 0.6.", None),
        # the rule of another team's model, turned from (read as a ban before)
        (
            "Pricing's model is frozen until June, but that's their problem. Our retention scorer skews young; ideas?",
            None,
        ),
        (
            (
                "The claims team's model is locked for the audit, but that is their headache. Our fraud flag hits older"
                " drivers."
            ),
            None,
        ),
        # a store of data locked, and who may query it (read as a ban on retraining before)
        (
            (
                "Our customer database is locked and encrypted, and only two admins can query it. The churn model flags"
                " older customers less often. What can we do?"
            ),
            None,
        ),
        (
            "The data warehouse is frozen for the migration until May. Our loan model approves fewer women.",
            None,
        ),
        # guards (read right before too): the model named beside the store, or as what few may access
        ("The claims database and the model are frozen until the audit ends.", False),
        ("Only two engineers can access the model weights, and they will not retrain it.", False),
        # guards: a described output (read right before too); a vendor's output and a limit to the output are bans
        ("The vendor's model outputs a score and we get nothing else.", False),
        ("We only ever see the probability the supplier's model returns.", False),
        ("Our credit model is locked until spring and we cannot retrain it.", False),
    ],
)
def test_descriptions_and_other_models(text, retraining):
    assert from_text(parse_text(text), "retraining_allowed") is retraining


@pytest.mark.parametrize(
    "text, value",
    [
        # another company's sanction (read as a ban before)
        (
            (
                "A rival insurer got fined for using gender in its pricing decisions. Our approvals skew male; which"
                " technique?"
            ),
            None,
        ),
        # what the model is built from, not a rule (read as a ban before)
        (
            "Our credit model does not have religion as a feature, but rejections cluster in minority villages.",
            None,
        ),
        # (both read as bans before too)
        (
            (
                "A rival lender was sanctioned in March for using age in its credit decisions. Our approvals skew"
                " young; which technique fits?"
            ),
            None,
        ),
        (
            "Our pricing model does not have ethnicity as an input, yet quotes differ by neighbourhood. Advice?",
            None,
        ),
        # guard: the writer joins in, and a plain ban (read right before too)
        ("Other insurers may not use sex in pricing decisions, and neither may we.", False),
        ("By law, sex may not be used when the pricing decision is made.", False),
    ],
)
def test_other_companies_and_model_inputs(text, value):
    assert from_text(parse_text(text), "protected_at_inference_allowed") is value


@pytest.mark.parametrize(
    "text, available",
    [
        # a field missing for part of the rows is held (read as not collected before)
        ("The religion field is missing for some of the records, we noticed. Where do we start?", None),
        # guards (read right before too), the last not collected at all
        ("Disability is missing for about 40% of the claimants, and denials look uneven. What now?", None),
        ("We never collect disability status from claimants.", False),
    ],
)
def test_partly_missing(text, available):
    assert from_text(parse_text(text), "protected_available") is available


@pytest.mark.parametrize(
    "text, task",
    [
        # the advice asked for in order (read as a ranking task before)
        ("Women get fewer callbacks. Which would you rank first?", None),
        ("Admissions classifier, women under-admitted. What is top of your list?", None),
        # an estimated amount as the output (no task read before)
        (
            (
                "The appraisal vendor takes property details and gives back an estimated market value. Homes in Latino"
                " tracts come in low."
            ),
            "regression",
        ),
        # guards (read right before too)
        ("Fraud flags hit young drivers more. Which method would you put first?", None),
        ("The model returns the estimated repair cost per claim.", "regression"),
        ("Our feed ranker puts posts by older users at the bottom of the list.", "ranking"),
    ],
)
def test_task_forms(text, task):
    c = parse_text(text)
    assert (c.task.value if c.task is not None else None) == task


def test_scoped_request_is_no_ban():
    # "No changes to the model are part of this": a scoping of the request (read as a ban on retraining before)
    c = parse_text(
        "Compliance wants an evaluation of the pricing model only. No changes to the model are part of this."
    )
    assert from_text(c, "retraining_allowed") is None
    assert from_text(c, "intervention_allowed") is False


@pytest.mark.parametrize(
    "text, value",
    [
        # a verbless question named by the state asked of it, answered "also no" (read as a permission before)
        ("Retraining allowed? Yes. Religion usable at decision time? Also no.", False),
        # guards (read right before too): answered yes; stated, not asked
        ("Age usable when deciding? Yes, the scheme allows it.", True),
        ("Gender usable when scoring, as the regulator confirmed.", True),
    ],
)
def test_verbless_question_answered(text, value):
    assert from_text(parse_text(text), "protected_at_inference_allowed") is value
