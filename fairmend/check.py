"""``fairmend check``: the fairness gate for CI and pre-commit, driven by a ``.fairness-lint.yml`` file.

The file names the data, the model's outputs and the rules; :func:`load_config` validates it against
:data:`SCHEMA` (an unknown key, a wrong type or an out-of-range value is one
:class:`~fairmend.errors.InvalidParameterError` naming the key), :func:`run_check` audits the model with
:func:`fairmend.stats.audit` and judges every rule. Example::

    data: adult                      # a CSV/Parquet file (relative to this file) or a bundled dataset
    protected: [sex, race]
    outcome: income
    favourable_label: 1
    predictions: pred                # or scores: COL (with threshold), or model: model.skops
    metrics:
      demographic_parity_difference: {max: 0.10, use: ci_upper}
      disparate_impact_ratio: {min: 0.80}
      accuracy: {min: 0.80}
    data_quality:
      min_group_size: 30
      min_group_share: 0.02
      max_missing_share: 0.05
      proxy: {metric: cramers_v, max: 0.5}

A metric rule compares ``use`` (``estimate``, or a bound of the 95 % stratified bootstrap interval,
``ci_upper`` / ``ci_lower``) with ``max`` and/or ``min``, for every protected attribute (and their
intersection with ``intersectional: true``). ``ci_upper`` against a ``max`` is the cautious reading: it
fails unless the data show the gap is below the limit. Performance metrics (accuracy, f1 ...) are judged
once, on all rows, by their estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fairmend.errors import InvalidParameterError

USES = ("estimate", "ci_upper", "ci_lower")
PROXY_METRICS = ("cramers_v", "nmi", "auc")


@dataclass(frozen=True)
class Spec:
    """One key of the config: its kind, closed numeric range or choices, and default."""

    kind: str  # str, columns, scalar, float, int, bool, strlist, rule, metrics, section
    default: Any = None
    range: tuple[float, float] | None = None
    choices: tuple[str, ...] | None = None
    required: bool = False
    section: dict[str, Spec] | None = None


_UNIT = (0.0, 1.0)
PROXY = {
    "metric": Spec("str", "cramers_v", choices=PROXY_METRICS),
    "max": Spec("float", range=_UNIT, required=True),
    "sample": Spec("int", 10_000, range=(100, 10_000_000)),
    "exclude": Spec("strlist", []),
}
DATA_QUALITY = {
    "min_group_size": Spec("int", range=(1, 10_000_000)),
    "min_group_share": Spec("float", range=_UNIT),
    "max_missing_share": Spec("float", range=_UNIT),
    "max_missing_gap": Spec("float", range=_UNIT),
    "proxy": Spec("section", section=PROXY),
}
SCHEMA: dict[str, Spec] = {
    "data": Spec("str", required=True),
    "protected": Spec("columns", required=True),
    "outcome": Spec("str", required=True),
    "favourable_label": Spec("scalar"),
    "model": Spec("str"),
    "trust": Spec("strlist", []),
    "predictions": Spec("str"),
    "scores": Spec("str"),
    "threshold": Spec("float", 0.5, range=(1e-9, 1 - 1e-9)),
    "intersectional": Spec("bool", False),
    "n_boot": Spec("int", 1000, range=(0, 100_000)),
    "n_permutations": Spec("int", 1000, range=(0, 100_000)),
    "seed": Spec("int", 0, range=(0, 2**32 - 1)),
    "metrics": Spec("metrics", {}),
    "data_quality": Spec("section", {}, section=DATA_QUALITY),
}
RULE = {"max": Spec("float", range=(-1e9, 1e9)), "min": Spec("float", range=(-1e9, 1e9)),
        "use": Spec("str", "estimate", choices=USES)}


def _shown(value: Any) -> str:
    return "null" if value is None else f"{value!r} ({type(value).__name__})"


def _bad(path: str, expected: str, value: Any) -> InvalidParameterError:
    return InvalidParameterError(f"config: {path} must be {expected}, got {_shown(value)}")


def _value(path: str, spec: Spec, value: Any) -> Any:
    """``value`` checked against ``spec`` (a one-line error naming ``path`` otherwise)."""
    kind = spec.kind
    if kind in ("section", "metrics"):
        if not isinstance(value, dict):
            raise _bad(path, "a mapping", value)
        if kind == "metrics":
            return {str(k): _mapping(f"{path}.{k}", v, RULE) for k, v in value.items()}
        assert spec.section is not None
        return _mapping(path, value, spec.section)
    if kind == "bool":
        if not isinstance(value, bool):
            raise _bad(path, "true or false", value)
        return value
    if kind in ("int", "float"):
        ok = isinstance(value, int) if kind == "int" else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok or (kind == "float" and not math.isfinite(value)):
            raise _bad(path, "an integer" if kind == "int" else "a number", value)
        lo, hi = spec.range or (-math.inf, math.inf)
        if not lo <= value <= hi:
            raise InvalidParameterError(f"config: {path} must lie in [{lo:g}, {hi:g}], got {value!r}")
        return float(value) if kind == "float" else value
    if kind == "str":
        if not isinstance(value, str) or not value.strip():
            raise _bad(path, "a non-empty string", value)
        if spec.choices and value not in spec.choices:
            raise _bad(path, f"one of {', '.join(spec.choices)}", value)
        return value
    if kind in ("columns", "strlist"):
        items = [value] if kind == "columns" and isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) and v.strip() for v in items) or (
                kind == "columns" and not items):
            raise _bad(path, "a column name or a list of them" if kind == "columns" else "a list of strings", value)
        return list(items)
    if kind == "scalar":
        if not isinstance(value, (str, int, float, bool)):
            raise _bad(path, "a single value", value)
        return value
    raise AssertionError(f"unknown spec kind {kind}")  # pragma: no cover


def _mapping(path: str, raw: Any, schema: dict[str, Spec]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _bad(path, "a mapping", raw)
    prefix = f"{path}." if path else ""
    unknown = sorted(str(k) for k in raw if k not in schema)
    if unknown:
        raise InvalidParameterError(f"config: unknown key {prefix}{unknown[0]} (known: {', '.join(schema)})")
    out: dict[str, Any] = {}
    for name, spec in schema.items():
        if name in raw and raw[name] is not None:
            out[name] = _value(prefix + name, spec, raw[name])
        elif spec.required:
            raise InvalidParameterError(f"config: {prefix}{name} is required")
        elif spec.kind == "section" and spec.default is not None:
            out[name] = _mapping(prefix + name, {}, spec.section or {})
        else:
            out[name] = list(spec.default) if isinstance(spec.default, list) else spec.default
    return out


@dataclass
class CheckConfig:
    """A validated ``.fairness-lint.yml``; paths are resolved against the file's folder."""

    settings: dict[str, Any]
    source: str = "<mapping>"

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["settings"][name]
        except KeyError:
            raise AttributeError(name) from None


