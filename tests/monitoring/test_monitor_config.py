"""``monitor.yml`` errors: one line naming the key, exit 2 (JSON error under --json); windows from --as-of."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from fairmend.cli import cli

GOOD = {"source": {"folder": "logs", "timestamp": "ts"}, "protected": ["sex"], "predictions": "pred"}


def _with(path: str, value):
    cfg = json.loads(json.dumps(GOOD))
    *parents, last = path.split(".")
    node = cfg
    for p in parents:
        node = node.setdefault(p, {})
    if value is KeyError:
        del node[last]
    else:
        node[last] = value
    return cfg


BAD = [
    (_with("sourse", {"folder": "x"}), "unknown key sourse"),
    (_with("source.timestamp", KeyError), "source.timestamp is required"),
    (_with("source.url", "sqlite:///x.db"), "source needs folder"),
    (_with("protected", 3), "protected must be a column name or a list"),
    (_with("thresholds", {"fairness_change": 2}), "thresholds.fairness_change must lie in [0, 1]"),
    (_with("thresholds", {"drift_alpha": "small"}), "thresholds.drift_alpha must be a number"),
    (_with("windows", {"recent_days": 0}), "windows.recent_days must lie in [1, 366]"),
    (
        _with("windows", {"reference_start": "2026-01-01"}),
        "reference_start and windows.reference_end go together",
    ),
    (
        _with("windows", {"reference_start": "2026-01-01", "reference_end": "Jan 14"}),
        "windows.reference_end must be a day YYYY-MM-DD",
    ),
    (
        _with("windows", {"reference_start": "2026-02-01", "reference_end": "2026-01-14"}),
        "is before reference_start",
    ),
    (_with("sequential", {"method": "sprt"}), "sequential.method must be one of cusum, none"),
    (_with("alerts", {"webhook": {"url": "ftp://x"}}), "alerts.webhook.url must be an http(s) URL"),
    (_with("alerts", {"email": {"host": "localhost", "to": ["a@b"]}}), "alerts.email.sender is required"),
    (
        _with("alerts", {"email": {"host": "h", "sender": "s@x", "to": "a@b"}}),
        "alerts.email.to must be a list",
    ),
    (_with("protected", ["pred"]), "protected column 'pred' is also the predictions"),
    ("source: [unclosed", "is not valid YAML"),
    ("- a list", "must hold a mapping"),
]


@pytest.mark.parametrize(("config", "expected"), BAD, ids=[b[1][:40] for b in BAD])
def test_bad_config_is_one_line_and_exit_2(tmp_path, config, expected):
    path = tmp_path / "monitor.yml"
    path.write_text(config if isinstance(config, str) else yaml.safe_dump(config), encoding="utf-8")
    res = CliRunner().invoke(cli, ["monitor", "run", "--config", str(path)])
    assert res.exit_code == 2, res.output
    line = res.stderr.strip()
    assert "\n" not in line and line.startswith("Error: ") and expected in line, line
    as_json = CliRunner().invoke(cli, ["monitor", "run", "--config", str(path), "--json"])
    assert as_json.exit_code == 2 and json.loads(as_json.stdout)["error"]["exit_code"] == 2


def test_missing_config_column_and_as_of_errors(tmp_path):
    (tmp_path / "logs").mkdir()
    pd.DataFrame({"ts": ["2026-01-01T10:00", "2026-01-02T10:00"], "sex": ["a", "b"], "pred": [0, 1]}).to_csv(
        tmp_path / "logs" / "p.csv", index=False
    )
    cfg = tmp_path / "monitor.yml"
    cfg.write_text(yaml.safe_dump(_with("outcome", "label")))
    for argv, expected in (
        (["--config", str(tmp_path / "none.yml")], "config file not found"),
        (["--config", str(cfg), "--as-of", "yesterday-ish"], "--as-of 'yesterday-ish'"),
        (["--config", str(cfg), "--as-of", "2026-01-05"], "column 'label' (config)"),
        (["--config", str(cfg), "--as-of", "2027-01-05"], "have no rows between"),
    ):
        res = CliRunner().invoke(cli, ["monitor", "run", *argv])
        assert res.exit_code == 2 and expected in res.stderr, (argv, res.output)
    cfg.write_text(yaml.safe_dump({**GOOD, "state": "state.sqlite"}))
    (tmp_path / "state.sqlite").write_text("not a database, " * 100)
    res = CliRunner().invoke(cli, ["monitor", "run", "--config", str(cfg), "--as-of", "2026-01-05"])
    assert res.exit_code == 2 and "is not a fairmend monitor state" in res.stderr, res.output


def test_windows_depend_only_on_the_day_of_as_of():
    import datetime as dt

    from fairmend.monitoring.windows import comparisons, parse_as_of

    ref = (dt.date(2026, 1, 1), dt.date(2026, 1, 14))
    morning, _ = comparisons(parse_as_of("2026-03-02T00:00:01"), recent_days=7, long_days=30, reference=ref)
    night, _ = comparisons(
        parse_as_of("2026-03-02T23:59:59+00:00"), recent_days=7, long_days=30, reference=ref
    )
    assert morning == night
    weekly, long = morning
    assert (weekly.current.text(), weekly.reference.text()) == (
        "2026-02-23 .. 2026-03-01",
        "2026-02-16 .. 2026-02-22",
    )
    assert (long.current.text(), long.reference.text()) == (
        "2026-01-31 .. 2026-03-01",
        "2026-01-01 .. 2026-01-14",
    )
    early, notes = comparisons(parse_as_of("2026-02-01"), recent_days=7, long_days=30, reference=ref)
    assert early[1].current.text() == "2026-01-15 .. 2026-01-31" and "shortened" in notes[0]
    too_early, notes = comparisons(parse_as_of("2026-01-10"), recent_days=7, long_days=30, reference=ref)
    assert [c.name for c in too_early] == ["weekly"] and "not judged" in notes[0]
    tz = parse_as_of("2026-03-02T01:00:00+05:00")  # 2026-03-01 20:00 UTC: the windows of the 1st
    assert comparisons(tz, recent_days=7, long_days=30, reference=None)[0][0].current.end == pd.Timestamp(
        "2026-03-01", tz="UTC"
    )
