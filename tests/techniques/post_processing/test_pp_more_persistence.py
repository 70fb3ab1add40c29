"""The late post-processors survive the runner's skops round trip with identical predictions."""

from __future__ import annotations

import numpy as np
import pytest
from fairmend.catalog.techniques.post_processing.conformal import MondrianConformalClassifier
from fairmend.catalog.techniques.post_processing.debiaser import RandomizedThresholdOptimizer
from fairmend.catalog.techniques.post_processing.glif import GraphLaplacianIndividualFairness
from fairmend.catalog.techniques.post_processing.multiclass import LPMulticlassPostprocessor
from fairmend.catalog.techniques.post_processing.plugin_regression import PluginRecalibrationRegression
from fairmend.catalog.techniques.post_processing.wasserstein_regression import WassersteinBarycenterRegression


@pytest.mark.parametrize(
    "cls",
    [
        MondrianConformalClassifier,
        RandomizedThresholdOptimizer,
        LPMulticlassPostprocessor,
        WassersteinBarycenterRegression,
        PluginRecalibrationRegression,
        GraphLaplacianIndividualFairness,
    ],
)
def test_skops_round_trip(cls, adult_scores, tmp_path) -> None:
    sio = pytest.importorskip("skops.io")
    d = adult_scores
    kwargs = {"max_iter": 200} if cls is PluginRecalibrationRegression else {}
    n = 2000  # GLIF is transductive (graph on the batch); keep the batch small
    model = cls(**kwargs).fit(d.s_val[:n], d.y_val[:n], sensitive_features=d.A_val[:n], X=d.X_val[:n])
    path = tmp_path / "post.skops"
    sio.dump(model, path)
    loaded = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    np.testing.assert_array_equal(
        loaded.predict(d.s_test[:n], sensitive_features=d.A_test[:n], X=d.X_test[:n]),
        model.predict(d.s_test[:n], sensitive_features=d.A_test[:n], X=d.X_test[:n]),
    )
