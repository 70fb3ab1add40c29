"""Forms of statement the reader must get right (thirtieth round, issue 14). Every phrasing here was written for
this file, not taken from a validation corpus or the development queries; each failed before the change it
tests, or guards it."""

from __future__ import annotations

import pytest
from fairmend.catalog.types import Stage, TaskType
from fairmend.recommender import parse_text
from fairmend.recommender.frozen import freezes_other
from quality import from_text


@pytest.mark.parametrize(
    "words, thing",
    [
        ("The pricing committee locked the premium tables through March", "premium tables"),
        ("our intake questionnaire is frozen for this survey wave", "questionnaire"),
        ("the lower layers stay frozen while we fine-tune the head", "backbone"),
        ("Our mobile front end has been in a release freeze since October", "front end"),
        # the model, or a word that may stand for it, is named: the freeze may be the model's
        ("The premium tables and the pricing model are both locked", None),
        ("It is frozen, like the premium tables", None),
        ("Everything, the dashboards included, is frozen", None),
        ("the dashboards are frozen, so nobody may retrain until March", None),
        # no freeze at all
        ("we review the premium tables every March", None),
    ],
)
def test_what_a_freeze_is_said_of(words, thing):
    assert freezes_other(words) == thing


@pytest.mark.parametrize(
    "text",
    [
        (
            "The pricing committee locked the premium tables through March. Our claims-triage classifier sends"
            " older policyholders to manual review far more often; what would you suggest?"
        ),
        (
            "Our intake questionnaire is frozen for this survey wave. The tenancy-risk score rates single mothers"
            " as riskier than other applicants with the same arrears history."
        ),
    ],
)
def test_a_freeze_of_another_thing_is_no_ban_on_retraining(text):
    c = parse_text(text)
    assert from_text(c, "retraining_allowed") is not False
    assert from_text(c, "intervention_allowed") is not False


@pytest.mark.parametrize(
    "text",
    [
        # guards: the model itself is frozen, beside or without another thing
        (
            "The vendor locked the scoring engine years ago, so we cannot retrain it. Applicants over 60 are"
            " approved less often."
        ),
        (
            "The premium tables and the pricing model are both locked until the audit ends. Older drivers are"
            " quoted more."
        ),
    ],
)
def test_a_freeze_of_the_model_still_bans_retraining(text):
    assert from_text(parse_text(text), "retraining_allowed") is False


def test_the_doubt_names_the_thing_frozen():
    c = parse_text(
        "Finance froze the marketing budgets until April. Our credit-line model offers women lower limits than"
        " men with the same income."
    )
    doubts = [u for u in c.uncertain if u.field == "retraining_allowed"]
    assert from_text(c, "retraining_allowed") is not False
    if doubts:  # when the reader took the freeze for a ban, it says why it holds it back
        assert "budgets" in doubts[0].reason


@pytest.mark.parametrize(
    "text, value",
    [
        # "whether" opening the decision the model makes: the prohibition before it stands (dropped before)
        (
            (
                "Provincial law says we may not use religion when deciding whether to grant the housing subsidy."
                " Our eligibility model approves Muslim applicants less often."
            ),
            False,
        ),
        (
            (
                "We cannot use disability status when the model predicts whether a claimant gets a home visit."
                " Visits go to fewer wheelchair users."
            ),
            False,
        ),
        # guards: a question about the work itself stays open
        (
            "Legal has not yet decided whether to allow age in the pricing decision. Older drivers are quoted more.",
            None,
        ),
        (
            (
                "Our team is still discussing whether we may use ethnicity at decision time. The triage model"
                " under-refers Roma patients."
            ),
            None,
        ),
    ],
)
def test_whether_of_the_decision_is_no_question(text, value):
    assert from_text(parse_text(text), "protected_at_inference_allowed") is value


@pytest.mark.parametrize(
    "text, value",
    [
        # nothing left to rebuild the model from: a ban (read as a permission before)
        (
            "There's nothing left to retrain the tenancy model with. Applicants with vouchers are rejected more.",
            False,
        ),
        # guard: something to retrain it on is a permission
        (
            (
                "Nothing stops us from retraining the tenancy model, and we have years of data to retrain it on."
                " Applicants with vouchers are rejected more."
            ),
            True,
        ),
    ],
)
def test_nothing_to_rebuild_from(text, value):
    assert from_text(parse_text(text), "retraining_allowed") is value


