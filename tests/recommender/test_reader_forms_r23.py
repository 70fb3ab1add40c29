"""Forms of statement the reader must get right (twenty-third round, issue 14). Every phrasing here was
written for this file, not taken from a validation corpus or the development queries; each failed before the
change it tests, or guards it."""

from __future__ import annotations

import pytest
from fairmend.recommender import parse_text
from fairmend.recommender.budget import accuracy_budget
from quality import from_text


@pytest.mark.parametrize(
    "text, retraining",
    [
        # "cleared" as a property of a product withdraws nothing (read as a permission before)
        ("Retraining is not possible; the scorer is a CE-cleared device.", False),
        ("We can't change the weights. It's an FDA-cleared system.", False),
        # a dated retraining in the past is an event, not a permission (read as one before)
        ("We re-trained it in the spring with new inputs.", None),
        # guards (read right before too): other dated retrainings, a clearance that grants, a past retraining
        # with a permission beside it
        ("Our churn scorer was retrained in March with two new features.", None),
        ("We refit the pricing model three months ago; young drivers still pay more.", None),
        ("We believed we could not retrain. Then legal cleared it.", True),
        ("We retrained it last month, and we are free to retrain it again.", True),
    ],
)
def test_clearances_and_past_retraining(text, retraining):
    assert from_text(parse_text(text), "retraining_allowed") is retraining


@pytest.mark.parametrize(
    "text, field, value",
    [
        # two agents denied one plain act (read as a permission before)
        (
            "Neither the pricing engine nor the underwriter sees a customer's ethnicity when quoting.",
            "protected_at_inference_allowed",
            False,
        ),
        # a rule withdrawn by naming it (read as the rule before)
        (
            "At first our counsel said we couldn't use age when scoring, but later she dropped that objection.",
            "protected_at_inference_allowed",
            True,
        ),
        (
            "The regulator barred any refit of the scorecard. That restriction was lifted in June.",
            "retraining_allowed",
            True,
        ),
        # guards: a denial of two acts by one agent, a withdrawal that names no rule
        (
            "The agency neither collects religion nor uses it.",
            "protected_at_inference_allowed",
            False,
        ),
        ("Neither we nor the vendor may use race at scoring time.", "protected_at_inference_allowed", False),
        (
            "We can't retrain. The vendor dropped the price of the licence.",
            "retraining_allowed",
            False,
        ),
    ],
)
def test_denials_shared_and_rules_withdrawn(text, field, value):
    assert from_text(parse_text(text), field) is value


@pytest.mark.parametrize(
    "text, task",
    [
        # a letter scale named as what the model gives (read as nothing before)
        ("Our reading-level model gives each pupil a grade from A to D.", "multiclass_classification"),
        ("The credit model assigns A, B, C or D to every small business.", "multiclass_classification"),
        # guard: two letters are no scale
        ("The form asks whether plan A or B suits the client.", None),
    ],
)
def test_letter_scales(text, task):
    got = parse_text(text).task
    assert (got.value if got is not None else None) == task


@pytest.mark.parametrize(
    "text, budget",
    [
        # an amount called soft or wished for (read as a budget before)
        ("Accuracy should not fall by more than 2% if at all possible.", None),
        ("Keep the AUC loss under 0.01, though that's not a firm limit.", None),
        # guards: an amount called a soft target (read right before too), a firm limit called firm or
        # non-negotiable
        ("A 1.5 point drop in accuracy is our soft target.", None),
        ("Accuracy may drop by at most 2%, and that is a hard limit.", 0.02),
        ("No more than 1% accuracy loss; this is non-negotiable.", 0.01),
    ],
)
def test_soft_budgets(text, budget):
    got = accuracy_budget(text)
    assert (got[0] if got else None) == pytest.approx(budget) if budget else got is None


@pytest.mark.parametrize(
    "text, intervention",
    [
        # a model that may not change and one kind of work that changes nothing as the whole request (read
        # as nothing before)
        (
            (
                "The credit model can't be changed; all I need is a causal analysis of how postcode carries the "
                "ethnicity gap."
            ),
            False,
        ),
        (
            (
                "Our scheduling model is frozen until the audit ends. What we want is monitoring of shift "
                "allocations by gender."
            ),
            False,
        ),
        # guards: a fix asked beside the analysis; a document as the deliverable (read right before too)
        (
            "We can't retrain the model. We'd like a causal analysis first and then a post-processing fix.",
            None,
        ),
        ("We can't retrain the vendor model. What we want is a model card for the procurement file.", False),
    ],
)
def test_a_locked_model_and_only_analysis_asked(text, intervention):
    assert from_text(parse_text(text), "intervention_allowed") is intervention


