"""Per-group ECE: equal-width ECE agrees with scikit-learn's calibration curve; miscalibration is detected."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairmend.catalog.techniques.evaluation.calibration import ECEGroupCalibrationAudit, ece
from fairmend.errors import DataError


def _sklearn_ece(y, p, n_bins=10):
    from sklearn.calibration import calibration_curve

    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy="uniform")
    counts = np.bincount(np.clip((p * n_bins).astype(int), 0, n_bins - 1), minlength=n_bins)
    counts = counts[counts > 0]
    return float(np.sum(counts / len(y) * np.abs(prob_true - prob_pred)))


def test_ece_matches_sklearn_calibration_curve(adult_scored):
    res = ECEGroupCalibrationAudit().run(adult_scored, protected="sex", outcome="income", scores="score")
    y, p = adult_scored["income"].to_numpy(), adult_scored["score"].to_numpy()
    assert res.summary["ece"] == pytest.approx(_sklearn_ece(y, p), abs=1e-12)
    for g in ("Female", "Male"):
        m = (adult_scored["sex"] == g).to_numpy()
        assert res.summary["group_ece"][g] == pytest.approx(_sklearn_ece(y[m], p[m]), abs=1e-12)
    rel = res.tables["reliability"]
    assert set(rel["scheme"]) == {"equal_width", "equal_mass"}
    mass = rel[(rel["group"] == "overall") & (rel["scheme"] == "equal_mass")]
    assert mass["n"].max() - mass["n"].min() <= 1  # equal-mass bins


def test_detects_a_group_made_miscalibrated(adult_scored):
    frame = adult_scored.copy()
    female = frame["sex"] == "Female"
    frame.loc[female, "score"] = np.clip(frame.loc[female, "score"] + 0.25, 0, 1)  # over-predict women
    res = ECEGroupCalibrationAudit().run(frame, protected="sex", outcome="income", scores="score")
    clean = ECEGroupCalibrationAudit().run(adult_scored, protected="sex", outcome="income", scores="score")
    assert res.summary["worst_group"] == "Female"
    assert res.summary["group_ece"]["Female"] > clean.summary["group_ece"]["Female"] + 0.15
    assert res.summary["passes"] is False


def test_perfectly_calibrated_synthetic_scores_have_small_ece(rng):
    p = rng.uniform(size=20_000)
    y = rng.binomial(1, p)
    e, _ = ece(y, p, 10, "equal_width")
    assert e < 0.02
    e_mass, _ = ece(y, p, 10, "equal_mass")
    assert e_mass < 0.02


def test_baseline_audit_and_artifacts(adult_frame, tmp_path):
    res = ECEGroupCalibrationAudit(output_dir=str(tmp_path)).run(
        adult_frame, protected=["sex", "race"], outcome="income"
    )
    assert res.summary["audited"] == "baseline_logreg_test_split"
    assert res.summary["ece"] < 0.05  # logistic regression is well calibrated overall on Adult
    svg = tmp_path / "reliability.svg"
    assert res.artifacts["reliability_svg"] == str(svg) and svg.read_text().lstrip().startswith("<?xml")
    table = pd.read_csv(res.artifacts["reliability_csv"])
    assert {"group", "scheme", "mean_score", "observed_rate"} <= set(table.columns)


def test_needs_scores_not_only_predictions(adult_scored):
    with pytest.raises(DataError, match="scores"):
        ECEGroupCalibrationAudit().run(adult_scored, protected="sex", outcome="income", predictions="pred")
    with pytest.raises(DataError, match="probabilities"):
        ECEGroupCalibrationAudit().run(
            adult_scored.assign(s=2.0), protected="sex", outcome="income", scores="s"
        )
