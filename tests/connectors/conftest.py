"""Fixtures for connector tests: a fake API server, a temp DuckDB warehouse, fast retries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.warehouse import DuckDBWarehouse
from tests.connectors.fake_http import FakeApi, SleepRecorder


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    api = FakeApi().start()
    yield api
    api.stop()


@pytest.fixture
def wh(tmp_path: Path) -> DuckDBWarehouse:
    return DuckDBWarehouse(tmp_path / "warehouse.duckdb")


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def fast(sleeps: SleepRecorder) -> dict[str, Any]:
    """HttpClient keyword arguments for tests: recorded (not slept) waits, and timeouts generous
    enough that a local server on a busy machine is never mistaken for a dead one."""
    return {"timeout": (5.0, 10.0), "max_attempts": 6, "total_budget_s": 120, "sleep": sleeps}
