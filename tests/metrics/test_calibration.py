"""Calibration of the before/after inference, proven by simulation (fixed seeds, vectorised).

How the simulations work. Count metrics depend on the rows only through the per-(group, label)
counts of each prediction pattern ``(before, after)``, so a simulated data set is one multinomial draw
of those counts per group (labels random within a group, as in a real sample), and thousands of data
sets are resampled at once by the same functions :func:`fairmend.stats.compare` composes
(``bootstrap_counts`` -> ``count_values`` -> ``inference``); ``test_helper_is_compare`` pins that.

Null interventions. A *null* is an intervention that changes nothing about the metric in expectation:

* ``exchangeable``: each row keeps its baseline decision with probability 1/2, otherwise the
  intervention re-draws it from the same per-(group, label) rate: before and after are exchangeable.
* ``same_shift``: the intervention re-draws half the rows from rates 0.05 higher in *every* group, so
  each group's rate moves and the gap between groups does not. Predictions are not exchangeable
  here, which is the case where a swap-permutation test of the raw change is not valid.

With two groups the statistic is the signed difference in a fixed group order (group 0 first); the
library fixes the order on the baseline, and flipping it flips the statistic and its interval, so
rejections and coverage are the same. With four groups it is the max - min statistic.
"""

from __future__ import annotations

import numpy as np
import pytest

from fairmend.metrics._counts import evaluate_counts
from fairmend.runner.gates import GatePolicy, evaluate_gate
from fairmend.stats import compare
from fairmend.stats._bootstrap import inference, orientation_of
from fairmend.stats._engine import _to_counts, bootstrap_counts, count_values, pattern_counts
from fairmend.stats._estimand import Orientation, strata_of_metric
from fairmend.stats._prepare import prepare

DP, EOPP, EO = "demographic_parity_difference", "equal_opportunity_difference", "equalized_odds_difference"
FIXED = Orientation({r: (0, 1) for r in ("selection_rate", "tpr", "fpr", "ppv", "npv", "fnr", "accuracy", "ece")},
                    ["g0", "g1"])
TWO = {"sizes": np.array([400, 200]), "base": np.array([0.3, 0.4]), "q": np.array([[0.2, 0.6], [0.15, 0.5]])}
# four groups, the smallest with about 50 positives (160 rows x 0.32); extreme groups distinct
FOUR = {"sizes": np.array([160, 350, 600, 1200]), "base": np.array([0.32, 0.35, 0.33, 0.35]),
        "q": np.array([[0.10, 0.45], [0.15, 0.62], [0.20, 0.70], [0.25, 0.80]])}


def simulate(rng, reps, sizes, base, q_before, q_after, keep=0.5):
    """Pattern counts ``(reps, 2G, 4)`` (pattern = before + 2 after) for ``reps`` simulated data sets.

    ``q_*[g, y]`` is P(decision = 1 | group, label). A row keeps its baseline decision with probability
    ``keep``; otherwise the intervention draws it afresh with the rate that makes P(after = 1) = q_after.
    """
    G = len(sizes)
    cells = np.zeros((G, 2, 4))
    for g in range(G):
        for y in (0, 1):
            qb, qa = q_before[g, y], q_after[g, y]
            r = (qa - keep * qb) / (1 - keep)
            stay = keep + (1 - keep) * r
            cells[g, y] = (base[g] if y else 1 - base[g]) * np.array(
                [(1 - qb) * (1 - (1 - keep) * r), qb * (1 - stay), (1 - qb) * (1 - keep) * r, qb * stay])
    return rng.multinomial(sizes, cells.reshape(G, 8), size=(reps, G)).reshape(reps, 2 * G, 4)


def paired_inference(pc, metric, n_boot, rng, orientation=FIXED):
    """``(delta, lo, hi, p)`` per simulated data set, composed as compare() does for a count metric."""
    G = pc.shape[-2] // 2
    o = orientation if G == 2 else None
    size = pc.sum(-1)
    counts = [_to_counts(pc[..., [1, 3]].sum(-1), size, G), _to_counts(pc[..., [2, 3]].sum(-1), size, G)]
    delta = count_values(counts, [metric], o)[metric]
    reps = count_values(bootstrap_counts(pc, 2, n_boot, rng, strata_of_metric(metric)), [metric], o)[metric]
    out = np.array([inference(reps[:, i], delta[i]) for i in range(len(delta))])
    return np.column_stack([delta, out])


def _change(pc, metrics, n_boot, rng):
    """compare()-shaped dicts, one per simulated data set (for the gate)."""
    G = pc.shape[-2] // 2
    size = pc.sum(-1)
    counts = [_to_counts(pc[..., [1, 3]].sum(-1), size, G), _to_counts(pc[..., [2, 3]].sum(-1), size, G)]
    plain = [evaluate_counts(c, metrics) for c in counts]
    signed = [count_values([c], metrics, FIXED) for c in counts]
    inf = {m: paired_inference(pc, m, n_boot, rng) for m in metrics}
    return [{m: {"before": plain[0][m][i], "after": plain[1][m][i], "before_signed": signed[0][m][i],
                 "delta": inf[m][i, 0], "ci95": [inf[m][i, 1], inf[m][i, 2]], "p_value": inf[m][i, 3]}
             for m in metrics} for i in range(pc.shape[0])]


