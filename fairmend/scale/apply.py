"""``fairmend apply RUN_DIR --data BIG --output OUT.parquet``: a fitted run applied partition by partition.

A run folder written by ``fairmend run --output`` holds ``apply.json`` (feature columns, protected
columns, the user's model columns) and the fitted ``preprocessor.skops`` / ``model.skops`` /
``postprocessor.skops``, loaded only through :func:`fairmend.modelio.load_model`'s allow-list. Each
partition of the data goes through pre-processor -> model -> post-processor as in
:mod:`fairmend.engine.stack`, and its decisions (1 = favourable, -1 = abstained) and scores are appended
to one Parquet file as a row group, in partition order; the file appears under its name only when
complete. With ``--engine dask`` partitions are computed on Dask a window at a time (each worker loads
the run's model files once; on a cluster RUN_DIR must be readable by the workers), so memory holds a few
partitions' outputs, never the table.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fairmend.errors import ColumnNotFoundError, DataFileError, InvalidParameterError

RECIPE = "apply.json"
OBJECTS = ("preprocessor", "model", "postprocessor")


@dataclass(frozen=True)
class FittedRun:
    """A run folder's recipe and fitted objects."""

    folder: Path
    recipe: dict[str, Any]
    objects: dict[str, Any]
    estimator: bool  # the model is the technique's own (in-processing) estimator
    sensitive_at_inference: bool

    @property
    def needed(self) -> list[str]:
        """Columns each partition must hold."""
        own = self.recipe.get("user_model") or {}
        user = [c for c in (own.get("scores"), own.get("predictions")) if c]
        return list(dict.fromkeys([*self.recipe["features"], *self.recipe["protected"], *user]))


def read_recipe(folder: str | os.PathLike[str]) -> dict[str, Any]:
    path = Path(folder) / RECIPE
    if not path.is_file():
        raise DataFileError(
            f"{folder} holds no {RECIPE}: give a folder written by 'fairmend run --output' "
            "(runs written before fairmend apply existed must be run again)"
        )
    try:
        recipe = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataFileError(f"{path} cannot be read: {exc}") from exc
    if not isinstance(recipe, dict) or not isinstance(recipe.get("features"), list):
        raise DataFileError(f"{path} is not an apply recipe (no 'features' list)")
    return recipe


def load_run(folder: str, trust: tuple[str, ...] = ()) -> FittedRun:
    """Read ``apply.json`` and load the fitted objects it names (once per process and version of the run)."""
    try:
        stamp = (Path(folder) / RECIPE).stat().st_mtime_ns
    except OSError:
        stamp = None
    return _load_run(folder, tuple(trust), stamp)


@functools.lru_cache(maxsize=4)
def _load_run(folder: str, trust: tuple[str, ...], stamp: int | None) -> FittedRun:
    from fairmend.modelio import load_model
    from fairmend.plugins import get_catalog

    recipe = read_recipe(folder)
    for note in recipe.get("not_persisted") or []:
        raise DataFileError(f"{folder}: the run cannot be re-applied: {note}")
    objects = {
        name: load_model(Path(folder) / file, trust=trust)
        for name, file in (recipe.get("objects") or {}).items()
        if name in OBJECTS
    }
    own = recipe.get("user_model") or {}
    if "model" not in objects and not own:
        raise DataFileError(
            f"{folder} has no fitted model (model.skops) and the run did not use your model's columns"
        )
    from fairmend.catalog.types import Contract

    technique = get_catalog().get(recipe["technique"])
    estimator = technique.contract is Contract.ESTIMATOR
    return FittedRun(
        Path(folder),
        recipe,
        objects,
        estimator,
        estimator and technique.needs_protected_attribute_at_inference,
    )


def _model_outputs(
    run: FittedRun, X: pd.DataFrame, A: pd.DataFrame, part: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray | None]:
    from fairmend.engine.models import positive_scores

    model = run.objects.get("model")
    if model is None:  # the user's model, as columns of the table
        own = run.recipe["user_model"]
        score = None if not own.get("scores") else part[own["scores"]].to_numpy(dtype=float)
        if own.get("predictions"):
            return part[own["predictions"]].to_numpy().astype(np.int64), score
        return (score >= float(own.get("threshold") or 0.5)).astype(np.int64), score
    if run.estimator:
        kw = {"sensitive_features": A} if run.sensitive_at_inference else {}
        proba = np.asarray(model.predict_proba(X, **kw), dtype=float)
        return np.asarray(model.predict(X, **kw)).astype(np.int64), proba[:, 1] if proba.ndim == 2 else proba
    return np.asarray(model.predict(X)).astype(np.int64), positive_scores(model, X)