def parse_config(raw: Any, *, base: Path | None = None, source: str = "<mapping>") -> CheckConfig:
    """Validate a mapping against :data:`SCHEMA` and the rules' cross-field constraints."""
    from fairmend.metrics import available_metrics
    from fairmend.stats._audit import HEADLINE

    s = _mapping("", raw if raw is not None else {}, SCHEMA)
    if s["model"] and (s["predictions"] or s["scores"]):
        raise InvalidParameterError("config: give model, or predictions and/or scores, not both")
    if s["metrics"] and not (s["model"] or s["predictions"] or s["scores"]):
        raise InvalidParameterError("config: name the model's outputs: model (a .skops file), predictions or scores")
    if s["model"] and not s["model"].endswith(".skops"):
        raise _bad("model", "a .skops file", s["model"])
    known = set(available_metrics(with_scores=True))
    for metric, rule in s["metrics"].items():
        if metric not in known:
            raise InvalidParameterError(f"config: metrics.{metric} is not a metric (known: {', '.join(sorted(known))})")
        if rule["max"] is None and rule["min"] is None:
            raise InvalidParameterError(f"config: metrics.{metric} needs max and/or min")
        if rule["use"] != "estimate" and metric not in HEADLINE:
            raise InvalidParameterError(f"config: metrics.{metric}.use: {rule['use']} needs a confidence interval, "
                                        f"which fairmend computes for {', '.join(HEADLINE)}; use estimate")
        if rule["use"] != "estimate" and s["n_boot"] == 0:
            raise InvalidParameterError(f"config: metrics.{metric}.use: {rule['use']} needs n_boot > 0")
    if not s["metrics"] and not any(v is not None for v in s["data_quality"].values()):
        raise InvalidParameterError("config: no rules: add metrics and/or data_quality")
    if base is not None:
        for key in ("data", "model"):
            if s[key] and not Path(s[key]).is_absolute() and (base / s[key]).exists():
                s[key] = str(base / s[key])
        if s["model"] and not Path(s["model"]).is_absolute():
            s["model"] = str(base / s["model"])
    return CheckConfig(s, source)


def load_config(path: str | Path) -> CheckConfig:
    """Read and validate a ``.fairness-lint.yml`` file (``yaml.safe_load``)."""
    from fairmend.io import read_yaml_mapping

    p = Path(path)
    raw = read_yaml_mapping(p, "config file")
    return parse_config(raw, base=p.resolve().parent, source=str(p))


