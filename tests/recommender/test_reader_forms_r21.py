"""Forms of statement the reader must get right (twenty-first round, issue 14). Every phrasing here was
written for this file, not taken from a validation corpus or the development queries; each failed before the
change it tests, or guards it."""

from __future__ import annotations

import pytest
from fairmend.recommender import Recommender, parse_text
from fairmend.recommender.build import builtin_techniques
from quality import from_text


@pytest.mark.parametrize(
    "text, task",
    [
        # a predictor with its unit, an amount in a currency, a predicted mark
        ("The ETA predictor (minutes) is worse for drivers in the north.", "regression"),
        ("The model predicts what each tenant will owe in pounds next year.", "regression"),
        ("We predict each pupil's reading mark at the end of year six.", "regression"),
        ("A turnaround-time model tells applicants how long their visa will take.", "regression"),
        # classes named with a slash, or three or more written out with their noun
        ("The triage bot sorts messages into 5 billing/technical classes.", "multiclass_classification"),
        (
            "Our model places each applicant in bronze, silver or gold tiers, and older applicants rarely get gold.",
            "multiclass_classification",
        ),
        # an ordering returned as the model's output (the model read this one before; the exact rule guards it)
        ("The shop's search vendor only sends back ranked product IDs - nothing more.", "ranking"),
        # guards: a list of features ranked for an analysis, a prediction of a time that is no model named,
        # an amount in a currency that is not predicted
        ("Give me a ranked list of the features that act as proxies for age.", None),
        ("The loan is paid out in pounds; the model predicts default.", None),
    ],
)
def test_task_forms(text, task):
    c = parse_text(text)
    got = from_text(c, "task")
    assert (got.value if got is not None else None) == task


def test_monitoring_a_ranking_recommends_monitors_that_read_rankings():
    """The drift tests read any column between windows (a ranker's scores), so a request to watch a ranking
    over time is answered with monitors (it had been answered with nothing: no monitor declared ranking)."""
    text = (
        "Our job-search ranking decides which listings people see first. We only want to watch, week by week, "
        "whether listings from women-led firms slip down the results. Monitoring, nothing else."
    )
    c = parse_text(text)
    assert from_text(c, "task").value == "ranking"
    recs = Recommender(builtin_techniques()).recommend(text, top=3).recommendations
    assert len(recs) == 3
    assert all(r.technique.stage.value == "monitoring" for r in recs)
    assert all("ranking" in {x.value for x in r.technique.task_types} for r in recs)


@pytest.mark.parametrize(
    "text, intervention",
    [
        # a question asking for a way to change the outcome: a fix is wanted (read as measure-only before)
        ("Is there any method to even out the error rates of the two groups in our claims model?", None),
        # guards (read right before too): more such questions, an accuracy cost accepted
        (
            "Our screening model flags older applicants far more. Is there a way to make the flag rates match?",
            None,
        ),
        ("A slight AUC dip would be acceptable. Our churn model offers women fewer retention deals.", None),
        ("We could live with a small loss of accuracy. The tenancy model rejects migrants more often.", None),
        # guards: a request to measure only, with fixing ruled out, stays no intervention
        (
            "Is there a way to measure the gap? We are not allowed to change the model or its thresholds.",
            False,
        ),
    ],
)
def test_fix_requests_are_no_measure_only_request(text, intervention):
    assert from_text(parse_text(text), "intervention_allowed") is intervention


@pytest.mark.parametrize(
    "text, at_inference",
    [
        # a passive "be used to decide" is no past belief ("we used to think ...") to withdraw at the text's end
        ("Religion must not be used to rank applicants.", False),
        ("Nationality cannot be used to decide who is flagged.", False),
        ("Disability status may be used to decide the support level.", True),
        ("Counsel allows age at scoring time provided it is only used to offset the unfair path.", True),
        (
            (
                "We own the scorer and refit it monthly, but ethnicity must not be used to pick who gets an "
                "offer; we hold it from a voluntary survey."
            ),
            False,
        ),
        # guard: a past belief at the end of the text is still withdrawn
        ("We used to think that age could not be used at decision time.", True),
    ],
)
def test_a_passive_used_to_is_no_withdrawn_belief(text, at_inference):
    assert from_text(parse_text(text), "protected_at_inference_allowed") is at_inference


@pytest.mark.parametrize(
    "text, intent",
    [
        # "streams" a case is sorted into are classes, not a stream of data to monitor
        (
            (
                "Our triage model puts each referral into one of four clinical streams and we cannot retrain it. "
                "Referrals from Roma families land in the slowest stream far more often."
            ),
            None,
        ),
        # guards: a stream of data or events is something to watch
        (
            "We score a live transaction stream; tell us when approval rates by age start to diverge.",
            "monitor",
        ),
        (
            "Our fraud model runs on streaming card data and we want the gap by nationality tracked.",
            "monitor",
        ),
    ],
)
def test_streams_of_cases_are_no_monitoring_intent(text, intent):
    assert parse_text(text).intent == intent


def test_not_held_by_the_decision_step_agrees_with_a_ban_at_decision_time():
    """Two readings that both keep the attribute from the decision ("= no" and "has never had that field")
    strengthen, not weaken, each other."""
    for text in (
        "Religion at decision time = no, the underwriting system has never had that field.",  # failed before
        (  # guard
            "retrain = yes; ethnicity at scoring = no, the scoring service has never stored that column; "
            "ethnicity for training = from a consented panel"
        ),
    ):
        assert from_text(parse_text(text), "protected_at_inference_allowed") is False, text


