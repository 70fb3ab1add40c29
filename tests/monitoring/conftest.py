"""Prediction logs built from real Adult rows, and loopback SMTP and HTTP servers that record what they get.

The logs: 8,000 Adult rows (stratified by sex x income), a logistic regression's decisions as ``pred``, and
timestamps spread uniformly over the 60 days from 2026-01-01 (rows in random order against time). The shifted
copy flips the women's decisions in the last week (from 2026-02-23), the control copy changes nothing.
"""

from __future__ import annotations

import email
import http.server
import json
import socket
import threading

import numpy as np
import pandas as pd
import pytest
from _monitor_logs import START


@pytest.fixture(scope="session")
def prediction_log(adult_sample) -> pd.DataFrame:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    frame = adult_sample.frame.copy()
    numeric = ["age", "education_num", "hours_per_week", "capital_gain", "capital_loss"]
    X = frame[numeric].assign(male=(frame["sex"] == "Male").astype(float))
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, frame["income"])
    frame["pred"] = model.predict(X)
    rng = np.random.default_rng(7)
    frame["ts"] = START + pd.to_timedelta(rng.uniform(0, 60, len(frame)), unit="D")
    return frame.sort_values("ts").reset_index(drop=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.hostname, controller.port, inbox.messages
    finally:
        controller.stop()


@pytest.fixture
def webhook_server():
    received: list[dict] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(
                {"path": self.path, "content_type": self.headers["Content-Type"], "json": json.loads(body)}
            )
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):  # quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/fairness", received
    finally:
        server.shutdown()
        server.server_close()
