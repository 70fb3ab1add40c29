"""``fairmend audit --data FILE --protected A[,B] --outcome Y (--predictions COL | --model PATH.skops)``."""

from __future__ import annotations

import math
from typing import Any

import click
import numpy as np

from fairmend.cli._common import data_options, echo_json, split_columns
from fairmend.errors import ColumnNotFoundError, InvalidParameterError, LabelError
from fairmend.engine.user_model import model_predictions, probability_column, to_binary


def _fmt(v: Any) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else ""
    if isinstance(v, (float, np.floating)):
        return f"{v:.4f}"
    return str(v)


def _table(rows: list[list[Any]], header: list[str]) -> str:
    cells = [header] + [[_fmt(v) for v in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_audit(report: dict[str, Any]) -> str:
    scopes = [(f"attribute {k!r}", v) for k, v in report["per_attribute"].items()]
    if report["intersectional"]:
        scopes.append(("intersection " + " x ".join(report["protected"]), report["intersectional"]))
    out = [f"{report['n_rows']} rows; protected: {', '.join(report['protected'])}"]
    for title, scope in scopes:
        cols = ["group", "n", "base_rate", "selection_rate", "tpr", "fpr", "ppv", "accuracy", "small_group"]
        out += ["", f"Groups ({title})", _table([[g[c] for c in cols] for g in scope["groups"]], cols)]
        rows = [[m, g["value"], g["ci95"][0] if g["ci95"] else None, g["ci95"][1] if g["ci95"] else None,
                 g["p_value"], g.get("p_value_bh"), g.get("max_group"), g.get("min_group")] for m, g in scope["gaps"].items()]
        out += ["", f"Gaps ({title})",
                _table(rows, ["metric", "value", "ci_low", "ci_high", "p", "p_bh", "highest", "lowest"])]
    m = report["overall"]
    perf = ", ".join(f"{k} {m[k]:.4f}" for k in ("accuracy", "balanced_accuracy", "f1", "roc_auc", "brier", "ece") if k in m)
    out += ["", f"Overall: {perf}"]
    return "\n".join(out)


@click.command()
@data_options
@click.option("--predictions", help="Column of the model's predictions.")
@click.option("--scores", help="Column of predicted probabilities of the favourable label.")
@click.option("--model", "model_path", type=click.Path(dir_okay=False), help="A scikit-learn model saved with skops.")
@click.option("--trust", multiple=True, metavar="TYPE",
              help="Trust this type in the --model file beyond fairmend's allow-list (repeatable).")
@click.option("--n-boot", default=1000, show_default=True, type=int, help="Bootstrap resamples (0: no CIs).")
@click.option("--n-permutations", default=2000, show_default=True, type=int, help="Group-permutation resamples (0: no p-values).")
@click.option("--ci-method", default="percentile", show_default=True, type=click.Choice(["percentile", "bca"]))
@click.option("--min-group-size", default=30, show_default=True, type=int, help="Flag smaller groups.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--engine", default="auto", show_default=True, type=click.Choice(["auto", "pandas", "dask"]),
              help="dask: grouped counts per partition, for tables larger than memory; auto: dask from 256 MiB "
                   "of files (--data may be a glob or a folder of Parquet/CSV partitions).")
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler address (tcp://host:8786); default local threads.")
@click.option("--json", "as_json", is_flag=True, help="Print the audit as JSON.")
def audit(data: str, protected: str, outcome: str, predictions: str | None, scores: str | None,
          model_path: str | None, trust: tuple[str, ...], favourable_label: str | None, n_boot: int, n_permutations: int, ci_method: str,
          min_group_size: int, seed: int, engine: str, scheduler: str | None, as_json: bool) -> None:
    """Measure group fairness of predictions: per-group metrics, gaps with CIs and p-values."""
    from fairmend.modelio import load_model
    from fairmend.scale._sources import choose_engine, read_frame
    from fairmend.stats import audit as run_audit
    from fairmend.validation import validate

    if (predictions is None) == (model_path is None):
        raise InvalidParameterError("give exactly one of --predictions COL or --model PATH.skops")
    if scores and model_path:
        raise InvalidParameterError("--scores goes with --predictions; a --model provides its own scores")
    if n_boot < 0 or n_permutations < 0:
        raise InvalidParameterError("--n-boot and --n-permutations must be >= 0")
    columns = split_columns(protected)
    if choose_engine(engine, data, scheduler) == "dask":
        if model_path is not None:
            raise InvalidParameterError("--model needs --engine pandas; on Dask audit a predictions column "
                                        "(fairmend apply RUN_DIR writes one partition by partition)")
        from fairmend.scale.audit import audit_partitions

        report, favourable = audit_partitions(data, columns, outcome, predictions, favourable_label=favourable_label,
                                              scores=scores, scheduler=scheduler, n_boot=n_boot,
                                              n_permutations=n_permutations, seed=seed, ci_method=ci_method,
                                              min_group_size=min_group_size)
        _finish(report, data, outcome, favourable, predictions, scores, model_path, "dask", as_json)
        return
    frame = read_frame(data)
    checked = validate(frame, protected=columns, outcome=outcome, binary_outcome=True,
                       favourable_label=favourable_label, min_group_size=min_group_size)
    favourable = checked.favourable_label
    labels = set(frame[outcome].tolist())
    if predictions is not None:
        for name, role in ((predictions, "predictions"), (scores, "scores")):
            if name is not None and name not in frame.columns:
                raise ColumnNotFoundError(f"{role} column {name!r} not found")
        if frame[predictions].isna().any():
            raise LabelError(f"predictions column {predictions!r} has missing values")
        pred = to_binary(frame[predictions].to_numpy(), favourable, f"predictions column {predictions!r}", labels)
        score = None if scores is None else probability_column(frame, scores, "--scores")
    else:
        model = load_model(model_path, trust=trust)
        pred, score = model_predictions(model, frame, outcome, favourable, labels)
    report = run_audit(checked.y, pred, frame, columns, score=score, n_boot=n_boot, n_permutations=n_permutations,
                       seed=seed, ci_method=ci_method, min_group_size=min_group_size)
    _finish(report, data, outcome, favourable, predictions, scores, model_path, "pandas", as_json)


def _finish(report: dict[str, Any], data: str, outcome: str, favourable: Any, predictions: str | None,
            scores: str | None, model_path: str | None, engine: str, as_json: bool) -> None:
    report["data"] = {"path": str(data), "outcome": outcome, "favourable_label": favourable,
                      "predictions": predictions, "scores": scores, "model": model_path, "engine": engine}
    if as_json:
        echo_json(report)
        return
    click.echo(format_audit(report))
