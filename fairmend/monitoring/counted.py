"""``fairmend monitor run`` from per-day count tables: the same pass on pandas or on Dask partitions.

The fairness gaps, their bootstrap intervals and the sequential test depend on the logs only through the
row counts per (day, protected values, decision, label). :func:`day_counts` computes that table for a
frame (the pandas engine) or for each partition of the log folder, summed in a tree on Dask
(:func:`scan`), so a log larger than memory is judged without loading it. Windows are whole days, so a
window's table is the sum of its days' rows.

Drift on Dask: the KS / chi-square / PSI (and MMD) tests need the feature values, so a second pass keeps
a uniform sample without replacement of at most ``drift_sample_rows`` rows per window (each row gets a
random key from a generator seeded by ``seed`` and the partition's index; the rows with the smallest keys
are kept, and a partition passes on only keys below a cut set from the window's size). A window with no
more rows than that is kept whole, in the order the pandas engine reads it, and its drift tests equal the
pandas engine's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fairmend.errors import ColumnNotFoundError, DataError, DataFileError, InvalidParameterError
from fairmend.monitoring import windows as W
from fairmend.monitoring.judge import LABEL, PRED, favourable

DAYCOL, N = "__day__", "__rows__"
KEY, PART, POS, WIN = "__key__", "__part__", "__pos__", "__window__"


def keys_of(cfg: Any) -> list[str]:
    """The raw columns the counts are kept by: protected, predictions and (when set) outcome."""
    return list(
        dict.fromkeys([*cfg["protected"], cfg["predictions"], *([cfg["outcome"]] if cfg["outcome"] else [])])
    )


def day_counts(
    part: pd.DataFrame, ts: str, keys: list[str], since: pd.Timestamp, until: pd.Timestamp
) -> pd.DataFrame:
    """Rows of ``part`` with ``since <= ts < until`` per (day index from ``since``, ``keys``)."""
    from fairmend.monitoring.sources import parse_timestamps

    t = parse_timestamps(part[ts], ts)
    inside = ((t >= since) & (t < until)).to_numpy()
    day = ((t[inside] - since) // W.DAY).to_numpy(dtype=np.int64)
    sub = part.loc[inside, keys].assign(**{DAYCOL: day})
    grouped = sub.groupby([DAYCOL, *keys], dropna=False, observed=True, sort=False).size()
    return grouped.rename(N).reset_index()


def _combine(parts: list[pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    frame = pd.concat(parts, ignore_index=True)
    return frame.groupby([DAYCOL, *keys], dropna=False, observed=True, sort=False)[N].sum().reset_index()


def prepare_table(table: pd.DataFrame, cfg: Any) -> pd.DataFrame:
    """``DAYCOL``, protected..., ``PRED`` (0/1), ``LABEL`` (0/1/NaN), ``N`` from the raw day table."""
    pred = cfg["predictions"]
    missing = table[pred].isna()
    if missing.any():
        raise DataError(
            f"predictions column {pred!r} has missing values ({int(table.loc[missing, N].sum())} rows)"
        )
    out = table[[DAYCOL, *cfg["protected"]]].copy()
    out[PRED] = favourable(table[pred], cfg["favourable_label"], pred).astype(int).to_numpy()
    out[LABEL] = (
        favourable(table[cfg["outcome"]], cfg["favourable_label"], cfg["outcome"]).to_numpy()
        if cfg["outcome"]
        else np.nan
    )
    out[N] = table[N].to_numpy(dtype=np.int64)
    return out


def window_table(table: pd.DataFrame, since: pd.Timestamp, window: W.Window) -> pd.DataFrame:
    """The day table's rows of the days of ``window``."""
    first, last = int((window.start - since) / W.DAY), int((window.end - since) / W.DAY)
    return table.loc[(table[DAYCOL] >= first) & (table[DAYCOL] < last)]


def choose(cfg: Any, engine: str | None, scheduler: str | None) -> tuple[str, str | None]:
    """The engine (``pandas`` or ``dask``) and scheduler of a run: the command line over the config."""
    from fairmend.monitoring.sources import log_files
    from fairmend.scale import _sources

    engine = engine or cfg["engine"]
    scheduler = scheduler or cfg["scheduler"]
    if cfg["source"]["url"]:
        if engine == "dask" or scheduler:
            raise InvalidParameterError(
                "config: engine dask needs source.folder (a database table is filtered in the database)"
            )
        return "pandas", None
    if engine == "auto" and not scheduler:
        files = log_files(cfg["source"]["folder"], cfg["source"]["pattern"])
        big = sum(f.stat().st_size for f in files) >= _sources.AUTO_DASK_BYTES
        engine = "dask" if big and _sources.dask_available() else "pandas"
    if scheduler and engine == "pandas":
        raise InvalidParameterError("--scheduler needs engine dask (or auto)")
    if engine == "auto":
        engine = "dask"
    if engine == "dask":
        _sources.require_dask()
    return engine, scheduler


