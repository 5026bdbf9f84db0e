"""`okr explain KR-ID [--as-of D] [--json]`: why one key result scores what it scores.

Everything here is read, not recomputed: the scores, the forecast and its interval come from the
marts the site reads (`kr_scores` for the newest day; `kr_score_history`, every day as it was
published, for `--as-of`), the rows from
`kr_metric_days`, the checks from `raw.quality_check_results`, the course corrections from
`kr_definition_changes`. What Python adds is provenance (which YAML line, file default or cycle
gave each value) and plain sentences around the numbers.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from connectors.warehouse import open_warehouse
from pipelines.okr_definitions.loader import OkrDefinitions, ResolvedKeyResult
from pipelines.okr_definitions.yaml_lines import load_with_lines
from pipelines.settings import DBT_PROJECT_DIR, Settings

LAST_DAYS = 14
ACTUAL_RULES = {
    "sum": "sum of the daily values in the window",
    "avg": "mean of the daily values over the days with rows",
    "last": "daily value of the latest day with rows",
    "min": "lowest daily value in the window",
    "max": "highest daily value in the window",
    "ratio": "sum of numerators / sum of denominators in the window",
}
# Where a field comes from when the key result does not set it: (file-level key, fallback).
FALLBACKS = {
    "baseline": (None, "default 0"),
    "measure": (None, "metric default (checkins: last, else sum)"),
    "type": (None, "default progress"),
    "commitment": (None, "default committed"),
    "weight": (None, "default 1"),
    "start": (None, "cycle"),
    "end": (None, "cycle"),
    "stale_after_days": ("stale_after_days", "built-in default"),
    "owner": (None, "objective owner"),
}


class ExplainError(ValueError):
    """Why a key result cannot be explained, in one sentence."""


def explain_kr(settings: Settings, defs: OkrDefinitions, kr_id: str, as_of: dt.date | None) -> dict[str, Any]:
    kr = next((k for k in defs.key_results if k.kr_id == kr_id), None)
    if kr is None:
        raise ExplainError(f"no key result {kr_id!r} in {settings.okrs_dir}")
    warehouse = open_warehouse(settings.target, duckdb_path=settings.warehouse_path)
    try:
        score = _one_day(warehouse, kr_id, as_of)
        day = pd.Timestamp(score["as_of"]).date()
        window_end = pd.Timestamp(score["window_end"]).date()
        rows = _records(
            warehouse.query(
                "SELECT metric_date, campaign, value, numerator, denominator FROM analytics.kr_metric_days "
                "WHERE kr_id = ? AND metric_date >= ? AND metric_date <= ? ORDER BY metric_date",
                [kr_id, pd.Timestamp(score["start_date"]).date(), window_end],
            )
        )
        checks = _records(
            warehouse.query(
                "SELECT check_name, severity, passed, source, kr_id FROM raw.quality_check_results "
                "WHERE as_of = (SELECT max(as_of) FROM raw.quality_check_results WHERE as_of <= ?) "
                "AND (kr_id = ? OR kr_id IS NULL AND metric = ?) ORDER BY passed, check_name",
                [day, kr_id, kr.metric],
            )
            if _has_table(warehouse, "raw", "quality_check_results")
            else pd.DataFrame()
        )
        changes = _records(
            warehouse.query(
                "SELECT changed_on, field, old_number, new_number, old_date, new_date, change_reason "
                "FROM analytics.kr_definition_changes WHERE kr_id = ? AND changed_on <= ? "
                "ORDER BY changed_on",
                [kr_id, day],
            )
        )
    finally:
        close = getattr(warehouse, "close", None)
        if close:
            close()
    return _explanation(settings, defs, kr, score, rows, checks, changes, window_end)


def _one_day(warehouse: Any, kr_id: str, as_of: dt.date | None) -> dict[str, Any]:
    if as_of is None:  # the newest scored day, as the scorecard shows it
        found = warehouse.query("SELECT * FROM analytics.kr_scores WHERE kr_id = ?", [kr_id])
    else:
        found = warehouse.query(
            "SELECT * FROM analytics.kr_score_history WHERE kr_id = ? AND as_of = ?", [kr_id, as_of]
        )
    if found.empty:
        days = warehouse.query("SELECT min(as_of) AS lo, max(as_of) AS hi FROM analytics.kr_score_history")
        lo, hi = days["lo"].iloc[0], days["hi"].iloc[0]
        scored = "nothing is scored yet: run `okr run`"
        if not pd.isna(hi):
            scored = f"scored days: {_date(lo)}..{_date(hi)}"
        when = f"on {as_of}" if as_of else "on any day"
        raise ExplainError(f"{kr_id} has no published score {when} ({scored}; `okr backfill` adds days)")
    return _records(found)[0]


def _explanation(
    settings: Settings,
    defs: OkrDefinitions,
    kr: ResolvedKeyResult,
    s: dict[str, Any],
    rows: list[dict[str, Any]],
    checks: list[dict[str, Any]],
    changes: list[dict[str, Any]],
    window_end: dt.date,
) -> dict[str, Any]:
    daily: dict[str, float] = {}
    for row in rows:
        if row["value"] is not None:
            daily[row["metric_date"]] = daily.get(row["metric_date"], 0.0) + row["value"]
    last_days = [(window_end - dt.timedelta(days=i)).isoformat() for i in range(LAST_DAYS - 1, -1, -1)]
    sql_file = DBT_PROJECT_DIR / "models" / "metrics" / f"{kr.metric}.sql"
    forecast = {
        key: s.get(f"forecast_{key}")
        for key in (
            "method", "run_rate", "projected_actual", "projected_progress", "interval_method",
            "observed_through", "remaining_days", "sample_days", "daily_mean", "daily_sd",
            "drift_per_day", "p10", "p50", "p90", "probability_on_target",
        )
    }  # fmt: skip
    return {
        "kr_id": kr.kr_id,
        "title": s["title"],
        "as_of": s["as_of"],
        "definition": _definition(settings, defs, kr, s),
        "metric": {
            "model": kr.metric,
            "sql_file": str(sql_file.relative_to(DBT_PROJECT_DIR.parent)) if sql_file.exists() else None,
            "filter": {k: list(v) for k, v in kr.filters.items() if k != "kr_id"},
            "rows_in_window": len(rows),
            "days_with_rows": s["days_with_rows"],
            "days": _ranges(sorted(daily)),
            "data_through": s["data_through"],
            "freshness_source": s.get("freshness_source"),
        },
        "last_days": [{"date": day, "value": daily.get(day)} for day in last_days],
        "actual": {
            "value": s["actual"],
            "measure": s["measure"],
            "rule": ACTUAL_RULES.get(s["measure"]),
            "override": _override(s),
        },
        "time": {
            "window": [s["start_date"], s["window_end"]],
            "elapsed_days": s["elapsed_days"],
            "total_days": s["total_days"],
            "fraction": s["elapsed_days"] / s["total_days"] if s["total_days"] else None,
            # docs/scoring.md, "Pace": the curve in force (a seasonal one without last year's
            # history is linear, with pace_warning); threshold types ignore pace.
            "pace": s.get("pace_method") or ("linear" if s["kr_type"] == "progress" else "none"),
            "pace_requested": s.get("pace"),
            "pace_warning": s.get("pace_warning"),
            "pace_share": s.get("pace_share"),
        },
        "expected_progress": s["expected_progress"],
        "progress": s["progress"],
        "score": s["score"],
        "gap": s["gap"],
        "status": s["status"],
        "status_reason": s["status_reason"],
        "reason_code": s["reason_code"],
        "reason_params": json.loads(s["reason_params"]) if s.get("reason_params") else None,
        "forecast": forecast,
        "checks": checks,
        "definition_changes": changes,
    }


def _override(s: dict[str, Any]) -> dict[str, Any] | None:
    """The check-in override in force (docs/scoring.md, "Overrides"), None when the data's actual stands."""
    if s.get("override_date") is None:
        return None
    return {
        "date": s["override_date"],
        "note": s.get("override_note"),
        "author": s.get("override_author"),
        "data_actual": s.get("data_actual"),
    }


