"""Modules stay a few hundred lines (house style, STYLE.md: "keep modules to a few hundred lines").

The reader grew to 1,452 lines and the text parser to 1,054 before they were split (thirty-first round of
issue 14); this keeps any module of the package from growing that far again. The cap leaves room above the
largest module today (``recommender/cues.py``, about 640 lines) but not for another thousand-line file.
"""

from __future__ import annotations

from test_imports import modules

MAX_LINES = 700


def test_no_module_is_longer_than_a_few_hundred_lines():
    long = {
        name: n
        for name, path in modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines (split them): {long}"