def _bottom(frame: pd.DataFrame, k: int) -> pd.DataFrame:
    """Per window, the ``k`` rows with the smallest keys."""
    return frame.sort_values(KEY, kind="stable").groupby(WIN, sort=False).head(k)


def _sample(
    part: pd.DataFrame,
    index: int,
    ts: str,
    columns: list[str],
    spans: list[tuple[pd.Timestamp, pd.Timestamp, float]],
    k: int,
    seed: int,
) -> pd.DataFrame:
    """Per window ``(start, end, q)``: the partition's rows in it whose random key is below ``q``."""
    from fairmend.monitoring.sources import parse_timestamps

    t = parse_timestamps(part[ts], ts)
    key = np.random.default_rng([seed, index]).random(len(part))
    pieces = []
    for w, (start, end, q) in enumerate(spans):
        inside = np.flatnonzero(((t >= start) & (t < end)).to_numpy() & (key < q))
        piece = part.iloc[inside][columns].assign(
            **{ts: t.iloc[inside].to_numpy(), KEY: key[inside], PART: index, WIN: w, POS: inside}
        )
        pieces.append(piece)
    return _bottom(pd.concat(pieces, ignore_index=True), k)


def _cut(n: int, k: int) -> float:
    """The key below which a window of ``n`` rows keeps its rows: all when ``n <= k``, else about
    ``k`` plus six standard deviations, so that fewer than ``k`` pass with probability below 1e-8."""
    return 1.0 if n <= k else min(1.0, (k + 6.0 * np.sqrt(k) + 20.0) / n)


def _combine_samples(parts: list[pd.DataFrame], k: int) -> pd.DataFrame:
    return _bottom(pd.concat(parts, ignore_index=True), k)


def _frame(files: list[Any], columns: list[str]) -> Any:
    import dask.dataframe as dd

    from fairmend.scale import _sources

    kinds = {_sources._kind(f) for f in files}
    if len(kinds) > 1:
        raise DataFileError("source.folder mixes Parquet and CSV logs; engine dask reads one format")
    names = [str(f) for f in files]
    try:
        if kinds == {"parquet"}:
            return dd.read_parquet(names, columns=columns)
        return dd.read_csv(names, usecols=columns, blocksize="64MB", sample=2**20)
    except (ValueError, KeyError) as exc:  # a column missing from some files
        raise DataFileError(f"source.folder: {str(exc).strip().splitlines()[0]}") from exc


def _compute(how: dict[str, Any], *graphs: Any) -> tuple[Any, ...]:
    """``dask.compute``; a file Dask cannot parse (a column whose type changes between log files) is a
    one-line :class:`DataFileError`."""
    import dask

    try:
        return dask.compute(*graphs, **how)
    except (ValueError, TypeError) as exc:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataFileError(f"source.folder: cannot read the logs with engine dask: {text}") from exc


def header(cfg: Any) -> list[str]:
    """Columns of the first log file, checked against the config (one-line errors as the pandas engine)."""
    from fairmend.monitoring.sources import log_files
    from fairmend.scale import _sources

    src = cfg["source"]
    columns = _sources.dask_columns(str(log_files(src["folder"], src["pattern"])[0]))
    if src["timestamp"] not in columns:
        raise ColumnNotFoundError(f"timestamp column {src['timestamp']!r} is not in the prediction logs")
    for col in [*cfg["protected"], cfg["predictions"], cfg["outcome"], *(cfg["features"] or [])]:
        if col is not None and col not in columns:
            raise ColumnNotFoundError(f"column {col!r} (config) is not in the prediction logs")
    return columns


