"""Re-weighting in-processing classifiers: ARL (Lahoti et al. 2020) and MAAT (Chen et al. 2022).

* :class:`ARLClassifier` — adversarially reweighted learning: a learner minimises the weighted
  log-loss ``Σ λ_i ℓ_i`` while a linear adversary on ``(x, y)`` picks the example weights
  ``λ_i = 1 + n · a_i / Σ_j a_j`` with ``a_i = σ(f_φ(x_i, y_i))`` to maximise it. No protected attribute is needed.
* :class:`MAATClassifier` — an ensemble of a performance model (plain logistic regression) and a
  fairness model trained on resampled data in which every group has the overall favourable-label
  rate (so the label no longer depends on the protected attribute); their probabilities are
  averaged with weight ``fairness_weight``.
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
    proba_columns,
    torch_device,
)
from sklearn.base import BaseEstimator, ClassifierMixin

from fairmend.errors import InvalidParameterError


class ARLClassifier(LogitClassifierMixin):
    """Adversarially reweighted learning (learner + example-weighting adversary).

    Parameters
    ----------
    hidden_units : int
        0 for a logistic learner, else one hidden ReLU layer of this width.
    epochs : int
        Passes over the training data.
    pretrain_epochs : int
        Epochs of plain (unweighted) learner training before the adversary starts (the paper
        pre-trains the learner).
    batch_size : int
        Mini-batch size; the adversary's weights are normalised over each batch.
    learning_rate : float
        Adagrad learning rate of the learner.
    adversary_learning_rate : float
        Adagrad learning rate of the adversary.
    random_state : int
        Seed of initialisation and shuffling.

    Notes
    -----
    ``sensitive_features`` is accepted for the shared estimator signature but not used: ARL needs
    no protected attribute to fit or predict.

    References
    ----------
    Lahoti, P., Beutel, A., Chen, J., Lee, K., Prost, F., Thain, N., Wang, X., Chi, E. H. (2020).
    Fairness without Demographics through Adversarially Reweighted Learning. NeurIPS 2020.
    """

    def __init__(self, *, hidden_units: Annotated[int, Param('0 for a logistic learner, else one hidden ReLU layer of this width', range=(0.0, 4096.0))] = 0, epochs: Annotated[int, Param('Passes over the training data', range=(1.0, 10000.0))] = 20, pretrain_epochs: Annotated[int, Param('Epochs of plain (unweighted) learner training before the adversary starts (the paper pre-trains the learner)', range=(0.0, 10000.0))] = 2,
                 batch_size: Annotated[int, Param("Mini-batch size; the adversary's weights are normalised over each batch", range=(8.0, 1000000.0))] = 256, learning_rate: Annotated[float, Param('Adagrad learning rate of the learner', range=(1e-06, 10.0))] = 0.1, adversary_learning_rate: Annotated[float, Param('Adagrad learning rate of the adversary', range=(1e-06, 10.0))] = 0.1,
                 random_state: Annotated[int, Param('Seed of initialisation and shuffling', range=(0.0, 2147483647.0))] = 0) -> None:
        self.hidden_units = hidden_units
        self.epochs = epochs
        self.pretrain_epochs = pretrain_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.adversary_learning_rate = adversary_learning_rate
        self.random_state = random_state

    def fit(self, X: Any, y: Any, *, sensitive_features: Any = None, sample_weight: Any = None) -> ARLClassifier:
        torch = import_torch()
        if (self.epochs < 1 or self.pretrain_epochs < 0 or self.batch_size < 2 or self.learning_rate <= 0
                or self.adversary_learning_rate <= 0 or self.hidden_units < 0):
            raise InvalidParameterError(
                "epochs >= 1, pretrain_epochs >= 0, batch_size >= 2, hidden_units >= 0 and positive "
                "learning rates are required"
            )
        y_arr = check_binary_labels(y)
        w = check_sample_weight(sample_weight, len(y_arr))
        self.encoder_ = FeatureEncoder()
        Xe = self.encoder_.fit_transform(X)
        self.classes_ = np.array([0, 1])
        self.device_ = dev = torch_device()
        torch.manual_seed(self.random_state)
        gen = torch.Generator().manual_seed(self.random_state)
        d = Xe.shape[1]
        learner = logit_network(torch, d, self.hidden_units)
        adversary = torch.nn.Linear(d + 1, 1)
        learner.to(dev)
        adversary.to(dev)
        opt_l = torch.optim.Adagrad(learner.parameters(), lr=self.learning_rate)
        opt_a = torch.optim.Adagrad(adversary.parameters(), lr=self.adversary_learning_rate)
        Xt = torch.as_tensor(Xe, dtype=torch.float32, device=dev)
        yt = torch.as_tensor(y_arr, dtype=torch.float32, device=dev)
        wt = torch.as_tensor(w, dtype=torch.float32, device=dev)
        XYt = torch.cat([Xt, yt[:, None]], dim=1)
        bce = torch.nn.functional.binary_cross_entropy_with_logits
        n = len(y_arr)
        for epoch in range(self.pretrain_epochs + self.epochs):
            order = torch.randperm(n, generator=gen).to(dev)
            for start in range(0, n, self.batch_size):
                b = order[start : start + self.batch_size]
                losses = wt[b] * bce(learner(Xt[b])[:, 0], yt[b], reduction="none")
                if epoch < self.pretrain_epochs:
                    opt_l.zero_grad()
                    losses.mean().backward()
                    opt_l.step()
                    continue
                a = torch.sigmoid(adversary(XYt[b])[:, 0])
                lam = 1.0 + len(b) * a / a.sum()
                # learner: minimise the adversarially weighted loss (weights fixed)
                opt_l.zero_grad()
                (lam.detach() * losses).mean().backward()
                opt_l.step()
                # adversary: maximise it (learner's losses fixed)
                opt_a.zero_grad()
                (-(lam * losses.detach()).mean()).backward()
                opt_a.step()
        self.learner_ = learner.cpu().eval()
        self.adversary_ = adversary.cpu().eval()
        return self

    def example_weights(self, X: Any, y: Any) -> np.ndarray:
        """The adversary's weights ``λ`` for the rows of ``(X, y)`` (normalised over all of them)."""
        torch = import_torch()
        y_arr = check_binary_labels(y)
        with torch.no_grad():
            xy = torch.as_tensor(np.column_stack([self.encoder_.transform(X), y_arr]), dtype=torch.float32)
            a = torch.sigmoid(self.adversary_(xy)[:, 0])
            return (1.0 + len(y_arr) * a / a.sum()).numpy().astype(float)

    def decision_function(self, X: Any) -> np.ndarray:
        torch = import_torch()
        with torch.no_grad():
            Xt = torch.as_tensor(self.encoder_.transform(X), dtype=torch.float32)
            return self.learner_(Xt)[:, 0].numpy().astype(float)



