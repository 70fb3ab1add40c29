"""A ranking whose top interventions are all group-blind says that they cannot close a gap on their own."""

from __future__ import annotations

import json

import pytest
from fairmend.recommender.fit import INTERVENTION_STAGES, group_blind

NO_ATTRIBUTE_POST_ONLY = (
    "Nobody's ethnicity is recorded anywhere in our systems, and the only thing we may change is the final "
    "cut-off on the score; approvals differ a lot between neighbourhoods."
)


def test_group_blind_means_calibration_alone_without_group_membership(catalog_techniques):
    by_key = {t.key: t for t in catalog_techniques}
    for key in ("platt_scaling", "isotonic_calibration", "histogram_binning", "temperature_scaling"):
        assert group_blind(by_key[key]), key
    # group-aware: fitted per group, or aimed at the worst-off group without knowing it
    for key in ("threshold_optimizer_equalized_odds_hardt", "reweighing_kamiran_calders"):
        assert not group_blind(by_key[key]), key
    assert not group_blind(by_key["arl_fairness_without_demographics"])
    # measuring and documenting change no score: never an intervention, never group-blind
    assert not any(group_blind(t) for t in catalog_techniques if t.stage not in INTERVENTION_STAGES)


def test_an_absent_attribute_with_only_post_processing_gets_the_caveat(fake_recommender):
    res = fake_recommender.recommend(NO_ATTRIBUTE_POST_ONLY, top=5)
    assert res.constraints.protected_available is False
    top = [r.technique for r in res.recommendations[:3]]
    assert top and all(group_blind(t) for t in top if t.stage in INTERVENTION_STAGES)
    assert len(res.caveats) == 1
    note = res.caveats[0]
    assert "cannot close a gap between groups" in note and "not collected" in note
    assert all(t.key in note for t in top if t.stage in INTERVENTION_STAGES)
    for r in res.recommendations:
        if group_blind(r.technique):
            assert any(x.startswith("group-blind") for x in r.trade_offs)
    d = res.to_dict()
    assert d["caveats"] == res.caveats
    json.dumps(d)


def test_calibration_asked_for_gets_no_caveat(fake_recommender):
    res = fake_recommender.recommend(
        "The scores overestimate the default risk of women and we may only recalibrate the scores after "
        "the model; nobody's sex is recorded anywhere.",
        top=5,
    )
    assert res.caveats == []
    assert "caveats" not in res.to_dict()


@pytest.mark.parametrize(
    "text",
    [
        "Equalise true positive rates between men and women in our hiring screen by moving the thresholds.",
        "Our loan model approves fewer women; we cannot retrain it",
    ],
)
def test_a_ranking_with_a_group_aware_intervention_on_top_gets_no_caveat(fake_recommender, text):
    res = fake_recommender.recommend(text, top=5)
    shown = [r.technique for r in res.recommendations[:3] if r.technique.stage in INTERVENTION_STAGES]
    assert shown and not all(group_blind(t) for t in shown)
    assert res.caveats == []


def test_the_text_output_prints_the_caveat(fake_recommender):
    from fairmend.cli.recommend import format_result

    res = fake_recommender.recommend(NO_ATTRIBUTE_POST_ONLY, top=3)
    lines = format_result(res).splitlines()
    assert any(line.startswith("Note: None of the top interventions") for line in lines)
