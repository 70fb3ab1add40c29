"use strict";
// The web page over /api/v1. Every value is written with textContent; the token lives in sessionStorage.
const $ = (id) => document.getElementById(id);
const state = {role: null, datasets: new Map(), run: null};
const METRICS = {
  demographic_parity_difference: "demographic-parity gap", disparate_impact_ratio: "disparate impact ratio",
  equal_opportunity_difference: "equal-opportunity gap", equalized_odds_difference: "equalized-odds gap",
  predictive_parity_difference: "predictive-parity gap", accuracy: "accuracy", balanced_accuracy: "balanced accuracy",
};
const FILES = {
  "transformed_train.csv": "Transformed training data (CSV)", "predictions.parquet": "Predictions before and after (Parquet)",
  "model.skops": "Fitted model (skops)", "postprocessor.skops": "Fitted post-processor (skops)",
  "report.json": "Report (JSON)", "report.html": "Report (HTML)", "splits.json": "Train, selection and test rows (JSON)",
  "manifest.json": "Manifest with checksums (JSON)",
};

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {},
    {Authorization: "Bearer " + (sessionStorage.getItem("fairmend-token") || "")});
  const reply = await fetch("/api/v1" + path, Object.assign({}, options, {headers}));
  if (!reply.ok) {
    let detail = reply.statusText;
    try { detail = (await reply.json()).detail || detail; } catch (e) { /* not JSON */ }
    if (reply.status === 401 && path !== "/me") signOut("Your token is no longer accepted; sign in again.");
    throw new Error(reply.status + ": " + (typeof detail === "string" ? detail : JSON.stringify(detail)));
  }
  return reply;
}
const postJSON = (path, body) => api(path, {method: "POST", headers: {"Content-Type": "application/json"},
  body: JSON.stringify(body)}).then((r) => r.json());
const say = (id, text, error) => { $(id).textContent = text; $(id).classList.toggle("err", !!error); };
const el = (tag, text, cls) => {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
};
const num = (v, d = 3) => (typeof v === "number" && isFinite(v) ? v.toFixed(d) : "n/a");
const signed = (v) => (typeof v === "number" && isFinite(v) ? (v >= 0 ? "+" : "\u2212") + Math.abs(v).toFixed(3) : "n/a");
const columns = () => $("protected").value.split(",").map((s) => s.trim()).filter(Boolean);
const show = (id, on) => $(id).classList.toggle("hidden", !on);
function table(head, rows, numeric, stack) {
  const wrap = el("div", null, "scroll"), t = el("table", null, stack ? "stack" : ""), tr = t.createTHead().insertRow();
  head.forEach((h, i) => { const th = el("th", h, numeric && numeric[i] ? "num" : ""); th.scope = "col"; tr.appendChild(th); });
  const body = t.createTBody();
  for (const r of rows) {
    const row = body.insertRow();
    r.forEach((v, i) => {
      const td = el("td", null, numeric && numeric[i] ? "num" : "");
      if (stack && i > 0 && head[i]) td.dataset.label = head[i];
      td.append(v); row.appendChild(td);
    });
  }
  wrap.appendChild(t);
  return wrap;
}

async function signIn(event) {
  if (event) event.preventDefault();
  const typed = $("token").value.trim();
  if (typed) sessionStorage.setItem("fairmend-token", typed);
  $("token").value = "";
  if (!sessionStorage.getItem("fairmend-token")) { say("signin-msg", "Paste your API token first.", true); return; }
  try {
    const me = await (await api("/me")).json();
    state.role = me.role;
    say("who", "Signed in as " + me.name + " (" + me.role + ")");
    say("signin-msg", "");
    show("signin", false); show("app", true); show("signout-btn", true);
    const viewer = me.role === "viewer";
    document.querySelectorAll(".needs-analyst").forEach((e) => e.classList.toggle("hidden", viewer));
    show("role-msg", viewer);
    await Promise.all([loadDatasets(), loadTechniques(), loadRuns()]);
    $("dataset").focus();
  } catch (e) {
    sessionStorage.removeItem("fairmend-token");
    say("signin-msg", "Sign-in failed: " + e.message, true);
  }
}
function signOut(message) {
  sessionStorage.removeItem("fairmend-token");
  state.role = null;
  show("app", false); show("signin", true); show("signout-btn", false);
  say("who", "");
  say("signin-msg", typeof message === "string" ? message : "Signed out.");
  $("token").focus();
}

