"""Causal analyses on Adult (8,000-row sample) and German, plus synthetic checks of the estimators."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from fairmend.catalog.techniques.causal._dag import DAG
from fairmend.catalog.techniques.causal.counterfactual import (
    CounterfactualFairness,
    CounterfactuallyFairClassifier,
)
from fairmend.catalog.techniques.causal.dag import CausalDAGConstruction, CausalDiscovery, parse_edges
from fairmend.catalog.techniques.causal.intervention import BackdoorIdentification, decide
from fairmend.catalog.techniques.causal.mediation import MediationAnalysis
from fairmend.catalog.techniques.causal.sensitivity import (
    EValueSensitivity,
    OmittedVariableSensitivity,
    e_value,
    robustness_value,
)

from fairmend.errors import DataError, NotExecutableError, SingleGroupError


@pytest.fixture(scope="module")
def adult_sex(adult_sample):
    return adult_sample.frame.drop(columns=["race"])


def test_dag_d_separation_and_backdoor():
    # confounder C -> A, C -> Y; mediator A -> M -> Y; collider A -> K <- Y
    g = DAG(edges=[("C", "A"), ("C", "Y"), ("A", "M"), ("M", "Y"), ("A", "K"), ("Y", "K")])
    assert not g.d_separated(["A"], ["Y"], [])
    assert g.d_separated(["A"], ["Y"], ["C", "M"])
    assert not g.d_separated(["A"], ["Y"], ["C", "M", "K"])  # conditioning on a collider opens the path
    assert g.backdoor_sets("A", "Y") == [["C"]]
    assert not g.is_backdoor_set("A", "Y", ["M"])
    with pytest.raises(DataError, match="cycle"):
        g.add_edge("Y", "C")


def test_parse_edges_inline_and_file(tmp_path):
    p = tmp_path / "dag.yaml"
    p.write_text("edges:\n  - sex -> relationship\n  - [relationship, income]\nresolving: [education]\n")
    assert parse_edges(p) == ([("sex", "relationship"), ("relationship", "income")], ["education"])
    assert parse_edges("a->b, b->c")[0] == [("a", "b"), ("b", "c")]


def test_dag_construction_user_edges_and_files(adult_sex, tmp_path):
    dag = "sex -> relationship, relationship -> income, age -> relationship, age -> income, sex -> income"
    r = CausalDAGConstruction(edges=dag, output_dir=str(tmp_path)).run(
        adult_sex, protected="sex", outcome="income"
    )
    s = r.summary
    assert s["source"] == "user" and s["mediators"] == ["relationship"]
    assert s["adjustment_sets"] == [[]]  # nothing confounds sex
    assert "digraph" in (tmp_path / "causal_dag.dot").read_text()
    assert json.loads((tmp_path / "causal_dag.json").read_text())["edges"]


def test_discovery_orients_away_from_protected(adult_sex):
    s = (
        CausalDiscovery(max_rows=1500, max_features=8)
        .run(adult_sex, protected="sex", outcome="income")
        .summary
    )
    assert s["source"] == "discovered"
    assert all(v != "sex" for _, v in s["edges"]) and all(u != "income" for u, _ in s["edges"])
    assert s["descendants_of_protected"]  # sex is adjacent to something (relationship on Adult)


def test_robustness_value_hand_computation(adult_sex):
    s = (
        OmittedVariableSensitivity(covariates="age,education_num")
        .run(adult_sex, protected="sex", outcome="income")
        .summary
    )
    f = abs(s["t_value"]) / math.sqrt(s["dof"])
    assert s["robustness_value"] == pytest.approx(0.5 * (math.sqrt(f**4 + 4 * f**2) - f**2))
    # Cinelli & Hazlett's worked example (darfur): t = 4.18, df = 783 -> RV ~ 0.139
    assert robustness_value(4.18, 783) == pytest.approx(0.139, abs=0.001)
    assert 0 < s["robustness_value_alpha"] < s["robustness_value"] < 1


def test_e_value_adult_sex(adult_sex):
    s = EValueSensitivity().run(adult_sex, protected="sex", outcome="income").summary
    rr = s["rate_privileged"] / s["rate_others"]
    assert s["risk_ratio"] == pytest.approx(rr)
    assert s["e_value"] == pytest.approx(rr + math.sqrt(rr * (rr - 1)))
    assert s["e_value"] > 1.5 and 1 < s["e_value_ci"] < s["e_value"]
    assert e_value(3.9) == pytest.approx(7.26, abs=0.01)  # VanderWeele & Ding's example
    assert e_value(0.5) == e_value(2.0)


def test_mediation_recovers_linear_effects():
    rng = np.random.default_rng(0)
    n = 20_000
    a = rng.integers(0, 2, n)
    c = rng.normal(size=n)
    m = 0.8 * a + 0.5 * c + rng.normal(size=n)
    y = (0.3 * a + 0.5 * m + 0.2 * c + rng.normal(size=n) > 0.6).astype(int)
    frame = pd.DataFrame({"A": np.where(a == 1, "p", "q"), "C": c, "M": m, "Y": y})
    res = {
        meth: MediationAnalysis(
            mediators="M", confounders="C", method=meth, privileged="p", outcome_model="linear"
        )
        .run(frame, protected="A", outcome="Y")
        .summary
        for meth in ("product", "g_formula")
    }
    for s in res.values():
        assert s["nde"] > 0 and s["nie"] > 0
        assert s["nde"] + s["nie"] == pytest.approx(s["total_effect"])
    assert res["product"]["nie"] == pytest.approx(res["g_formula"]["nie"], abs=0.01)


def test_mediation_adult_relationship_mediates(adult_sex):
    s = (
        MediationAnalysis(
            mediators="marital_status,relationship,occupation,hours_per_week", confounders="age"
        )
        .run(adult_sex, protected="sex", outcome="income")
        .summary
    )
    assert s["nie"] > 0.05 and s["total_effect"] == pytest.approx(s["nde"] + s["nie"])


def test_counterfactual_fair_predictor_has_no_gap(adult_sex):
    s = CounterfactualFairness().run(adult_sex, protected="sex", outcome="income").summary
    assert s["unaware_baseline"]["mean_abs_counterfactual_gap"] > 0.05
    assert s["counterfactually_fair"]["mean_abs_counterfactual_gap"] < 1e-8
    assert s["counterfactually_fair"]["accuracy"] > 0.75


def test_counterfactual_classifier_invariant_to_flip(german):
    X = german.frame.drop(columns=["credit", "sex"])
    a = german.frame["sex"]
    clf = CounterfactuallyFairClassifier().fit(X, german.frame["credit"], sensitive_features=a)
    abin = (a == "male").to_numpy().astype(int)
    anm = clf.anm_
    eps = anm.abduct(X, abin).to_numpy()
    eps_cf = anm.abduct_design(anm.counterfactual(X, abin, 1 - abin), 1 - abin).to_numpy()
    np.testing.assert_allclose(eps, eps_cf, atol=1e-9)  # noise terms are invariant to flipping A
    assert 0.6 < (clf.predict(X, sensitive_features=a) == german.frame["credit"]).mean()
    with pytest.raises(NotExecutableError):
        CounterfactuallyFairClassifier().fit(X, german.frame["credit"], sensitive_features=X["purpose"])


def test_backdoor_adult_proxies_and_decision(adult_sample, tmp_path):
    r = BackdoorIdentification(output_dir=str(tmp_path), n_boot=20).run(
        adult_sample.frame.drop(columns=["race"]), protected="sex", outcome="income"
    )
    s = r.summary
    assert {"relationship", "marital_status"} <= set(s["proxies"])
    auc = r.tables["proxies"].set_index("feature")["auc"]
    assert auc["relationship"] > 0.8 and auc["capital_loss"] < 0.6
    assert "in_processing" in s["decision"]["stages"]
    assert any(f["rule"] == "R2" and "relationship" in f["because"] for f in s["decision"]["rules_fired"])
    assert (tmp_path / "intervention_points.json").exists()


def test_decision_rules():
    d = decide(
        biased_mediators=[],
        disparate_impact=0.95,
        proxies=[],
        rate_gap=0.04,
        rate_gap_p=0.01,
        nde_significant=False,
        unresolved_mediators=[],
    )
    assert d["stages"] == ["post_processing"] and d["rules_fired"][0]["rule"] == "R3"
    d = decide(
        biased_mediators=["credit_score"],
        disparate_impact=0.9,
        proxies=["zip"],
        rate_gap=0.1,
        rate_gap_p=0.0,
        nde_significant=True,
        unresolved_mediators=["credit_score"],
    )
    assert d["stages"] == ["pre_processing", "in_processing"] and d["hybrid"]
    assert d["rules_fired"][-1]["rule"] == "R4" and "credit_score" in d["rules_fired"][0]["because"]
    d = decide(
        biased_mediators=[],
        disparate_impact=1.0,
        proxies=[],
        rate_gap=0.0,
        rate_gap_p=0.9,
        nde_significant=None,
        unresolved_mediators=[],
    )
    assert d["stages"] == [] and d["note"]


def test_bad_input(german):
    one = german.frame[german.frame["sex"] == "male"]
    with pytest.raises(SingleGroupError):
        EValueSensitivity().run(one, protected="sex", outcome="credit")
    with pytest.raises(NotExecutableError):
        EValueSensitivity().run(german.frame, protected=["sex", "age_group"], outcome="credit")


def test_cli_causal(german, tmp_path):
    from fairmend.cli import cli

    path = tmp_path / "german.csv"
    german.frame.to_csv(path, index=False)
    out = tmp_path / "out"
    res = CliRunner().invoke(
        cli,
        [
            "causal",
            "--data",
            str(path),
            "--protected",
            "sex",
            "--outcome",
            "credit",
            "--output",
            str(out),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    assert report["sensitivity"]["e_value"]["e_value"] > 1
    assert "personal_status" in report["identification"]["proxies"]
    assert {"causal_dag.dot", "causal_dag.json", "causal_analysis.json"} <= {p.name for p in out.iterdir()}
    text = CliRunner().invoke(
        cli, ["causal", "--data", str(path), "--protected", "sex", "--outcome", "credit"]
    )
    assert text.exit_code == 0 and "Recommended stages" in text.output


def test_ges_and_user_edge_check(german):
    ges = CausalDiscovery(method="ges", max_features=6, max_rows=500).run(
        german.frame, protected="sex", outcome="credit"
    )
    assert ges.summary["discovery"]["method"] == "ges" and ges.summary["edges"]
    assert all(v != "sex" for _, v in ges.summary["edges"])
    pc = CausalDiscovery(edges="sex -> personal_status, foreign_worker -> credit").run(
        german.frame, protected="sex", outcome="credit"
    )
    assert ["sex", "personal_status"] not in pc.summary["unsupported_user_edges"]
    assert pc.summary["source"] == "user"


def test_cli_causal_with_dag_file(german, tmp_path):
    from fairmend.cli import cli

    data = tmp_path / "german.csv"
    german.frame.to_csv(data, index=False)
    dag = tmp_path / "dag.json"
    dag.write_text(
        json.dumps(
            {
                "edges": [["sex", "personal_status"], ["personal_status", "credit"], ["age", "credit"]],
                "resolving": ["personal_status"],
            }
        )
    )
    res = CliRunner().invoke(
        cli,
        [
            "causal",
            "--data",
            str(data),
            "--protected",
            "sex",
            "--outcome",
            "credit",
            "--dag",
            str(dag),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    ident = json.loads(res.output)["identification"]
    assert ident["dag_source"] == "user" and ident["mediators"] == ["personal_status"]
    assert ident["resolving"] == ["personal_status"] and ident["biased_mediators"] == []
    bad = tmp_path / "cyclic.yaml"
    bad.write_text("edges: [sex -> credit, credit -> sex]\n")
    res = CliRunner().invoke(
        cli, ["causal", "--data", str(data), "--protected", "sex", "--outcome", "credit", "--dag", str(bad)]
    )
    assert res.exit_code == 2 and "cycle" in res.output
