"""Why a KR has its status, as a code plus parameters, and the one sentence the pages show for it.

A KR's reason comes from `key_results[].reason` in scorecard.json when the scoring provides one
(`{"code": ..., "params": {...}}`); until then it is derived here from what the marts give today
(status, status_reason, score, expected progress, forecast, data_through). Either way the pages,
the exports and the attention list read a `Reason`, and the sentence is the message
`reason.<code>` of the reader's language with the parameters formatted for it (dates as dates,
values in the KR's unit, scores as scores). A code without a message falls back to the KR's
`status_reason` text, so a new code from the scoring never breaks a page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pipelines.reporting.formatting import Formatter
from pipelines.reporting.messages import Translator
from pipelines.reporting.model import KeyResult

BLOCKED_PREFIX = "data check failed: "  # kr_scores.status_reason of a KR a failed check blocks
AHEAD_MARGIN = 0.1  # a score this far above the expected progress reads as "ahead of pace"

# How each parameter is shown: by its name.
_DATES = {"start", "end", "data_through", "since"}
_VALUES = {"actual", "target", "forecast"}
_SCORES = {"score", "expected"}
_PERCENTS = {"forecast_progress"}


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, Any] = field(default_factory=dict)


def kr_reason(kr: KeyResult) -> Reason | None:
    """The reason of a KR's status (None for a KR on pace with nothing to say)."""
    given = getattr(kr, "reason", None)
    if isinstance(given, dict) and isinstance(given.get("code"), str):
        return Reason(given["code"], dict(given.get("params") or {}))
    text = kr.status_reason or ""
    forecast = kr.forecast.projected_progress if kr.forecast else None
    projected = kr.forecast.projected_actual if kr.forecast else None
    if text.startswith(BLOCKED_PREFIX):
        return Reason("blocked", {"check": text[len(BLOCKED_PREFIX) :]})
    if kr.status == "not_started":
        return Reason("not_started", {"start": kr.start})
    if kr.status == "no_data":
        if kr.data_through is None:
            return Reason("no_data_metric", {"metric": kr.metric or ""})
        if kr.measure == "ratio":
            return Reason("no_data_ratio")
        return Reason("no_data_rows", {"metric": kr.metric or ""})
    if kr.status == "stale":
        return Reason("stale", {"metric": kr.metric or "", "data_through": kr.data_through})
    if kr.status in ("achieved", "missed"):
        return Reason(kr.status, {"actual": kr.actual, "target": kr.target, "end": kr.end})
    threshold = (kr.type or "progress") != "progress"
    if kr.status in ("off_track", "at_risk"):
        if threshold:
            return Reason("threshold_broken", {"actual": kr.actual, "target": kr.target})
        params = {"score": kr.score, "expected": kr.expected_progress}
        if forecast is not None:
            return Reason(
                "behind_pace_forecast", {**params, "forecast": projected, "forecast_progress": forecast}
            )
        return Reason("behind_pace", params)
    if kr.status == "on_track":
        goal = 0.7 if kr.commitment == "aspirational" else 1.0
        if not threshold and forecast is not None and forecast < goal - 1e-9:
            # The status and the forecast disagree: say so rather than let "on track" reassure.
            return Reason(
                "on_track_forecast_short",
                {"score": kr.score, "expected": kr.expected_progress, "forecast": projected,
                 "forecast_progress": forecast},
            )  # fmt: skip
        if kr.score is not None and kr.expected_progress is not None:
            code = "ahead_of_pace" if kr.score - kr.expected_progress >= AHEAD_MARGIN else "on_pace"
            return Reason(code, {"score": kr.score, "expected": kr.expected_progress})
    return None


def _param(name: str, value: Any, kr: KeyResult, fmt: Formatter) -> str:
    if value is None:
        return fmt.none
    if name in _DATES:
        return fmt.date(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10]))
    if name in _VALUES and isinstance(value, int | float):
        return fmt.value(value, kr.unit)
    if name in _SCORES and isinstance(value, int | float):
        return fmt.score(value)
    if name in _PERCENTS and isinstance(value, int | float):
        return fmt.percent(value)
    return str(value)


def reason_sentence(reason: Reason | None, kr: KeyResult, t: Translator, fmt: Formatter) -> str:
    """The reason in one sentence of the reader's language ('' when there is nothing to say)."""
    if reason is None:
        return kr.status_reason or ""
    key = f"reason.{reason.code}"
    if not t.has(key):
        return kr.status_reason or ""
    values = {k: _param(k, v, kr, fmt) for k, v in reason.params.items()}
    try:
        return t(key, **values)
    except KeyError:  # a parameter the message needs is missing: show the plain text instead
        return kr.status_reason or ""