@pytest.mark.parametrize(
    "text, field, value",
    [
        # "sorted" meaning settled orders nothing (read as a ranking task before)
        (
            "Retraining is sorted. What we need is help choosing fairness metrics for our loan approvals.",
            "task",
            None,
        ),
        # a model described as not using the attribute bans nothing (read as a ban before)
        ("The hiring model doesn't use gender.", "protected_at_inference_allowed", None),
        # guards: a list sorted by a key is a ranking; a non-use the law requires is a ban; a concession
        ("Our search returns results sorted by relevance; women's profiles sit lower.", "task", "ranking"),
        ("The pricing model doesn't use age and legally must not.", "protected_at_inference_allowed", False),
        ("Can a model be biased even if it never uses ethnicity?", "protected_at_inference_allowed", None),
    ],
)
def test_descriptions_that_state_no_constraint(text, field, value):
    c = parse_text(text)
    if field == "task":
        assert (c.task.value if c.task is not None else None) == value
    else:
        assert from_text(c, field) is value


@pytest.mark.parametrize(
    "text, stages",
    [
        # work after deployment is watching the model, not changing its outputs; missing documentation is no
        # request for a document (guards: read right before too; the development text that failed combined
        # a missing document with a limit to outputs)
        (
            (
                "Post-launch only: the clinic's model stays as it is, and we want alerts when sensitivity by sex "
                "diverges."
            ),
            ["monitoring"],
        ),
        (
            "There's no documentation for the scorer, so the fix has to be on its thresholds.",
            ["post_processing"],
        ),
    ],
)
def test_after_deployment_and_missing_documents(text, stages):
    got = parse_text(text).stages
    assert [s.value for s in got or []] == stages


@pytest.mark.parametrize(
    "text, intervention",
    [
        # a measurement turned down, a question whether a fix is needed (read as measure-only before)
        ("We don't want another audit; the approval gap for older applicants has to close.", None),
        ("Do we need any fixes if our selection rates pass the four-fifths rule?", None),
        # guards: a fix turned down is measure-only; numbers as the whole request
        ("No fixes, please: we only need the audit numbers.", False),
        ("We don't need any fixes, just the per-group error rates.", False),
    ],
)
def test_measuring_turned_down_or_a_fix_asked_about(text, intervention):
    assert from_text(parse_text(text), "intervention_allowed") is intervention


@pytest.mark.parametrize(
    "text, stages",
    [
        # a question that offers kinds of fix as alternatives limits the work to none of them (read as a
        # limit to the first or the second before)
        ("Do we reweigh the training data, or just shift the cut-offs, or both? Not decided yet.", []),
        ("Should we retrain the scorer, or only recalibrate its outputs? No decision so far.", []),
        # guard: a limit stated before a question about options within it
        (
            "We may only change the cut-offs. Should we use one cut-off for everyone, or one per group?",
            ["post_processing"],
        ),
    ],
)
def test_a_question_offering_alternatives(text, stages):
    got = parse_text(text).stages
    assert [s.value for s in got or []] == stages


@pytest.mark.parametrize(
    "text",
    [
        # the model called frozen or locked beside a second property (only the second was read before)
        "Our tenancy-screening model, locked and blind to ethnicity at decision time, flags more migrants.",
        "A benefits triage model, frozen and sex-blind when it scores, sends fewer women to the fast track.",
    ],
)
def test_frozen_beside_a_second_property(text):
    c = parse_text(text)
    assert from_text(c, "retraining_allowed") is False
    assert from_text(c, "protected_at_inference_allowed") is False


@pytest.mark.parametrize(
    "text, retraining",
    [
        # the code to rebuild the model gone (read as nothing before)
        (
            "The customer segments came to us as a spreadsheet, and there's no code left to re-run the clustering.",
            False,
        ),
        ("An agency built our donor segments as a static table; there is no code to re-run it.", False),
        # guards (read right before too): other forms of code gone; a missing pipeline beside a permission
        (
            "Our rent-arrears model came from a start-up that folded; there is no training code available anymore.",
            False,
        ),
        ("We have no pipeline for the survey data yet, but the model can be retrained.", True),
    ],
)
def test_no_code_left(text, retraining):
    assert from_text(parse_text(text), "retraining_allowed") is retraining


@pytest.mark.parametrize(
    "text",
    [
        # a loss wished to be nothing is no request to change nothing (guards: read right before too; the
        # development text that failed was read so by the classifier alone)
        "Performance drop? Ideally nothing at all, realistically a bit. Our loan screener declines more single parents.",
        "Any accuracy loss? Ideally zero. Our hiring ranker pushes women down.",
    ],
)
def test_a_loss_wished_to_be_nothing(text):
    assert from_text(parse_text(text), "intervention_allowed") is None
