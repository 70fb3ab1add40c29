"""Runs cut short by the server stopping: a clean stop (SIGTERM) and a crash (SIGKILL) plus restart both
leave them ``interrupted``, never ``running`` for ever."""

from __future__ import annotations

import time
from pathlib import Path

from _live_server import Server, cli, start_server, stop_server

from fairmend.serve.store import Store, default_url

RUN = {"technique": "reweighing_kamiran_calders", "dataset_id": "german", "protected": ["sex"], "outcome": "credit",
       "n_boot": 2000}


def _start_and_wait_running(server: Server, token: str) -> str:
    run_id = server.call("POST", "/api/v1/runs", token=token, body=RUN).json()["id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.call("GET", f"/api/v1/runs/{run_id}", token=token).json()["status"] == "running":
            return str(run_id)
        time.sleep(0.2)
    raise AssertionError("the run never started")


def test_stopped_and_crashed_servers_leave_runs_interrupted(tmp_path: Path) -> None:
    made = cli("serve", "token", "create", "--name", "ana", "--role", "analyst", "--data-dir", str(tmp_path))
    token = made.stdout.splitlines()[-1]
    server = start_server(tmp_path, workers=1)
    try:
        crashed = _start_and_wait_running(server, token)
        server.process.kill()  # a crash: nothing runs on the way out
        server.process.wait(timeout=30)
        server = start_server(tmp_path, workers=1)
        row = server.call("GET", f"/api/v1/runs/{crashed}", token=token).json()
        assert row["status"] == "interrupted" and "stopped" in row["error"]
        stopped = _start_and_wait_running(server, token)
    finally:
        stop_server(server)
    assert Store(default_url(tmp_path)).run(stopped)["status"] == "interrupted"
