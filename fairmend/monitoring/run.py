"""One scheduled monitoring run: read the logs, judge the windows, remember, alert once, report.

:func:`run_monitor` is what ``fairmend monitor run --config monitor.yml`` calls. It is idempotent: the
windows depend only on ``as_of``'s day, results are stored per window, and an alert already delivered
for a window (or within ``alerts.repeat_days`` of it) is suppressed, so cron may run it as often as it
likes. Alerts are data: a run that finds problems completes normally; only a failed delivery is an
error (listed under ``delivery_errors``; it is retried on the next run).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from fairmend.errors import ColumnNotFoundError, DataError
from fairmend.monitoring import counted
from fairmend.monitoring import windows as W
from fairmend.monitoring.config import MonitorConfig
from fairmend.monitoring.judge import LABEL, PRED, judge

NEVER = 10**6  # a sequential alarm is reported once, whatever repeat_days says


def _prepare(frame: pd.DataFrame, cfg: MonitorConfig) -> list[str]:
    """Check the config's columns against the logs; the columns tested for drift."""
    ts = cfg["source"]["timestamp"]
    for col in [*cfg["protected"], cfg["predictions"], cfg["outcome"], *(cfg["features"] or [])]:
        if col is not None and col not in frame.columns:
            raise ColumnNotFoundError(f"column {col!r} (config) is not in the prediction logs")
    return cfg["features"] or [c for c in frame.columns if c not in (ts, cfg["outcome"])]


def _sequential(
    cfg: MonitorConfig, table: pd.DataFrame, since: pd.Timestamp, comps: list[W.Comparison]
) -> dict[str, Any] | None:
    """The CUSUM of the long window from the per-day count table (:mod:`fairmend.monitoring.counted`)."""
    from fairmend.catalog.contracts import group_labels
    from fairmend.monitoring.counted import DAYCOL, N, window_table
    from fairmend.monitoring.sequential import run_sequential

    seq = cfg["sequential"]
    long = next((c for c in comps if c.name == "long"), None)
    if seq["method"] == "none":
        return None
    if long is None:
        return {"skipped": "the sequential test needs a reference period (windows.reference_start/_end)"}
    ref, now = window_table(table, since, long.reference), window_table(table, since, long.current)
    n_ref = int(ref[N].sum())
    if n_ref < cfg["windows"]["min_rows"] or len(set(group_labels(ref[cfg["protected"]]))) < 2:
        return {"skipped": f"too few rows or groups in the reference period ({n_ref} rows)"}
    offset = int((long.current.start - since) / W.DAY)
    return run_sequential(
        groups_ref=group_labels(ref[cfg["protected"]]),
        fav_ref=ref[PRED].to_numpy(float),
        groups_now=group_labels(now[cfg["protected"]]),
        fav_now=now[PRED].to_numpy(float),
        days=(now[DAYCOL] - offset).to_numpy(dtype=int),
        window=long.current,
        k=seq["k"],
        alpha=seq["alpha"],
        min_group_rows=cfg["windows"]["min_group_rows"],
        weights_ref=ref[N].to_numpy(float),
        weights_now=now[N].to_numpy(float),
    )


def _sequential_findings(seq: dict[str, Any] | None, protected: list[str]) -> tuple[list[dict], list[dict]]:
    rows: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    if not seq or "skipped" in seq:
        return rows, findings
    for g, r in seq["groups"].items():
        top = max(r["path"][-1]["s_hi"], r["path"][-1]["s_lo"]) if r["path"] else 0.0
        rows.append(
            {
                "comparison": "sequential",
                "metric": f"cusum:{g}",
                "value": top,
                "reference": r["h"],
                "alert": r["alert"],
            }
        )
        if r["alert"]:
            findings.append(
                {
                    "topic": f"sequential|cusum:{g}|alarm={r['alarm_date']}",
                    "kind": "sequential",
                    "comparison": "long",
                    "metric": f"cusum:{g}",
                    "repeat_days": NEVER,
                    "message": (
                        f"sequential test (two-sided CUSUM, false-alarm rate {seq['alpha']:g} over the "
                        f"{seq['window']['days']} window): the favourable-decision rate of "
                        f"{', '.join(protected)} = {g} relative to the other rows {r['direction']}d; alarm on "
                        f"{r['alarm_date']}, change estimated from {r['change_date']}"
                    ),
                }
            )
    return rows, findings


