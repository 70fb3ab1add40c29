"""``/runs``, ``/pipelines``, ``/audits`` and ``/evaluations``: start jobs, follow them, read their reports and artifacts."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from fairmend.serve.auth import Principal
from fairmend.serve.jobs import (
    AUDIT_STEPS,
    EVALUATE_STEPS,
    PIPELINE_STEPS,
    JobPool,
    audit_job,
    evaluate_job,
    run_pipeline_job,
)
from fairmend.serve.recommend import EvaluationRequest, evaluate_args
from fairmend.serve.store import Store, fingerprint, new_id

_ARTIFACT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
Label = str | int | float | bool | None
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


class RunRequest(BaseModel):
    """The body of ``POST /runs``: one technique on one dataset, as ``fairmend run``."""

    technique: str
    dataset_id: str
    protected: list[str] = Field(min_length=1)
    outcome: str
    favourable_label: Label = None
    params: dict[str, Any] = Field(default_factory=dict)
    scores: str | None = None
    n_boot: int = Field(default=1000, ge=0, le=100_000)
    seed: int = 0


class PipelineRequest(BaseModel):
    """The body of ``POST /pipelines``: the gated workflow, as ``fairmend pipeline``."""

    dataset_id: str
    protected: list[str] = Field(min_length=1)
    outcome: str
    favourable_label: Label = None
    policy: dict[str, Any] = Field(default_factory=dict)


class AuditRequest(BaseModel):
    """The body of ``POST /audits``: group fairness of a model's predictions, as ``fairmend audit``."""

    dataset_id: str
    protected: list[str] = Field(min_length=1)
    outcome: str
    predictions: str
    scores: str | None = None
    favourable_label: Label = None
    n_boot: int = Field(default=1000, ge=0, le=100_000)
    n_permutations: int = Field(default=2000, ge=0, le=100_000)
    seed: int = 0


