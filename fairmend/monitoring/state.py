"""The monitor's memory: a SQLite file with its runs, the metrics of every window judged, and the
alerts sent.

* ``runs``: one row per ``fairmend monitor run`` (when, for which windows, how many rows, outcome);
* ``results``: one row per (window end, comparison, metric), replaced when a window is judged again, so
  the history behind the report's trend charts has one value per window however often cron ran;
* ``alerts``: one row per finding and channel delivered. A finding is *suppressed* on a channel when the
  same topic (comparison and metric, or the sequential alarm) was delivered there for a window ending
  fewer than ``repeat_days`` days away (the same window included), so a rerun sends nothing new.

Sending happens inside an ``IMMEDIATE`` transaction: two runs started together (cron and a retry) do not
both send.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fairmend.errors import OutputPathError

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, as_of TEXT NOT NULL,
    window_end TEXT NOT NULL, n_rows INTEGER NOT NULL, n_findings INTEGER NOT NULL DEFAULT 0,
    n_sent INTEGER NOT NULL DEFAULT 0, n_suppressed INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results (
    window_end TEXT NOT NULL, comparison TEXT NOT NULL, metric TEXT NOT NULL, value REAL, reference REAL,
    change REAL, ci_low REAL, ci_high REAL, p_value REAL, alert INTEGER NOT NULL, run_id INTEGER NOT NULL,
    PRIMARY KEY (window_end, comparison, metric));
CREATE TABLE IF NOT EXISTS alerts (
    topic TEXT NOT NULL, channel TEXT NOT NULL, window_end TEXT NOT NULL, sent_at TEXT NOT NULL,
    run_id INTEGER NOT NULL, message TEXT NOT NULL, PRIMARY KEY (topic, channel, window_end));
"""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class State:
    """An open state file; use as ``with State.open(path) as state: ...``."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn, self.path = conn, path

    @classmethod
    @contextmanager
    def open(cls, path: str | Path) -> Iterator[State]:
        p = Path(path)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(p, timeout=60, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise OutputPathError(f"state file {p} cannot be opened: {exc}") from exc
        try:
            try:
                conn.executescript(SCHEMA)
            except sqlite3.DatabaseError as exc:
                raise OutputPathError(
                    f"state file {p} is not a fairmend monitor state (SQLite): {exc}"
                ) from exc
            yield cls(conn, p)
        finally:
            conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One ``BEGIN IMMEDIATE`` … ``COMMIT``: a concurrent run waits until this one has recorded its sends."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def start_run(self, as_of: str, window_end: str, n_rows: int) -> int:
        cur = self.conn.execute(
            "INSERT INTO runs (started_at, as_of, window_end, n_rows, status) VALUES (?, ?, ?, ?, ?)",
            (_now(), as_of, window_end, n_rows, "running"),
        )
        return int(cur.lastrowid or 0)

    def finish_run(
        self, run_id: int, *, n_findings: int, n_sent: int, n_suppressed: int, status: str
    ) -> None:
        self.conn.execute(
            "UPDATE runs SET n_findings = ?, n_sent = ?, n_suppressed = ?, status = ? WHERE run_id = ?",
            (n_findings, n_sent, n_suppressed, status, run_id),
        )

    def record_results(self, run_id: int, window_end: str, rows: Iterable[dict[str, Any]]) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    window_end,
                    r["comparison"],
                    r["metric"],
                    r.get("value"),
                    r.get("reference"),
                    r.get("change"),
                    r.get("ci_low"),
                    r.get("ci_high"),
                    r.get("p_value"),
                    int(bool(r.get("alert"))),
                    run_id,
                )
                for r in rows
            ],
        )

    def history(self) -> list[dict[str, Any]]:
        cur = self.conn.execute(
            "SELECT window_end, comparison, metric, value, reference, change, ci_low, ci_high, "
            "p_value, alert FROM results ORDER BY window_end, comparison, metric"
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def delivered(self, topic: str, channel: str, window_end: str, repeat_days: int) -> str | None:
        """The window end of an earlier delivery that suppresses this one, or ``None``."""
        end = dt.datetime.fromisoformat(window_end)
        for (earlier,) in self.conn.execute(
            "SELECT window_end FROM alerts WHERE topic = ? AND channel = ?", (topic, channel)
        ):
            if abs((end - dt.datetime.fromisoformat(earlier)).days) < max(repeat_days, 1):
                return str(earlier)
        return None

    def mark_sent(
        self, topics: Iterable[str], channel: str, window_end: str, run_id: int, message: str
    ) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO alerts VALUES (?, ?, ?, ?, ?, ?)",
            [(t, channel, window_end, _now(), run_id, message) for t in topics],
        )

    def runs(self) -> list[dict[str, Any]]:
        cur = self.conn.execute("SELECT * FROM runs ORDER BY run_id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]
