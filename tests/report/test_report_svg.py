"""The report's charts and words, without a pipeline run: even ticks, Pareto labels that do not
overlap, small bars greyed, and Python literals turned into prose."""

from __future__ import annotations

import itertools
import math
import re

import pytest

from fairmend.report import svg
from fairmend.report.text import plain, pretty


@pytest.mark.parametrize("lo,hi", [(0.0, 0.213), (0.76, 0.861), (0.0, 1.0), (0.0, 0.0071), (0.3, 0.3)])
def test_ticks_are_even_and_cover_the_data(lo, hi):
    ticks = svg.nice_ticks(lo, hi)
    steps = {round(b - a, 9) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1 and 3 <= len(ticks) <= 9
    step = steps.pop()
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 6) in (1, 2, 2.5, 5)
    assert ticks[0] <= lo and ticks[-1] >= hi
    labels = [svg.tick_text(t, ticks) for t in ticks]
    assert len(set(labels)) == len(labels)  # no two ticks print alike


def _label_boxes(figure: str) -> list[tuple[float, float, float, float]]:
    boxes = []
    for x, y, text in re.findall(r'<text class="point-label" x="([\d.-]+)" y="([\d.-]+)"[^>]*>(\d+)</text>', figure):
        x0, y0 = float(x), float(y)
        boxes.append((x0, y0 - 11, x0 + 7 * len(text) + 2, y0 + 1))
    return boxes


def test_pareto_labels_do_not_overlap_even_for_close_points():
    points = [svg.Point(0.20, 0.850, "baseline model", True, "baseline"),
              svg.Point(0.151, 0.833, "pre: reweighing", True),
              svg.Point(0.150, 0.8331, "pre: reweighing (stronger)", True),
              svg.Point(0.1505, 0.8329, "pre: another", False),
              svg.Point(0.05, 0.78, "in: reductions = final stack", True, "final")]
    figure = svg.scatter_frontier("t", points, "gap", "accuracy", "fig-pareto")
    boxes = _label_boxes(figure)
    assert len(boxes) == len(points)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    for i, p in enumerate(points, start=1):  # the numbered legend names every point
        assert f'font-weight="bold">{i}</text>' in figure and p.label.split(" (")[0] in figure
    assert "on the frontier" in figure and "dominated" in figure


def test_bars_of_groups_too_small_to_judge_are_pale_and_named_in_the_legend():
    figure = svg.grouped_bars("t", ["a", "b"], ["n=500", "n=12"],
                              {"before": [svg.Bar(0.2, 0.1, 0.3), svg.Bar(0.5, 0.2, 0.8, judged=False)],
                               "after": [svg.Bar(0.25, 0.2, 0.3), svg.Bar(0.4, 0.1, 0.7, judged=False)]},
                              "rate", "fig-x", "")
    assert figure.count('class="bar small"') == 2 and figure.count('class="bar"') == 2
    assert "too few rows to judge" in figure


def test_plain_turns_python_literals_into_prose_and_keeps_intervals():
    logged = ("rollback to in-processing with stronger constraint {'eps': 0.005, 'max_iter': 50} "
              "(reductions: {} -> {'eps': 0.005}); failed: ['dp_target', 'eo_target']; error: None; "
              "95% CI of change [-0.232, -0.018]")
    text = plain(logged)
    assert "eps=0.005, max_iter=50" in text and "reductions: defaults" in text
    assert "dp_target, eo_target" in text and "error: none" in text
    assert "[-0.232, -0.018]" in text
    assert not re.search(r"\{'|\['|\bNone\b", text)
    assert pretty("ratio 0.7 (target >= 0.8) -> fail") == "ratio 0.7 (target ≥ 0.8) → fail"


def test_a_check_failed_only_on_the_selection_rows_shows_that_measurement():
    from fairmend.report.summary import CheckRow

    row = CheckRow("eo_target", "Equalized-odds target", (False, "gap 0.12 (target < 0.1)"),
                   (True, "gap 0.09 (target < 0.1)"))
    assert row.failed and row.detail == "gap 0.12 (target < 0.1)"
    assert row.where == "selection rows; passed on the test rows"
    both = CheckRow("eo_target", "x", (False, "a"), (False, "b"))
    assert both.detail == "b" and both.where == "test rows; also failed on the selection rows"
    passed = CheckRow("eo_target", "x", (True, "a"), (True, "b"))
    assert not passed.failed and passed.detail == "b" and passed.where == ""
