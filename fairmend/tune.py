"""``fairmend tune``: Optuna multi-objective search of a technique's fairness-accuracy trade-off.

The two objectives are accuracy (maximised) and the technique's target fairness metric (the metric
``fairmend run`` judges it on; gaps minimised, ratios maximised). The search never sees the test rows:

1. the rows are split as ``fairmend run`` splits them (stratified by group x label, same ``seed`` and
   ``test_size``); the test rows are set aside;
2. every trial is one :func:`fairmend.runner.run_technique` on the remaining *tuning* rows, which it splits
   again: the technique is fitted on part of them and the trial is judged on the held-out rest (the
   selection rows, ``selection_size`` of the tuning rows), without statistics;
3. the trials on the Pareto front (no other trial is at least as good on both objectives and better on
   one) are re-run on all rows: fitted on the same train and selection rows as ``fairmend run`` and
   measured on the untouched test rows, with 95 % stratified-bootstrap intervals of accuracy and of the
   fairness metric, and the paired change from the baseline with its interval and p-value.

Searched parameters (:func:`knobs`): by default the parameters the technique declares tunable
(``Param(..., tunable=True)`` on its class, :mod:`fairmend.catalog.params`: its fairness-accuracy trade-off
knobs, such as a reduction's ``eps``, a threshold optimizer's ``tolerance``, prejudice remover's ``eta``, an
adversary's weight or the reweighing family's ``strength``); name others (any numeric range, choices,
booleans) with ``search=[...]``, fix any with ``params``. A range from a positive bound spanning two
orders of magnitude or more is searched on a log scale; one from 0 that reaches beyond 1 (``eta`` in
[0, 1000]) or whose default lies in its lowest tenth (``eps`` = 0.01 in [0, 1]) on a log scale from
``high / 10^4``.

With ``storage`` (``sqlite:///tune.db``) the study is resumable: a rerun with the same arguments loads it
and runs only the trials still missing from ``trials``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from fairmend.catalog.contracts import group_labels
from fairmend.catalog.types import TaskType
from fairmend.engine.split import stratified_split
from fairmend.errors import FairmendError, InvalidParameterError, MissingDependencyError, NotExecutableError
from fairmend.io import read_table
from fairmend.metrics import higher_is_better
from fairmend.plugins import get_catalog
from fairmend.report.svg import Point, scatter_frontier
from fairmend.runner import run_technique
from fairmend.runner.core import coerce_params, run_task
from fairmend.runner.targets import target_for
from fairmend.stats import stratified_bootstrap_ci
from fairmend.validation import validate


@dataclass(frozen=True)
class Knob:
    """One searched parameter: a numeric range (``log`` scale or not) or a list of choices."""

    name: str
    kind: str  # float, int, choice
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple[Any, ...] | None = None

    def suggest(self, trial: Any) -> Any:
        if self.kind == "choice":
            return trial.suggest_categorical(self.name, list(self.choices or ()))
        if self.kind == "int":
            return trial.suggest_int(self.name, int(self.low or 0), int(self.high or 0), log=self.log)
        return trial.suggest_float(self.name, float(self.low or 0.0), float(self.high or 0.0), log=self.log)


def _knob(p: Any) -> Knob:
    if p.type == "bool":
        return Knob(p.name, "choice", choices=(False, True))
    if p.choices:
        return Knob(p.name, "choice", choices=tuple(p.choices))
    if p.type not in ("int", "float") or p.range is None:
        raise InvalidParameterError(f"parameter {p.name!r} ({p.type}) has no range or choices to search")
    lo, hi = float(p.range[0]), float(p.range[1])
    if p.type == "int":
        return Knob(p.name, "int", lo, hi, log=lo >= 1 and hi / lo >= 100)
    if lo > 0 and hi / lo >= 100:
        return Knob(p.name, "float", lo, hi, log=True)
    if lo == 0 and (hi > 1 or (isinstance(p.default, (int, float)) and 0 < p.default <= hi / 10)):
        return Knob(p.name, "float", hi * 1e-4, hi, log=True)
    return Knob(p.name, "float", lo, hi)


def knobs(technique: Any, search: list[str] | None = None, fixed: dict[str, Any] | None = None) -> list[Knob]:
    """The parameters to search: ``search`` by name, else every declared tunable parameter not in ``fixed``."""
    fixed = fixed or {}
    if search:
        clash = sorted(set(search) & set(fixed))
        if clash:
            raise InvalidParameterError(f"parameter {clash[0]!r} is both tuned (--tune) and fixed (--param)")
        return [_knob(technique.parameter(name)) for name in dict.fromkeys(search)]
    chosen = [_knob(p) for p in technique.parameters if p.tunable and p.name not in fixed]
    if not chosen:
        declared = ", ".join(f"{p.name} ({p.type})" for p in technique.parameters) or "none"
        left = " left unfixed" if any(p.tunable for p in technique.parameters) else ""
        raise InvalidParameterError(f"technique {technique.key!r} declares no tunable trade-off parameter{left} "
                                    f"(parameters: {declared}); name one with --tune NAME")
    return chosen


def held_out_split(frame: pd.DataFrame, protected: list[str], outcome: str, favourable: Any, test_size: float,
           seed: int) -> tuple[np.ndarray, np.ndarray, Any]:
    """Tuning and test rows exactly as ``fairmend run`` splits ``frame``, and the favourable label."""

    checked = validate(frame, protected=protected, outcome=outcome, favourable_label=favourable)
    y = np.asarray(checked.y, dtype=int)
    split = stratified_split(y, group_labels(frame[protected].astype(str).reset_index(drop=True)),
                             test_size=test_size, seed=seed)
    return np.sort(np.concatenate([split.train, split.validation])), split.test, checked.favourable_label


def dominated(points: list[tuple[float, float]], i: int) -> bool:
    """Whether point ``i`` (both coordinates to maximise) is dominated by another."""
    a = points[i]
    return any(b[0] >= a[0] and b[1] >= a[1] and b != a for j, b in enumerate(points) if j != i)


def _optuna() -> Any:
    try:
        import optuna
    except ImportError as exc:
        raise MissingDependencyError(f"fairmend tune needs Optuna (pip install 'fairmend[mlops]'): {exc}") from exc
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def tune(key: str, data: Any, *, protected: list[str] | str, outcome: str, favourable_label: Any = None,
         trials: int = 20, timeout: float | None = None, storage: str | None = None, study_name: str | None = None,
         search: list[str] | None = None, params: dict[str, Any] | None = None, target_metric: str | None = None,
         base_model: str = "logreg", test_size: float = 0.3, selection_size: float = 0.3, seed: int = 0,
         n_boot: int = 1000, progress: Any = None) -> dict[str, Any]:
    """Search ``key``'s parameters for the accuracy / fairness Pareto front; see the module docstring.

    Returns a JSON-ready dict with ``pareto`` (params, selection-row objectives, test-row accuracy and
    fairness metric with 95 % intervals, change from the baseline), ``trials``, ``tuned``, ``rows``, ``study``.
    """

    step = progress or (lambda *_a, **_k: None)
    protected = [protected] if isinstance(protected, str) else list(protected)
    technique = get_catalog().get(key)
    if not technique.executable or run_task(technique) is not TaskType.BINARY_CLASSIFICATION:
        raise NotExecutableError(f"fairmend tune searches binary-classification interventions; {key!r} is not one")
    if trials < 1 or not 0.05 <= selection_size <= 0.8 or n_boot < 0 or (timeout is not None and timeout <= 0):
        raise InvalidParameterError("--trials must be >= 1, --timeout > 0, --n-boot >= 0 and the selection size "
                                    "between 0.05 and 0.8")
    fixed = coerce_params(technique, params or {})
    space = knobs(technique, search, fixed)
    _criterion, metric = target_for(technique, target_metric, fixed)
    sign = 1.0 if higher_is_better(metric) else -1.0
    frame = read_table(data)
    tuning_rows, test_rows, favourable = held_out_split(frame, protected, outcome, favourable_label, test_size, seed)
    tuning = frame.iloc[tuning_rows].reset_index(drop=True)
    common = {"protected": protected, "outcome": outcome, "base_model": base_model, "seed": seed,
              "target_metric": metric, "favourable_label": favourable}

    def objective(trial: Any) -> tuple[float, float]:
        values = {k.name: k.suggest(trial) for k in space}
        res = run_technique(key, tuning, params={**fixed, **values}, test_size=selection_size, n_boot=0, **common)
        trial.set_user_attr("n_selection_rows", int(res.dataset["n_test"]))
        step("trial", {"n": trial.number, **{k: _short(v) for k, v in values.items()}})
        return float(res.after["accuracy"]), float(res.after[metric])

    optuna = _optuna()
    identity = json.dumps([key, protected, outcome, str(favourable), test_size, selection_size, seed, base_model,
                           metric, [asdict(k) for k in space], sorted((k, str(v)) for k, v in fixed.items()),
                           int(pd.util.hash_pandas_object(frame, index=False).sum() % 2**61)], default=str)
    name = study_name or f"fairmend-tune-{key}-{hashlib.sha256(identity.encode()).hexdigest()[:12]}"
    study = optuna.create_study(study_name=name, storage=storage, load_if_exists=True,
                                directions=["maximize", "maximize" if sign > 0 else "minimize"],
                                sampler=optuna.samplers.TPESampler(seed=seed, multivariate=True))
    done = [t for t in study.trials if t.state.is_finished()]
    missing = max(0, trials - len(done))
    if missing:
        study.optimize(objective, n_trials=missing, timeout=timeout, catch=(FairmendError, ValueError,
                                                                            ArithmeticError, np.linalg.LinAlgError))
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if not complete:
        failed = [t for t in study.trials if t.state == optuna.trial.TrialState.FAIL]
        raise NotExecutableError(f"no trial of {key!r} completed ({len(failed)} failed); try other --param values")
    front = _front(study.best_trials)
    pareto = []
    for t in front:
        res = run_technique(key, frame, params={**fixed, **t.params}, test_size=test_size, n_boot=n_boot, **common)
        step("re-measure on test rows", {"trial": t.number})
        pareto.append(_point(t, res, metric, test_rows, n_boot, seed))
    flip = [(p["test"]["accuracy"]["value"], sign * p["test"][metric]["value"]) for p in pareto]
    for i, p in enumerate(pareto):
        p["dominated_on_test"] = dominated(flip, i)
    pareto.sort(key=lambda p: sign * -p["test"][metric]["value"])
    return {
        "technique": key, "target_metric": metric, "higher_is_better": sign > 0,
        "objectives": {"accuracy": "maximize", metric: "maximize" if sign > 0 else "minimize"},
        "tuned": [asdict(k) for k in space], "fixed": fixed,
        "rows": {"tuning": len(tuning_rows), "selection": complete[0].user_attrs.get("n_selection_rows"),
                 "test": len(test_rows)},
        "baseline_test": {"accuracy": pareto[0]["change"]["accuracy"]["before"],
                          metric: pareto[0]["change"][metric]["before"]} if pareto else None,
        "study": {"name": name, "storage": storage, "n_trials": len(study.trials), "n_complete": len(complete),
                  "new_trials": len(study.trials) - len(done)},
        "trials": [{"number": t.number, "state": t.state.name, "params": t.params,
                    "selection": None if t.values is None else {"accuracy": t.values[0], metric: t.values[1]}}
                   for t in study.trials],
        "pareto": pareto,
    }


def _short(value: Any) -> Any:
    return f"{value:.4g}" if isinstance(value, float) else value


def _front(best: list[Any]) -> list[Any]:
    """Pareto-optimal trials, one per distinct parameter set, in trial order."""
    seen: set[str] = set()
    out = []
    for t in sorted(best, key=lambda t: t.number):
        sig = json.dumps(t.params, sort_keys=True, default=str)
        if sig not in seen:
            seen.add(sig)
            out.append(t)
    return out


def _point(trial: Any, res: Any, metric: str, test_rows: np.ndarray, n_boot: int, seed: int) -> dict[str, Any]:
    """A Pareto trial re-measured on the test rows: values with 95 % intervals and the change from baseline."""

    fitted = res.fitted
    if not np.array_equal(np.sort(fitted["split"].test), np.sort(test_rows)):
        raise RuntimeError("the re-measuring run's test rows differ from the rows held out of tuning")
    y_te, pred, A_te = fitted["y_test"], fitted["pred_after"], fitted["A_test"]
    keep = pred >= 0  # abstaining techniques: metrics over accepted rows, as in fairmend run
    cis = stratified_bootstrap_ci(y_te[keep], pred[keep], A_te[keep], ["accuracy", metric], n_boot=n_boot,
                                  seed=seed) if n_boot else {}

    def entry(m: str) -> dict[str, Any]:
        ci = cis.get(m)
        return {"value": float(res.after[m]), "ci95": None if ci is None else [float(ci[0]), float(ci[1])]}

    def change(m: str) -> dict[str, Any]:
        c = res.change[m]
        return {k: c.get(k) for k in ("before", "after", "delta", "ci95", "p_value", "p_value_bh")}

    return {"trial": trial.number, "params": trial.params,
            "selection": {"accuracy": trial.values[0], metric: trial.values[1]},
            "test": {"accuracy": entry("accuracy"), metric: entry(metric)},
            "change": {"accuracy": change("accuracy"), metric: change(metric)},
            "gate_passed": None if res.gate is None else bool(res.gate.passed)}


def pareto_svg(doc: dict[str, Any]) -> str:
    """The re-measured Pareto front on the test rows (and the baseline) as a self-contained SVG chart."""

    m = doc["target_metric"]

    def x(value: float) -> float:  # the chart's x axis is a gap (lower is fairer); ratios become 1 - ratio
        return 1.0 - value if doc["higher_is_better"] else value

    xlabel = f"1 - {m}" if doc["higher_is_better"] else m
    points = [Point(x(doc["baseline_test"][m]), doc["baseline_test"]["accuracy"], "baseline", False, "baseline")
              ] if doc["baseline_test"] else []
    for p in doc["pareto"]:
        params = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in p["params"].items())
        points.append(Point(x(p["test"][m]["value"]), p["test"]["accuracy"]["value"], f"trial {p['trial']}: {params}",
                            not p["dominated_on_test"]))
    return scatter_frontier(f"{doc['technique']}: Pareto front on {doc['rows']['test']} test rows", points,
                            xlabel, "accuracy", "tune-pareto")
