"""Exports beside the site: scorecard.json (as given), scorecard.csv (one row per KR), scorecard.md."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from pipelines.reporting.reasons import reason_sentence
from pipelines.reporting.report import Report
from pipelines.reporting.site_model import KRView, SiteModel, tree_roots
from pipelines.reporting.statuses import STATUS_ICONS, STATUSES

# Machine-readable columns: plain numbers with '.' decimals and ISO dates, so any spreadsheet or
# script reads them the same way; the header names are the scorecard.json keys.
CSV_COLUMNS = [
    "cycle", "objective_id", "objective_title", "kr_id", "title", "owner", "team", "metric", "measure",
    "type", "commitment", "weight", "unit", "baseline", "target", "actual", "progress", "score",
    "expected_progress", "gap", "status", "status_reason", "start", "end", "data_through",
    "forecast_projected_actual", "forecast_projected_progress", "reason_code",
    "data_actual", "override_date", "override_note", "override_author",
    "checkin_date", "checkin_confidence", "checkin_note", "checkin_author",
]  # fmt: skip

# A cell starting with one of these is a formula in Excel/LibreOffice: a title like
# `=HYPERLINK(...)` must stay text (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"scorecard: value of type {type(value).__name__} cannot be written as JSON: {value!r}")


def write_json(scorecard: dict, path: Path) -> None:
    """The dict exactly as given (keys are only ever added upstream, never renamed here)."""
    text = json.dumps(scorecard, ensure_ascii=False, indent=2, default=_json_default, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(model: SiteModel, path: Path) -> None:
    """One row per KR of the scorecard (every cycle). UTF-8 with BOM so Excel shows ä and ö right."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for view in model.krs:
            if view.cycle.carried:
                continue  # archived cycles are not part of this run's scorecard
            kr = view.kr
            forecast = kr.forecast
            row = {
                "cycle": view.cycle.label,
                "objective_id": kr.objective_id,
                "objective_title": view.objective.title if view.objective else None,
                "kr_id": kr.id,
                "title": kr.title,
                "owner": kr.owner,
                "team": kr.team,
                "metric": kr.metric,
                "measure": kr.measure,
                "type": kr.type,
                "commitment": kr.commitment,
                "weight": kr.weight,
                "unit": kr.unit,
                "baseline": kr.baseline,
                "target": kr.target,
                "actual": kr.actual,
                "progress": kr.progress,
                "score": kr.score,
                "expected_progress": kr.expected_progress,
                "gap": kr.gap,
                "status": kr.status,
                "status_reason": kr.status_reason,
                "start": kr.start,
                "end": kr.end,
                "data_through": kr.data_through,
                "forecast_projected_actual": forecast.projected_actual if forecast else None,
                "forecast_projected_progress": forecast.projected_progress if forecast else None,
                "reason_code": view.reason.code if view.reason else None,
                **_override_and_checkin_cells(view),
            }
            writer.writerow({k: _cell(v) for k, v in row.items()})


def _override_and_checkin_cells(view: KRView) -> dict[str, Any]:
    """The override in force (its actual is `actual`; the data's is `data_actual`) and the newest check-in."""
    override, latest = view.kr.override, view.latest_checkin
    return {
        "data_actual": override.data_actual if override else view.kr.actual,
        "override_date": override.date if override else None,
        "override_note": override.note if override else None,
        "override_author": override.author if override else None,
        "checkin_date": latest.date if latest else None,
        "checkin_confidence": latest.confidence if latest else None,
        "checkin_note": latest.note if latest else None,
        "checkin_author": latest.author if latest else None,
    }


def checkin_text(view: KRView, t: Any, fmt: Any) -> str:
    """The override in force and the newest check-in's note, as one line for the Markdown table."""
    parts = []
    override, latest = view.kr.override, view.latest_checkin
    if override:
        data_actual = fmt.value(override.data_actual, view.kr.unit)
        parts.append(
            t("override_in_force", date=fmt.date(override.date), note=override.note, data_actual=data_actual)
        )
    if latest and latest.note and not (override and latest.override and latest.date == override.date):
        by = f", {t('timeline_by', author=latest.author)}" if latest.author else ""
        parts.append(f"{t('latest_checkin')} {fmt.date(latest.date)}{by}: {latest.note}")
    return " · ".join(parts)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")


_BREAKS = re.compile(r"[ \t\r\n\f\v\u2028\u2029\x85]+")


def md_text(text: object) -> str:
    """Any text made inert in Markdown: no markup, no HTML, no table breaks, one line."""
    if text is None or text == "":
        return ""
    # Line breaks and tabs become spaces (a row stays one row); no-break spaces in numbers stay.
    return _MD_SPECIAL.sub(r"\\\1", _BREAKS.sub(" ", str(text)).strip())


def write_markdown(report: Report, path: Path) -> None:
    """The current cycle(s) as Markdown tables, one per objective, for chat and wikis. Every field
    goes through `md_text` (titles, ids, units inside values, owners, reasons and labels)."""
    t, fmt, model = report.texts.t, report.texts.fmt, report.model
    lines = [f"# {md_text(t('md_title', as_of=fmt.date(model.card.as_of)))}", ""]
    for cycle in model.active_cycles:
        period = t("period_range", start=fmt.date(cycle.start), end=fmt.date(cycle.end))
        lines += [f"**{md_text(t('cycle'))}:** {md_text(cycle.label)} ({md_text(period)})  "]
    by_status = model.by_status()
    counts = [(s, len(by_status[s])) for s in STATUSES if by_status[s]]
    if counts:
        lines.append(" · ".join(f"{STATUS_ICONS[s]} {md_text(t.status(s))}: {n}" for s, n in counts))
    lines.append("")

    def status(code: str) -> str:
        return f"{STATUS_ICONS[code]} {md_text(t.status(code))}"

    def objective_block(view, depth: int) -> None:
        heading = "#" * min(depth, 6)
        lines.append(
            f"{heading} {md_text(view.title)} ({md_text(view.id)}): {md_text(t('score'))} "
            f"{md_text(fmt.score(view.score))}, {md_text(t('expected_progress').lower())} "
            f"{md_text(fmt.score(view.expected_progress))}, {status(view.status)}"
        )
        lines.append("")
        if view.krs:
            header = (
                "key_result",
                "owner",
                "actual",
                "target",
                "score",
                "expected_progress",
                "status",
                "reason",
            )
            lines.append("| " + " | ".join(md_text(t(h)) for h in header) + " |")
            lines.append("|---|---|---:|---:|---:|---:|---|---|")
            for kr in view.krs:
                cells = [
                    f"{md_text(kr.title)} ({md_text(kr.id)})",
                    md_text(kr.person.name if kr.person else fmt.none),
                    md_text(
                        fmt.value(kr.actual, kr.unit) + (f" ({t('override')})" if kr.kr.override else "")
                    ),
                    md_text(fmt.value(kr.target, kr.unit)),
                    md_text(fmt.score(kr.score)),
                    md_text(fmt.score(kr.expected_progress)),
                    status(kr.status),
                    md_text(
                        " · ".join(
                            filter(
                                None, [reason_sentence(kr.reason, kr.kr, t, fmt), checkin_text(kr, t, fmt)]
                            )
                        )
                    ),
                ]
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
        for sub in view.subs:
            if sub in scope:
                objective_block(sub, depth + 1)

    scope = set(model.active_objectives)
    for root in tree_roots(model.active_objectives):
        objective_block(root, 2)
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
