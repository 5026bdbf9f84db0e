"""The shape of an OKR file (`okrs/*.yml`), checked by pydantic: unknown keys and wrong types."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pipelines.scoring_constants import scoring_constants

Measure = Literal["sum", "avg", "last", "min", "max", "ratio"]
KrType = Literal["progress", "stay_above", "stay_below"]
Commitment = Literal["committed", "aspirational"]
InitiativeStatus = Literal["planned", "in_progress", "done", "dropped"]
FilterValue = str | int | float | bool


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True)


class Thresholds(_Strict):
    # Defaults from dbt_project.yml, where the scoring SQL reads its constants too.
    at_risk: float = Field(scoring_constants().default_at_risk, gt=0, lt=1)
    off_track: float = Field(scoring_constants().default_off_track, gt=0, le=1)


class Initiative(_Strict):
    title: str = Field(min_length=1)
    owner: str | None = None
    status: InitiativeStatus = "planned"
    due: dt.date | None = None
    campaigns: list[str] = Field(default_factory=list)


class KeyResult(_Strict):
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    metric: str = Field(min_length=1)
    filter: dict[str, FilterValue | list[FilterValue]] = Field(default_factory=dict)
    measure: Measure | None = None  # default depends on the metric (checkins: last, else sum)
    type: KrType = "progress"
    baseline: float | None = None
    target: float
    commitment: Commitment = "committed"
    weight: float = Field(1.0, gt=0)
    start: dt.date | None = None
    end: dt.date | None = None
    stale_after_days: int | None = Field(None, ge=0)
    unit: str | None = None
    owner: str | None = None
    change_reason: str | None = None
    initiatives: list[Initiative] = Field(default_factory=list)


# Objectives and files hold their children unvalidated (Any), so that each key result is checked
# on its own: one broken KR never hides the errors of its siblings.
class Objective(_Strict):
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    owner: str | None = None
    team: str | None = None
    parent: str | None = None
    weight: float = Field(1.0, gt=0)
    key_results: list[Any] = Field(default_factory=list)


class CycleFile(_Strict):
    cycle: str = Field(min_length=1)
    start: dt.date | None = None
    end: dt.date | None = None
    thresholds: Thresholds = Field(default_factory=Thresholds)
    stale_after_days: int = Field(2, ge=0)
    objectives: list[Any] = Field(min_length=1)


def plain_message(error: dict[str, Any]) -> str:
    """Turn a pydantic error into a sentence an analyst understands."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return "is not a known key (check the spelling; see docs/okr-definitions.md)"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}, not {error.get('input')!r}"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type"):
        return f"must be a number, not {error.get('input')!r}"
    if kind.startswith("date"):
        return f"must be a date like 2026-10-01, not {error.get('input')!r}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return f"{error['msg'].lower()}, not {error.get('input')!r}"
    if kind == "too_short":
        return "must not be empty"
    return f"{error['msg']} (got {error.get('input')!r})"