@dataclass
class CheckResult:
    """Every rule judged: ``checks`` (one dict per rule and scope) and the failures among them."""

    checks: list[dict[str, Any]] = field(default_factory=list)
    n_rows: int = 0
    source: str = ""

    @property
    def passed(self) -> bool:
        return all(c["passed"] for c in self.checks)

    @property
    def failures(self) -> list[str]:
        return [c["message"] for c in self.checks if not c["passed"]]

    def add(self, rule: str, scope: str, value: Any, passed: bool, message: str, **extra: Any) -> None:
        self.checks.append({"rule": rule, "scope": scope, "value": value, "passed": bool(passed),
                            "message": message, **extra})

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "config": self.source, "n_rows": self.n_rows,
                "n_checks": len(self.checks), "n_failed": len(self.failures), "failures": self.failures,
                "checks": self.checks}


def _outputs(cfg: CheckConfig, frame: pd.DataFrame, favourable: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """The model's decisions (0/1, 1 = favourable) and scores, from the columns or the ``.skops`` model."""
    from fairmend.engine.user_model import read_user_outputs
    from fairmend.errors import ColumnNotFoundError

    for key in ("predictions", "scores"):
        if cfg.settings[key] and cfg.settings[key] not in frame.columns:
            raise ColumnNotFoundError(f"config: {key} column {cfg.settings[key]!r} is not in the data {cfg.data}")
    if cfg.model:
        from fairmend.engine.user_model import model_predictions
        from fairmend.modelio import load_model

        model = load_model(cfg.model, trust=cfg.trust)
        return model_predictions(model, frame, cfg.outcome, favourable, set(frame[cfg.outcome].tolist()))
    own = read_user_outputs(frame, scores=cfg.scores, predictions=cfg.predictions, favourable=favourable,
                            outcome=cfg.outcome, threshold=cfg.threshold)
    assert own is not None
    return own.decisions(np.arange(len(frame))), own.scores


def _judge(rule: dict[str, Any], value: float) -> bool:
    return (rule["max"] is None or value <= rule["max"]) and (rule["min"] is None or value >= rule["min"])


def _limits(rule: dict[str, Any]) -> str:
    parts = ([f"<= {rule['max']:g}"] if rule["max"] is not None else []) + (
        [f">= {rule['min']:g}"] if rule["min"] is not None else [])
    return " and ".join(parts)


def _metric_rules(cfg: CheckConfig, report: dict[str, Any], result: CheckResult) -> None:
    from fairmend.metrics import PERFORMANCE_METRICS
    from fairmend.stats._audit import HEADLINE

    scopes = [(f"{a}", s) for a, s in report["per_attribute"].items()]
    if cfg.intersectional and report["intersectional"]:
        scopes.append((" x ".join(report["protected"]), report["intersectional"]))
    for metric, rule in cfg.metrics.items():
        targets = [("all rows", {"metrics": report["overall"], "gaps": {}})] if metric in PERFORMANCE_METRICS else scopes
        for scope, data in targets:
            if metric not in data["metrics"]:
                raise InvalidParameterError(f"config: metrics.{metric} needs scores (a scores column or a model "
                                            "with predict_proba)")
            estimate = float(data["metrics"][metric])
            ci = data["gaps"].get(metric, {}).get("ci95") if metric in HEADLINE else None
            use = rule["use"]
            compared = estimate if use == "estimate" else (ci[1] if use == "ci_upper" else ci[0]) if ci else math.nan
            ok = math.isfinite(compared) and _judge(rule, compared)
            shown = f"{use} {compared:.4f}" + (f" (estimate {estimate:.4f})" if use != "estimate" else "") + (
                f" 95% CI [{ci[0]:.4f}, {ci[1]:.4f}]" if ci else "")
            result.add(metric, scope, compared, ok, f"{metric} [{scope}]: {shown} {'meets' if ok else 'violates'} "
                       f"{_limits(rule)}", kind="metric", use=use, estimate=estimate, ci95=ci,
                       max=rule["max"], min=rule["min"])


def _limit_rule(result: CheckResult, rule: str, scope: str, values: pd.Series, limit: float, *, floor: bool,
                what: str, pct: bool) -> None:
    """Judge every entry of ``values`` (indexed by group, column or (group, column)) against ``limit``."""
    def fmt(v: float) -> str:
        return f"{v:.2%}" if pct else f"{int(v)}"

    def name(key: Any) -> str:
        return f"column {key[1]!r} in group {key[0]}" if isinstance(key, tuple) else str(key)

    bad = values[values < limit] if floor else values[values > limit]
    extreme = float(values.min() if floor else values.max()) if len(values) else 0.0
    listed = ", ".join(f"{name(k)} ({fmt(v)})" for k, v in bad.sort_values(ascending=floor).items())
    bound = f"{'>=' if floor else '<='} {fmt(limit)}"
    result.add(rule, scope, extreme, bad.empty, f"{rule} [{scope}]: {what} {fmt(extreme)}"
               + (f"; violating {bound}: {listed}" if listed else f" ({bound})"), kind="data_quality")


def _group_rules(cfg: CheckConfig, frame: pd.DataFrame, result: CheckResult) -> None:
    dq = cfg.data_quality
    cols = list(cfg.protected)
    scopes = [(c, frame[c].astype(str)) for c in cols]
    if cfg.intersectional and len(cols) > 1:
        scopes.append((" x ".join(cols), frame[cols].astype(str).agg(" & ".join, axis=1)))
    features = [c for c in frame.columns if c not in cols]
    for scope, groups in scopes:
        counts = groups.value_counts()
        if dq["min_group_size"] is not None:
            _limit_rule(result, "min_group_size", scope, counts, dq["min_group_size"], floor=True,
                        what="rows in the smallest group", pct=False)
        if dq["min_group_share"] is not None:
            _limit_rule(result, "min_group_share", scope, counts / counts.sum(), dq["min_group_share"], floor=True,
                        what="smallest group's share of rows", pct=True)
        missing = frame[features].isna().groupby(groups.to_numpy()).mean()  # group x column shares
        if dq["max_missing_share"] is not None:
            _limit_rule(result, "max_missing_share", scope, missing.stack(), dq["max_missing_share"], floor=False,
                        what="highest missing share in a group", pct=True)
        if dq["max_missing_gap"] is not None:
            _limit_rule(result, "max_missing_gap", scope, missing.max() - missing.min(), dq["max_missing_gap"],
                        floor=False, what="largest between-group gap in missing share", pct=True)


def _proxy_rule(cfg: CheckConfig, frame: pd.DataFrame, result: CheckResult) -> None:
    """Proxy strength through the catalog's ``proxy_variable_detection`` (on a sample of ``sample`` rows)."""
    from fairmend.plugins import get_catalog

    rule = cfg.data_quality["proxy"]
    sample = frame.sample(n=rule["sample"], random_state=cfg.seed) if len(frame) > rule["sample"] else frame
    detector = get_catalog().get("proxy_variable_detection").load()(
        metric=rule["metric"], threshold=rule["max"], combined_model=False, seed=cfg.seed,
        exclude=",".join(rule["exclude"]) or None)
    summary = detector.run(sample, protected=cfg.protected, outcome=cfg.outcome).summary
    strength = summary["proxy_strength"]
    # the detector flags a feature reaching the threshold; a rule's max lets it equal the limit
    over = {f: v for f, v in strength.items() if v > rule["max"]}
    listed = ", ".join(f"{f} ({v:.3f})" for f, v in over.items())
    result.add("proxy", ", ".join(cfg.protected), max(strength.values(), default=0.0), not over,
               f"proxy [{rule['metric']}]: " + (f"feature(s) above {rule['max']:g}: {listed}" if over
                                                 else f"no feature above {rule['max']:g}"),
               kind="data_quality", proxies=over, n_rows_tested=len(sample))


def run_check(cfg: CheckConfig) -> CheckResult:
    """Load the data and the model's outputs, audit them and judge every rule of ``cfg``."""
    import warnings

    from fairmend.errors import SmallGroupWarning
    from fairmend.io import read_table
    from fairmend.stats import audit
    from fairmend.validation import validate

    frame = read_table(cfg.data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallGroupWarning)  # judged by min_group_size when the config asks
        checked = validate(frame, protected=cfg.protected, outcome=cfg.outcome, binary_outcome=True,
                           favourable_label=cfg.favourable_label)
    result = CheckResult(n_rows=len(frame), source=cfg.source)
    if cfg.metrics:
        pred, score = _outputs(cfg, frame, checked.favourable_label)
        min_size = cfg.data_quality["min_group_size"] or 30
        report = audit(checked.y, pred, frame, list(cfg.protected), score=score, n_boot=cfg.n_boot,
                       n_permutations=cfg.n_permutations, seed=cfg.seed, min_group_size=min_size)
        _metric_rules(cfg, report, result)
    _group_rules(cfg, frame, result)
    if cfg.data_quality["proxy"] is not None:
        _proxy_rule(cfg, frame.drop(columns=[c for c in (cfg.predictions, cfg.scores) if c]), result)
    return result
