"""Build the scorecard dict (docs/scorecard-schema.md) from the scoring marts of one as_of."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter, defaultdict
from typing import Any

import pandas as pd

from connectors.warehouse import Warehouse
from pipelines.reporting.statuses import STATUSES
from pipelines.scoring_constants import scoring_constants

SCHEMA_VERSION = 1

# The forecast interval (docs/scoring.md, "Forecast interval"): kr_scores.forecast_<key>.
FORECAST_INTERVAL_KEYS = (
    "p10",
    "p50",
    "p90",
    "probability_on_target",
    "interval_method",
    "observed_through",
    "remaining_days",
    "season_scale",
)


def _clean(value: Any) -> Any:
    """JSON-safe scalars: NaN/NaT -> None, numpy numbers -> Python, dates -> ISO strings."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        return _clean(value.item())
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


def _number(value: Any) -> Any:
    """Integers stay integers in JSON (650, not 650.0) so exports read naturally."""
    value = _clean(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def scoring_reason(row: dict[str, Any]) -> dict[str, Any]:
    """The reason the scoring SQL gives for a status (docs/scoring.md, "Reasons"): its code and
    parameters as the marts hold them, so a reader of scorecard.json needs no second derivation."""
    params = row.get("reason_params")
    try:
        parsed = json.loads(params) if isinstance(params, str) and params else None
    except ValueError:
        parsed = None
    return {"reason_code": row.get("reason_code"), "reason_params": parsed}


def load_scorecard(warehouse: Warehouse, as_of: dt.date, generated_at: dt.datetime) -> dict[str, Any]:
    with warehouse.transaction("analytics") as tx:
        krs = tx.query("SELECT * FROM analytics.kr_scores ORDER BY cycle, objective_id, kr_id")
        objectives = tx.query("SELECT * FROM analytics.objective_scores ORDER BY cycle, objective_id")
        initiatives = tx.query(
            "SELECT * FROM analytics.initiative_contributions ORDER BY kr_id, initiative_no"
        )
        changes = tx.query("SELECT * FROM analytics.kr_definition_changes ORDER BY kr_id, changed_on, field")
        filters = tx.query(
            "SELECT kr_id, column_name, filter_value FROM raw.okr_kr_filters "
            "ORDER BY kr_id, column_name, filter_value"
        )
        checkins = tx.query(
            "SELECT kr_id, checkin_date, value, confidence_score, confidence_level, note, author, "
            "is_override, source_line FROM raw.okr_checkins "
            "ORDER BY kr_id, checkin_date DESC, source_line DESC"
        )
        reasons = tx.query(
            "SELECT kr_id, change_reason FROM raw.okr_key_results WHERE change_reason IS NOT NULL"
        )
        campaigns = tx.query(
            "SELECT kr_id, initiative_no, campaign FROM raw.okr_initiative_campaigns "
            "ORDER BY kr_id, initiative_no, campaign"
        )
        curves = tx.query(
            "SELECT kr_id, curve_date, expected_progress FROM analytics.kr_pace_curves "
            "ORDER BY kr_id, curve_date"
        )
    card = build_scorecard(krs, objectives, initiatives, changes, filters, campaigns, as_of, generated_at)
    add_checkins(card, checkins, reasons)
    add_pace_curves(card, curves)
    return card


def add_pace_curves(card: dict[str, Any], curves: pd.DataFrame) -> None:
    """Added key of every KR: `pace_curve`, the expected progress by day as [date, value] pairs
    (docs/scorecard-schema.md): each day of a seasonal or monthly curve, the two ends of a straight
    line, none for threshold types (they expect 1.0 throughout)."""
    by_kr: dict[str, list[list]] = defaultdict(list)
    for row in _records(curves):
        by_kr[row["kr_id"]].append([row["curve_date"], row["expected_progress"]])
    for kr in card["key_results"]:
        if kr["pace"] is None:
            kr["pace_curve"] = None
        elif kr["id"] in by_kr:
            kr["pace_curve"] = by_kr[kr["id"]]
        else:
            aspirational = kr["commitment"] == "aspirational"
            factor = scoring_constants().aspirational_factor if aspirational else 1.0
            kr["pace_curve"] = [[kr["start"], 0.0], [kr["end"], factor]]


def add_checkins(card: dict[str, Any], checkins: pd.DataFrame, reasons: pd.DataFrame) -> None:
    """Added keys of every KR: `checkins` up to as_of, newest first (date, value, confidence as
    written, its level, note, author, override), and the definition's `change_reason`, for the KR
    page's timeline (docs/scorecard-schema.md)."""
    by_kr: dict[str, list[dict]] = defaultdict(list)
    for row in _records(checkins):
        if row["checkin_date"] is not None and row["checkin_date"] <= card["as_of"]:
            by_kr[row["kr_id"]].append(
                {
                    "date": row["checkin_date"],
                    "value": _number(row["value"]),
                    "note": row["note"],
                    "confidence": _number(row["confidence_score"]) or row["confidence_level"],
                    "confidence_level": row["confidence_level"],
                    "author": row["author"],
                    "override": bool(row["is_override"]),
                }
            )
    reason_of = {r["kr_id"]: r["change_reason"] for r in _records(reasons)}
    for kr in card["key_results"]:
        kr["checkins"] = by_kr.get(kr["id"], [])
        kr["change_reason"] = reason_of.get(kr["id"])


def override_of(row: dict[str, Any]) -> dict[str, Any] | None:
    """The check-in override in force on a KR (docs/scoring.md, "Overrides"): its day, value (the
    actual), note and author, and the actual the data gives; None when the data's actual stands."""
    if row.get("override_date") is None:
        return None
    return {
        "date": row["override_date"],
        "value": _number(row["actual"]),
        "note": row.get("override_note"),
        "author": row.get("override_author"),
        "data_actual": _number(row.get("data_actual")),
    }


def build_scorecard(
    krs: pd.DataFrame,
    objectives: pd.DataFrame,
    initiatives: pd.DataFrame,
    changes: pd.DataFrame,
    filters: pd.DataFrame,
    campaigns: pd.DataFrame,
    as_of: dt.date,
    generated_at: dt.datetime,
) -> dict[str, Any]:
    filters_by_kr: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in _records(filters):
        if row["column_name"] == "kr_id":  # the implicit filter of check-in KRs
            continue
        filters_by_kr[row["kr_id"]][row["column_name"]].append(row["filter_value"])
    campaigns_by_initiative: dict[tuple[str, int], list[str]] = defaultdict(list)
    for row in _records(campaigns):
        campaigns_by_initiative[(row["kr_id"], int(row["initiative_no"]))].append(row["campaign"])
    initiatives_by_kr: dict[str, list[dict]] = defaultdict(list)
    for row in _records(initiatives):
        initiatives_by_kr[row["kr_id"]].append(
            {
                "title": row["title"],
                "owner": row["owner"],
                "status": row["status"],
                "due": row["due_date"],
                "campaigns": campaigns_by_initiative.get((row["kr_id"], int(row["initiative_no"])), []),
                "contribution": _number(row["contribution"]),
                "overdue": bool(row["is_overdue"]),
            }
        )
    changes_by_kr: dict[str, list[dict]] = defaultdict(list)
    for row in _records(changes):
        numeric = row["field"] in ("target", "baseline")
        changes_by_kr[row["kr_id"]].append(
            {
                "field": row["field"],
                "old": _number(row["old_number"]) if numeric else row["old_date"],
                "new": _number(row["new_number"]) if numeric else row["new_date"],
                "changed_on": row["changed_on"],
                "reason": row["change_reason"],
            }
        )
    key_results = []
    krs_by_objective: dict[str, list[str]] = defaultdict(list)
    for r in _records(krs):
        krs_by_objective[r["objective_id"]].append(r["kr_id"])
        forecast = None
        # min/max KRs have no point forecast but do have an interval and a probability.
        if r["forecast_method"] or r.get("forecast_interval_method"):
            forecast = {
                "method": r["forecast_method"],
                "run_rate": r["forecast_run_rate"],
                "projected_actual": r["forecast_projected_actual"],
                "projected_progress": r["forecast_projected_progress"],
                **{key: r.get(f"forecast_{key}") for key in FORECAST_INTERVAL_KEYS},
            }
        key_results.append(
            {
                "id": r["kr_id"],
                "objective_id": r["objective_id"],
                "title": r["title"],
                "owner": r["owner"],
                "team": r["team"],
                "cycle": r["cycle"],
                "metric": r["metric"],
                "filter": {k: v for k, v in filters_by_kr.get(r["kr_id"], {}).items()},
                "measure": r["measure"],
                "type": r["kr_type"],
                "commitment": r["commitment"],
                "weight": _number(r["weight"]),
                "baseline": _number(r["baseline"]),
                "target": _number(r["target"]),
                "unit": r["unit"],
                "start": r["start_date"],
                "end": r["end_date"],
                "total_days": _number(r["total_days"]),
                "elapsed_days": _number(r["elapsed_days"]),
                "actual": r["actual"],
                "progress": r["progress"],
                "score": r["score"],
                "expected_progress": r["expected_progress"],
                "gap": r["gap"],
                "status": r["status"],
                "status_reason": r["status_reason"],
                "data_through": r["data_through"],
                "forecast": forecast,
                # The expected-progress curve in force (docs/scoring.md, "Pace"): linear, seasonal or
                # monthly; null for threshold types. A seasonal pace without last year's history
                # is linear here, pace_requested says seasonal and pace_warning why.
                "pace": r.get("pace_method"),
                "pace_requested": r.get("pace"),
                "pace_warning": r.get("pace_warning"),
                "initiatives": initiatives_by_kr.get(r["kr_id"], []),
                "definition_changes": changes_by_kr.get(r["kr_id"], []),
                "override": override_of(r),
                **scoring_reason(r),
            }
        )
    children: dict[str, list[str]] = defaultdict(list)
    obj_rows = _records(objectives)
    for o in obj_rows:
        if o["parent_id"]:
            children[o["parent_id"]].append(o["objective_id"])
    objectives_out = [
        {
            "id": o["objective_id"],
            "title": o["title"],
            "owner": o["owner"],
            "team": o["team"],
            "cycle": o["cycle"],
            "parent": o["parent_id"],
            "children": children.get(o["objective_id"], []),
            "level": o["level"],
            "weight": _number(o["weight"]),
            "score": o["score"],
            "expected_progress": o["expected_progress"],
            "gap": o["gap"],
            "status": o["status"],
            "start": o["start_date"],
            "end": o["end_date"],
            "key_results": krs_by_objective.get(o["objective_id"], []),
            **scoring_reason(o),
        }
        for o in obj_rows
    ]
    counts = Counter(k["status"] for k in key_results)
    return {
        "schema_version": SCHEMA_VERSION,
        "as_of": as_of.isoformat(),
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "cycles": sorted({o["cycle"] for o in objectives_out}),
        "summary": {"key_results": len(key_results), "by_status": {s: counts.get(s, 0) for s in STATUSES}},
        "objectives": objectives_out,
        "key_results": key_results,
    }