def next_steps(
    cfg: MonitorConfig,
    findings: list[dict[str, Any]],
    extracts: dict[str, dict[str, str]],
    labelled: frozenset[str] = frozenset(),
) -> list[str]:
    """Commands to run next, on the window extracts written beside the report (``fairmend audit`` only on
    a window whose rows all have their label: the comparisons named in ``labelled``)."""
    steps: list[str] = []
    kinds = {f["kind"] for f in findings}
    prot = ",".join(cfg["protected"])
    comp = next((f["comparison"] for f in findings if f["comparison"] in extracts), None)
    if comp is not None:
        cur, ref = extracts[comp]["current"], extracts[comp]["reference"]
        if kinds & {"fairness", "sequential"} and cfg["outcome"] and comp in labelled:
            steps.append(
                f"Audit the recent decisions with intervals: fairmend audit --data {cur} --protected {prot} "
                f"--outcome {cfg['outcome']} --predictions {cfg['predictions']}"
            )
        steps.append(
            f"Compare the windows column by column: fairmend monitor --reference {ref} --current {cur} "
            f"--protected {prot} --predictions {cfg['predictions']}"
        )
    if kinds & {"fairness", "sequential"}:
        steps.append(
            'Choose a mitigation for the deployed model: fairmend recommend "deployed model, '
            'demographic parity gap grew in production, cannot retrain"'
        )
        if cfg["outcome"]:
            steps.append(
                f"Once the recent rows are labelled, rerun the gated workflow on them: fairmend pipeline "
                f"--data <labelled rows> --protected {prot} --outcome {cfg['outcome']}"
            )
    if "drift" in kinds:
        steps.append(
            "The inputs drifted: check the upstream data, then re-validate the model on recent labelled "
            "rows (fairmend check --config .fairness-lint.yml)"
        )
    return steps


def _extracts(
    frame: pd.DataFrame,
    cfg: MonitorConfig,
    comps: list[W.Comparison],
    end: pd.Timestamp,
    findings: list[dict[str, Any]],
) -> dict[str, dict[str, str]]:
    from fairmend.io import write_parquet_atomic

    ts = cfg["source"]["timestamp"]
    out: dict[str, dict[str, str]] = {}
    original = [
        c for c in frame.columns if c not in (PRED, LABEL, ts)
    ]  # the rows as `fairmend audit` reads them
    folder = Path(cfg["output"]) / "windows" / str(end.date())
    for comp in comps:
        if not any(f["comparison"] == comp.name for f in findings):
            continue
        out[comp.name] = {}
        for side, window in (("current", comp.current), ("reference", comp.reference)):
            path = folder / f"{comp.name}-{side}.parquet"
            write_parquet_atomic(path, W.rows_in(frame, ts, window)[original])
            out[comp.name][side] = str(path)
    return out


