"""Forms of statement the reader must get right (twenty-sixth round, issue 14). Every phrasing here was
written for this file, not taken from a validation corpus or the development queries; each failed before the
change it tests, or guards it (marked "guard": read right before the change too).

Each case gives every hard constraint the text states, as ``(type, value)`` pairs (the labelling rules'
types), and the reader must read exactly those."""

from __future__ import annotations

import pytest
from fairmend.recommender import parse_text
from quality import read_pairs

RETRAIN_NO = ("retraining", False)
RETRAIN_YES = ("retraining", True)
AT_INFERENCE_NO = ("protected_at_inference", False)
NOT_COLLECTED = ("protected_available", False)
NO_INTERVENTION = ("intervention", False)


def stage(value: str) -> tuple[str, str]:
    return ("stage", value)


def task(value: str) -> tuple[str, str]:
    return ("task", value)


CASES = [
    # a rule that held for a period now over: no rule stands (read as a ban before)
    (
        (
            "Retraining was prohibited while the acquisition went through, which concluded in March. Older customers get"
            " fewer offers."
        ),
        set(),
    ),
    (
        (
            "The scorer was locked during the regulator's review. That review has since ended, and approval rates still"
            " differ by ethnicity."
        ),
        set(),
    ),
    # guards: a rule in force beyond "which ended up ..." or "... over budget" (the rule's first form misread them)
    ("The model was frozen during the review, which ended up costing us months.", {RETRAIN_NO}),
    ("The scorer was locked for the rollout, which was over budget. Women get lower scores.", {RETRAIN_NO}),
    # guard: a rule in force beside an unrelated period that ended
    ("The scorer is locked by the vendor. The upgrade finished last week.", {RETRAIN_NO}),
    # a supplier of something other than the model (read as a ban on retraining before)
    (
        "Catering for the offsite is handled by an outside contractor. Our churn model flags older customers more.",
        set(),
    ),
    # guards: an outside model, and a supplier of payroll beside a model the writer retrains
    ("The scorer comes from an outside firm and we can't change it.", {RETRAIN_NO}),
    ("Payroll runs through a vendor; the attrition model is ours and we retrain it freely.", {RETRAIN_YES}),
    # "no model changes" scoping the request ("..., just the numbers"): no ban on retraining (read as one before)
    (
        "No model changes - just the numbers. Our lending model approves fewer older applicants.",
        {NO_INTERVENTION},
    ),
    # guard: "no model changes" with a rule behind it
    (
        "No model changes, the vendor forbids it. We only want numbers on the age gap.",
        {RETRAIN_NO, NO_INTERVENTION},
    ),
    # the model called final (no ban read before)
    ("The risk model is final and signed off; my job is the calibration layer on top of it.", {RETRAIN_NO}),
    (
        "The claims model has been finalised; only the report on it remains to be written.",
        {RETRAIN_NO, NO_INTERVENTION},
    ),
    # guards: the ban read from "can only move the cut-off"; a past sign-off is an event; "final year" is no
    # finality of the model
    (
        "The pricing model is final and signed off, so we can only move the cut-off.",
        {RETRAIN_NO, stage("post_processing")},
    ),
    ("The scorer was signed off by validation in May; women are still rejected more.", set()),
    ("Our model is final year project work and we can change anything.", {RETRAIN_YES}),
    # "nobody's ... is recorded": not collected ("not collected" dropped before)
    (
        "Nobody's religion is stored in any of our systems. Muslim applicants seem to get fewer interviews.",
        {AT_INFERENCE_NO, NOT_COLLECTED},
    ),
    # the attribute taken out before the model, named by a pronoun (no ban read before)
    (
        "If the ranker ever saw a candidate's age we'd be breaking the law, so it's scrubbed out upstream.",
        {AT_INFERENCE_NO, task("ranking")},
    ),
    # guards: the attribute named in the clause; something else taken out before scoring
    ("Race is removed before scoring, and Black applicants still get fewer approvals.", {AT_INFERENCE_NO}),
    ("Duplicate rows are removed before scoring. Women get fewer offers.", set()),
    # a partner organisation's rule is not the writer's (read as the writer's before)
    (
        (
            "Our partner insurer is barred from using age in pricing; we operate under our own regulations and the"
            " model is ours to rebuild."
        ),
        {RETRAIN_YES},
    ),
    # guard: the writer joins in
    ("Our partner bank can't use nationality, and neither can we.", {AT_INFERENCE_NO}),
    # the goal of a wanted fix is no rule (read as a ban at decision time before)
    (
        (
            "We'd like to reweight the training data so that gender can't creep into the predictions. The model"
            " itself can be retrained."
        ),
        {RETRAIN_YES, stage("pre_processing")},
    ),
    # guard: a result, not a goal
    (
        "The labels were purged under our retention policy, so that retraining simply can't happen.",
        {RETRAIN_NO},
    ),
    # guards: how few a group gets is no absence of the attribute (these phrasings were read right before; only a
    # development text's wording was not), and the attribute itself absent
    ("Virtually no women over fifty get shortlisted by our screener.", set()),
    (
        "Almost no applicants tell us their ethnicity, and we don't collect it otherwise.",
        {AT_INFERENCE_NO, NOT_COLLECTED},
    ),
    # what the writer is willing to change limits no stage (read as in-processing before)
    ("The team is willing to modify the training objective if that helps. Women are underpredicted.", set()),
    # guards: what the writer owns (read right before too), and owning only one part
    (
        "We run the fraud model in-house and can retrain it whenever we like. Older cardholders get blocked more.",
        {RETRAIN_YES},
    ),
    ("We only own the feature table, nothing downstream.", {stage("pre_processing")}),
    # guards: the one place or the one thing asked for (these phrasings were read right before; only the
    # development texts' wording was not)
    (
        (
            "Please keep the fix solely in the thresholds, nothing earlier in the pipeline. Older borrowers are"
            " declined more."
        ),
        {stage("post_processing")},
    ),
    (
        "Could you help us bake demographic parity straight into the training procedure itself? We own the model.",
        {stage("in_processing")},
    ),
    ("Only a mediation analysis this time; how much of the gap runs through income?", {stage("causal")}),
    ("All the regulator wants from us is a model card for the credit model.", {stage("documentation")}),
    # a count of intents; a short ordered row; a time predicted (no task read before)
    ("Chatbot router, 12 intents, and Scottish users get misrouted.", {task("multiclass_classification")}),
    ("The top 5 slots in our job feed rarely show women-led startups.", {task("ranking")}),
    ("The dispatch model predicts minutes until pickup and is worse in poorer areas.", {task("regression")}),
    # guards (read right before too)
    (
        "Our triage bot routes messages to 9 intents; Welsh speakers get misrouted.",
        {task("multiclass_classification")},
    ),
    ("The model predicts days until discharge and overestimates for Black patients.", {task("regression")}),
    # "sorted" meaning settled (read as a ranking task before)
    ("The manager needs this sorted before next week: our screener rejects more older applicants.", set()),
    # a limit after the amount: "and no further" (no budget read before)
    ("Precision can give way by a quarter of a point and no further.", {("accuracy_budget", 0.0025)}),
    # guards (read right before too)
    ("Accuracy can drop by half a point and no further.", {("accuracy_budget", 0.005)}),
    (
        "We can lose 1.5 points of AUC and no further; race may not be used at scoring.",
        {("accuracy_budget", 0.015), AT_INFERENCE_NO},
    ),
    # guards: changing the model outside the scope of the work; fixes to be compared (these phrasings were read
    # right before; only the development texts' wording was not)
    (
        (
            "We need to quantify the age gap in our claims triage model. Changing the model is beyond the scope of this"
            " engagement."
        ),
        {NO_INTERVENTION},
    ),
    (
        (
            "For a course project I want to benchmark different debiasing methods on a loan dataset and plot the"
            " trade-off."
        ),
        set(),
    ),
    # every new version to pass an outside validation again (no ban read before)
    (
        (
            "Every version of our pricing engine has to pass the group's model validation team before it ships, which"
            " takes most of a year."
        ),
        {RETRAIN_NO},
    ),
    (
        (
            "Each release of the admissions scorer needs to clear the ministry's validation office before use; that is a"
            " long wait."
        ),
        {RETRAIN_NO},
    ),
    # guards (read right before too): re-certification named, a colleague's code review, an approval in a day
    (
        (
            "Each new release of the underwriting model must be re-certified by the insurance regulator. Older drivers"
            " pay more."
        ),
        {RETRAIN_NO},
    ),
    ("Every change we make gets reviewed by a colleague before merging. Women are underpredicted.", set()),
    (
        "Every version of the scorer is approved by us internally in a day, and we can retrain whenever we like.",
        {RETRAIN_YES},
    ),
    # a rule against retraining named as lifted (no permission read before)
    ("The ban on refitting was withdrawn in May; older drivers still pay more.", {RETRAIN_YES}),
    ("Model risk lifted the retraining freeze last week.", {RETRAIN_YES}),
    # guard: not lifted
    ("The no-retraining rule has not been lifted.", {RETRAIN_NO}),
]


@pytest.mark.parametrize("text, pairs", CASES)
def test_reads_exactly(text, pairs):
    got = read_pairs(parse_text(text))
    assert {(k, round(v, 4) if isinstance(v, float) else v) for k, v in got} == pairs
