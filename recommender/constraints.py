"""Constraints of a fairness problem: what the recommender knows, where each value came from, and
how sure it is.

:func:`fairmend.recommender.parse.parse_text` fills a :class:`Constraints` from the user's text;
:func:`merge_flags` applies explicit CLI flags (which always win) and
:func:`fairmend.recommender.audit.apply_audit` adds what the data shows. Every set field records its
``source`` (``text``, ``flag``, ``data`` or ``domain-default``) and a ``confidence`` in [0, 1]; a
hard constraint the reader is unsure of is kept in ``uncertain`` with the flag that settles it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from fairmend.catalog.types import Criterion, Stage, TaskType

# Fields that are bookkeeping, not constraints.
META_FIELDS = frozenset({"sources", "confidence", "evidence", "uncertain", "goal_text"})
HARD_FIELDS = (
    "retraining_allowed",
    "protected_at_inference_allowed",
    "protected_available",
    "intervention_allowed",
    "stages",
    "task",
    "max_accuracy_loss",
    "multi_group",
)
NON_INTERVENTION_STAGES = [Stage.CAUSAL, Stage.EVALUATION, Stage.MONITORING, Stage.DOCUMENTATION]


@dataclass
class Uncertain:
    """A hard constraint the reader may have seen but is not sure of, and the flag that settles it."""

    field: str
    value: Any
    confidence: float
    evidence: str
    flag: str
    applied: bool  # False: an uncertain reading is never a hard constraint (kept for older JSON readers)
    # why a reading the reader was sure of is set aside (another reading of the same text rules it out); ""
    # when it is uncertain because the reader was unsure
    reason: str = ""
    # True when the reason is words against the reading (a freeze of something else, a rule said of another
    # model or time, a permission that outweighs it), not a tie with another reading: it is reported with the
    # flag that settles it, but marks and lowers no technique
    doubted: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "value": _plain(self.value),
            "confidence": round(self.confidence, 3),
            "evidence": self.evidence,
            "flag": self.flag,
            "applied": self.applied,
            "reason": self.reason,
            "doubted": self.doubted,
            "line": self.line(),
        }

    def line(self) -> str:
        """The line shown for it: what it would mean, the words it came from, why it is not binding, and the flag
        that settles it. A restrictive one marks (and ranks lower) the techniques that would break it, a
        permissive one excludes nothing."""
        if self.doubted:
            state = (
                "not binding; the words speak against it, so no technique is marked or ranked lower for it"
            )
        elif restrictive(self.field, self.value):
            state = "not binding; techniques that would break it are marked and ranked lower"
        else:
            state = "not binding"
        why = f"set aside: {self.reason}" if self.reason else f"confidence {self.confidence:.2f}"
        return (
            f"uncertain: {describe_value(self.field, self.value)}? (from: '{self.evidence}', {why}; {state}) - "
            f"settle it with {self.flag}"
        )


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [getattr(v, "value", v) for v in value]
    return getattr(value, "value", value)


@dataclass
class Constraints:
    """What the recommender knows about the user's situation. ``None`` means "not stated"."""

    retraining_allowed: bool | None = None
    protected_at_inference_allowed: bool | None = None
    protected_available: bool | None = None  # is A available at all (to fit / audit)?
    intervention_allowed: bool | None = None  # False: evaluate, analyse, monitor or document only
    stages: list[Stage] | None = None
    criteria: list[Criterion] = field(default_factory=list)
    task: TaskType | None = None
    model_family: str | None = None
    max_accuracy_loss: float | None = None
    multi_group: bool | None = None
    intersectional: bool = False
    data_size: int | None = None
    small_data: bool = False
    time_budget: str | None = None  # "fast" | "moderate" | None
    domain: str | None = None
    legal_note: str | None = None
    intent: str | None = None  # mitigate | audit | monitor | document | causal
    preferred_stages: list[Stage] = field(default_factory=list)  # soft preference
    sources: dict[str, str] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)  # the clause a text value was read from
    uncertain: list[Uncertain] = field(default_factory=list)
    goal_text: str | None = None  # the text less its permission/prohibition clauses (for the ranking)

    def put(self, name: str, value: Any, source: str, confidence: float = 1.0, evidence: str = "") -> None:
        setattr(self, name, value)
        self.sources[name] = source
        self.confidence[name] = round(float(confidence), 3)
        if evidence:
            self.evidence[name] = evidence
        else:
            self.evidence.pop(name, None)

    def to_dict(self) -> dict[str, Any]:
        """Every field as ``{"value", "source", "confidence"}`` (plus ``evidence`` when read from text)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name in META_FIELDS:
                continue
            entry: dict[str, Any] = {
                "value": _plain(getattr(self, f.name)),
                "source": self.sources.get(f.name),
                "confidence": self.confidence.get(f.name),
            }
            if f.name in self.evidence:
                entry["evidence"] = self.evidence[f.name]
            out[f.name] = entry
        return out

    def understood(self) -> list[str]:
        """One line per hard constraint in force, with where it came from."""
        lines = []
        for name in HARD_FIELDS:
            value = getattr(self, name)
            if value is None or name not in self.sources:
                continue
            if any(u.field == name and u.applied for u in self.uncertain):
                continue  # shown as uncertain
            src = self.sources[name]
            origin = {"flag": "from a flag", "data": "from the data"}.get(src)
            if origin is None and src == "domain-default":
                origin = f"domain default: {self.legal_note}" if self.legal_note else "domain default"
                origin += f"; {settling_flag(name, not value)} if it does not apply"
            elif origin is None:
                origin = f"from: '{self.evidence.get(name, '')}'"
            lines.append(f"understood: {describe_value(name, value)} ({origin})")
        return lines

    def uncertain_lines(self) -> list[str]:
        """One line per uncertain reading (:meth:`Uncertain.line`); none of them is a hard constraint."""
        return [u.line() for u in self.uncertain]

    def describe(self) -> list[str]:
        """Human-readable lines for the stated soft constraints."""
        lines = []
        for name in (
            "criteria",
            "model_family",
            "intent",
            "preferred_stages",
            "intersectional",
            "data_size",
            "small_data",
            "time_budget",
            "domain",
        ):
            value = _plain(getattr(self, name))
            if value is None or value == [] or value is False:
                continue
            if isinstance(value, (list, tuple, set)):  # words, never a Python list repr
                value = ", ".join(str(v).replace("_", " ") for v in value)
            elif value is True:
                value = "yes"
            src = self.sources.get(name)
            lines.append(f"{name.replace('_', ' ')}: {value}" + (f" (from {src})" if src else ""))
        return lines


_VALUE_WORDS: dict[tuple[str, Any], str] = {
    ("retraining_allowed", False): "cannot retrain",
    ("retraining_allowed", True): "may retrain",
    ("protected_at_inference_allowed", False): "may not use the protected attribute at decision time",
    ("protected_at_inference_allowed", True): "may use the protected attribute at decision time",
    ("protected_available", False): "the protected attribute is not collected",
    ("protected_available", True): "the protected attribute is available",
    ("intervention_allowed", False): "no intervention: evaluate, analyse, monitor or document only",
    ("intervention_allowed", True): "interventions are allowed",
    ("multi_group", True): "more than two groups",
}


def restrictive(name: str, value: Any) -> bool:
    """Whether setting ``name`` to ``value`` can exclude a technique."""
    if name in (
        "retraining_allowed",
        "protected_at_inference_allowed",
        "protected_available",
        "intervention_allowed",
    ):
        return value is False
    return name in ("stages", "task", "max_accuracy_loss", "multi_group") and bool(value)


def describe_value(name: str, value: Any) -> str:
    words = _VALUE_WORDS.get((name, value)) if not isinstance(value, list) else None
    if words:
        return words
    if name == "stages":
        return "only " + " or ".join(str(_plain(s)).replace("_", "-") for s in value)
    if name == "task":
        return f"task: {str(_plain(value)).replace('_', ' ')}"
    if name == "max_accuracy_loss":
        return f"lose at most {value:.1%} accuracy"
    return f"{name.replace('_', ' ')}: {_plain(value)}"


def settling_flag(name: str, value: Any) -> str:
    """The CLI flag that sets ``name`` to ``value``."""
    if name == "retraining_allowed":
        return "--retraining" if value else "--no-retraining"
    if name == "protected_at_inference_allowed":
        return "--protected-at-inference" if value else "--no-protected-at-inference"
    if name == "protected_available":
        return "--protected-at-inference" if value else "--no-protected-at-inference"
    if name == "intervention_allowed":
        return "--intervention" if value else "--no-intervention"
    if name == "stages":
        return " ".join(f"--stage {_plain(s)}" for s in value) if value else "--stage STAGE"
    if name == "task":
        return f"--task {_plain(value)}" if value else "--task TASK"
    return "--max-accuracy-loss FRACTION"


def merge_flags(
    c: Constraints,
    *,
    retraining: bool | None = None,
    protected_at_inference: bool | None = None,
    intervention: bool | None = None,
    stages: list[str] | None = None,
    criteria: list[str] | None = None,
    max_accuracy_loss: float | None = None,
    task: str | None = None,
) -> Constraints:
    """Return ``c`` with explicit flags applied; flags always override the text."""
    from fairmend.errors import InvalidParameterError

    out = replace(
        c,
        sources=dict(c.sources),
        confidence=dict(c.confidence),
        evidence=dict(c.evidence),
        stages=list(c.stages) if c.stages else c.stages,
        criteria=list(c.criteria),
    )
    settled: set[str] = set()
    if retraining is not None:
        out.put("retraining_allowed", retraining, "flag")
        settled.add("retraining_allowed")
    if protected_at_inference is not None:
        out.put("protected_at_inference_allowed", protected_at_inference, "flag")
        settled |= {"protected_at_inference_allowed", "protected_available"}
        if protected_at_inference and out.protected_available is False:
            out.put("protected_available", True, "flag")
    if intervention is not None:
        out.put("intervention_allowed", intervention, "flag")
        settled.add("intervention_allowed")
        if intervention and out.stages and set(out.stages) <= set(NON_INTERVENTION_STAGES):
            out.stages = None
    try:
        if stages:
            out.put("stages", [Stage(s.replace("-", "_")) for s in stages], "flag")
            settled |= {"stages", "intervention_allowed"}
            if (
                any(s not in NON_INTERVENTION_STAGES for s in out.stages or [])
                and out.intervention_allowed is False
            ):
                out.intervention_allowed = None
        if criteria:
            out.put("criteria", [Criterion(x.replace("-", "_").replace(" ", "_")) for x in criteria], "flag")
        if task:
            alias = {
                "classification": "binary_classification",
                "binary": "binary_classification",
                "multiclass": "multiclass_classification",
            }
            out.put("task", TaskType(alias.get(task, task)), "flag")
            settled.add("task")
    except ValueError as exc:
        raise InvalidParameterError(f"invalid constraint flag: {exc}") from None
    if max_accuracy_loss is not None:
        if not 0 <= max_accuracy_loss <= 1:
            raise InvalidParameterError(
                f"--max-accuracy-loss must be a fraction in [0, 1] (0.02 = two points), got {max_accuracy_loss}"
            )
        out.put("max_accuracy_loss", max_accuracy_loss, "flag")
        settled.add("max_accuracy_loss")
    out.uncertain = [u for u in c.uncertain if u.field not in settled]
    return out
