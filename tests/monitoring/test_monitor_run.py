"""``fairmend monitor run``: a planted shift in the last week sends exactly one e-mail and one webhook to
loopback servers; a rerun for the same window sends nothing new; a control without a shift sends nothing."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from _monitor_logs import shifted, write_weekly_files
from click.testing import CliRunner

from fairmend.cli import cli


def _config(folder, logs, smtp=None, hook=None, **extra):
    cfg = {
        "source": {"folder": str(logs), "timestamp": "ts"},
        "protected": "sex",
        "predictions": "pred",
        "outcome": "income",
        "favourable_label": 1,
        "windows": {"reference_start": "2026-01-01", "reference_end": "2026-01-14"},
        "output": "out",
        "n_boot": 100,
        **extra,
    }
    alerts = {}
    if smtp:
        host, port, _ = smtp
        alerts["email"] = {
            "host": host,
            "port": port,
            "sender": "monitor@example.org",
            "to": ["fair@example.org"],
        }
    if hook:
        alerts["webhook"] = {"url": hook[0]}
    if alerts:
        cfg["alerts"] = alerts
    path = folder / "monitor.yml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


def _run(config, as_of, *extra):
    res = CliRunner().invoke(
        cli, ["monitor", "run", "--config", str(config), "--as-of", as_of, "--json", *extra]
    )
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_planted_shift_alerts_once_and_a_rerun_sends_nothing_new(
    prediction_log, tmp_path, smtp_server, webhook_server
):
    write_weekly_files(shifted(prediction_log), tmp_path / "logs")
    config = _config(tmp_path, tmp_path / "logs", smtp_server, webhook_server)
    inbox, posts = smtp_server[2], webhook_server[1]

    quiet = _run(config, "2026-02-23T09:30")  # last week's cron run, before the shift: silent
    assert quiet["findings"] == [] and quiet["alerts"]["sent"] == {}
    assert inbox == [] and posts == []

    loud = _run(config, "2026-03-02T06:00")
    assert loud["window_end"].startswith("2026-03-02")
    assert (len(inbox), len(posts)) == (1, 1)
    topics = {f["topic"] for f in loud["findings"]}
    assert "weekly|fairness:dp_gap" in topics and any(t.startswith("sequential|cusum:") for t in topics)
    assert set(loud["alerts"]["sent"]) == {"email", "webhook"}
    assert sorted(loud["alerts"]["sent"]["email"]) == sorted(topics)
    weekly = next(c for c in loud["comparisons"] if c["name"] == "weekly")
    assert weekly["fairness"]["metrics"]["dp_gap"]["change"] > 0.3

    mail = inbox[0]
    assert mail["To"] == "fair@example.org" and "[fairmend monitor]" in mail["Subject"]
    body = mail.get_payload(decode=True).decode()
    assert "demographic-parity gap of the decisions by sex grew" in body
    assert "Suggested next steps" in body and "fairmend audit --data" in body
    post = posts[0]
    assert post["path"] == "/hooks/fairness" and post["content_type"].startswith("application/json")
    assert set(post["json"]) == {"text"} and "demographic-parity gap" in post["json"]["text"]
    extract = loud["extracts"]["weekly"]["current"]
    assert (
        extract in body and (tmp_path / "out" / "windows" / "2026-03-02" / "weekly-current.parquet").is_file()
    )

    import shlex

    runnable = [
        s.split(": ", 1)[1] for s in loud["next_steps"] if "fairmend audit" in s or "fairmend monitor" in s
    ]
    assert len(runnable) == 2
    for command in runnable:  # the suggested commands run as written on the window extracts
        res = CliRunner().invoke(cli, [*shlex.split(command)[1:], "--json"])
        assert res.exit_code == 0, (command, res.output)
        if shlex.split(command)[1] == "monitor":
            assert "fairness:dp_gap" in json.loads(res.stdout)["alerts"]

    again = _run(config, "2026-03-02T18:45")  # the same day: the same windows, a rerun
    assert (len(inbox), len(posts)) == (1, 1)
    assert again["alerts"]["sent"] == {}
    assert {s["topic"] for s in again["alerts"]["suppressed"]["email"]} == topics

    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert 'id="fig-trend-dp_gap"' in html and 'id="fig-cusum"' in html and "<script" not in html
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["run_id"] == again["run_id"] == 3


def test_control_without_shift_sends_nothing(prediction_log, tmp_path, smtp_server, webhook_server):
    write_weekly_files(prediction_log, tmp_path / "logs", suffix="parquet")
    # the control's weekly equal-opportunity gap grew by 0.18 by chance (about 35 women with a positive
    # label a week); 1,000 resamples (cheap: they are drawn from counts) keep its interval's 2.5 % end
    # from resting on two or three replicates
    config = _config(tmp_path, tmp_path / "logs", smtp_server, webhook_server, mmd=True, n_boot=1000)
    doc = _run(config, "2026-03-02")
    assert [c["n_current"] > 800 for c in doc["comparisons"]] == [True, True]
    assert all(0 < c["mmd"]["p_value"] <= 1 and not c["mmd"]["alert"] for c in doc["comparisons"])
    assert doc["findings"] == [] and doc["sequential"]["groups"]["Female"]["alert"] is False
    assert smtp_server[2] == [] and webhook_server[1] == []


def test_database_table_source_reads_the_same_rows_and_finds_the_shift(prediction_log, tmp_path):
    sqlalchemy = pytest.importorskip("sqlalchemy")
    from fairmend.monitoring import load_config
    from fairmend.monitoring.sources import load_logs

    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'preds.db'}")
    shifted(prediction_log).to_sql("predictions", engine, index=False)
    engine.dispose()
    write_weekly_files(shifted(prediction_log), tmp_path / "logs")
    (tmp_path / "db").mkdir()
    cfg = yaml.safe_load(_config(tmp_path, tmp_path / "logs").read_text())
    cfg["source"] = {
        "url": "sqlite:///../preds.db",
        "table": "predictions",
        "timestamp": "ts",
    }  # relative to the file
    (tmp_path / "db" / "monitor.yml").write_text(yaml.safe_dump(cfg))

    since, until = pd.Timestamp("2026-02-01", tz="UTC"), pd.Timestamp("2026-03-02", tz="UTC")
    from_files = load_logs(load_config(tmp_path / "monitor.yml")["source"], since=since, until=until)
    from_table = load_logs(load_config(tmp_path / "db" / "monitor.yml")["source"], since=since, until=until)
    assert len(from_table) == len(from_files) > 3000
    assert from_table["ts"].min() >= since and from_table["ts"].max() < until
    pd.testing.assert_series_equal(from_table["pred"].astype(int), from_files["pred"].astype(int))
    doc = _run(tmp_path / "db" / "monitor.yml", "2026-03-02", "--dry-run")
    assert "weekly|fairness:dp_gap" in {f["topic"] for f in doc["findings"]} and doc["alerts"]["sent"] == {}


def test_an_undelivered_alert_exits_1_and_is_retried(prediction_log, tmp_path, smtp_server):
    write_weekly_files(shifted(prediction_log), tmp_path / "logs")
    inbox = smtp_server[2]
    config = _config(tmp_path, tmp_path / "logs", ("127.0.0.1", 9, None))  # port 9 (discard): nobody listens
    res = CliRunner().invoke(
        cli, ["monitor", "run", "--config", str(config), "--as-of", "2026-03-02", "--json"]
    )
    assert res.exit_code == 1 and "retried on the next run" in res.stderr
    assert json.loads(res.stdout)["delivery_errors"][0].startswith("email:")
    config = _config(tmp_path, tmp_path / "logs", smtp_server)
    retried = _run(config, "2026-03-02")
    assert len(inbox) == 1 and retried["alerts"]["sent"]["email"]


def test_two_runs_started_together_send_once(prediction_log, tmp_path, smtp_server, monkeypatch):
    """Both runs reach the alert phase at the same moment (a barrier) and sending is slow: the state's write
    transaction makes the second wait, then find the findings delivered."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from fairmend.monitoring import alerts, load_config, run_monitor
    from fairmend.monitoring.state import State

    barrier, transaction, send = threading.Barrier(2, timeout=120), State.transaction, alerts.send_email
    monkeypatch.setattr(State, "transaction", lambda self: (barrier.wait(), transaction(self))[1])
    monkeypatch.setitem(alerts.CHANNELS, "email", lambda *a: (time.sleep(0.5), send(*a))[1])
    write_weekly_files(
        shifted(prediction_log.iloc[::2]), tmp_path / "logs"
    )  # half the rows: faster, still loud
    cfg = load_config(
        _config(tmp_path, tmp_path / "logs", smtp_server, n_boot=20, sequential={"method": "none"})
    )
    with ThreadPoolExecutor(2) as pool:  # cron and a retry at the same moment, one state file
        docs = list(pool.map(lambda _: run_monitor(cfg, as_of="2026-03-02"), range(2)))
    assert len(smtp_server[2]) == 1
    assert sorted(bool(d["alerts"]["sent"]) for d in docs) == [False, True]
