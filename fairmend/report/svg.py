"""Tiny dependency-free SVG charts for the self-contained HTML report."""

from __future__ import annotations

from html import escape
from typing import Sequence

W, H, PAD = 560, 300, 48
COLORS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd")


def _frame(title: str, body: list[str], xlabel: str, ylabel: str, figure_id: str) -> str:
    return "\n".join([
        f'<svg class="figure" id="{escape(figure_id)}" xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
        f'viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}">',
        f'<text x="{W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - 10}" y2="{H - PAD}" stroke="#333"/>',
        f'<line x1="{PAD}" y1="30" x2="{PAD}" y2="{H - PAD}" stroke="#333"/>',
        f'<text x="{W / 2}" y="{H - 8}" text-anchor="middle" font-size="12">{escape(xlabel)}</text>',
        f'<text x="14" y="{H / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 14 {H / 2})">{escape(ylabel)}</text>',
        *body,
        "</svg>",
    ])


def _scale(v: float, lo: float, hi: float, a: float, b: float) -> float:
    return a if hi == lo else a + (v - lo) / (hi - lo) * (b - a)


def _ticks(lo: float, hi: float, horizontal: bool, n: int = 5) -> list[str]:
    out = []
    for i in range(n + 1):
        v = lo + (hi - lo) * i / n
        if horizontal:
            x = _scale(v, lo, hi, PAD, W - 10)
            out.append(f'<text x="{x:.1f}" y="{H - PAD + 14}" text-anchor="middle" font-size="10">{v:.2f}</text>')
        else:
            y = _scale(v, lo, hi, H - PAD, 30)
            out.append(f'<text x="{PAD - 4}" y="{y + 3:.1f}" text-anchor="end" font-size="10">{v:.2f}</text>')
            out.append(f'<line x1="{PAD}" y1="{y:.1f}" x2="{W - 10}" y2="{y:.1f}" stroke="#eee"/>')
    return out


def grouped_bars(
    title: str, groups: Sequence[str], series: dict[str, Sequence[tuple[float, float, float]]], ylabel: str, figure_id: str
) -> str:
    """Bars per group for each series (e.g. before/after), each value with a (lo, hi) interval."""
    vals = [v for s in series.values() for trip in s for v in trip if v == v]
    hi = max(vals + [0.05]) * 1.1
    body = _ticks(0.0, hi, horizontal=False)
    slot = (W - PAD - 10) / max(len(groups), 1)
    width = slot * 0.8 / max(len(series), 1)
    for j, (name, trips) in enumerate(series.items()):
        color = COLORS[j % len(COLORS)]
        for i, (v, lo, up) in enumerate(trips):
            x = PAD + i * slot + slot * 0.1 + j * width
            y = _scale(v, 0, hi, H - PAD, 30)
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{H - PAD - y:.1f}" fill="{color}">'
                        f'<title>{escape(name)} {escape(groups[i])}: {v:.3f} [{lo:.3f}, {up:.3f}]</title></rect>')
            ylo, yhi = _scale(lo, 0, hi, H - PAD, 30), _scale(up, 0, hi, H - PAD, 30)
            cx = x + width / 2
            body.append(f'<line class="ci" x1="{cx:.1f}" y1="{ylo:.1f}" x2="{cx:.1f}" y2="{yhi:.1f}" stroke="#111"/>')
        body.append(f'<rect x="{W - 150}" y="{30 + 16 * j}" width="10" height="10" fill="{color}"/>'
                    f'<text x="{W - 135}" y="{39 + 16 * j}" font-size="11">{escape(name)}</text>')
    for i, g in enumerate(groups):
        x = PAD + i * slot + slot / 2
        body.append(f'<text x="{x:.1f}" y="{H - PAD + 14}" text-anchor="middle" font-size="9">{escape(g[:18])}</text>')
    return _frame(title, body, "group", ylabel, figure_id)


def scatter_frontier(
    title: str, points: Sequence[tuple[float, float, str, bool]], xlabel: str, ylabel: str, figure_id: str
) -> str:
    """Points (x = fairness gap, lower better; y = accuracy, higher better); frontier points joined."""
    if not points:
        return _frame(title, ['<text x="200" y="150">no candidates were tried</text>'], xlabel, ylabel, figure_id)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    xlo, xhi = 0.0, max(xs) * 1.1 + 1e-3
    ylo, yhi = min(ys) - 0.01, max(ys) + 0.01
    body = _ticks(xlo, xhi, horizontal=True) + _ticks(ylo, yhi, horizontal=False)
    front = sorted([p for p in points if p[3]], key=lambda p: p[0])
    if len(front) > 1:
        path = " ".join(f"{_scale(p[0], xlo, xhi, PAD, W - 10):.1f},{_scale(p[1], ylo, yhi, H - PAD, 30):.1f}" for p in front)
        body.append(f'<polyline class="frontier" points="{path}" fill="none" stroke="#c44e52" stroke-width="1.5"/>')
    for x, y, label, on_front in points:
        cx, cy = _scale(x, xlo, xhi, PAD, W - 10), _scale(y, ylo, yhi, H - PAD, 30)
        color = "#c44e52" if on_front else "#4c72b0"
        body.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{color}"><title>{escape(label)}: gap {x:.3f}, '
                    f'accuracy {y:.3f}</title></circle>')
        body.append(f'<text x="{cx + 7:.1f}" y="{cy - 6:.1f}" font-size="9">{escape(label[:28])}</text>')
    return _frame(title, body, xlabel, ylabel, figure_id)


def reliability(title: str, curves: dict[str, Sequence[tuple[float, float]]], figure_id: str) -> str:
    """Reliability diagram: mean predicted probability vs observed rate per bin, one line per group."""
    body = _ticks(0.0, 1.0, horizontal=True) + _ticks(0.0, 1.0, horizontal=False)
    body.append(f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - 10}" y2="30" stroke="#999" stroke-dasharray="4 3"/>')
    for j, (name, pts) in enumerate(curves.items()):
        color = COLORS[j % len(COLORS)]
        coords = [(_scale(p, 0, 1, PAD, W - 10), _scale(o, 0, 1, H - PAD, 30)) for p, o in pts]
        if len(coords) > 1:
            body.append(f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in coords)}" fill="none" '
                        f'stroke="{color}" stroke-width="1.5"/>')
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{color}"/>' for x, y in coords]
        body.append(f'<rect x="{PAD + 8}" y="{32 + 14 * j}" width="10" height="10" fill="{color}"/>'
                    f'<text x="{PAD + 22}" y="{41 + 14 * j}" font-size="10">{escape(name[:30])}</text>')
    return _frame(title, body, "mean predicted probability", "observed positive rate", figure_id)
