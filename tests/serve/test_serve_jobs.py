"""The job pool: a job that raises or whose process dies is failed with one line; the pool keeps working."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fairmend.serve.jobs import JobPool
from fairmend.serve.store import Store, default_url


def steps_then_ok(spec: dict[str, Any], progress: Callable[[str], None]) -> None:
    for i in range(spec["steps"]):
        progress(f"step {i}")


def raises(spec: dict[str, Any], progress: Callable[[str], None]) -> None:
    progress("start")
    raise ValueError("bad\nthing")


def starts_a_process(spec: dict[str, Any], progress: Callable[[str], None]) -> None:
    import multiprocessing

    child = multiprocessing.get_context("spawn").Process(target=time.sleep, args=(0,))
    child.start()
    child.join(timeout=60)
    if child.exitcode != 0:
        raise RuntimeError(f"grandchild exit code {child.exitcode}")


def dies(spec: dict[str, Any], progress: Callable[[str], None]) -> None:
    os._exit(3)


def _wait(store: Store, run_ids: list[str], seconds: float = 120) -> list[dict[str, Any]]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rows = [store.run(r) for r in run_ids]
        if all(row["status"] not in ("queued", "running") for row in rows):
            return rows
        time.sleep(0.2)
    raise AssertionError(f"jobs did not finish within {seconds} s")


def test_failures_are_contained(tmp_path: Path) -> None:
    store = Store(default_url(tmp_path))
    pool = JobPool(store, workers=2)
    targets = {"a" * 32: steps_then_ok, "b" * 32: raises, "c" * 32: dies, "d" * 32: steps_then_ok,
               "e" * 32: starts_a_process}
    try:
        for run_id, target in targets.items():
            store.add_run({"id": run_id, "technique": "t", "dataset_id": "d", "request": {}, "status": "queued",
                           "progress": 0.0, "created": time.time()})
            pool.submit(run_id, {"steps": 2}, target, steps=4)
        ok, raised, died, after, parent = _wait(store, list(targets))
    finally:
        pool.close()
    assert ok["status"] == after["status"] == "done" and ok["progress"] == 1.0 and ok["step"] == "step 1"
    assert raised["status"] == "failed" and raised["error"] == "ValueError: bad thing"
    assert died["status"] == "failed" and "exit code 3" in died["error"]
    assert parent["status"] == "done", parent["error"]  # a job may start processes of its own
