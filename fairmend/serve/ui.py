"""A minimal web page over the API at ``/``: sign in with a token, upload or pick a dataset, describe
the situation and get recommendations with their constraints read back, run a technique with a live
progress bar (or the gated pipeline), read the change, download artifacts and the HTML report, browse
past runs.

One HTML page and one script, both bundled here (no CDN, no build step); the script calls
``/api/v1`` with the token kept in the tab's ``sessionStorage`` and writes every value with
``textContent``. The page is served with a Content-Security-Policy that allows only this origin.
"""

from __future__ import annotations

import html
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "frame-src blob:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fairmend</title>
<link rel="icon" href="data:,">
<style>
body{font:16px/1.45 system-ui,sans-serif;max-width:52em;margin:0 auto;padding:.8em;color:#1a1a1a}
h1{font-size:1.5em;margin:.3em 0}h2{font-size:1.15em;margin:1.2em 0 .4em}
section{border-top:1px solid #ccc;padding-top:.4em}
label{display:block;margin:.4em 0 .1em;font-weight:600}
input,select,button{font:inherit;padding:.35em;max-width:100%;box-sizing:border-box}
input[type=text],input[type=password],select{width:100%}
button{margin-top:.6em;background:#0b5394;color:#fff;border:0;border-radius:4px;padding:.45em 1em;cursor:pointer}
button:focus,input:focus,select:focus{outline:3px solid #f1c232}
progress{width:100%;height:1.2em}
table{border-collapse:collapse;width:100%;font-size:.92em}td,th{border-bottom:1px solid #ddd;padding:3px 5px;text-align:left}
.msg{min-height:1.4em}.err{color:#a00}.hidden{display:none}
ul,ol{padding-left:1.2em}li{overflow-wrap:anywhere}#result{overflow-x:auto}td{overflow-wrap:anywhere}
button{white-space:normal;overflow-wrap:anywhere}
</style></head>
<body>
<h1>fairmend</h1>
<section id="signin"><h2>Sign in</h2>
<label for="token">API token</label><input id="token" type="password" autocomplete="off">
<button id="signin-btn" type="button">Sign in</button> <button id="signout-btn" type="button">Sign out</button>
<p id="who" class="msg" role="status"></p></section>
<div id="app" class="hidden">
<section><h2>Dataset</h2>
<label for="dataset">Pick a dataset</label><select id="dataset"></select>
<label for="upload">or upload a CSV or Parquet file</label><input id="upload" type="file" accept=".csv,.gz,.parquet,.pq">
<button id="upload-btn" type="button">Upload</button><p id="upload-msg" class="msg" role="status"></p></section>
<section><h2>Recommend</h2>
<label for="situation">Describe the model, the data and what may change</label>
<textarea id="situation" rows="3" style="width:100%;font:inherit;box-sizing:border-box"></textarea>
<button id="recommend-btn" type="button">Recommend</button>
<p id="recommend-msg" class="msg" role="status" aria-live="polite"></p>
<ul id="understood"></ul><ol id="recommendations"></ol></section>
<section><h2>Run a technique</h2>
<label for="technique">Technique</label><select id="technique"></select>
<label for="protected">Protected column(s), comma-separated</label><input id="protected" type="text" value="sex">
<label for="outcome">Outcome column</label><input id="outcome" type="text" value="credit">
<label for="nboot">Bootstrap resamples</label><input id="nboot" type="text" inputmode="numeric" value="200">
<button id="run-btn" type="button">Run</button>
<button id="pipeline-btn" type="button">Run the gated pipeline instead</button>
<p id="run-msg" class="msg" role="status" aria-live="polite"></p>
<progress id="progress" max="1" value="0" class="hidden" aria-label="run progress"></progress>
<div id="result"></div></section>
<section><h2>Past runs</h2><button id="runs-btn" type="button">Refresh</button>
<table><thead><tr><th>run</th><th>technique</th><th>status</th></tr></thead><tbody id="runs"></tbody></table></section>
</div>
<script src="/ui/app.js"></script>
</body></html>
"""

SCRIPT = r"""
"use strict";
const $ = (id) => document.getElementById(id);
const api = async (path, options = {}) => {
  const headers = Object.assign({}, options.headers || {},
    {Authorization: "Bearer " + sessionStorage.getItem("fairmend-token")});
  const reply = await fetch("/api/v1" + path, Object.assign({}, options, {headers}));
  if (!reply.ok) {
    let detail = reply.statusText;
    try { detail = (await reply.json()).detail || detail; } catch (e) { /* not JSON */ }
    throw new Error(reply.status + ": " + detail);
  }
  return reply;
};
const say = (id, text, error) => { $(id).textContent = text; $(id).classList.toggle("err", !!error); };
const option = (select, value, text) => {
  const o = document.createElement("option"); o.value = value; o.textContent = text; select.appendChild(o);
};
const cell = (row, text) => { const td = document.createElement("td"); td.textContent = text; row.appendChild(td); return td; };

async function signIn() {
  const typed = $("token").value.trim();
  if (typed) sessionStorage.setItem("fairmend-token", typed);
  $("token").value = "";
  try {
    const me = await (await api("/me")).json();
    say("who", "Signed in as " + me.name + " (" + me.role + ")");
    $("app").classList.remove("hidden");
    await Promise.all([loadDatasets(), loadTechniques(), loadRuns()]);
  } catch (e) { say("who", "Sign-in failed: " + e.message, true); $("app").classList.add("hidden"); }
}
function signOut() { sessionStorage.removeItem("fairmend-token"); $("app").classList.add("hidden"); say("who", "Signed out"); }

async function loadDatasets(select) {
  const rows = await (await api("/datasets")).json();
  $("dataset").textContent = "";
  for (const d of rows) option($("dataset"), d.id, d.name + " (" + d.n_rows + " rows" + (d.bundled ? ", bundled" : "") + ")");
  if (select) $("dataset").value = select;
}
async function loadTechniques() {
  const rows = await (await api("/techniques")).json();
  $("technique").textContent = "";
  for (const t of rows.filter((t) => t.executable)) option($("technique"), t.key, t.name + " [" + t.stage + "]");
  $("technique").value = "reweighing_kamiran_calders";
}
async function recommend() {
  const text = $("situation").value.trim();
  if (!text) { say("recommend-msg", "Describe the situation first", true); return; }
  const body = {text, top: 5};
  if ($("dataset").value && $("protected").value.trim() && $("outcome").value.trim()) {
    Object.assign(body, {dataset_id: $("dataset").value, outcome: $("outcome").value.trim(),
      protected: $("protected").value.split(",").map((s) => s.trim()).filter(Boolean)});
  }
  say("recommend-msg", "Reading the situation...");
  $("understood").textContent = ""; $("recommendations").textContent = "";
  try {
    const r = await (await api("/recommend", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify(body)})).json();
    say("recommend-msg", r.recommendations.length + " recommendation(s); constraints read back:");
    for (const line of r.understood.concat(r.uncertain)) {
      const li = document.createElement("li"); li.textContent = line; $("understood").appendChild(li);
    }
    for (const rec of r.recommendations) {
      const li = document.createElement("li"), b = document.createElement("button");
      li.appendChild(document.createTextNode(rec.name + " [" + rec.stage + "] "));
      if (rec.executable) {
        b.type = "button"; b.textContent = "Use " + rec.key;
        b.addEventListener("click", () => { $("technique").value = rec.key; $("technique").focus(); });
        li.appendChild(b);
      }
      $("recommendations").appendChild(li);
    }
  } catch (e) { say("recommend-msg", "No recommendation: " + e.message, true); }
}
async function upload() {
  const file = $("upload").files[0];
  if (!file) { say("upload-msg", "Choose a file first", true); return; }
  const form = new FormData(); form.append("file", file);
  try {
    const d = await (await api("/datasets", {method: "POST", body: form})).json();
    say("upload-msg", "Uploaded " + d.name + ": " + d.n_rows + " rows, " + d.columns.length + " columns");
    await loadDatasets(d.id);
  } catch (e) { say("upload-msg", "Upload failed: " + e.message, true); }
}
async function startRun() {
  const body = {technique: $("technique").value, dataset_id: $("dataset").value, outcome: $("outcome").value.trim(),
    protected: $("protected").value.split(",").map((s) => s.trim()).filter(Boolean),
    n_boot: parseInt($("nboot").value, 10) || 0};
  try {
    const run = await (await api("/runs", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify(body)})).json();
    follow(run.id);
  } catch (e) { say("run-msg", "Not started: " + e.message, true); }
}
async function startPipeline() {
  const body = {dataset_id: $("dataset").value, outcome: $("outcome").value.trim(),
    protected: $("protected").value.split(",").map((s) => s.trim()).filter(Boolean),
    policy: {n_boot: parseInt($("nboot").value, 10) || 0}};
  try {
    const run = await (await api("/pipelines", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify(body)})).json();
    follow(run.id);
  } catch (e) { say("run-msg", "Not started: " + e.message, true); }
}
async function follow(id) {
  $("progress").classList.remove("hidden"); $("progress").value = 0; $("result").textContent = "";
  say("run-msg", "Run " + id.slice(0, 8) + ": starting");
  for (;;) {
    const run = await (await api("/runs/" + id)).json();
    $("progress").value = run.progress;
    say("run-msg", "Run " + id.slice(0, 8) + ": " + run.status + (run.status === "running" && run.step ? " (" + run.step + ")" : "") +
      (run.error ? " " + run.error : ""), run.status === "failed" || run.status === "interrupted");
    if (!["queued", "running"].includes(run.status)) { show(run); loadRuns(); return; }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
function show(run) {
  const box = $("result"); box.textContent = "";
  if (run.report && run.report.change) {
    const table = document.createElement("table"), head = table.insertRow();
    for (const h of ["metric", "before", "after", "95% CI of change", "p"]) { const th = document.createElement("th"); th.textContent = h; head.appendChild(th); }
    const f = (v) => (typeof v === "number" ? v.toFixed(4) : "-");
    for (const [m, c] of Object.entries(run.report.change)) {
      const row = table.insertRow();
      cell(row, m); cell(row, f(c.before)); cell(row, f(c.after));
      cell(row, c.ci95 ? "[" + f(c.ci95[0]) + ", " + f(c.ci95[1]) + "]" : "-"); cell(row, f(c.p_value));
    }
    box.appendChild(table);
    if (run.report.gate) { const p = document.createElement("p"); p.textContent = "Gate: " + (run.report.gate.passed ? "passed" : "not passed"); box.appendChild(p); }
  }
  const list = document.createElement("ul");
  for (const name of run.artifacts) {
    const li = document.createElement("li"), b = document.createElement("button");
    b.type = "button"; b.textContent = "Download " + name; b.addEventListener("click", () => download(run.id, name));
    li.appendChild(b); list.appendChild(li);
  }
  box.appendChild(list);
}
async function download(id, name) {
  const blob = await (await api("/runs/" + id + "/artifacts/" + encodeURIComponent(name))).blob();
  const a = document.createElement("a"); a.href = URL.createObjectURL(blob); a.download = name; a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}
async function loadRuns() {
  const rows = await (await api("/runs")).json();
  $("runs").textContent = "";
  for (const r of rows) {
    const row = $("runs").insertRow(), b = document.createElement("button");
    b.type = "button"; b.textContent = r.id.slice(0, 8); b.addEventListener("click", () => follow(r.id));
    cell(row, "").appendChild(b); cell(row, r.technique); cell(row, r.status);
  }
}
$("signin-btn").addEventListener("click", signIn);
$("signout-btn").addEventListener("click", signOut);
$("upload-btn").addEventListener("click", upload);
$("run-btn").addEventListener("click", startRun);
$("recommend-btn").addEventListener("click", recommend);
$("pipeline-btn").addEventListener("click", startPipeline);
$("runs-btn").addEventListener("click", loadRuns);
if (sessionStorage.getItem("fairmend-token")) signIn();
"""


def ui_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    def page() -> HTMLResponse:
        return HTMLResponse(PAGE, headers={"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"})

    @router.get("/ui/app.js")
    def script() -> Response:
        return Response(SCRIPT, media_type="text/javascript; charset=utf-8",
                        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"})

    @router.get("/api/v1/docs")
    def api_docs(request: Request) -> HTMLResponse:
        return HTMLResponse(docs_page(request.app.openapi()), headers={"Content-Security-Policy": CSP})

    return router


def docs_page(spec: dict[str, Any]) -> str:
    """The OpenAPI document as one readable page: every route, its parameters and body schema (no CDN)."""
    esc = html.escape
    parts = [(f"<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport "
             f"content='width=device-width, initial-scale=1'><title>{esc(spec['info']['title'])} API</title>"
             "<style>body{font:15px/1.45 system-ui,sans-serif;max-width:60em;margin:0 auto;padding:.8em}"
             "code,pre{background:#f4f4f4;padding:1px 3px;overflow-x:auto}h2{font-size:1.05em;margin-top:1.4em}"
             "</style></head><body>"),
             f"<h1>{esc(spec['info']['title'])} {esc(spec['info']['version'])}: REST API</h1>",
             ("<p>Send <code>Authorization: Bearer TOKEN</code> to every route but <code>/api/v1/health</code>. "
             "Machine-readable: <a href='/api/v1/openapi.json'>/api/v1/openapi.json</a>.</p>")]
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
        return {name: value.get("type", value.get("anyOf", value)) for name, value in found.get("properties", {}).items()}
    return schema
