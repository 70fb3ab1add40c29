"""The runner's typed configuration and result: a leaf module the runner's task and artifact modules share."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from fairmend.runner.gates import GatePolicy, GateVerdict

REQUIRED_METRICS = (
    "demographic_parity_difference",
    "disparate_impact_ratio",
    "equal_opportunity_difference",
    "equalized_odds_difference",
    "predictive_parity_difference",
    "accuracy",
    "balanced_accuracy",
)


@dataclass
class RunConfig:
    """Everything that determines one run; stored in the report for reproducibility."""

    base_model: str = "logreg"
    params: dict[str, Any] = field(default_factory=dict)
    test_size: float = 0.3
    validation_size: float = 0.2
    seed: int = 0
    use_protected_feature: bool = False
    target_metric: str | None = None
    n_boot: int = 1000
    n_permutations: int = 0  # deprecated: delta, CI and p-value all come from the n_boot paired bootstrap
    policy: GatePolicy = field(default_factory=GatePolicy)
    top_k: int = 100
    pool_size: int = 1000


@dataclass
class RunResult:
    """The typed outcome of :func:`run_technique`; ``to_dict()`` is ``report.json``."""

    technique: str
    stage: str
    dataset: dict[str, Any]
    target_criterion: str | None
    target_metric: str | None
    before: dict[str, float]
    after: dict[str, float]
    change: dict[str, dict[str, Any]]
    gate: GateVerdict | None
    config: dict[str, Any]
    artifacts: dict[str, str] = field(default_factory=dict)
    analysis: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    groups_before: list[dict[str, Any]] = field(default_factory=list)
    groups_after: list[dict[str, Any]] = field(default_factory=list)
    # in-memory only: fitted objects and test-split predictions for pipelines and reports
    fitted: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "technique": self.technique,
            "stage": self.stage,
            "dataset": self.dataset,
            "target_criterion": self.target_criterion,
            "target_metric": self.target_metric,
            "before": self.before,
            "after": self.after,
            "change": self.change,
            "gate": self.gate.to_dict() if self.gate else None,
            "config": self.config,
            "artifacts": self.artifacts,
            "analysis": self.analysis,
            "groups_before": self.groups_before,
            "groups_after": self.groups_after,
            "notes": self.notes,
        }


def config_dict(config: RunConfig) -> dict[str, Any]:
    """The configuration as recorded in ``report.json``."""
    return asdict(config)
