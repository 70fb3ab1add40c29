"""Tiny dependency-free SVG charts for the self-contained HTML report.

Every chart has a title, a legend band under it (so nothing overlaps the data), axis ticks at even
("nice") steps, and scales down to the page width (``viewBox``, ``max-width: 100%``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

W, H = 560, 330
LEFT, RIGHT, TOP, BOTTOM = 58, 16, 66, 72
COLORS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd")
FRONT, DOMINATED = "#c44e52", "#4c72b0"


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Evenly spaced ticks at 1, 2, 2.5 or 5 times a power of ten, covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = 0.0, 1.0
    if hi <= lo:  # one value: a range around it
        half = abs(hi) * 0.1 or 0.5
        lo, hi = lo - half, hi + half
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw * (1 - 1e-9))
    start = math.floor(lo / step + 1e-9) * step
    count = max(1, math.ceil((hi - start) / step - 1e-9))
    return [round(start + i * step, 10) for i in range(count + 1)]


def tick_text(v: float, ticks: Sequence[float]) -> str:
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    digits = 0
    while digits < 6 and abs(step * 10**digits - round(step * 10**digits)) > 1e-6:
        digits += 1
    return f"{v:.{digits}f}"


@dataclass
class Axes:
    xs: list[float]  # x ticks (first and last are the domain)
    ys: list[float]
    width: float = W
    height: float = H

    def x(self, v: float) -> float:
        lo, hi = self.xs[0], self.xs[-1]
        return LEFT + (v - lo) / (hi - lo) * (self.width - LEFT - RIGHT)

    def y(self, v: float) -> float:
        lo, hi = self.ys[0], self.ys[-1]
        return self.height - BOTTOM - (v - lo) / (hi - lo) * (self.height - BOTTOM - TOP)

    def grid(self, *, x_ticks: bool = True) -> list[str]:
        out = []
        for v in self.ys:
            y = self.y(v)
            out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{self.width - RIGHT}" y2="{y:.1f}" stroke="#e6e6e6"/>')
            out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12">{tick_text(v, self.ys)}</text>')
        if x_ticks:
            for v in self.xs:
                x = self.x(v)
                out.append(f'<line x1="{x:.1f}" y1="{self.height - BOTTOM}" x2="{x:.1f}" y2="{self.height - BOTTOM + 4}" '
                           'stroke="#333"/>')
                out.append(f'<text x="{x:.1f}" y="{self.height - BOTTOM + 17}" text-anchor="middle" '
                           f'font-size="12">{tick_text(v, self.xs)}</text>')
        return out


def _frame(title: str, body: list[str], xlabel: str, ylabel: str, figure_id: str, height: float = H) -> str:
    plot_bottom = H - BOTTOM  # a taller figure keeps its plot on top and a legend below
    return "\n".join([
        (f'<svg class="figure" id="{escape(figure_id)}" xmlns="http://www.w3.org/2000/svg" width="{W}" '
         f'height="{height:.0f}" viewBox="0 0 {W} {height:.0f}" role="img" aria-label="{escape(title)}">'),
        f'<text x="{W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">{escape(title)}</text>',
        *body,
        f'<line x1="{LEFT}" y1="{plot_bottom}" x2="{W - RIGHT}" y2="{plot_bottom}" stroke="#333"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{plot_bottom}" stroke="#333"/>',
        *([(f'<text x="{(LEFT + W - RIGHT) / 2}" y="{plot_bottom + 36}" text-anchor="middle" font-size="12">'
            f'{escape(xlabel)}</text>')] if xlabel else []),
        (f'<text x="14" y="{(TOP + plot_bottom) / 2}" text-anchor="middle" font-size="12" '
         f'transform="rotate(-90 14 {(TOP + plot_bottom) / 2})">{escape(ylabel)}</text>'),
        "</svg>",
    ])


def _legend(items: Sequence[tuple[str, str]], y: float = 38) -> list[str]:
    """A legend centred under the title, wrapping to a second line: (fill attributes, label)."""
    rows: list[list[tuple[str, str, float]]] = [[]]
    for fill, label in items:
        w = 24.0 + 7 * len(label)
        if rows[-1] and sum(r[2] for r in rows[-1]) + w > W - LEFT - RIGHT:
            rows.append([])
        rows[-1].append((fill, label, w))
    out = []
    for k, row in enumerate(rows[:2]):
        x = max(float(LEFT), (W - sum(r[2] for r in row)) / 2)
        for fill, label, w in row:
            out.append(f'<rect x="{x:.1f}" y="{y + 16 * k - 10}" width="12" height="12" {fill}/>'
                       f'<text x="{x + 16:.1f}" y="{y + 16 * k:.1f}" font-size="12">{escape(label)}</text>')
            x += w
    return out


def _wrap(label: str, width: int = 12) -> list[str]:
    if len(label) <= width:
        return [label]
    for sep in ("-", " ", "&"):
        cut = label.rfind(sep, 0, width + 1)
        if cut > 0:
            head, tail = label[:cut + (1 if sep == "-" else 0)].strip(), label[cut + 1:].strip()
            return [head, tail if len(tail) <= width + 2 else tail[:width] + "…"]
    return [label[:width], label[width:2 * width]]


@dataclass(frozen=True)
class Bar:
    value: float
    low: float
    high: float
    judged: bool = True  # False: greyed, the group is too small for this rate


def grouped_bars(title: str, groups: Sequence[str], counts: Sequence[str], series: Mapping[str, Sequence[Bar]],
                 ylabel: str, figure_id: str, xlabel: str) -> str:
    """Bars per group for each series (before/after) with 95 % interval whiskers; unjudged groups greyed."""
    vals = [v for bars in series.values() for b in bars for v in (b.value, b.high) if math.isfinite(v)]
    ax = Axes([0.0, 1.0], nice_ticks(0.0, max(vals + [0.05])))
    body = ax.grid(x_ticks=False)
    slot = (W - LEFT - RIGHT) / max(len(groups), 1)
    width = min(slot * 0.8 / max(len(series), 1), 60)
    items = [(f'fill="{COLORS[j % len(COLORS)]}"', name) for j, name in enumerate(series)]
    if any(not b.judged for bars in series.values() for b in bars):
        items.append(('fill="#999" fill-opacity="0.3"', "pale: too few rows to judge"))
    body += _legend(items)
    for j, (name, bars) in enumerate(series.items()):
        color = COLORS[j % len(COLORS)]
        for i, b in enumerate(bars):
            if not math.isfinite(b.value):
                continue
            x = LEFT + i * slot + (slot - width * len(series)) / 2 + j * width
            y = ax.y(b.value)
            style = f'class="bar" fill="{color}"' if b.judged else f'class="bar small" fill="{color}" fill-opacity="0.3"'
            body.append(f'<rect {style} x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
                        f'height="{ax.y(0) - y:.1f}"><title>{escape(name)}, {escape(groups[i])}: '
                        f'{b.value:.3f} (95% CI {b.low:.3f} to {b.high:.3f})</title></rect>')
            if math.isfinite(b.low) and math.isfinite(b.high):
                cx = x + width / 2
                body.append(f'<line class="ci" x1="{cx:.1f}" y1="{ax.y(b.low):.1f}" x2="{cx:.1f}" '
                            f'y2="{ax.y(b.high):.1f}" stroke="{"#111" if b.judged else "#aaa"}"/>')
    for i, (g, n) in enumerate(zip(groups, counts)):
        x = LEFT + i * slot + slot / 2
        lines = _wrap(g)
        for k, line in enumerate(lines):
            body.append(f'<text x="{x:.1f}" y="{ax.y(0) + 16 + 13 * k:.1f}" text-anchor="middle" '
                        f'font-size="12">{escape(line)}</text>')
        body.append(f'<text x="{x:.1f}" y="{ax.y(0) + 16 + 13 * len(lines):.1f}" text-anchor="middle" '
                    f'font-size="11" fill="#555">{escape(n)}</text>')
    return _frame(title, body, xlabel, ylabel, figure_id)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    on_front: bool
    kind: str = "candidate"  # "baseline", "candidate" or "final"


def _marker(kind: str, cx: float, cy: float, color: str) -> str:
    if kind == "baseline":
        return f'<rect x="{cx - 5:.1f}" y="{cy - 5:.1f}" width="10" height="10" fill="{color}" stroke="#222"/>'
    if kind == "final":
        pts = " ".join(f"{cx + dx:.1f},{cy + dy:.1f}" for dx, dy in ((0, -7), (7, 0), (0, 7), (-7, 0)))
        return f'<polygon points="{pts}" fill="{color}" stroke="#222"/>'
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{color}"/>'


def _overlaps(box: tuple[float, float, float, float], boxes: list[tuple[float, float, float, float]]) -> bool:
    x0, y0, x1, y1 = box
    return any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in boxes)


def scatter_frontier(title: str, points: Sequence[Point], xlabel: str, ylabel: str, figure_id: str) -> str:
    """Numbered points (x = fairness gap, lower is fairer; y = accuracy) with a numbered legend below;
    points on the Pareto frontier are joined."""
    if not points:
        return _frame(title, [f'<text x="{W / 2}" y="{H / 2}" text-anchor="middle">no candidates were tried</text>'],
                      xlabel, ylabel, figure_id)
    xs, ys = [p.x for p in points], [p.y for p in points]
    pad_y = max((max(ys) - min(ys)) * 0.08, 0.005)
    ax = Axes(nice_ticks(0.0, max(xs) * 1.05 + 1e-3), nice_ticks(min(ys) - pad_y, max(ys) + pad_y))
    body = ax.grid()
    body += _legend([(f'fill="{FRONT}"', "on the frontier"), (f'fill="{DOMINATED}"', "dominated"),
                     ('fill="#fff" stroke="#222"', "square: baseline, diamond: final stack")])
    front = sorted([p for p in points if p.on_front], key=lambda p: p.x)
    if len(front) > 1:
        path = " ".join(f"{ax.x(p.x):.1f},{ax.y(p.y):.1f}" for p in front)
        body.append(f'<polyline class="frontier" points="{path}" fill="none" stroke="{FRONT}" stroke-width="1.5"/>')
    taken = [(ax.x(p.x) - 7, ax.y(p.y) - 7, ax.x(p.x) + 7, ax.y(p.y) + 7) for p in points]
    for i, p in enumerate(points, start=1):
        cx, cy = ax.x(p.x), ax.y(p.y)
        color = FRONT if p.on_front else DOMINATED
        body.append(_marker(p.kind, cx, cy, color).replace("/>", f"><title>{escape(p.label)}: gap {p.x:.3f}, "
                                                               f"accuracy {p.y:.3f}</title></{_tag(p.kind)}>", 1))
        text = str(i)
        w = 7 * len(text) + 2
        for dx, dy in ((9, -5), (9, 14), (-9 - w, -5), (-9 - w, 14), (-w / 2, -11), (-w / 2, 22), (16, 4), (-16 - w, 4)):
            box = (cx + dx, cy + dy - 11, cx + dx + w, cy + dy + 1)
            if not _overlaps(box, taken):
                break
        else:
            dx, dy = 9, -5
            box = (cx + dx, cy + dy - 11, cx + dx + w, cy + dy + 1)
        taken.append(box)
        body.append(f'<text class="point-label" x="{cx + dx:.1f}" y="{cy + dy:.1f}" font-size="12" '
                    f'font-weight="bold">{text}</text>')
    y = H - BOTTOM + 56
    for i, p in enumerate(points, start=1):
        lines = _lines(f"{p.label} (gap {p.x:.3f}, accuracy {p.y:.3f})", 74)
        body.append(f'<text x="{LEFT - 18}" y="{y:.1f}" font-size="12" font-weight="bold">{i}</text>')
        for line in lines:
            body.append(f'<text x="{LEFT}" y="{y:.1f}" font-size="12">{escape(line)}</text>')
            y += 16
        y += 3
    return _frame(title, body, xlabel, ylabel, figure_id, height=y)


def _lines(text: str, width: int) -> list[str]:
    """Greedy word wrap."""
    out, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return out + [line] if line else out


def _tag(kind: str) -> str:
    return {"baseline": "rect", "final": "polygon"}.get(kind, "circle")


def reliability(title: str, curves: Mapping[str, Sequence[tuple[float, float]]], figure_id: str) -> str:
    """Reliability diagram: mean predicted probability vs observed rate per bin, one line per group."""
    ticks = nice_ticks(0.0, 1.0)
    ax = Axes(ticks, ticks)
    body = ax.grid()
    body.append(f'<line x1="{ax.x(0)}" y1="{ax.y(0)}" x2="{ax.x(1)}" y2="{ax.y(1)}" stroke="#999" '
                'stroke-dasharray="4 3"/>')
    body += _legend([(f'fill="{COLORS[j % len(COLORS)]}"', name[:22]) for j, name in enumerate(curves)])
    for j, pts in enumerate(curves.values()):
        color = COLORS[j % len(COLORS)]
        coords = [(ax.x(p), ax.y(o)) for p, o in pts]
        if len(coords) > 1:
            body.append(f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in coords)}" fill="none" '
                        f'stroke="{color}" stroke-width="1.5"/>')
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{color}"/>' for x, y in coords]
    return _frame(title, body, "mean predicted probability (dashed: perfect calibration)", "observed favourable rate",
                  figure_id)


def line_chart(title: str, series: Mapping[str, Sequence[tuple[float, float]]], xlabel: str, ylabel: str,
               figure_id: str, *, x_text: Callable[[float], str] | None = None,
               limit: tuple[float, str] | None = None) -> str:
    """One line (with point markers) per series over a shared x axis; ``x_text`` labels the x ticks
    (dates), ``limit`` draws a dashed horizontal line (a threshold) with its label in the legend."""
    pts = [(x, y) for line in series.values() for x, y in line if math.isfinite(y)]
    if not pts:
        return _frame(title, [f'<text x="{W / 2}" y="{H / 2}" text-anchor="middle">no values yet</text>'],
                      xlabel, ylabel, figure_id)
    xs, ys = [p[0] for p in pts], [p[1] for p in pts] + ([limit[0]] if limit else [])
    ax = Axes(nice_ticks(min(xs), max(xs)), nice_ticks(min(0.0, min(ys)), max(ys) * 1.05 if max(ys) > 0 else 1.0))
    body = ax.grid(x_ticks=x_text is None)
    if x_text is not None:
        for i, v in enumerate(ax.xs):
            anchor = "end" if i == len(ax.xs) - 1 and i else "middle"  # the last label stays inside the figure
            body.append(f'<text x="{ax.x(v) + (8 if anchor == "end" else 0):.1f}" y="{H - BOTTOM + 17}" '
                        f'text-anchor="{anchor}" font-size="11">{escape(x_text(v))}</text>')
    items = [(f'fill="{COLORS[j % len(COLORS)]}"', name[:40]) for j, name in enumerate(series)]
    if limit is not None:
        items.append(('fill="#777"', limit[1][:40]))
        y = ax.y(limit[0])
        body.append(f'<line class="limit" x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}" stroke="#777" '
                    'stroke-dasharray="5 4"/>')
    body += _legend(items)
    for j, (name, line) in enumerate(series.items()):
        color = COLORS[j % len(COLORS)]
        coords = [(ax.x(x), ax.y(y), x, y) for x, y in line if math.isfinite(y)]
        if len(coords) > 1:
            body.append(f'<polyline class="trend" points="{" ".join(f"{a:.1f},{b:.1f}" for a, b, _, _ in coords)}" '
                        f'fill="none" stroke="{color}" stroke-width="1.5"/>')
        for a, b, x, y in coords:
            label = x_text(x) if x_text else f"{x:g}"
            body.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3" fill="{color}"><title>{escape(name)}, '
                        f'{escape(label)}: {y:.4g}</title></circle>')
    return _frame(title, body, xlabel, ylabel, figure_id)