@pytest.mark.parametrize(
    "text, value",
    [
        # a line wrapped inside a sentence: the routine retraining it reports is no permission (the wrap split
        # "we refit it" from "every semester" before, and "we refit it" alone read as a permission)
        (
            (
                "Our district bought the early-warning model from a nonprofit in 2021 and since then we refit it\n"
                "every semester with fresh attendance data. Boys are flagged far more often than girls."
            ),
            None,
        ),
        # guard: a short line is a statement of its own, wrapped or not
        ("Constraints for the early-warning model:\nno retraining\nattendance data only", False),
    ],
)
def test_a_wrapped_line_is_one_sentence(text, value):
    assert from_text(parse_text(text), "retraining_allowed") is value


def test_a_model_never_given_the_attribute():
    # the attribute kept from the model in a second statement of the clause (missed before)
    text = (
        "We bought the ride-matching engine as a black box that cannot be retrained and is not given the driver's"
        " religion. Sikh drivers get fewer airport rides."
    )
    assert from_text(parse_text(text), "protected_at_inference_allowed") is False


@pytest.mark.parametrize(
    "words, kept",
    [
        ("a hosted tool that never receives the applicant's nationality", True),
        ("it can neither be refit nor be fed the tenant's sexual orientation", True),
        ("the api doesn't see applicant age", True),
        # guards: something else is never received; a group, not the attribute, is named
        ("the engine never sees a single complaint about religion", False),
        ("the scheme never receives women applicants from the north", False),
        ("the model is given the applicant's age", False),
    ],
)
def test_what_counts_as_never_given_the_attribute(words, kept):
    from fairmend.recommender.clause_checks import _NOT_FED

    assert (_NOT_FED.search(words) is not None) is kept


def test_a_vendor_model_kept_from_the_attribute_bans_retraining_too():
    # the clause that keeps the attribute out also names another's product: both readings hold (the retraining
    # one was taken for the attribute rule read twice before)
    c = parse_text(
        "Rental verdicts come from a black-box vendor API that never receives the applicant's religion. Muslim"
        " applicants are refused more."
    )
    assert from_text(c, "retraining_allowed") is False
    assert from_text(c, "protected_at_inference_allowed") is False


@pytest.mark.parametrize(
    "text, intervention",
    [
        # nothing is being changed, and a document is the only deliverable (no intervention was read before)
        (
            "Nothing in the pricing model or its features is being changed. We're only writing up its model card.",
            False,
        ),
        (
            (
                "The loan scorer moves to another department next month. No changes to it are planned; I just need"
                " a handover document describing its evaluation by sex."
            ),
            False,
        ),
        # guard: a retraining that is not happening, beside a fix asked for
        (
            (
                "The model is not being retrained this quarter for budget reasons, but we can move its thresholds."
                " Women are approved less."
            ),
            None,
        ),
    ],
)
def test_nothing_being_changed_and_only_a_document(text, intervention):
    c = parse_text(text)
    assert from_text(c, "intervention_allowed") is intervention
    if intervention is False:
        assert from_text(c, "stages") == [Stage.DOCUMENTATION]


@pytest.mark.parametrize(
    "text, stages",
    [
        # options set side by side for the writer to choose from: proposals, no limit (in-processing before)
        (
            (
                "Half the team want to strip postcode from the training table entirely, half want a fairness"
                " penalty in the loss. Who's right? Our mortgage model declines Black applicants more."
            ),
            None,
        ),
        # guard: a limit stated before the question between two ways of working within it
        (
            "We may only adjust the training data; should we reweight or resample it? Women get fewer loans.",
            [Stage.PRE_PROCESSING],
        ),
    ],
)
def test_options_side_by_side_limit_nothing(text, stages):
    assert from_text(parse_text(text), "stages") == stages


@pytest.mark.parametrize(
    "text",
    [
        # a class count over twelve, in words (not read before)
        (
            "We sort incoming grant applications into one of fifteen programme areas so they reach the right panel."
            " Applications from women-led charities keep landing in the general pile."
        ),
        "Our intent classifier picks one of twenty intents for each chat message; messages in Scots dialect are misrouted more.",
    ],
)
def test_many_classes_in_words(text):
    assert from_text(parse_text(text), "task") is TaskType.MULTICLASS_CLASSIFICATION


