"""The FastAPI application: ``/api/v1`` over a :class:`~fairmend.serve.store.Store` and a job pool.

``create_app(Settings(...))`` builds the app; ``fairmend serve`` runs it under uvicorn. Every route
but ``/health`` needs ``Authorization: Bearer <token>``; writes, downloads and refusals are
appended to the audit log with a sha256 fingerprint of their input.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from fairmend import __version__
from fairmend.errors import DataFileError, FairmendError, UnknownTechniqueError
from fairmend.serve.auth import ROLES, Principal, create_token, verify
from fairmend.serve.jobs import JobPool
from fairmend.serve.recommend import recommend_router
from fairmend.serve.runs import runs_router
from fairmend.serve.store import Store, default_url, new_id
from fairmend.serve.ui import ui_router

API = "/api/v1"
UPLOAD_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".pq")
BUNDLED = ("adult", "german")


@dataclass
class Settings:
    """Where the server keeps its data and how much it accepts."""

    data_dir: Path
    db_url: str | None = None
    workers: int = 2
    max_upload_bytes: int = 100 * 1024 * 1024

    @property
    def url(self) -> str:
        return self.db_url or default_url(self.data_dir)


class TokenRequest(BaseModel):
    """The body of ``POST /tokens``."""

    name: str
    role: str


def create_app(settings: Settings) -> FastAPI:
    """The application, with its store opened and unfinished runs of an earlier process marked interrupted."""
    data_dir = settings.data_dir.resolve()
    for sub in ("datasets", "runs"):
        (data_dir / sub).mkdir(parents=True, exist_ok=True)
    store = Store(settings.url)
    store.interrupt_unfinished()
    pool = JobPool(store, workers=settings.workers)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        pool.close()

    app = FastAPI(title="fairmend", version=__version__, lifespan=lifespan, openapi_url=f"{API}/openapi.json",
                  docs_url=None, redoc_url=None)  # the CDN-hosted docs pages are off; the document stays
    app.state.store, app.state.pool, app.state.settings = store, pool, settings

    @app.exception_handler(FairmendError)
    async def _typed(_request: Request, exc: FairmendError) -> JSONResponse:
        status = 404 if isinstance(exc, UnknownTechniqueError) else 422
        return JSONResponse({"detail": " ".join(str(exc).split()), "type": type(exc).__name__}, status_code=status)

    @app.middleware("http")
    async def _upload_gate(request: Request, call_next: Callable[[Request], Any]) -> Any:
        """Refuse an upload without a valid token or above the limit before its body is read."""
        if request.method == "POST" and request.url.path == f"{API}/datasets":
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or await run_in_threadpool(verify, store, token.strip()) is None:
                store.log(actor=None, action="POST /datasets", target=None, outcome=401)
                return JSONResponse({"detail": "a valid bearer token is required"}, status_code=401,
                                    headers={"WWW-Authenticate": "Bearer"})
            length = request.headers.get("content-length")
            if length is None or not length.isdigit():
                return JSONResponse({"detail": "uploads need a Content-Length header"}, status_code=411)
            if int(length) > settings.max_upload_bytes + 64 * 1024:  # room for the multipart framing
                store.log(actor=None, action="POST /datasets", target=None, outcome=413)
                return JSONResponse({"detail": f"upload larger than {settings.max_upload_bytes} bytes"},
                                    status_code=413)
        return await call_next(request)

    app.include_router(_router(store, pool, settings, data_dir), prefix=API)
    app.include_router(ui_router())
    return app


def _router(store: Store, pool: JobPool, settings: Settings, data_dir: Path) -> APIRouter:
    router = APIRouter()
    bundled_lock = threading.Lock()

    def role(needed: str) -> Callable[[Request], Principal]:
        def dependency(request: Request) -> Principal:
            action = f"{request.method} {request.url.path.removeprefix(API)}"
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            who = verify(store, token.strip()) if scheme.lower() == "bearer" else None
            if who is None:
                store.log(actor=None, action=action, target=None, outcome=401)
                raise HTTPException(401, "a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"})
            if not who.allows(needed):
                store.log(actor=who.label, action=action, target=None, outcome=403)
                raise HTTPException(403, f"this needs the {needed} role; the token has {who.role}")
            return who
        return dependency

    viewer, analyst, admin = (Depends(role(r)) for r in ROLES)

    @router.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @router.get("/me")
    def me(who: Principal = viewer) -> dict[str, str]:
        return {"name": who.name, "role": who.role, "token_id": who.token_id}

    @router.get("/techniques")
    def techniques(_who: Principal = viewer) -> list[dict[str, Any]]:
        from fairmend.cli.techniques import LIST_FIELDS
        from fairmend.plugins import get_catalog

        return [{k: t.to_dict(parameters=False)[k] for k in LIST_FIELDS} for t in get_catalog().filter()]

    @router.get("/techniques/{key}")
    def technique(key: str, _who: Principal = viewer) -> dict[str, Any]:
        from fairmend.plugins import get_catalog

        return dict(get_catalog().get(key).to_dict())

    @router.post("/datasets", status_code=201)
    def upload(file: Annotated[UploadFile, File()], name: Annotated[str | None, Form()] = None,
               who: Principal = analyst) -> dict[str, Any]:
        from fairmend.io import read_table

        filename = Path(file.filename or "").name
        suffix = next((s for s in UPLOAD_SUFFIXES if filename.lower().endswith(s)), None)
        if suffix is None:
            raise HTTPException(415, f"upload a {', '.join(UPLOAD_SUFFIXES)} file, got {filename or 'no name'!r}")
        dataset_id = new_id()
        target = data_dir / "datasets" / f"{dataset_id}{suffix}"
        digest, size = hashlib.sha256(), 0
        with target.open("wb") as out:
            while chunk := file.file.read(1 << 20):
                size += len(chunk)
                if size > settings.max_upload_bytes:
                    break
                digest.update(chunk)
                out.write(chunk)
        if size > settings.max_upload_bytes:
            target.unlink()
            store.log(actor=who.label, action="POST /datasets", target=filename, outcome=413)
            raise HTTPException(413, f"upload larger than {settings.max_upload_bytes} bytes")
        try:
            frame = read_table(target)
        except DataFileError:
            target.unlink()
            store.log(actor=who.label, action="POST /datasets", target=filename, outcome=422,
                      fingerprint=digest.hexdigest())
            raise
        sha = digest.hexdigest()
        row = {"id": dataset_id, "name": (name or filename)[:300], "path": str(target.relative_to(data_dir)),
               "n_rows": len(frame), "columns": [str(c) for c in frame.columns],
               "sha256": sha, "owner": who.token_id, "created": time.time()}
        store.add_dataset(row)
        store.log(actor=who.label, action="POST /datasets", target=dataset_id, outcome=201, fingerprint=sha)
        return {"id": dataset_id, "name": row["name"], "n_rows": row["n_rows"], "columns": row["columns"]}

    @router.get("/datasets")
    def list_datasets(_who: Principal = viewer) -> list[dict[str, Any]]:
        from fairmend.datasets import list_datasets as bundled

        out = [{"id": d["name"], "name": d["name"], "n_rows": d["n_rows"], "bundled": True, "outcome": d["label"],
                "favourable_label": d["favourable_label"], "protected": d["protected"]} for d in bundled()]
        out += [{"id": d["id"], "name": d["name"], "n_rows": d["n_rows"], "bundled": False, "columns": d["columns"],
                 "sha256": d["sha256"], "created": d["created"]} for d in store.list_datasets()]
        return out

    def dataset_path(dataset_id: str) -> Path:
        if dataset_id in BUNDLED:
            path = data_dir / "datasets" / f"bundled-{dataset_id}.parquet"
            with bundled_lock:
                if not path.exists():
                    from fairmend.datasets import load_dataset

                    partial = path.with_suffix(".partial")
                    load_dataset(dataset_id).frame.to_parquet(partial, index=False)
                    partial.replace(path)
            return path
        row = store.dataset(dataset_id)
        if row is None:
            raise HTTPException(404, f"no dataset {dataset_id!r}")
        return data_dir / row["path"]

    @router.get("/datasets/{dataset_id}/audit")
    def audit_dataset(dataset_id: str, protected: str, outcome: str, who: Principal = viewer) -> dict[str, Any]:
        """The data's own audit (as ``fairmend recommend --data`` reads it): groups, base rates and gaps of the
        labels per protected column; ``protected`` is comma-separated."""
        from fairmend._json import finite
        from fairmend.recommender import audit_data

        columns = [c.strip() for c in protected.split(",") if c.strip()]
        if not columns or not outcome.strip():
            raise HTTPException(422, "name at least one protected column and the outcome column")
        found = audit_data(str(dataset_path(dataset_id)), protected=columns, outcome=outcome.strip())
        store.log(actor=who.label, action="GET /datasets/audit", target=dataset_id[:300], outcome=200)
        return {"dataset_id": dataset_id, "protected": columns, "outcome": outcome.strip(), **finite(found)}

    router.include_router(runs_router(store, pool, data_dir, dataset_path, viewer, analyst))
    router.include_router(recommend_router(store, dataset_path, viewer))

    @router.get("/audit")
    def read_audit(after: int = 0, limit: int = 1000, _who: Principal = admin) -> list[dict[str, Any]]:
        return store.audit_log(limit=max(1, min(limit, 10_000)), after=after)

    @router.get("/tokens")
    def list_tokens(_who: Principal = admin) -> list[dict[str, Any]]:
        return store.list_tokens()

    @router.post("/tokens", status_code=201)
    def new_token(body: TokenRequest, who: Principal = admin) -> dict[str, str]:
        token_id, token = create_token(store, body.name, body.role)
        store.log(actor=who.label, action="POST /tokens", target=f"{token_id} {body.role}", outcome=201)
        return {"id": token_id, "name": body.name, "role": body.role, "token": token}

    @router.delete("/tokens/{token_id}")
    def revoke(token_id: str, who: Principal = admin) -> dict[str, Any]:
        if not store.revoke_token(token_id):
            raise HTTPException(404, f"no active token {token_id!r}")
        store.log(actor=who.label, action="DELETE /tokens", target=token_id, outcome=200)
        return {"id": token_id, "revoked": True}

    return router

