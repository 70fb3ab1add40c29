"""Timestamped prediction logs: a folder of CSV/Parquet files or a database table (SQLAlchemy URL).

:func:`load_logs` returns the rows whose timestamp lies in ``[since, until)``, with the timestamp parsed
to UTC (naive times are taken as UTC). A table is filtered in the database, so a long history is not
read whole; log files are read whole and filtered here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from fairmend.errors import ColumnNotFoundError, DataError, DataFileError, MissingDependencyError

SUFFIXES = (".csv", ".csv.gz", ".parquet", ".pq")


def log_files(folder: str | Path, pattern: str = "*") -> list[Path]:
    """The log files of ``folder`` matching ``pattern`` (sorted by name), or a one-line error."""
    root = Path(folder)
    if not root.is_dir():
        raise DataFileError(f"source.folder {root} is not a folder")
    files = sorted(
        p
        for p in root.glob(pattern)
        if p.is_file() and p.name.lower().endswith(SUFFIXES) and not p.name.startswith(".")
    )
    if not files:
        raise DataFileError(f"source.folder {root} holds no CSV or Parquet file matching {pattern!r}")
    return files


def parse_timestamps(values: pd.Series, column: str) -> pd.Series:
    """UTC timestamps; an unparseable value is a one-line error naming the column and the value."""
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = pd.to_datetime(values)
    else:
        parsed = pd.to_datetime(values, errors="coerce", utc=False, format="mixed")
        bad = parsed.isna() & values.notna()
        if bad.any():
            raise DataError(
                f"timestamp column {column!r}: cannot read {values[bad].iloc[0]!r} as a date and time"
            )
    if parsed.isna().any():
        raise DataError(f"timestamp column {column!r} has missing values")
    if getattr(parsed.dt, "tz", None) is None:
        return parsed.dt.tz_localize("UTC")
    return parsed.dt.tz_convert("UTC")


def _from_folder(src: dict[str, Any]) -> pd.DataFrame:
    from fairmend.io import read_table

    frames = []
    for path in log_files(src["folder"], src["pattern"]):
        frame = read_table(path)
        if src["timestamp"] not in frame.columns:
            raise ColumnNotFoundError(f"timestamp column {src['timestamp']!r} is not in {path}")
        frames.append(frame)
    return pd.concat(frames, ignore_index=True, sort=False)


def _from_database(
    src: dict[str, Any], since: pd.Timestamp | None, until: pd.Timestamp | None
) -> pd.DataFrame:
    try:
        import sqlalchemy as sa
    except ImportError as exc:
        raise MissingDependencyError("a database source needs SQLAlchemy: pip install sqlalchemy") from exc
    try:
        engine = sa.create_engine(src["url"])
    except Exception as exc:
        raise DataFileError(f"source.url {src['url']!r}: {_first_line(exc)}") from exc
    try:
        with engine.connect() as conn:
            try:
                table = sa.Table(src["table"], sa.MetaData(), autoload_with=conn)
            except sa.exc.NoSuchTableError:
                raise DataFileError(
                    f"source.table {src['table']!r} is not in the database {engine.url!r}"
                ) from None
            if src["timestamp"] not in table.c:
                raise ColumnNotFoundError(
                    f"timestamp column {src['timestamp']!r} is not in table {src['table']!r}"
                )
            ts = table.c[src["timestamp"]]
            query = sa.select(table)
            if isinstance(ts.type, (sa.DateTime, sa.Date)):  # text timestamps are filtered after parsing
                if since is not None:
                    query = query.where(ts >= since.tz_convert("UTC").tz_localize(None).to_pydatetime())
                if until is not None:
                    query = query.where(ts < until.tz_convert("UTC").tz_localize(None).to_pydatetime())
            frame = pd.read_sql(query, conn)
    except sa.exc.SQLAlchemyError as exc:
        raise DataFileError(f"source.url {src['url']!r}: {_first_line(exc)}") from exc
    finally:
        engine.dispose()
    from fairmend.datasets import to_object_strings

    return to_object_strings(frame)


def load_logs(
    src: dict[str, Any], *, since: pd.Timestamp | None = None, until: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Rows with ``since <= timestamp < until`` (UTC), the timestamp column parsed, sorted by time."""
    frame = _from_folder(src) if src["folder"] else _from_database(src, since, until)
    column = src["timestamp"]
    if column not in frame.columns:
        raise ColumnNotFoundError(f"timestamp column {column!r} is not in the prediction logs")
    frame[column] = parse_timestamps(frame[column], column)
    keep = pd.Series(True, index=frame.index)
    if since is not None:
        keep &= frame[column] >= since
    if until is not None:
        keep &= frame[column] < until
    return frame.loc[keep].sort_values(column, kind="stable").reset_index(drop=True)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
