"""The off-track suite: expectations derived from the OKR definitions, run on kr_scores.

Per KR in its period: `kr_not_off_track` (status is not off_track) and the weaker
`kr_not_at_risk` (status is not at_risk). Per KR whose period has ended: `kr_achieved_after_period`
(status is achieved). All WARN: a goal going badly is news, never a broken run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from pipelines.quality.specs import CheckSpec, Severity

KR_CHECKS = {
    "kr_not_off_track": "KRs in their period that are off track",
    "kr_not_at_risk": "KRs in their period that are at risk",
    "kr_achieved_after_period": "KRs whose period has ended without being achieved",
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


def _as_date(value: Any) -> dt.date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def kr_specs(definitions: pd.DataFrame, as_of: dt.date) -> list[CheckSpec]:
    """One expectation per KR and rule; `definitions` has kr_id, metric, start_date, end_date."""
    from great_expectations.expectations.row_conditions import Column

    specs: list[CheckSpec] = []
    for row in definitions.sort_values("kr_id").itertuples(index=False):
        kr_id, metric = str(row.kr_id), getattr(row, "metric", None)
        start, end = _as_date(row.start_date), _as_date(row.end_date)
        if start is None or end is None or as_of < start:
            continue  # not started: nothing to expect yet
        metric_name = None if metric is None or pd.isna(metric) else str(metric)

        def spec(
            check: str, expect: str, values: list[str], kr: str = kr_id, m: str | None = metric_name
        ) -> CheckSpec:
            kwargs = {"column": "status", "value_set": values, "row_condition": Column("kr_id") == kr}
            return CheckSpec(check, expect, kwargs, Severity.WARN, node="kr_scores", kr_id=kr, metric=m)

        if as_of <= end:
            specs.append(spec("kr_not_off_track", "column_values_to_not_be_in_set", ["off_track"]))
            specs.append(spec("kr_not_at_risk", "column_values_to_not_be_in_set", ["at_risk"]))
        else:
            specs.append(spec("kr_achieved_after_period", "column_values_to_be_in_set", ["achieved"]))
    return specs


def kr_details(scores: pd.DataFrame, kr_id: str) -> dict[str, Any]:
    """The kr_scores row of a KR as plain JSON values (for check metadata)."""
    from pipelines.quality.gx_runner import jsonable

    rows = scores[scores["kr_id"] == kr_id]
    if rows.empty:
        return {"kr_id": kr_id}
    row = rows.iloc[0]
    return {c: jsonable(row[c]) for c in KR_DETAIL_COLUMNS if c in rows.columns}
