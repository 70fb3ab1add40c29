"""GLIF graph-Laplacian individual-fairness post-processing (Petersen et al. 2021) on Adult."""

from __future__ import annotations

import numpy as np
import pytest
from _pp_metrics import accuracy
from fairmend.catalog.techniques.post_processing.glif import GraphLaplacianIndividualFairness
from sklearn.neighbors import NearestNeighbors

from fairmend.errors import DataError, InvalidParameterError, SingleGroupError

N = 4000


def _consistency(pred: np.ndarray, E: np.ndarray, k: int = 5) -> float:
    """Zemel et al. (2013) consistency: 1 - mean |pred_i - mean pred of i's k fair-metric neighbours|."""
    idx = NearestNeighbors(n_neighbors=k + 1).fit(E).kneighbors(E, return_distance=False)[:, 1:]
    return float(1.0 - np.mean(np.abs(pred - pred[idx].mean(axis=1))))


def test_glif_smooths_over_fair_metric(adult_scores) -> None:
    d = adult_scores
    model = GraphLaplacianIndividualFairness(lam=1.0).fit(
        d.s_val[:N], sensitive_features=d.A_val[:N], X=d.X_val[:N]
    )
    Xb, sb, yb = d.X_test[:N], d.s_test[:N], d.y_test[:N]
    # the sensitive direction is gone from the fair embedding
    E = model.fair_embedding(Xb)
    assert np.abs(E @ model.sensitive_basis_).max() < 1e-8
    f = model.predict_proba(sb, X=Xb)
    L = model.laplacian(Xb)
    # GLIF objective: the solution beats the unchanged scores, and is smoother on the graph
    obj = lambda v: float(np.sum((v - sb) ** 2) + v @ (L @ v))
    assert obj(f) < obj(sb)
    assert f @ (L @ f) < 0.5 * (sb @ (L @ sb))
    base, post = (sb >= 0.5).astype(int), model.predict(sb, X=Xb)
    before, after = _consistency(base, E), _consistency(post, E)
    assert after > before + 0.01, (before, after)
    assert accuracy(post, yb) > accuracy(base, yb) - 0.03
    # lam = 0 leaves the scores unchanged
    none = GraphLaplacianIndividualFairness(lam=0.0).fit(
        d.s_val[:N], sensitive_features=d.A_val[:N], X=d.X_val[:N]
    )
    np.testing.assert_allclose(none.predict_proba(sb, X=Xb), sb)


def test_bad_input(adult_scores) -> None:
    d = adult_scores
    with pytest.raises(DataError):
        GraphLaplacianIndividualFairness().fit(d.s_val[:N], sensitive_features=d.A_val[:N])
    with pytest.raises(SingleGroupError):
        GraphLaplacianIndividualFairness().fit(d.s_val[:N], sensitive_features=np.zeros(N), X=d.X_val[:N])
    with pytest.raises(InvalidParameterError):
        GraphLaplacianIndividualFairness(lam=-1).fit(
            d.s_val[:N], sensitive_features=d.A_val[:N], X=d.X_val[:N]
        )