def test_helper_is_compare():
    """The simulation helper reproduces compare() exactly on one data set (same seed, same draws)."""
    rng = np.random.default_rng(3)
    pc = simulate(rng, 1, **{k: TWO[k] for k in ("sizes", "base")}, q_before=TWO["q"], q_after=TWO["q"] + 0.03)[0]
    rows = np.repeat(np.arange(pc.size), pc.ravel())
    stratum, pattern = rows // 4, rows % 4
    g, y, before, after = stratum // 2, stratum % 2, pattern & 1, pattern >> 1
    for metric in (DP, EOPP):
        ours = compare(y, before, after, g, metrics=[metric], n_boot=400, seed=11)[metric]
        data = prepare(y, [before, after], g, None, ("before", "after"))
        np.testing.assert_array_equal(pattern_counts(data.g, data.y, data.preds, 2), pc)
        ref = paired_inference(pc[None], metric, 400, np.random.default_rng(11), orientation_of(data))[0]
        assert [ours["delta"], *ours["ci95"], ours["p_value"]] == pytest.approx(list(ref), abs=1e-12)


@pytest.mark.parametrize("null", ["exchangeable", "same_shift"])
def test_type_one_error_two_groups(null):
    """Two groups of 400 and 200 rows (120 and 80 positives): rejections at alpha = 0.05 in [0.035, 0.065]."""
    rng = np.random.default_rng(2024)
    shift = 0.05 if null == "same_shift" else 0.0
    pc = simulate(rng, 2000, TWO["sizes"], TWO["base"], TWO["q"], TWO["q"] + shift)
    for metric in (DP, EOPP):
        rate = np.mean(paired_inference(pc, metric, 500, rng)[:, 3] < 0.05)
        assert 0.035 <= rate <= 0.065, (null, metric, rate)


@pytest.mark.parametrize("null", ["exchangeable", "same_shift"])
def test_type_one_error_four_groups_small_cell(null):
    """Four groups, the smallest with ~50 positives; the change of the max - min gap is tested.

    The extreme groups are distinct here (TPR 0.45 vs 0.80); when two groups' rates are within noise of
    each other the max - min statistic is biased and the test becomes conservative, not liberal.
    """
    rng = np.random.default_rng(77)
    shift = 0.05 if null == "same_shift" else 0.0
    pc = simulate(rng, 2000, FOUR["sizes"], FOUR["base"], FOUR["q"], FOUR["q"] + shift)
    assert pc[:, 1].sum(-1).mean() == pytest.approx(51, abs=2)  # positives of the smallest group
    for metric in (DP, EOPP):
        rate = np.mean(paired_inference(pc, metric, 500, rng)[:, 3] < 0.05)
        assert 0.035 <= rate <= 0.065, (null, metric, rate)


@pytest.mark.parametrize("gap_after", [0.0, 0.01, 0.02, 0.05, 0.1])
def test_coverage_two_groups_signed_change(gap_after):
    """Baseline selection rates 0.45 / 0.35 (gap 0.10); the intervention leaves a true gap of
    ``gap_after`` (including closing it). The 95 % interval of the signed change covers the true change
    ``gap_after - 0.10`` at least 93 % of the time."""
    rng = np.random.default_rng(int(gap_after * 1000) + 5)
    q_before = np.array([[0.45, 0.45], [0.35, 0.35]])
    q_after = np.array([[0.45, 0.45], [0.45 - gap_after] * 2])
    pc = simulate(rng, 2000, TWO["sizes"], TWO["base"], q_before, q_after)
    res = paired_inference(pc, DP, 500, rng)
    truth = gap_after - 0.10
    assert np.mean((res[:, 1] <= truth) & (truth <= res[:, 2])) >= 0.93


@pytest.mark.parametrize("gap", [0.0, 0.01, 0.02, 0.05, 0.1])
def test_coverage_two_groups_signed_gap(gap):
    """The interval of one model's gap (stratified_bootstrap_ci's path): the signed difference
    ``rate(g0) - rate(g1)`` covers its true value ``gap`` at least 93 % of the time, also at 0, where a
    max - min interval never does."""
    rng = np.random.default_rng(int(gap * 1000) + 9)
    rates = np.array([0.4 + gap, 0.4])
    cells = np.stack([TWO["sizes"] * 0 + 1 - rates, rates], axis=1)  # (G, pattern) per label, labels drawn
    probs = np.concatenate([np.outer([1 - b, b], c) for b, c in zip(TWO["base"], cells)]).reshape(2, 4)
    pc = rng.multinomial(TWO["sizes"], probs, size=(4000, 2)).reshape(4000, 4, 2)
    counts = _to_counts(pc[..., 1], pc.sum(-1), 2)
    point = count_values([counts], [DP], FIXED)[DP]
    reps = count_values(bootstrap_counts(pc, 1, 500, rng, strata_of_metric(DP)), [DP], FIXED)[DP]
    ci = np.array([inference(reps[:, i], point[i])[:2] for i in range(len(point))])
    assert np.mean((ci[:, 0] <= gap) & (gap <= ci[:, 1])) >= 0.93


