"""One storage layer for every loader, with an implementation per warehouse engine."""

from __future__ import annotations

import os
from pathlib import Path

from connectors.warehouse.base import Transaction, Warehouse, quote_ident
from connectors.warehouse.duckdb_store import DuckDBWarehouse

__all__ = ["DuckDBWarehouse", "Transaction", "Warehouse", "open_warehouse", "quote_ident"]


def open_warehouse(
    engine: str = "duckdb", duckdb_path: str | Path | None = None, schema: str = "raw"
) -> Warehouse:
    """The warehouse of a dbt target: `duckdb` (embedded file) or `postgres` (OKR_PG_* variables)."""
    if engine == "duckdb":
        path = duckdb_path or os.environ.get("OKR_WAREHOUSE_PATH", "data/warehouse.duckdb")
        return DuckDBWarehouse(path, schema=schema)
    if engine == "postgres":
        from connectors.warehouse.postgres_store import PostgresWarehouse  # optional engine

        return PostgresWarehouse.from_env(schema=schema)
    raise ValueError(f"unknown warehouse engine {engine!r}: use 'duckdb' or 'postgres'")
