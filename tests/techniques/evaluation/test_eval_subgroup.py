"""Subgroup scan on Adult labels: the female x non-white intersections have the lowest selection rates."""

from __future__ import annotations

import numpy as np
import pytest

from fairmend.catalog.techniques.evaluation.subgroup import (
    IntersectionalBiasAuditSubgroupScan,
    exact_permutation_pvalue,
)
from fairmend.errors import DataError, InvalidParameterError


@pytest.fixture(scope="module")
def scan(adult_frame):
    return IntersectionalBiasAuditSubgroupScan().run(adult_frame, protected=["sex", "race"], outcome="income")


def test_lowest_selection_rate_intersections_are_female_non_white(scan, adult_frame):
    table = scan.tables["subgroups"]
    pairs = table[table["order"] == 2].sort_values("rate")
    lowest = pairs["subgroup"].iloc[0]
    assert lowest.startswith("sex=Female") and "race=White" not in lowest
    # check the rate against a direct computation
    mask = (adult_frame["sex"] == "Female") & (adult_frame["race"] == lowest.split("race=")[1])
    assert pairs["rate"].iloc[0] == pytest.approx(adult_frame.loc[mask, "income"].mean())
    assert scan.summary["worst_subgroup"] == "sex=Female"
    assert (table["n"] >= 30).all()


def test_pvalues_are_bh_corrected(scan):
    table = scan.tables["subgroups"]
    from scipy.stats import false_discovery_control

    assert (table["q_value"] >= table["p_value"] - 1e-15).all()
    np.testing.assert_allclose(table["q_value"], false_discovery_control(table["p_value"], method="bh"))
    assert table.loc[table["subgroup"] == "sex=Female", "significant"].item()


def test_exact_pvalue_agrees_with_monte_carlo_permutations():
    rng = np.random.default_rng(0)
    values = rng.binomial(1, 0.3, size=400)
    member = np.zeros(400, dtype=bool)
    member[:60] = True
    values[:60] = rng.binomial(1, 0.18, size=60)
    observed = abs(values[member].mean() - values[~member].mean())
    perms = np.array(
        [abs(v[member].mean() - v[~member].mean()) for v in (rng.permutation(values) for _ in range(4000))]
    )
    mc = (np.sum(perms >= observed - 1e-12) + 1) / (len(perms) + 1)
    exact = exact_permutation_pvalue(int(values[member].sum()), 60, int(values.sum()), 400)
    assert exact == pytest.approx(mc, abs=0.02)


def test_error_rate_scan_with_binned_features(adult_frame):
    res = IntersectionalBiasAuditSubgroupScan(metric="error_rate", features="age", max_order=2).run(
        adult_frame, protected=["sex"], outcome="income"
    )
    table = res.tables["subgroups"]
    assert res.summary["audited"] == "baseline_logreg_test_split"
    assert table["order"].max() == 2
    assert table["subgroup"].str.contains("age=\\[").any()
    assert table["gap"].iloc[0] == table["gap"].max()  # highest error rate first


def test_bad_input(adult_frame):
    with pytest.raises(InvalidParameterError):
        IntersectionalBiasAuditSubgroupScan(metric="auc").run(adult_frame, protected="sex", outcome="income")
    with pytest.raises(InvalidParameterError, match="max_order"):
        IntersectionalBiasAuditSubgroupScan(
            features="fnlwgt,capital_gain,education,occupation", n_bins=20
        ).run(
            adult_frame.assign(fnlwgt=np.arange(len(adult_frame))),
            protected=["sex", "race"],
            outcome="income",
        )
    with pytest.raises(DataError, match="min_size"):
        IntersectionalBiasAuditSubgroupScan(min_size=10**6).run(
            adult_frame, protected="sex", outcome="income"
        )