def scan(
    cfg: Any,
    since: pd.Timestamp,
    until: pd.Timestamp,
    windows: list[W.Window],
    features: list[str],
    scheduler: str | None,
) -> tuple[pd.DataFrame, dict[W.Window, pd.DataFrame]]:
    """The raw day table (one Dask pass over the log folder) and each window's drift sample (a second
    pass over the timestamp and drift columns, keeping the rows whose keys fall below a cut set from the
    window's size, so the partial samples together hold little more than ``drift_sample_rows`` rows)."""
    import dask

    from fairmend.datasets import to_object_strings
    from fairmend.monitoring.sources import log_files
    from fairmend.scale import _sources

    src, ts, keys = cfg["source"], cfg["source"]["timestamp"], keys_of(cfg)
    feats = [c for c in features if c != ts]
    files = log_files(src["folder"], src["pattern"])
    k = cfg["drift_sample_rows"]
    with _sources.scheduler_for(scheduler) as how:
        ddf = _frame(files, list(dict.fromkeys([ts, *keys])))
        counts = [dask.delayed(day_counts)(d, ts, keys, since, until) for d in ddf.to_delayed()]
        (table,) = _compute(how, _sources.tree_reduce(counts, _combine, keys))
        spans = [(w.start, w.end, _cut(int(window_table(table, since, w)[N].sum()), k)) for w in windows]
        ddf = _frame(files, list(dict.fromkeys([ts, *feats])))
        samples = [
            dask.delayed(_sample)(d, i, ts, feats, spans, k, cfg["seed"])
            for i, d in enumerate(ddf.to_delayed())
        ]
        (sample,) = _compute(how, _sources.tree_reduce(samples, _combine_samples, k))
    out = {}
    for w, window in enumerate(windows):
        rows = sample.loc[sample[WIN] == w].sort_values([ts, PART, POS], kind="stable")
        out[window] = to_object_strings(rows.drop(columns=[KEY, PART, POS, WIN]).reset_index(drop=True))
    return to_object_strings(table), out


def sampled(
    windows: dict[W.Window, pd.DataFrame], table: pd.DataFrame, since: pd.Timestamp, k: int
) -> list[str]:
    """Notes naming the windows whose drift tests ran on a sample."""
    notes = []
    for window, rows in windows.items():
        n = int(window_table(table, since, window)[N].sum())
        if n > len(rows):
            notes.append(
                f"drift tests of {window.text()} on a uniform sample of {len(rows):,} of its {n:,} rows (drift_sample_rows: {k})"
            )
    return notes


def _write_rows(
    part: pd.DataFrame, index: int, ts: str, targets: list[tuple[str, pd.Timestamp, pd.Timestamp]]
) -> int:
    from fairmend.monitoring.sources import parse_timestamps

    t = parse_timestamps(part[ts], ts)
    written = 0
    for folder, start, end in targets:
        rows = part.loc[((t >= start) & (t < end)).to_numpy(), [c for c in part.columns if c != ts]]
        if len(rows):
            rows.to_parquet(f"{folder}/part-{index:05d}.parquet", index=False)
            written += len(rows)
    return written


def write_extracts(
    cfg: Any,
    comps: list[W.Comparison],
    end: pd.Timestamp,
    findings: list[dict[str, Any]],
    scheduler: str | None,
) -> dict[str, dict[str, str]]:
    """The rows (without the timestamp) of each window that fired, as folders of Parquet partitions (only
    Parquet files, so ``pandas.read_parquet(folder)`` reads them too), one Dask pass; each folder is
    written under a temporary name and moved into place when complete."""
    import os
    import shutil
    import tempfile
    from pathlib import Path

    import dask

    from fairmend.monitoring.sources import log_files
    from fairmend.scale import _sources

    src, ts = cfg["source"], cfg["source"]["timestamp"]
    base = Path(cfg["output"]) / "windows" / str(end.date())
    base.mkdir(parents=True, exist_ok=True)
    out: dict[str, dict[str, str]] = {}
    staged: list[tuple[Path, Path]] = []
    umask = os.umask(0)
    os.umask(umask)
    try:
        targets = []
        for comp in comps:
            if not any(f["comparison"] == comp.name for f in findings):
                continue
            out[comp.name] = {}
            for side, window in (("current", comp.current), ("reference", comp.reference)):
                final = base / f"{comp.name}-{side}"
                staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.staging-", dir=base))
                staging.chmod(0o777 & ~umask)  # mkdtemp makes 0700; the folder is an ordinary output
                staged.append((staging, final))
                targets.append((str(staging), window.start, window.end))
                out[comp.name][side] = str(final)
        ddf = _frame(log_files(src["folder"], src["pattern"]), None)
        parts = [dask.delayed(_write_rows)(d, i, ts, targets) for i, d in enumerate(ddf.to_delayed())]
        with _sources.scheduler_for(scheduler) as how:
            _compute(how, *parts)
        for staging, final in staged:
            if final.exists():
                shutil.rmtree(final) if final.is_dir() else final.unlink()
            staging.replace(final)
    finally:
        for staging, _ in staged:
            shutil.rmtree(staging, ignore_errors=True)
    return out
