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
from fairmend.io import read_yaml_mapping


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
        """Build a policy from a mapping, checking every key's type and range (see :data:`RANGES`)."""
        if not isinstance(raw, dict):
            raise InvalidParameterError(f"policy must be a mapping of settings, got {type(raw).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise InvalidParameterError(f"policy: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
        kwargs: dict[str, Any] = {}
        for name, value in raw.items():
            if name in SECTIONS:
                section = SECTIONS[name]
                if not isinstance(value, dict):
                    raise InvalidParameterError(
                        f"policy: {name} must be a mapping of settings, got {_shown(value)}")
                allowed = {f.name for f in fields(section)}
                bad = set(value) - allowed
                if bad:
                    raise InvalidParameterError(
                        f"policy: unknown key(s) in {name}: {', '.join(sorted(map(str, bad)))} "
                        f"(known: {', '.join(sorted(allowed))})")
                checked = {k: _check(f"{name}.{k}", v, _kind(section, k)) for k, v in value.items()}
                kwargs[name] = section(**checked)
            else:
                kwargs[name] = _check(name, value, _kind(cls, name))
        return cls(**kwargs)

    @classmethod
    def from_yaml(cls, path: str | Path) -> Policy:

        return cls.from_dict(read_yaml_mapping(path, "policy file"))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


SECTIONS: dict[str, type] = {"targets": Targets, "pre_gate": PreGate, "in_gate": InGate, "post_gate": PostGate}
_UNIT = (0.0, 1.0)
# Every numeric setting's allowed closed range; settings not listed are rates or shares in [0, 1].
RANGES: dict[str, tuple[float, float]] = {
    "max_iterations": (1, 50),
    "candidates_per_stage": (1, 50),
    "seed": (0, 2**32 - 1),
    "test_size": (0.05, 0.8),
    "n_boot": (0, 100_000),
    "n_permutations": (0, 100_000),
}
CHOICES: dict[str, tuple[str, ...]] = {
    "target_criterion": ("demographic_parity", "equalized_odds", "both"),
    "base_model": ("logreg", "gbm", "rf"),
}


def _kind(owner: type, name: str) -> str:
    return str(next(f.type for f in fields(owner) if f.name == name))


def _shown(value: Any) -> str:
    return "null" if value is None else f"{value!r} ({type(value).__name__})"


def _check(path: str, value: Any, kind: str) -> Any:
    """``value`` if it has the type ``kind`` names and lies in its range or choices, else a one-line error."""
    name = path.rpartition(".")[2]
    if kind == "bool":
        if not isinstance(value, bool):
            raise InvalidParameterError(f"policy: {path} must be true or false, got {_shown(value)}")
        return value
    if kind in ("float", "int"):
        numeric = isinstance(value, int) if kind == "int" else isinstance(value, (int, float))
        if isinstance(value, bool) or not numeric:
            raise InvalidParameterError(f"policy: {path} must be a{'n integer' if kind == 'int' else ' number'}, "
                                        f"got {_shown(value)}")
        lo, hi = RANGES.get(name, _UNIT)
        if not lo <= value <= hi:
            raise InvalidParameterError(f"policy: {path} must lie in [{lo:g}, {hi:g}], got {value!r}")
        return float(value) if kind == "float" else value
    if kind == "str":
        choices = CHOICES.get(name)
        if not isinstance(value, str) or (choices and value not in choices):
            allowed = f" (one of {', '.join(choices)})" if choices else ""
            raise InvalidParameterError(f"policy: {path} must be a string{allowed}, got {_shown(value)}")
        return value
    if name == "candidates":
        ok = isinstance(value, dict) and all(
            k in ("pre", "in", "post") and isinstance(v, list) and all(isinstance(x, str) for x in v)
            for k, v in value.items())
        if not ok:
            raise InvalidParameterError(f"policy: candidates must map pre/in/post to lists of technique keys, "
                                        f"got {_shown(value)}")
        return value
    if name == "params":
        if not (isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, dict) for k, v in value.items())):
            raise InvalidParameterError(f"policy: params must map technique keys to parameter mappings, "
                                        f"got {_shown(value)}")
        return value
    raise InvalidParameterError(f"policy: {path} has an unsupported type {kind}")  # pragma: no cover
