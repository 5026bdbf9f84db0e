"""Why a KR or an objective has its status: the reason the scoring SQL computes with every score
(`reason_code` and `reason_params` in scorecard.json; the codes and their parameters are listed in
docs/scoring.md, "Reasons"), and the one sentence the pages, exports, alerts and digests show for it.

One vocabulary: the codes are the SQL's; nothing here re-derives a status's cause. The sentence is
the message `reason.<code>` (`objective_reason.<code>` for objectives) of the reader's language
with the parameters formatted for it (dates as dates, values in the KR's unit, scores as scores,
the source by its name). A few codes pick a variant by their parameters: `threshold_broken` that
can no longer be met, `behind_pace` with a forecast, an objective `behind_pace` that names what
holds it back most. A scorecard without reason codes (written before they existed) or a code
without a message shows the KR's plain `status_reason`, so a new code never breaks a page.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipelines.reporting.formatting import Formatter
from pipelines.reporting.messages import Translator
from pipelines.reporting.model import KeyResult, Objective

# How each parameter is shown: by its name (docs/scoring.md, "Reasons").
_DATES = {"starts_on", "as_of", "data_through", "window_end", "broken_on", "start_date"}
_VALUES = {"actual", "target", "by", "projected_actual"}
_SCORES = {"done", "expected", "gap"}
_PERCENTS = {"projected_progress"}
# The parameter whose number picks a plural form of the code's sentence.
_COUNTS = {"stale_data": "stale_after_days"}
_STAGING = re.compile(r"^stg_(?P<source>[a-z0-9]+?)__")  # stg_<source>__<entity>s (dbt Labs layout)


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, Any] = field(default_factory=dict)


def _reason(code: object, params: object) -> Reason | None:
    if not isinstance(code, str) or not code:
        return None
    return Reason(code, dict(params) if isinstance(params, Mapping) else {})


def kr_reason(kr: KeyResult) -> Reason | None:
    """The scoring's reason for a KR's status (None in a scorecard written before reasons)."""
    return _reason(getattr(kr, "reason_code", None), getattr(kr, "reason_params", None))


def objective_reason(obj: Objective) -> Reason | None:
    return _reason(getattr(obj, "reason_code", None), getattr(obj, "reason_params", None))


def source_label(source: object, t: Translator) -> str:
    """A source by its name: `hubspot` and `stg_hubspot__contacts` are both "HubSpot"."""
    text = str(source or "")
    match = _STAGING.match(text)
    key = match.group("source") if match else text
    return t(f"source.{key}") if t.has(f"source.{key}") else text


def _param(name: str, value: Any, unit: str | None, fmt: Formatter) -> str:
    if value is None:
        return fmt.none
    if name in _DATES:
        return fmt.date(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10]))
    if name in _VALUES and isinstance(value, int | float):
        return fmt.value(value, unit)
    if name in _SCORES and isinstance(value, int | float):
        return fmt.score(value)
    if name in _PERCENTS and isinstance(value, int | float):
        return fmt.percent(value)
    return str(value)


def _kr_key(reason: Reason) -> str:
    p = reason.params
    if reason.code == "threshold_broken" and p.get("recoverable") is False:
        return "reason.threshold_broken_final"
    if reason.code == "behind_pace" and p.get("projected_actual") is not None:
        return "reason.behind_pace_forecast"
    return f"reason.{reason.code}"


def _sentence(key: str, values: dict[str, Any], t: Translator) -> str | None:
    if not t.has(key):
        return None
    try:
        return t(key, **values)
    except (KeyError, IndexError):  # a parameter the message needs is missing
        return None


def reason_sentence(reason: Reason | None, kr: KeyResult, t: Translator, fmt: Formatter) -> str:
    """A KR's reason in one sentence of the reader's language ('' when there is nothing to say)."""
    fallback = kr.status_reason or ""
    if reason is None:
        return fallback
    values = {k: _param(k, v, kr.unit, fmt) for k, v in reason.params.items() if k != "source"}
    values["source"] = source_label(reason.params.get("source") or kr.metric, t)
    if count := _COUNTS.get(reason.code):
        number = reason.params.get(count) or 0  # JSON numbers come with decimals: 2.0 days is 2
        values["count"] = int(number) if float(number).is_integer() else number
    return _sentence(_kr_key(reason), values, t) or fallback


def objective_reason_sentence(
    reason: Reason | None, titles: Mapping[str, str], t: Translator, fmt: Formatter
) -> str:
    """An objective's reason; `titles` names the units (KRs, child objectives) by id, so the
    sentence says which one holds it back most."""
    if reason is None:
        return ""
    values = {k: _param(k, v, None, fmt) for k, v in reason.params.items()}
    key = f"objective_reason.{reason.code}"
    dragging = reason.params.get("dragged_most_by")
    if reason.code == "behind_pace" and dragging:
        values["dragged_most_by"] = titles.get(str(dragging), str(dragging))
        key = "objective_reason.behind_pace_dragged"
    return _sentence(key, values, t) or ""
