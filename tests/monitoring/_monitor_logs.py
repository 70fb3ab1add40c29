"""Helpers of the monitoring tests: the planted shift and weekly log files."""

from __future__ import annotations

import pandas as pd

START = pd.Timestamp("2026-01-01")
SHIFT_FROM = START + pd.Timedelta(days=53)  # 2026-02-23


def shifted(frame: pd.DataFrame) -> pd.DataFrame:
    """The women's decisions flipped from 2026-02-23 on."""
    out = frame.copy()
    hit = (out["ts"] >= SHIFT_FROM) & (out["sex"] == "Female")
    out.loc[hit, "pred"] = 1 - out.loc[hit, "pred"]
    return out


def write_weekly_files(frame: pd.DataFrame, folder, suffix: str = "csv") -> None:
    """One log file per week, as a service writing rotating logs would."""
    folder.mkdir(parents=True, exist_ok=True)
    for week, part in frame.groupby(frame["ts"].dt.to_period("W")):
        path = folder / f"predictions-{week.start_time.date()}.{suffix}"
        part.to_csv(path, index=False) if suffix == "csv" else part.to_parquet(path, index=False)
