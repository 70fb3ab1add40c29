"""The web page over the API at ``/``: sign in with a token; pick or upload a dataset and read its audit;
describe the situation and get recommendations with their constraints read back; run a technique (or the
gated pipeline) with a live progress bar; read the change and the HTML report; download the transformed
data and the other artifacts; browse past runs.

One page, one stylesheet and one script in ``static/`` (bundled, no CDN, no build step); the script calls
``/api/v1`` with the token kept in the tab's ``sessionStorage`` and writes every value with
``textContent``. The page is served with a Content-Security-Policy that allows only this origin; the
report is shown in a sandboxed frame. Also here: the API's browsable docs page (``/api/v1/docs``).
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from fairmend import __version__

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-src blob:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

STATIC = Path(__file__).with_name("static")
ASSETS = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}


def ui_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    page = (STATIC / "index.html").read_text("utf-8").replace("{version}", html.escape(__version__))
    assets = {name: (STATIC / name).read_bytes() for name in ASSETS}

    @router.get("/")
    def index() -> HTMLResponse:
        return HTMLResponse(
            page, headers={"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"}
        )

    @router.get("/ui/{name}")
    def asset(name: str) -> Response:
        if name not in assets:
            return Response(status_code=404)
        return Response(
            assets[name],
            media_type=ASSETS[name],
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"},
        )

    @router.get("/api/v1/docs")
    def api_docs(request: Request) -> HTMLResponse:
        return HTMLResponse(docs_page(request.app.openapi()), headers={"Content-Security-Policy": CSP})

    return router


def docs_page(spec: dict[str, Any]) -> str:
    """The OpenAPI document as one readable page: every route, its parameters and body schema (no CDN)."""
    esc = html.escape
    parts = [
        (
            f"<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport "
            f"content='width=device-width, initial-scale=1'><title>{esc(spec['info']['title'])} API</title>"
            "<style>body{font:15px/1.45 system-ui,sans-serif;max-width:60em;margin:0 auto;padding:.8em}"
            "code,pre{background:#f4f4f4;padding:1px 3px;overflow-x:auto}h2{font-size:1.05em;margin-top:1.4em}"
            "</style></head><body>"
        ),
        f"<h1>{esc(spec['info']['title'])} {esc(spec['info']['version'])}: REST API</h1>",
        (
            "<p>Send <code>Authorization: Bearer TOKEN</code> to every route but <code>/api/v1/health</code>. "
            "Machine-readable: <a href='/api/v1/openapi.json'>/api/v1/openapi.json</a>.</p>"
        ),
    ]
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            parts.append(f"<h2><code>{esc(method.upper())} {esc(path)}</code></h2>")
            text = op.get("description") or op.get("summary") or ""
            if text:
                parts.append(f"<p>{esc(text)}</p>")
            params = [f"<code>{esc(p['name'])}</code> ({esc(p['in'])})" for p in op.get("parameters", [])]
            if params:
                parts.append("<p>Parameters: " + ", ".join(params) + "</p>")
            body = op.get("requestBody", {}).get("content", {})
            for media, content in body.items():
                schema = _resolve(content.get("schema", {}), spec)
                parts.append(f"<p>Body ({esc(media)}):</p><pre>{esc(json.dumps(schema, indent=1))}</pre>")
    parts.append("</body></html>")
    return "".join(parts)


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        found = spec.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[1], schema)
        return {
            name: value.get("type", value.get("anyOf", value))
            for name, value in found.get("properties", {}).items()
        }
    return schema
