"""The store (versioned schema, append-only audit, restart), tokens (hashed, roles) and the token CLI."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from _live_server import cli

from fairmend.errors import InvalidParameterError
from fairmend.serve.auth import PREFIX, create_token, verify
from fairmend.serve.store import SCHEMA_VERSION, Store, default_url, schema_version


def _store(tmp_path: Path) -> Store:
    return Store(default_url(tmp_path))


def test_schema_is_versioned_and_a_newer_one_is_refused(tmp_path: Path) -> None:
    store = _store(tmp_path)
    assert store.migrate() == SCHEMA_VERSION
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(schema_version.c.version)).scalar_one() == SCHEMA_VERSION
    assert _store(tmp_path).list_tokens() == []  # reopening migrates nothing and keeps the data
    with store.engine.begin() as conn:
        conn.execute(schema_version.update().values(version=SCHEMA_VERSION + 1))
    with pytest.raises(InvalidParameterError, match="schema version"):
        _store(tmp_path)


def test_unusable_database_urls_are_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="not a database URL"):
        Store("nonsense")
    with pytest.raises(InvalidParameterError, match="cannot open the database"):
        Store(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'x.db'}")


def test_audit_log_is_append_only(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.log(actor="a", action="POST /runs", target="x", outcome=202, fingerprint="f" * 64)
    for statement in ("UPDATE audit SET actor = 'b'", "DELETE FROM audit"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), store.engine.begin() as conn:
            conn.exec_driver_sql(statement)
    assert [e["actor"] for e in store.audit_log()] == ["a"]


def test_tokens_are_stored_hashed_and_checked(tmp_path: Path) -> None:
    store = _store(tmp_path)
    token_id, token = create_token(store, "ana", "analyst")
    # the secret is everything after "fm_<id>_" (token_urlsafe may itself contain "_"; rsplit took only its tail)
    secret = token[len(PREFIX) :].partition("_")[2]
    assert len(secret) >= 40
    with store.engine.connect() as conn:
        (row,) = conn.exec_driver_sql("SELECT * FROM tokens").fetchall()
    assert row[0] == token_id and not any(secret in str(value) for value in row)
    who = verify(store, token)
    assert who is not None and who.role == "analyst" and who.allows("viewer") and not who.allows("admin")
    assert verify(store, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert verify(store, "fm_nonsense") is None
    assert store.revoke_token(token_id) and verify(store, token) is None
    with pytest.raises(InvalidParameterError, match="role"):
        create_token(store, "x", "owner")


def test_restart_marks_unfinished_runs_interrupted(tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    from fairmend.serve.app import Settings, create_app

    store = _store(tmp_path)
    for run_id, status in (("a" * 32, "running"), ("b" * 32, "queued"), ("c" * 32, "done")):
        store.add_run({"id": run_id, "technique": "t", "dataset_id": "german", "request": {}, "status": status,
                       "progress": 0.5, "created": time.time()})
    create_app(Settings(data_dir=tmp_path, workers=1))
    assert [store.run(c * 32)["status"] for c in "abc"] == ["interrupted", "interrupted", "done"]


def test_token_cli_prints_the_token_alone_on_its_last_line(tmp_path: Path) -> None:
    made = cli("serve", "token", "create", "--name", "Lead", "--role", "viewer", "--data-dir", str(tmp_path))
    assert made.returncode == 0, made.stderr
    token = made.stdout.splitlines()[-1]
    who = verify(_store(tmp_path), token)
    assert who is not None and who.name == "Lead" and who.role == "viewer"
    listed = cli("serve", "token", "list", "--json", "--data-dir", str(tmp_path))
    assert who.token_id in listed.stdout and token.rsplit("_", 1)[1] not in listed.stdout
    assert cli("serve", "token", "revoke", who.token_id, "--data-dir", str(tmp_path)).returncode == 0
    assert verify(_store(tmp_path), token) is None
    bad = cli("serve", "token", "create", "--name", "x", "--role", "owner", "--data-dir", str(tmp_path))
    assert bad.returncode == 2
