"""Learning adversarially fair and transferable representations (LAFTR; Madras et al. 2018).

An encoder ``z = f(x)`` (one hidden layer) feeds a linear classifier head ``g(z)`` predicting ``y``
and an adversary ``h`` (one hidden layer) predicting the binary group ``a``; for equalized odds and
equal opportunity the adversary also sees ``y``. Its loss is *group-normalised*: with ``D_i`` the
rows of group ``i`` and ``D_i^j`` those of group ``i`` and label ``j``, each cell's mean loss counts
once (the paper's eqs. 4-6)::

    demographic_parity   err = sum_i     mean_{D_i}   loss(h(z), a)
    equalized_odds       err = sum_{i,j} mean_{D_i^j} loss(h(z, y), a)
    equal_opportunity    err = sum_i     mean_{D_i^1} loss(h(z, y), a)

``adversary_loss="l1"`` uses the paper's ``loss = |sigmoid(h) - a|``; ``"cross_entropy"`` (the
default) the group-weighted cross-entropy that the authors' code also ships (its ``Weighted*Gan``
models). The adversary minimises ``err``; encoder and classifier minimise ``CE(g(z), y) - gamma *
err``. Training alternates ``adversary_steps`` adversary updates with one encoder/classifier
update per mini-batch (Adam; the adversary gets its own, by default larger, learning rate: a
two-time-scale schedule). The cell means use the cell sizes of the whole training set.

Only ``z`` is handed on (the paper's transfer setting): ``fit_resample`` returns the training rows
encoded as columns ``z0 .. z{d-1}``, ``transform`` encodes new rows from ``X`` alone, and the
runner refits its ordinary model on ``z``.

Deviations: the default adversary loss is cross-entropy, because with the short training budgets
used here the L1 adversary saturates (its sigmoid outputs one constant, ``err`` sits exactly at
chance with zero gradient) and the group stays recoverable from ``z``; no decoder
(reconstruction weight ``beta = 0``); a fixed number of epochs without validation-based model
selection; categorical columns one-hot, numeric ones standardised (:class:`FeatureEncoder`).
Groups must be binary, as in the paper. The encoder is kept as numpy arrays, so ``transform``
needs no torch and the fitted object saves with skops.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import Resampled
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.in_processing._common import FeatureEncoder, import_torch, torch_device
from sklearn.base import BaseEstimator

from fairmend.errors import InvalidParameterError

from ._common import as_frame, check_binary_labels, check_groups

CONSTRAINTS = ("demographic_parity", "equalized_odds", "equal_opportunity")
ADVERSARY_LOSSES = ("cross_entropy", "l1")


class LAFTR(BaseEstimator):
    """Encoder trained against a group adversary with LAFTR's group-normalised objectives.

    Parameters
    ----------
    constraint : {"demographic_parity", "equalized_odds", "equal_opportunity"}
        Which adversarial objective, i.e. the criterion the representation is meant to bound.
    adversary_loss : {"cross_entropy", "l1"}
        Per-row loss inside the group-normalised objective (``l1`` is the paper's).
    gamma : float
        Weight of the adversary's objective in the encoder/classifier loss (0 = unfair baseline).
    hidden_units : int
        Width of the hidden layer of encoder and adversary.
    latent_dim : int
        Dimension ``d`` of the representation ``z``.
    epochs : int
        Passes over the training data.
    batch_size : int
        Mini-batch size.
    learning_rate : float
        Adam learning rate of encoder and classifier.
    adversary_learning_rate : float
        Adam learning rate of the adversary.
    adversary_steps : int
        Adversary updates per encoder/classifier update.
    random_state : int
        Seed of weight initialisation and shuffling.

    Attributes
    ----------
    encoder_ : FeatureEncoder
        One-hot / standardising encoding of ``X``.
    weights_ : list of ndarray
        Encoder weights ``[W1, b1, W2, b2]``: ``z = W2 leaky_relu(W1 x + b1) + b2``.
    groups_ : ndarray
        The two group labels; ``a = 1`` for ``groups_[1]``.
    history_ : ndarray of shape (epochs, 2)
        Per epoch, the mean classifier cross-entropy and adversary objective ``err`` (at chance
        ``err`` is 1 for l1 and ``ln 2`` per cell for cross-entropy).

    References
    ----------
    Madras, D., Creager, E., Pitassi, T. & Zemel, R. (2018). Learning Adversarially Fair and
    Transferable Representations. ICML 2018, PMLR 80:3384-3393.
    """

    def __init__(
        self,
        *,
        constraint: Annotated[str, Param('Group-normalised adversarial objective (paper eqs. 4-6); the adversary also sees y for the odds criteria', choices=('demographic_parity', 'equalized_odds', 'equal_opportunity'))] = "demographic_parity",
        adversary_loss: Annotated[str, Param("Per-row adversary loss inside the group-normalised objective (l1 is the paper's; it saturates in short runs)", choices=('cross_entropy', 'l1'))] = "cross_entropy",
        gamma: Annotated[float, Param("Weight of the adversary's objective in the encoder loss (0 = no fairness)", range=(0.0, 100.0), tunable=True)] = 1.0,
        hidden_units: Annotated[int, Param('Hidden-layer width of encoder and adversary', range=(1.0, 4096.0))] = 32,
        latent_dim: Annotated[int, Param('Dimension of the representation z (columns z0..z{d-1})', range=(1.0, 1024.0))] = 8,
        epochs: Annotated[int, Param('Passes over the training data', range=(1.0, 100000.0))] = 100,
        batch_size: Annotated[int, Param('Mini-batch size', range=(1.0, 10000000.0))] = 1024,
        learning_rate: Annotated[float, Param('Adam learning rate of encoder and classifier head', range=(1e-06, 1.0))] = 0.002,
        adversary_learning_rate: Annotated[float, Param('Adam learning rate of the adversary (two-time-scale training)', range=(1e-06, 1.0))] = 0.02,
        adversary_steps: Annotated[int, Param('Adversary updates per encoder/classifier update', range=(1.0, 100.0))] = 5,
        random_state: Annotated[int, Param('Seed of initialisation and shuffling', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.constraint = constraint
        self.adversary_loss = adversary_loss
        self.gamma = gamma
        self.hidden_units = hidden_units
        self.latent_dim = latent_dim
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.adversary_learning_rate = adversary_learning_rate
        self.adversary_steps = adversary_steps
        self.random_state = random_state

    def _check_params(self) -> None:
        if self.constraint not in CONSTRAINTS:
            raise InvalidParameterError(f"constraint {self.constraint!r} is not one of {', '.join(CONSTRAINTS)}")
        if self.adversary_loss not in ADVERSARY_LOSSES:
            raise InvalidParameterError(
                f"adversary_loss {self.adversary_loss!r} is not one of {', '.join(ADVERSARY_LOSSES)}"
            )
        for name in ("hidden_units", "latent_dim", "epochs", "batch_size", "adversary_steps"):
            if int(getattr(self, name)) < 1:
                raise InvalidParameterError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.gamma < 0 or min(self.learning_rate, self.adversary_learning_rate) <= 0:
            raise InvalidParameterError("gamma must be >= 0 and the learning rates > 0")

    def _cell_weights(self, y: np.ndarray, a: np.ndarray) -> np.ndarray:
        """``n / |cell|`` per row, so that ``mean(weight * loss)`` sums the cells' mean losses."""
        cells = a.astype(int) if self.constraint == "demographic_parity" else 2 * a.astype(int) + y
        counts = np.bincount(cells, minlength=4).astype(float)
        w = len(cells) / np.maximum(counts[cells], 1.0)
        return w * (y == 1) if self.constraint == "equal_opportunity" else w

    def fit(self, X: Any, y: Any, *, sensitive_features: Any) -> LAFTR:
        torch = import_torch()
        self._check_params()
        X = as_frame(X)
        y_arr = check_binary_labels(y, len(X))
        groups = check_groups(sensitive_features, len(X), technique="LAFTR", binary=True)
        self.groups_ = np.array(sorted(set(groups.tolist())), dtype=object)
        a_arr = (groups == self.groups_[1]).astype(int)
        self.encoder_ = FeatureEncoder()
        Xe = self.encoder_.fit_transform(X)

        torch.manual_seed(int(self.random_state))
        gen = torch.Generator().manual_seed(int(self.random_state))
        dev = torch_device()
        nn, h, d = torch.nn, int(self.hidden_units), int(self.latent_dim)
        adv_in = d if self.constraint == "demographic_parity" else d + 1
        enc = nn.Sequential(nn.Linear(Xe.shape[1], h), nn.LeakyReLU(0.01), nn.Linear(h, d)).to(dev)
        clf = nn.Linear(d, 1).to(dev)
        adv = nn.Sequential(nn.Linear(adv_in, h), nn.LeakyReLU(0.01), nn.Linear(h, 1)).to(dev)
        opt_model = torch.optim.Adam([*enc.parameters(), *clf.parameters()], lr=self.learning_rate)
        opt_adv = torch.optim.Adam(adv.parameters(), lr=self.adversary_learning_rate)
        tensors = [torch.as_tensor(v, dtype=torch.float32, device=dev)
                   for v in (Xe, y_arr, a_arr, self._cell_weights(y_arr, a_arr))]
        bce = torch.nn.functional.binary_cross_entropy_with_logits

        def adversary_err(z: Any, yb: Any, ab: Any, wb: Any) -> Any:
            logit = adv(z if self.constraint == "demographic_parity" else torch.cat([z, yb[:, None]], 1))[:, 0]
            if self.adversary_loss == "l1":
                return (wb * (torch.sigmoid(logit) - ab).abs()).mean()
            return (wb * bce(logit, ab, reduction="none")).mean()

        n, bs, history = len(y_arr), int(self.batch_size), []
        for _ in range(int(self.epochs)):
            order = torch.randperm(n, generator=gen).to(dev)
            sums = np.zeros(2)
            for start in range(0, n, bs):
                xb, yb, ab, wb = (t[order[start : start + bs]] for t in tensors)
                with torch.no_grad():
                    z = enc(xb)
                for _ in range(int(self.adversary_steps)):
                    err = adversary_err(z, yb, ab, wb)
                    opt_adv.zero_grad()
                    err.backward()
                    opt_adv.step()
                z = enc(xb)
                loss_c = bce(clf(z)[:, 0], yb)
                opt_model.zero_grad()
                (loss_c - self.gamma * adversary_err(z, yb, ab, wb)).backward()
                opt_model.step()
                sums += [float(loss_c.detach()) * len(xb), float(err.detach()) * len(xb)]
            history.append(sums / n)
        self.history_ = np.asarray(history)
        self.weights_ = [p.detach().cpu().numpy().astype(float) for p in enc.parameters()]
        return self

    def transform(self, X: Any, *, sensitive_features: Any = None) -> pd.DataFrame:
        """The representation ``z`` of the rows of ``X`` (the group is not used)."""
        X = as_frame(X)
        W1, b1, W2, b2 = self.weights_
        H = self.encoder_.transform(X) @ W1.T + b1
        Z = np.where(H > 0, H, 0.01 * H) @ W2.T + b2
        return pd.DataFrame(Z, columns=[f"z{k}" for k in range(Z.shape[1])], index=X.index)

    def fit_resample(self, X: Any, y: Any, *, sensitive_features: Any) -> Resampled:
        self.fit(X, y, sensitive_features=sensitive_features)
        return Resampled(X=self.transform(X), y=np.asarray(y).astype(int), sensitive_features=sensitive_features)


__all__ = ["LAFTR"]
