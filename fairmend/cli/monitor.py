"""``fairmend monitor --reference F1 --current F2 [--protected A] [--outcome Y] [--predictions COL] [--json]``
compares two tables once; ``fairmend monitor run --config monitor.yml [--as-of DAY] [--json]`` is the
scheduled form (prediction logs, windows, state, alerts; see docs/monitoring.md).

Alerts are data, not errors: both exit 0 whether or not anything drifted (``monitor run`` exits 1 only
when an alert could not be delivered, 2 on a bad config).
"""

from __future__ import annotations

from typing import Any

import click

from fairmend.cli._common import echo_json, split_columns


def monitor_report(
    reference: Any,
    current: Any,
    *,
    protected: list[str],
    outcome: str | None,
    predictions: str | None,
    alpha: float = 0.05,
    threshold: float = 0.05,
    seed: int = 0,
) -> dict[str, Any]:
    """Feature drift table (KS / chi-square / PSI), MMD and, with a protected attribute, fairness drift."""
    from fairmend.catalog.techniques.monitoring.drift import MMDDriftTest, drift_table
    from fairmend.catalog.techniques.monitoring.fairness import FairnessMetricMonitoring
    from fairmend.errors import ColumnNotFoundError

    for col in [*protected, outcome, predictions]:
        for name, frame in (("reference", reference), ("current", current)):
            if col is not None and col not in frame.columns:
                raise ColumnNotFoundError(f"column {col!r} is not in the {name} data")
    columns = [c for c in current.columns if c in reference.columns]
    table = drift_table(reference, current, columns, alpha)
    mmd = MMDDriftTest(reference=reference, columns=",".join(columns), seed=seed).run(current).summary
    report: dict[str, Any] = {
        "n_reference": len(reference),
        "n_current": len(current),
        "alpha": alpha,
        "drift": table.to_dict(orient="records"),
        "mmd": mmd,
        "alerts": [f"drift:{c}" for c in table.loc[table["alert"], "column"]]
        + (["drift:mmd"] if mmd["alert"] else []),
    }
    if protected and (outcome or predictions):
        fair = FairnessMetricMonitoring(reference=reference, threshold=threshold, seed=seed).run(
            current, protected=protected, outcome=outcome, predictions=predictions
        )
        report["fairness"] = fair.summary
        report["alerts"] += [f"fairness:{m}" for m in fair.summary["alerts"]]
    report["any_alert"] = bool(report["alerts"])
    return report


@click.group(invoke_without_command=True)
@click.option("--reference", help="Reference data: a file, a glob or a folder of Parquet/CSV partitions.")
@click.option("--current", help="Current data: a file, a glob or a folder of Parquet/CSV partitions.")
@click.option("--protected", help="Protected attribute column(s), comma-separated.")
@click.option("--outcome", help="Outcome column.")
@click.option("--predictions", help="Predictions column.")
@click.option(
    "--alpha", default=0.05, show_default=True, type=float, help="Family-wise level of the drift tests."
)
@click.option(
    "--threshold", default=0.05, show_default=True, type=float, help="Fairness-gap change that alerts."
)
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def monitor(
    ctx: click.Context,
    reference: str | None,
    current: str | None,
    protected: str | None,
    outcome: str | None,
    predictions: str | None,
    alpha: float,
    threshold: float,
    seed: int,
    as_json: bool,
) -> None:
    """Compare CURRENT with REFERENCE: feature drift and fairness-metric drift, with alerts.

    `fairmend monitor run --config monitor.yml` monitors prediction logs on a schedule instead."""
    from fairmend.scale._sources import read_frame

    if ctx.invoked_subcommand is not None:
        return
    for name, value in (("--reference", reference), ("--current", current)):
        if value is None:
            raise click.UsageError(f"Missing option '{name}' (or use 'fairmend monitor run --config FILE')")
    assert reference is not None and current is not None

    report = monitor_report(
        read_frame(reference),
        read_frame(current),
        protected=split_columns(protected),
        outcome=outcome,
        predictions=predictions,
        alpha=alpha,
        threshold=threshold,
        seed=seed,
    )
    if as_json:
        echo_json(report)
        return
    lines = [
        f"Reference {report['n_reference']} rows, current {report['n_current']} rows",
        f"{'column':<20} {'test':<10} {'statistic':>10} {'p_value':>10} {'psi':>7}  alert",
    ]
    for r in report["drift"]:
        lines.append(
            f"{r['column']:<20} {r['test']:<10} {r['statistic']:>10.4f} {r['p_value']:>10.3g} "
            f"{r['psi']:>7.3f}  {'ALERT' if r['alert'] else ''}"
        )
    m = report["mmd"]
    lines.append(f"MMD² {m['mmd2']:.5f} (p={m['p_value']:.3g}) {'ALERT' if m['alert'] else ''}")
    for name, v in report.get("fairness", {}).get("metrics", {}).items():
        lines.append(
            f"{name}: {v['reference']:.3f} -> {v['current']:.3f} (change {v['change']:+.3f}, "
            f"95% CI [{v['ci_low']:+.3f}, {v['ci_high']:+.3f}]) {'ALERT' if v['alert'] else ''}"
        )
    lines.append("Alerts: " + (", ".join(report["alerts"]) or "none"))
    click.echo("\n".join(lines))


@monitor.command("run")
@click.option(
    "--config",
    "config_path",
    default="monitor.yml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="YAML file naming the prediction logs, columns, windows, thresholds and alert channels.",
)
@click.option(
    "--as-of", help="Judge the windows ending at this day's start (ISO date or time, UTC; default: now)."
)
@click.option("--dry-run", is_flag=True, help="Judge, record and report, but send no alert.")
@click.option(
    "--engine",
    type=click.Choice(["auto", "pandas", "dask"]),
    help="Override the config's engine: dask judges the fairness gaps from per-day counts of each log "
    "partition (logs larger than memory), drift on a sample; auto: dask from 256 MiB of logs.",
)
@click.option("--scheduler", help="Dask scheduler address (tcp://HOST:8786); default: local threads.")
@click.option("--json", "as_json", is_flag=True, help="Print the run's summary as JSON.")
@click.pass_context
def run(
    ctx: click.Context,
    config_path: str,
    as_of: str | None,
    dry_run: bool,
    engine: str | None,
    scheduler: str | None,
    as_json: bool,
) -> None:
    """Scheduled monitoring of prediction logs: windows, drift and fairness tests, alerts sent once, a trend report."""
    from fairmend.monitoring import load_config, run_monitor

    summary = run_monitor(
        load_config(config_path), as_of=as_of, send=not dry_run, engine=engine, scheduler=scheduler
    )
    if as_json:
        echo_json(summary)
    else:
        for comp in summary["comparisons"]:
            state = comp.get("skipped") or f"{comp['n_current']} rows vs {comp['n_reference']}"
            click.echo(f"{comp['name']}: {comp['current']['days']} vs {comp['reference']['days']}: {state}")
        for note in summary["notes"]:
            click.echo(f"note: {note}")
        for f in summary["findings"]:
            click.echo(f"ALERT  {f['message']}")
        alerts = summary["alerts"]
        for channel in alerts["channels"]:
            click.echo(
                f"{channel}: {len(alerts['sent'].get(channel, []))} finding(s) sent, "
                f"{len(alerts['suppressed'].get(channel, []))} already delivered"
            )
        click.echo(f"wrote report: {summary['report']['report_html']}")
    if summary["delivery_errors"]:
        for e in summary["delivery_errors"]:
            click.echo(f"Error: alert not delivered ({e}); it is retried on the next run", err=True)
        ctx.exit(1)
