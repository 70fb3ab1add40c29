"""A live ``fairmend serve`` (module-scoped) with one token per role, and German credit as CSV bytes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from _live_server import Server, cli, start_server, stop_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("serve")
    made = cli("serve", "token", "create", "--name", "root", "--role", "admin", "--data-dir", str(data_dir))
    assert made.returncode == 0, made.stderr
    live = start_server(data_dir)
    try:
        live.tokens["admin"] = made.stdout.strip().splitlines()[-1]
        for role in ("viewer", "analyst"):
            reply = live.call("POST", "/api/v1/tokens", token=live.tokens["admin"], body={"name": role, "role": role})
            assert reply.status == 201, reply.body
            live.tokens[role] = reply.json()["token"]
        yield live
    finally:
        stop_server(live)


@pytest.fixture(scope="module")
def german_csv() -> bytes:
    from fairmend.datasets import load_german

    return load_german().frame.to_csv(index=False).encode()