async function loadDatasets(select) {
  const rows = await (await api("/datasets")).json();
  const box = $("dataset");
  box.textContent = "";
  state.datasets.clear();
  const groups = {bundled: el("optgroup"), uploads: el("optgroup")};
  groups.bundled.label = "Bundled"; groups.uploads.label = "Uploaded";
  for (const d of rows) {
    state.datasets.set(d.id, d);
    const o = el("option", d.name + " (" + d.n_rows.toLocaleString("en") + " rows)");
    o.value = d.id;
    groups[d.bundled ? "bundled" : "uploads"].appendChild(o);
  }
  box.appendChild(groups.bundled);
  if (groups.uploads.children.length) box.appendChild(groups.uploads);
  box.value = select || (state.datasets.has("german") ? "german" : rows.length ? rows[0].id : "");
  datasetChanged();
}
function datasetChanged() {
  const d = state.datasets.get($("dataset").value);
  const list = $("columns");
  list.textContent = "";
  $("audit").textContent = ""; say("audit-msg", "");
  if (!d) return;
  if (d.bundled) {
    $("protected").value = d.protected.join(", ");
    $("outcome").value = d.outcome;
    say("columns-msg", "Bundled dataset: protected columns and outcome filled in; favourable outcome = " + d.favourable_label + ".");
  } else {
    for (const c of d.columns) { const o = el("option"); o.value = c; list.appendChild(o); }
    const known = (name) => d.columns.includes(name);
    if (!columns().every(known)) $("protected").value = "";
    if (!known($("outcome").value.trim())) $("outcome").value = "";
    say("columns-msg", "Columns: " + d.columns.join(", "));
  }
  if (columns().length && $("outcome").value.trim()) auditData();
}

async function loadTechniques() {
  const rows = await (await api("/techniques")).json();
  $("technique").textContent = "";
  for (const t of rows.filter((t) => t.executable)) {
    const o = el("option", t.name + " (" + t.stage.replace(/_/g, "-") + ")");
    o.value = t.key;
    $("technique").appendChild(o);
  }
  $("technique").value = "reweighing_kamiran_calders";
}

async function upload() {
  const file = $("upload").files[0];
  if (!file) { say("upload-msg", "Choose a file first.", true); $("upload").focus(); return; }
  const form = new FormData();
  form.append("file", file);
  say("upload-msg", "Uploading " + file.name + "...");
  try {
    const d = await (await api("/datasets", {method: "POST", body: form})).json();
    say("upload-msg", "Uploaded " + d.name + ": " + d.n_rows.toLocaleString("en") + " rows, " + d.columns.length + " columns.");
    await loadDatasets(d.id);
  } catch (e) { say("upload-msg", "Upload failed: " + e.message, true); }
}

async function auditData() {
  const id = $("dataset").value, outcome = $("outcome").value.trim();
  if (!columns().length || !outcome) { say("audit-msg", "Name the protected column(s) and the outcome first.", true); return; }
  say("audit-msg", "Auditing the data...");
  $("audit").textContent = "";
  try {
    const q = "?protected=" + encodeURIComponent(columns().join(",")) + "&outcome=" + encodeURIComponent(outcome);
    const seq = state.audits = (state.audits || 0) + 1;
    const a = await (await api("/datasets/" + encodeURIComponent(id) + "/audit" + q)).json();
    if (seq !== state.audits) return;  // a newer audit was asked for meanwhile
    say("audit-msg", "Audit of the outcome column as recorded in the data (no model involved):");
    const facts = el("ul", null, "facts");
    const fact = (label, value) => { const li = el("li", label); li.prepend(el("b", value)); facts.appendChild(li); };
    fact("rows", a.n_rows.toLocaleString("en"));
    fact("favourable overall", num(a.base_rate * 100, 1) + " %");
    $("audit").appendChild(facts);
    for (const [attr, info] of Object.entries(a.attributes)) {
      $("audit").appendChild(el("h3", attr));
      const rows = Object.entries(info.groups).map(([g, v]) => [g, v.n.toLocaleString("en"), num(v.base_rate * 100, 1) + " %"]);
      $("audit").appendChild(table(["group", "rows", "favourable"], rows, [false, true, true]));
      const p = el("p", "Gap between the highest and lowest favourable rate: " + num(info.demographic_parity_difference) +
        "; ratio lowest / highest: " + num(info.disparate_impact_ratio) + (info.disparate_impact_ratio < 0.8 ? " (below the four-fifths rule)." : "."));
      $("audit").appendChild(p);
      if (info.small_groups && info.small_groups.length) $("audit").appendChild(el("p", "Small groups (too few rows to judge): " + info.small_groups.join(", "), "err"));
    }
    if (a.most_violated) {
      $("audit").appendChild(el("p", "Largest gap: " + a.most_violated.criterion.replace(/_/g, " ") + " on " +
        a.most_violated.attribute + " (" + num(a.most_violated.value) + ")" + (a.most_violated.note ? "; " + a.most_violated.note : "."), "help"));
    }
  } catch (e) { say("audit-msg", "No audit: " + e.message, true); }
}

