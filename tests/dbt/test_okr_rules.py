"""The `okr_rules` generic test (dbt_project/tests/generic/okr_rules.sql): every row rule of a
scoring model in one dbt test. It must pass at each rule's boundary, fail once per broken rule and
row, and name the rule and the row in its failing rows; a null in an optional column must not
fail it. Run on `kr_scores_rules`, which uses every kind of rule."""

from __future__ import annotations

import pytest

from connectors.raw_tables import ensure_raw_tables
from connectors.warehouse import DuckDBWarehouse
from pipelines.settings import Settings
from pipelines.transform.dbt_setup import DbtRunError, run_dbt
from tests.helpers import make_workspace

pytestmark = pytest.mark.slow

TEST = "kr_scores_rules"
SELECT = ["--select", TEST]
COLUMNS = (
    "kr_id, as_of, status, reason_code, reason_params, status_reason, score, expected_progress, "
    "forecast_p10, forecast_p50, forecast_p90, forecast_probability_on_target"
)
# A row that keeps every rule; the tests change one thing at a time.
GOOD = "'{kr}', DATE '2026-11-26', 'on_track', 'on_pace', '{{}}', NULL, {score}, 1, {p10}, 5, 9, 0.5"


def _row(kr: str, score: str = "0.5", p10: str = "1", **changes: str) -> str:
    values = [v.strip() for v in GOOD.format(kr=kr, score=score, p10=p10).split(", ")]
    names = [c.strip() for c in COLUMNS.split(",")]
    for name, value in changes.items():
        values[names.index(name)] = value
    return "(" + ", ".join(values) + ")"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = make_workspace(tmp_path_factory.mktemp("okr_rules"), {})
    ensure_raw_tables(DuckDBWarehouse(settings.warehouse_path))
    return settings


def _kr_scores(settings: Settings, *rows: str) -> None:
    with DuckDBWarehouse(settings.warehouse_path).transaction() as tx:
        tx.execute("CREATE SCHEMA IF NOT EXISTS analytics")
        tx.execute(
            f"CREATE OR REPLACE TABLE analytics.kr_scores AS SELECT * FROM (VALUES {', '.join(rows)}) "
            f"AS t({COLUMNS})"
        )


def test_passes_at_every_boundary_and_with_optional_columns_null(settings: Settings) -> None:
    _kr_scores(
        settings,
        _row("K1", score="0"),  # the range's ends are inside it
        _row("K2", score="1", p10="5"),  # forecast_p10 may equal forecast_p50
        _row("K3", score="NULL", p10="NULL", forecast_probability_on_target="NULL"),  # no score yet
    )
    out = run_dbt(settings, ["test", *SELECT])
    assert f"PASS {TEST}" in out, out[-2000:]


def test_fails_once_per_broken_rule_and_row_and_names_both(settings: Settings) -> None:
    _kr_scores(
        settings,
        _row("K1", status="NULL", reason_params="NULL"),
        _row("K2"),
        _row("K2"),
        _row("K3", status="'late'"),
        _row("K4", score="1.000001"),
        _row("K5", p10="5.5"),
        _row("K6"),
    )
    with pytest.raises(DbtRunError) as failed:
        run_dbt(settings, ["test", "--store-failures", *SELECT])
    assert f"FAIL 5 {TEST}" in str(failed.value)
    with DuckDBWarehouse(settings.warehouse_path).transaction() as tx:
        table = tx.query(
            f"SELECT table_schema, table_name FROM information_schema.tables WHERE table_name = '{TEST}'"
        ).iloc[0]
        rows = tx.query(
            f'SELECT failed_rule, failing_row FROM "{table.table_schema}"."{table.table_name}" ORDER BY 2, 1'
        )
    assert rows.to_dict("records") == [
        {"failed_rule": "not null: status, reason_params", "failing_row": "kr_id=K1"},
        {"failed_rule": "unique: kr_id", "failing_row": "kr_id=K2"},
        {"failed_rule": "accepted values: status", "failing_row": "kr_id=K3, status=late"},
        {"failed_rule": "between 0 and 1: score", "failing_row": "kr_id=K4, score=1.000001"},
        {
            "failed_rule": "between -1e300 and forecast_p50: forecast_p10",
            "failing_row": "kr_id=K5, forecast_p10=5.5",
        },
    ]
