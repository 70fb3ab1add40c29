"""``fairmend monitor --reference F1 --current F2 [--protected A] [--outcome Y] [--predictions COL] [--json]``
compares two tables once; ``fairmend monitor run --config monitor.yml [--as-of DAY] [--json]`` is the
scheduled form (prediction logs, windows, state, alerts; see docs/monitoring.md).

Alerts are data, not errors: both exit 0 whether or not anything drifted (``monitor run`` exits 1 only
when an alert could not be delivered, 2 on a bad config).
"""

from __future__ import annotations

import click

from fairmend.cli._common import echo_json, split_columns


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
@click.option(
    "--engine",
    type=click.Choice(["auto", "pandas", "dask"]),
    default="auto",
    show_default=True,
    help="dask: fairness gaps from per-partition counts, drift on a sample of --sample-rows rows per table "
    "(tables larger than memory); auto: dask from 256 MiB.",
)
@click.option("--scheduler", help="Dask scheduler address (tcp://HOST:8786); default: local threads.")
@click.option(
    "--sample-rows",
    default=200_000,
    show_default=True,
    type=click.IntRange(1_000),
    help="With dask: the drift tests' uniform sample per table.",
)
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
    engine: str,
    scheduler: str | None,
    sample_rows: int,
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

    from fairmend.scale._sources import choose_engine

    engines = {choose_engine(engine, path, scheduler) for path in (reference, current)}
    options = {
        "protected": split_columns(protected),
        "outcome": outcome,
        "predictions": predictions,
        "alpha": alpha,
        "threshold": threshold,
        "seed": seed,
    }
    if "dask" in engines:
        from fairmend.monitoring.compare import compare_partitions

        report = compare_partitions(
            reference, current, scheduler=scheduler, sample_rows=sample_rows, **options
        )
        report["engine"] = "dask"
    else:
        from fairmend.monitoring.compare import monitor_report

        report = {**monitor_report(read_frame(reference), read_frame(current), **options), "engine": "pandas"}
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
