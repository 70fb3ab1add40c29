"""``fairmend benchmark``: technique x dataset x protected attribute x seed sweeps on Dask.

The default protocol is that of Chen, Zhang, Sarro and Harman (TOSEM 2023, "A comprehensive empirical
study of bias mitigation methods for machine learning classifiers"): a logistic-regression base model,
30 % of the rows held out for testing, the protected attribute among the features (as in the AIF360
datasets they used), seeds 0-49, and accuracy, SPD, AOD and EOD before and after each method. Every cell is one :func:`fairmend.run` (the runner ``fairmend run`` uses) on a bundled dataset;
the before/after values are its test-row metrics (``demographic_parity_difference``,
``average_odds_difference`` and ``equal_opportunity_difference``: max - min over the attribute's groups,
so |SPD|, the unsigned AOD and |EOD| for two groups). Each cell also gets its Fairea class per bias metric
(:mod:`fairmend.scale.fairea`), from a mutation baseline of the same run's baseline predictions.

Cells run as Dask tasks (a ``LocalCluster`` of one single-threaded worker process per core unless
``--scheduler`` names a cluster). ``DIR/results.parquet`` is rewritten atomically after every finished
cell, so an interrupted sweep resumes where it stopped: finished cells (``ok`` or ``error``) are skipped,
``--retry-errors`` runs the failed ones again. A cell that raises is recorded with ``status = "error"``
and its message; the others go on.
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fairmend.errors import DataError, InvalidParameterError, NotExecutableError, ResumeMismatchError

METRICS = {
    "spd": "demographic_parity_difference",
    "aod": "average_odds_difference",
    "eod": "equal_opportunity_difference",
}
COLUMNS = [
    "technique",
    "dataset",
    "protected",
    "seed",
    "status",
    "accuracy_before",
    "accuracy_after",
    "spd_before",
    "spd_after",
    "aod_before",
    "aod_after",
    "eod_before",
    "eod_after",
    "fairea_spd",
    "fairea_aod",
    "fairea_eod",
    "seconds",
    "message",
]
KEY = ["technique", "dataset", "protected", "seed"]
RESULTS, SETTINGS, REPORT = "results.parquet", "benchmark.json", "report.md"


@dataclass(frozen=True)
class Protocol:
    """What every cell shares; a resumed sweep must use the same."""

    base_model: str = "logreg"
    test_size: float = 0.3
    n_boot: int = 200
    use_protected_feature: bool = True  # as in Chen et al.'s AIF360 datasets, the attribute is a feature


@dataclass(frozen=True)
class Cell:
    technique: str
    dataset: str
    protected: str
    seed: int


def parse_seeds(text: str) -> list[int]:
    """``"0-49"``, ``"0,3,7"`` or ``"0-4,10"`` -> sorted distinct seeds."""
    seeds: set[int] = set()
    try:
        for part in (p.strip() for p in str(text).split(",") if p.strip()):
            lo, sep, hi = part.partition("-")
            first, last = (int(lo), int(hi)) if sep else (int(part), int(part))
            if first < 0 or last < first:
                raise ValueError(part)
            seeds.update(range(first, last + 1))
    except ValueError:
        raise InvalidParameterError(f"--seeds must look like 0-49 or 0,3,7; got {text!r}") from None
    if not seeds:
        raise InvalidParameterError("--seeds names no seed")
    return sorted(seeds)


def plan(
    techniques: list[str], datasets: list[str], protected: list[str] | None, seeds: list[int]
) -> list[Cell]:
    """Every cell, checked before anything runs: executable pre/in/post binary-classification techniques
    (``["all"]``: every one of them), bundled datasets, protected attributes that each dataset has (default:
    all of the dataset's own)."""
    from fairmend.datasets import list_datasets
    from fairmend.plugins import get_catalog

    if not techniques or not datasets:
        raise InvalidParameterError("--techniques and --datasets each need at least one name")
    catalog = get_catalog()
    if techniques == ["all"]:
        techniques = [t.key for t in catalog if _sweepable(t)]
    for key in techniques:
        if not _sweepable(catalog.get(key)):
            raise NotExecutableError(
                f"technique {key!r} is not an executable pre-, in- or post-processing binary-classification technique"
            )
    known = {d["name"]: d for d in list_datasets()}
    cells = []
    for name in datasets:
        if name not in known:
            raise DataError(f"unknown dataset {name!r}; bundled: {', '.join(sorted(known))}")
        attributes = protected or list(known[name]["protected"])
        columns = set(_dataset(name).frame.columns)
        for attribute in attributes:
            if attribute not in columns:
                raise DataError(f"dataset {name!r} has no column {attribute!r}")
        cells += [Cell(t, name, a, s) for t in techniques for a in attributes for s in seeds]
    return cells


def _sweepable(technique: Any) -> bool:
    """Executable pre-, in- or post-processing techniques for binary classification (what ``all`` sweeps)."""
    from fairmend.catalog.types import TaskType

    stages = ("pre_processing", "in_processing", "post_processing")
    binary = TaskType.BINARY_CLASSIFICATION in technique.task_types
    return bool(technique.executable) and technique.stage.value in stages and binary


@functools.lru_cache(maxsize=4)
def _dataset(name: str) -> Any:
    from fairmend.datasets import load_dataset

    return load_dataset(name)


def run_cell(cell: Cell, protocol: Protocol) -> dict[str, Any]:
    """One cell as a result row; any exception becomes ``status = "error"`` with its message."""
    import warnings

    start = time.perf_counter()
    row: dict[str, Any] = {**asdict(cell), "status": "ok", "message": None}
    try:
        import fairmend
        from fairmend.metrics._encode import encode_groups
        from fairmend.scale.fairea import classify, mutation_baseline

        data = _dataset(cell.dataset)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = fairmend.run(
                cell.technique,
                data.frame,
                protected=[cell.protected],
                outcome=data.label,
                favourable_label=data.favourable_label,
                base_model=protocol.base_model,
                test_size=protocol.test_size,
                seed=cell.seed,
                n_boot=protocol.n_boot,
                use_protected_feature=protocol.use_protected_feature,
            )
        before, after = result.before, result.after
        row["accuracy_before"], row["accuracy_after"] = before["accuracy"], after["accuracy"]
        fitted = result.fitted
        groups = encode_groups(fitted["A_test"], len(fitted["y_test"]))
        for short, metric in METRICS.items():
            row[f"{short}_before"], row[f"{short}_after"] = before[metric], after[metric]
            base = mutation_baseline(
                fitted["y_test"], fitted["pred_before"], groups.codes, groups.n_groups, metric, seed=cell.seed
            )
            row[f"fairea_{short}"] = classify(
                before[metric], before["accuracy"], after[metric], after["accuracy"], *base
            )
    except Exception as exc:  # noqa: BLE001 - one failing cell must not stop the sweep
        text = str(exc).strip().splitlines()
        row.update(status="error", message=f"{type(exc).__name__}: {text[0] if text else 'no message'}")
    row["seconds"] = round(time.perf_counter() - start, 3)
    return {c: row.get(c) for c in COLUMNS}


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=COLUMNS) if rows else _empty()
    numeric = [c for c in COLUMNS if c.endswith(("_before", "_after")) or c == "seconds"]
    frame[numeric] = frame[numeric].astype(float)
    frame["seed"] = frame["seed"].astype(np.int64)
    return frame.sort_values(KEY, kind="stable").reset_index(drop=True)