@pytest.mark.parametrize(
    "text, retraining",
    [
        # "Ours is the ... model": the model described before is another's
        (
            (
                "The card team's scorer is locked until the audit. Ours is the mortgage pricing model. Older "
                "borrowers pay more."
            ),
            None,
        ),
        # guard: what is said of the writer's model after the turn counts
        (
            "The card team's scorer is open to change. Ours is the mortgage pricing model, and it is locked.",
            False,
        ),
    ],
)
def test_ours_is_another_model(text, retraining):
    assert from_text(parse_text(text), "retraining_allowed") is retraining


@pytest.mark.parametrize(
    "text, retraining",
    [
        # a change of the model granted outright (read as a ban before)
        ("Nobody objects to retraining the churn model.", True),
        # guards (read right before too): other grants, a grant withheld
        ("The board gave us the green light for a full refit of the pricing model.", True),
        ("Risk has given the go-ahead to rebuild the scorer with a fairness constraint.", True),
        ("We have no green light to retrain the model yet.", False),
    ],
)
def test_a_change_granted_outright(text, retraining):
    assert from_text(parse_text(text), "retraining_allowed") is retraining


def test_an_order_kept_within_groups_is_no_ranking_task():
    """ "keeping each person's rank within their group" is a property of a repair (rank-preserving, as the
    disparate impact remover is), not a ranking the model produces; read as one, with only the data to change,
    it had left no technique at all."""
    text = (
        "Only the training table is ours to change. Make the income distributions match across ethnic groups "
        "while keeping each person's rank within their group."
    )
    c = parse_text(text)
    assert from_text(c, "task") is None
    recs = Recommender(builtin_techniques()).recommend(text, top=3).recommendations
    assert len(recs) == 3 and all(r.technique.stage.value == "pre_processing" for r in recs)
    # guard: a ranking stays one
    assert from_text(parse_text("Our ranker orders results for each query."), "task").value == "ranking"


@pytest.mark.parametrize(
    "text, intent",
    [
        # a question how to check, or whether the model is fair, asks for an audit
        ("Our scorer leans heavily on postcode. How would we tell whether that hurts renters?", "audit"),
        ("A nurse asked us: is the model fair to patients who speak little English?", "audit"),
        # guard: a request to fix stays one
        ("How can we reduce the gap in approvals between men and women?", "mitigate"),
    ],
)
def test_questions_how_to_check_ask_for_an_audit(text, intent):
    assert parse_text(text).intent == intent


@pytest.mark.parametrize(
    "text, at_inference",
    [
        # another part of the organisation's rule, then the writer's own case
        (
            (
                "The French subsidiary may not use age in pricing, but we are the UK team. Our quotes are higher "
                "for older drivers."
            ),
            None,
        ),
        # the writer saying the rule is not theirs
        ("Head office bars religion from the scorecard, but that rule doesn't apply to us.", None),
        # guard: the writer's own rule after the contrast still counts
        ("The Dutch branch may use age, but we may not use it in our decisions.", False),
    ],
)
def test_another_branch_rule_binds_the_branch(text, at_inference):
    assert from_text(parse_text(text), "protected_at_inference_allowed") is at_inference


def test_asking_for_options_asks_for_a_fix():
    """ "what would our options be?" asks what can be done, so a paper named as the occasion does not make
    documentation the only work."""
    for text in (
        (  # read as documentation only before
            "Purely a planning exercise for a consultation paper: if the regulator one day banned age as a "
            "pricing factor for car insurance, what would our technical options look like?"
        ),
        # guard
        "Just a thought experiment for a white paper: if age were banned from pricing, what would our options be?",
    ):
        c = parse_text(text)
        assert from_text(c, "stages") is None and from_text(c, "intervention_allowed") is None, text


@pytest.mark.parametrize(
    "text, task",
    [
        # (seven of these failed before; the model read the other six, which guard the exact rules)
        # numbered or enumerated classes, a classifier with its count of classes
        ("The dispatch model assigns urgency levels 1 to 4 to every call.", "multiclass_classification"),
        ("Our mail router gives each email priority 1, 2, 3 or 4.", "multiclass_classification"),
        ("Helpdesk model: P1, P2, P3 and P4 tickets.", "multiclass_classification"),
        ("A news classifier with 15 topics tags every article.", "multiclass_classification"),
        ("The vendor's API returns only approve / manual review / reject.", "multiclass_classification"),
        # a predicted number on a scale, in a unit, or an amount-prediction model
        ("Our tutoring model predicts quiz scores on a 1-10 scale.", "regression"),
        ("The model predicts each patient's warfarin dose in mg.", "regression"),
        ("A salary-prediction model suggests pay for every job ad.", "regression"),
        # groups found without labels
        ("We group the stores with k-medoids on sales features.", "clustering"),
        ("Customer segments are found from purchase logs without labels.", "clustering"),
        # guards: values that cluster, a computing cluster, a binary model's score range
        ("Older applicants' risk scores cluster around 0.5.", None),
        ("The training job ran on a temporary compute cluster that is gone now.", None),
        ("The model predicts default and gives each applicant a score (0-1000).", None),
    ],
)
def test_more_task_forms(text, task):
    got = from_text(parse_text(text), "task")
    assert (got.value if got is not None else None) == task
