"""The REST API against a live server on a loopback port: auth, uploads, runs, failures, concurrency, audit."""

from __future__ import annotations

from _live_server import MAX_UPLOAD_MB, Server

RUN = {"technique": "reweighing_kamiran_calders", "protected": ["sex"], "outcome": "credit", "n_boot": 20}


def _dataset(server: Server, german_csv: bytes) -> str:
    reply = server.upload(server.tokens["analyst"], "german.csv", german_csv)
    assert reply.status == 201, reply.body
    return str(reply.json()["id"])


def test_health_needs_no_token_and_everything_else_does(server: Server) -> None:
    health = server.call("GET", "/api/v1/health")
    assert health.status == 200 and health.json()["status"] == "ok" and health.json()["version"]
    for method, path in (("GET", "/api/v1/datasets"), ("GET", "/api/v1/techniques"), ("GET", "/api/v1/audit")):
        reply = server.call(method, path)
        assert reply.status == 401, path
        assert reply.headers.get("www-authenticate") == "Bearer"
    assert server.call("POST", "/api/v1/runs", body={**RUN, "dataset_id": "german"}).status == 401
    assert server.upload(None, "german.csv", b"a,b\n1,2\n").status == 401
    forged = server.tokens["admin"][:-4] + "AAAA"
    assert server.call("GET", "/api/v1/datasets", token=forged).status == 401
    openapi = server.call("GET", "/api/v1/openapi.json").json()
    assert "/api/v1/runs/{run_id}" in openapi["paths"]


def test_roles(server: Server, german_csv: bytes) -> None:
    viewer, analyst = server.tokens["viewer"], server.tokens["analyst"]
    assert server.call("POST", "/api/v1/runs", token=viewer, body={**RUN, "dataset_id": "german"}).status == 403
    assert server.upload(viewer, "german.csv", german_csv).status == 403
    assert server.call("GET", "/api/v1/audit", token=analyst).status == 403
    assert server.call("POST", "/api/v1/tokens", token=analyst, body={"name": "x", "role": "admin"}).status == 403
    listed = server.call("GET", "/api/v1/techniques", token=viewer).json()
    assert any(t["key"] == "reweighing_kamiran_calders" for t in listed)
    assert server.call("GET", "/api/v1/techniques/reweighing_kamiran_calders", token=viewer).json()["stage"]
    assert server.call("GET", "/api/v1/techniques/no_such_thing", token=viewer).status == 404
    ids = {d["id"] for d in server.call("GET", "/api/v1/datasets", token=viewer).json()}
    assert {"adult", "german"} <= ids


def test_upload_run_report_and_artifacts(server: Server, german_csv: bytes) -> None:
    analyst, viewer = server.tokens["analyst"], server.tokens["viewer"]
    reply = server.upload(analyst, "german.csv", german_csv)
    assert reply.status == 201
    meta = reply.json()
    assert meta["n_rows"] == 1000 and "sex" in meta["columns"] and "credit" in meta["columns"]
    started = server.call("POST", "/api/v1/runs", token=analyst, body={**RUN, "dataset_id": meta["id"]})
    assert started.status == 202 and started.json()["status"] == "queued"
    run = server.wait_run(started.json()["id"], viewer)
    assert run["status"] == "done", run["error"]
    assert run["progress"] == 1.0
    assert "change" in run["report"] and run["report"]["technique"] == "reweighing_kamiran_calders"
    assert "predictions.parquet" in run["artifacts"]
    assert run["report"]["artifacts"]["predictions"] == f"runs/{run['id']}/predictions.parquet"
    assert str(server.data_dir) not in str(run["report"])
    got = server.call("GET", f"/api/v1/runs/{run['id']}/artifacts/report.json", token=viewer)
    assert got.status == 200 and b'"change"' in got.body
    assert got.headers["content-disposition"].startswith("attachment")
    page = server.call("GET", f"/api/v1/runs/{run['id']}/report", token=viewer)
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    text = page.body.decode()
    before = run["report"]["change"]["demographic_parity_difference"]["before"]
    assert "demographic-parity gap" in text and f"{before:.3f}" in text and "<script" not in text.lower()
    assert str(server.data_dir) not in text and "report.html" in run["artifacts"]
    for name in ("..%2F..%2Ffairmend.db", "%2E%2E", ".manifest", "missing.csv"):
        assert server.call("GET", f"/api/v1/runs/{run['id']}/artifacts/{name}", token=viewer).status == 404, name
    assert server.call("POST", "/api/v1/runs", token=viewer, body={**RUN, "dataset_id": meta["id"]}).status == 403
    log = server.call("GET", "/api/v1/audit", token=server.tokens["admin"]).json()
    posted = [e for e in log if e["action"] == "POST /runs" and e["target"] == run["id"]]
    assert len(posted) == 1 and len(posted[0]["fingerprint"]) == 64 and posted[0]["actor"].startswith("analyst")
    assert any(e["action"] == "POST /datasets" and e["target"] == meta["id"] for e in log)
    reads = [e for e in log if e["action"] == "GET /runs" and e["target"] == run["id"]]
    assert reads and all(e["actor"].startswith("viewer") for e in reads)  # the finished run, read by the viewer
    assert any(e["outcome"] == 403 and e["action"] == "POST /runs" and e["actor"].startswith("viewer") for e in log)


