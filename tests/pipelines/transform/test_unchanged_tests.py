"""Staging and metric tests are skipped, and models left as they are, only when their code and
upstream data are unchanged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from connectors.warehouse import DuckDBWarehouse
from pipelines.transform.unchanged_tests import (
    STATE_KEY,
    SkipPlan,
    dependency_order,
    nothing_to_build,
    plan_skips,
    rebuild_selection,
    source_fingerprints,
    unchanged_models,
    upstream_sources,
)
from tests.conftest import DemoNight
from tests.helpers import okr

REPO = Path(__file__).resolve().parents[3]

# Two sources, a staging model on each, a metric on both, and a test on each model.
MANIFEST = {
    "sources": {
        "source.p.crm.deals": {"schema": "raw", "identifier": "deals", "name": "deals", "source_name": "crm"},
        "source.p.web.visits": {
            "schema": "raw",
            "identifier": "visits",
            "name": "visits",
            "source_name": "web",
        },
        "source.p.web.never_loaded": {
            "schema": "raw",
            "identifier": "never_loaded",
            "name": "never_loaded",
            "source_name": "web",
        },
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
NODES = list(MANIFEST["nodes"])


@pytest.fixture
def warehouse(tmp_path: Path) -> DuckDBWarehouse:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE SCHEMA raw")
    con.execute("CREATE TABLE raw.deals AS SELECT * FROM (VALUES (1, 10.5), (2, 20.0)) AS t(id, value)")
    days = "SELECT DATE '2026-11-01' + i::INTEGER AS day, i AS n FROM range(30) AS r(i)"
    con.execute(f"CREATE TABLE raw.visits AS {days}")
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


def test_only_tests_and_models_on_unchanged_data_and_code_are_skipped(warehouse: DuckDBWarehouse) -> None:
    fp = source_fingerprints(warehouse, MANIFEST)
    first = plan_skips(MANIFEST, NODES, "code-1", fp, stored=None)
    assert first.skip == () and first.models == ()  # nothing known yet
    assert first.state == {"code": "code-1", "sources": fp}

    same = plan_skips(MANIFEST, NODES, "code-1", fp, stored=first.state)
    assert same.skip == ("not_null_stg_deals_id", "not_null_stg_visits_day", "not_null_won_value")
    assert same.models == ("model.p.stg_deals", "model.p.stg_visits", "model.p.won")

    _change(warehouse, "UPDATE raw.visits SET n = n + 1 WHERE day = DATE '2026-11-30'")
    fp2 = source_fingerprints(warehouse, MANIFEST)
    # What reads visits (its staging model, the metric on both sources, their tests) runs again.
    changed = plan_skips(MANIFEST, NODES, "code-1", fp2, stored=first.state)
    assert changed.skip == ("not_null_stg_deals_id",) and changed.models == ("model.p.stg_deals",)
    # New code, a full run on demand: everything runs.
    for plan in (
        plan_skips(MANIFEST, NODES, "code-2", fp, stored=first.state),
        plan_skips(MANIFEST, NODES, "code-1", fp, stored=first.state, full=True),
        plan_skips(MANIFEST, NODES, "code-1", fp, stored=None),  # the state cleared by a failed build
    ):
        assert plan.skip == () and plan.models == ()
    # No fingerprints (PostgreSQL): everything runs and nothing is stored.
    assert plan_skips(MANIFEST, NODES, "code-1", None, stored=first.state) == SkipPlan((), None)


def test_a_step_selects_what_its_changed_sources_feed_and_the_models_missing(
    warehouse: DuckDBWarehouse,
) -> None:
    fp = source_fingerprints(warehouse, MANIFEST)
    state = plan_skips(MANIFEST, NODES, "code-1", fp, stored=None).state
    _change(warehouse, "UPDATE raw.visits SET n = n + 1 WHERE day = DATE '2026-11-30'")
    plan = plan_skips(MANIFEST, NODES, "code-1", source_fingerprints(warehouse, MANIFEST), stored=state)
    assert plan.changed == ("source.p.web.visits",)
    models = ["model.p.stg_deals", "model.p.stg_visits", "model.p.won"]
    # stg_deals is unchanged and there: only what visits feeds, within each term of the step.
    spec, skipped = rebuild_selection(MANIFEST, plan, ["fqn:p.staging", "won"], models, ["model.p.stg_deals"])
    assert spec == "source:web.visits+,fqn:p.staging source:web.visits+,won"
    assert skipped == ("not_null_stg_deals_id",)
    # stg_deals was dropped: built again by name, and dbt runs its test with it.
    spec, skipped = rebuild_selection(MANIFEST, plan, ["fqn:p.staging", "won"], models, [])
    assert spec.endswith(" stg_deals") and skipped == ()


def test_a_source_is_fingerprinted_on_the_columns_its_meta_names(warehouse: DuckDBWarehouse) -> None:
    """raw.okr_run_context is written before every dbt call with the time it was written; only
    its dates are read by the models, so only they may change its fingerprint."""
    manifest = json.loads(json.dumps(MANIFEST))
    manifest["sources"]["source.p.crm.deals"]["meta"] = {"okr_fingerprint_columns": ["id"]}
    before = source_fingerprints(warehouse, manifest)
    _change(warehouse, "UPDATE raw.deals SET value = value + 1")  # a column outside the list
    assert source_fingerprints(warehouse, manifest) == before
    _change(warehouse, "UPDATE raw.deals SET id = 3 WHERE id = 2")
    assert source_fingerprints(warehouse, manifest)["source.p.crm.deals"] != before["source.p.crm.deals"]


def test_views_come_in_the_order_dbt_builds_them() -> None:
    order = dependency_order(MANIFEST, ["model.p.won", "model.p.stg_visits", "model.p.stg_deals"])
    assert order.index("model.p.won") > max(
        order.index("model.p.stg_visits"), order.index("model.p.stg_deals")
    )


def test_models_are_left_as_they_are_only_while_they_exist_and_nothing_is_built_only_when_all_are(
    warehouse: DuckDBWarehouse,
) -> None:
    manifest = json.loads(json.dumps(MANIFEST))
    for node in manifest["nodes"].values():
        node.update(schema="analytics")
    models = ["model.p.stg_deals", "model.p.won"]
    fp = source_fingerprints(warehouse, manifest)
    state = plan_skips(manifest, NODES, "code-1", fp, stored=None).state
    again = plan_skips(manifest, NODES, "code-1", fp, stored=state)
    assert unchanged_models(again, manifest, models, warehouse) == []  # never built
    assert not nothing_to_build(manifest, again, models, [])
    _change(warehouse, "CREATE SCHEMA analytics")
    _change(warehouse, "CREATE VIEW analytics.stg_deals AS SELECT * FROM raw.deals")
    _change(warehouse, "CREATE TABLE analytics.won AS SELECT sum(value) AS value FROM analytics.stg_deals")
    unchanged = unchanged_models(again, manifest, models, warehouse)
    assert unchanged == models and nothing_to_build(manifest, again, models, unchanged)
    new_code = plan_skips(manifest, NODES, "code-2", fp, stored=state)
    assert unchanged_models(new_code, manifest, models, warehouse) == []
    _change(warehouse, "INSERT INTO raw.visits VALUES (DATE '2026-12-01', 0)")  # `won` reads visits too
    changed = plan_skips(manifest, NODES, "code-1", source_fingerprints(warehouse, manifest), stored=state)
    unchanged = unchanged_models(changed, manifest, models, warehouse)
    assert unchanged == ["model.p.stg_deals"]  # its data is as it was; the table is built again
    assert not nothing_to_build(manifest, changed, models, unchanged)
    assert nothing_to_build(manifest, changed, ["model.p.stg_deals"], unchanged)
    _change(warehouse, "DROP TABLE analytics.won")  # dropped by hand: built again
    assert unchanged_models(again, manifest, models, warehouse) == ["model.p.stg_deals"]


def _staging_builds(workspace: Path) -> list[dict[str, set[str]]]:
    """The tests and models each staging-and-metrics dbt build ran, oldest first (dbt.log)."""
    log = workspace / "data" / ".okr" / "dbt-target-duckdb" / "dbt.log"
    events = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    builds: list[list[dict]] = []
    for e in events:
        if e["info"]["name"] == "MainReportVersion":
            builds.append([])
        builds[-1].append(e)

    def names(build: list[dict], event: str) -> set[str]:
        return {e["data"]["node_info"]["node_name"] for e in build if e["info"]["name"] == event}

    return [
        {"tests": names(b, "LogTestResult"), "models": names(b, "LogModelResult")}
        for b in builds
        if not any("kr_scores" in json.dumps(e) for e in b)  # not a scoring build
    ]


def _scores(workspace: Path) -> list[tuple]:
    with duckdb.connect(str(workspace / "data" / "warehouse.duckdb"), read_only=True) as con:
        return con.execute("SELECT * FROM analytics.kr_scores ORDER BY kr_id").fetchall()


@pytest.mark.slow
def test_a_night_of_another_date_gathers_the_metric_rows_again_and_scores_as_a_full_build(
    demo_night: DemoNight, warm_demo_night: DemoNight, tmp_path: Path
) -> None:
    # The shared warm night ran `okr run --as-of 2026-11-26` on a copy of the shared cold night:
    # nothing had changed, so dbt was not started for staging and metrics.
    builds = len(_staging_builds(demo_night.workspace))
    assert len(_staging_builds(warm_demo_night.workspace)) == builds
    ws = warm_demo_night.copy_to(tmp_path / "ws")

    # Another day on the same data: the metric rows are gathered again for its windows; the
    # staging and metric views read no date and stay as they are.
    run = okr(ws, "run", "--as-of", "2026-11-25")
    assert run.returncode == 0, run.stderr[-3000:]
    ran = _staging_builds(ws)[-1]
    assert {"int_scoring_days", "int_kr_definitions", "int_metric_rows"} <= ran["models"]
    assert not any(n.startswith("stg_") for n in ran["models"]) and "sessions" not in ran["models"]
    # Back to the first day: gathered again, and scored as the cold night that built everything.
    run = okr(ws, "run", "--as-of", "2026-11-26")
    assert run.returncode == 0, run.stderr[-3000:]
    assert "int_metric_rows" in _staging_builds(ws)[-1]["models"]
    assert _scores(ws) == _scores(demo_night.workspace)


_TWO_NIGHTS = """
import datetime as dt, json, sys
import dagster as dg
import duckdb
from pipelines.scoring_run import run_nightly
def night():
    checks = {}
    def on_event(entry):
        event = entry.dagster_event
        if event is not None and event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            data = event.event_specific_data
            note = data.metadata.get("dbt")
            checks[data.check_name] = [data.passed, getattr(note, "value", "")]
    assert run_nightly(dt.date(2026, 11, 26), on_event=on_event, release_memory=False).success
    print(json.dumps(checks), flush=True)
