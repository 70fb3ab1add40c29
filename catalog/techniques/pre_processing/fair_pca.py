"""Fair PCA by mean matching (Kleindessner, Donini, Russell & Zafar 2023; also Olfat & Aswani 2019)."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import PreProcessorMixin, Resampled
from fairmend.catalog.params import Param

from fairmend.errors import DataError, InvalidParameterError

from ._common import NumericEncoder, as_frame, check_groups


class FairPCA(PreProcessorMixin):
    """PCA restricted to directions in which all groups have the same mean.

    X is encoded numerically (standardised numeric columns, one-hot categoricals). With ``z_g`` the
    difference between group ``g``'s mean and the first group's mean, the projection is searched in
    the orthogonal complement ``R`` of ``span{z_g}``; the ``n_components`` leading principal
    directions of the data projected onto ``R`` give ``U = R W``. Every group then has the same
    mean representation, so no linear function of the representation separates groups on average
    (the mean-matching fair PCA of Kleindessner et al. 2023, closed form, any number of groups).

    This is *not* Samadi et al.'s (2018) fair PCA, which equalises the groups' reconstruction
    losses by semidefinite programming; the catalog entry's primary citation describes that one.

    Parameters
    ----------
    n_components : int
        Dimension of the representation (at most the number of encoded features minus the number
        of groups plus one).

    References
    ----------
    Kleindessner, M., Donini, M., Russell, C. & Zafar, M. B. (2023). Efficient Fair PCA for Fair
    Representation Learning. AISTATS 2023.
    Samadi, S., Tantipongpipat, U., Morgenstern, J., Singh, M. & Vempala, S. (2018). The Price of
    Fair PCA: One Extra Dimension. NeurIPS 2018.
    """

    def __init__(self, *, n_components: Annotated[int, Param('Dimension of the representation', range=(1.0, 10000.0))] = 10) -> None:
        self.n_components = n_components

    def fit(self, X: Any, y: Any = None, *, sensitive_features: Any) -> FairPCA:
        X = as_frame(X)
        groups = check_groups(sensitive_features, len(X), technique="fair PCA")
        self.encoder_ = NumericEncoder().fit(X)
        Z = self.encoder_.transform(X)
        levels = list(pd.unique(groups))
        means = np.vstack([Z[groups == g].mean(axis=0) for g in levels])
        diffs = (means[1:] - means[0]).T  # d x (G-1)
        u, s, _ = np.linalg.svd(diffs, full_matrices=True)
        rank = int(np.sum(s > 1e-10 * max(1.0, s.max(initial=0.0))))
        R = u[:, rank:]  # orthonormal basis of the complement of the mean differences
        k = int(self.n_components)
        if k < 1 or k > R.shape[1]:
            raise InvalidParameterError(f"n_components must be in [1, {R.shape[1]}] for these data, got {k}")
        if R.shape[1] == 0:
            raise DataError("no direction is left once group mean differences are removed")
        self.mean_ = Z.mean(axis=0)
        C = np.atleast_2d(np.cov((Z - self.mean_) @ R, rowvar=False))  # 0-d when one direction is left
        evals, evecs = np.linalg.eigh(C)
        order = np.argsort(evals)[::-1][:k]
        self.components_ = (R @ evecs[:, order]).T  # k x d
        self.explained_variance_ = evals[order]
        return self

    def transform(self, X: Any, *, sensitive_features: Any = None) -> pd.DataFrame:
        X = as_frame(X)
        P = (self.encoder_.transform(X) - self.mean_) @ self.components_.T
        return pd.DataFrame(P, columns=[f"pc_{i}" for i in range(P.shape[1])], index=X.index)

    def fit_resample(self, X: Any, y: Any, *, sensitive_features: Any) -> Resampled:
        self.fit(X, y, sensitive_features=sensitive_features)
        return Resampled(X=self.transform(X), y=np.asarray(y), sensitive_features=sensitive_features)
