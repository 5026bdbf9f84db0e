from __future__ import annotations

from pathlib import Path

import pytest
from quality_seed import seeded_warehouse

from connectors.warehouse import Warehouse


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    """A healthy warehouse in a temporary DuckDB file (see quality_seed.py)."""
    return seeded_warehouse(tmp_path / "warehouse.duckdb")
