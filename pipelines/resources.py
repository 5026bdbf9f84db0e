"""Dagster resources: the workspace (where things live) and the warehouse (where data goes).

API credentials are resources of their own in pipelines/ingest (EnvVar-backed); nothing here
holds a secret. The PostgreSQL target reads its connection from OKR_PG_* variables. The dbt
resource lives with the dbt assets (pipelines/transform/dbt_resource.py).
"""

from __future__ import annotations

import dagster as dg

from connectors.warehouse import Warehouse, open_warehouse
from pipelines.settings import Settings, load_settings


class WorkspaceResource(dg.ConfigurableResource):
    """The workspace folder; empty means OKR_WORKSPACE or the repository root."""

    root: str = ""

    def settings(self) -> Settings:
        return load_settings(self.root or None)


class WarehouseResource(dg.ConfigurableResource):
    """Opens the warehouse of the workspace's dbt target (DuckDB file or PostgreSQL)."""

    root: str = ""

    def open(self, schema: str = "raw") -> Warehouse:
        settings = load_settings(self.root or None)
        return open_warehouse(settings.target, duckdb_path=settings.warehouse_path, schema=schema)


def core_resources() -> dict[str, dg.ConfigurableResource]:
    return {"workspace": WorkspaceResource(), "warehouse": WarehouseResource()}
