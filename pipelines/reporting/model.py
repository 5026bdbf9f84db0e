"""Typed, validated view of the publisher's inputs (docs/scorecard-schema.md).

The models accept extra keys (the schema grows; later keys are kept in `scorecard.json` and shown
when this module knows them) and turn pydantic's errors into one message naming each bad key by
its path, e.g. `scorecard.key_results[3].status: Input should be 'on_track', ...`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipelines.reporting.statuses import Status

# int | float (not float): pydantic then keeps 650 as 650, so exports show numbers as they came.
Number = int | float


class ScorecardError(ValueError):
    """The scorecard, history, metrics or archive given to the publisher is not usable."""


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class Forecast(_Open):
    method: str | None = None
    run_rate: Number | None = None
    projected_actual: Number | None = None
    projected_progress: Number | None = None
    p10: Number | None = None
    p50: Number | None = None
    p90: Number | None = None
    probability_on_target: Number | None = None
    interval_method: str | None = None
    observed_through: dt.date | None = None
    remaining_days: int | None = None


class Initiative(_Open):
    title: str
    owner: str | None = None
    status: str | None = None
    due: dt.date | None = None
    campaigns: list[str] = Field(default_factory=list)
    contribution: Number | None = None
    overdue: bool = False


class DefinitionChange(_Open):
    field: str
    old: Any = None
    new: Any = None
    changed_on: dt.date | None = None
    reason: str | None = None


class CheckIn(_Open):
    """A check-in of the KR's owner (okrs/checkins.csv): the value reported and a note; `author`
    and `confidence` are shown when a check-in carries them."""

    date: dt.date
    value: Number | None = None
    note: str | None = None
    author: str | None = None
    confidence: Number | str | None = None
    confidence_level: str | None = None
    override: bool = False


class Override(_Open):
    """A check-in override in force: its value replaces the actual the data gives."""

    date: dt.date
    value: Number | None = None
    note: str | None = None
    author: str | None = None
    data_actual: Number | None = None


class Check(_Open):
    """A data check that concerns a KR (from the checks work): name, severity, passed."""

    name: str
    severity: str | None = None
    passed: bool | None = None


class KeyResult(_Open):
    id: str
    objective_id: str
    title: str
    owner: str | None = None
    team: str | None = None
    cycle: str | None = None
    metric: str | None = None
    filter: dict[str, Any] | None = None
    measure: str | None = None
    type: str | None = None
    commitment: str | None = None
    weight: Number | None = None
    baseline: Number | None = None
    target: Number | None = None
    unit: str | None = None
    start: dt.date
    end: dt.date
    total_days: int | None = None
    elapsed_days: int | None = None
    actual: Number | None = None
    progress: Number | None = None
    score: Number | None = None
    expected_progress: Number | None = None
    gap: Number | None = None
    status: Status
    status_reason: str | None = None
    data_through: dt.date | None = None
    forecast: Forecast | None = None
    initiatives: list[Initiative] = Field(default_factory=list)
    definition_changes: list[DefinitionChange] = Field(default_factory=list)
    checks: list[Check] | None = None
    change_reason: str | None = None
    checkins: list[CheckIn] = Field(default_factory=list)
    reason_code: str | None = None  # the scoring's reason (docs/scoring.md, "Reasons")
    reason_params: dict[str, Any] | None = None
    override: Override | None = None
    # docs/scoring.md, "Pace": the curve in force, what was asked for, why it fell back, and
    # the expected progress by day as [date, value] pairs (two for a straight line).
    pace: str | None = None
    pace_requested: str | None = None
    pace_warning: str | None = None
    pace_curve: list[tuple[dt.date, Number]] | None = None


class Objective(_Open):
    id: str
    title: str
    owner: str | None = None
    team: str | None = None
    cycle: str | None = None
    parent: str | None = None
    children: list[str] = Field(default_factory=list)
    level: str = "team"
    score: Number | None = None
    expected_progress: Number | None = None
    status: Status
    start: dt.date | None = None
    end: dt.date | None = None
    key_results: list[str] = Field(default_factory=list)
    reason_code: str | None = None
    reason_params: dict[str, Any] | None = None


class Scorecard(_Open):
    schema_version: int
    as_of: dt.date
    generated_at: dt.datetime | None = None
    cycles: list[str] = Field(default_factory=list)
    summary: dict[str, Any] | None = None
    objectives: list[Objective]
    key_results: list[KeyResult]
    data_health: dict[str, Any] | None = None


class HistoryRow(_Open):
    """One row of `kr_score_history`."""

    as_of: dt.date
    kr_id: str
    actual: Number | None = None
    progress: Number | None = None
    score: Number | None = None
    expected_progress: Number | None = None
    status: Status | None = None
    forecast_projected_actual: Number | None = None


class MetricDoc(_Open):
    description: str | None = None
    sql: str | None = None


class ArchivedCycle(_Open):
    """A past cycle frozen by an earlier publish (`archive.json`), kept when its definitions are gone."""

    cycle: str
    final_as_of: dt.date
    objectives: list[Objective]
    key_results: list[KeyResult]
    history: list[HistoryRow] = Field(default_factory=list)


def _location(root: str, loc: tuple[int | str, ...]) -> str:
    text = root
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _describe(exc: ValidationError, root: str) -> str:
    lines = []
    for err in exc.errors()[:20]:
        got = repr(err.get("input"))
        got = got if len(got) <= 60 else got[:57] + "..."
        lines.append(f"{_location(root, err['loc'])}: {err['msg']} (got {got})")
    if exc.error_count() > 20:
        lines.append(f"... and {exc.error_count() - 20} more")
    return "\n".join(lines)


def parse_scorecard(data: dict) -> Scorecard:
    try:
        card = Scorecard.model_validate(data)
    except ValidationError as exc:
        raise ScorecardError(_describe(exc, "scorecard")) from None
    _check_references(card)
    return card


def parse_history(rows: list[dict]) -> list[HistoryRow]:
    out = []
    for i, row in enumerate(rows):
        try:
            out.append(HistoryRow.model_validate(row))
        except ValidationError as exc:
            raise ScorecardError(_describe(exc, f"history[{i}]")) from None
    return out


def parse_metrics(metrics: dict[str, dict]) -> dict[str, MetricDoc]:
    out = {}
    for name, doc in metrics.items():
        try:
            out[name] = MetricDoc.model_validate(doc)
        except ValidationError as exc:
            raise ScorecardError(_describe(exc, f"metrics[{name!r}]")) from None
    return out


def parse_archive(data: dict, where: str) -> dict[str, ArchivedCycle]:
    """`{"cycles": {label: {...}}}` as written to archive.json; `where` names the source in errors."""
    cycles = data.get("cycles") if isinstance(data, dict) else None
    if not isinstance(cycles, dict):
        raise ScorecardError(f"{where}: expected a mapping with key 'cycles' (cycle label -> archived cycle)")
    out = {}
    for label, item in cycles.items():
        try:
            out[label] = ArchivedCycle.model_validate({"cycle": label, **item})
        except (ValidationError, TypeError) as exc:
            detail = _describe(exc, f"{where}.cycles[{label!r}]") if isinstance(exc, ValidationError) else exc
            raise ScorecardError(str(detail)) from None
    return out


def _check_references(card: Scorecard) -> None:
    """Ids that point nowhere would make broken links; name each one."""
    objective_ids = {o.id for o in card.objectives}
    kr_ids = {k.id for k in card.key_results}
    problems = []
    for i, kr in enumerate(card.key_results):
        if kr.objective_id not in objective_ids:
            problems.append(
                f"scorecard.key_results[{i}].objective_id: {kr.objective_id!r} is not in scorecard.objectives"
            )
    for i, obj in enumerate(card.objectives):
        if obj.parent is not None and obj.parent not in objective_ids:
            problems.append(
                f"scorecard.objectives[{i}].parent: {obj.parent!r} is not in scorecard.objectives"
            )
        for j, kr_id in enumerate(obj.key_results):
            if kr_id not in kr_ids:
                problems.append(
                    f"scorecard.objectives[{i}].key_results[{j}]: {kr_id!r} is not in scorecard.key_results"
                )
    for kind, ids in (
        ("objectives", [o.id for o in card.objectives]),
        ("key_results", [k.id for k in card.key_results]),
    ):
        seen: set[str] = set()
        for i, item_id in enumerate(ids):
            if item_id in seen:
                problems.append(f"scorecard.{kind}[{i}].id: duplicate id {item_id!r}")
            seen.add(item_id)
    if problems:
        raise ScorecardError("\n".join(problems))
