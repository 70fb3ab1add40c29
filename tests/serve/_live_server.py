"""Start and stop a live ``fairmend serve`` on a free loopback port; a small stdlib HTTP client for it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_UPLOAD_MB = 0.5


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Server:
    base: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    tokens: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, *, token: str | None = None, body: Any = None,
             data: bytes | None = None, headers: dict[str, str] | None = None) -> Reply:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if body is not None:
            data, sent["Content-Type"] = json.dumps(body).encode(), "application/json"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                return Reply(reply.status, reply.read(), dict(reply.headers))
        except urllib.error.HTTPError as err:
            return Reply(err.code, err.read(), dict(err.headers))

    def upload(self, token: str | None, filename: str, content: bytes) -> Reply:
        boundary = uuid.uuid4().hex
        data = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
        return self.call("POST", "/api/v1/datasets", token=token, data=data,
                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def wait_run(self, run_id: str, token: str, seconds: float = 180) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            row = self.call("GET", f"/api/v1/runs/{run_id}", token=token).json()
            if row["status"] not in ("queued", "running"):
                return row
            time.sleep(0.5)
        raise AssertionError(f"run {run_id} did not finish within {seconds} s: {row}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fairmend", *args], capture_output=True, text=True, timeout=120,
                          check=False)


def start_server(data_dir: Path, workers: int = 2, db_url: str | None = None) -> Server:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "fairmend", "serve", "--port", str(port), "--data-dir", str(data_dir),
         "--workers", str(workers), "--max-upload-mb", str(MAX_UPLOAD_MB), *(["--db", db_url] if db_url else [])],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**_env(), "FAIRMEND_SERVE_LOG": "warning"},
    )
    server = Server(f"http://127.0.0.1:{port}", data_dir, process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"fairmend serve exited with {process.returncode}")
        try:
            if server.call("GET", "/api/v1/health").status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise AssertionError("fairmend serve did not answer /health within 60 s")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "OMP_NUM_THREADS": "1"}
