"""What the scorecard shows of the quality checks: each KR's checks and the data-health summary.

Read-only: it reads raw.quality_check_results (written by the data gate and the kr_scores
checks). When the kr_scores checks have not stored results for the day yet (the scorecard asset
and the checks run side by side in one Dagster run), they are evaluated in memory for the page
and not stored; storing them stays the checks' own job.

Counts are of checks (one Dagster check = one check name on one asset), the same unit everywhere:
`summary_counts` = source checks + key-result checks, and the data-health page groups the same
checks by source.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd

from connectors.warehouse import Warehouse
from pipelines.quality.krs import KR_CHECKS
from pipelines.quality.store import read_blocked, read_lineage, read_results, result_frame
from pipelines.reporting.load_problems import read_load_problems

KR_SOURCE = "kr_scores"  # the `source` of the key-result checks


def _check_rows(results: pd.DataFrame) -> pd.DataFrame:
    """One row per Dagster-level check (check_name, asset): passed when every expectation passed;
    its severity is the worst severity among failed expectations (else the first configured one)."""
    if results.empty:
        return pd.DataFrame(columns=["check_name", "asset", "source", "severity", "passed"])
    rows = []
    for (name, asset), group in results.groupby(["check_name", "asset"], sort=True, dropna=False):
        failed = group[~group["passed"].astype(bool)]
        sev = failed["severity"] if not failed.empty else group["severity"]
        rows.append(
            {
                "check_name": name,
                "asset": asset,
                "source": group["source"].iloc[0],
                "severity": "ERROR" if (sev == "ERROR").any() else "WARN",
                "passed": failed.empty,
            }
        )
    return pd.DataFrame(rows)


def read_check_results(warehouse: Warehouse, as_of: dt.date) -> pd.DataFrame:
    """The stored check outcomes of as_of; the kr_scores checks evaluated in memory if not stored yet."""
    results = read_results(warehouse, as_of)
    if not results.empty and results["check_name"].isin(list(KR_CHECKS)).any():
        return results
    from pipelines.quality.runner import run_kr_checks

    run, _ = run_kr_checks(warehouse, as_of)
    if run is None:
        return results
    fresh = result_frame(as_of, "scorecard", [run], dict.fromkeys(KR_CHECKS, KR_SOURCE))
    return fresh if results.empty else pd.concat([results, fresh], ignore_index=True)


def _failed_counts(checks: pd.DataFrame) -> dict[str, int]:
    failed = checks[~checks["passed"].astype(bool)] if not checks.empty else checks
    return {
        "ERROR": int((failed["severity"] == "ERROR").sum()),
        "WARN": int((failed["severity"] == "WARN").sum()),
    }


def summary_counts(
    warehouse: Warehouse, as_of: dt.date, results: pd.DataFrame | None = None
) -> dict[str, int]:
    """Failed checks per severity, e.g. {"ERROR": 0, "WARN": 2} (see `format_summary`)."""
    return _failed_counts(_check_rows(read_results(warehouse, as_of) if results is None else results))


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


def _failure(row: Any) -> dict[str, Any]:
    details = json.loads(row.details_json)
    kwargs = details.get("kwargs") if isinstance(details.get("kwargs"), dict) else {}
    return {
        "check": row.check_name,
        "source": row.source,
        "severity": row.severity,
        "summary": details.get("summary"),
        # Added for the data-health page's plain-words sentence (docs/scorecard-schema.md).
        "expectation": details.get("expectation_type"),
        "column": details.get("column"),
        "unexpected_count": details.get("unexpected_count"),
        "element_count": details.get("element_count"),
        "min_value": kwargs.get("min_value"),
        "max_value": kwargs.get("max_value"),
    }


def _kr_check_item(row: Any) -> dict[str, Any]:
    return {"name": row.check_name, "severity": row.severity, "passed": bool(row.passed)}


def scorecard_quality(warehouse: Warehouse, as_of: dt.date) -> dict[str, Any]:
    """{"checks_by_kr": {kr_id: [{"name", "severity", "passed"}]}, "data_health": {...}} for scorecard.json.

    A KR's checks: its own off-track checks, then every data check on a table its metric reads."""
    results = read_check_results(warehouse, as_of)
    lineage = read_lineage(warehouse)
    source_results = results[results["kr_id"].isna()] if not results.empty else results
    source_checks = _check_rows(source_results)
    # One pass over the results, not a filter of the whole frame per KR (1,000 KRs: seconds).
    own_by_kr: dict[str, list[dict[str, Any]]] = {}
    if not results.empty:
        for r in results[results["kr_id"].notna()].sort_values(["kr_id", "check_name"]).itertuples():
            own_by_kr.setdefault(r.kr_id, []).append(_kr_check_item(r))
    source_items = [(r.source, _kr_check_item(r)) for r in source_checks.itertuples()]
    by_metric: dict[str, list[dict[str, Any]]] = {}
    checks_by_kr: dict[str, list[dict[str, Any]]] = {}
    for kr_id, metric in sorted(_kr_metrics(warehouse, as_of).items()):
        nodes = lineage.get(metric or "", set())
        if metric not in by_metric:
            by_metric[metric] = [item for source, item in source_items if source in nodes]
        checks_by_kr[kr_id] = [dict(i) for i in (*own_by_kr.get(kr_id, []), *by_metric[metric])]
    failed = (
        source_checks[~source_checks["passed"].astype(bool)] if not source_checks.empty else source_checks
    )
    blocked = read_blocked(warehouse)
    failures = []
    if not source_results.empty:
        failures = [_failure(r) for r in source_results[~source_results["passed"].astype(bool)].itertuples()]
        # A stable order, so that rescoring the same inputs publishes the same scorecard.json.
        failures.sort(key=lambda f: tuple(str(f[k]) for k in ("source", "check", "column", "summary")))
    kr_results = results[results["kr_id"].notna()] if not results.empty else results
    load = read_load_problems(warehouse)
    data_health = {
        "as_of": as_of.isoformat(),
        "status": "error"
        if load or (failed["severity"] == "ERROR").any()
        else ("warn" if len(failed) else "ok"),
        "checks": len(source_checks),
        "failed": _failed_counts(source_checks),
        "sources": sorted({str(s) for s in source_checks.get("source", []) if s}),
        "failures": failures,
        "blocked_metrics": [
            {"metric": r.metric, "severity": r.severity, "reason": r.reason} for r in blocked.itertuples()
        ]
        if not blocked.empty
        else [],
        "data_docs": "quality/index.html",
        # Added: one record per check (source and key-result checks), so every count on the
        # data-health page is a count of these rows.
        "check_results": [
            {"check": r.check_name, "source": r.source, "severity": r.severity, "passed": bool(r.passed)}
            for r in _check_rows(source_results).itertuples()
        ]
        + [
            {"check": r.check_name, "source": KR_SOURCE, "severity": r.severity, "passed": bool(r.passed)}
            for r in _check_rows(kr_results).itertuples()
        ],
        "failed_kr_checks": [
            {"check": r.check_name, "kr_id": r.kr_id, "severity": r.severity}
            for r in kr_results[~kr_results["passed"].astype(bool)].itertuples()
        ]
        if not kr_results.empty
        else [],
        # Added: what failed to load (failed_sources, rejected_files, rejected_rows).
        **load.as_json(),
    }
    return {"checks_by_kr": checks_by_kr, "data_health": data_health, "results": results}
