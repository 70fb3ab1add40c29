"""Fair regression post-processing (Chzhen et al. 2020) on Adult hours_per_week.

Wasserstein-barycenter repair and plug-in recalibration; a ridge model predicts hours_per_week
from the other features (sex and race excluded), protected attribute sex. Baseline: Kolmogorov
(KS) distance between the groups' prediction distributions ~0.45.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairmend.catalog.techniques.post_processing.plugin_regression import PluginRecalibrationRegression
from fairmend.catalog.techniques.post_processing.wasserstein_regression import WassersteinBarycenterRegression
from scipy.stats import ks_2samp
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import Ridge
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from fairmend.errors import DataError, InvalidParameterError, SingleGroupError


@pytest.fixture(scope="module")
def hours(adult_sample):
    frame = adult_sample.frame
    y = frame["hours_per_week"].to_numpy(dtype=float)
    X = frame.drop(columns=["hours_per_week", "sex", "race"])
    g = frame["sex"].astype(str).to_numpy()
    cats = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    nums = [c for c in X.columns if c not in cats]
    Xtr, Xrest, ytr, yrest, _gtr, grest = train_test_split(X, y, g, test_size=0.6, random_state=0)
    Xcal, Xte, ycal, yte, gcal, gte = train_test_split(Xrest, yrest, grest, test_size=0.5, random_state=0)
    model = make_pipeline(
        ColumnTransformer(
            [("n", StandardScaler(), nums), ("c", OneHotEncoder(handle_unknown="ignore"), cats)]
        ),
        Ridge(alpha=1.0),
    ).fit(Xtr, ytr)
    return model.predict(Xcal), ycal, gcal, model.predict(Xte), yte, gte


def _ks(pred, g) -> float:
    a, b = np.unique(g)
    return float(ks_2samp(pred[g == a], pred[g == b]).statistic)


def _mse(pred, y) -> float:
    return float(np.mean((pred - y) ** 2))


def test_barycenter_equalises_distributions(hours) -> None:
    f_cal, y_cal, g_cal, f_te, y_te, g_te = hours
    model = WassersteinBarycenterRegression().fit(f_cal, y_cal, sensitive_features=g_cal)
    fair = model.predict(f_te, sensitive_features=g_te)
    before, after = _ks(f_te, g_te), _ks(fair, g_te)
    assert before > 0.3
    assert after < 0.06, (before, after)  # ~0 up to calibration/test sampling
    mse_before, mse_after = _mse(f_te, y_te), _mse(fair, y_te)
    assert mse_before < mse_after < 1.3 * mse_before, (mse_before, mse_after)
    # on the calibration data itself the group distributions coincide almost exactly
    assert _ks(model.predict(f_cal, sensitive_features=g_cal), g_cal) < 0.02
    # the map is monotone within a group (it preserves the within-group ranking)
    m = g_te == g_te[0]
    order = np.argsort(f_te[m])
    assert np.all(np.diff(fair[m][order]) >= -1e-3)


def test_partial_repair_interpolates(hours) -> None:
    f_cal, _y_cal, g_cal, f_te, _y_te, g_te = hours
    full = WassersteinBarycenterRegression().fit(f_cal, sensitive_features=g_cal)
    half = WassersteinBarycenterRegression(repair_level=0.5).fit(f_cal, sensitive_features=g_cal)
    none = WassersteinBarycenterRegression(repair_level=0.0).fit(f_cal, sensitive_features=g_cal)
    np.testing.assert_allclose(none.predict(f_te, sensitive_features=g_te), f_te)
    np.testing.assert_allclose(
        half.predict(f_te, sensitive_features=g_te),
        0.5 * f_te + 0.5 * full.predict(f_te, sensitive_features=g_te),
    )
    assert _ks(f_te, g_te) > _ks(half.predict(f_te, sensitive_features=g_te), g_te)


def test_bad_input(hours) -> None:
    f_cal, _y_cal, g_cal, *_ = hours
    with pytest.raises(SingleGroupError):
        WassersteinBarycenterRegression().fit(f_cal, sensitive_features=np.zeros(len(f_cal)))
    with pytest.raises(InvalidParameterError):
        WassersteinBarycenterRegression(repair_level=2).fit(f_cal, sensitive_features=g_cal)
    bad = f_cal.copy()
    bad[0] = np.nan
    with pytest.raises(DataError):
        WassersteinBarycenterRegression().fit(bad, sensitive_features=g_cal)
    model = WassersteinBarycenterRegression().fit(f_cal, sensitive_features=g_cal)
    with pytest.raises(DataError):
        model.predict(f_cal[:3], sensitive_features=np.array(["Female", "Male", "Other"]))


def test_plugin_recalibration_epsilon_fair(hours) -> None:
    f_cal, y_cal, g_cal, f_te, y_te, g_te = hours
    strict = PluginRecalibrationRegression(epsilon=0.0).fit(f_cal, y_cal, sensitive_features=g_cal)
    loose = PluginRecalibrationRegression(epsilon=0.005).fit(f_cal, sensitive_features=g_cal)
    for model, eps in ((strict, 0.0), (loose, 0.005)):
        pred_cal = model.predict(f_cal, sensitive_features=g_cal)
        assert set(np.unique(pred_cal)) <= set(model.levels_)
        # the epsilon-fairness constraint per level, on the (unlabelled) fitting data
        freq = pred_cal[:, None] == model.levels_[None, :]
        overall = freq.mean(axis=0)
        viol = max(np.abs(freq[g_cal == s].mean(axis=0) - overall).max() for s in np.unique(g_cal))
        assert model.max_violation_ <= eps + 1e-3  # smoothed dual solution
        assert viol <= eps + 0.01, viol  # hard argmin rule
    before = _ks(f_te, g_te)
    ks_strict = _ks(strict.predict(f_te, sensitive_features=g_te), g_te)
    ks_loose = _ks(loose.predict(f_te, sensitive_features=g_te), g_te)
    assert ks_strict < 0.08 and ks_strict < ks_loose < before / 2, (before, ks_strict, ks_loose)
    mse_before = _mse(f_te, y_te)
    mse_strict = _mse(strict.predict(f_te, sensitive_features=g_te), y_te)
    mse_loose = _mse(loose.predict(f_te, sensitive_features=g_te), y_te)
    assert mse_before < mse_loose < mse_strict < 1.3 * mse_before, (mse_before, mse_loose, mse_strict)


def test_plugin_bad_input(hours) -> None:
    f_cal, _y_cal, g_cal, *_ = hours
    with pytest.raises(SingleGroupError):
        PluginRecalibrationRegression().fit(f_cal, sensitive_features=np.zeros(len(f_cal)))
    with pytest.raises(InvalidParameterError):
        PluginRecalibrationRegression(n_levels=1).fit(f_cal, sensitive_features=g_cal)
