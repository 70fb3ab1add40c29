"""``monitor.yml``: the settings of ``fairmend monitor run``, checked against :data:`SCHEMA`.

An unknown key, a wrong type or an out-of-range value is one
:class:`~fairmend.errors.InvalidParameterError` naming the key (exit 2). Relative paths (the log
folder, a ``sqlite:///`` file, ``state`` and ``output``) are read against the config file's folder, so
a cron job may run from anywhere. Example::

    source:
      folder: logs/                   # CSV/Parquet prediction logs (every file matching `pattern`)
      # url: postgresql://host/db     # ... or a database table through SQLAlchemy
      # table: predictions
      timestamp: ts                   # when the prediction was made (naive times are UTC)
    protected: [sex]
    predictions: pred                 # the model's decisions
    outcome: label                    # optional: labels where they are known (equal-opportunity gap)
    favourable_label: 1
    windows: {recent_days: 7, long_days: 30, reference_start: 2026-01-01, reference_end: 2026-01-14}
    thresholds: {fairness_change: 0.10, drift_alpha: 0.01}
    sequential: {method: cusum, alpha: 0.05, k: 0.5}
    alerts:
      email: {host: smtp.example.org, port: 587, starttls: true, sender: ml@example.org,
              to: [fairness@example.org], username: ml, password_env: SMTP_PASSWORD}
      webhook: {url_env: SLACK_WEBHOOK_URL}
    output: monitoring/               # report.html, summary.json, window extracts
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fairmend.check import Spec, _mapping
from fairmend.errors import InvalidParameterError

SOURCE = {
    "folder": Spec("str"),
    "pattern": Spec("str", "*"),
    "url": Spec("str"),
    "table": Spec("str"),
    "timestamp": Spec("str", required=True),
}
WINDOWS = {
    "recent_days": Spec("int", 7, range=(1, 366)),
    "long_days": Spec("int", 30, range=(1, 3660)),
    "reference_start": Spec("str"),
    "reference_end": Spec("str"),
    "min_rows": Spec("int", 50, range=(2, 10**9)),
    "min_group_rows": Spec("int", 10, range=(1, 10**9)),
}
THRESHOLDS = {
    "fairness_change": Spec("float", 0.10, range=(0.0, 1.0)),
    "max_gap": Spec("float", range=(0.0, 1.0)),
    "drift_alpha": Spec("float", 0.01, range=(1e-12, 0.5)),
    "max_psi": Spec("float", range=(0.0, 100.0)),
}
SEQUENTIAL = {
    "method": Spec("str", "cusum", choices=("cusum", "none")),
    "alpha": Spec("float", 0.05, range=(1e-6, 0.5)),
    "k": Spec("float", 0.5, range=(0.0, 10.0)),
}
EMAIL = {
    "host": Spec("str", required=True),
    "port": Spec("int", 25, range=(1, 65535)),
    "sender": Spec("str", required=True),
    "to": Spec("strlist", required=True),
    "starttls": Spec("bool", False),
    "ssl": Spec("bool", False),
    "username": Spec("str"),
    "password_env": Spec("str"),
    "timeout": Spec("float", 30.0, range=(0.1, 600.0)),
}
WEBHOOK = {
    "url": Spec("str"),
    "url_env": Spec("str"),
    "timeout": Spec("float", 10.0, range=(0.1, 600.0)),
}
ALERTS = {
    "email": Spec("section", section=EMAIL),
    "webhook": Spec("section", section=WEBHOOK),
    "subject_prefix": Spec("str", "[fairmend monitor]"),
    "repeat_days": Spec("int", 7, range=(0, 3660)),
}
SCHEMA: dict[str, Spec] = {
    "source": Spec("section", required=True, section=SOURCE),
    "protected": Spec("columns", required=True),
    "predictions": Spec("str", required=True),
    "outcome": Spec("str"),
    "favourable_label": Spec("scalar"),
    "features": Spec("strlist"),
    "windows": Spec("section", {}, section=WINDOWS),
    "thresholds": Spec("section", {}, section=THRESHOLDS),
    "sequential": Spec("section", {}, section=SEQUENTIAL),
    "alerts": Spec("section", {}, section=ALERTS),
    "mmd": Spec("bool", False),
    "n_boot": Spec("int", 200, range=(20, 100_000)),
    "seed": Spec("int", 0, range=(0, 2**32 - 1)),
    "state": Spec("str"),
    "output": Spec("str", "fairmend-monitor"),
    "engine": Spec("str", "auto", choices=("auto", "pandas", "dask")),
    "scheduler": Spec("str"),
    "drift_sample_rows": Spec("int", 200_000, range=(1_000, 10**9)),
}


def _dates_as_text(raw: Any) -> Any:
    """YAML reads ``2026-01-01`` as a date; the schema checks it as text (parsed below)."""
    if isinstance(raw, dict):
        return {k: _dates_as_text(v) for k, v in raw.items()}
    return raw.isoformat() if isinstance(raw, (dt.date, dt.datetime)) else raw


def day(path: str, value: str) -> dt.date:
    """``YYYY-MM-DD`` (a day, UTC) or a one-line error naming the key."""
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else dt.datetime.fromisoformat(value).date()
    except ValueError:
        raise InvalidParameterError(f"config: {path} must be a day YYYY-MM-DD, got {value!r}") from None


class MonitorConfig:
    """A validated ``monitor.yml``: ``settings`` (every key, defaults filled in) and resolved paths."""

    def __init__(self, settings: dict[str, Any], source: str = "<mapping>") -> None:
        self.settings = settings
        self.source = source

    def __getitem__(self, key: str) -> Any:
        return self.settings[key]

    @property
    def reference_period(self) -> tuple[dt.date, dt.date] | None:
        w = self.settings["windows"]
        if w["reference_start"] is None:
            return None
        return day("windows.reference_start", w["reference_start"]), day(
            "windows.reference_end", w["reference_end"]
        )


def parse_config(raw: Any, *, base: Path | None = None, source: str = "<mapping>") -> MonitorConfig:
    """Validate a mapping against :data:`SCHEMA` and the cross-key rules."""
    s = _mapping("", _dates_as_text(raw if raw is not None else {}), SCHEMA)
    src = s["source"]
    if bool(src["folder"]) == bool(src["url"]):
        raise InvalidParameterError(
            "config: source needs folder (prediction log files) or url (a database), not both"
            if src["folder"]
            else "config: source needs folder or url"
        )
    if src["url"] and not src["table"]:
        raise InvalidParameterError("config: source.table is required with source.url")
    if src["table"] and not src["url"]:
        raise InvalidParameterError("config: source.table needs source.url")
    w = s["windows"]
    if (w["reference_start"] is None) != (w["reference_end"] is None):
        raise InvalidParameterError("config: windows.reference_start and windows.reference_end go together")
    cfg = MonitorConfig(s, source)
    period = cfg.reference_period
    if period is not None and period[1] < period[0]:
        raise InvalidParameterError(
            f"config: windows.reference_end {period[1]} is before reference_start {period[0]}"
        )
    if w["long_days"] < w["recent_days"]:
        raise InvalidParameterError(
            f"config: windows.long_days ({w['long_days']}) must be at least recent_days ({w['recent_days']})"
        )
    for name, section in (("email", s["alerts"]["email"]), ("webhook", s["alerts"]["webhook"])):
        if section is None:
            continue
        if name == "webhook" and bool(section["url"]) == bool(section["url_env"]):
            raise InvalidParameterError("config: alerts.webhook needs url or url_env (one of them)")
        if name == "webhook" and section["url"] and not section["url"].startswith(("http://", "https://")):
            raise InvalidParameterError(
                f"config: alerts.webhook.url must be an http(s) URL, got {section['url']!r}"
            )
        if name == "email" and section["ssl"] and section["starttls"]:
            raise InvalidParameterError("config: alerts.email: ssl and starttls exclude each other")
    outputs = [s["predictions"], s["outcome"], src["timestamp"]]
    clash = [c for c in s["protected"] if c in outputs]
    if clash:
        raise InvalidParameterError(
            f"config: protected column {clash[0]!r} is also the predictions, outcome or timestamp column"
        )
    if base is not None:
        if src["folder"] and not Path(src["folder"]).is_absolute():
            src["folder"] = str(base / src["folder"])
        if src["url"] and src["url"].startswith("sqlite:///") and not src["url"].startswith("sqlite:////"):
            rel = src["url"][len("sqlite:///") :]
            if rel and rel != ":memory:":
                src["url"] = f"sqlite:///{base / rel}"
        for key in ("state", "output"):
            if s[key] and not Path(s[key]).is_absolute():
                s[key] = str(base / s[key])
    if s["state"] is None:
        s["state"] = str(Path(s["output"]) / "state.sqlite")
    return cfg


def load_config(path: str | Path) -> MonitorConfig:
    """Read and validate a ``monitor.yml`` (``yaml.safe_load``)."""
    from fairmend.io import read_yaml_mapping

    p = Path(path)
    return parse_config(read_yaml_mapping(p, "config file"), base=p.resolve().parent, source=str(p))
