"""Scheduled fairness and drift monitoring of a deployed model's prediction logs
(``fairmend monitor run --config monitor.yml``): windows, state, alerts and a trend report.

Modules: :mod:`~fairmend.monitoring.config` (the YAML schema), :mod:`~fairmend.monitoring.sources`
(log files or a database table), :mod:`~fairmend.monitoring.windows`, :mod:`~fairmend.monitoring.judge`
(the catalog's drift and fairness monitors per comparison), :mod:`~fairmend.monitoring.sequential` (a
calibrated CUSUM), :mod:`~fairmend.monitoring.state` (SQLite), :mod:`~fairmend.monitoring.alerts` (SMTP
and webhook), :mod:`~fairmend.monitoring.report` and :mod:`~fairmend.monitoring.run`.
"""

from fairmend.monitoring.config import MonitorConfig, load_config, parse_config
from fairmend.monitoring.run import run_monitor

__all__ = ["MonitorConfig", "load_config", "parse_config", "run_monitor"]
