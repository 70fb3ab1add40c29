"""The monitoring report: ``report.html`` (self-contained: inline SVG and CSS, no script) with trend
charts over every window judged so far, and ``summary.json``; both written atomically."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from html import escape
from pathlib import Path
from typing import Any

from fairmend.report import svg

CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#222}"
    "table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;"
    "text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}.alert{color:#b00020;"
    "font-weight:bold}.figure{max-width:100%;height:auto}.note{color:#555}"
)


def _day(v: float) -> str:
    return dt.date.fromordinal(round(v)).isoformat()


def _ordinal(window_end: str) -> float:
    return float(dt.datetime.fromisoformat(window_end).date().toordinal())


SIDES = {
    ("weekly", "value"): "last week",
    ("weekly", "reference"): "week before",
    ("long", "value"): "long window",
    ("long", "reference"): "reference period",
}
TITLES = {"dp_gap": "Demographic-parity gap per window", "eo_gap": "Equal-opportunity gap per window"}


def trend_charts(history: list[dict[str, Any]]) -> list[str]:
    """Each fairness gap per window end (both sides of each comparison), and the drift tests' smallest
    p-value per window end (as −log10)."""
    gaps: dict[str, dict[str, list[tuple[float, float]]]] = defaultdict(lambda: defaultdict(list))
    drift: dict[str, dict[float, float]] = defaultdict(dict)
    for r in history:
        x = _ordinal(r["window_end"])
        if r["metric"].startswith("fairness:"):
            for side in ("value", "reference"):
                if (r["comparison"], side) in SIDES:
                    gaps[r["metric"].split(":", 1)[1]][SIDES[r["comparison"], side]].append((x, _f(r[side])))
        elif r["metric"].startswith("drift:") and r["p_value"] is not None and r["metric"] != "drift:mmd":
            score = -math.log10(max(float(r["p_value"]), 1e-300))
            drift[r["comparison"]][x] = max(drift[r["comparison"]].get(x, 0.0), score)
    charts = [
        svg.line_chart(
            TITLES.get(m, m),
            dict(series),
            "window end (UTC)",
            "gap (max − min rate)",
            f"fig-trend-{m}",
            x_text=_day,
        )
        for m, series in gaps.items()
    ]
    charts.append(
        svg.line_chart(
            "Strongest drift per window",
            {f"{k} window": sorted(v.items()) for k, v in drift.items()},
            "window end (UTC)",
            "−log10 smallest p-value",
            "fig-trend-drift",
            x_text=_day,
        )
    )
    return charts


def _f(v: Any) -> float:
    return float("nan") if v is None else float(v)


def _cusum_chart(seq: dict[str, Any]) -> str:
    series = {}
    for g, r in seq["groups"].items():
        series[f"{g}: max(S+, S−), h = {r['h']:.2f}"] = [
            (float(dt.date.fromisoformat(p["date"]).toordinal()), max(p["s_hi"], p["s_lo"]))
            for p in r["path"]
        ]
    first = next(iter(seq["groups"].values()), None)
    limit = None if first is None or len(seq["groups"]) > 1 else (first["h"], "alarm threshold h")
    return svg.line_chart(
        "Sequential test (CUSUM) over the long window",
        series,
        "day (UTC)",
        "CUSUM statistic",
        "fig-cusum",
        x_text=_day,
        limit=limit,
    )


def _table(head: list[str], rows: list[list[str]]) -> str:
    return (
        "<table><tr>"
        + "".join(f"<th>{escape(h)}</th>" for h in head)
        + "</tr>"
        + "".join("<tr>" + "".join(rows_cell for rows_cell in r) + "</tr>" for r in rows)
        + "</table>"
    )


def _td(v: Any, *, alert: bool = False, num: bool = False) -> str:
    text = f"{v:.4g}" if isinstance(v, float) else str(v)
    cls = " ".join(c for c in ("num" if num else "", "alert" if alert else "") if c)
    return f'<td class="{cls}">{escape(text)}</td>' if cls else f"<td>{escape(text)}</td>"


def render(summary: dict[str, Any], history: list[dict[str, Any]]) -> str:
    parts = [
        (
            f"<h1>Fairness and drift monitoring</h1><p>Windows ending {escape(summary['window_end'][:10])} "
            f"(00:00 UTC); {summary['n_rows']} logged predictions read; config {escape(summary['config'])}.</p>"
        )
    ]
    parts += [f'<p class="note">{escape(n)}</p>' for n in summary["notes"]]
    findings = summary["findings"]
    alerts = summary["alerts"]
    parts.append(f"<h2>Findings ({len(findings)})</h2>")
    if findings:
        parts.append(
            "<ul>" + "".join(f'<li class="alert">{escape(f["message"])}</li>' for f in findings) + "</ul>"
        )
        parts.append(
            "<h3>Next steps</h3><ul>"
            + "".join(f"<li><code>{escape(s)}</code></li>" for s in summary["next_steps"])
            + "</ul>"
        )
    else:
        parts.append("<p>Nothing fired.</p>")
    sent = "; ".join(f"{c}: {len(t)} sent" for c, t in alerts["sent"].items()) or (
        "none sent" if alerts["channels"] else "no alert channel configured"
    )
    held = "; ".join(f"{c}: {len(t)} already delivered" for c, t in alerts["suppressed"].items())
    parts.append(f"<p>Alerts: {escape(sent)}{escape('; ' + held) if held else ''}.</p>")
    parts.append("<h2>Trends</h2>" + "".join(trend_charts(history)))
    seq = summary["sequential"]
    if seq and "groups" in seq:
        parts.append(_cusum_chart(seq))
    elif seq:
        parts.append(f'<p class="note">Sequential test: {escape(seq["skipped"])}</p>')
    for comp in summary["comparisons"]:
        parts.append(
            f"<h2>{escape(comp['name'])}: {escape(comp['current']['days'])} vs "
            f"{escape(comp['reference']['days'])}</h2><p>{comp['n_current']} rows vs {comp['n_reference']}.</p>"
        )
        if "skipped" in comp:
            parts.append(f'<p class="note">Not judged: {escape(comp["skipped"])}</p>')
            continue
        if "fairness" in comp:
            parts.append(
                _table(
                    ["metric", "reference", "current", "change", "95% CI of change"],
                    [
                        [
                            _td(m),
                            _td(v["reference"], num=True),
                            _td(v["current"], num=True),
                            _td(v["change"], num=True, alert=v["alert"] and v["change"] > 0),
                            _td(f"{v['ci_low']:+.3f} to {v['ci_high']:+.3f}", num=True),
                        ]
                        for m, v in comp["fairness"]["metrics"].items()
                    ],
                )
            )
        parts.append(
            _table(
                ["column", "test", "statistic", "p-value", "PSI"],
                [
                    [
                        _td(r["column"]),
                        _td(r["test"]),
                        _td(r["statistic"], num=True),
                        _td(r["p_value"], num=True, alert=bool(r["alert"])),
                        _td(r["psi"], num=True),
                    ]
                    for r in comp["drift"]
                ],
            )
        )
        parts += [f'<p class="note">{escape(n)}</p>' for n in comp["notes"]]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        'content="width=device-width, initial-scale=1"><title>fairmend monitoring</title>'
        f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>\n"
    )


def write_report(summary: dict[str, Any], history: list[dict[str, Any]], out_dir: Path) -> dict[str, str]:
    from fairmend.io import write_atomic, write_json_atomic

    paths = {"report_html": str(write_atomic(out_dir / "report.html", render(summary, history)))}
    paths["summary_json"] = str(out_dir / "summary.json")
    write_json_atomic(out_dir / "summary.json", {**summary, "report": paths})
    return paths
