"""Causal explanation formula (Zhang & Bareinboim 2018) and path-specific effects (Nabi & Shpitser 2018)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairmend.catalog.techniques.causal.explanation import CausalExplanationFormula
from fairmend.catalog.techniques.causal.path_specific import PathSpecificFairness

from fairmend.errors import ColumnNotFoundError, DataError, NotExecutableError


def _sig(t):
    return 1 / (1 + np.exp(-t))


def _scm(n, *, a_r=None, a_m=None, a_y=None, seed=0):
    """C -> A; A, C -> R; A, R, C -> M; A, M, R, C -> Y (logistic), with optional interventions."""
    rng = np.random.default_rng(seed)
    c = rng.normal(size=n)
    a = (rng.random(n) < _sig(c)).astype(int)
    er, em, u = rng.normal(size=n), rng.normal(size=n), rng.random(n)
    ar = a if a_r is None else a_r
    am = a if a_m is None else a_m
    ay = a if a_y is None else a_y
    r = 1.0 * ar + 0.5 * c + er
    m = 0.8 * am + 0.6 * r + 0.3 * c + em
    y = (u < _sig(-1 + 0.8 * ay + 0.7 * m + 0.5 * r + 0.3 * c)).astype(int)
    return pd.DataFrame({"c": c, "r": r, "m": m, "g": np.where(a == 1, "p", "u"), "y": y})


@pytest.fixture(scope="module")
def synthetic():
    return _scm(20_000)


def test_explanation_formula_identity_on_adult(adult_sample):
    res = CausalExplanationFormula().run(adult_sample.frame, protected="sex", outcome="income")
    s = res.summary
    assert s["confounders"] == ["age", "native_country", "race"]
    assert "relationship" in s["mediators"] and "sex" not in s["mediators"]
    y, male = adult_sample.frame["income"], adult_sample.frame["sex"] == "Male"
    assert s["tv"] == pytest.approx(y[male].mean() - y[~male].mean())
    # Theorem 3 of the paper: TV = Ctf-DE(x0,x1 | x0) - Ctf-IE(x1,x0 | x0) - Ctf-SE(x1,x0)
    assert s["tv"] == pytest.approx(s["ctf_de"] - s["ctf_ie"] - s["ctf_se"], abs=1e-12)
    # Adult: most of the sex gap runs through mediators (marital status, occupation, hours), a
    # smaller direct part, and the spurious part through age / country is small.
    assert 0 < s["ctf_de"] < s["tv"]
    assert s["ctf_ie"] < -0.05
    assert abs(s["ctf_se"]) < 0.1
    table = res.tables["decomposition"]
    assert table["contribution_to_tv"].iloc[:3].sum() == pytest.approx(s["tv"])


def test_explanation_formula_recovers_synthetic_effects(synthetic):
    """Against the structural model: Ctf-DE and Ctf-IE by Monte Carlo with the true equations."""
    n = 300_000
    base = _scm(n, seed=1)
    x0 = (base["g"] == "u").to_numpy()
    y_x1_wx0 = _scm(n, a_y=1, seed=1)["y"].to_numpy()[x0].mean()  # Y_{x1, W_{x0}} among x0
    y_x1 = _scm(n, a_r=1, a_m=1, a_y=1, seed=1)["y"].to_numpy()[x0].mean()  # Y_{x1} among x0
    p_x0 = base["y"].to_numpy()[x0].mean()
    s = (
        CausalExplanationFormula(confounders="c", mediators="r,m", privileged="p")
        .run(synthetic, protected="g", outcome="y")
        .summary
    )
    assert s["ctf_de"] == pytest.approx(y_x1_wx0 - p_x0, abs=0.02)
    assert s["ctf_ie"] == pytest.approx(y_x1_wx0 - y_x1, abs=0.02)


def test_path_specific_effect_matches_synthetic_truth(synthetic):
    n = 400_000
    truth = (
        _scm(n, a_r=0, a_m=1, a_y=1, seed=1)["y"].mean() - _scm(n, a_r=0, a_m=0, a_y=0, seed=1)["y"].mean()
    )
    total = (
        _scm(n, a_r=1, a_m=1, a_y=1, seed=1)["y"].mean() - _scm(n, a_r=0, a_m=0, a_y=0, seed=1)["y"].mean()
    )
    s = (
        PathSpecificFairness(resolving="r", confounders="c", privileged="p")
        .run(synthetic, protected="g", outcome="y")
        .summary
    )
    assert s["pse_unfair"] == pytest.approx(truth, abs=0.02)
    assert s["total_effect"] == pytest.approx(total, abs=0.02)
    assert s["pse_fair"] == pytest.approx(s["total_effect"] - s["pse_unfair"])
    assert s["unfair"] is True


def test_path_specific_on_adult(adult_sample):
    frame = adult_sample.frame
    full = PathSpecificFairness().run(frame, protected="sex", outcome="income").summary
    assert full["pse_unfair"] == pytest.approx(
        full["total_effect"]
    )  # no resolving variable: all paths unfair
    res = (
        PathSpecificFairness(resolving="education,education_num,occupation")
        .run(frame, protected="sex", outcome="income")
        .summary
    )
    assert res["resolving"] == ["education", "education_num", "occupation"]
    assert 0 < res["pse_unfair"] < res["total_effect"]
    assert res["unfair"] is True


def test_bad_input(adult_sample):
    frame = adult_sample.frame
    with pytest.raises(ColumnNotFoundError):
        PathSpecificFairness(resolving="zipcode").run(frame, protected="sex", outcome="income")
    with pytest.raises(DataError):
        CausalExplanationFormula(confounders="age", mediators="age,education").run(
            frame, protected="sex", outcome="income"
        )
    with pytest.raises(NotExecutableError):
        CausalExplanationFormula().run(frame, protected=["sex", "race"], outcome="income")
    with pytest.raises(DataError):
        PathSpecificFairness(outcome_model="probit").run(frame, protected="sex", outcome="income")
