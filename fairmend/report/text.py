"""Words for the report's reader: metric names and definitions, check names, readable stacks and
parameters, and :func:`plain`, which turns Python literals inside logged text into prose."""

from __future__ import annotations

import ast
import math
import re
import shlex
from typing import Any

METRIC_NAMES = {
    "disparate_impact_ratio": "disparate impact ratio",
    "demographic_parity_difference": "demographic-parity gap",
    "equalized_odds_difference": "equalized-odds gap",
    "equal_opportunity_difference": "equal-opportunity gap",
    "accuracy": "accuracy",
    "ece": "calibration error (ECE)",
    "selection_rate": "selection rate",
    "tpr": "true positive rate",
    "fpr": "false positive rate",
}
DEFINITIONS = {
    "selection_rate": "Share of a group's rows the model decides favourably (predicts 1).",
    "tpr": "Among a group's rows whose true outcome is favourable, the share decided favourably. Judged only for "
           "groups with at least 10 such rows.",
    "fpr": "Among a group's rows whose true outcome is unfavourable, the share decided favourably. Judged only for "
           "groups with at least 10 such rows.",
    "disparate_impact_ratio": "Lowest selection rate divided by the highest, over the groups of the named grouping "
                              "(1 = parity; the four-fifths rule asks for at least 0.8).",
    "demographic_parity_difference": "Highest selection rate minus the lowest, over the groups of the named "
                                     "grouping (0 = parity).",
    "equalized_odds_difference": "The larger of two gaps over the groups of the named grouping: highest minus "
                                 "lowest true positive rate, and highest minus lowest false positive rate (0 = parity).",
    "equal_opportunity_difference": "Highest minus lowest true positive rate over the groups of the named grouping "
                                    "(0 = parity).",
    "accuracy": "Share of the rows whose decision matches the true outcome (all rows, not per group).",
    "ece": "Expected calibration error of the predicted probabilities over all rows: the average distance between "
           "predicted probability and observed favourable rate, in ten equal-width bins (0 = calibrated).",
}
CHECK_NAMES = {
    "dp_target": "Disparate impact target",
    "eo_target": "Equalized-odds target",
    "ece_overall": "Calibration overall",
    "ece_groups": "Calibration per group",
    "calibration": "Calibration",
    "intersectional": "Intersectional selection rates",
    "accuracy_loss": "Accuracy cost",
    "no_fairness_regression": "No fairness criterion got worse",
    "target_met": "Fairness target",
    "fairness_improvement": "Fairness improvement",
    "data_integrity": "Data integrity",
    "no_new_intersectional_disparity": "No new intersectional disparity",
    "convergence": "Training converged",
}
EVENTS = {
    "start": "Started", "resumed": "Resumed from a checkpoint", "causal_analysis": "Causal analysis",
    "feasibility": "Can the targets hold together?", "decision_point_1": "Decision 1: pre-processing?",
    "decision_point_2": "Decision 2: in-processing?", "decision_point_3": "Decision 3: post-processing?",
    "candidates": "Candidates chosen", "gate_passed": "Candidate passed its gate", "rollback": "Rollback",
    "stage_partial": "Best effort kept", "stage_rolled_back": "Stage rolled back", "gate4": "Final checks",
    "test_confirmation": "Confirmation on the test rows", "escalation": "Escalated", "deploy": "Deploy",
}
SLOTS = (("pre", "pre-processing"), ("model", "model"), ("post", "post-processing"))


def metric_name(metric: str) -> str:
    return METRIC_NAMES.get(metric, metric.replace("_", " "))


def check_name(name: str) -> str:
    return CHECK_NAMES.get(name, name.replace("_", " ").capitalize())


def params_text(params: dict[str, Any] | None) -> str:
    """``k=v, k=v`` or ``defaults``."""
    return ", ".join(f"{k}={_value(v)}" for k, v in (params or {}).items()) or "defaults"


def stack_steps(stack: Any) -> list[tuple[str, str, str | None, dict[str, Any]]]:
    """``(slot, slot name, technique key or None, parameters)`` for pre-processing, model, post-processing."""
    return [(slot, name, None if getattr(stack, slot) is None else getattr(stack, slot).key,
             {} if getattr(stack, slot) is None else dict(getattr(stack, slot).params))
            for slot, name in SLOTS]


def empty_slot(slot: str) -> str:
    return "baseline model" if slot == "model" else "none"


def stack_text(stack: Any) -> str:
    """``pre: KEY (k=v) -> model: KEY -> post: none``: a stack as a reader writes it."""
    return " -> ".join(f"{slot}: {empty_slot(slot)}" if key is None else
                       f"{slot}: {key}" + (f" ({params_text(params)})" if params else "")
                       for slot, _, key, params in stack_steps(stack))


def data_options(dataset: dict[str, Any]) -> str:
    """``--data … --protected … --outcome … --favourable-label …`` for a printed command: the file or bundled
    dataset the run read (``FILE`` when it was given an in-memory table)."""
    source = str(dataset.get("source") or "DataFrame")
    parts = ["--data", "FILE" if source == "DataFrame" else shlex.quote(source),
             "--protected", shlex.quote(",".join(map(str, dataset.get("protected") or []))),
             "--outcome", shlex.quote(str(dataset.get("outcome")))]
    if dataset.get("favourable_label") is not None:
        parts += ["--favourable-label", shlex.quote(str(dataset["favourable_label"]))]
    return " ".join(parts)


def num(v: Any, digits: int = 3) -> str:
    """A number as printed everywhere in the report; ``n/a`` for missing values."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "n/a"
    return f"{v:.{digits}f}"


def signed(v: float, digits: int = 3) -> str:
    return "n/a" if not math.isfinite(v) else f"{v:+.{digits}f}".replace("-", "−")


def p_text(p: float) -> str:
    if not math.isfinite(p):
        return "n/a"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def pretty(text: str) -> str:
    """Comparison operators and arrows as a reader writes them."""
    return plain(text).replace(">=", "≥").replace("<=", "≤").replace("->", "→")


def _value(v: Any) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, dict):
        return params_text(v)
    if isinstance(v, (list, tuple, set)):
        return ", ".join(_value(x) for x in v) or "none"
    return str(v)


def _closing(text: str, start: int) -> int:
    """Index of the bracket closing the one at ``start`` (quotes respected); -1 if unbalanced."""
    pairs = {"{": "}", "[": "]", "(": ")"}
    stack, quote = [], None
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in pairs:
            stack.append(pairs[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
            if not stack:
                return i
    return -1


def plain(text: str) -> str:
    """Python literals inside ``text`` (dicts, lists of words, None/True/False) as prose.

    Numeric intervals such as ``[-0.232, -0.018]`` are kept: they read as intervals, not as code.
    """
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        end = _closing(text, i) if ch in "{[" else -1
        if end > 0:
            chunk = text[i:end + 1]
            try:
                value = ast.literal_eval(chunk)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                value = chunk
            numeric = isinstance(value, list) and all(isinstance(x, (int, float)) for x in value) and value
            if isinstance(value, (dict, list)) and not numeric:
                out.append(_value(value))
                i = end + 1
                continue
        out.append(ch)
        i += 1
    joined = "".join(out)
    return re.sub(r"\b(None|True|False)\b", lambda m: _value(ast.literal_eval(m.group(1))), joined)
