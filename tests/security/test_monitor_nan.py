"""A monitoring statistic that cannot be computed is no evidence: it never raises an alert."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from fairmend.catalog.techniques.monitoring.drift import MMDDriftTest, mmd_test


def test_mmd_with_undefined_statistic_does_not_alert():
    rng = np.random.default_rng(0)
    res = mmd_test(rng.normal(size=(1, 3)), rng.normal(size=(50, 3)), n_permutations=50)  # one reference row
    assert math.isnan(res["mmd2"]) and math.isnan(res["p_value"])
    ref = pd.DataFrame({"x": [1.0]})
    cur = pd.DataFrame({"x": rng.normal(size=40)})
    summary = MMDDriftTest(reference=ref, n_permutations=50).run(cur).summary
    assert summary["alert"] is False


def test_mmd_still_alerts_on_a_real_shift():
    rng = np.random.default_rng(1)
    res = mmd_test(rng.normal(size=(80, 2)), rng.normal(loc=1.5, size=(80, 2)), n_permutations=100)
    assert res["p_value"] < 0.05
