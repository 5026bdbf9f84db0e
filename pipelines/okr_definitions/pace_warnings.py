"""Definition warnings about pace that only the data can raise (docs/scoring.md, "Pace").

A seasonal pace needs last year's rows of its metric and filter; the scoring falls back to linear
when they are missing, and says why in kr_scores.pace_warning. `okr validate` reads what the last
scoring run found, so the analyst sees it where definitions are checked. Read-only; a warehouse
that is not there yet (or busy with a run) simply adds no warning.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pipelines.okr_definitions.loader import OkrDefinitions
from pipelines.settings import Settings

_WHY = {
    "no_history": "there are no rows of metric {metric!r} for it from {ly_start} to {ly_end}",
    "history_not_positive": "its rows of metric {metric!r} from {ly_start} to {ly_end} add up to 0 or less",
    "period_over_a_year": "its period is longer than a year",
}


def pace_warnings(settings: Settings, defs: OkrDefinitions) -> list[str]:
    """One sentence per seasonal KR that the last scoring run scored linearly, with its file."""
    seasonal = {k.kr_id: k for k in defs.key_results if k.pace == "seasonal" and k.kr_type == "progress"}
    if not seasonal or (settings.target == "duckdb" and not Path(settings.warehouse_path).exists()):
        return []
    try:
        found = _last_warnings(settings)
    except Exception:  # no scoring yet, an older schema, or a run holding the file
        return []
    file_of = {o.objective_id: o.source_file for o in defs.objectives}
    out = []
    for row in found:
        kr = seasonal.get(row["kr_id"])
        if kr is None:
            continue
        why = _WHY.get(row["pace_warning"], row["pace_warning"]).format(
            metric=kr.metric, ly_start=_year_before(kr.start), ly_end=_year_before(kr.end)
        )
        out.append(
            f"warning: {file_of.get(kr.objective_id, 'okrs')}: key result {kr.kr_id!r} has pace: seasonal, "
            f"but {why}, so it is scored on a straight line (last scored as of {row['as_of'][:10]})"
        )
    return out


_SQL = (
    "SELECT kr_id, CAST(as_of AS VARCHAR) AS as_of, pace_warning FROM analytics.kr_scores "
    "WHERE pace_warning IS NOT NULL ORDER BY kr_id"
)


def _last_warnings(settings: Settings) -> list[dict]:
    if settings.target == "duckdb":
        # DuckDB alone, read-only: `okr validate` stays a fraction of a second (no pandas import).
        import duckdb

        with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
            cursor = con.execute(_SQL)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    from connectors.warehouse import open_warehouse

    return open_warehouse(settings.target).query(_SQL).to_dict(orient="records")


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
