"""``fairmend run KEY --data FILE --protected COL --outcome COL``."""

from __future__ import annotations

import click

from fairmend.cli._common import data_options, echo_json, split_columns
from fairmend.errors import InvalidParameterError


def parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InvalidParameterError(f"--param expects NAME=VALUE, got {pair!r}")
        out[name.strip()] = value.strip()
    return out


@click.command()
@click.argument("key")
@data_options
@click.option("--scores", help="Column of your model's probabilities of the favourable outcome (your model is the baseline).")
@click.option("--predictions", help="Column of your model's decisions (your model is the baseline).")
@click.option("--threshold", default=0.5, show_default=True, type=float, help="Turns --scores into decisions.")
@click.option("--base-model", default="logreg", show_default=True, help="logreg, gbm, rf or a PATH.skops model.")
@click.option("--trust", multiple=True, metavar="TYPE",
              help="Trust this type in the --base-model file beyond fairmend's allow-list (repeatable).")
@click.option("--param", "params", multiple=True, help="Technique parameter NAME=VALUE (repeatable).")
@click.option("--test-size", default=0.3, show_default=True, type=float)
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--output", type=click.Path(file_okay=False), help="Folder for report.json, data and model.")
@click.option("--overwrite", is_flag=True, help="Replace artifacts already in --output.")
@click.option("--use-protected-feature", is_flag=True, help="Let the base model see the protected attribute.")
@click.option("--target-metric", help="Judge the run on this metric instead of the technique's criterion.")
@click.option("--min-improvement", default=0.10, show_default=True, type=float, help="Gate: relative fairness gain.")
@click.option("--max-accuracy-loss", default=0.05, show_default=True, type=float, help="Gate: relative accuracy loss.")
@click.option("--require-significance/--no-require-significance", default=True, show_default=True,
              help="Gate: the improvement's 95% CI must exclude 0; losses beyond budget fail only when significant.")
@click.option("--n-boot", default=1000, show_default=True, type=int,
              help="Paired bootstrap resamples for the 95% CIs and p-values (0: point estimates only).")
@click.option("--n-permutations", default=0, type=int, hidden=True,
              help="Deprecated, no effect: the 95% CI and the p-value come from the same --n-boot paired bootstrap.")
@click.option("--mlflow", "mlflow_log", is_flag=True,
              help="Log the run to MLflow: params, before/after metrics with CIs and p-values, gate, artifacts.")
@click.option("--mlflow-uri", help="MLflow tracking URI (implies --mlflow; default: MLFLOW_TRACKING_URI, else ./mlruns).")
@click.option("--json", "as_json", is_flag=True, help="Print report.json to stdout.")
def run(
    key: str, data: str, protected: str, outcome: str, favourable_label: str | None, scores: str | None,
    predictions: str | None, threshold: float, base_model: str, trust: tuple[str, ...],
    params: tuple[str, ...],
    test_size: float, seed: int, output: str | None, overwrite: bool, use_protected_feature: bool,
    target_metric: str | None, min_improvement: float, max_accuracy_loss: float, require_significance: bool,
    n_boot: int, n_permutations: int, mlflow_log: bool, mlflow_uri: str | None, as_json: bool,
) -> None:
    """Apply technique KEY to your data and show what it changed, with statistics and a gate verdict."""
    from fairmend.cli._progress import progress
    from fairmend.runner import GatePolicy, run_technique

    if mlflow_log or mlflow_uri:
        from fairmend.tracking import require

        mlflow_uri = require(mlflow_uri)
    with progress(f"run {key}", total=4, enabled=not as_json) as step:
        result = run_technique(
            key, data, protected=split_columns(protected), outcome=outcome, base_model=base_model,
            params=parse_params(params), test_size=test_size, seed=seed, output=output, overwrite=overwrite,
            use_protected_feature=use_protected_feature, target_metric=target_metric,
            policy=GatePolicy(min_fairness_improvement=min_improvement, max_accuracy_loss=max_accuracy_loss,
                              require_significance=require_significance),
            n_boot=n_boot, n_permutations=n_permutations, trust=trust, favourable_label=favourable_label,
            scores=scores, predictions=predictions, threshold=threshold, progress=step,
        )
    tracked = None
    if mlflow_uri:
        from fairmend.tracking import log_run

        tracked = log_run(result, uri=mlflow_uri, output=output)
    if as_json:
        echo_json(result.to_dict() | ({"mlflow": tracked} if tracked else {}))
        return
    click.echo(format_result(result))
    if tracked:
        click.echo(f"mlflow: run {tracked['run_id']} logged to {tracked['tracking_uri']}")


def _num(x: float, *, sign: bool = False) -> str:
    """Four decimals for rates and scores; four significant digits for large values (regression)."""
    spec = ("+" if sign else "") + (".4f" if abs(x) < 1000 else ".4g")
    return format(x, spec)


def format_result(result) -> str:  # type: ignore[no-untyped-def]
    import numpy as np

    lines = [f"{result.technique} ({result.stage}) on {result.dataset['n_rows']} rows"]
    if result.analysis is not None:
        import json

        lines.append(json.dumps(result.analysis["summary"], indent=2, default=str))
    else:
        lines.append(f"{'metric':<32}{'before':>11}{'after':>11}{'delta':>11}   95% CI of delta         p    p(BH)")
        for name, c in result.change.items():
            ci = c.get("ci95")
            ci_txt = f"[{ci[0]:+.4f}, {ci[1]:+.4f}]" if ci else " " * 18
            p, q = c.get("p_value"), c.get("p_value_bh")
            mark = " <- target" if name == result.target_metric else ""
            signed = c.get("after_signed")
            if signed is not None and np.isfinite(signed) and not np.isclose(signed, c["after"]):
                mark += f" (gap reversed: {signed:+.4f} in the baseline's group order)"
            lines.append(
                f"{name:<32} {_num(c['before']):>10} {_num(c['after']):>10} {_num(c['delta'], sign=True):>10}   {ci_txt}"
                f"  {'' if p is None else f'{p:.4f}':>6}  {'' if q is None else f'{q:.4f}':>6}{mark}"
            )
        if any(c.get("estimand") for c in result.change.values()):
            lines.append("delta, CI and p come from one paired bootstrap (p < 0.05 exactly when the CI excludes 0); "
                         "p(BH): Benjamini-Hochberg over the metrics; delta is the change of:")
            lines += [f"  {m}: {c['estimand']}" for m, c in result.change.items() if c.get("estimand")]
        verdict = "PASSED" if result.gate.passed else "FAILED"
        lines.append(f"gate {verdict}:")
        lines += [f"  - {r}" for r in result.gate.reasons]
    lines += [f"note: {n}" for n in result.notes]
    for name, path in result.artifacts.items():
        lines.append(f"wrote {name}: {path}")
    return "\n".join(lines)
