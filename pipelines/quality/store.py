"""Quality results in the warehouse (schema raw), so the scoring SQL and the scorecard can read them.

- `okr_blocked_metrics(metric, severity, reason)`: replaced every gate run; read by kr_scores.
- `quality_check_results(...)`: one row per expectation outcome and run date.
- `quality_suite_results(as_of, run_id, suite_name, result_json)`: whole GX results for Data Docs.
- `quality_metric_lineage(metric, node)`: metric -> upstream tables, so the scorecard can say which
  source checks concern a KR without reading the dbt manifest.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence

import pandas as pd

from connectors.raw_tables import BLOCKED_METRICS_COLUMNS, BLOCKED_METRICS_TABLE
from connectors.warehouse import Warehouse
from pipelines.quality.gx_validation import SuiteRun

RESULTS_TABLE = "quality_check_results"
RESULTS_SCHEMA = {
    "as_of": "DATE",
    "run_id": "VARCHAR",
    "check_name": "VARCHAR",
    "asset": "VARCHAR",
    "severity": "VARCHAR",
    "passed": "BOOLEAN",
    "metric": "VARCHAR",
    "source": "VARCHAR",
    "kr_id": "VARCHAR",
    "details_json": "VARCHAR",
}
SUITES_TABLE = "quality_suite_results"
SUITES_SCHEMA = {"as_of": "DATE", "run_id": "VARCHAR", "suite_name": "VARCHAR", "result_json": "VARCHAR"}
BLOCKED_TABLE, BLOCKED_SCHEMA = (
    BLOCKED_METRICS_TABLE,
    BLOCKED_METRICS_COLUMNS,
)  # declared once, with the raw tables
LINEAGE_TABLE = "quality_metric_lineage"
LINEAGE_SCHEMA = {"metric": "VARCHAR", "node": "VARCHAR"}


def _marks(values: Sequence[object]) -> str:
    return ", ".join(["?"] * len(values))


def result_frame(
    as_of: dt.date, run_id: str, runs: Sequence[SuiteRun], asset_of: dict[str, str]
) -> pd.DataFrame:
    """The rows `save_runs` stores for these runs (also what a reader shows for checks not stored)."""
    rows = []
    for run in runs:
        for o in run.outcomes:
            rows.append(
                {
                    "as_of": as_of,
                    "run_id": run_id,
                    "check_name": o.check,
                    "asset": asset_of.get(o.check, run.node or ""),
                    "severity": o.severity.value,
                    "passed": o.success,
                    "metric": o.spec.metric,
                    "source": o.spec.node,
                    "kr_id": o.spec.kr_id,
                    "details_json": json.dumps({**o.to_json(), "suite": run.suite_name}, default=str),
                }
            )
    return pd.DataFrame(rows, columns=list(RESULTS_SCHEMA))


def save_runs(
    warehouse: Warehouse,
    as_of: dt.date,
    run_id: str,
    runs: Sequence[SuiteRun],
    asset_of: dict[str, str],
    checks_run: Iterable[str] = (),
) -> int:
    """Replace the stored outcomes of every check in `runs` (and `checks_run`) for as_of."""
    df = result_frame(as_of, run_id, runs, asset_of)
    checks = sorted({*df["check_name"], *checks_run})
    suites = [r.suite_name for r in runs]
    suite_df = pd.DataFrame(
        [
            {
                "as_of": as_of,
                "run_id": run_id,
                "suite_name": r.suite_name,
                "result_json": json.dumps(r.result_json, default=str),
            }
            for r in runs
        ],
        columns=list(SUITES_SCHEMA),
    )
    with warehouse.transaction("raw") as tx:
        tx.ensure_table(RESULTS_TABLE, RESULTS_SCHEMA)
        tx.ensure_table(SUITES_TABLE, SUITES_SCHEMA)
        if checks:
            tx.execute(
                f"DELETE FROM {tx.qualified(RESULTS_TABLE)} "
                f"WHERE as_of = ? AND check_name IN ({_marks(checks)})",
                [as_of, *checks],
            )
        if suites:
            tx.execute(
                f"DELETE FROM {tx.qualified(SUITES_TABLE)} "
                f"WHERE as_of = ? AND suite_name IN ({_marks(suites)})",
                [as_of, *suites],
            )
        tx.insert(RESULTS_TABLE, df, schema=RESULTS_SCHEMA)
        tx.insert(SUITES_TABLE, suite_df, schema=SUITES_SCHEMA)
    return len(df)


def write_blocked(warehouse: Warehouse, blocked: dict[str, str], lineage: dict[str, set[str]]) -> None:
    """Make okr_blocked_metrics hold exactly the metrics blocked in this run (and refresh lineage)."""
    df = pd.DataFrame(
        [{"metric": m, "severity": "ERROR", "reason": r} for m, r in sorted(blocked.items())],
        columns=list(BLOCKED_SCHEMA),
    )
    lin = pd.DataFrame(
        [{"metric": m, "node": n} for m, nodes in sorted(lineage.items()) for n in sorted(nodes)],
        columns=list(LINEAGE_SCHEMA),
    )
    with warehouse.transaction("raw") as tx:
        tx.replace_all(BLOCKED_TABLE, df, schema=BLOCKED_SCHEMA)
        tx.replace_all(LINEAGE_TABLE, lin, schema=LINEAGE_SCHEMA)


def _read(warehouse: Warehouse, table: str, where: str = "", params: Sequence[object] = ()) -> pd.DataFrame:
    with warehouse.transaction("raw") as tx:
        if not tx.table_columns(table):
            return pd.DataFrame()
        return tx.query(f"SELECT * FROM {tx.qualified(table)} {where}", list(params))


def read_results(warehouse: Warehouse, as_of: dt.date) -> pd.DataFrame:
    return _read(warehouse, RESULTS_TABLE, "WHERE as_of = ? ORDER BY check_name, source, kr_id", [as_of])


def read_suite_results(warehouse: Warehouse, as_of: dt.date) -> list[dict]:
    df = _read(warehouse, SUITES_TABLE, "WHERE as_of = ? ORDER BY suite_name", [as_of])
    return [json.loads(s) for s in df.get("result_json", [])]


def read_lineage(warehouse: Warehouse) -> dict[str, set[str]]:
    df = _read(warehouse, LINEAGE_TABLE)
    out: dict[str, set[str]] = {}
    for row in df.itertuples(index=False):
        out.setdefault(row.metric, set()).add(row.node)
    return out


def read_blocked(warehouse: Warehouse) -> pd.DataFrame:
    return _read(warehouse, BLOCKED_TABLE, "ORDER BY metric")