def test_dataset_audit(server: Server) -> None:
    viewer = server.tokens["viewer"]
    reply = server.call("GET", "/api/v1/datasets/german/audit?protected=sex,age_group&outcome=credit", token=viewer)
    assert reply.status == 200, reply.body
    found = reply.json()
    assert found["n_rows"] == 1000 and set(found["attributes"]) == {"sex", "age_group"}
    assert found["attributes"]["sex"]["groups"]["female"]["n"] == 310
    missing = server.call("GET", "/api/v1/datasets/german/audit?protected=nope&outcome=credit", token=viewer)
    assert missing.status == 422 and "nope" in missing.json()["detail"]
    assert server.call("GET", "/api/v1/datasets/german/audit?protected=sex&outcome=credit").status == 401
    assert server.call("GET", f"/api/v1/datasets/{'0' * 32}/audit?protected=sex&outcome=credit",
                       token=viewer).status == 404


def test_upload_limits_and_validation(server: Server) -> None:
    analyst = server.tokens["analyst"]
    big = b"a,b\n" + b"1,2\n" * int(MAX_UPLOAD_MB * 1024 * 1024 / 4 + 20_000)
    assert server.upload(analyst, "big.csv", big).status == 413
    assert server.upload(analyst, "notes.txt", b"a,b\n1,2\n").status == 415
    empty = server.upload(analyst, "empty.csv", b"a,b\n")
    assert empty.status == 422 and empty.json()["type"] == "DataFileError"
    assert server.call("GET", "/api/v1/health").status == 200


def test_bad_requests_are_refused_before_queueing(server: Server) -> None:
    analyst = server.tokens["analyst"]
    assert server.call("POST", "/api/v1/runs", token=analyst, body={**RUN, "dataset_id": "0" * 32}).status == 404
    unknown = server.call("POST", "/api/v1/runs", token=analyst, body={**RUN, "dataset_id": "german",
                                                                        "technique": "no_such_technique"})
    assert unknown.status == 404
    bad_param = server.call("POST", "/api/v1/runs", token=analyst,
                            body={**RUN, "dataset_id": "german", "params": {"no_such_param": 1}})
    assert bad_param.status == 422 and bad_param.json()["type"] == "InvalidParameterError"


def test_a_failing_job_is_failed_and_the_server_still_answers(server: Server) -> None:
    analyst = server.tokens["analyst"]
    started = server.call("POST", "/api/v1/runs", token=analyst,
                          body={**RUN, "dataset_id": "german", "outcome": "no_such_column"})
    run = server.wait_run(started.json()["id"], analyst)
    assert run["status"] == "failed"
    assert "no_such_column" in run["error"] and "\n" not in run["error"]
    assert run["report"] is None
    assert server.call("GET", "/api/v1/health").status == 200


def test_two_concurrent_runs_both_finish(server: Server, german_csv: bytes) -> None:
    analyst = server.tokens["analyst"]
    dataset_id = _dataset(server, german_csv)
    ids = [server.call("POST", "/api/v1/runs", token=analyst,
                       body={**RUN, "dataset_id": dataset_id, "protected": [column]}).json()["id"]
           for column in ("sex", "age_group")]
    runs = [server.wait_run(run_id, analyst) for run_id in ids]
    assert [r["status"] for r in runs] == ["done", "done"], [r["error"] for r in runs]
    assert [r["report"]["dataset"]["protected"] for r in runs] == [["sex"], ["age_group"]]


def test_pipeline_with_its_html_report(server: Server) -> None:
    analyst, viewer = server.tokens["analyst"], server.tokens["viewer"]
    body = {"dataset_id": "german", "protected": ["sex"], "outcome": "credit", "policy": {"n_boot": 20}}
    bad = server.call("POST", "/api/v1/pipelines", token=analyst, body={**body, "policy": {"no_such_key": 1}})
    assert bad.status == 422 and "no_such_key" in bad.json()["detail"]
    assert server.call("POST", "/api/v1/pipelines", token=viewer, body=body).status == 403
    started = server.call("POST", "/api/v1/pipelines", token=analyst, body=body)
    assert started.status == 202
    run = server.wait_run(started.json()["id"], viewer)
    assert run["status"] == "done", run["error"]
    assert run["technique"] == "pipeline" and "report.html" in run["artifacts"] and run["report"]
    html = server.call("GET", f"/api/v1/runs/{run['id']}/report", token=viewer)
    assert html.status == 200 and html.headers["content-type"].startswith("text/html")
    assert b"<html" in html.body.lower()
    assert "default-src 'none'" in html.headers["content-security-policy"]