class MAATClassifier(ClassifierMixin, BaseEstimator):
    """Performance model + fairness model, probabilities averaged.

    The fairness model is a logistic regression on a resampled training set in which each group
    keeps its size but has the overall favourable-label rate: every (group, label) cell is sampled
    (with replacement when it must grow) to ``n_g · P(y)`` rows.

    Parameters
    ----------
    fairness_weight : float
        Weight of the fairness model's probability (0 = performance model only, 1 = fairness
        model only).
    C : float
        Inverse L2 strength of both logistic regressions.
    random_state : int
        Seed of the resampling.

    References
    ----------
    Chen, Z., Zhang, J. M., Sarro, F., Harman, M. (2022). MAAT: A Novel Ensemble Approach to
    Addressing Fairness and Performance Bugs for Machine Learning Software. ESEC/FSE 2022.
    """

    def __init__(self, *, fairness_weight: Annotated[float, Param("Weight of the fairness model's probability (0 = performance model only, 1 = fairness model only)", range=(0.0, 1.0), tunable=True)] = 0.5, C: Annotated[float, Param('Inverse L2 strength of both logistic regressions', range=(1e-06, 1000000.0))] = 1.0, random_state: Annotated[int, Param('Seed of the resampling', range=(0.0, 2147483647.0))] = 0) -> None:
        self.fairness_weight = fairness_weight
        self.C = C
        self.random_state = random_state

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> MAATClassifier:
        from sklearn.linear_model import LogisticRegression

        if not 0.0 <= self.fairness_weight <= 1.0 or self.C <= 0:
            raise InvalidParameterError("fairness_weight must lie in [0, 1] and C must be > 0")
        y_arr = check_binary_labels(y)
        groups = check_groups(sensitive_features, len(y_arr), technique="MAAT")
        w = check_sample_weight(sample_weight, len(y_arr))
        self.encoder_ = FeatureEncoder()
        Xe = self.encoder_.fit_transform(X)
        self.performance_model_ = LogisticRegression(C=self.C, max_iter=2000).fit(Xe, y_arr, sample_weight=w)
        rng = np.random.default_rng(self.random_state)
        base_rate = float(np.average(y_arr, weights=w))
        rows: list[np.ndarray] = []
        for grp in sorted(set(groups.tolist())):
            in_g = np.flatnonzero(groups == grp)
            for label, share in ((1, base_rate), (0, 1.0 - base_rate)):
                cell = in_g[y_arr[in_g] == label]
                target = round(len(in_g) * share)
                if len(cell) == 0 or target == 0:
                    continue
                rows.append(rng.choice(cell, size=target, replace=target > len(cell)))
        idx = np.concatenate(rows)
        self.fairness_model_ = LogisticRegression(C=self.C, max_iter=2000).fit(
            Xe[idx], y_arr[idx], sample_weight=w[idx]
        )
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        Xe = self.encoder_.transform(X)
        p = (1.0 - self.fairness_weight) * self.performance_model_.predict_proba(Xe)[:, 1]
        p = p + self.fairness_weight * self.fairness_model_.predict_proba(Xe)[:, 1]
        return proba_columns(p)

    def predict(self, X: Any) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)
