"""The windows a monitoring run compares, all fixed by one instant, ``as_of``.

Windows end at the start of ``as_of``'s day (00:00 UTC): every run on the same day judges the same
complete days, so a cron job that runs twice (or is retried) sees the same windows and the state keeps
it from alerting twice. Windows are half-open, ``[start, end)``.

* ``weekly``: the last ``recent_days`` days against the ``recent_days`` before them;
* ``long``: the last ``long_days`` days against the reference period
  (``windows.reference_start`` .. ``reference_end``, both days included), when one is configured; the
  long window never reaches back into the reference period (it is shortened instead).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from fairmend.errors import InvalidParameterError

DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class Window:
    start: pd.Timestamp
    end: pd.Timestamp  # excluded

    def text(self) -> str:
        """``2026-02-22 .. 2026-02-28`` (days included)."""
        return f"{self.start.date()} .. {(self.end - DAY).date()}"

    def to_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "days": self.text()}


@dataclass(frozen=True)
class Comparison:
    name: str  # "weekly" or "long"
    current: Window
    reference: Window

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "current": self.current.to_dict(), "reference": self.reference.to_dict()}


def parse_as_of(value: str | None) -> pd.Timestamp:
    """``--as-of`` (an ISO date or date-time; naive is UTC) or now, in UTC."""
    if value is None:
        return pd.Timestamp.now(tz="UTC")
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise InvalidParameterError(f"--as-of {value!r} is not an ISO date or date-time") from None
    if pd.isna(ts):
        raise InvalidParameterError(f"--as-of {value!r} is not an ISO date or date-time")
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def window_end(as_of: pd.Timestamp) -> pd.Timestamp:
    """The end of the last complete day before ``as_of``: 00:00 UTC of its day."""
    return as_of.tz_convert("UTC").normalize()


def _day(d: dt.date) -> pd.Timestamp:
    return pd.Timestamp(d).tz_localize("UTC")


def comparisons(
    as_of: pd.Timestamp, *, recent_days: int, long_days: int, reference: tuple[dt.date, dt.date] | None
) -> tuple[list[Comparison], list[str]]:
    """The weekly comparison and, with a reference period, the long one (its current window starts after
    the reference period at the earliest); notes say what was left out."""
    end = window_end(as_of)
    recent = pd.Timedelta(days=recent_days)
    out = [Comparison("weekly", Window(end - recent, end), Window(end - 2 * recent, end - recent))]
    notes = []
    if reference is not None:
        ref = Window(_day(reference[0]), _day(reference[1]) + DAY)
        start = max(end - pd.Timedelta(days=long_days), ref.end)
        if start >= end:
            notes.append(
                f"long comparison not judged: the reference period {ref.text()} has not ended before "
                f"{end.date()}"
            )
        else:
            if start > end - pd.Timedelta(days=long_days):
                notes.append(
                    f"long window shortened to the {int((end - start) / DAY)} days after the reference period"
                )
            out.append(Comparison("long", Window(start, end), ref))
    return out, notes


def earliest(comps: list[Comparison]) -> pd.Timestamp:
    return min(min(c.current.start, c.reference.start) for c in comps)


def rows_in(frame: pd.DataFrame, column: str, window: Window) -> pd.DataFrame:
    ts = frame[column]
    return frame.loc[(ts >= window.start) & (ts < window.end)]
