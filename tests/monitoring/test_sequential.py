"""The monitoring run's CUSUM: its false-alarm rate over the long window is calibrated (binomial days
simulated under no change, with the reference rates estimated as in a real run), and it has power against
a shift of the size a real fairness regression has."""

from __future__ import annotations

import numpy as np

from fairmend.monitoring.sequential import cusum_test, threshold


def _false_alarm_rate(
    shift: float,
    *,
    reps: int,
    seed: int,
    alpha: float = 0.05,
    n_days: int = 30,
    n_group: int = 45,
    n_rest: int = 90,
    p_group: float = 0.07,
    p_rest: float = 0.26,
    ref_days: int = 14,
) -> float:
    """Alarm frequency when the group's rate moves by ``shift`` in the last 7 days (0: no change)."""
    rng = np.random.default_rng(seed)
    alarms = 0
    for _ in range(reps):
        ng_ref, nr_ref = rng.poisson(n_group * ref_days), rng.poisson(n_rest * ref_days)
        reference = (rng.binomial(ng_ref, p_group), ng_ref, rng.binomial(nr_ref, p_rest), nr_ref)
        ng, nr = rng.poisson(n_group, n_days), rng.poisson(n_rest, n_days)
        rate = np.full(n_days, p_group)
        rate[-7:] += shift
        counts = np.c_[rng.binomial(ng, rate), ng, rng.binomial(nr, p_rest), nr].astype(float)
        alarms += cusum_test(counts, reference, k=0.5, alpha=alpha, min_group_rows=10)["alert"]
    return alarms / reps


def test_false_alarm_rate_is_calibrated_and_the_reference_error_widens_h():
    rate = _false_alarm_rate(0.0, reps=600, seed=11)
    assert 0.02 <= rate <= 0.08, rate  # nominal 0.05; binomial sd at 600 reps is 0.009
    assert threshold(30, 0.5, 0.05, 0.3) > threshold(30, 0.5, 0.05, 0.0)  # the reference error widens h


def test_power_against_a_planted_shift():
    assert _false_alarm_rate(0.15, reps=200, seed=12) > 0.9
