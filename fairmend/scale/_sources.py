"""Where a large table lives (a file, a glob or a folder of Parquet/CSV partitions) and how to compute on it.

``--engine auto`` chooses Dask when the partitions together hold at least :data:`AUTO_DASK_BYTES` on
disk and Dask is installed; pandas otherwise.
"""

from __future__ import annotations

import contextlib
import glob
import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fairmend.errors import DataFileError, InvalidParameterError, MissingDependencyError

AUTO_DASK_BYTES = 256 * 2**20
CONNECT_TIMEOUT = "20s"  # to reach a --scheduler
ENGINES = ("auto", "pandas", "dask")
_KINDS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".gz": "csv"}


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".csv.gz"):
        return "csv"
    return _KINDS.get(path.suffix.lower()) if not name.endswith(".gz") else None


def is_partitioned(data: str) -> bool:
    """Whether ``data`` names several partitions (a glob or a folder) rather than one file."""
    return glob.has_magic(data) or Path(data).is_dir()


def partitions(data: str) -> tuple[list[Path], str]:
    """The partition files of ``data`` (sorted) and their format, ``"parquet"`` or ``"csv"``."""
    path = Path(data)
    if glob.has_magic(data):
        files = [Path(p) for p in sorted(glob.glob(data))]
        where = f"glob {data!r}"
    elif path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.is_file() and _kind(p) and not p.name.startswith((".", "_"))
        )
        where = f"folder {data}"
    elif path.is_file():
        files, where = [path], str(path)
    else:
        raise DataFileError(f"data not found: {data} (a file, a glob or a folder of Parquet/CSV partitions)")
    files = [f for f in files if f.is_file()]
    if not files:
        raise DataFileError(f"{where} holds no Parquet or CSV partition")
    kinds = {_kind(f) for f in files}
    if None in kinds:
        bad = next(f for f in files if _kind(f) is None)
        raise DataFileError(
            f"{bad}: unsupported file format; partitions must be .parquet, .pq, .csv or .csv.gz"
        )
    if len(kinds) > 1:
        raise DataFileError(f"{where} mixes Parquet and CSV partitions; use one format")
    empty = [f for f in files if f.stat().st_size == 0]
    if empty:
        raise DataFileError(f"{empty[0]} is empty")
    return files, kinds.pop()  # type: ignore[return-value]


def dask_available() -> bool:
    return (
        importlib.util.find_spec("dask") is not None and importlib.util.find_spec("distributed") is not None
    )


def require_dask() -> None:
    """Raise a one-line :class:`MissingDependencyError` with the install hint when Dask is missing."""
    if not dask_available():
        raise MissingDependencyError("this needs Dask: pip install 'fairmend[scale]'")


def choose_engine(engine: str, data: str, scheduler: str | None = None) -> str:
    """``"pandas"`` or ``"dask"`` for ``--engine`` on ``data`` (``auto``: Dask from :data:`AUTO_DASK_BYTES`)."""
    if engine not in ENGINES:
        raise InvalidParameterError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if scheduler and engine == "pandas":
        raise InvalidParameterError("--scheduler needs --engine dask (or auto)")
    if engine == "auto":
        if scheduler:
            engine = "dask"
        elif not (is_partitioned(data) or Path(data).is_file()):
            return "pandas"  # a bundled dataset's name
        else:
            size = sum(f.stat().st_size for f in partitions(data)[0])
            engine = "dask" if size >= AUTO_DASK_BYTES and dask_available() else "pandas"
    if engine == "dask":
        require_dask()
    return engine


def read_frame(data: str) -> Any:
    """The whole table in memory (the pandas engine): one file, or the partitions concatenated."""
    import pandas as pd

    from fairmend.io import read_table

    if not is_partitioned(data):
        return read_table(data)
    files, _ = partitions(data)
    return read_table(pd.concat([read_table(f) for f in files], ignore_index=True))


def dask_frame(data: str, columns: list[str] | None = None) -> Any:
    """A lazy Dask DataFrame over the partitions of ``data`` (only ``columns`` are read)."""
    import dask.dataframe as dd

    files, kind = partitions(data)
    names = [str(f) for f in files]
    try:
        if kind == "parquet":
            return dd.read_parquet(names, columns=columns)
        return dd.read_csv(names, usecols=columns, blocksize="64MB", sample=2**20)
    except (ValueError, KeyError) as exc:  # a column missing from the files
        raise DataFileError(f"{data}: {str(exc).strip().splitlines()[0]}") from exc


def dask_columns(data: str) -> list[str]:
    """Column names of the first partition (without reading its rows)."""
    files, kind = partitions(data)
    if kind == "parquet":
        import pyarrow.parquet as pq

        return list(pq.read_schema(files[0]).names)
    import pandas as pd

    return [str(c) for c in pd.read_csv(files[0], nrows=0).columns]


@contextlib.contextmanager
def scheduler_for(scheduler: str | None) -> Iterator[dict[str, Any]]:
    """Keyword arguments for ``dask.compute``: a ``distributed.Client`` on ``scheduler``, or local threads."""
    if not scheduler:
        yield {"scheduler": "threads", "num_workers": os.cpu_count() or 1}
        return
    from distributed import Client

    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except OSError as exc:
        raise InvalidParameterError(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from exc
    try:
        yield {"scheduler": client}
    finally:
        client.close()


def tree_reduce(parts: list[Any], combine: Any, *args: Any, fan_in: int = 8) -> Any:
    """Combine delayed partial results ``fan_in`` at a time until one remains."""
    import dask

    if not parts:
        raise DataFileError("the data has no partitions")
    while len(parts) > 1:
        parts = [dask.delayed(combine)(parts[i : i + fan_in], *args) for i in range(0, len(parts), fan_in)]
    return parts[0]
