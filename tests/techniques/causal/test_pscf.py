"""Path-specific counterfactual fairness (Chiappa 2019): closed form on a linear SCM, Adult audit and
fair-world correction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairmend.catalog.techniques.causal.cf_audit import CounterfactualPredictionAudit
from fairmend.catalog.techniques.causal.pscf import PathSpecificCounterfactualFairness

from fairmend.errors import ColumnNotFoundError, DataError, InvalidParameterError, NotExecutableError

FEATURES = "age,education_num,marital_status,occupation,relationship,hours_per_week"
MEDIATORS = ["education_num", "hours_per_week", "marital_status", "occupation", "relationship"]
ADULT_DAG = ", ".join(
    [f"sex->{m}" for m in MEDIATORS]
    + [f"age->{m}" for m in MEDIATORS]
    + [
        "marital_status->relationship",
        "relationship->hours_per_week",
        "education_num->occupation",
        "occupation->hours_per_week",
    ]
    + [f"{c}->income" for c in ["age", *MEDIATORS]]
)
DIRECT = ADULT_DAG + ", sex->income"


def _sig(t):
    return 1 / (1 + np.exp(-t))


def _linear(n=20_000, seed=0):
    """A -> F -> M, A -> M, M -> Z; logit P(Y) = -1.5 + 0.8 A + 0.6 M + 0.4 F + 0.5 Z."""
    rng = np.random.default_rng(seed)
    a = (rng.random(n) < 0.5).astype(int)
    e = rng.normal(size=(3, n))

    def world(a_f, a_m):
        f = 1.0 * a_f + e[0]
        m = 2.0 * a_m + 0.5 * f + e[1]
        z = 0.3 * m + e[2]
        return f, m, z

    f, m, z = world(a, a)
    u = rng.random(n)
    y = (u < _sig(-1.5 + 0.8 * a + 0.6 * m + 0.4 * f + 0.5 * z)).astype(int)
    frame = pd.DataFrame({"g": np.where(a == 1, "p", "u"), "F": f, "M": m, "Z": z, "y": y})
    return frame, world


def _run(frame, **kw):
    return PathSpecificCounterfactualFairness(**kw).run(frame, protected="sex", outcome="income").summary


def test_linear_scm_matches_products_of_path_coefficients():
    frame, world = _linear()
    edges = "g->F, g->M, F->M, M->Z, g->y, M->y, F->y, Z->y"
    res = PathSpecificCounterfactualFairness(edges=edges, fair_mediators="F", privileged="p").run(
        frame, protected="g", outcome="y"
    )
    s, shifts = res.summary, res.tables["feature_shifts"].set_index("column")
    # A -> F -> M is fair: M moves by 2.0 only (not 2.0 + 0.5 * 1.0), Z by 0.3 * 2.0, F not at all
    assert shifts.loc["F", "path_specific_shift"] == pytest.approx(0.0, abs=1e-9)
    assert shifts.loc["M", "path_specific_shift"] == pytest.approx(2.0, abs=0.05)
    assert shifts.loc["Z", "path_specific_shift"] == pytest.approx(0.6, abs=0.03)
    assert shifts.loc["M", "total_shift"] == pytest.approx(2.5, abs=0.05)
    # logit scale: direct 0.8 + M 0.6 * 2.0 + Z 0.5 * 0.6 = 2.3; total adds F: 3.075
    assert s["pse_unfair_logit"] == pytest.approx(2.3, abs=0.15)
    assert s["total_effect_logit"] == pytest.approx(3.075, abs=0.15)
    # probability scale against the true structural equations with the same noise
    f0, m0, z0 = world(0, 0)
    _, m1, z1 = world(0, 1)
    truth = (
        _sig(-0.7 + 0.6 * m1 + 0.4 * f0 + 0.5 * z1).mean()
        - _sig(-1.5 + 0.6 * m0 + 0.4 * f0 + 0.5 * z0).mean()
    )
    assert s["pse_unfair"] == pytest.approx(truth, abs=0.02)
    assert s["pse_fair"] == pytest.approx(s["total_effect"] - s["pse_unfair"])
    none = PathSpecificCounterfactualFairness(edges=edges, privileged="p").run(
        frame, protected="g", outcome="y"
    )
    assert none.summary["pse_unfair"] == pytest.approx(none.summary["total_effect"], abs=1e-12)
    assert none.summary["pse_unfair"] > s["pse_unfair"] + 0.05


def test_adult_path_specific_changes_fewer_predictions(adult_sample):
    frame = adult_sample.frame
    fair = _run(frame, edges=DIRECT, features=FEATURES, fair_mediators="occupation,education_num")
    full = _run(frame, edges=DIRECT, features=FEATURES)
    ps, tot = fair["path_specific"], fair["total_counterfactual"]
    assert ps["mean_abs_change"] < tot["mean_abs_change"]
    assert ps["decision_flip_rate"] < tot["decision_flip_rate"]
    assert 0 < fair["pse_unfair"] < fair["total_effect"]
    # no fair mediator: the path-specific counterfactual is the total one
    assert full["path_specific"] == pytest.approx(full["total_counterfactual"])
    assert full["pse_unfair"] == pytest.approx(full["total_effect"])
    assert full["total_counterfactual"] == pytest.approx(tot)


def test_default_dag_without_fair_mediators_is_kusner_counterfactual(adult_sample):
    frame = adult_sample.frame
    feats = "age,education_num,hours_per_week,relationship"
    ours = _run(frame, features=feats)
    kusner = (
        CounterfactualPredictionAudit(features=feats).run(frame, protected="sex", outcome="income").summary
    )
    assert ours["path_specific"]["mean_abs_change"] == pytest.approx(kusner["mean_abs_change"], rel=1e-6)
    assert ours["path_specific"]["decision_flip_rate"] == pytest.approx(kusner["decision_flip_rate"])


def test_all_paths_fair_gives_no_effect(adult_sample):
    s = _run(adult_sample.frame, edges=ADULT_DAG, features=FEATURES, fair_mediators=",".join(MEDIATORS))
    assert s["unfair_children"] == [] and s["direct_edge_unfair"] is False
    assert s["pse_unfair"] == pytest.approx(0.0, abs=1e-12)
    assert s["path_specific"]["decision_flip_rate"] == 0.0
    assert s["total_effect"] > 0.05
    c = s["correction"]
    assert c["decision_flip_rate"] == 0.0 and c["selection_rate_gap_after"] == c["selection_rate_gap_before"]


def test_fair_world_correction_shrinks_selection_gap(adult_sample):
    frame = adult_sample.frame
    res = PathSpecificCounterfactualFairness(
        edges=DIRECT, features=FEATURES, fair_mediators="occupation"
    ).run(frame, protected="sex", outcome="income")
    c = res.summary["correction"]
    assert c["selection_rate_gap_after"] < c["selection_rate_gap_before"] - 0.05
    assert c["accuracy_after"] > c["accuracy_before"] - 0.03
    table = res.tables["corrected_predictions_by_group"].set_index("group")
    # men already live in the baseline world; women's unfair-path features move towards men's
    assert table.loc["Male", "flips_to_favourable"] + table.loc["Male", "flips_to_unfavourable"] == 0
    assert table.loc["Female", "selection_rate_after"] > table.loc["Female", "selection_rate_before"]
    down = _run(frame, edges=DIRECT, features=FEATURES, fair_mediators="occupation", baseline="unprivileged")
    assert down["correction"]["selection_rate_gap_after"] < c["selection_rate_gap_before"] - 0.05


def test_predictions_column_is_audited_through_a_surrogate(adult_sample):
    frame = adult_sample.frame.copy()
    frame["pred"] = (frame["education_num"] >= 13).astype(int)
    res = PathSpecificCounterfactualFairness(
        edges=DIRECT, features=FEATURES, fair_mediators="education_num"
    ).run(frame, protected="sex", outcome="income", predictions="pred")
    assert res.summary["surrogate_fidelity"] > 0.95
    # the decisions only read education, whose path from sex is fair: they barely change
    assert res.summary["path_specific"]["decision_flip_rate"] < 0.02


def test_bad_input(adult_sample):
    frame = adult_sample.frame
    with pytest.raises(DataError, match="'age'"):
        _run(frame, edges=DIRECT, features=FEATURES, fair_mediators="age")  # not a child of sex
    with pytest.raises(ColumnNotFoundError, match="zipcode"):
        _run(frame, edges=DIRECT + ", sex->zipcode", features=FEATURES)
    with pytest.raises(ColumnNotFoundError, match="zipcode"):
        _run(frame, edges=DIRECT, features=FEATURES, fair_mediators="zipcode")
    with pytest.raises(DataError, match="income"):
        _run(frame, edges=DIRECT + ", income->hours_per_week", features=FEATURES)
    with pytest.raises(InvalidParameterError, match="median"):
        _run(frame, baseline="median")
    with pytest.raises(NotExecutableError):
        PathSpecificCounterfactualFairness().run(frame, protected=["sex", "race"], outcome="income")
    with pytest.raises(ColumnNotFoundError, match="nope"):
        PathSpecificCounterfactualFairness().run(frame, protected="sex", outcome="income", predictions="nope")


def test_runner_call_on_german_is_json_ready(german):
    import json

    from fairmend._json import dumps

    frame = german.frame.copy()
    before = frame.copy()
    res = PathSpecificCounterfactualFairness().run(frame, protected="sex", outcome=german.label)
    assert json.loads(dumps(res.to_dict()))["technique"] == "path_specific_counterfactual_fairness_chiappa"
    assert frame.equals(before)
    c = res.summary["correction"]
    assert c["selection_rate_gap_after"] < c["selection_rate_gap_before"]
