"""FACTS subgroup recourse-fairness audit (Kavouras et al. 2023): Adult, a planted disparity, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairmend.catalog.techniques.evaluation.facts import FACTSAudit, group_measures

from fairmend.errors import ColumnNotFoundError, DataError, InvalidParameterError, SingleGroupError

IMMUTABLE = "age,race,native_country,marital_status,relationship"


def _planted(n=6000, *, plant=True, seed=0):
    """Group B members of (job=a, region=s) have very low skill: no job/region change helps them."""
    rng = np.random.default_rng(seed)
    g = rng.choice(["A", "B"], n)
    job = rng.choice(["a", "b", "c"], n, p=[0.4, 0.3, 0.3])
    region = rng.choice(["n", "s"], n)
    skill = rng.normal(size=n)
    planted = (g == "B") & (job == "a") & (region == "s")
    if plant:
        skill[planted] = rng.normal(-3.0, 0.3, planted.sum())
    logit = -1.0 + 1.5 * (job == "c") + 0.8 * (job == "b") + 1.2 * skill + 0.7 * (region == "n")
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"g": g, "job": job, "region": region, "skill": skill, "y": y})


@pytest.fixture(scope="module")
def adult_facts(adult_frame):
    return FACTSAudit(immutable=IMMUTABLE).run(adult_frame, protected="sex", outcome="income")


def test_adult_recourse_is_harder_for_women(adult_facts, adult_frame):
    table = adult_facts.tables["subgroups"]
    top = table.head(10)
    assert top["equal_effectiveness_gap"].iloc[0] > 0.3
    assert (top["bias_against"] == "Female").sum() >= 8
    assert (top["equal_effectiveness[Female]"] < top["equal_effectiveness[Male]"]).sum() >= 8
    assert table["equal_effectiveness_gap"].is_monotonic_decreasing
    # immutable features never change in an action
    actions = adult_facts.tables["actions"]
    assert not actions["action"].str.contains("race=|age=|relationship=|marital_status=").any()
    assert set(actions["subgroup"]) <= set(top["subgroup"])
    # recompute a single-predicate subgroup's best action for women with an independently fitted baseline
    from fairmend.engine.models import make_base_model, positive_scores

    X = adult_frame.drop(columns=["sex", "income"])
    model = make_base_model("logreg", X).fit(X, adult_frame["income"])
    affected = positive_scores(model, X) < 0.5
    women = affected & (adult_frame["sex"] == "Female").to_numpy()
    assert adult_facts.summary["n_affected"]["Female"] == int(women.sum())
    row = table[table["subgroup"].str.fullmatch(r"occupation=[^&]+")].iloc[0]
    members = women & (adult_frame["occupation"] == row["subgroup"].split("=")[1]).to_numpy()
    moved = X[members].assign(occupation=row["best_action"].split("=")[1])
    assert row["n_affected[Female]"] == members.sum()
    flipped = (positive_scores(model, moved) >= 0.5).mean()
    assert row["best_action_effectiveness[Female]"] == pytest.approx(flipped)
    assert row["equal_effectiveness[Female]"] >= flipped
    assert adult_facts.summary["top_subgroups"][0]["subgroup"] == top["subgroup"].iloc[0]


def test_deterministic_under_a_seed(adult_frame):
    audit = FACTSAudit(immutable=IMMUTABLE, max_predicate_length=1, seed=3)
    first = audit.run(adult_frame, protected="sex", outcome="income")
    second = audit.run(adult_frame, protected="sex", outcome="income")
    pd.testing.assert_frame_equal(first.tables["subgroups"], second.tables["subgroups"])
    pd.testing.assert_frame_equal(first.tables["actions"], second.tables["actions"])
    assert first.summary == second.summary


@pytest.mark.parametrize("metric", ["equal_effectiveness", "equal_choice_for_recourse", "fair_tradeoff"])
def test_planted_disparity_ranks_first(metric):
    res = FACTSAudit(metric=metric, immutable="skill").run(_planted(), protected="g", outcome="y")
    first = res.tables["subgroups"].iloc[0]
    assert first["subgroup"] == "job=a & region=s"
    assert first["bias_against"] == "B"
    assert first["equal_effectiveness[A]"] - first["equal_effectiveness[B]"] > 0.5
    clean = FACTSAudit(metric=metric, immutable="skill").run(
        _planted(plant=False), protected="g", outcome="y"
    )
    if metric != "equal_choice_for_recourse":  # counts: one action more or less is noise-level
        assert clean.tables["subgroups"][f"{metric}_gap"].iloc[0] < first[f"{metric}_gap"] - 0.4


def test_group_measures_by_hand():
    # 3 actions (cost 1, 1, 2) x 4 members
    flips = np.array([[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0]], dtype=bool)
    m = group_measures(flips, np.array([1.0, 1.0, 2.0]), phi=0.5, budget=1.0)
    assert m["equal_effectiveness"] == 0.75
    assert m["equal_choice_for_recourse"] == 1  # only the second action reaches 0.5
    assert m["equal_effectiveness_within_budget"] == 0.5
    assert m["equal_cost_of_effectiveness"] == 1.0
    assert m["equal_mean_recourse"] == pytest.approx(4 / 3)
    assert group_measures(flips, np.array([1.0, 1.0, 2.0]), phi=0.9, budget=0.5)[
        "equal_cost_of_effectiveness"
    ] == float("inf")


def test_predictions_column_is_audited_through_a_surrogate(adult_scored):
    res = FACTSAudit(immutable=IMMUTABLE, max_predicate_length=1).run(
        adult_scored.drop(columns=["score"]), protected="sex", outcome="income", predictions="pred"
    )
    assert res.summary["audited"] == "surrogate_of_predictions"
    assert res.summary["surrogate_fidelity"] > 0.95
    assert res.tables["subgroups"]["equal_effectiveness_gap"].iloc[0] > 0.2


def test_bad_input(adult_frame):
    frame = adult_frame.head(2000)
    with pytest.raises(ColumnNotFoundError, match="gender"):
        FACTSAudit().run(frame, protected="gender", outcome="income")
    with pytest.raises(ColumnNotFoundError, match="zipcode"):
        FACTSAudit(mutable="occupation,zipcode").run(frame, protected="sex", outcome="income")
    with pytest.raises(SingleGroupError):
        FACTSAudit().run(frame[frame["sex"] == "Male"], protected="sex", outcome="income")
    with pytest.raises(InvalidParameterError, match="fastest"):
        FACTSAudit(metric="fastest").run(frame, protected="sex", outcome="income")
    with pytest.raises(InvalidParameterError, match="min_support"):
        FACTSAudit(min_support=1.5).run(frame, protected="sex", outcome="income")
    with pytest.raises(DataError, match="mutable"):
        FACTSAudit(mutable="age", immutable="age").run(frame, protected="sex", outcome="income")


def test_runner_call_on_german_with_two_attributes_is_json_ready(german):
    import json

    from fairmend._json import dumps

    frame = german.frame.copy()
    before = frame.copy()
    res = FACTSAudit(max_predicate_length=1).run(
        frame, protected=list(german.protected), outcome=german.label
    )
    assert set(res.summary["n_affected"]) == {
        "female|25_or_younger",
        "female|over_25",
        "male|25_or_younger",
        "male|over_25",
    }
    assert json.loads(dumps(res.to_dict()))["technique"] == "facts_recourse_fairness_audit"
    assert frame.equals(before)