def _definition(settings: Settings, defs: OkrDefinitions, kr: ResolvedKeyResult, s: dict) -> dict[str, Any]:
    """Each scored value with where it came from (the YAML line, the file, the cycle, a default)."""
    objective = next(o for o in defs.objectives if o.objective_id == kr.objective_id)
    path = settings.okrs_dir / Path(objective.source_file).name
    origin = _origins(path, kr.kr_id)
    values = {
        "metric": kr.metric,
        "measure": s["measure"],
        "type": s["kr_type"],
        "baseline": s["baseline"],
        "target": s["target"],
        "commitment": s["commitment"],
        "weight": s["weight"],
        "start": s["start_date"],
        "end": s["end_date"],
        "stale_after_days": s["stale_after_days"],
        "at_risk": s["at_risk_threshold"],
        "off_track": s["off_track_threshold"],
        "owner": s["owner"],
        "unit": s["unit"],
        "cycle": kr.cycle,
    }
    snapshot = s.get("definitions_seen_on")
    return {
        key: {
            "value": value,
            "from": origin.get(key, f"{path.name} (cycle)" if key == "cycle" else "default"),
        }
        for key, value in values.items()
    } | {"definitions_seen_on": snapshot}


def _origins(path: Path, kr_id: str) -> dict[str, str]:
    try:
        loaded = load_with_lines(path.read_text(encoding="utf-8"))
    except Exception:  # the file was valid when loaded; if it changed since, provenance is unknown
        return {}
    doc = loaded.data if isinstance(loaded.data, dict) else {}
    out: dict[str, str] = {}
    for oi, obj in enumerate(doc.get("objectives") or []):
        for ki, raw in enumerate((obj or {}).get("key_results") or []):
            if not isinstance(raw, dict) or raw.get("id") != kr_id:
                continue
            base = ("objectives", oi, "key_results", ki)
            for key in {*raw, *FALLBACKS}:
                if key in raw:
                    out[key] = f"{path.name}:{loaded.lines.get((*base, key), '?')} (key result)"
                else:
                    file_key, fallback = FALLBACKS.get(key, (None, "default"))
                    if file_key and file_key in doc:
                        out[key] = f"{path.name}:{loaded.lines.get((file_key,), '?')} (file default)"
                    else:
                        out[key] = f"{path.name} ({fallback})" if fallback == "cycle" else fallback
            out["type"] = out.get("type", "default progress")
            thresholds = "thresholds" in doc
            for key in ("at_risk", "off_track"):
                out[key] = (
                    f"{path.name}:{loaded.lines.get(('thresholds',), '?')} (file thresholds)"
                    if thresholds
                    else "built-in default"
                )
    return out