def apply_frame(run: FittedRun, part: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Decisions (int8; -1 abstained) and scores (float64; NaN without scores) of one partition."""
    from fairmend.catalog.contracts import outputs_scores

    missing = [c for c in run.needed if c not in part.columns]
    if missing:
        raise ColumnNotFoundError(
            f"the run needs column(s) missing from the data: {', '.join(map(repr, missing))}"
        )
    X = part[run.recipe["features"]].reset_index(drop=True)
    A = part[run.recipe["protected"]].astype(str).reset_index(drop=True)
    pre = run.objects.get("preprocessor")
    if pre is not None:
        X = pre.transform(X, sensitive_features=A)
    pred, score = _model_outputs(run, X, A, part.reset_index(drop=True))
    post = run.objects.get("postprocessor")
    if post is not None:
        if score is None:
            raise InvalidParameterError(
                "the run's post-processor needs scores; the data holds decisions only"
            )
        new_pred = np.asarray(post.predict(score, sensitive_features=A, X=X)).astype(np.int64)
        if outputs_scores(type(post)):
            out = np.asarray(post.predict_proba(score, sensitive_features=A, X=X), dtype=float)
            score = out[:, 1] if out.ndim == 2 else out
        pred = new_pred
    scores = np.full(len(pred), np.nan) if score is None else np.asarray(score, dtype=float)
    return pred.astype(np.int8), scores


def apply_partition(part: pd.DataFrame, folder: str, trust: tuple[str, ...], keep: list[str]) -> pd.DataFrame:
    """The output rows of one partition: the ``keep`` columns, ``decision`` and ``score``."""
    pred, score = apply_frame(load_run(folder, trust), part)
    out = part[keep].reset_index(drop=True)
    out["decision"], out["score"] = pred, score
    return out


def _pandas_partitions(data: str, columns: list[str]) -> Iterator[pd.DataFrame]:
    """Partitions read one at a time: Parquet row groups, CSV chunks of 1M rows."""
    from fairmend.scale._sources import is_partitioned, partitions

    if not (is_partitioned(data) or Path(data).is_file()):
        from fairmend.io import read_table

        yield read_table(data)[columns]
        return
    files, kind = partitions(data)
    for f in files:
        if kind == "parquet":
            import pyarrow.parquet as pq

            handle = pq.ParquetFile(f)
            for i in range(handle.num_row_groups):
                yield handle.read_row_group(i, columns=columns).to_pandas()
        else:
            yield from pd.read_csv(f, usecols=columns, chunksize=1_000_000)


def _dask_partitions(
    data: str, columns: list[str], folder: str, trust: tuple[str, ...], keep: list[str], scheduler: str | None
) -> Iterator[pd.DataFrame]:
    import dask

    from fairmend.scale._sources import dask_frame, scheduler_for

    parts = dask_frame(data, columns=columns).to_delayed()
    with scheduler_for(scheduler) as how:
        window = (
            2 * (os.cpu_count() or 1)
            if "num_workers" in how
            else 2 * max(1, len(how["scheduler"].nthreads()))
        )
        for lo in range(0, len(parts), window):
            tasks = [dask.delayed(apply_partition)(p, folder, trust, keep) for p in parts[lo : lo + window]]
            yield from dask.compute(*tasks, **how)


def apply_run(
    run_dir: str,
    data: str,
    output: str,
    *,
    engine: str = "auto",
    scheduler: str | None = None,
    keep: list[str] | None = None,
    trust: tuple[str, ...] = (),
    overwrite: bool = False,
) -> dict[str, Any]:
    """Apply the run in ``run_dir`` to ``data`` and write ``output`` (Parquet); returns a summary."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from fairmend.io import check_can_write
    from fairmend.scale._sources import choose_engine, dask_columns, is_partitioned

    if not str(output).lower().endswith((".parquet", ".pq")):
        raise InvalidParameterError(f"--output must name a .parquet file, got {output!r}")
    target = check_can_write(output, overwrite)
    folder = str(Path(run_dir).resolve())
    run = load_run(folder, tuple(trust))
    engine = choose_engine(engine, data, scheduler)
    available = dask_columns(data) if (is_partitioned(data) or Path(data).is_file()) else None
    if keep is None:
        wanted = [*run.recipe["protected"], run.recipe.get("outcome")]
        keep = [c for c in dict.fromkeys(wanted) if c and (available is None or c in available)]
    columns = list(dict.fromkeys([*run.needed, *keep]))
    if available is not None:
        missing = [c for c in columns if c not in available]
        if missing:
            raise ColumnNotFoundError(f"column(s) missing from {data}: {', '.join(map(repr, missing))}")
    if engine == "dask":
        outputs = _dask_partitions(data, columns, folder, tuple(trust), keep, scheduler)
    else:
        outputs = (apply_partition(p, folder, tuple(trust), keep) for p in _pandas_partitions(data, columns))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    rows, n_parts, favourable = 0, 0, 0
    writer = None
    try:
        for frame in outputs:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table.cast(writer.schema))
            rows, n_parts = rows + len(frame), n_parts + 1
            favourable += int((frame["decision"] == 1).sum())
        if writer is None:
            raise DataFileError(f"{data} has no rows")
        writer.close()
        writer = None
        os.replace(tmp, target)
    finally:
        if writer is not None:
            writer.close()
        if os.path.exists(tmp):
            os.unlink(tmp)
    return {
        "run": str(run_dir),
        "data": str(data),
        "output": str(target),
        "engine": engine,
        "rows": rows,
        "partitions": n_parts,
        "columns": [*keep, "decision", "score"],
        "selection_rate": favourable / rows if rows else None,
        "technique": run.recipe.get("technique"),
    }
