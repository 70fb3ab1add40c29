"""Fairea trade-off classes (Hort, Zhang, Sarro and Harman, ESEC/FSE 2021).

Fairea judges a bias-mitigation result against a *baseline trade-off* built by mutating the original
model's predictions: for each degree ``d`` in 0, 0.1, ..., 1 a random share ``d`` of the test rows'
predictions is replaced by one label (here the majority predicted label, so ``d = 1`` is the constant
classifier with zero bias), repeated :data:`REPETITIONS` times; the mean accuracy and bias per degree,
joined by straight lines, are the trade-off anyone gets for free. A mitigated model at bias ``b`` and
accuracy ``a``, compared with the original ``(b0, a0)``, is

* ``win-win``: bias down (or equal) and accuracy up (or equal);
* ``good trade-off``: bias down, accuracy down, above the baseline (more accuracy than the mutated
  model with the same bias);
* ``poor trade-off``: bias down, accuracy down, on or below the baseline;
* ``inverted trade-off``: bias up, accuracy up;
* ``lose-lose``: bias up, accuracy down (or equal);
* ``no change`` (our label, not Fairea's): both exactly equal.

The regions are Fairea's (its geometric test of the point against the baseline polyline, whose
per-axis normalisation does not change which side of the line a point lies on); ties on an axis are
resolved as above.
"""

from __future__ import annotations

import numpy as np

from fairmend.metrics._counts import COUNT_METRICS, confusion_counts

DEGREES = np.round(np.linspace(0.0, 1.0, 11), 2)
REPETITIONS = 20
CLASSES = ("win-win", "good trade-off", "poor trade-off", "inverted trade-off", "lose-lose", "no change")


def mutation_baseline(
    y: np.ndarray,
    pred: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    metric: str,
    *,
    repetitions: int = REPETITIONS,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean bias (``metric``) and accuracy of the mutated predictions at each of :data:`DEGREES`."""
    rng = np.random.default_rng(seed)
    y, pred, groups = (np.asarray(a, dtype=np.int64) for a in (y, pred, groups))
    label = int(np.mean(pred) >= 0.5)
    n = len(pred)
    counts = np.empty((len(DEGREES), repetitions, n_groups, 2, 2))
    for i, degree in enumerate(DEGREES):
        k = int(n * degree)
        for r in range(repetitions):
            mutated = pred.copy()
            mutated[rng.choice(n, size=k, replace=False)] = label
            counts[i, r] = confusion_counts(groups, y, mutated, n_groups)
    bias = np.nanmean(COUNT_METRICS[metric](counts), axis=1)
    accuracy = np.nanmean(COUNT_METRICS["accuracy"](counts), axis=1)
    return bias, accuracy


def baseline_accuracy(bias: float, base_bias: np.ndarray, base_accuracy: np.ndarray) -> float:
    """Accuracy of the baseline polyline at ``bias`` (held at its ends beyond them)."""
    order = np.argsort(base_bias, kind="stable")
    return float(np.interp(bias, base_bias[order], base_accuracy[order]))


def classify(
    bias_before: float,
    accuracy_before: float,
    bias_after: float,
    accuracy_after: float,
    base_bias: np.ndarray,
    base_accuracy: np.ndarray,
) -> str | None:
    """The Fairea class of ``(bias_after, accuracy_after)`` (see the module docstring); ``None`` if undefined."""
    values = (bias_before, accuracy_before, bias_after, accuracy_after)
    if not all(np.isfinite(v) for v in values):
        return None
    d_bias, d_acc = bias_after - bias_before, accuracy_after - accuracy_before
    if d_bias == 0 and d_acc == 0:
        return "no change"
    if d_bias <= 0 and d_acc >= 0:
        return "win-win"
    if d_bias <= 0:
        better = accuracy_after > baseline_accuracy(bias_after, base_bias, base_accuracy)
        return "good trade-off" if better else "poor trade-off"
    return "inverted trade-off" if d_acc > 0 else "lose-lose"
