"""``fairmend serve`` (the REST API under uvicorn) and ``fairmend serve token create|list|revoke``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from fairmend.cli._common import echo_json
from fairmend.errors import MissingDependencyError

_DATA_DIR = click.option("--data-dir", type=click.Path(file_okay=False), envvar="FAIRMEND_DATA_DIR",
                         default="fairmend-data", show_default=True,
                         help="Folder for the database, uploads and run artifacts (env FAIRMEND_DATA_DIR).")
_DB = click.option("--db", "db_url", envvar="FAIRMEND_DB",
                   help="SQLAlchemy database URL, e.g. postgresql://user@host/db "
                        "(default: SQLite file in --data-dir; env FAIRMEND_DB).")


def _need(module: str) -> None:
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise MissingDependencyError(f"`fairmend serve` needs {module}; pip install 'fairmend[serve]'")


def _store(data_dir: str, db_url: str | None) -> Any:
    _need("sqlalchemy")
    from fairmend.serve.store import Store, default_url

    Path(data_dir).mkdir(parents=True, exist_ok=True)
    return Store(db_url or default_url(data_dir))


@click.group(invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind; the default answers this machine only.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@_DB
@_DATA_DIR
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Runs executed at once, each in its own process.")
@click.option("--max-upload-mb", default=100.0, show_default=True, type=click.FloatRange(0.001, 100_000),
              help="Largest dataset upload accepted (larger: HTTP 413).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, db_url: str | None, data_dir: str, workers: int,
          max_upload_mb: float) -> None:
    """Serve the REST API at http://HOST:PORT/api/v1 (bearer tokens: `fairmend serve token create`)."""
    if ctx.invoked_subcommand is not None:
        return
    for module in ("fastapi", "uvicorn", "sqlalchemy", "multipart"):
        _need(module)
    import uvicorn

    from fairmend.serve.app import Settings, create_app

    settings = Settings(data_dir=Path(data_dir), db_url=db_url, workers=workers,
                        max_upload_bytes=int(max_upload_mb * 1024 * 1024))
    app = create_app(settings)
    click.echo(f"fairmend serve: web page http://{host}:{port}/, API http://{host}:{port}/api/v1 "
               f"(data in {settings.data_dir.resolve()})", err=True)
    uvicorn.run(app, host=host, port=port, log_level=os.environ.get("FAIRMEND_SERVE_LOG", "info"))


@serve.group()
def token() -> None:
    """Create, list and revoke API tokens (stored as salted hashes; shown once)."""


@token.command("create")
@click.option("--name", required=True, help="Who or what the token is for.")
@click.option("--role", required=True, type=click.Choice(["viewer", "analyst", "admin"]),
              help="viewer reads; analyst also uploads and runs; admin also manages tokens and reads the audit log.")
@_DB
@_DATA_DIR
def create(name: str, role: str, db_url: str | None, data_dir: str) -> None:
    """Create a token; it is printed once, alone on the last line."""
    from fairmend.serve.auth import create_token

    store = _store(data_dir, db_url)
    token_id, secret = create_token(store, name, role)
    store.log(actor="cli", action="token create", target=f"{token_id} {role}", outcome=0)
    click.echo(f"token {token_id} for {name!r} ({role}); it is not shown again:", err=True)
    click.echo(secret)


@token.command("list")
@_DB
@_DATA_DIR
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def list_(db_url: str | None, data_dir: str, as_json: bool) -> None:
    """List tokens (never their secrets)."""
    rows = _store(data_dir, db_url).list_tokens()
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        state = "revoked" if row["revoked"] else "active"
        click.echo(f"{row['id']}  {row['role']:<7}  {state:<7}  {row['name']}")


@token.command("revoke")
@click.argument("token_id")
@_DB
@_DATA_DIR
def revoke(token_id: str, db_url: str | None, data_dir: str) -> None:
    """Revoke token TOKEN_ID (as shown by `token list`)."""
    from fairmend.errors import InvalidParameterError

    store = _store(data_dir, db_url)
    if not store.revoke_token(token_id):
        raise InvalidParameterError(f"no active token {token_id!r}")
    store.log(actor="cli", action="token revoke", target=token_id, outcome=0)
    click.echo(f"revoked {token_id}")
