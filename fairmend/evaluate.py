"""Measure candidate techniques on the user's own data, choose on selection rows, report on test rows.

``fairmend recommend ... --evaluate K`` hands its top K eligible techniques to :func:`evaluate`:

1. the rows are split as ``fairmend run`` splits them (stratified by group x label, same seed); the test rows
   are set aside and nothing below looks at them until step 3;
2. each candidate runs once on the remaining rows, which :func:`fairmend.runner.run_technique` splits again:
   fitted on part, measured (without statistics) on the held-out rest, the *selection* rows. The pick is
   the candidate with the best target metric among those whose accuracy loss on the selection rows is
   within the user's budget;
3. every candidate is then run as ``fairmend run`` runs it and measured once on the untouched test rows:
   before/after, the paired change with its 95 % interval and p-value, and the gate verdict. Whether a
   candidate is on the accuracy/fairness Pareto front is judged on the test rows too.

Candidates run in parallel worker processes. With ``scores``/``predictions`` (or a ``base_model`` file),
the user's own model is the baseline throughout.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

import numpy as np
import pandas as pd

from fairmend.errors import FairmendError, InvalidParameterError
from fairmend.io import read_table
from fairmend.metrics import higher_is_better
from fairmend.plugins import get_catalog
from fairmend.runner import run_technique
from fairmend.runner.targets import target_for
from fairmend.tune import dominated, held_out_split


def _one(key: str, params: dict[str, Any], frame: pd.DataFrame, tuning_rows: np.ndarray, kwargs: dict[str, Any],
         n_boot: int, selection_size: float) -> dict[str, Any]:
    """Selection-row objectives, then the test-row report, of one candidate (runs in a worker)."""

    try:
        sel = run_technique(key, frame.iloc[tuning_rows].reset_index(drop=True), params=params,
                            test_size=selection_size, n_boot=0, **kwargs)
        test = run_technique(key, frame, params=params, n_boot=n_boot, **kwargs)
    except FairmendError as exc:
        return {"key": key, "params": params, "error": f"{type(exc).__name__}: {exc}"}
    metric = test.target_metric
    return {
        "key": key,
        "params": params,
        "target_metric": metric,
        "selection": {"accuracy_before": sel.before["accuracy"], "accuracy_after": sel.after["accuracy"],
                      metric + "_before": sel.before.get(metric), metric + "_after": sel.after.get(metric),
                      "n_rows": sel.dataset["n_test"]},
        "before": {m: test.before.get(m) for m in (metric, "accuracy")},
        "after": {m: test.after.get(m) for m in (metric, "accuracy")},
        "change": {m: {k: test.change[m].get(k) for k in ("delta", "ci95", "p_value", "p_value_bh", "estimand")}
                   for m in (metric, "accuracy") if m in test.change},
        "gate": None if test.gate is None else {"passed": test.gate.passed, "reasons": list(test.gate.reasons)},
        "notes": list(test.notes),
        "measured_on": "test",
    }


def _better(metric: str) -> float:

    return 1.0 if higher_is_better(metric) else -1.0


def evaluate(candidates: list[tuple[str, dict[str, Any]]], data: Any, *, protected: list[str], outcome: str,
             favourable_label: Any = None, scores: str | None = None, predictions: str | None = None,
             base_model: str = "logreg", max_accuracy_loss: float = 0.05, seed: int = 0, n_boot: int = 500,
             selection_size: float = 0.3, workers: int | None = None, target_metric: str | None = None,
             progress: Any = None) -> dict[str, Any]:
    """Run each ``(key, params)`` candidate as described in the module docstring.

    Every candidate is judged on one metric, so that they can be compared: ``target_metric`` (the
    criterion the user asked for), else the first candidate's own target metric.

    Returns ``{"evaluation": [...], "pick": {"key", "reason"}}``; each entry has ``key``, ``params``,
    ``target_metric``, ``before``, ``after``, ``change`` (metric -> ``delta``, ``ci95``, ``p_value``), ``gate``,
    ``pareto`` and the ``selection`` objectives the pick was made on (or ``error``).
    """

    if not candidates:
        raise InvalidParameterError("no eligible executable technique to evaluate")
    if not 0 <= max_accuracy_loss < 1:
        raise InvalidParameterError(f"the accuracy budget must lie in [0, 1), got {max_accuracy_loss}")
    step = progress or (lambda *_a, **_k: None)
    if target_metric is None:
        first_key, first_params = candidates[0]
        target_metric = target_for(get_catalog().get(first_key), None, first_params)[1]
    frame = read_table(data)
    tuning_rows, _test_rows, favourable = held_out_split(frame, protected, outcome, favourable_label, 0.3, seed)
    kwargs = {"protected": protected, "outcome": outcome, "favourable_label": favourable, "scores": scores,
              "predictions": predictions, "base_model": base_model, "seed": seed, "target_metric": target_metric}
    n_workers = max(1, min(len(candidates), workers or (os.cpu_count() or 1)))
    results: dict[int, dict[str, Any]] = {}
    if n_workers == 1:
        for i, (key, params) in enumerate(candidates):
            results[i] = _one(key, params, frame, tuning_rows, kwargs, n_boot, selection_size)
            step(key)
    else:
        with ProcessPoolExecutor(max_workers=n_workers) as pool:
            futures = {pool.submit(_one, key, params, frame, tuning_rows, kwargs, n_boot, selection_size): i
                       for i, (key, params) in enumerate(candidates)}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                step(results[futures[future]]["key"])
    entries = [results[i] for i in range(len(candidates))]
    ok = [e for e in entries if "error" not in e]
    points = [(e["after"]["accuracy"], _better(e["target_metric"]) * e["after"][e["target_metric"]]) for e in ok]
    for i, e in enumerate(ok):
        e["pareto"] = not dominated(points, i)
    return {"evaluation": entries, "pick": _pick(ok, max_accuracy_loss), "max_accuracy_loss": max_accuracy_loss,
            "judged_on": target_metric}


def _pick(entries: list[dict[str, Any]], budget: float) -> dict[str, Any]:
    """The best target metric on the selection rows among candidates within the accuracy budget there."""
    if not entries:
        return {"key": None, "reason": "no candidate ran on this data"}
    within = []
    for e in entries:
        s, metric = e["selection"], e["target_metric"]
        loss = (s["accuracy_before"] - s["accuracy_after"]) / max(s["accuracy_before"], 1e-12)
        if loss <= budget and s[metric + "_after"] is not None:
            gain = _better(metric) * (s[metric + "_after"] - s[metric + "_before"])
            within.append((gain, -loss, e))
    if not within:
        return {"key": None, "reason": f"every candidate lost more than {budget:.0%} accuracy on the selection rows"}
    gain, neg_loss, best = max(within, key=lambda t: (t[0], t[1]))
    if gain <= 0:
        return {"key": None, "reason": "no candidate within the accuracy budget improved its target metric on the "
                                       "selection rows"}
    metric = best["target_metric"]
    return {"key": best["key"], "measured_on": "selection",
            "reason": f"largest improvement of {metric} on the selection rows ({gain:+.4f}) within the "
                      f"{budget:.0%} accuracy budget (loss {-neg_loss:.1%}); its test-row figures are reported "
                      "above"}
