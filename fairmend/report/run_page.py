"""The HTML report of one technique's run: ``report.html`` rendered from the run's ``report.json``.

Self-contained like the pipeline's report (inline CSS, no script, no network) and written for the
same reader: the verdict first, then what changed on the held-out test rows with 95 % intervals and
p-values, the gate's reasons, each group before and after, the notes, the configuration and the
files the run left. It reads only the JSON, so it can be rendered again from a run folder at any time.
"""

from __future__ import annotations

import json
import math
from html import escape
from pathlib import Path
from typing import Any

from fairmend.report.style import CSS, badge
from fairmend.report.text import metric_name, num, p_text, signed

EXTRA_CSS = (
    "dl.kv{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.15em 1em}"
    "dl.kv dt{margin:0}dl.kv dd{margin:0;overflow-wrap:anywhere}"
)
GROUP_RATES = (("selection_rate", "selection rate"), ("tpr", "TPR"), ("fpr", "FPR"), ("accuracy", "accuracy"))


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _fmt(v: Any, digits: int = 3) -> str:
    return num(v, digits) if _finite(v) or v is None else escape(str(v))


def _verdict(report: dict[str, Any]) -> str:
    gate, target = report.get("gate"), report.get("target_metric")
    change = (report.get("change") or {}).get(target or "", {})
    name = metric_name(str(target))
    moved = (
        (
            f" {escape(name[:1].upper() + name[1:])} went from {_fmt(change.get('before'))} to {_fmt(change.get('after'))} "
            "on the held-out test rows."
        )
        if change
        else ""
    )
    if not gate:
        return f'<p class="decision">No gate verdict for this run.{moved}</p>'
    if gate.get("passed"):
        return f'<p class="decision deploy">The change passes the gate.{moved}</p>'
    return f'<p class="decision">The change does not pass the gate.{moved}</p>'


def _direction(improved: Any) -> str:
    if improved is None:
        return badge(None)
    return badge(True, "better") if improved else '<span class="badge none">not better</span>'