def runs_router(store: Store, pool: JobPool, data_dir: Path, dataset_path: Callable[[str], Path],
                viewer: Any, analyst: Any) -> APIRouter:
    router = APIRouter()

    def queue(who: Principal, kind: str, body: RunRequest | PipelineRequest | AuditRequest | EvaluationRequest,
              technique: str,
              submit: Callable[[str, dict[str, Any]], None]) -> dict[str, str]:
        data = dataset_path(body.dataset_id)
        run_id, raw = new_id(), body.model_dump()
        store.add_run({"id": run_id, "technique": technique, "dataset_id": body.dataset_id, "request": raw,
                       "status": "queued", "progress": 0.0, "owner": who.token_id, "created": time.time()})
        submit(run_id, {**raw, "technique": technique, "data": str(data), "output": str(data_dir / "runs" / run_id)})
        store.log(actor=who.label, action=f"POST /{kind}", target=run_id, outcome=202, fingerprint=fingerprint(body))
        return {"id": run_id, "status": "queued"}

    @router.post("/runs", status_code=202)
    def start_run(body: RunRequest, who: Principal = analyst) -> dict[str, str]:
        from fairmend.plugins import get_catalog
        from fairmend.runner.core import coerce_params, run_task

        technique = get_catalog().get(body.technique)
        run_task(technique)
        coerce_params(technique, body.params)
        return queue(who, "runs", body, technique.key, pool.submit)

    @router.post("/pipelines", status_code=202)
    def start_pipeline(body: PipelineRequest, who: Principal = analyst) -> dict[str, str]:
        from fairmend.pipeline import Policy

        Policy.from_dict(body.policy)
        return queue(who, "pipelines", body, "pipeline",
                     lambda run_id, spec: pool.submit(run_id, spec, run_pipeline_job, steps=PIPELINE_STEPS))

    @router.post("/audits", status_code=202)
    def start_audit(body: AuditRequest, who: Principal = analyst) -> dict[str, str]:
        return queue(who, "audits", body, "audit",
                     lambda run_id, spec: pool.submit(run_id, spec, audit_job, steps=AUDIT_STEPS))

    @router.post("/evaluations", status_code=202)
    def start_evaluation(body: EvaluationRequest, who: Principal = analyst) -> dict[str, str]:
        """``fairmend recommend TEXT --data ... --evaluate K --json`` as a job: the top K eligible techniques
        measured on the data (chosen on selection rows, reported on test rows); its JSON is the run's report."""
        data = str(dataset_path(body.dataset_id))
        return queue(who, "evaluations", body, "evaluate",
                     lambda run_id, spec: pool.submit(run_id, {**spec, "args": evaluate_args(body, data)},
                                                      evaluate_job, steps=EVALUATE_STEPS))

    def run_row(run_id: str) -> dict[str, Any]:
        row = store.run(run_id) if re.fullmatch(r"[0-9a-f]{32}", run_id) else None
        if row is None:
            raise HTTPException(404, f"no run {run_id!r}")
        return row

    @router.get("/runs")
    def list_runs(_who: Principal = viewer) -> list[dict[str, Any]]:
        return store.list_runs()

    @router.get("/runs/{run_id}")
    def get_run(run_id: str, who: Principal = viewer) -> dict[str, Any]:
        from fairmend._json import finite

        row = run_row(run_id)
        if row["status"] not in ("queued", "running"):  # reading a result is recorded; polling is not
            store.log(actor=who.label, action="GET /runs", target=run_id, outcome=200)
        folder = data_dir / "runs" / run_id
        row["artifacts"] = sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
        report = folder / "report.json"
        row["report"] = None
        if row["status"] == "done" and report.is_file():
            row["report"] = _relative(finite(json.loads(report.read_text("utf-8"))), f"{data_dir}{os.sep}")
        return row

    def send(who: Principal, run_id: str, name: str, media_type: str | None = None) -> FileResponse:
        run_row(run_id)
        folder = (data_dir / "runs" / run_id).resolve()
        path = (folder / name).resolve()
        target = f"{run_id}/{name}"[:300]
        if not _ARTIFACT_NAME.fullmatch(name) or path.parent != folder or not path.is_file():
            store.log(actor=who.label, action="GET /runs/artifacts", target=target, outcome=404)
            raise HTTPException(404, f"run {run_id} has no artifact {name!r}")
        store.log(actor=who.label, action="GET /runs/artifacts", target=target, outcome=200)
        # never rendered as a page of this origin: files are attachments, the report may not run scripts
        if media_type:
            return FileResponse(path, media_type=media_type, headers={"Content-Security-Policy": REPORT_CSP})
        return FileResponse(path, filename=name, headers={"X-Content-Type-Options": "nosniff"})

    @router.get("/runs/{run_id}/artifacts/{name}")
    def artifact(run_id: str, name: str, who: Principal = viewer) -> FileResponse:
        return send(who, run_id, name)

    @router.get("/runs/{run_id}/report")
    def html_report(run_id: str, who: Principal = viewer) -> FileResponse:
        """The HTML report: a technique's run page (``fairmend.report.run_page``) or the pipeline's report."""
        row, folder = run_row(run_id), data_dir / "runs" / run_id
        if (row["status"] == "done" and row["technique"] not in ("pipeline", "audit", "evaluate")
                and (folder / "report.json").is_file() and not (folder / "report.html").exists()):
            from fairmend.report.run_page import write_run_report

            write_run_report(folder)  # a run finished before its page was written (an older server)
        return send(who, run_id, "report.html", media_type="text/html; charset=utf-8")

    return router


def _relative(value: Any, root: str) -> Any:
    """``value`` with every path inside the data directory made relative to it (no server paths leak)."""
    if isinstance(value, str):
        return value.removeprefix(root)
    if isinstance(value, dict):
        return {k: _relative(v, root) for k, v in value.items()}
    if isinstance(value, list):
        return [_relative(v, root) for v in value]
    return value