def test_coverage_four_groups_change_of_max_min():
    """Four groups: the interval covers the change of the max - min gap (TPR 0.80 - 0.45 -> 0.75 - 0.45
    here, the extreme groups distinct before and after). When the extreme group comes within noise of
    another (a near tie for max or min), or near a gap of 0, the max - min statistic is biased upward
    and the interval covers less; that is why two-group results use the signed difference."""
    rng = np.random.default_rng(31)
    q_after = FOUR["q"].copy()
    q_after[3, 1] = 0.75
    pc = simulate(rng, 2000, FOUR["sizes"], FOUR["base"], FOUR["q"], q_after)
    res = paired_inference(pc, EOPP, 500, rng)
    assert np.mean((res[:, 1] <= -0.05) & (-0.05 <= res[:, 2])) >= 0.93


def test_p_below_alpha_iff_interval_excludes_zero():
    """Over many random inputs (discrete, tied, skewed replicates; both methods): p < 0.05 <=> the 95 %
    interval excludes 0, and the same through compare() on random data sets for every metric."""
    rng = np.random.default_rng(0)
    for i in range(3000):
        b = int(rng.integers(50, 1500))
        reps = np.round(rng.normal(rng.normal(0, 0.05), rng.uniform(0.001, 0.05), b) ** rng.choice([1, 3]), 3)
        point = float(np.median(reps) + rng.normal(0, 0.01))
        jack = (rng.normal(0, 0.01, 40), np.ones(40))
        for method in ("percentile", "bca"):
            lo, hi, p = inference(reps, point, 0.95, method, jack if method == "bca" else None)
            assert (p < 0.05) == (lo > 0 or hi < 0), (i, method, lo, hi, p, b)
    checked = 0
    for i in range(25):
        n = int(rng.integers(150, 600))
        g = rng.choice(["a", "b", "c"][: 2 + i % 2], n)
        y = rng.integers(0, 2, n)
        s1 = np.clip(0.3 + 0.3 * y + rng.normal(0, 0.2, n), 0, 1)
        s2 = np.clip(s1 + rng.normal(rng.normal(0, 0.05), 0.1, n), 0, 1)
        out = compare(y, (s1 > 0.5).astype(int), (s2 > 0.45).astype(int), g, scores_before=s1, scores_after=s2,
                      n_boot=300, seed=i, ci_method="bca" if i % 5 == 0 else "percentile")
        for m, c in out.items():
            if np.isfinite(c["p_value"]):
                assert (c["p_value"] < 0.05) == (c["ci95"][0] > 0 or c["ci95"][1] < 0), (i, m, c)
                checked += 1
    assert checked > 400


def test_gate_passes_null_interventions_rarely():
    """A null intervention (exchangeable re-draw) on data with a DP gap of 0.10: the default gate
    (significant improvement required) passes at most 5 % of them; the point-estimate gate of old,
    ">= 10 % improvement", passes far more on the same data."""
    rng = np.random.default_rng(8)
    q = np.array([[0.40, 0.60], [0.30, 0.50]])
    pc = simulate(rng, 1000, TWO["sizes"], TWO["base"], q, q)
    changes = _change(pc, [DP, "accuracy", EOPP, EO], 500, rng)
    strict = [evaluate_gate(DP, c, higher_is_better=False).passed for c in changes]
    loose = [evaluate_gate(DP, c, higher_is_better=False, policy=GatePolicy(require_significance=False)).passed
             for c in changes]
    assert np.mean(strict) <= 0.05
    assert np.mean(loose) > 0.2


@pytest.mark.parametrize("n_groups", [2, 3])
def test_audit_p_agrees_with_interval(n_groups):
    """In the audit too, p < 0.05 exactly when the 95 % interval excludes parity (0, or 1 for ratios)."""
    import pandas as pd

    from fairmend.stats import audit

    rng = np.random.default_rng(n_groups)
    checked = 0
    for i in range(8):
        n = 600
        g = rng.choice(list("abc")[:n_groups], n)
        y = rng.integers(0, 2, n)
        pred = (rng.random(n) < 0.3 + 0.2 * y + rng.choice([0.0, 0.06, 0.15]) * (g == "a")).astype(int)
        out = audit(y, pred, pd.DataFrame({"g": g}), ["g"], n_boot=300, n_permutations=300, seed=i)
        for m, gap in out["per_attribute"]["g"]["gaps"].items():
            parity = 1.0 if m.endswith("_ratio") else 0.0
            lo, hi = gap["ci95"]
            assert (gap["p_value"] < 0.05) == (lo > parity or hi < parity), (n_groups, i, m, gap)
            checked += 1
    assert checked == 8 * 7
