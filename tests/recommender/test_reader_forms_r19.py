"""Forms of statement the reader must get right (nineteenth round, issue 14). Every phrasing here was written
for this file, not taken from a validation corpus or the development queries; each failed before the change it
tests, or guards it."""

from __future__ import annotations

import pytest
from fairmend.catalog.types import Stage
from fairmend.recommender import parse_text


@pytest.mark.parametrize(
    "text",
    [
        (
            "The model belongs to the insurer and our team is not allowed to touch it; what we can edit is the claims "
            "extract they train it on."
        ),
        (
            "Modelling is done by the group analytics team with code we cannot change. Our remit is the training "
            "records: we may reweight or relabel them."
        ),
        "We cannot retrain the classifier ourselves, and any fix must be done in the training data we send.",
    ],
)
def test_data_only_beside_a_model_someone_else_trains_keeps_the_stage(text, fake_recommender):
    # the user owns the data, another party trains on it: pre-processing is the answer, and the retraining ban
    # (which would exclude every pre-processing technique) is reported as uncertain, not applied
    c = parse_text(text)
    assert c.stages == [Stage.PRE_PROCESSING]
    assert c.retraining_allowed is None
    assert any(u.field == "retraining_allowed" and u.value is False for u in c.uncertain)
    recs = fake_recommender.recommend(text, top=5).recommendations
    assert recs and all(r.technique.stage is Stage.PRE_PROCESSING for r in recs)


@pytest.mark.parametrize(
    "text",
    [
        "We are not allowed to retrain the credit model at all.",
        "The scorer is a sealed vendor product; it cannot be refitted.",
    ],
)
def test_a_retraining_ban_alone_still_holds(text):
    c = parse_text(text)
    assert c.retraining_allowed is False and not c.stages


@pytest.mark.parametrize(
    "text, usable",
    [
        # the sentence that names the attribute usable asks, even past a semicolon
        ("Age usable in prod; is that right?", False),
        ("gender permitted at decision time, or does the regulator object?", False),
        # the question is another sentence: the statement stands
        ("Age usable in prod. Does that change what you would suggest?", True),
    ],
)
def test_a_permission_asked_about_is_not_granted(text, usable):
    from fairmend.recommender import cues

    assert bool(cues.usable_at_decision(text)) is usable


@pytest.mark.parametrize(
    "clause, vetoed",
    [
        # a routine or scheduled retraining reported as a fact: an event, not a permission
        ("the churn model is retrained every month by the platform team", True),
        ("a scoring model we refit quarterly", True),
        ("it gets a weekly retrain on the newest clicks", True),
        # from the twenty-third round a dated retraining in the past is an event as well (the labelling rules
        # give "we retrained it last month" as one)
        ("the model was retrained last month", True),
        # a permission, a plan, a negation, or no retraining told at all
        ("we can retrain it every quarter", False),
        ("the model is refitted weekly but nobody may change its features", False),
        ("we will retrain it monthly from now on", False),
        ("the model was trained last month", False),
    ],
)
def test_a_routine_retraining_is_no_permission_to_retrain(clause, vetoed):
    import numpy as np
    from fairmend.recommender import reader

    probs = {dim: np.full(len(values), 1.0 / len(values)) for dim, values in reader.DIMENSIONS.items()}
    probs["retraining"] = np.array([0.1, 0.0, 0.9])  # none, forbidden, allowed
    out = reader.routine(probs, clause)["retraining"]
    assert bool(out[2] == 0.0) is vetoed
    assert out.sum() == pytest.approx(1.0)


@pytest.mark.parametrize(
    "text, pair",
    [
        # "it isn't as though X is banned" denies the ban: one clause, and it grants
        ("It isn't as though using age at decision time is banned here.", ("protected_at_inference", True)),
        (
            "It's not as though refitting the claims model is off the table; nobody has asked.",
            ("retraining", True),
        ),
        # "as" before a conjunction that does start a clause elsewhere
        ("We have not as yet been allowed to retrain it.", ("retraining", False)),
    ],
)
def test_as_though_and_as_yet_stay_in_their_clause(text, pair):
    from quality import read_pairs

    assert pair in read_pairs(parse_text(text))


@pytest.mark.parametrize(
    "text, no_fix",
    [
        # a mandate to describe, not to fix; a fix nobody asked for
        ("The auditor's brief is to describe the disparity in loan approvals, not to fix it.", True),
        ("Nobody has asked us to correct the model; the board wants the numbers by ethnicity.", True),
        ("no one is requesting that we fix anything, we only need the rates by sex", True),
        # a prohibition on changing the model is no "no fix"; nor is a wish not to fix something badly
        ("Staff were told not to change the model, so the fix must be in the thresholds.", False),
        ("We cannot to change it, they give only the probabilities.", False),
        ("Be careful not to fix the threshold too low.", False),
    ],
)
def test_a_mandate_to_describe_and_a_fix_nobody_asked_for_are_no_fix(text, no_fix):
    from fairmend.recommender import cues

    assert bool(cues.asks_for_no_fix(text)) is no_fix


@pytest.mark.parametrize(
    "text",
    [
        "The scoring API's payload has no religion field, whereas our CRM does.",
        "The decision engine has no ethnicity column, but the data warehouse has.",
    ],
)
def test_an_attribute_missing_at_decision_but_held_in_another_store_is_kept_from_the_decision(text):
    # "not collected" and "not at decision time" both say the decision step lacks it; the other store holds it
    c = parse_text(text)
    assert c.protected_at_inference_allowed is False and c.protected_available is None


def test_a_reading_set_aside_for_another_says_why_instead_of_a_confidence():
    # the ban was read surely (confidence near 1) and set aside for the data-only stage: the line and the JSON
    # say why, so that "uncertain" beside a high confidence does not read as a contradiction
    c = parse_text(
        "The training code is the vendor's and we may not alter it; we may only change the rows we send."
    )
    (u,) = [u for u in c.uncertain if u.field == "retraining_allowed"]
    assert u.reason and u.to_dict()["reason"] == u.reason
    (line,) = [x for x in c.uncertain_lines() if "cannot retrain" in x]
    assert "set aside: only pre-processing" in line and "confidence" not in line
    # a reading the reader was unsure of keeps its confidence
    unsure = parse_text("I guess we probably cannot really retrain it, not sure")
    assert unsure.uncertain and all(not u.reason for u in unsure.uncertain)
    assert all("confidence" in x for x in unsure.uncertain_lines())
