"""SenSeI: individually fair classifiers by sensitive-set invariance (Yurochkin & Sun 2021).

SenSeI asks that a model's output does not change between an individual ``x`` and any
comparable individual ``x'``, comparable meaning close under a *fair metric* ``d_X`` that does
not charge for moves along sensitive directions. It trains on

``loss(h(x), y) + ρ · d_Y(h(x), h(x'))``, with ``x' = argmax_{x'} d_Y(h(x), h(x')) − λ d_X(x, x')``

where the inner maximiser is the worst comparable individual (the dual of a transport budget
``E[d_X(x, x')] ≤ ε``). Following the paper's Algorithm 1, every minibatch

1. finds ``x'`` by ``steps`` gradient-ascent steps of size ``attack_lr`` started from ``x`` plus a
   small uniform noise (the gradient of ``d_Y`` vanishes at ``x' = x``);
2. moves the dual variable: ``λ ← max(λ_min, λ + (mean d_X(x, x') − ε))`` (step size 1);
3. takes an Adam step on the loss plus ``ρ`` times the mean ``d_Y``.

The fair metric is the one of SenSR (:mod:`.sensr`, same authors), learned from the protected
attribute: ``d_X(x, x') = ‖(I − UUᵀ)(x − x')‖²`` with ``U`` the orthonormalised directions that
predict each group (:func:`~fairmend.catalog.techniques.in_processing.sensr.sensitive_subspace`)
on :class:`FeatureEncoder` features. ``d_Y`` is the squared difference of the logits. The model
is a one-hidden-layer ReLU network (``hidden=0``: logistic regression); the protected attribute
is used at fit only. ``rho=0`` trains the same network without the fairness term.

Deviations from the paper: the paper's experiments use other fair metrics as well (e.g. from
name embeddings) and larger networks; here only the sensitive-subspace metric is available.
Because ``d_X`` does not charge for sensitive moves, the ascent is bounded only by its number of
steps, as in the paper's implementation. Binary labels only. On CPU the fit runs torch with one
thread (the previous setting is restored afterwards): the minibatch operations are too small for
a thread pool, which only adds synchronisation cost.
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
from fairmend.catalog.techniques.in_processing.sensr import sensitive_subspace

from fairmend.errors import DataError, InvalidParameterError

_MIN_LAMBDA = 1e-5
_INIT_NOISE = 0.1


class SenSeIClassifier(LogitClassifierMixin):
    """Neural (or logistic) classifier regularised for invariance on sensitive sets (SenSeI).

    Parameters
    ----------
    rho : float
        Weight ``ρ`` of the invariance term ``d_Y(h(x), h(x'))`` (0 = plain training).
    epsilon : float
        Transport budget ``ε``: the mean fair distance the dual variable lets the ascent travel.
    lambda_init : float
        Starting value of the dual variable ``λ`` that prices fair distance in the ascent.
    steps : int
        Gradient-ascent steps that find the comparable individual ``x'`` per minibatch.
    attack_lr : float
        Step size of that ascent (standardised feature units).
    epochs : int
        Passes over the training data.
    batch_size : int
        Minibatch size.
    lr : float
        Adam learning rate of the model.
    hidden : int
        Units of the hidden ReLU layer; 0 gives a linear (logistic-regression) model.
    random_state : int
        Seed of the initialisation, minibatch order and ascent noise.

    Attributes
    ----------
    sensitive_basis_ : ndarray of shape (n_features, k)
        Orthonormal basis of the sensitive subspace the fair metric ignores.
    lambda_ : float
        Final value of the dual variable.

    References
    ----------
    Yurochkin, M., Sun, Y. (2021). SenSeI: Sensitive Set Invariance for Enforcing Individual
    Fairness. ICLR 2021.
    """

    def __init__(self, *, rho: Annotated[float, Param("Weight of the invariance term d_Y(h(x), h(x')) (0 = plain training)", range=(0.0, 1000.0), tunable=True)] = 5.0, epsilon: Annotated[float, Param('Transport budget - mean fair distance the dual variable lets the ascent travel', range=(0.0, 100.0))] = 0.01, lambda_init: Annotated[float, Param('Starting value of the dual variable that prices fair distance in the ascent', range=(0.0, 1000.0))] = 1.0, steps: Annotated[int, Param('Gradient-ascent steps that find the comparable individual per minibatch', range=(1.0, 1000.0))] = 10,
                 attack_lr: Annotated[float, Param('Step size of that ascent (standardised feature units)', range=(0.0, 10.0))] = 0.1, epochs: Annotated[int, Param('Passes over the training data', range=(1.0, 10000.0))] = 20, batch_size: Annotated[int, Param('Minibatch size', range=(8.0, 1000000.0))] = 256, lr: Annotated[float, Param('Adam learning rate of the model', range=(1e-06, 10.0))] = 0.005,
                 hidden: Annotated[int, Param('Units of the hidden ReLU layer (0 = logistic regression)', range=(0.0, 4096.0))] = 32, random_state: Annotated[int, Param('Seed of the initialisation, minibatch order and ascent noise', range=(0.0, 2147483647.0))] = 0) -> None:
        self.rho = rho
        self.epsilon = epsilon
        self.lambda_init = lambda_init
        self.steps = steps
        self.attack_lr = attack_lr
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.hidden = hidden
        self.random_state = random_state

    def _check_params(self) -> None:
        for name in ("rho", "epsilon", "lambda_init", "attack_lr"):
            if getattr(self, name) < 0:
                raise InvalidParameterError(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.steps < 1 or self.epochs < 1 or self.batch_size < 1:
            raise InvalidParameterError("steps, epochs and batch_size must be >= 1")
        if self.hidden < 0:
            raise InvalidParameterError(f"hidden must be >= 0, got {self.hidden}")
        if self.lr <= 0:
            raise InvalidParameterError(f"lr must be > 0, got {self.lr}")

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> SenSeIClassifier:
        self._check_params()
        torch = import_torch()
        device = torch_device()
        y_arr = check_binary_labels(y)
        groups = check_groups(sensitive_features, len(y_arr), technique="SenSeI")
        w = check_sample_weight(sample_weight, len(y_arr))
        self.encoder_ = FeatureEncoder()
        Z = self.encoder_.fit_transform(X)
        if Z.shape[0] != len(y_arr):
            raise DataError(f"X has {Z.shape[0]} rows but y has {len(y_arr)}")
        self.sensitive_basis_ = sensitive_subspace(Z, groups.astype(str))
        threads = torch.get_num_threads()
        if device == "cpu":
            torch.set_num_threads(1)  # tiny minibatch ops: a thread pool only adds synchronisation
        try:
            net = self._train(torch, device, Z, y_arr, w)
        finally:
            torch.set_num_threads(threads)
        self.weights_ = [(m.weight.detach().cpu().numpy().astype(float), m.bias.detach().cpu().numpy().astype(float))
                         for m in net if isinstance(m, torch.nn.Linear)]
        self.classes_ = np.array([0, 1])
        return self

    def _train(self, torch: Any, device: str, Z: np.ndarray, y_arr: np.ndarray, w: np.ndarray) -> Any:
        torch.manual_seed(self.random_state)
        gen = torch.Generator(device=device).manual_seed(self.random_state)
        rng = np.random.default_rng(self.random_state)
        d = Z.shape[1]
        net = logit_network(torch, d, self.hidden).to(device)
        Zt = torch.tensor(Z, dtype=torch.float32, device=device)
        yt = torch.tensor(y_arr, dtype=torch.float32, device=device)
        wt = torch.tensor(w, dtype=torch.float32, device=device)
        U = torch.tensor(self.sensitive_basis_, dtype=torch.float32, device=device)
        P = torch.eye(d, device=device) - U @ U.T
        opt = torch.optim.Adam(net.parameters(), lr=self.lr)
        bce = torch.nn.functional.binary_cross_entropy_with_logits
        lam = float(self.lambda_init)
        for _ in range(self.epochs):
            order = torch.as_tensor(rng.permutation(len(y_arr)), device=device)
            for start in range(0, len(order), self.batch_size):
                idx = order[start:start + self.batch_size]
                xb, yb, wb = Zt[idx], yt[idx], wt[idx]
                logits = net(xb).squeeze(1)
                loss = (wb * bce(logits, yb, reduction="none")).mean()
                if self.rho > 0:
                    x_adv, dist_x = self._worst_case(torch, net, xb, P, lam, gen)
                    lam = max(_MIN_LAMBDA, lam + float(dist_x.mean()) - self.epsilon)
                    loss = loss + self.rho * ((logits - net(x_adv).squeeze(1)) ** 2).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
        self.lambda_ = lam
        return net

    def _worst_case(self, torch: Any, net: Any, xb: Any, P: Any, lam: float, gen: Any) -> tuple[Any, Any]:
        """Approximate ``argmax_{x'} d_Y(h(x), h(x')) − λ d_X(x, x')`` by gradient ascent from noisy ``x``."""
        with torch.no_grad():
            base = net(xb).squeeze(1)
        noise = torch.rand(xb.shape, generator=gen, device=xb.device) * 2 - 1
        delta = (_INIT_NOISE * noise).requires_grad_(True)
        for _ in range(self.steps):
            fair_dist = ((delta @ P) ** 2).sum(1)
            gain = (net(xb + delta).squeeze(1) - base) ** 2 - lam * fair_dist
            (grad,) = torch.autograd.grad(gain.sum(), delta)
            with torch.no_grad():
                delta += self.attack_lr * grad
        delta = delta.detach()
        return xb + delta, ((delta @ P) ** 2).sum(1)

    def _logits(self, Z: np.ndarray) -> np.ndarray:
        h = Z
        for i, (W, b) in enumerate(self.weights_):
            h = h @ W.T + b
            if i < len(self.weights_) - 1:
                h = np.maximum(h, 0.0)
        return h[:, 0]

    def decision_function(self, X: Any) -> np.ndarray:
        """Logit of the positive class."""
        return self._logits(self.encoder_.transform(X))
