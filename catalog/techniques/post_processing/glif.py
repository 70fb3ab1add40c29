"""Graph-Laplacian post-processing for individual fairness (Petersen, Mukherjee, Sun & Yurochkin 2021)."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.post_processing._common import check_groups, check_scores
from fairmend.catalog.techniques.post_processing.instance_threshold import _encoder, _objectify
from sklearn.base import BaseEstimator

from fairmend.errors import DataError, InvalidParameterError

KEY = "individual_fairness_postprocessing_glif"


def _dense(Z: Any) -> np.ndarray:
    return np.asarray(Z.toarray() if hasattr(Z, "toarray") else Z, dtype=float)


class GraphLaplacianIndividualFairness(BaseEstimator):
    """Smooth a batch of scores over a fair-similarity graph (GLIF, Petersen et al. 2021).

    Individual fairness asks that similar individuals (under a *fair metric*) get similar
    outputs. GLIF post-processes the outputs ``yhat`` of a batch of ``n`` individuals by solving
    ``min_f ||f - yhat||^2 + lam f^T L f`` with ``L = D - W`` the Laplacian of a similarity graph
    ``W`` on the batch; the closed form is ``f = (I + lam L)^{-1} yhat`` (paper, Eq. 3.2). It is
    transductive: ``predict_proba`` builds the graph on the batch it is given.

    Fair metric (paper Sec. 4, after Yurochkin et al.'s SenSR metric): features are one-hot
    encoded and standardised, and the *sensitive subspace* — spanned by the coefficient vectors
    of logistic regressions predicting each protected group from ``X`` — is projected out, so two
    individuals that differ only along directions that encode the protected attribute are close.
    ``fit`` learns the encoder and the projection from ``X`` and ``sensitive_features``; ``W`` is
    a symmetrised ``n_neighbors``-nearest-neighbour graph with Gaussian weights (bandwidth = the
    median neighbour distance).

    Parameters
    ----------
    lam : float
        Strength of the Laplacian smoothing (0 = unchanged scores).
    n_neighbors : int
        Neighbours per individual in the similarity graph.
    threshold : float
        Decision threshold on the smoothed score.

    References
    ----------
    Petersen, F., Mukherjee, D., Sun, Y., Yurochkin, M. (2021). Post-processing for Individual
    Fairness. NeurIPS 2021.
    Yurochkin, M., Bower, A., Sun, Y. (2020). Training Individually Fair ML Models with Sensitive
    Subspace Robustness. ICLR 2020.
    """

    def __init__(self, *, lam: Annotated[float, Param('Strength of the Laplacian smoothing (0 = unchanged scores)', range=(0.0, 1000000.0), tunable=True)] = 1.0, n_neighbors: Annotated[int, Param('Neighbours per individual in the similarity graph', range=(1.0, 1000.0))] = 10, threshold: Annotated[float, Param('Decision threshold on the smoothed score', range=(0.0, 1.0))] = 0.5) -> None:
        self.lam = lam
        self.n_neighbors = n_neighbors
        self.threshold = threshold

    def _check_X(self, X: Any, n_rows: int) -> pd.DataFrame:
        if X is None:
            raise DataError(f"{KEY} needs the features X to build the similarity graph")
        X = pd.DataFrame(X)
        if len(X) != n_rows:
            raise DataError(f"X has {len(X)} rows but y_score has {n_rows}")
        return X

    def fit(
        self, y_score: Any, y_true: Any = None, *, sensitive_features: Any, X: Any = None
    ) -> GraphLaplacianIndividualFairness:
        from sklearn.linear_model import LogisticRegression

        if float(self.lam) < 0.0:
            raise InvalidParameterError(f"lam must be non-negative, got {self.lam}")
        if int(self.n_neighbors) < 1:
            raise InvalidParameterError(f"n_neighbors must be at least 1, got {self.n_neighbors}")
        s = check_scores(y_score)
        X = self._check_X(X, len(s))
        groups = check_groups(sensitive_features, len(s), technique=KEY)
        self.columns_ = list(X.columns)
        self.encoder_, self._cats = _encoder(X)
        Z = _dense(self.encoder_.fit_transform(_objectify(X, self._cats)))
        uniq = sorted(set(groups.tolist()))
        targets = uniq[1:] if len(uniq) == 2 else uniq  # one direction for two groups
        directions = []
        for g in targets:
            clf = LogisticRegression(max_iter=1000).fit(Z, groups == g)
            directions.append(clf.coef_.ravel())
        Q, _ = np.linalg.qr(np.column_stack(directions))
        self.sensitive_basis_ = Q  # orthonormal basis of the sensitive subspace
        return self

    def fair_embedding(self, X: Any) -> np.ndarray:
        """Features in the fair metric: encoded, with the sensitive subspace projected out."""
        Z = _dense(self.encoder_.transform(_objectify(pd.DataFrame(X)[self.columns_], self._cats)))
        return Z - (Z @ self.sensitive_basis_) @ self.sensitive_basis_.T

    def laplacian(self, X: Any) -> Any:
        """Sparse graph Laplacian ``D - W`` of the batch ``X`` under the fair metric."""
        from scipy import sparse
        from sklearn.neighbors import NearestNeighbors

        E = self.fair_embedding(X)
        n = len(E)
        k = min(int(self.n_neighbors), n - 1)
        if k < 1:
            return sparse.csr_matrix((n, n))
        dist, idx = NearestNeighbors(n_neighbors=k + 1).fit(E).kneighbors(E)
        dist, idx = dist[:, 1:], idx[:, 1:]
        bandwidth = max(float(np.median(dist)), 1e-12)
        w = np.exp(-((dist / bandwidth) ** 2) / 2.0)
        W = sparse.csr_matrix((w.ravel(), (np.repeat(np.arange(n), k), idx.ravel())), shape=(n, n))
        W = W.maximum(W.T)
        return sparse.diags(np.asarray(W.sum(axis=1)).ravel()) - W

    def predict_proba(self, y_score: Any, *, sensitive_features: Any = None, X: Any = None) -> np.ndarray:
        """Smoothed scores ``(I + lam L)^{-1} y_score`` of the batch."""
        from scipy import sparse
        from scipy.sparse.linalg import spsolve

        s = check_scores(y_score)
        X = self._check_X(X, len(s))
        missing = [c for c in self.columns_ if c not in X.columns]
        if missing:
            raise DataError(f"X lacks the column(s) {', '.join(map(repr, missing))} seen in fit")
        L = self.laplacian(X)
        A = (sparse.identity(len(s), format="csc") + float(self.lam) * L).tocsc()
        return np.clip(spsolve(A, s), 0.0, 1.0)

    def predict(self, y_score: Any, *, sensitive_features: Any = None, X: Any = None) -> np.ndarray:
        p = self.predict_proba(y_score, sensitive_features=sensitive_features, X=X)
        return (p >= float(self.threshold)).astype(int)