def _ranges(days: list[str]) -> list[str]:
    """['2026-11-01', '2026-11-02', '2026-11-04'] -> ['2026-11-01..2026-11-02', '2026-11-04']."""
    out: list[list[str]] = []
    for day in days:
        if out and dt.date.fromisoformat(day) - dt.date.fromisoformat(out[-1][-1]) == dt.timedelta(days=1):
            out[-1] = [out[-1][0], day]
        else:
            out.append([day])
    return ["..".join(r) if len(r) > 1 else r[0] for r in out]


def _has_table(warehouse: Any, schema: str, table: str) -> bool:
    found = warehouse.query(
        "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema, table],
    )
    return int(found["n"].iloc[0]) > 0


def _date(value: Any) -> str:
    return pd.Timestamp(value).date().isoformat()


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


def _plain(value: Any) -> Any:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def render_text(e: dict[str, Any]) -> str:
    """The explanation as plain text, one fact per line."""
    d, m, t, f = e["definition"], e["metric"], e["time"], e["forecast"]
    lines = [f"{e['kr_id']}: {e['title']} (as of {e['as_of']})", "", "Definition"]
    for key, item in d.items():
        if key != "definitions_seen_on":
            lines.append(f"  {key:<17} {_show(item['value']):<14} from {item['from']}")
    seen = d["definitions_seen_on"]
    lines.append(
        f"  scored with the definitions seen on {seen}" if seen else "  scored with today's definitions"
    )
    lines += [
        "",
        "Metric",
        f"  model             {m['model']} ({m['sql_file'] or 'no SQL file found'})",
        f"  filter            {m['filter'] or 'none'}",
        f"  rows in window    {m['rows_in_window']} rows on {m['days_with_rows']} days: "
        f"{', '.join(m['days']) or 'none'}",
        f"  data through      {m['data_through']} (freshness from {m['freshness_source'] or 'its own rows'})",
        "",
        f"Last {LAST_DAYS} days: "
        + ", ".join(f"{x['date'][5:]} {_show(x['value'])}" for x in e["last_days"]),
        "",
        _actual_line(e["actual"]),
        f"Time              day {t['elapsed_days']} of {t['total_days']} ({_pct(t['fraction'])}), "
        f"window {t['window'][0]}..{t['window'][1]}, pace {t['pace']}",
        f"Expected progress {_pct(e['expected_progress'])}",
        f"Progress          {_pct(e['progress'])}",
        f"Score             {_pct(e['score'])} (gap {_show(e['gap'])})",
        f"Status            {e['status']}: {e['status_reason'] or e['reason_code']}",
        f"Reason            {e['reason_code']} "
        f"{json.dumps(e['reason_params']) if e['reason_params'] else ''}",
        "",
        "Forecast",
    ]
    if f["p50"] is None and f["projected_actual"] is None:
        lines.append("  none (not scored, or too little data)")
    else:
        lines += [
            f"  point             {_show(f['projected_actual'])} ({f['method'] or 'no point forecast'}, "
            f"run rate {_show(f['run_rate'])} a day)",
            f"  interval          p10 {_show(f['p10'])}, p50 {_show(f['p50'])}, p90 {_show(f['p90'])} "
            f"({f['interval_method']})",
            f"  on target         {_pct(f['probability_on_target'])} chance of reaching the achieved bar",
            f"  from              {f['sample_days']} observed days through {f['observed_through']} "
            f"(daily mean {_show(f['daily_mean'])}, sd {_show(f['daily_sd'])}, "
            f"drift {_show(f['drift_per_day'])} a day); {f['remaining_days']} days to forecast",
        ]
    lines += ["", "Checks"]
    lines += [
        f"  {'passed' if c['passed'] else 'FAILED'}  {c['severity']:<5} {c['check_name']} ({c['source']})"
        for c in e["checks"]
    ] or ["  none stored for this day"]
    lines += ["", "Definition changes"]
    lines += [
        f"  {c['changed_on']}: {c['field']} {_show(_either(c['old_number'], c['old_date']))}"
        f" -> {_show(_either(c['new_number'], c['new_date']))}"
        + (f" ({c['change_reason']})" if c["change_reason"] else "")
        for c in e["definition_changes"]
    ] or ["  none"]
    return "\n".join(lines)


def _actual_line(a: dict[str, Any]) -> str:
    o = a.get("override")
    if o is None:
        return f"Actual            {_show(a['value'])} = {a['rule']} (measure {a['measure']})"
    by = f" by {o['author']}" if o["author"] else ""
    return (
        f"Actual            {_show(a['value'])} = OVERRIDE checked in on {o['date']}{by} ({o['note']}), "
        f"in force until the next data day; the data gives {_show(o['data_actual'])} = {a['rule']} "
        f"(measure {a['measure']})"
    )


def _either(number: Any, date: Any) -> Any:
    return number if number is not None else date


def _show(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def _pct(value: Any) -> str:
    return "-" if value is None else f"{value:.1%}"
