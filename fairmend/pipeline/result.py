"""The pipeline's typed results: one attempt at a stage, and the workflow's outcome (a leaf module)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fairmend.engine.stack import Stack
from fairmend.pipeline import gates
from fairmend.pipeline.measure import Snapshot

SLOT = {"pre": "pre", "in": "model", "post": "post"}
# Gate checks about the fairness target itself; a candidate failing only these may be kept as best effort.
TARGET_CHECKS = {"target_met", "dp_target", "eo_target", "fairness_improvement"}


@dataclass
class Attempt:
    stage: str
    key: str
    params: dict[str, Any]
    iteration: int
    snapshot: Snapshot | None
    verdict: gates.Verdict | None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        s = self.snapshot
        return {
            "stage": self.stage, "key": self.key, "params": self.params, "iteration": self.iteration,
            "measured_on": "selection",
            "accuracy": None if s is None else s.accuracy,
            "demographic_parity_difference": None if s is None else gates.dp_gap(s),
            "disparate_impact_ratio": None if s is None else s.worst("disparate_impact_ratio", higher_is_better=True),
            "equalized_odds_difference": None if s is None else s.worst("equalized_odds_difference", higher_is_better=False),
            "ece": None if s is None else s.overall.get("ece"),
            "gate": None if self.verdict is None else self.verdict.to_dict(),
            "error": self.error,
        }


@dataclass
class PipelineResult:
    """The workflow's outcome. ``baseline``/``final``/``test_gate`` are measured once on the untouched
    test rows; ``final_gate``, the attempts and ``selection`` on the selection rows where every choice
    was made."""

    output: Path
    baseline: Snapshot
    final: Snapshot
    stack: Stack
    decision: str
    final_gate: gates.Verdict
    attempts: list[Attempt] = field(default_factory=list)
    causal: dict[str, Any] = field(default_factory=dict)
    dataset: dict[str, Any] = field(default_factory=dict)
    fitted: dict[str, Any] = field(default_factory=dict, repr=False)
    test_gate: gates.Verdict | None = None
    selection: dict[str, Snapshot] = field(default_factory=dict)
    feasibility: Any = None  # fairmend.pipeline.feasibility.Feasibility

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "decision": self.decision,
            "stack": self.stack.describe(),
            "final_gate": {**self.final_gate.to_dict(), "measured_on": "selection"},
            "test_gate": None if self.test_gate is None else {**self.test_gate.to_dict(), "measured_on": "test"},
            "baseline": {**self.baseline.to_dict(), "measured_on": "test"},
            "final": {**self.final.to_dict(), "measured_on": "test"},
            "selection": {k: {**v.to_dict(), "measured_on": "selection"} for k, v in self.selection.items()},
            "feasibility": None if self.feasibility is None else self.feasibility.to_dict(),
            "attempts": [a.to_dict() for a in self.attempts],
            "causal": self.causal,
        }