async function recommend() {
  const text = $("situation").value.trim();
  if (!text) { say("recommend-msg", "Describe the situation first.", true); $("situation").focus(); return; }
  const body = {text, top: 5};
  if ($("dataset").value && columns().length && $("outcome").value.trim()) {
    Object.assign(body, {dataset_id: $("dataset").value, outcome: $("outcome").value.trim(), protected: columns()});
  }
  say("recommend-msg", "Reading the situation" + (body.dataset_id ? " and auditing the data..." : "..."));
  $("understood").textContent = ""; $("recommendations").textContent = ""; $("caveats").textContent = ""; show("readback", false);
  try {
    const r = await postJSON("/recommend", body);
    say("recommend-msg", r.recommendations.length + " recommendation(s).");
    for (const line of r.understood) $("understood").appendChild(el("li", line.replace(/^understood: /, "")));
    for (const u of r.uncertain) $("understood").appendChild(el("li", "Not sure: " + u.line.replace(/^uncertain: /, "")));
    if (!r.understood.length && !r.uncertain.length) $("understood").appendChild(el("li", "No constraint recognised; every stage is open."));
    $("caveats").textContent = (r.caveats || []).map((c) => "Note: " + c).join(" ");
    for (const rec of r.recommendations) {
      const li = el("li");
      li.appendChild(el("p", rec.name, "name"));
      const meta = el("p", null, "meta");
      meta.appendChild(el("span", rec.stage.replace(/_/g, "-"), "tag"));
      for (const c of rec.criteria || []) meta.appendChild(el("span", c.replace(/_/g, " "), "tag"));
      li.appendChild(meta);
      if (rec.why) li.appendChild(el("p", rec.why));
      if (rec.trade_offs && rec.trade_offs.length) li.appendChild(el("p", "Trade-offs: " + rec.trade_offs.slice(0, 2).join("; "), "help"));
      if (rec.executable) {
        const b = el("button", "Use this technique", "secondary");
        b.type = "button";
        b.setAttribute("aria-label", "Use " + rec.name);
        b.addEventListener("click", () => { $("technique").value = rec.key; $("run-h").scrollIntoView(); $("technique").focus(); });
        li.appendChild(b);
      } else li.appendChild(el("p", "Described in the catalog; not runnable here.", "help"));
      $("recommendations").appendChild(li);
    }
    show("readback", true);
  } catch (e) { say("recommend-msg", "No recommendation: " + e.message, true); }
}

function runBody() {
  return {dataset_id: $("dataset").value, outcome: $("outcome").value.trim(), protected: columns()};
}
async function start(path, body) {
  if (!body.protected.length || !body.outcome) { say("run-msg", "Name the protected column(s) and the outcome in step 1.", true); return; }
  show("result-section", false); state.run = null;
  say("run-msg", "Starting...");
  try { follow((await postJSON(path, body)).id); } catch (e) { say("run-msg", "Not started: " + e.message, true); }
}
const nBoot = () => Math.max(0, parseInt($("nboot").value, 10) || 0);
const startRun = () => start("/runs", Object.assign(runBody(), {technique: $("technique").value, n_boot: nBoot()}));
const startEvaluation = () => {
  const text = $("situation").value.trim();
  if (!text) { say("recommend-msg", "Describe the situation first.", true); return; }
  $("run-h").scrollIntoView();
  return start("/evaluations", Object.assign(runBody(), {text, k: Math.min(10, Math.max(1, parseInt($("k").value, 10) || 3))}));
};
const startPipeline = () => start("/pipelines", Object.assign(runBody(), {policy: {n_boot: nBoot()}}));

