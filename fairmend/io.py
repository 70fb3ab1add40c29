"""Reading user tables and writing output files safely.

:func:`read_table` is the single entry point the CLI uses to load data (followed by
:func:`fairmend.validation.validate`); the ``write_*_atomic`` helpers never leave a half-written file.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fairmend._json import dumps
from fairmend.errors import DataFileError, OutputExistsError

READERS = {".csv": "csv", ".csv.gz": "csv", ".parquet": "parquet", ".pq": "parquet"}


def _suffix(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".csv.gz"):
        return ".csv.gz"
    return path.suffix.lower()


def read_table(source: str | os.PathLike[str] | pd.DataFrame) -> pd.DataFrame:
    """Load a table from a CSV, gzip-compressed CSV or Parquet file, or copy a DataFrame.

    Parameters
    ----------
    source : path or pandas.DataFrame
        A path whose name ends in ``.csv``, ``.csv.gz``, ``.parquet`` or ``.pq`` (case-insensitive), or a
        DataFrame. A DataFrame is copied, never modified.

    Returns
    -------
    pandas.DataFrame
        The table; pandas string-dtype columns are converted to ``object`` dtype (Python ``str``, missing
        values ``NaN``), other dtypes are kept.

    Raises
    ------
    DataFileError
        The file is missing, unreadable, of an unsupported format (the message names the suffix), empty,
        or has no rows.
    """
    from fairmend.datasets import to_object_strings

    if isinstance(source, pd.DataFrame):
        if source.shape[0] == 0:
            raise DataFileError("the DataFrame has no rows")
        check_columns(source)
        _refuse_nested(source, "the DataFrame")
        return to_object_strings(source)
    if not isinstance(source, (str, os.PathLike)):
        raise DataFileError(f"expected a file path or a pandas DataFrame, got {type(source).__name__}")
    path = Path(source)
    if not path.exists() and not path.suffix:
        return _bundled(str(source))
    suffix = _suffix(path)
    kind = READERS.get(suffix)
    if kind is None:
        shown = suffix or "(no suffix)"
        raise DataFileError(
            f"{path}: unsupported file format {shown!r}; use .csv, .csv.gz, .parquet or .pq"
        )
    if not path.exists():
        raise DataFileError(f"data file not found: {path}")
    if not path.is_file():
        raise DataFileError(f"{path} is not a file")
    if path.stat().st_size == 0:
        raise DataFileError(f"{path} is empty")
    if kind == "csv":
        _refuse_duplicate_header(path)
    try:
        frame = pd.read_csv(path) if kind == "csv" else pd.read_parquet(path)
    except pd.errors.EmptyDataError as exc:
        raise DataFileError(f"{path} is empty (no header and no rows)") from exc
    except ImportError as exc:  # pragma: no cover - pyarrow is a declared dependency
        raise DataFileError(f"{path}: reading Parquet needs pyarrow (pip install pyarrow): {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - parser/OS errors of every kind become one typed error
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataFileError(f"{path} cannot be read as {kind}: {reason}") from exc
    if frame.shape[0] == 0:
        raise DataFileError(f"{path} has a header but no data rows")
    _refuse_nested(frame, str(path))
    return to_object_strings(frame)


def _bundled(name: str) -> pd.DataFrame:
    """The table of a bundled dataset named as ``--data`` (``--data adult``)."""
    from fairmend.datasets._registry import LOADERS, load_dataset

    if name.strip().lower() not in LOADERS:
        raise DataFileError(f"data file not found: {name} (nor is it a bundled dataset: {', '.join(sorted(LOADERS))})")
    return load_dataset(name).frame.copy()


def _refuse_duplicate_header(path: Path) -> None:
    """pandas renames a repeated ``sex`` to ``sex.1``, which would then enter a model as a feature."""
    import csv

    opener = gzip.open if _suffix(path) == ".csv.gz" else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as fh:
            header = next(csv.reader(fh), [])
    except (OSError, csv.Error, EOFError):
        return  # unreadable files get their error from the parser below
    names = [h.strip() for h in header]
    seen: set[str] = set()
    repeated = [n for n in names if n in seen or seen.add(n)]  # type: ignore[func-returns-value]
    if repeated:
        shown = ", ".join(repr(n) for n in dict.fromkeys(repeated))
        raise DataFileError(f"{path}: duplicate column header(s) {shown}; every column needs a unique name")


def check_columns(frame: pd.DataFrame, source: str = "the DataFrame") -> None:
    """Column labels must be unique strings (a number would become a position in scikit-learn)."""
    odd = [c for c in frame.columns if not isinstance(c, str)]
    if odd:
        raise DataFileError(
            f"{source}: column labels must be strings; found {odd[0]!r} ({type(odd[0]).__name__}); "
            "rename with frame.columns = frame.columns.astype(str)"
        )
    dup = frame.columns[frame.columns.duplicated()].unique().tolist()
    if dup:
        raise DataFileError(f"{source}: duplicate column label(s) {', '.join(map(repr, dup))}")


def _refuse_nested(frame: pd.DataFrame, source: str) -> None:
    """List, dict or array cells (nested Parquet types) cannot be features or groups."""
    for column in frame.columns:
        if frame[column].dtype != object:
            continue
        values = frame[column].dropna()
        if len(values) and isinstance(values.iloc[0], (list, tuple, dict, set, np.ndarray)):
            kind = type(values.iloc[0]).__name__
            raise DataFileError(f"{source}: column {column!r} holds nested values ({kind}); flatten it into "
                                "plain columns first")


def check_can_write(path: str | os.PathLike[str], overwrite: bool) -> Path:
    """Refuse to clobber an existing output unless ``overwrite``; return the path as a :class:`Path`.

    Raises
    ------
    OutputExistsError
        ``path`` exists and ``overwrite`` is false.
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise OutputExistsError(f"{target} already exists; pass --overwrite to replace it")
    return target


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder, then ``os.replace``.

    Missing parent folders are created. ``str`` data is encoded as UTF-8. Readers see either the old file
    or the complete new one, never a partial write.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not isinstance(data, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"write_atomic needs str or bytes, got {type(data).__name__}")
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_name, 0o666 & ~umask)
        os.replace(tmp_name, target)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    return target


