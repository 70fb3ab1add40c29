"""The server's database: tokens, datasets, runs and the append-only audit log (SQLAlchemy Core).

SQLite in the data directory by default (nothing to install); any SQLAlchemy URL, such as
``postgresql://user@host/db``, with ``--db``. The schema is versioned: ``schema_version`` holds the
number of the last migration applied, and :data:`MIGRATIONS` lists them in order, so a newer
fairmend upgrades an older database on start-up and an older fairmend refuses a newer one.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from fairmend.errors import InvalidParameterError, MissingDependencyError

metadata = sa.MetaData()

schema_version = sa.Table("schema_version", metadata, sa.Column("version", sa.Integer, nullable=False))

tokens = sa.Table(
    "tokens", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("salt", sa.String(64), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("revoked", sa.Float, nullable=True),
)

datasets = sa.Table(
    "datasets", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("path", sa.String(1000), nullable=False),  # relative to the data directory
    sa.Column("n_rows", sa.Integer, nullable=False),
    sa.Column("columns", sa.Text, nullable=False),  # JSON array
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("owner", sa.String(32), nullable=True),
    sa.Column("created", sa.Float, nullable=False),
)

runs = sa.Table(
    "runs", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("technique", sa.String(200), nullable=False),
    sa.Column("dataset_id", sa.String(32), nullable=False),
    sa.Column("request", sa.Text, nullable=False),  # JSON of the POST body
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("progress", sa.Float, nullable=False, default=0.0),
    sa.Column("step", sa.String(200), nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("owner", sa.String(32), nullable=True),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("started", sa.Float, nullable=True),
    sa.Column("finished", sa.Float, nullable=True),
)

audit = sa.Table(
    "audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("actor", sa.String(200), nullable=True),  # "name (token id)" or None when unauthenticated
    sa.Column("action", sa.String(200), nullable=False),
    sa.Column("target", sa.String(300), nullable=True),
    sa.Column("outcome", sa.Integer, nullable=False),  # the HTTP status answered
    sa.Column("fingerprint", sa.String(64), nullable=True),  # sha256 of the input (upload bytes, JSON body)
)

RUN_STATES = ("queued", "running", "done", "failed", "interrupted")


def fingerprint(body: Any) -> str:
    """sha256 of a request body's canonical JSON (a pydantic model): the audit log's input fingerprint."""
    return hashlib.sha256(json.dumps(body.model_dump(), sort_keys=True, default=str).encode()).hexdigest()


def _v1(conn: sa.Connection) -> None:
    metadata.create_all(conn, tables=[tokens, datasets, runs, audit])
    if conn.dialect.name == "sqlite":  # the audit log is append-only, enforced by the database too
        for verb in ("UPDATE", "DELETE"):
            conn.exec_driver_sql(
                f"CREATE TRIGGER IF NOT EXISTS audit_no_{verb.lower()} BEFORE {verb} ON audit "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
            )
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql("CREATE RULE audit_no_update AS ON UPDATE TO audit DO INSTEAD NOTHING")
        conn.exec_driver_sql("CREATE RULE audit_no_delete AS ON DELETE TO audit DO INSTEAD NOTHING")


def _v2(conn: sa.Connection) -> None:
    """PostgreSQL: refuse changes to the audit log with an error, as SQLite does, instead of ignoring them."""
    if conn.dialect.name != "postgresql":
        return
    conn.exec_driver_sql("DROP RULE IF EXISTS audit_no_update ON audit")
    conn.exec_driver_sql("DROP RULE IF EXISTS audit_no_delete ON audit")
    conn.exec_driver_sql(
        "CREATE OR REPLACE FUNCTION fairmend_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$"
    )
    conn.exec_driver_sql("CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit "
                         "FOR EACH STATEMENT EXECUTE FUNCTION fairmend_audit_append_only()")


# Migration n (1-based) brings the schema from version n-1 to n. Append, never edit.
MIGRATIONS: tuple[Callable[[sa.Connection], None], ...] = (_v1, _v2)
SCHEMA_VERSION = len(MIGRATIONS)


def default_url(data_dir: str | Path) -> str:
    return f"sqlite:///{Path(data_dir).resolve() / 'fairmend.db'}"


def new_id() -> str:
    return uuid.uuid4().hex


class Store:
    """One database: open (creating or migrating the schema), then read and write rows."""

    def __init__(self, url: str) -> None:
        try:
            self.engine = sa.create_engine(_with_driver(url), future=True)
        except (ModuleNotFoundError, sa.exc.NoSuchModuleError) as exc:
            raise MissingDependencyError(f"the database driver for {url.split(':')[0]!r} is not installed "
                                         f"({exc}); for PostgreSQL pip install 'fairmend[postgres]'") from exc
        except sa.exc.ArgumentError as exc:
            raise InvalidParameterError(f"--db {_masked(url)!r} is not a database URL: {exc}") from exc
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            self.migrate()
        except sa.exc.OperationalError as exc:
            reason = " ".join(str(exc.orig or exc).split())
            raise InvalidParameterError(f"cannot open the database {self.engine.url!r}: {reason}") from exc

    def migrate(self) -> int:
        """Create or upgrade the schema; returns the version now in place."""
        with self.engine.begin() as conn:
            schema_version.create(conn, checkfirst=True)
            current = conn.execute(sa.select(schema_version.c.version)).scalar()
            if current is None:
                conn.execute(schema_version.insert().values(version=0))
                current = 0
            if current > SCHEMA_VERSION:
                raise InvalidParameterError(
                    f"the database has schema version {current}; this fairmend knows up to {SCHEMA_VERSION}"
                )
            for number in range(current + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[number - 1](conn)
                conn.execute(schema_version.update().values(version=number))
        return SCHEMA_VERSION

    # tokens ---------------------------------------------------------------------------------
    def add_token(self, row: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(tokens.insert().values(**row))

    def token(self, token_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(tokens).where(tokens.c.id == token_id)).mappings().first()
        return dict(row) if row else None

    def list_tokens(self) -> list[dict[str, Any]]:
        cols = [tokens.c.id, tokens.c.name, tokens.c.role, tokens.c.created, tokens.c.revoked]
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(sa.select(*cols).order_by(tokens.c.created)).mappings()]

    def revoke_token(self, token_id: str) -> bool:
        with self.engine.begin() as conn:
            done = conn.execute(tokens.update().where(tokens.c.id == token_id, tokens.c.revoked.is_(None))
                                .values(revoked=time.time()))
        return bool(done.rowcount)

    # datasets -------------------------------------------------------------------------------
    def add_dataset(self, row: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(datasets.insert().values(**{**row, "columns": json.dumps(row["columns"])}))

    def dataset(self, dataset_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(datasets).where(datasets.c.id == dataset_id)).mappings().first()
        return _dataset_row(row) if row else None

    def list_datasets(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [_dataset_row(r) for r in conn.execute(sa.select(datasets).order_by(datasets.c.created)).mappings()]

    # runs -----------------------------------------------------------------------------------
    def add_run(self, row: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(runs.insert().values(**{**row, "request": json.dumps(row["request"])}))

    def update_run(self, run_id: str, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(runs.update().where(runs.c.id == run_id).values(**values))

    def run(self, run_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(runs).where(runs.c.id == run_id)).mappings().first()
        return _run_row(row) if row else None

    def list_runs(self, limit: int = 100) -> list[dict[str, Any]]:
        query = sa.select(runs).order_by(runs.c.created.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [_run_row(r) for r in conn.execute(query).mappings()]

    def interrupt_unfinished(self) -> int:
        """Mark runs left queued or running by a previous server process as interrupted."""
        with self.engine.begin() as conn:
            done = conn.execute(runs.update().where(runs.c.status.in_(("queued", "running")))
                                .values(status="interrupted", finished=time.time(),
                                        error="the server stopped before the run finished"))
        return int(done.rowcount)

    # audit ----------------------------------------------------------------------------------
    def log(self, *, actor: str | None, action: str, target: str | None, outcome: int,
            fingerprint: str | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(audit.insert().values(at=time.time(), actor=actor, action=action, target=target,
                                               outcome=outcome, fingerprint=fingerprint))

    def audit_log(self, limit: int = 1000, after: int = 0) -> list[dict[str, Any]]:
        query = sa.select(audit).where(audit.c.id > after).order_by(audit.c.id).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]


def _with_driver(url: str) -> sa.URL | str:
    """``postgresql://`` means psycopg 3 (the ``postgres`` extra), not SQLAlchemy's default psycopg2."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        return url  # create_engine reports it
    return parsed.set(drivername="postgresql+psycopg") if parsed.drivername in ("postgresql", "postgres") else parsed


def _masked(url: str) -> str:
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _dataset_row(row: Any) -> dict[str, Any]:
    out = dict(row)
    out["columns"] = json.loads(out["columns"])
    return out


def _run_row(row: Any) -> dict[str, Any]:
    out = dict(row)
    out["request"] = json.loads(out["request"])
    return out
