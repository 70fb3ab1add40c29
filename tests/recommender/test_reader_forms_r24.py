"""Forms of statement the reader must get right (twenty-fourth round, issue 14). Every phrasing here was
written for this file, not taken from a validation corpus or the development queries; each failed before the
change it tests, or guards it."""

from __future__ import annotations

import pytest
from fairmend.recommender import parse_text
from quality import budget_of, from_text


@pytest.mark.parametrize(
    "text, budget",
    [
        # a limit after "hit to accuracy" (read as no budget before)
        ("Our CFO will absorb a 0.4% hit to accuracy, no more.", 0.004),
        # a comparison sign as the limit, also with a delta written as a symbol (no budget before)
        ("The hard line for the ops team: ≤0.8pp accuracy loss.", 0.008),
        ("Risk signed the memo: ΔAUC ≤ 0.02 for any fairness fix.", 0.02),
        # "red line" names the limit (no budget before)
        ("Our red line is half a percentage point of accuracy.", 0.005),
        # a counted fraction written with hyphens (no amount before)
        ("We can give up two-tenths-of-a-percent of accuracy and not a hair more.", 0.002),
        # the metric after words that qualify it (read as an amount of something else before)
        ("We accept a drop of one point in held-out test accuracy, at most.", 0.01),
        # guards: a significance level, a difference between groups, an arrow, an amount of something else
        ("Accuracy drops are fine if p < 0.01.", None),
        ("Use alpha <= 0.05 for the accuracy test.", None),
        ("The approval gap between groups is < 3 points.", None),
        ("The flow is raw data -> features -> 2% of rows dropped.", None),
        ("We accept a loss of 3 points in female applicants' approval rate, max.", None),
        ("Keep accuracy loss <= 1.5%.", 0.015),
    ],
)
def test_budget_forms(text, budget):
    assert budget_of(text) == (pytest.approx(budget) if budget is not None else None)


@pytest.mark.parametrize(
    "text, value",
    [
        # a requirement after "actually" / "in fact" grants (flipped into a ban before)
        (
            "Using religion when deciding is not forbidden here; the charity's constitution actually requires it.",
            True,
        ),
        (
            "Considering age at the final decision isn't banned for us; the pension rules in fact require it.",
            True,
        ),
        # guards: a grant then a requirement in one clause (read right before too), a reversal with a plain verb
        # still flips, and a ban stays a ban
        ("The ordinance permits, in fact mandates, weighing disability at the award decision.", True),
        ("We thought we couldn't use age at decision time. Actually, we can.", True),
        ("Race is not allowed in the decision; the statute says so.", False),
    ],
)
def test_a_requirement_in_a_reversal_grants(text, value):
    assert from_text(parse_text(text), "protected_at_inference_allowed") is value


@pytest.mark.parametrize(
    "text, value",
    [
        # a use granted for an offline purpose is no permission at decision time (read as one before)
        ("Religion may be used for reporting.", None),
        ("Nationality can be used in monitoring.", None),
        # guards (read right before too; the development text that failed had the classifiers read its
        # subject-less "but is firewalled" clause weakly): firewalled without and with its subject; a use for
        # reporting beside a ban
        (
            "Ethnicity is held in the HR warehouse but is firewalled: it may be used for reporting, never scoring.",
            False,
        ),
        ("Race is firewalled from the scoring service.", False),
        ("Gender can be used for auditing but never at decision time.", False),
    ],
)
def test_firewalled_and_offline_use(text, value):
    assert from_text(parse_text(text), "protected_at_inference_allowed") is value


@pytest.mark.parametrize(
    "text, available",
    [
        # "zero" of the attribute, and "it" referring to the attribute named just before (not read before)
        ("We hold zero demographic fields on our borrowers.", False),
        ("Should we start gathering ethnicity data for our audits? Today we simply don't have it.", False),
        ("Is it worth collecting applicants' religion? We do not hold it at present.", False),
        # guard: an absence of something else
        ("Should we collect more outcome labels? At the moment we don't have them at all.", None),
    ],
)
def test_absent_attribute(text, available):
    assert from_text(parse_text(text), "protected_available") is available


@pytest.mark.parametrize(
    "text, stages",
    [
        # work limited to what follows the model's output (read as in-processing before)
        ("We can only operate downstream of the network's softmax.", ["post_processing"]),
        # an existing document quoted as a source asks for no document (read as documentation before)
        (
            "The model card for the triage model says it was trained on 2018 data only. Women now wait longer.",
            [],
        ),
        # guards (read right before too): what the data holds, told with "just"; other limits to the outputs; a
        # quoted document; a limit to the data
        ("Our approvals skew by region, and the table is just loan applications.", []),
        ("We may only act downstream of the classifier's logits.", ["post_processing"]),
        (
            "Any fix has to happen after the model, on the scores, because the learner is not ours.",
            ["post_processing"],
        ),
        (
            "The datasheet for our training set says it was sampled in 2019; older women now get more denials.",
            [],
        ),
        ("We can only change the training table.", ["pre_processing"]),
    ],
)
def test_stage_forms(text, stages):
    got = parse_text(text).stages
    assert [s.value for s in got or []] == stages


