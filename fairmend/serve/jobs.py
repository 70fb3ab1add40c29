"""Runs in a bounded pool of worker processes.

Each job runs in its own fresh (``spawn``) process, at most ``workers`` at a time; a thread per
slot waits on it and copies what the process reports (progress steps, then success or a one-line
error) into the store. A job that raises is marked ``failed`` with its error; a process that dies
without reporting (a segfault, ``os._exit``, the OOM killer) is marked ``failed`` with its exit
code. Neither reaches the server process. Worker processes are not daemonic, so a technique may
start processes of its own.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

from fairmend.serve.store import Store

RUN_STEPS = 4  # the progress steps fairmend.run reports
AUDIT_STEPS = 1
EVALUATE_STEPS = 1
PIPELINE_STEPS = 6  # about as many as fairmend.pipeline reports (it skips stages it does not need)
Target = Callable[[dict[str, Any], Callable[..., None]], None]


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def run_technique_job(spec: dict[str, Any], progress: Callable[..., None]) -> None:
    """The job behind ``POST /runs``: ``fairmend.run`` writing into ``spec["output"]`` (its HTML report included)."""
    import fairmend

    fairmend.run(spec["technique"], spec["data"], protected=spec["protected"], outcome=spec["outcome"],
                 favourable_label=spec.get("favourable_label"), scores=spec.get("scores"),
                 params=spec.get("params") or {}, n_boot=spec.get("n_boot", 1000), seed=spec.get("seed", 0),
                 output=spec["output"], progress=progress)


def run_pipeline_job(spec: dict[str, Any], progress: Callable[..., None]) -> None:
    """The job behind ``POST /pipelines``: ``fairmend pipeline`` and its HTML report into ``spec["output"]``."""
    from pathlib import Path

    from fairmend.pipeline import Policy, run_pipeline
    from fairmend.report.html import write_report

    result = run_pipeline(spec["data"], protected=spec["protected"], outcome=spec["outcome"],
                          policy=Policy.from_dict(spec.get("policy") or {}), output=spec["output"],
                          favourable_label=spec.get("favourable_label"), progress=progress)
    write_report(result, Path(spec["output"]))


def audit_job(spec: dict[str, Any], progress: Callable[..., None]) -> None:
    """The job behind ``POST /audits``: ``fairmend audit --json`` itself, its JSON kept as ``report.json``."""
    from fairmend.cli.audit import audit

    args = ["--data", spec["data"], "--protected", ",".join(spec["protected"]), "--outcome", spec["outcome"],
            "--predictions", spec["predictions"], "--n-boot", str(spec["n_boot"]),
            "--n-permutations", str(spec["n_permutations"]), "--seed", str(spec["seed"]), "--json"]
    for flag, key in (("--scores", "scores"), ("--favourable-label", "favourable_label")):
        if spec.get(key) is not None:
            args += [flag, str(spec[key])]
    progress("audit the predictions")
    _cli_json(audit, "fairmend audit", args, spec["output"])


def evaluate_job(spec: dict[str, Any], progress: Callable[..., None]) -> None:
    """The job behind ``POST /evaluations``: ``fairmend recommend --evaluate K --json``, its JSON as ``report.json``."""
    from fairmend.cli.recommend import recommend

    progress(f"measure the top {spec['k']} recommendations on the data")
    _cli_json(recommend, "fairmend recommend", spec["args"], spec["output"])


def _cli_json(command: Any, name: str, args: list[str], output: str) -> None:
    """Run a fairmend command with ``--json`` in this process and keep what it prints as ``output/report.json``."""
    import contextlib
    import io
    from pathlib import Path

    from fairmend.io import write_atomic

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        command.main(args=args, prog_name=name, standalone_mode=False)
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / "report.json", printed.getvalue())


def _child(conn: Connection, target: Target, spec: dict[str, Any]) -> None:
    try:
        target(spec, lambda label, *_: conn.send(("progress", str(label))))
    except BaseException as exc:  # noqa: BLE001 - the worker boundary: every error becomes one line
        conn.send(("error", one_line(exc)))
    else:
        conn.send(("done", None))
    finally:
        conn.close()


class JobPool:
    """Start jobs, at most ``workers`` at once, and record their state in ``store``'s runs table."""

    def __init__(self, store: Store, workers: int = 2) -> None:
        self.store = store
        self._ctx = multiprocessing.get_context("spawn")
        self._threads = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="fairmend-job")
        self._live: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._closing = False

    def submit(self, run_id: str, spec: dict[str, Any], target: Target = run_technique_job,
               steps: int = RUN_STEPS) -> None:
        """Queue ``target(spec, progress)``; ``steps`` is how many progress calls make it (almost) complete."""
        self._threads.submit(self._supervise, run_id, spec, target, steps)

    def _supervise(self, run_id: str, spec: dict[str, Any], target: Target, steps: int) -> None:
        if self._closing:
            return
        try:
            self._watch(run_id, spec, target, steps)
        except Exception as exc:  # noqa: BLE001 - a supervisor error fails the job, never the server
            self.store.update_run(run_id, status="failed", error=one_line(exc), finished=time.time())

    def _watch(self, run_id: str, spec: dict[str, Any], target: Target, steps: int) -> None:
        receiver, sender = self._ctx.Pipe(duplex=False)
        process = self._ctx.Process(target=_child, args=(sender, target, spec), daemon=False,
                                    name=f"fairmend-run-{run_id[:8]}")
        self.store.update_run(run_id, status="running", started=time.time(), progress=0.0)
        with self._lock:
            self._live[run_id] = process
        process.start()
        sender.close()
        outcome: tuple[str, str | None] | None = None
        done_steps = 0
        try:
            while outcome is None:
                try:
                    if not receiver.poll(0.5):
                        if not process.is_alive() and not receiver.poll(0):
                            break
                        continue
                    kind, value = receiver.recv()
                except (EOFError, OSError):
                    break
                if kind == "progress":
                    done_steps += 1
                    self.store.update_run(run_id, progress=min(done_steps / (steps + 1), 0.99),
                                          step=str(value)[:200])
                else:
                    outcome = (kind, value)
        finally:
            process.join(timeout=30)
            receiver.close()
            with self._lock:
                self._live.pop(run_id, None)
        if self._closing and outcome is None:
            return  # stopped by close(); the server marks it interrupted
        if outcome is not None and outcome[0] == "done":
            self.store.update_run(run_id, status="done", progress=1.0, finished=time.time())
        else:
            error = outcome[1] if outcome else f"the worker process stopped unexpectedly (exit code {process.exitcode})"
            self.store.update_run(run_id, status="failed", error=error, finished=time.time())

    def close(self) -> None:
        """Stop taking jobs, end the running ones and mark everything unfinished as interrupted."""
        self._closing = True
        with self._lock:
            live = list(self._live.values())
        for process in live:
            process.terminate()
        self._threads.shutdown(wait=True, cancel_futures=True)
        self.store.interrupt_unfinished()