@pytest.mark.parametrize(
    "text",
    [
        # what the classifier reads is no class count (many classes were read from "with 20 features" before)
        "Our loan classifier with 20 features declines women more.",
        # guards: the same in words, and with a word between
        "Our loan classifier with twenty features declines women more.",
        "The classifier with 14 input features declines women more.",
    ],
)
def test_a_count_of_features_is_no_count_of_classes(text):
    assert from_text(parse_text(text), "task") is None


@pytest.mark.parametrize(
    "text, value",
    [
        # the writer routinely retrains their own model, fed by a bought input: no ban (one was read before)
        (
            (
                "The income estimate is purchased, not produced by us, but it feeds our own limit model, which we"
                " retrain weekly. Young applicants get lower limits."
            ),
            None,
        ),
        # guard: a ban stated beside the routine retraining of another model stands
        (
            "The vendor scorer cannot be retrained; we retrain our own overlay monthly. Young drivers pay more.",
            False,
        ),
    ],
)
def test_the_writer_who_routinely_retrains(text, value):
    assert from_text(parse_text(text), "retraining_allowed") is value


@pytest.mark.parametrize(
    "text, intervention",
    [
        # the remedies available asked about: a fix is wanted (no intervention was read before)
        (
            (
                "The Council runs a housing-allocation model that orders applicants on the waiting list. Residents"
                " have complained that disabled applicants sit lower. The Council wishes to understand the technical"
                " remedies available."
            ),
            None,
        ),
        # guard: remedies declined
        (
            "We only want to measure the gap; no remedies are needed. Customers over 70 are refused more.",
            False,
        ),
    ],
)
def test_the_remedies_available_are_asked_for(text, intervention):
    assert from_text(parse_text(text), "intervention_allowed") is intervention


@pytest.mark.parametrize(
    "text, value",
    [
        # a rule of others, then said in a statement of its own not to apply to the writer (read as theirs before)
        (
            (
                "I saw that a large lender nearby may no longer use applicant age when deciding, after a court"
                " settlement. We're a small cooperative elsewhere and nothing like that applies to us. Our overdraft"
                " model declines under-25s more."
            ),
            None,
        ),
        # a past rule of an employer the writer has left (read as theirs before)
        (
            (
                "At my previous employer we weren't allowed to use religion at decision time. Now I'm at a charity"
                " lender and building its first grant-eligibility model. Muslim applicants are approved less."
            ),
            None,
        ),
        # guards: a rule in force, and one still in force after "now"
        (
            (
                "We are not allowed to use religion at decision time. Now I'm at a loss about what to do; Muslim"
                " applicants are approved less."
            ),
            False,
        ),
        (
            (
                "We weren't allowed to use religion at decision time when the model was built, and we still aren't."
                " Now we are in the review phase; Muslim applicants are approved less."
            ),
            False,
        ),
    ],
)
def test_a_rule_of_others_or_of_a_former_employer(text, value):
    assert from_text(parse_text(text), "protected_at_inference_allowed") is value


@pytest.mark.parametrize(
    "text, value",
    [
        # the data to refit with gone after a permission was stated: no retraining (the permission held before)
        (
            (
                "We had the green light to retrain the pricing model, but it turns out the warehouse was wiped and"
                " the training data is gone. Young drivers pay more."
            ),
            False,
        ),
        (
            (
                "We were told we could refit the attrition model; however, the training data has since been"
                " deleted. Older staff are flagged more."
            ),
            False,
        ),
        # guard: gone before the permission, which says how it is rebuilt
        (
            (
                "The training data was deleted last year, but we can rebuild it from the warehouse and refit the"
                " model. Older staff are flagged more."
            ),
            True,
        ),
    ],
)
def test_the_data_gone_after_a_permission(text, value):
    assert from_text(parse_text(text), "retraining_allowed") is value


@pytest.mark.parametrize(
    "text, value",
    [
        # the writer is the vendor: no ban on retraining (one was read from "vendor" before)
        (
            (
                "I'm the vendor: we sell a tenant-screening score to letting agents. Applicants with housing benefit"
                " score lower. What should we change?"
            ),
            None,
        ),
        # guard: the writer is the vendor's customer
        (
            "We are a vendor's customer and only get its scores; the model cannot be changed. Women are under-triaged.",
            False,
        ),
    ],
)
def test_the_writer_as_the_vendor(text, value):
    assert from_text(parse_text(text), "retraining_allowed") is value
