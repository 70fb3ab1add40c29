"""SenSR: individually fair logistic regression by sensitive subspace robustness (Yurochkin et al. 2020).

The fair metric is learned as in the paper's "sensitive subspace" construction: a logistic
regression of each protected group's indicator on the encoded features gives a direction along
which individuals differ mainly in their protected attribute; the span ``U`` of those directions
(orthonormalised) is the sensitive subspace, and the fair distance
``d(x, x')² = ‖(I − UUᵀ)(x − x')‖²`` ignores moves inside it. Training minimises the loss at
adversarial points: each minibatch is first moved inside the sensitive subspace, ``x' = x + U t``,
by ``subspace_steps`` gradient-ascent steps on the loss (``‖t‖ ≤ eps``, the attack the fair
metric does not charge for), then by ``full_steps`` ascent steps on the transport-penalised loss
``ℓ(x'') − fair_reg · d(x', x'')²`` (the paper's full SenSR step), and the model takes an Adam
step on the loss at ``x''``. The model is linear (logistic regression) on :class:`FeatureEncoder`
features; the protected attribute is used at fit only.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.in_processing._common import (
    FeatureEncoder,
    LogitClassifierMixin,
    check_binary_labels,
    check_groups,
    check_sample_weight,
    import_torch,
)

from fairmend.errors import InvalidParameterError


def sensitive_subspace(Z: np.ndarray, groups: np.ndarray, *, C: float = 1.0) -> np.ndarray:
    """Orthonormal basis (``d × k``) of the directions predicting each group from ``Z``."""
    from sklearn.linear_model import LogisticRegression

    uniq = sorted(set(groups.tolist()))
    targets = uniq[:1] if len(uniq) == 2 else uniq
    dirs = [LogisticRegression(C=C, max_iter=1000).fit(Z, groups == u).coef_.ravel() for u in targets]
    q, r = np.linalg.qr(np.column_stack(dirs))
    keep = np.abs(np.diag(r)) > 1e-10
    return q[:, keep]


class SenSRClassifier(LogitClassifierMixin):
    """Logistic regression trained to be robust to moves in the learned sensitive subspace (SenSR).

    Parameters
    ----------
    eps : float
        Largest norm of the adversarial move inside the sensitive subspace (standardised units).
    fair_reg : float
        ``λ`` of the transport penalty in the full-space adversarial step.
    subspace_steps : int
        Gradient-ascent steps of the subspace attack per minibatch.
    full_steps : int
        Gradient-ascent steps of the full-space attack per minibatch (0 = subspace attack only).
    epochs : int
        Passes over the training data.
    batch_size : int
        Minibatch size.
    lr : float
        Adam learning rate of the model.
    l2 : float
        L2 penalty on the weights.
    random_state : int
        Seed of the minibatch order and initialisation.

    References
    ----------
    Yurochkin, M., Bower, A., Sun, Y. (2020). Training Individually Fair ML Models with Sensitive
    Subspace Robustness. ICLR 2020.
    """

    def __init__(self, *, eps: Annotated[float, Param('Largest norm of the adversarial move inside the sensitive subspace (standardised units)', range=(0.0, 100.0), tunable=True)] = 2.0, fair_reg: Annotated[float, Param('``λ`` of the transport penalty in the full-space adversarial step', range=(0.0, 1000000.0))] = 10.0, subspace_steps: Annotated[int, Param('Gradient-ascent steps of the subspace attack per minibatch', range=(0.0, 1000.0))] = 10, full_steps: Annotated[int, Param('Gradient-ascent steps of the full-space attack per minibatch (0 = subspace attack only)', range=(0.0, 1000.0))] = 5,
                 epochs: Annotated[int, Param('Passes over the training data', range=(1.0, 10000.0))] = 30, batch_size: Annotated[int, Param('Minibatch size', range=(8.0, 1000000.0))] = 256, lr: Annotated[float, Param('Adam learning rate of the model', range=(1e-06, 10.0))] = 0.01, l2: Annotated[float, Param('L2 penalty on the weights', range=(0.0, 10.0))] = 1e-4,
                 random_state: Annotated[int, Param('Seed of the minibatch order and initialisation', range=(0.0, 2147483647.0))] = 0) -> None:
        self.eps = eps
        self.fair_reg = fair_reg
        self.subspace_steps = subspace_steps
        self.full_steps = full_steps
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.l2 = l2
        self.random_state = random_state

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> SenSRClassifier:
        if self.eps < 0 or self.fair_reg < 0 or self.subspace_steps < 0 or self.full_steps < 0:
            raise InvalidParameterError("eps, fair_reg, subspace_steps and full_steps must be >= 0")
        if self.epochs < 1 or self.batch_size < 1 or self.lr <= 0:
            raise InvalidParameterError("epochs and batch_size must be >= 1 and lr > 0")
        torch = import_torch()
        y_arr = check_binary_labels(y)
        groups = check_groups(sensitive_features, len(y_arr), technique="SenSR")
        w = check_sample_weight(sample_weight, len(y_arr))
        self.encoder_ = FeatureEncoder()
        Z = self.encoder_.fit_transform(X)
        self.sensitive_basis_ = sensitive_subspace(Z, groups.astype(str))
        torch.manual_seed(self.random_state)
        rng = np.random.default_rng(self.random_state)
        Zt = torch.tensor(Z, dtype=torch.float32)
        yt = torch.tensor(y_arr, dtype=torch.float32)
        wt = torch.tensor(w, dtype=torch.float32)
        U = torch.tensor(self.sensitive_basis_, dtype=torch.float32)
        P = torch.eye(Z.shape[1]) - U @ U.T
        lin = torch.nn.Linear(Z.shape[1], 1)
        torch.nn.init.zeros_(lin.weight)
        torch.nn.init.zeros_(lin.bias)
        opt = torch.optim.Adam(lin.parameters(), lr=self.lr, weight_decay=self.l2)
        bce = torch.nn.functional.binary_cross_entropy_with_logits
        step = self.eps / max(self.subspace_steps, 1) * 2.0
        for _ in range(self.epochs):
            order = rng.permutation(len(y_arr))
            for start in range(0, len(order), self.batch_size):
                idx = torch.as_tensor(order[start:start + self.batch_size])
                xb, yb, wb = Zt[idx], yt[idx], wt[idx]
                t = torch.zeros(len(idx), U.shape[1], requires_grad=True)
                for _ in range(self.subspace_steps):
                    loss = bce(lin(xb + t @ U.T).squeeze(1), yb, reduction="sum")
                    (g,) = torch.autograd.grad(loss, t)
                    with torch.no_grad():
                        t += step * g / (g.norm(dim=1, keepdim=True) + 1e-12)
                        norm = t.norm(dim=1, keepdim=True)
                        t *= torch.clamp(self.eps / (norm + 1e-12), max=1.0)
                x_adv = (xb + t.detach() @ U.T).detach()
                r = torch.zeros_like(x_adv, requires_grad=True)
                for _ in range(self.full_steps):
                    obj = bce(lin(x_adv + r).squeeze(1), yb, reduction="none") - self.fair_reg * ((r @ P) ** 2).sum(1)
                    (g,) = torch.autograd.grad(obj.sum(), r)
                    with torch.no_grad():
                        r += 0.1 * g
                x_adv = (x_adv + r.detach())
                opt.zero_grad()
                loss = (wb * bce(lin(x_adv).squeeze(1), yb, reduction="none")).mean()
                loss.backward()
                opt.step()
        self.coef_ = lin.weight.detach().numpy().ravel().astype(float)
        self.intercept_ = float(lin.bias.detach().numpy()[0])
        self.classes_ = np.array([0, 1])
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        return self.encoder_.transform(X) @ self.coef_ + self.intercept_

