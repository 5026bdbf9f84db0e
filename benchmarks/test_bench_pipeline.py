"""How long the stages of a nightly run take on the demo (two years of data, 40 KRs in three cycles)."""

from __future__ import annotations

import datetime as dt
import itertools

from benchmarks.conftest import measure_peak
from benchmarks.rows import report
from connectors.exports.loader import load_export_folder
from connectors.raw_tables import ensure_raw_tables
from connectors.warehouse import DuckDBWarehouse
from pipelines.okr_definitions import load_definitions
from pipelines.okr_definitions.store import store_definitions
from pipelines.settings import Settings
from pipelines.transform.dbt_setup import run_dbt


def test_validate_definitions(benchmark, demo_workspace: Settings) -> None:
    defs = measure_peak(benchmark, lambda: load_definitions(demo_workspace.okrs_dir), rounds=5)
    assert len(defs.key_results) == 40


def test_load_demo_exports(benchmark, demo_workspace: Settings) -> None:
    counter = itertools.count()

    def load() -> int:
        # A fresh warehouse each round: the loader skips files it has seen.
        wh = DuckDBWarehouse(demo_workspace.warehouse_path.with_name(f"bench{next(counter)}.duckdb"))
        ensure_raw_tables(wh)
        return sum(r.rows for r in load_export_folder(wh, demo_workspace.root / "demo" / "exports"))

    rows = measure_peak(benchmark, load, rounds=2)
    assert rows > 30000
    # Creating the raw tables included (test_bench_exports.py times the load alone for the goal row).
    report("exports_first_new_warehouse", benchmark.stats.stats.min, "s", note="raw tables created too")


def test_score_one_day_in_dbt(benchmark, demo_workspace: Settings) -> None:
    wh = DuckDBWarehouse(demo_workspace.warehouse_path)
    ensure_raw_tables(wh)
    load_export_folder(wh, demo_workspace.root / "demo" / "exports")
    store_definitions(load_definitions(demo_workspace.okrs_dir), wh, dt.date(2026, 11, 27))
    run_dbt(demo_workspace, ["run"], as_of="2026-11-26")  # staging and metric views exist from here on

    measure_peak(
        benchmark, lambda: run_dbt(demo_workspace, ["run", "--select", "marts"], as_of="2026-11-26"), rounds=2
    )
    assert len(wh.query("SELECT * FROM analytics.kr_scores")) == 40