async function follow(id) {
  state.run = id;
  show("progress-box", true); $("progress").value = 0;
  document.querySelectorAll("#run-btn, #pipeline-btn").forEach((b) => { b.disabled = true; });
  show("result-section", false);
  try {
    for (;;) {
      const run = await (await api("/runs/" + id)).json();
      if (state.run !== id) return;
      const pct = Math.round(run.progress * 100);
      $("progress").value = pct;
      $("progress-label").textContent = "Progress: " + pct + " %";
      const what = run.technique + " on " + datasetName(run.dataset_id);
      say("run-msg", what + ": " + run.status + (run.step && run.status === "running" ? " (" + run.step + ")" : "") +
        (run.error ? ". " + run.error : ""), run.status === "failed" || run.status === "interrupted");
      if (!["queued", "running"].includes(run.status)) { showResult(run); loadRuns(); return; }
      await new Promise((r) => setTimeout(r, 800));
    }
  } catch (e) { say("run-msg", "Lost track of the run: " + e.message, true); }
  finally { document.querySelectorAll("#run-btn, #pipeline-btn").forEach((b) => { b.disabled = false; }); }
}
const datasetName = (id) => (state.datasets.get(id) || {name: id.slice(0, 8)}).name;

function showResult(run) {
  show("result-section", true);
  $("result").textContent = ""; $("downloads").textContent = ""; show("report", false);
  $("report").removeAttribute("srcdoc");
  const report = run.report || {};
  const verdict = $("verdict");
  verdict.className = "verdict";
  if (run.status === "done" && report.evaluation) { showEvaluation(report); return; }
  if (run.status !== "done") { verdict.textContent = "The run " + run.status + ": " + (run.error || "no report"); verdict.classList.add("fail"); }
  else if (report.gate) {
    verdict.textContent = report.gate.passed ? "The change passes the gate." : "The change does not pass the gate.";
    verdict.classList.add(report.gate.passed ? "pass" : "fail");
    const failed = (report.gate.reasons || []).filter((r) => / FAIL$/.test(r));
    if (failed.length) {
      const list = el("ul", null, "help");
      for (const r of failed) list.appendChild(el("li", r.replace(/ FAIL$/, "")));
      $("result").appendChild(el("p", "Why:", "help")); $("result").appendChild(list);
    }
  } else if (report.summary && report.summary.decision) verdict.textContent = report.summary.decision;
  else verdict.textContent = run.technique === "audit" ? "Audit finished: the per-group figures are in the report (JSON)." : "Finished.";
  if (report.change) {
    const target = report.target_metric;
    const keys = Object.keys(report.change).sort((a, b) => (b === target) - (a === target));
    const rows = keys.map((m) => {
      const c = report.change[m], dir = el("span", c.improved ? "better" : "not better", c.improved ? "better" : "");
      return [(METRICS[m] || m.replace(/_/g, " ")) + (m === target ? " (target)" : ""), num(c.before), num(c.after), signed(c.delta),
        c.ci95 ? "[" + signed(c.ci95[0]) + ", " + signed(c.ci95[1]) + "]" : "n/a", num(c.p_value), dir];
    });
    $("result").appendChild(el("p", "Measured on the " + (report.dataset && report.dataset.n_test || "held-out") + " held-out test rows:", "help"));
    $("result").appendChild(table(["metric", "before", "after", "change", "95 % CI", "p", ""], rows, [false, true, true, true, true, true, false], true));
  }
  const hasHtml = run.artifacts.includes("report.html");
  document.querySelectorAll("#report-btn, #report-tab-btn").forEach((b) => b.classList.toggle("hidden", !hasHtml));
  for (const name of run.artifacts) {
    const li = el("li"), b = el("button", (FILES[name] || name), "link");
    b.type = "button";
    b.setAttribute("aria-label", "Download " + (FILES[name] || name) + ", " + name);
    b.addEventListener("click", () => download(run.id, name));
    li.appendChild(b);
    li.appendChild(el("span", " " + name, "help"));
    $("downloads").appendChild(li);
  }
  if (!run.artifacts.length) $("downloads").appendChild(el("li", "No files.", "help"));
  $("result-section").focus();
}
function showEvaluation(report) {
  const metric = report.judged_on, name = METRICS[metric] || metric.replace(/_/g, " ");
  const pick = report.pick && report.pick.key, n = report.evaluation.length;
  const measured = "Measured " + n + " technique" + (n === 1 ? "" : "s");
  $("verdict").textContent = measured + (pick ? "; the pick is " + pick + "." : "; none fits the accuracy budget.");
  $("verdict").classList.add(pick ? "pass" : "fail");
  if (report.pick && report.pick.reason) $("result").appendChild(el("p", "Why: " + report.pick.reason, "help"));
  const rows = report.evaluation.map((e) => {
    const use = el("button", "Use", "link");
    use.type = "button";
    use.setAttribute("aria-label", "Use " + e.key);
    use.addEventListener("click", () => { $("technique").value = e.key; $("run-h").scrollIntoView(); $("technique").focus(); });
    if (e.error) return [e.key, "could not run: " + e.error, "", "", "", ""];
    const c = e.change[metric] || {}, acc = e.change.accuracy || {};
    return [e.key + (e.key === pick ? " (pick)" : ""), num(e.before[metric]) + " \u2192 " + num(e.after[metric]),
      c.ci95 ? signed(c.delta) + " [" + signed(c.ci95[0]) + ", " + signed(c.ci95[1]) + "]" : "n/a",
      signed(acc.delta), e.gate ? (e.gate.passed ? "passes" : "does not pass") : "n/a", use];
  });
  $("result").appendChild(el("p", "Measured on the held-out test rows; " + name + " is the judged metric:", "help"));
  $("result").appendChild(table(["technique", name, "change (95 % CI)", "accuracy change", "gate", ""], rows,
    [false, true, true, true, false, false], true));
  document.querySelectorAll("#report-btn, #report-tab-btn").forEach((b) => b.classList.add("hidden"));
  $("downloads").appendChild(el("li", "The measurements as JSON: "));
  const b = el("button", "Report (JSON)", "link");
  b.type = "button"; b.addEventListener("click", () => download(state.run, "report.json"));
  $("downloads").lastChild.appendChild(b);
  $("result-section").focus();
}
async function reportText() { return (await api("/runs/" + state.run + "/report")).text(); }
async function readReport() {
  try { $("report").srcdoc = await reportText(); show("report", true); $("report").focus(); }
  catch (e) { say("run-msg", "No report: " + e.message, true); }
}
async function reportTab() {
  const tab = window.open("", "_blank");
  try {
    const url = URL.createObjectURL(new Blob([await reportText()], {type: "text/html"}));
    if (tab) tab.location = url; else window.location.assign(url);
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (e) { if (tab) tab.close(); say("run-msg", "No report: " + e.message, true); }
}
async function download(id, name) {
  try {
    const blob = await (await api("/runs/" + id + "/artifacts/" + encodeURIComponent(name))).blob();
    const a = el("a"); a.href = URL.createObjectURL(blob); a.download = name; document.body.appendChild(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  } catch (e) { say("run-msg", "Download failed: " + e.message, true); }
}

async function loadRuns() {
  const rows = await (await api("/runs")).json();
  $("runs").textContent = "";
  for (const r of rows) {
    const row = $("runs").insertRow(), b = el("button", "Open", "link");
    b.type = "button";
    b.setAttribute("aria-label", "Open " + r.technique + " run " + r.id.slice(0, 8));
    b.addEventListener("click", () => { follow(r.id); $("run-h").scrollIntoView(); });
    const when = new Date(r.created * 1000);
    const cells = [["", r.technique], ["data", datasetName(r.dataset_id)], ["status", r.status],
      ["started", when.toLocaleString("en-GB", {dateStyle: "short", timeStyle: "short"})]];
    for (const [label, text] of cells) {
      const td = row.insertCell();
      td.textContent = text;
      if (label) td.dataset.label = label;
    }
    row.insertCell().appendChild(b);
  }
  if (!rows.length) { const c = $("runs").insertRow().insertCell(); c.colSpan = 5; c.textContent = "No runs yet."; }
}

$("signin-form").addEventListener("submit", signIn);
$("signout-btn").addEventListener("click", () => signOut());
$("dataset").addEventListener("change", datasetChanged);
$("upload-btn").addEventListener("click", upload);
$("audit-btn").addEventListener("click", auditData);
$("recommend-btn").addEventListener("click", recommend);
$("run-btn").addEventListener("click", startRun);
$("pipeline-btn").addEventListener("click", startPipeline);
$("evaluate-btn").addEventListener("click", startEvaluation);
$("report-btn").addEventListener("click", readReport);
$("report-tab-btn").addEventListener("click", reportTab);
$("runs-btn").addEventListener("click", loadRuns);
if (sessionStorage.getItem("fairmend-token")) signIn();