night()  # nothing changed: dbt is not started for staging and metrics
with duckdb.connect(sys.argv[1]) as con:  # one GA4 day changes: its tests run, the rest are skipped
    con.execute("UPDATE raw.ga4_daily_report SET sessions = sessions + 1 "
                "WHERE report_date = (SELECT max(report_date) FROM raw.ga4_daily_report)")
night()
"""


@pytest.mark.slow
def test_a_skipped_blocking_test_reports_that_it_passed(warm_demo_night: DemoNight, tmp_path: Path) -> None:
    """On a night that skips staging and metric tests as already judged, each skipped test of
    severity error still gives its check a result, passed as when it last ran, so Dagster does
    not log "Blocking asset check ... emitted no result". Both ways a night skips: every test
    (dbt not started) and some (dbt runs the rest). Tests of severity warn get no such result."""
    ws = warm_demo_night.copy_to(tmp_path / "ws")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OKR_")}
    env["OKR_WORKSPACE"] = str(ws)
    proc = subprocess.run(
        [sys.executable, "-c", _TWO_NIGHTS, str(ws / "data" / "warehouse.duckdb")],
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "emitted no result" not in proc.stderr
    nights = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    all_skipped, some_skipped = nights
    documented = {name for name in all_skipped if name.startswith("okr_metric_columns_documented_")}
    assert len(documented) >= 30
    # The error-severity rules of the models that gather the metric rows, in the same step.
    blocking = documented | {"int_scoring_days_rules", "int_kr_definitions_rules"}
    for checks in (all_skipped, some_skipped):
        reused = {name for name, (_, note) in checks.items() if note.startswith("not run again")}
        assert reused <= blocking  # only blocking tests: a warn test's last outcome is not kept
        assert all(checks[name][0] for name in reused)
    assert {n for n, (_, note) in all_skipped.items() if note.startswith("not run again")} == blocking
    reused = {n for n, (_, note) in some_skipped.items() if note.startswith("not run again")}
    rerun = documented - reused
    assert rerun and reused, "the GA4 change re-runs some documented-columns tests, not all"
    assert rerun <= set(some_skipped) and all(some_skipped[n][0] for n in rerun)  # ran: dbt's own result
    # The GA4 change rebuilt what reads GA4 (the metric rows gathered from it too), nothing else.
    builds = _staging_builds(ws)
    assert len(builds) == len(_staging_builds(warm_demo_night.workspace)) + 1  # the first night: none
    ran = builds[-1]
    assert any("stg_ga4__daily_reports" in t for t in ran["tests"])
    assert {"stg_ga4__daily_reports", "sessions", "int_metric_rows"} <= ran["models"]
    assert not any("hubspot" in n for n in ran["tests"] | ran["models"])


@pytest.mark.slow
def test_a_failed_build_leaves_no_state_so_the_next_night_builds_everything(
    warm_demo_night: DemoNight, tmp_path: Path
) -> None:
    """The stored state is cleared before dbt starts: a build that fails (or is killed) after
    rebuilding some tables from newer rows must not leave an older state that would later pass
    those tables as unchanged."""
    ws = warm_demo_night.copy_to(tmp_path / "ws")
    wh = DuckDBWarehouse(ws / "data" / "warehouse.duckdb")
    assert wh.get_state(STATE_KEY) is not None  # the warm night's
    # A GA4 value staging cannot cast: the step's dbt build fails.
    _change(wh, "ALTER TABLE raw.ga4_daily_report ALTER sessions TYPE VARCHAR")
    _change(wh, "UPDATE raw.ga4_daily_report SET sessions = 'lots' WHERE report_date = '2026-11-20'")
    run = okr(ws, "run", "--as-of", "2026-11-26")
    assert run.returncode == 1, run.stderr[-3000:]
    assert "Traceback" not in run.stderr and "dbt build" not in run.stderr  # not dbt's command line
    assert (
        "dbt_staging_and_metrics: dbt: test not_null_stg_ga4__daily_reports_sessions "
        "(models/staging/ga4/_ga4__sources.yml): Conversion Error: Could not convert string 'lots'"
    ) in run.stderr
    assert wh.get_state(STATE_KEY) is None
