"""Progress on stderr for steps that can take more than a second.

On a terminal: a bar with the step count, the total when it is known, elapsed time and an ETA, and
a short text label. Elsewhere (pipes, CI logs, tests) nothing is drawn unless
``FAIRMEND_PROGRESS=1``, which prints one plain line per step instead. The bar is always closed
before an error is printed, so an error line never shares a line with a half-drawn bar.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click


def _label(value: Any) -> str:
    """A short text label: a step's name and its parameters as ``k=v``, never a Python repr of a dict."""
    if isinstance(value, dict):
        return " ".join(f"{k}={v}" for k, v in value.items())
    return " ".join(str(value).split())


@contextmanager
def progress(desc: str, *, total: int | None = None, enabled: bool = True) -> Iterator[Callable[..., None]]:
    """Yield ``step(label, params=None)``, to be called once per finished or started step."""
    mode = os.environ.get("FAIRMEND_PROGRESS", "")
    tty = sys.stderr.isatty()
    if not enabled or mode == "0" or (not tty and mode != "1"):
        yield lambda *_a, **_k: None
        return
    if not tty:
        start, count = time.perf_counter(), [0]

        def plain(label: Any, params: Any = None) -> None:
            count[0] += 1
            of = f"/{total}" if total else ""
            text = _label(label) + (f" {_label(params)}" if params else "")
            click.echo(f"{desc} [{count[0]}{of}, {time.perf_counter() - start:.0f}s] {text}"[:120], err=True)

        yield plain
        return
    from tqdm import tqdm

    bar = tqdm(desc=desc, total=total, unit="step", leave=False, file=sys.stderr, dynamic_ncols=True)

    def step(label: Any, params: Any = None) -> None:
        bar.set_postfix_str((_label(label) + (f" {_label(params)}" if params else ""))[:60], refresh=False)
        bar.update(1)

    try:
        yield step
    finally:
        bar.close()