def run_monitor(
    cfg: MonitorConfig,
    *,
    as_of: str | None = None,
    send: bool = True,
    engine: str | None = None,
    scheduler: str | None = None,
) -> dict[str, Any]:
    """Judge the windows ending at ``as_of``'s day, deliver new alerts, write the report; the summary.

    ``engine`` / ``scheduler`` override the config's ``engine`` / ``scheduler``: with Dask the fairness
    gaps and the sequential test come from per-day count tables summed over the log partitions, the
    drift tests from a sample of at most ``drift_sample_rows`` rows per window."""
    from fairmend.monitoring.alerts import CHANNELS, compose
    from fairmend.monitoring.report import write_report
    from fairmend.monitoring.sources import load_logs
    from fairmend.monitoring.state import State

    moment = W.parse_as_of(as_of)
    end = W.window_end(moment)
    comps, notes = W.comparisons(
        moment,
        recent_days=cfg["windows"]["recent_days"],
        long_days=cfg["windows"]["long_days"],
        reference=cfg.reference_period,
    )
    ts = cfg["source"]["timestamp"]
    since = W.earliest(comps)
    engine, scheduler = counted.choose(cfg, engine, scheduler)
    spans = sorted({w for c in comps for w in (c.reference, c.current)}, key=lambda w: (w.start, w.end))
    frame = None
    if engine == "pandas":
        frame = load_logs(cfg["source"], since=since, until=end)
        if frame.empty:
            raise DataError(f"the prediction logs have no rows between {since.date()} and {end.date()}")
        features = _prepare(frame, cfg)
        raw = counted.day_counts(frame, ts, counted.keys_of(cfg), since, end)
        rows_of = {w: W.rows_in(frame, ts, w) for w in spans}
        notes = list(notes)
    else:
        columns = counted.header(cfg)
        features = cfg["features"] or [c for c in columns if c not in (ts, cfg["outcome"])]
        raw, rows_of = counted.scan(cfg, since, end, spans, features, scheduler)
        notes = [*notes, *counted.sampled(rows_of, raw, since, cfg["drift_sample_rows"])]
    n_rows = int(raw[counted.N].sum())
    if n_rows == 0:
        raise DataError(f"the prediction logs have no rows between {since.date()} and {end.date()}")
    table = counted.prepare_table(raw, cfg)
    judged = [
        judge(
            c,
            counted.window_table(table, since, c.reference),
            counted.window_table(table, since, c.current),
            cfg,
            features,
            (rows_of[c.reference], rows_of[c.current]),
        )
        for c in comps
    ]
    seq = _sequential(cfg, table, since, comps)
    seq_rows, seq_findings = _sequential_findings(seq, cfg["protected"])
    findings = [f for j in judged for f in j.pop("findings")] + seq_findings
    rows = [r for j in judged for r in j.pop("rows")] + seq_rows
    extracts = {}
    if findings and frame is not None:
        extracts = _extracts(frame, cfg, comps, end, findings)
    elif findings:
        extracts = counted.write_extracts(cfg, comps, end, findings, scheduler)
    labelled = frozenset(j["name"] for j in judged if "eo_gap" in j.get("fairness", {}).get("metrics", {}))
    steps = next_steps(cfg, findings, extracts, labelled)
    report_path = Path(cfg["output"]) / "report.html"
    channels = {
        k: v for k, v in (("email", cfg["alerts"]["email"]), ("webhook", cfg["alerts"]["webhook"])) if v
    }
    sent: dict[str, list[str]] = {}
    suppressed: dict[str, list[dict[str, str]]] = {}
    errors: list[str] = []
    end_text = end.isoformat()
    with State.open(cfg["state"]) as state:
        run_id = state.start_run(moment.isoformat(), end_text, n_rows)
        state.record_results(run_id, end_text, rows)
        with state.transaction():
            for channel, settings in channels.items():
                new = []
                for f in findings:
                    earlier = state.delivered(
                        f["topic"], channel, end_text, f.get("repeat_days", cfg["alerts"]["repeat_days"])
                    )
                    if earlier is None:
                        new.append(f)
                    else:
                        suppressed.setdefault(channel, []).append(
                            {"topic": f["topic"], "delivered_for": earlier}
                        )
                if not new or not send:
                    continue
                subject, body = compose(
                    new, window_end=end_text, steps=steps, report=str(report_path), source=cfg.source
                )
                try:
                    CHANNELS[channel](settings, f"{cfg['alerts']['subject_prefix']} {subject}", body)
                except Exception as exc:  # noqa: BLE001 - AlertDeliveryError, or a config error of the channel
                    errors.append(f"{channel}: {exc}")
                    continue
                state.mark_sent([f["topic"] for f in new], channel, end_text, run_id, body)
                sent[channel] = [f["topic"] for f in new]
        n_suppressed = sum(len(v) for v in suppressed.values())
        state.finish_run(
            run_id,
            n_findings=len(findings),
            n_sent=sum(len(v) for v in sent.values()),
            n_suppressed=n_suppressed,
            status="delivery failed" if errors else "ok",
        )
        history = state.history()
    summary = {
        "config": cfg.source,
        "as_of": moment.isoformat(),
        "window_end": end_text,
        "n_rows": n_rows,
        "engine": engine,
        "run_id": run_id,
        "notes": notes,
        "comparisons": judged,
        "sequential": seq,
        "findings": findings,
        "alerts": {"channels": sorted(channels), "sent": sent, "suppressed": suppressed, "dry_run": not send},
        "delivery_errors": errors,
        "next_steps": steps,
        "extracts": extracts,
        "state": cfg["state"],
    }
    summary["report"] = write_report(summary, history, Path(cfg["output"]))
    return summary
