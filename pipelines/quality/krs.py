"""The off-track suite: expectations derived from the OKR definitions, run on kr_scores.

Per KR in its period: `kr_not_off_track` (status is not off_track) and the weaker
`kr_not_at_risk` (status is not at_risk). Per KR whose period has ended: `kr_achieved_after_period`
(status is achieved). All WARN: a goal going badly is news, never a broken run.

Set-based: ONE Great Expectations validation with one expectation per rule over every KR's row
(a `kr_phase` column, computed from the definitions, selects the rows a rule applies to), not an
expectation per KR with its own row filter. GX names the failing rows by `kr_id`
(`unexpected_index_list`), and `per_kr_outcomes` turns that into one outcome per KR and rule, so
the stored results and the scorecard still say which KR failed which rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pandas as pd

from pipelines.quality.gx_validation import SuiteRun, jsonable
from pipelines.quality.specs import CheckSpec, ColumnEquals, Severity

KR_CHECKS = {
    "kr_not_off_track": "KRs in their period that are off track",
    "kr_not_at_risk": "KRs in their period that are at risk",
    "kr_achieved_after_period": "KRs whose period has ended without being achieved",
}
# check -> (expectation, status values, the KR phase it applies to)
KR_RULES = {
    "kr_not_off_track": ("column_values_to_not_be_in_set", ["off_track"], "in_period"),
    "kr_not_at_risk": ("column_values_to_not_be_in_set", ["at_risk"], "in_period"),
    "kr_achieved_after_period": ("column_values_to_be_in_set", ["achieved"], "ended"),
}
KR_DETAIL_COLUMNS = (
    "kr_id",
    "objective_id",
    "title",
    "owner",
    "metric",
    "status",
    "score",
    "expected_progress",
    "gap",
    "data_through",
    "status_reason",
)


def kr_phases(definitions: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """kr_id, metric, kr_phase (in_period / ended) of every started KR, sorted by kr_id;
    `definitions` has kr_id, metric, start_date, end_date."""
    df = definitions[["kr_id", "metric", "start_date", "end_date"]].copy()
    df["kr_id"] = df["kr_id"].astype(str)
    start = pd.to_datetime(df["start_date"]).dt.date
    end = pd.to_datetime(df["end_date"]).dt.date
    known = start.notna() & end.notna()
    started = known & (start.where(known, as_of) <= as_of)  # not started: nothing to expect yet
    df = df[started].assign(kr_phase=(end[started] >= as_of).map({True: "in_period", False: "ended"}))
    df["metric"] = df["metric"].astype(object).where(df["metric"].notna(), None)
    return df[["kr_id", "metric", "kr_phase"]].sort_values("kr_id").reset_index(drop=True)


def kr_rule_specs() -> list[CheckSpec]:
    """The suite: one expectation per rule, over the rows of the KRs in the rule's phase."""
    return [
        CheckSpec(
            check,
            expect,
            {"column": "status", "value_set": values, "row_condition": ColumnEquals("kr_phase", phase)},
            Severity.WARN,
            node="kr_scores",
        )
        for check, (expect, values, phase) in KR_RULES.items()
    ]


def per_kr_outcomes(run: SuiteRun, phases: pd.DataFrame) -> SuiteRun:
    """The suite's outcomes per KR and rule, read from GX's list of unexpected rows (by kr_id).

    A KR defined but without a score row has no status, which GX skips (null), so it passes."""
    unexpected = _unexpected_by_rule(run)
    outcomes = []
    for rule in run.outcomes:
        failing = unexpected.get(rule.check, {})
        phase = KR_RULES[rule.check][2]
        for kr in phases[phases["kr_phase"] == phase].itertuples(index=False):
            status = failing.get(kr.kr_id)
            failed = kr.kr_id in failing
            outcomes.append(
                replace(
                    rule,
                    spec=replace(rule.spec, kr_id=kr.kr_id, metric=kr.metric),
                    success=not failed,
                    unexpected_count=int(failed),
                    element_count=1,
                    partial_unexpected_list=[status] if failed else [],
                    unexpected_values=[status] if failed else [],
                    unexpected_rows=[{"kr_id": kr.kr_id, "status": status}] if failed else [],
                )
            )
    return replace(run, outcomes=outcomes)


def _unexpected_by_rule(run: SuiteRun) -> dict[str, dict[str, Any]]:
    """check -> {kr_id: status} of every unexpected row in the GX result (the full list: the
    outcomes keep only the first few)."""
    out: dict[str, dict[str, Any]] = {}
    for r in run.result_json.get("results", []):
        check = (r.get("expectation_config", {}).get("meta") or {}).get("okr_check")
        rows = (r.get("result") or {}).get("unexpected_index_list") or []
        out[check] = {str(row["kr_id"]): jsonable(row.get("status")) for row in rows if isinstance(row, dict)}
    return out


def kr_details(scores: pd.DataFrame, kr_id: str) -> dict[str, Any]:
    """The kr_scores row of a KR as plain JSON values (for check metadata)."""
    rows = scores[scores["kr_id"] == kr_id]
    if rows.empty:
        return {"kr_id": kr_id}
    row = rows.iloc[0]
    return {c: jsonable(row[c]) for c in KR_DETAIL_COLUMNS if c in rows.columns}