@pytest.mark.parametrize(
    "text, retraining",
    [
        # the model named an outside product (not read before)
        (
            "The ranking service behind our marketplace is an external SaaS; we get back an ordered list.",
            False,
        ),
        # guard (read right before too)
        ("The screening engine behind our careers page is a third-party SaaS product.", False),
        # a question left open states no permission (read as one before)
        ("Nothing is agreed yet on what we can change in the pricing model.", None),
        # guards: data bought from an outside service; a vendor product with a plain ban
        ("We buy applicant histories from an external API and the gaps hurt older people.", None),
        ("The triage tool is a licensed product that we can't modify.", False),
    ],
)
def test_outside_products_and_open_questions(text, retraining):
    assert from_text(parse_text(text), "retraining_allowed") is retraining


@pytest.mark.parametrize(
    "text, intervention, retraining",
    [
        # the rule left elliptical after the change it forbids (only "no intervention" before)
        (
            "Not touching anything, we are not permitted to. I need a datasheet for the survey data.",
            False,
            False,
        ),
        # a search for where the harm is, no mitigation yet (not read before)
        (
            (
                "Point me to ways of finding which intersections our loan model treats worst. Discovery mode, "
                "no mitigation yet."
            ),
            False,
            None,
        ),
        # guard (read right before too)
        ("Which subgroups does the tool hurt most? We're exploring, no mitigation yet.", False, None),
    ],
)
def test_nothing_to_change(text, intervention, retraining):
    c = parse_text(text)
    assert from_text(c, "intervention_allowed") is intervention
    assert from_text(c, "retraining_allowed") is retraining


@pytest.mark.parametrize(
    "text, task",
    [
        # one of N with any noun, and classes listed in brackets after the model (not read before)
        (
            "Ongoing checks only. The model sends every claim to one of 5 adjusters.",
            "multiclass_classification",
        ),
        (
            "Tier assignment (basic / plus / premium). Older customers end up in basic.",
            "multiclass_classification",
        ),
        (
            "The passport-check classifier from our supplier (valid / expired / forged / other) mislabels passports.",
            "multiclass_classification",
        ),
        # guards (read right before too)
        (
            "The router assigns every email to one of 6 desks, and Welsh emails land on the wrong desk.",
            "multiclass_classification",
        ),
        (
            "The intake classifier (billing / outage / sales / other) misroutes messages from older users.",
            "multiclass_classification",
        ),
        # features ranked by importance is no ranking task (read as one before)
        ("SHAP importance ranks postcode first among the inputs of our credit model.", None),
        # guards: an input counted among others (read as multiclass on the way, by the "one of N" cue); a
        # protected attribute's categories in brackets; a ranking model
        ("Sex is one of the 25 features of our triage model, and women wait longer. Any thoughts?", None),
        ("Protected attribute: religion (Hindu / Muslim / Christian / Other).", None),
        ("Our search ranker buries listings from women-owned shops.", "ranking"),
    ],
)
def test_task_forms(text, task):
    c = parse_text(text)
    assert (c.task.value if c.task is not None else None) == task


@pytest.mark.parametrize(
    "text, intent",
    [
        # documents as the data the model reads ask for no documentation (read as a documentation intent before)
        (
            "Our document classifier sorts scanned letters into five trays; letters from older people go astray.",
            None,
        ),
        ("Invoices and documents from Polish suppliers get flagged as fraud more often.", None),
        # guard: documentation asked for
        ("We need to document the scorer's fairness testing for the regulator.", "document"),
    ],
)
def test_documents_as_data(text, intent):
    assert parse_text(text).intent == intent


@pytest.mark.parametrize(
    "text, field, value",
    [
        # a grant after "actually" withdraws nothing said before it (it had flipped the permission to retrain)
        (
            (
                "We fit the model in-house, so refitting is fine. The ombudsman actually permits, even "
                "encourages, using age at the decision."
            ),
            "retraining_allowed",
            True,
        ),
        # guards: a grant read from the clause itself (read right before too); a negated grant after "actually"
        # still flips
        (
            "Retraining is impossible for us. Our licence actually allows it.",
            "retraining_allowed",
            True,
        ),
        (
            "We thought we could retrain. Actually, the contract doesn't allow it.",
            "retraining_allowed",
            False,
        ),
    ],
)
def test_a_grant_in_a_reversal(text, field, value):
    assert from_text(parse_text(text), field) is value


@pytest.mark.parametrize(
    "text, value",
    [
        # a rule kept, not withdrawn, by "and it isn't" (read as a withdrawal before)
        (
            "Disability must never be an input to the grant model, and it isn't. Yet disabled applicants get less.",
            False,
        ),
        # a bare "no" answering a question of permission (read as a permission before)
        ("Ethnicity usable when pricing? No.", False),
        # a wish for it after "actually" grants (flipped into a ban before)
        ("The rent model may use age at quote time; the regulator actually wants that.", True),
        # guards: a ban given as the answer; a plain "yes" answer
        ("Can we use caste for the cut-off? Counsel says the state ban means no.", False),
        ("Age permitted at decision time? Yes.", True),
    ],
)
def test_answers_and_rules_kept(text, value):
    assert from_text(parse_text(text), "protected_at_inference_allowed") is value