def write_json_atomic(path: str | os.PathLike[str], obj: Any, *, indent: int = 2) -> Path:
    """Write ``obj`` as JSON atomically.

    numpy scalars/arrays become plain values, NaN and infinities become ``null``, keys keep their order.
    """
    text = dumps(obj, indent=indent)
    return write_atomic(path, text + "\n")


def write_csv_atomic(path: str | os.PathLike[str], frame: pd.DataFrame, *, index: bool = False) -> Path:
    """Write ``frame`` as CSV atomically; a name ending in ``.gz`` is gzip-compressed."""
    text = frame.to_csv(index=index, lineterminator="\n")
    if str(path).lower().endswith(".gz"):
        return write_atomic(path, gzip.compress(text.encode("utf-8"), mtime=0))
    return write_atomic(path, text)


def write_parquet_atomic(path: str | os.PathLike[str], frame: pd.DataFrame) -> Path:
    """Write ``frame`` as Parquet (no index) atomically."""
    import io

    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return write_atomic(path, buffer.getvalue())


def export_table(frame: pd.DataFrame, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write ``frame`` to a CSV, gzip CSV or Parquet file chosen by the name's suffix, atomically."""
    target = check_can_write(path, overwrite)
    kind = READERS.get(_suffix(target))
    if kind is None:
        raise DataFileError(f"{target}: unsupported file format {_suffix(target) or '(no suffix)'!r}; "
                            "use .csv, .csv.gz, .parquet or .pq")
    if target.parent.exists() and not target.parent.is_dir():
        raise DataFileError(f"cannot write {target}: {target.parent} is a file")
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_parquet_atomic(target, frame) if kind == "parquet" else write_csv_atomic(target, frame)


def read_yaml_mapping(path: str | os.PathLike[str], what: str) -> dict[str, Any]:
    """A YAML file that must hold a mapping (``yaml.safe_load``: no tags, no code), or a one-line error.

    ``what`` names the file in messages (``"policy file"``, ``"config file"``). An empty file is ``{}``.
    """
    import yaml

    from fairmend.errors import InvalidParameterError

    p = Path(path)
    if not p.is_file():
        raise DataFileError(f"{what} not found: {p}")
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise InvalidParameterError(f"{what} {p} is not valid YAML{where}: {problem}") from exc
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{what} {p} is not UTF-8 text") from exc
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        shown = f"{raw!r} ({type(raw).__name__})"
        raise InvalidParameterError(f"{what} {p} must hold a mapping of settings, got {shown[:80]}")
    return raw
