"""Learning fair representations (Zemel et al. 2013), own torch implementation.

fairlearn's ``PrototypeRepresentationLearner`` implements the same objective with scipy L-BFGS and
numerical work that takes minutes on a few thousand Adult rows; this version optimises it with
autograd (L-BFGS in torch) and takes seconds.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import PreProcessorMixin, Resampled
from fairmend.catalog.params import Param

from fairmend.errors import InvalidParameterError, MissingDependencyError

from ._common import NumericEncoder, as_frame, check_binary_labels, check_groups


def _torch() -> Any:
    try:
        import torch
    except ImportError as exc:
        raise MissingDependencyError(
            "learning_fair_representations_zemel needs torch: pip install fairmend[torch]"
        ) from exc
    return torch


class LearnedFairRepresentations(PreProcessorMixin):
    """Map each row to soft memberships of ``n_prototypes`` prototypes that hide the group.

    With prototypes ``v_k`` and per-feature distance weights ``alpha``, row ``x`` gets
    ``M_k(x) = softmax_k(-sum_j alpha_j (x_j - v_kj)^2)``. The loss is
    ``A_x L_x + A_y L_y + A_z L_z``: reconstruction ``L_x``, the mean squared error of ``x - M V``
    over rows and features; label cross-entropy ``L_y`` of ``y_hat = M w`` (``w`` in (0, 1)), mean
    over rows; and statistical parity of the memberships ``L_z = mean_k |mean_{g} M_k - mean M_k|``
    summed over groups. For two groups ``L_z`` is ``mean_k |M_k^+ - M_k^-|``, the term of aif360's
    ``LFR`` and of the code released with the paper (the paper writes a sum over ``k``; the mean
    keeps ``A_z`` on the scale of those implementations, whose defaults ``A_x = 0.01, A_y = 1,
    A_z = 50`` are ours too). ``L_y`` is aif360's; its ``L_x`` sums the two groups' mean squared
    errors where ours pools the rows. ``transform`` returns the memberships as columns
    ``prototype_0 ...``, computed from X alone (no group needed at inference).

    Parameters
    ----------
    n_prototypes : int
        Number of prototypes ``K`` (columns of the representation).
    reconstruct_weight, target_weight, fairness_weight : float
        ``A_x``, ``A_y``, ``A_z``.
    max_iter : int
        L-BFGS iterations.
    random_state : int
        Seed of the prototype initialisation.

    References
    ----------
    Zemel, R., Wu, Y., Swersky, K., Pitassi, T. & Dwork, C. (2013). Learning Fair Representations.
    ICML 2013.
    """

    def __init__(
        self,
        *,
        n_prototypes: Annotated[int, Param('Number of prototypes (columns of the representation)', range=(1.0, 200.0))] = 10,
        reconstruct_weight: Annotated[float, Param('Weight A_x of the reconstruction loss', range=(0.0, 1000.0))] = 0.01,
        target_weight: Annotated[float, Param('Weight A_y of the label loss', range=(0.0, 1000.0))] = 1.0,
        fairness_weight: Annotated[float, Param('Weight A_z of the statistical-parity loss', range=(0.0, 10000.0), tunable=True)] = 50.0,
        max_iter: Annotated[int, Param('L-BFGS iterations', range=(1.0, 100000.0))] = 200,
        random_state: Annotated[int, Param('Seed of the prototype initialisation', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.n_prototypes = n_prototypes
        self.reconstruct_weight = reconstruct_weight
        self.target_weight = target_weight
        self.fairness_weight = fairness_weight
        self.max_iter = max_iter
        self.random_state = random_state

    def _memberships(self, Z: Any, torch: Any) -> Any:
        a = torch.nn.functional.softplus(self._a)
        d = (Z**2) @ a[:, None] - 2 * Z @ (self._v * a).T + ((self._v**2) @ a)[None, :]
        return torch.softmax(-d, dim=1)

    def _loss_terms(self, Z: Any, yt: Any, masks: list[Any], torch: Any) -> tuple[Any, Any, Any]:
        M = self._memberships(Z, torch)
        l_x = ((Z - M @ self._v) ** 2).mean()
        p = (M @ torch.sigmoid(self._w)).clamp(1e-6, 1 - 1e-6)
        l_y = torch.nn.functional.binary_cross_entropy(p, yt)
        overall = M.mean(0)
        # mean over prototypes, as aif360's LFR and Zemel's released code scale it: a sum over
        # prototypes makes A_z K times stronger and collapses the representation at aif360's defaults
        l_z = sum((M[m].mean(0) - overall).abs().mean() for m in masks)
        return l_x, l_y, l_z

    def loss_terms(self, X: Any, y: Any, *, sensitive_features: Any) -> dict[str, float]:
        """The three unweighted loss terms ``L_x``, ``L_y``, ``L_z`` at the fitted parameters on (X, y)."""
        torch = _torch()
        X = as_frame(X)
        y = check_binary_labels(y, len(X))
        groups = check_groups(sensitive_features, len(X), technique="learning fair representations")
        Z = torch.tensor(self.encoder_.transform(X), dtype=torch.float64)
        masks = [torch.tensor(groups == g) for g in pd.unique(groups)]
        with torch.no_grad():
            terms = self._loss_terms(Z, torch.tensor(y, dtype=torch.float64), masks, torch)
        return dict(zip(("reconstruction", "target", "fairness"), (float(t) for t in terms), strict=True))

    def fit(self, X: Any, y: Any, *, sensitive_features: Any) -> LearnedFairRepresentations:
        torch = _torch()
        if int(self.n_prototypes) < 1:
            raise InvalidParameterError(f"n_prototypes must be at least 1, got {self.n_prototypes}")
        X = as_frame(X)
        y = check_binary_labels(y, len(X))
        groups = check_groups(sensitive_features, len(X), technique="learning fair representations")
        self.encoder_ = NumericEncoder().fit(X)
        Zn = self.encoder_.transform(X)
        gen = torch.Generator().manual_seed(int(self.random_state))
        Z = torch.tensor(Zn, dtype=torch.float64)
        yt = torch.tensor(y, dtype=torch.float64)
        masks = [torch.tensor(groups == g) for g in pd.unique(groups)]
        init = torch.randint(0, len(Z), (int(self.n_prototypes),), generator=gen)
        self._v = (
            Z[init] + 0.01 * torch.randn(Z[init].shape, generator=gen, dtype=torch.float64)
        ).requires_grad_()
        self._a = torch.zeros(Z.shape[1], dtype=torch.float64, requires_grad=True)
        self._w = torch.zeros(int(self.n_prototypes), dtype=torch.float64, requires_grad=True)
        opt = torch.optim.LBFGS(
            [self._v, self._a, self._w], max_iter=int(self.max_iter), line_search_fn="strong_wolfe"
        )

        def closure() -> Any:
            opt.zero_grad()
            l_x, l_y, l_z = self._loss_terms(Z, yt, masks, torch)
            loss = self.reconstruct_weight * l_x + self.target_weight * l_y + self.fairness_weight * l_z
            loss.backward()
            return loss

        opt.step(closure)
        self.prototypes_ = self._v.detach().numpy().copy()
        self.alpha_ = torch.nn.functional.softplus(self._a).detach().numpy().copy()
        self.w_ = torch.sigmoid(self._w).detach().numpy().copy()
        return self

    def transform(self, X: Any, *, sensitive_features: Any = None) -> pd.DataFrame:
        X = as_frame(X)
        Z = self.encoder_.transform(X)
        a, v = self.alpha_, self.prototypes_
        d = (Z**2) @ a[:, None] - 2 * Z @ (v * a).T + ((v**2) @ a)[None, :]
        d = d - d.min(axis=1, keepdims=True)
        M = np.exp(-d)
        M /= M.sum(axis=1, keepdims=True)
        return pd.DataFrame(M, columns=[f"prototype_{k}" for k in range(M.shape[1])], index=X.index)

    def label_scores(self, X: Any) -> np.ndarray:
        """The representation's own label model ``y_hat = M w`` (Zemel's classifier)."""
        return self.transform(X).to_numpy() @ self.w_

    def fit_resample(self, X: Any, y: Any, *, sensitive_features: Any) -> Resampled:
        self.fit(X, y, sensitive_features=sensitive_features)
        return Resampled(
            X=self.transform(X), y=np.asarray(y).astype(int), sensitive_features=sensitive_features
        )
