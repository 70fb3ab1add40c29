"""Pipeline policy: every threshold of the seed-001 workflow, overridable from YAML.

Defaults are the seed's numbers: targets DP ratio ≥ 0.80 and equalized-odds gap < 0.10;
gate 2 (pre-processing) KS p > 0.05 on non-protected features, fairness improvement ≥ 10 %,
accuracy loss ≤ 5 %, no new intersectional disparity; gate 3 (in-processing) target met,
accuracy loss ≤ 8 %, convergence; gate 4 (post-processing) targets met, ECE < 0.05 overall and
< 0.08 per group, intersectional check, accuracy loss ≤ 10 %; at most 3 iterations per stage.
Accuracy losses are relative to the baseline model's accuracy.

``require_significance`` (default on): gate 2's fairness improvement counts only when the 95 % interval
of the paired change in the worst attribute's DP gap excludes 0 in the better direction; an accuracy
loss, or a growth of a target criterion's gap (``max_fairness_worsening``), fails a gate only when it
exceeds its budget *and* is significant (:func:`fairmend.stats.compare`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from fairmend.errors import InvalidParameterError


@dataclass(frozen=True)
class Targets:
    min_disparate_impact_ratio: float = 0.80
    max_equalized_odds_difference: float = 0.10
    max_ece: float = 0.05
    max_group_ece: float = 0.08
    max_intersectional_deviation: float = 0.05  # every intersectional group within this of the average


@dataclass(frozen=True)
class PreGate:
    min_ks_p_value: float = 0.05
    min_fairness_improvement: float = 0.10
    max_accuracy_loss: float = 0.05
    max_new_intersectional_gap: float = 0.02  # the intersectional DP gap may not grow by more than this


@dataclass(frozen=True)
class InGate:
    max_accuracy_loss: float = 0.08
    require_convergence: bool = True


@dataclass(frozen=True)
class PostGate:
    max_accuracy_loss: float = 0.10
    max_new_intersectional_gap: float = 0.02


@dataclass(frozen=True)
class Policy:
    """All pipeline thresholds; ``Policy.from_yaml(path)`` overrides any subset."""

    targets: Targets = field(default_factory=Targets)
    pre_gate: PreGate = field(default_factory=PreGate)
    in_gate: InGate = field(default_factory=InGate)
    post_gate: PostGate = field(default_factory=PostGate)
    target_criterion: str = "demographic_parity"  # or equalized_odds, or both
    require_significance: bool = True
    max_fairness_worsening: float = 0.02  # a target criterion's gap may not grow significantly by more
    max_iterations: int = 3
    candidates_per_stage: int = 2
    allow_protected_at_inference: bool = True
    base_model: str = "logreg"
    seed: int = 0
    test_size: float = 0.3
    n_boot: int = 500
    n_permutations: int = 1000
    candidates: dict[str, list[str]] = field(default_factory=dict)  # stage -> technique keys to try first
    params: dict[str, dict[str, Any]] = field(default_factory=dict)  # technique key -> starting parameters

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Policy:
        sections = {"targets": Targets, "pre_gate": PreGate, "in_gate": InGate, "post_gate": PostGate}
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise InvalidParameterError(f"policy: unknown key(s) {', '.join(sorted(unknown))}")
        kwargs: dict[str, Any] = {}
        for name, value in raw.items():
            if name in sections:
                section = sections[name]
                allowed = {f.name for f in fields(section)}
                bad = set(value or {}) - allowed
                if bad:
                    raise InvalidParameterError(f"policy: unknown key(s) in {name}: {', '.join(sorted(bad))}")
                kwargs[name] = section(**(value or {}))
            else:
                kwargs[name] = value
        return cls(**kwargs)

    @classmethod
    def from_yaml(cls, path: str | Path) -> Policy:
        import yaml

        from fairmend.errors import DataFileError

        p = Path(path)
        if not p.is_file():
            raise DataFileError(f"policy file not found: {p}")
        raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        if not isinstance(raw, dict):
            raise InvalidParameterError(f"policy file {p} must hold a mapping")
        return cls.from_dict(raw)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
