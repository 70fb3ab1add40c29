"""The store on PostgreSQL: a throwaway cluster (initdb + pg_ctl, loopback port, temporary folder) takes
the migrations, refuses changes to the audit log, and serves a live ``fairmend serve --db`` from token to
finished run and its HTML report. Skipped only where PostgreSQL's server binaries are not installed."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from _live_server import _free_port, cli, start_server, stop_server

from fairmend.serve.auth import create_token, verify
from fairmend.serve.store import SCHEMA_VERSION, Store, schema_version

pytest.importorskip("psycopg", reason="the postgres extra (psycopg) is not installed")


def _bin_dir() -> Path | None:
    """Where initdb and pg_ctl live: on PATH, or Debian's /usr/lib/postgresql/VERSION/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    for folder in sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True
    ):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


BIN = _bin_dir()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        BIN is None, reason="no PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql"
    ),
]


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """``postgresql://`` URL of a fresh cluster on 127.0.0.1, removed afterwards. As root (which initdb
    refuses) the cluster belongs to the ``postgres`` user, or ``nobody``."""
    assert BIN is not None
    folder = Path(tempfile.mkdtemp(prefix="fairmend-pg-"))
    user = None
    if os.geteuid() == 0:
        for name in ("postgres", "nobody"):
            try:
                user = pwd.getpwnam(name)
                break
            except KeyError:
                continue
        assert user is not None, "running as root and neither a postgres nor a nobody user exists"
        os.chown(folder, user.pw_uid, user.pw_gid)
    as_user = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []} if user else {}
    port, data = _free_port(), folder / "data"

    def pg(*args: str) -> None:
        done = subprocess.run(
            [str(BIN / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=folder,
            env={**os.environ, "LC_ALL": "C"},
            **as_user,
        )
        assert done.returncode == 0, f"{args[0]} failed: {done.stderr or done.stdout}"

    pg("initdb", "-D", str(data), "-U", "fairmend", "--auth=trust", "-E", "UTF8", "--no-sync")
    pg(
        "pg_ctl",
        "-D",
        str(data),
        "-l",
        str(folder / "log"),
        "-w",
        "-t",
        "60",
        "-o",
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -F",
        "start",
    )
    try:
        yield f"postgresql://fairmend@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            timeout=60,
            check=False,
            cwd=folder,
            **as_user,
        )
        shutil.rmtree(folder, ignore_errors=True)


def test_migrations_tokens_and_append_only_audit(postgres_url: str) -> None:
    store = Store(postgres_url)
    assert store.engine.dialect.name == "postgresql" and store.engine.dialect.driver == "psycopg"
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(schema_version.c.version)).scalar_one() == SCHEMA_VERSION
    token_id, token = create_token(store, "pg", "analyst")
    assert Store(postgres_url).token(token_id) is not None  # reopening migrates nothing and keeps the data
    who = verify(store, token)
    assert who is not None and who.role == "analyst"
    store.log(actor="a", action="POST /runs", target="x", outcome=202, fingerprint="f" * 64)
    for statement in ("UPDATE audit SET actor = 'b'", "DELETE FROM audit", "TRUNCATE audit"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), store.engine.begin() as conn:
            conn.exec_driver_sql(statement)
    assert [e["actor"] for e in store.audit_log()] == ["a"]
    store.add_run(
        {
            "id": "a" * 32,
            "technique": "t",
            "dataset_id": "german",
            "request": {"x": 1},
            "status": "running",
            "progress": 0.5,
            "created": time.time(),
        }
    )
    assert store.interrupt_unfinished() == 1 and store.run("a" * 32)["status"] == "interrupted"


def test_live_server_on_postgres_runs_reweighing_to_its_report(postgres_url: str, tmp_path: Path) -> None:
    made = cli(
        "serve",
        "token",
        "create",
        "--name",
        "ana",
        "--role",
        "analyst",
        "--db",
        postgres_url,
        "--data-dir",
        str(tmp_path),
    )
    assert made.returncode == 0, made.stderr
    token = made.stdout.splitlines()[-1]
    server = start_server(tmp_path, workers=1, db_url=postgres_url)
    try:
        body = {
            "technique": "reweighing_kamiran_calders",
            "dataset_id": "german",
            "protected": ["sex"],
            "outcome": "credit",
            "n_boot": 20,
        }
        started = server.call("POST", "/api/v1/runs", token=token, body=body)
        assert started.status == 202, started.body
        run = server.wait_run(started.json()["id"], token)
        assert run["status"] == "done", run["error"]
        page = server.call("GET", f"/api/v1/runs/{run['id']}/report", token=token)
        assert page.status == 200 and b"demographic-parity gap" in page.body
    finally:
        stop_server(server)
    assert not (tmp_path / "fairmend.db").exists()  # everything went to PostgreSQL
    log = Store(postgres_url).audit_log()
    assert any(e["action"] == "POST /runs" and e["target"] == run["id"] for e in log)
