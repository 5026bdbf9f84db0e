"""The dbt unit tests beside the scoring models (models/*/_*.yml `unit_tests:`), run on a real
DuckDB: status boundaries, every measure and forecast, the objective roll-up and KR filters as
data, each on fixed inputs. The nightly build leaves them out (they check the SQL, not the data)."""

from __future__ import annotations

import pytest

from connectors.warehouse import DuckDBWarehouse
from pipelines.okr_definitions import load_definitions
from pipelines.okr_definitions.store import store_definitions
from pipelines.settings import Settings
from pipelines.transform.dbt_setup import run_dbt
from tests.helpers import d, make_workspace, prepare_views

OKRS = {
    "2026-Q4.yml": {
        "cycle": "2026-Q4",
        "objectives": [
            {"id": "O", "title": "One", "owner": "Ann", "key_results": [
                {"id": "K", "title": "K", "metric": "sessions", "target": 10,
                 "start": "2026-11-01", "end": "2026-11-30"}]},
        ],
    }
}  # fmt: skip


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = make_workspace(tmp_path_factory.mktemp("unit"), OKRS)
    prepare_views(settings)
    wh = DuckDBWarehouse(settings.warehouse_path)
    store_definitions(load_definitions(settings.okrs_dir), wh, seen_on=d("2026-11-10"))
    # Unit tests read the column types of their inputs from the warehouse: build empty relations
    # (the staging and metric views come built with the prepared warehouse).
    run_dbt(settings, ["run", "--empty", "--select", "intermediate marts"], as_of="2026-11-10")
    return settings


def test_every_dbt_unit_test_passes(settings: Settings) -> None:
    out = run_dbt(settings, ["test", "--select", "test_type:unit"], as_of="2026-11-10")
    passed = [line for line in out.splitlines() if " PASS " in line]
    assert len(passed) >= 4, out[-3000:]