def _check_settings(folder: Path, protocol: Protocol) -> None:
    from fairmend.io import write_json_atomic

    path = folder / SETTINGS
    wanted = {"protocol": asdict(protocol)}
    if path.exists():
        import json

        saved = json.loads(path.read_text(encoding="utf-8"))
        if saved.get("protocol") != wanted["protocol"]:
            raise ResumeMismatchError(
                f"{folder} holds a sweep with protocol {saved.get('protocol')}, not "
                f"{wanted['protocol']}; choose another --output"
            )
    else:
        write_json_atomic(path, wanted)


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    import logging

    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise InvalidParameterError(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from exc
        with client:
            yield client
        return
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # one BLAS thread per single-threaded worker process
    n = workers or os.cpu_count() or 1
    with (
        LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def run_benchmark(
    techniques: list[str],
    datasets: list[str],
    seeds: list[int],
    output: str | os.PathLike[str],
    *,
    protected: list[str] | None = None,
    protocol: Protocol | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    retry_errors: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run the sweep into ``output`` (see the module docstring); returns a summary of what was done."""
    from fairmend.io import write_atomic, write_parquet_atomic
    from fairmend.outputs import FolderLock
    from fairmend.scale._sources import require_dask
    from fairmend.scale.report import report_markdown

    require_dask()
    protocol = protocol or Protocol()
    say = progress or (lambda _text: None)
    cells = plan(techniques, datasets, protected, seeds)
    folder = Path(output)
    if folder.exists() and not folder.is_dir():
        raise InvalidParameterError(f"--output {folder} is a file")
    started = time.perf_counter()
    with FolderLock(folder):
        folder.mkdir(parents=True, exist_ok=True)
        _check_settings(folder, protocol)
        old = pd.read_parquet(folder / RESULTS) if (folder / RESULTS).exists() else _empty()
        done_status = {tuple(r[:4]): r[4] for r in old[[*KEY, "status"]].itertuples(index=False)}
        keep = {k for k, s in done_status.items() if s == "ok" or not retry_errors}
        todo = [c for c in cells if (c.technique, c.dataset, c.protected, c.seed) not in keep]
        rows = [r for r in old.to_dict(orient="records") if tuple(r[k] for k in KEY) in keep]
        say(f"{len(cells)} cells: {len(cells) - len(todo)} already finished, {len(todo)} to run")
        counts = {"ok": 0, "error": 0}
        if todo:
            from distributed import as_completed

            with _client(scheduler, workers) as client:
                futures = {client.submit(run_cell, cell, protocol, pure=False): cell for cell in todo}
                for i, future in enumerate(as_completed(futures), start=1):
                    cell = futures[future]
                    try:
                        row = future.result()
                    except Exception as exc:  # noqa: BLE001 - a worker died under this cell
                        row = {**asdict(cell), "status": "error", "message": f"{type(exc).__name__}: {exc}"}
                    rows = [r for r in rows if tuple(r[k] for k in KEY) != tuple(row[k] for k in KEY)] + [row]
                    write_parquet_atomic(folder / RESULTS, _frame(rows))
                    counts[row["status"]] += 1
                    note = "" if row["status"] == "ok" else f": {row['message']}"
                    say(
                        f"[{i}/{len(todo)}] {row['status']} {cell.technique} {cell.dataset} {cell.protected} "
                        f"seed {cell.seed}{note}"
                    )
        frame = _frame(rows)
        write_parquet_atomic(folder / RESULTS, frame)
        seconds = time.perf_counter() - started
        write_atomic(folder / REPORT, report_markdown(frame, protocol=asdict(protocol)))
    return {
        "output": str(folder),
        "results": str(folder / RESULTS),
        "report": str(folder / REPORT),
        "cells": len(cells),
        "skipped": len(cells) - len(todo),
        "ran": len(todo),
        **counts,
        "seconds": round(seconds, 1),
        "protocol": asdict(protocol),
    }
