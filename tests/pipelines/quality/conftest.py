from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from quality_seed import seeded_warehouse

from connectors.warehouse import Warehouse, open_warehouse


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[Warehouse]:
    """A healthy warehouse in a temporary DuckDB file (see quality_seed.py), held open for the
    test as a run holds it: the checks' many transactions join the open database instead of
    opening the file each time."""
    path = tmp_path / "warehouse.duckdb"
    with open_warehouse("duckdb", duckdb_path=path).held_open():
        yield seeded_warehouse(path)
