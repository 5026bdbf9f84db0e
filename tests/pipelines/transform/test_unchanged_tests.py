"""Staging and metric tests are skipped only when their code and upstream data are unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from connectors.warehouse import DuckDBWarehouse
from pipelines.transform.unchanged_tests import TestPlan, plan_tests, source_fingerprints, upstream_sources
from tests.conftest import DemoNight
from tests.helpers import okr

# Two sources, a staging model on each, a metric on both, and a test on each model.
MANIFEST = {
    "sources": {
        "source.p.crm.deals": {"schema": "raw", "identifier": "deals", "name": "deals"},
        "source.p.web.visits": {"schema": "raw", "identifier": "visits", "name": "visits"},
        "source.p.web.never_loaded": {"schema": "raw", "identifier": "never_loaded", "name": "never_loaded"},
    },
    "nodes": {
        "model.p.stg_deals": {"name": "stg_deals", "resource_type": "model"},
        "model.p.stg_visits": {"name": "stg_visits", "resource_type": "model"},
        "model.p.won": {"name": "won", "resource_type": "model"},
        "test.p.not_null_stg_deals_id": {"name": "not_null_stg_deals_id", "resource_type": "test"},
        "test.p.not_null_stg_visits_day": {"name": "not_null_stg_visits_day", "resource_type": "test"},
        "test.p.not_null_won_value": {"name": "not_null_won_value", "resource_type": "test"},
        "test.p.no_source": {"name": "no_source", "resource_type": "test"},
    },
    "parent_map": {
        "model.p.stg_deals": ["source.p.crm.deals"],
        "model.p.stg_visits": ["source.p.web.visits"],
        "model.p.won": ["model.p.stg_deals", "model.p.stg_visits"],
        "test.p.not_null_stg_deals_id": ["model.p.stg_deals"],
        "test.p.not_null_stg_visits_day": ["model.p.stg_visits"],
        "test.p.not_null_won_value": ["model.p.won"],
        "test.p.no_source": [],
    },
}
TESTS = [uid for uid, n in MANIFEST["nodes"].items() if n["resource_type"] == "test"]


@pytest.fixture
def warehouse(tmp_path: Path) -> DuckDBWarehouse:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE SCHEMA raw")
    con.execute("CREATE TABLE raw.deals AS SELECT * FROM (VALUES (1, 10.5), (2, 20.0)) AS t(id, value)")
    con.execute(
        "CREATE TABLE raw.visits AS SELECT DATE '2026-11-01' + i::INTEGER AS day, i AS n FROM range(30) AS r(i)"
    )
    con.close()
    return DuckDBWarehouse(tmp_path / "w.duckdb")


def _change(wh: DuckDBWarehouse, sql: str) -> None:
    with wh.transaction() as tx:
        tx.execute(sql)


def test_upstream_sources_follow_the_models_between() -> None:
    assert upstream_sources(MANIFEST, "test.p.not_null_won_value") == {
        "source.p.crm.deals",
        "source.p.web.visits",
    }
    assert upstream_sources(MANIFEST, "test.p.no_source") == set()


def test_any_change_to_a_table_changes_its_fingerprint_and_only_its(warehouse: DuckDBWarehouse) -> None:
    first = source_fingerprints(warehouse, MANIFEST)
    assert first is not None and first["source.p.web.never_loaded"] == "missing"
    assert source_fingerprints(warehouse, MANIFEST) == first  # reading changes nothing
    # Rewritten with the same rows in another order: the same data, the same fingerprint.
    _change(warehouse, "CREATE OR REPLACE TABLE raw.deals AS SELECT * FROM raw.deals ORDER BY id DESC")
    assert source_fingerprints(warehouse, MANIFEST) == first
    for sql in (
        "UPDATE raw.deals SET value = 21.5 WHERE id = 2",  # one value
        "INSERT INTO raw.deals VALUES (1, 10.5)",  # a duplicate row (would cancel out in a xor)
        "DELETE FROM raw.deals WHERE id = 2",
    ):
        before = source_fingerprints(warehouse, MANIFEST)
        _change(warehouse, sql)
        after = source_fingerprints(warehouse, MANIFEST)
        assert after["source.p.crm.deals"] != before["source.p.crm.deals"], sql
        assert after["source.p.web.visits"] == before["source.p.web.visits"]


def test_only_tests_on_unchanged_data_and_code_are_skipped(warehouse: DuckDBWarehouse) -> None:
    fp = source_fingerprints(warehouse, MANIFEST)
    first = plan_tests(MANIFEST, TESTS, "code-1", fp, stored=None)
    assert first.skip == () and first.state == {"code": "code-1", "sources": fp}  # nothing known yet

    same = plan_tests(MANIFEST, TESTS, "code-1", fp, stored=first.state)
    assert same.skip == ("not_null_stg_deals_id", "not_null_stg_visits_day", "not_null_won_value")

    _change(warehouse, "UPDATE raw.visits SET n = n + 1 WHERE day = DATE '2026-11-30'")
    fp2 = source_fingerprints(warehouse, MANIFEST)
    # The visits tests and the metric on both sources run again; the deals test stays skipped.
    assert plan_tests(MANIFEST, TESTS, "code-1", fp2, stored=first.state).skip == ("not_null_stg_deals_id",)
    # New code, a full run on demand: every test runs.
    assert plan_tests(MANIFEST, TESTS, "code-2", fp, stored=first.state).skip == ()
    assert plan_tests(MANIFEST, TESTS, "code-1", fp, stored=first.state, full=True).skip == ()
    # No fingerprints (PostgreSQL): every test runs and nothing is stored.
    assert plan_tests(MANIFEST, TESTS, "code-1", None, stored=first.state) == TestPlan((), None)


def _tests_in_last_build(workspace: Path) -> set[str]:
    """Names of the tests the last staging-and-metrics dbt build ran (dbt.log, JSON lines)."""
    log = workspace / "data" / ".okr" / "dbt-target-duckdb" / "dbt.log"
    events = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    builds: list[list[dict]] = []
    for e in events:
        if e["info"]["name"] == "MainReportVersion":
            builds.append([])
        builds[-1].append(e)
    staging = [b for b in builds if any("stg_ga4__daily_reports" in json.dumps(e) for e in b)]
    return {e["data"]["node_info"]["node_name"] for e in staging[-1] if e["info"]["name"] == "LogTestResult"}


@pytest.mark.slow
def test_a_night_tests_again_only_what_a_changed_source_feeds(demo_night: DemoNight, tmp_path: Path) -> None:
    ws = demo_night.copy_to(tmp_path / "ws")
    run = okr(ws, "run", "--as-of", "2026-11-26")  # nothing changed since the shared night
    assert run.returncode == 0, run.stderr[-3000:]
    assert _tests_in_last_build(ws) == set()

    wh = DuckDBWarehouse(ws / "data" / "warehouse.duckdb")
    newest = "(SELECT max(report_date) FROM raw.ga4_daily_report)"
    _change(wh, f"UPDATE raw.ga4_daily_report SET sessions = sessions + 1 WHERE report_date = {newest}")
    run = okr(ws, "run", "--as-of", "2026-11-26")
    assert run.returncode == 0, run.stderr[-3000:]
    ran = _tests_in_last_build(ws)
    assert any("stg_ga4__daily_reports" in t for t in ran)
    assert not any("hubspot" in t for t in ran)  # its data did not change
