"""What the scorecard and the `okr run` summary line carry from the quality checks.

Read from raw.quality_check_results (written by the gate and the kr_scores checks), so the
publisher shows exactly what the checks reported.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd

from connectors.warehouse import Warehouse
from pipelines.quality.krs import KR_CHECKS
from pipelines.quality.store import read_blocked, read_lineage, read_results, read_suite_results


def _check_rows(results: pd.DataFrame) -> pd.DataFrame:
    """One row per Dagster-level check (check_name, asset): passed when every expectation passed;
    its severity is the worst severity among failed expectations (else the first configured one)."""
    if results.empty:
        return pd.DataFrame(columns=["check_name", "asset", "source", "severity", "passed"])
    rows = []
    for (name, asset), group in results.groupby(["check_name", "asset"], sort=True, dropna=False):
        failed = group[~group["passed"].astype(bool)]
        sev = group["severity"]
        if not failed.empty:
            sev = failed["severity"]
        severity = "ERROR" if (sev == "ERROR").any() else "WARN"
        rows.append(
            {
                "check_name": name,
                "asset": asset,
                "source": group["source"].iloc[0],
                "severity": severity,
                "passed": failed.empty,
            }
        )
    return pd.DataFrame(rows)


def _ensure_kr_results(warehouse: Warehouse, as_of: dt.date, results: pd.DataFrame) -> pd.DataFrame:
    """When the kr_scores checks have not stored results for as_of yet, run them now (idempotent)."""
    if not results.empty and results["check_name"].isin(list(KR_CHECKS)).any():
        return results
    from pipelines.quality.runner import run_kr_checks
    from pipelines.quality.store import save_runs

    run, _ = run_kr_checks(warehouse, as_of)
    if run is None:
        return results
    save_runs(warehouse, as_of, "scorecard", [run], dict.fromkeys(KR_CHECKS, "kr_scores"), KR_CHECKS)
    return read_results(warehouse, as_of)


def summary_counts(warehouse: Warehouse, as_of: dt.date) -> dict[str, int]:
    """Failed checks per severity, e.g. {"ERROR": 0, "WARN": 2} (see `format_summary`)."""
    checks = _check_rows(read_results(warehouse, as_of))
    failed = checks[~checks["passed"].astype(bool)] if not checks.empty else checks
    return {
        "ERROR": int((failed["severity"] == "ERROR").sum()),
        "WARN": int((failed["severity"] == "WARN").sum()),
    }


def format_summary(counts: dict[str, int]) -> str:
    return f"checks failed: {counts.get('ERROR', 0)} ERROR, {counts.get('WARN', 0)} WARN"


def _kr_metrics(warehouse: Warehouse, as_of: dt.date) -> dict[str, str | None]:
    from pipelines.quality.runner import read_relation

    scores = read_relation(warehouse, "analytics", "kr_scores")
    if scores is not None and not scores.empty:
        if "as_of" in scores.columns:
            scores = scores[pd.to_datetime(scores["as_of"]).dt.date == as_of]
        return {str(r.kr_id): (None if pd.isna(r.metric) else str(r.metric)) for r in scores.itertuples()}
    defs = read_relation(warehouse, "raw", "okr_key_results")
    if defs is None:
        return {}
    return {str(r.kr_id): (None if pd.isna(r.metric) else str(r.metric)) for r in defs.itertuples()}


def scorecard_quality(warehouse: Warehouse, as_of: dt.date) -> dict[str, Any]:
    """{"checks_by_kr": {kr_id: [{"name", "severity", "passed"}]}, "data_health": {...}} for scorecard.json.

    A KR's checks: its own off-track checks, then every data check on a table its metric reads."""
    results = _ensure_kr_results(warehouse, as_of, read_results(warehouse, as_of))
    lineage = read_lineage(warehouse)
    source_results = results[results["kr_id"].isna()] if not results.empty else results
    source_checks = _check_rows(source_results)
    checks_by_kr: dict[str, list[dict[str, Any]]] = {}
    for kr_id, metric in sorted(_kr_metrics(warehouse, as_of).items()):
        own = results[results["kr_id"] == kr_id] if not results.empty else results
        items = [
            {"name": r.check_name, "severity": r.severity, "passed": bool(r.passed)}
            for r in own.sort_values("check_name").itertuples()
        ]
        nodes = lineage.get(metric or "", set())
        if not source_checks.empty and nodes:
            for r in source_checks[source_checks["source"].isin(nodes)].itertuples():
                items.append({"name": r.check_name, "severity": r.severity, "passed": bool(r.passed)})
        checks_by_kr[kr_id] = items
    failed = (
        source_checks[~source_checks["passed"].astype(bool)] if not source_checks.empty else source_checks
    )
    blocked = read_blocked(warehouse)
    failures = []
    if not source_results.empty:
        for r in source_results[~source_results["passed"].astype(bool)].itertuples():
            details = json.loads(r.details_json)
            failures.append(
                {
                    "check": r.check_name,
                    "source": r.source,
                    "severity": r.severity,
                    "summary": details.get("summary"),
                }
            )
    data_health = {
        "as_of": as_of.isoformat(),
        "status": "error" if (failed["severity"] == "ERROR").any() else ("warn" if len(failed) else "ok"),
        "checks": len(source_checks),
        "failed": {
            "ERROR": int((failed["severity"] == "ERROR").sum()),
            "WARN": int((failed["severity"] == "WARN").sum()),
        },
        "sources": sorted({str(s) for s in source_checks.get("source", []) if s}),
        "failures": failures,
        "blocked_metrics": [
            {"metric": r.metric, "severity": r.severity, "reason": r.reason} for r in blocked.itertuples()
        ]
        if not blocked.empty
        else [],
        "data_docs": "quality/index.html",
    }
    return {"checks_by_kr": checks_by_kr, "data_health": data_health}


def publish_data_docs(warehouse: Warehouse, as_of: dt.date, out_dir: Path) -> Path:
    """Build the Data Docs site for as_of from the stored GX results (for the scorecard publisher)."""
    from pipelines.quality.docs import build_data_docs

    return build_data_docs(read_suite_results(warehouse, as_of), out_dir)
