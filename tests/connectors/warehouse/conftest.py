"""One `warehouse` fixture, parametrized over both engines, so every storage test runs on both."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.warehouse import DuckDBWarehouse, Warehouse
from connectors.warehouse.postgres_store import PostgresWarehouse
from tests.postgres_server import postgres_server  # noqa: F401  (session fixture, shared server)


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.integration)])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Warehouse:
    if request.param == "duckdb":
        return DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    server = request.getfixturevalue("postgres_server")
    return PostgresWarehouse.from_env(environ=server.env(server.create_database()))
