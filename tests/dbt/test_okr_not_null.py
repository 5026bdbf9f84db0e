"""The `okr_not_null` generic test (dbt_project/tests/generic/okr_not_null.sql): one dbt test per
model for all of its required columns. It must fail on a null in any of them, count every row with
one, and name the column in the failing rows; a null in another column must not fail it."""

from __future__ import annotations

import pytest

from connectors.raw_tables import ensure_raw_tables
from connectors.warehouse import DuckDBWarehouse
from pipelines.settings import Settings
from pipelines.transform.dbt_setup import DbtRunError, run_dbt
from tests.helpers import make_workspace

pytestmark = pytest.mark.slow

TEST = "okr_not_null_kr_scores_kr_id__as_of__status__reason_code__reason_params"
SELECT = ["--select", TEST]


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = make_workspace(tmp_path_factory.mktemp("not_null"), {})
    ensure_raw_tables(DuckDBWarehouse(settings.warehouse_path))
    return settings


def _kr_scores(settings: Settings, rows: str) -> None:
    wh = DuckDBWarehouse(settings.warehouse_path)
    with wh.transaction() as tx:
        tx.execute("CREATE SCHEMA IF NOT EXISTS analytics")
        tx.execute(
            "CREATE OR REPLACE TABLE analytics.kr_scores AS SELECT * FROM (VALUES "
            f"{rows}) AS t(kr_id, as_of, status, reason_code, reason_params, status_reason)"
        )


def test_passes_when_only_optional_columns_are_null(settings: Settings) -> None:
    _kr_scores(settings, "('K1', DATE '2026-11-26', 'on_track', 'on_pace', '{}', NULL)")
    out = run_dbt(settings, ["test", *SELECT])
    assert f"PASS {TEST}" in out, out[-2000:]


def test_fails_on_each_row_with_a_null_and_names_its_columns(settings: Settings) -> None:
    _kr_scores(
        settings,
        "('K1', DATE '2026-11-26', NULL, 'on_pace', '{}', NULL), "
        "('K2', DATE '2026-11-26', 'on_track', NULL, NULL, NULL), "
        "('K3', DATE '2026-11-26', 'on_track', 'on_pace', '{}', NULL)",
    )
    with pytest.raises(DbtRunError) as failed:
        run_dbt(settings, ["test", "--store-failures", *SELECT])
    assert f"FAIL 2 {TEST}" in str(failed.value)
    wh = DuckDBWarehouse(settings.warehouse_path)
    with wh.transaction() as tx:
        table = tx.query(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_name LIKE 'okr_not_null_kr_scores%'"
        ).iloc[0]
        failures = f'"{table.table_schema}"."{table.table_name}"'
        rows = tx.query(f"SELECT kr_id, null_columns FROM {failures} ORDER BY 1")
    assert rows.to_dict("records") == [
        {"kr_id": "K1", "null_columns": "status"},
        {"kr_id": "K2", "null_columns": "reason_code, reason_params"},
    ]
