"""Write validated definitions to the warehouse (`raw.okr_*`), where the dbt scoring reads them.

Everything is written in one transaction: the tables always hold one consistent set of definitions.
A snapshot of each KR's target, baseline and period is kept per day, so dbt can show course
corrections ("target raised from 600 to 650 on 2026-10-20").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pandas as pd

from connectors.raw_tables import BLOCKED_METRICS_COLUMNS, BLOCKED_METRICS_TABLE
from connectors.warehouse import Warehouse
from pipelines.okr_definitions.loader import OkrDefinitions

OBJECTIVES = {
    "objective_id": "VARCHAR",
    "title": "VARCHAR",
    "owner": "VARCHAR",
    "team": "VARCHAR",
    "parent_id": "VARCHAR",
    "cycle": "VARCHAR",
    "weight": "DOUBLE PRECISION",
    "start_date": "DATE",
    "end_date": "DATE",
    "at_risk_threshold": "DOUBLE PRECISION",
    "off_track_threshold": "DOUBLE PRECISION",
    "source_file": "VARCHAR",
}
KEY_RESULTS = {
    "kr_id": "VARCHAR",
    "objective_id": "VARCHAR",
    "title": "VARCHAR",
    "metric": "VARCHAR",
    "measure": "VARCHAR",
    "kr_type": "VARCHAR",
    "baseline": "DOUBLE PRECISION",
    "target": "DOUBLE PRECISION",
    "commitment": "VARCHAR",
    "weight": "DOUBLE PRECISION",
    "start_date": "DATE",
    "end_date": "DATE",
    "stale_after_days": "INTEGER",
    "at_risk_threshold": "DOUBLE PRECISION",
    "off_track_threshold": "DOUBLE PRECISION",
    "unit": "VARCHAR",
    "owner": "VARCHAR",
    "change_reason": "VARCHAR",
    "cycle": "VARCHAR",
    "pace": "VARCHAR",
}
KR_FILTERS = {"kr_id": "VARCHAR", "column_name": "VARCHAR", "filter_value": "VARCHAR"}
INITIATIVES = {
    "kr_id": "VARCHAR",
    "initiative_no": "INTEGER",
    "title": "VARCHAR",
    "owner": "VARCHAR",
    "status": "VARCHAR",
    "due_date": "DATE",
}
INITIATIVE_CAMPAIGNS = {"kr_id": "VARCHAR", "initiative_no": "INTEGER", "campaign": "VARCHAR"}
CHECKINS = {
    "kr_id": "VARCHAR",
    "checkin_date": "DATE",
    "value": "DOUBLE PRECISION",
    "note": "VARCHAR",
    "confidence_score": "INTEGER",
    "confidence_level": "VARCHAR",
    "author": "VARCHAR",
    "is_override": "BOOLEAN",
    "source_line": "INTEGER",
}
# Monthly pace shares as each run day saw them (like the snapshots): rescoring a past day uses
# the shares in force then.
PACE_SHARES = {"seen_on": "DATE", "kr_id": "VARCHAR", "month_start": "DATE", "share": "DOUBLE PRECISION"}
SNAPSHOTS = {
    "seen_on": "DATE",
    "kr_id": "VARCHAR",
    "baseline": "DOUBLE PRECISION",
    "target": "DOUBLE PRECISION",
    "start_date": "DATE",
    "end_date": "DATE",
    "change_reason": "VARCHAR",
    # The whole resolved KR (metric, filter, measure, type, weight, initiatives, ...) as JSON:
    # the definitions each run used are kept, not only the fields whose changes are reported.
    "definition_json": "VARCHAR",
}

# The tables this module writes, each a Dagster asset ["raw", table].
DEFINITION_TABLES = {
    "okr_objectives": "One row per objective of every cycle.",
    "okr_key_results": "One row per key result, with the cycle's defaults resolved.",
    "okr_kr_filters": "One row per allowed dimension value of a key result's filter.",
    "okr_initiatives": "Initiatives planned to move a key result.",
    "okr_initiative_campaigns": "Campaigns an initiative runs.",
    "okr_checkins": "Check-ins from okrs/checkins.csv: values, confidence, notes, authors, overrides.",
    "okr_definition_snapshots": "Each KR's target, baseline and period as seen on each run day.",
    "okr_kr_pace_shares": "Monthly pace shares of key results with an explicit pace, per run day.",
}


def _frame(rows: list[dict], schema: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(schema)).astype(object)


def store_definitions(defs: OkrDefinitions, warehouse: Warehouse, seen_on: dt.date) -> dict[str, int]:
    """Replace the definition tables and record today's snapshot; returns row counts per table."""
    objectives = [
        {
            "objective_id": o.objective_id,
            "title": o.title,
            "owner": o.owner,
            "team": o.team,
            "parent_id": o.parent,
            "cycle": o.cycle,
            "weight": o.weight,
            "start_date": o.start,
            "end_date": o.end,
            "at_risk_threshold": o.at_risk,
            "off_track_threshold": o.off_track,
            "source_file": o.source_file,
        }
        for o in defs.objectives
    ]
    krs, filters, initiatives, campaigns, snapshots, shares = [], [], [], [], [], []
    for k in defs.key_results:
        krs.append(
            {
                "kr_id": k.kr_id,
                "objective_id": k.objective_id,
                "title": k.title,
                "metric": k.metric,
                "measure": k.measure,
                "kr_type": k.kr_type,
                "baseline": k.baseline,
                "target": k.target,
                "commitment": k.commitment,
                "weight": k.weight,
                "start_date": k.start,
                "end_date": k.end,
                "stale_after_days": k.stale_after_days,
                "at_risk_threshold": k.at_risk,
                "off_track_threshold": k.off_track,
                "unit": k.unit,
                "owner": k.owner,
                "change_reason": k.change_reason,
                "cycle": k.cycle,
                "pace": k.pace,
            }
        )
        shares += [
            {
                "seen_on": seen_on,
                "kr_id": k.kr_id,
                "month_start": dt.date.fromisoformat(m + "-01"),
                "share": v,
            }
            for m, v in k.pace_shares
        ]
        filters += [
            {"kr_id": k.kr_id, "column_name": c, "filter_value": v}
            for c, values in k.filters.items()
            for v in values
        ]
        for ini in k.initiatives:
            initiatives.append(
                {
                    "kr_id": k.kr_id,
                    "initiative_no": ini.initiative_no,
                    "title": ini.title,
                    "owner": ini.owner,
                    "status": ini.status,
                    "due_date": ini.due,
                }
            )
            campaigns += [
                {"kr_id": k.kr_id, "initiative_no": ini.initiative_no, "campaign": c} for c in ini.campaigns
            ]
        snapshots.append(
            {
                "seen_on": seen_on,
                "kr_id": k.kr_id,
                "baseline": k.baseline,
                "target": k.target,
                "start_date": k.start,
                "end_date": k.end,
                "change_reason": k.change_reason,
                "definition_json": json.dumps(dataclasses.asdict(k), default=str, sort_keys=True),
            }
        )
    checkins = [
        {
            "kr_id": c.kr_id,
            "checkin_date": c.checkin_date,
            "value": c.value,
            "note": c.note,
            "confidence_score": c.confidence_score,
            "confidence_level": c.confidence_level,
            "author": c.author,
            "is_override": c.is_override,
            "source_line": c.line,
        }
        for c in defs.checkins
    ]
    with warehouse.transaction() as tx:
        counts = {
            "okr_objectives": tx.replace_all("okr_objectives", _frame(objectives, OBJECTIVES), OBJECTIVES),
            "okr_key_results": tx.replace_all("okr_key_results", _frame(krs, KEY_RESULTS), KEY_RESULTS),
            "okr_kr_filters": tx.replace_all("okr_kr_filters", _frame(filters, KR_FILTERS), KR_FILTERS),
            "okr_initiatives": tx.replace_all(
                "okr_initiatives", _frame(initiatives, INITIATIVES), INITIATIVES
            ),
            "okr_initiative_campaigns": tx.replace_all(
                "okr_initiative_campaigns", _frame(campaigns, INITIATIVE_CAMPAIGNS), INITIATIVE_CAMPAIGNS
            ),
            "okr_checkins": tx.replace_all("okr_checkins", _frame(checkins, CHECKINS), CHECKINS),
            # Rerunning on the same day replaces that day's snapshot, so reruns change nothing.
            "okr_definition_snapshots": tx.replace_where(
                "okr_definition_snapshots", _frame(snapshots, SNAPSHOTS), "seen_on", [seen_on], SNAPSHOTS
            ),
            "okr_kr_pace_shares": tx.replace_where(
                "okr_kr_pace_shares", _frame(shares, PACE_SHARES), "seen_on", [seen_on], PACE_SHARES
            ),
        }
        # Exists even before the quality step first runs, so the scoring SQL can always join it.
        tx.ensure_table(BLOCKED_METRICS_TABLE, BLOCKED_METRICS_COLUMNS)
    return counts