def _change_table(change: dict[str, Any]) -> str:
    rows = []
    for metric, c in change.items():
        ci = c.get("ci95")
        ci_text = f"[{signed(ci[0])}, {signed(ci[1])}]" if ci and all(_finite(x) for x in ci) else "n/a"
        p = c.get("p_value")
        p_bh = c.get("p_value_bh")
        p_cell = "n/a" if not _finite(p) else p_text(p) + (f" (BH {p_text(p_bh)})" if _finite(p_bh) else "")
        delta = c.get("delta")
        rows.append(
            f'<tr><td title="{escape(c.get("estimand") or "")}">{escape(metric_name(metric))}</td>'
            f'<td class="num">{_fmt(c.get("before"))}</td><td class="num">{_fmt(c.get("after"))}</td>'
            f'<td class="num">{signed(delta) if _finite(delta) else "n/a"}</td><td class="num">{ci_text}</td>'
            f'<td class="num">{p_cell}</td><td>{_direction(c.get("improved"))}</td></tr>'
        )
    return (
        '<div class="scroll"><table class="claims"><caption>Measured on the held-out test rows; the interval '
        "is the 95 % bootstrap CI of the change, p from a permutation test (BH: Benjamini-Hochberg adjusted)."
        "</caption><thead><tr><th>metric</th><th>before</th><th>after</th><th>change</th><th>95 % CI</th>"
        f"<th>p</th><th>direction</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _gate(gate: dict[str, Any] | None) -> str:
    if not gate:
        return "<p>This run has no gate.</p>"
    items = []
    for reason in gate.get("reasons", []):
        text = str(reason)
        passed = None if not text.endswith(("PASS", "FAIL")) else text.endswith("PASS")
        items.append(
            f"<li>{badge(passed)} {escape(text.removesuffix('PASS').removesuffix('FAIL').strip())}</li>"
        )
    return f'<ul class="more">{"".join(items)}</ul>'


def _groups(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> str:
    if not before:
        return "<p>No per-group rates were recorded.</p>"
    later = {str(g.get("group")): g for g in after or []}
    head = "".join(
        f"<th>{escape(label)} before</th><th>{escape(label)} after</th>" for _, label in GROUP_RATES
    )
    rows = []
    for g in before:
        name = str(g.get("group"))
        post = later.get(name, {})
        cells = "".join(
            f'<td class="num">{_fmt(g.get(k))}</td><td class="num">{_fmt(post.get(k))}</td>'
            for k, _ in GROUP_RATES
        )
        small = ' class="small"' if g.get("small_group") else ""
        rows.append(
            f'<tr{small}><td>{escape(name)}</td><td class="num">{g.get("n", "")}</td>'
            f'<td class="num">{_fmt(g.get("base_rate"))}</td>{cells}</tr>'
        )
    return (
        '<div class="scroll"><table><caption>Held-out test rows; greyed groups are too small to judge.</caption>'
        f"<thead><tr><th>group</th><th>n</th><th>base rate</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _plain(value: Any) -> str:
    """A configuration value as a reader writes it: lists joined, mappings as ``key value``, no Python or JSON."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{str(k).replace('_', ' ')} {_plain(v)}" for k, v in value.items()) or "none"
    return str(value)


def _value(value: Any) -> str:
    """A finding as text: numbers to four significant digits, nested values flattened."""
    if _finite(value) and isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{str(k).replace('_', ' ')} {_value(v)}" for k, v in value.items()) or "none"
    return _plain(value)


def _table(rows: list[dict[str, Any]], limit: int = 50) -> str:
    """Records as an HTML table (the first ``limit`` rows)."""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    head = "".join(f"<th>{escape(str(c).replace('_', ' '))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(_value(row.get(c)))}</td>" for c in columns) + "</tr>"
                   for row in rows[:limit])
    more = f"<p class=note>First {limit} of {len(rows)} rows; report.json holds them all.</p>" if len(rows) > limit else ""
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>{more}'


def _findings(analysis: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Sections of an analysis run (causal, evaluation, monitoring, documentation): its summary and tables."""
    summary = analysis.get("summary") or {}
    items = "".join(f"<dt>{escape(str(k).replace('_', ' '))}</dt><dd>{escape(_value(v))}</dd>" for k, v in summary.items())
    found = [("findings", "Findings", f'<dl class="kv">{items}</dl>' if items else "<p>No summary.</p>")]
    for name, rows in (analysis.get("tables") or {}).items():
        if isinstance(rows, list) and rows:
            found.append((f"table-{escape(str(name))}", str(name).replace("_", " ").capitalize(), _table(rows)))
    return found


def _pairs(mapping: dict[str, Any]) -> str:
    items = "".join(
        f"<dt>{escape(str(key).replace('_', ' '))}</dt><dd>{escape(_plain(value))}</dd>"
        for key, value in mapping.items()
    )
    return f'<dl class="kv">{items}</dl>'


def render_run_html(report: dict[str, Any]) -> str:
    """The page for one run's ``report.json`` content (as ``fairmend run --output`` writes it)."""
    data = dict(report.get("dataset") or {})
    if isinstance(data.get("source"), str):
        data["source"] = Path(data["source"]).name  # a file name, never a server path
    technique, stage = str(report.get("technique", "?")), str(report.get("stage", ""))
    notes = "".join(f"<li>{escape(str(n))}</li>" for n in report.get("notes") or [])
    files = sorted(Path(str(p)).name for p in (report.get("artifacts") or {}).values())
    common = [
        ("notes", "Notes", f'<ul class="more">{notes}</ul>' if notes else "<p>No notes.</p>"),
        ("data", "Data", _pairs(data)),
        ("config", "Configuration", _pairs(report.get("config") or {})),
        ("files", "Files", "<ul class=more>" + "".join(f"<li><code>{escape(f)}</code></li>" for f in files) + "</ul>"),
    ]
    meta = (
        f"{escape(technique)} ({escape(stage.replace('_', '-'))}) on {data.get('n_rows', '?')} rows; protected "
        f"{escape(', '.join(map(str, data.get('protected') or [])))}; outcome {escape(str(data.get('outcome')))}"
    )
    analysis = report.get("analysis")
    if isinstance(analysis, dict) and not report.get("change"):
        verdict = (f'<p class="decision deploy">Analysis by {escape(technique)}: its findings on all '
                   f'{data.get("n_rows", "?")} rows are below; an analysis changes nothing, so there is no gate.</p>')
        return _page(technique, [*_findings(analysis), *common], verdict=verdict, meta=meta)
    sections = [
        ("change", "What changed", _change_table(report.get("change") or {})),
        ("gate", "Gate", _gate(report.get("gate"))),
        ("groups", "Groups", _groups(report.get("groups_before") or [], report.get("groups_after") or [])),
        *common,
    ]
    meta += f"; {data.get('n_test', '?')} held-out test rows"
    return _page(technique, sections, verdict=_verdict(report), meta=meta)


def _page(technique: str, sections: list[tuple[str, str, str]], *, verdict: str, meta: str) -> str:
    nav = "".join(f'<li><a href="#{key}">{escape(title)}</a></li>' for key, title, _ in sections)
    body = "\n".join(
        f'<section id="{key}"><h2>{escape(title)}</h2>{html}</section>' for key, title, html in sections
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>fairmend run report: {escape(technique)}</title><style>{CSS}{EXTRA_CSS}</style></head><body>
<h1>fairmend run report</h1>
{verdict}
<p class="meta">{meta}</p>
<nav><ul>{nav}</ul></nav>
{body}
</body></html>
"""


def write_run_report(out_dir: Path) -> Path:
    """Render ``out_dir/report.json`` into ``out_dir/report.html`` (atomically); returns its path."""
    from fairmend.io import write_atomic

    report = json.loads((out_dir / "report.json").read_text("utf-8"))
    return Path(write_atomic(out_dir / "report.html", render_run_html(report)))
