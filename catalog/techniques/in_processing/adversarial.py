"""Adversarial debiasing (Zhang, Lemoine & Mitchell 2018) in PyTorch.

A predictor (logistic regression, or an MLP with ``hidden_units`` > 0) is trained against an
adversary that predicts the group from the predictor's logit (and, for equalised odds, from the
true label too). The predictor's update is Zhang et al.'s eq. (1):

``∇_W L_P − proj_{∇_W L_A} ∇_W L_P − α ∇_W L_A``

so it never moves in a direction that helps the adversary. The adversary minimises its own
cross-entropy. Runs on CUDA when available; seeded by ``random_state``.
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
    logit_network,
    torch_device,
)

from fairmend.errors import InvalidParameterError


class AdversarialDebiasing(LogitClassifierMixin):
    """Predictor trained against a group-predicting adversary with the projection term.

    Parameters
    ----------
    constraint : str
        ``demographic_parity`` (adversary sees the logit) or ``equalized_odds`` (adversary sees
        the logit and the true label, Zhang et al. §4).
    alpha : float
        Weight α of the adversary's gradient in the predictor update.
    hidden_units : int
        0 for a logistic-regression predictor (as in the paper's Adult experiment), else one
        hidden ReLU layer of this width.
    epochs : int
        Passes over the training data.
    batch_size : int
        Mini-batch size.
    learning_rate : float
        Adam learning rate for both networks (the paper decays it; we keep it fixed).
    random_state : int
        Seed of weight initialisation and shuffling.

    References
    ----------
    Zhang, B. H., Lemoine, B., Mitchell, M. (2018). Mitigating Unwanted Biases with Adversarial
    Learning. AIES 2018.
    """

    def __init__(
        self,
        *,
        constraint: Annotated[str, Param('What the adversary sees (logit, or logit and label)', choices=('demographic_parity', 'equalized_odds'))] = "demographic_parity",
        alpha: Annotated[float, Param('Weight of the adversary gradient in the predictor update', range=(0.0, 100.0), tunable=True)] = 1.0,
        hidden_units: Annotated[int, Param('0 = logistic regression predictor, else one hidden layer', range=(0.0, 4096.0))] = 0,
        epochs: Annotated[int, Param('Training epochs', range=(1.0, 10000.0))] = 50,
        batch_size: Annotated[int, Param('Mini-batch size', range=(1.0, 1000000.0))] = 128,
        learning_rate: Annotated[float, Param('Adam learning rate', range=(1e-06, 1.0))] = 0.01,
        random_state: Annotated[int, Param('Seed', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.constraint = constraint
        self.alpha = alpha
        self.hidden_units = hidden_units
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.random_state = random_state

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> AdversarialDebiasing:
        torch = import_torch()
        if self.constraint not in ("demographic_parity", "equalized_odds"):
            raise InvalidParameterError(
                f"constraint {self.constraint!r} is not one of demographic_parity, equalized_odds"
            )
        y_arr = check_binary_labels(y)
        groups = check_groups(sensitive_features, len(y_arr), technique="AdversarialDebiasing")
        w = check_sample_weight(sample_weight, len(y_arr))
        self.groups_ = np.array(sorted(set(groups.tolist())), dtype=object)
        g_idx = np.searchsorted(self.groups_, groups)
        self.encoder_ = FeatureEncoder()
        Xe = self.encoder_.fit_transform(X)
        self.classes_ = np.array([0, 1])
        self.device_ = torch_device()

        torch.manual_seed(self.random_state)
        gen = torch.Generator().manual_seed(self.random_state)
        dev = self.device_
        d = Xe.shape[1]
        predictor = logit_network(torch, d, self.hidden_units)
        n_groups = len(self.groups_)
        adv_in = 1 if self.constraint == "demographic_parity" else 3
        adversary = torch.nn.Linear(adv_in, 1 if n_groups == 2 else n_groups)
        predictor.to(dev)
        adversary.to(dev)
        opt_p = torch.optim.Adam(predictor.parameters(), lr=self.learning_rate)
        opt_a = torch.optim.Adam(adversary.parameters(), lr=self.learning_rate)

        Xt = torch.as_tensor(Xe, dtype=torch.float32, device=dev)
        yt = torch.as_tensor(y_arr, dtype=torch.float32, device=dev)
        gt = torch.as_tensor(g_idx, dtype=torch.long, device=dev)
        wt = torch.as_tensor(w, dtype=torch.float32, device=dev)
        bce = torch.nn.functional.binary_cross_entropy_with_logits

        def adversary_loss(logit: Any, yb: Any, gb: Any, wb: Any) -> Any:
            if self.constraint == "demographic_parity":
                inp = logit[:, None]
            else:
                inp = torch.stack([logit, logit * yb, logit * (1 - yb)], dim=1)
            out = adversary(inp)
            if n_groups == 2:
                return (wb * bce(out[:, 0], gb.float(), reduction="none")).mean()
            return (wb * torch.nn.functional.cross_entropy(out, gb, reduction="none")).mean()

        params = list(predictor.parameters())
        n = len(y_arr)
        for _ in range(self.epochs):
            order = torch.randperm(n, generator=gen).to(dev)
            for start in range(0, n, self.batch_size):
                b = order[start : start + self.batch_size]
                xb, yb, gb, wb = Xt[b], yt[b], gt[b], wt[b]
                logit = predictor(xb)[:, 0]
                loss_p = (wb * bce(logit, yb, reduction="none")).mean()
                loss_a = adversary_loss(logit, yb, gb, wb)
                grads_p = torch.autograd.grad(loss_p, params, retain_graph=True)
                grads_a = torch.autograd.grad(loss_a, params, retain_graph=True)
                for p, gp, ga in zip(params, grads_p, grads_a):
                    unit = ga / (ga.norm() + 1e-8)
                    p.grad = gp - (gp * unit).sum() * unit - self.alpha * ga
                opt_p.step()
                # adversary step on the detached logit
                opt_a.zero_grad()
                adversary_loss(logit.detach(), yb, gb, wb).backward()
                opt_a.step()
        self.predictor_ = predictor.cpu().eval()
        self.adversary_ = adversary.cpu().eval()
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        torch = import_torch()
        with torch.no_grad():
            Xt = torch.as_tensor(self.encoder_.transform(X), dtype=torch.float32)
            return self.predictor_(Xt)[:, 0].numpy().astype(float)

