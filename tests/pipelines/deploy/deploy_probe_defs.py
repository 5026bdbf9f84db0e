"""A tiny code location for the deployment tests: one job that holds a warehouse write open.

It writes through the real storage layer into the DuckDB file named by OKR_WAREHOUSE_PATH and
keeps its transaction open for a few seconds, so two runs that overlapped would collide (DuckDB
allows one writing process per file) and their recorded intervals would intersect.
"""

# No `from __future__ import annotations`: Dagster inspects the context annotation at runtime.
import datetime as dt
import os
import time

import dagster as dg
import pandas as pd

from connectors.warehouse import open_warehouse

WAREHOUSE_TAG = "okr/warehouse"
HOLD_SECONDS = float(os.environ.get("OKR_PROBE_HOLD_SECONDS", "3"))


@dg.op
def write_marker(context: dg.OpExecutionContext) -> None:
    wh = open_warehouse("duckdb", os.environ["OKR_WAREHOUSE_PATH"], schema="raw")
    with wh.transaction() as tx:
        started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        time.sleep(HOLD_SECONDS)
        finished = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        frame = pd.DataFrame([{"run_id": context.run_id, "started_at": started, "finished_at": finished}])
        tx.insert(
            "probe_runs", frame, {"run_id": "VARCHAR", "started_at": "TIMESTAMP", "finished_at": "TIMESTAMP"}
        )


@dg.job(tags={WAREHOUSE_TAG: "duckdb"})
def warehouse_probe() -> None:
    write_marker()


defs = dg.Definitions(jobs=[warehouse_probe])
