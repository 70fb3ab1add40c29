"""Conditional demographic disparity: Simpson's paradox dissolves when conditioning on the stratum."""

from __future__ import annotations

import pandas as pd
import pytest

from fairmend.catalog.techniques.evaluation.conditional import ConditionalDemographicDisparity
from fairmend.errors import ColumnNotFoundError


def _admissions() -> pd.DataFrame:
    """Berkeley-style data: every department admits men and women at the same rate, but women apply to
    the selective department, so women are over-represented among the rejected overall."""
    rows = []
    for dept, rate, n_women, n_men in (("easy", 0.8, 100, 400), ("hard", 0.2, 400, 100)):
        for sex, n in (("F", n_women), ("M", n_men)):
            admitted = int(rate * n)
            rows += [{"dept": dept, "sex": sex, "admit": 1}] * admitted
            rows += [{"dept": dept, "sex": sex, "admit": 0}] * (n - admitted)
    return pd.DataFrame(rows)


def test_simpsons_paradox():
    frame = _admissions()
    plain = ConditionalDemographicDisparity().run(frame, protected="sex", outcome="admit")
    cond = ConditionalDemographicDisparity(stratum="dept").run(frame, protected="sex", outcome="admit")
    # overall: women are 68% of the rejected but 32% of the admitted
    assert plain.summary["dd"]["F"] == pytest.approx(340 / 500 - 160 / 500)
    assert cond.summary["dd"]["F"] == pytest.approx(plain.summary["dd"]["F"])
    assert cond.summary["cdd"]["F"] == pytest.approx(0.0, abs=1e-12)
    assert cond.summary["n_strata"] == 2


def test_adult_women_disadvantaged_within_occupations(adult_frame):
    res = ConditionalDemographicDisparity(stratum="occupation").run(
        adult_frame, protected="sex", outcome="income"
    )
    s = res.summary
    assert s["most_disadvantaged_group"] == "Female"
    assert 0 < s["cdd"]["Female"] <= s["dd"]["Female"]  # occupation explains part of the disparity
    assert s["cdd"]["Male"] == pytest.approx(-s["cdd"]["Female"])  # two groups: shares are complementary


def test_numeric_stratum_is_binned(adult_frame):
    res = ConditionalDemographicDisparity(stratum="age", n_bins=5).run(
        adult_frame, protected="sex", outcome="income"
    )
    assert res.summary["n_strata"] == 5


def test_missing_stratum_column(adult_frame):
    with pytest.raises(ColumnNotFoundError, match="department"):
        ConditionalDemographicDisparity(stratum="department").run(
            adult_frame, protected="sex", outcome="income"
        )