def test_web_page_is_self_contained(server: Server) -> None:
    page = server.call("GET", "/")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    text = page.body.decode()
    assert '<script src="/ui/app.js">' in text and 'for="token"' in text
    assert "http://" not in text and "https://" not in text  # every asset is bundled
    script = server.call("GET", "/ui/app.js")
    assert script.status == 200 and "innerHTML" not in script.body.decode()
    assert script.headers["content-type"].startswith("text/javascript")
    style = server.call("GET", "/ui/app.css")
    assert style.status == 200 and style.headers["content-type"].startswith("text/css") and b"@media" in style.body
    assert server.call("GET", "/ui/..%2Ffairmend.db").status == 404
    me = server.call("GET", "/api/v1/me", token=server.tokens["viewer"]).json()
    assert me["name"] == "viewer" and me["role"] == "viewer" and len(me["token_id"]) == 32


def test_recommend_reads_the_text_and_audits_a_dataset(server: Server) -> None:
    viewer = server.tokens["viewer"]
    body = {"text": "loan approvals; we cannot retrain the deployed model; equal opportunity", "top": 3}
    plain = server.call("POST", "/api/v1/recommend", token=viewer, body=body)
    assert plain.status == 200, plain.body
    result = plain.json()
    assert result["constraints"]["retraining_allowed"]["value"] is False
    assert 1 <= len(result["recommendations"]) <= 3
    audited = server.call("POST", "/api/v1/recommend", token=viewer,
                          body={**body, "dataset_id": "german", "protected": ["sex"], "outcome": "credit"})
    assert audited.status == 200 and audited.json()["audit"]
    assert server.call("POST", "/api/v1/recommend", token=viewer, body={**body, "dataset_id": "german"}).status == 422
    assert server.call("POST", "/api/v1/recommend", body=body).status == 401


def test_browsable_api_docs_are_bundled(server: Server) -> None:
    page = server.call("GET", "/api/v1/docs")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    text = page.body.decode()
    assert "POST /api/v1/runs" in text and "dataset_id" in text and "GET /api/v1/runs/{run_id}/artifacts/{name}" in text
    assert "<script" not in text and "https://" not in text


def test_audit_of_a_models_predictions(server: Server, german_csv: bytes) -> None:
    import io

    import pandas as pd

    analyst = server.tokens["analyst"]
    frame = pd.read_csv(io.BytesIO(german_csv))
    frame["approved"] = ((frame["credit"] == 1) & ((frame["sex"] == "male") | (frame["duration"] < 24))).astype(int)
    uploaded = server.upload(analyst, "scored.csv", frame.to_csv(index=False).encode())
    assert uploaded.status == 201
    body = {"dataset_id": uploaded.json()["id"], "protected": ["sex"], "outcome": "credit",
            "predictions": "approved", "n_boot": 20, "n_permutations": 20}
    assert server.call("POST", "/api/v1/audits", token=server.tokens["viewer"], body=body).status == 403
    run = server.wait_run(server.call("POST", "/api/v1/audits", token=analyst, body=body).json()["id"], analyst)
    assert run["status"] == "done", run["error"]
    gap = run["report"]["per_attribute"]["sex"]["gaps"]["demographic_parity_difference"]["value"]
    assert gap > 0.05
    missing = server.call("POST", "/api/v1/audits", token=analyst, body={**body, "predictions": "nope"}).json()
    failed = server.wait_run(missing["id"], analyst)
    assert failed["status"] == "failed" and "nope" in failed["error"]


def test_evaluation_measures_the_top_recommendations_on_the_data(server: Server) -> None:
    analyst = server.tokens["analyst"]
    body = {"text": "loan approvals; demographic parity", "dataset_id": "german", "protected": ["sex"],
            "outcome": "credit", "k": 2}
    assert server.call("POST", "/api/v1/evaluations", token=server.tokens["viewer"], body=body).status == 403
    assert server.call("POST", "/api/v1/evaluations", token=analyst, body={**body, "k": 11}).status == 422
    started = server.call("POST", "/api/v1/evaluations", token=analyst, body=body)
    assert started.status == 202, started.body
    run = server.wait_run(started.json()["id"], analyst)
    assert run["status"] == "done", run["error"]
    assert run["technique"] == "evaluate" and run["progress"] == 1.0
    measured = run["report"]["evaluation"]
    assert len(measured) == 2 and all("change" in e or "error" in e for e in measured)
    assert run["report"]["judged_on"] == "demographic_parity_difference"
    assert server.call("GET", f"/api/v1/runs/{run['id']}/report", token=analyst).status == 404
