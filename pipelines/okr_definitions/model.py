"""The shape of an OKR file (`okrs/*.yml`): known keys, required keys, types, choices and ranges.

Declared here as small records of field checks. A schema library was tried and dropped: importing
pydantic (and then pydantic-core alone) was most of `okr validate`'s time, for checks this small,
and every one of its messages had to be translated into a plain sentence anyway.

Numbers are strict: written as numbers (no quotes, no true/false) and finite. A record reports
every bad field at once, each as (path inside the record, sentence).
"""

from __future__ import annotations

import datetime as dt
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from pipelines.scoring_constants import scoring_constants

MEASURES = ("sum", "avg", "last", "min", "max", "ratio")
KR_TYPES = ("progress", "stay_above", "stay_below")
COMMITMENTS = ("committed", "aspirational")
INITIATIVE_STATUSES = ("planned", "in_progress", "done", "dropped")
PACES = ("linear", "seasonal")  # or a mapping of monthly shares (docs/scoring.md, "Pace")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

Loc = tuple[str | int, ...]


class Invalid(ValueError):
    """One or more (path, sentence) problems found by a check."""

    def __init__(self, problems: list[tuple[Loc, str]] | str) -> None:
        self.problems = [((), problems)] if isinstance(problems, str) else problems
        super().__init__("; ".join(m for _, m in self.problems))


Check = Callable[[Any], Any]


def shown(value: Any) -> str:
    """A value as an error message shows it (`true`, `'text'`, `a list`)."""
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


_BOUNDS = {
    "gt": (operator.gt, "larger than"),
    "ge": (operator.ge, "at least"),
    "lt": (operator.lt, "smaller than"),
    "le": (operator.le, "at most"),
}


def number(**bounds: float) -> Check:
    """A finite number written as a number; `bounds` like gt=0, le=1."""

    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            hint = " (remove the quotes)" if isinstance(value, str) else ""
            raise Invalid(f"must be a number, not {shown(value)}{hint}")
        try:
            result = float(value)
        except OverflowError:
            raise Invalid(f"{value:.3g} is too large to be a number") from None
        if not math.isfinite(result):
            raise Invalid(f"must be a finite number, not {shown(value)}")
        for name, limit in bounds.items():
            holds, words = _BOUNDS[name]
            if not holds(result, limit):
                raise Invalid(f"must be {words} {limit:g}, not {value:g}")
        return result

    return check


def whole_number(ge: int) -> Check:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"must be a whole number, not {shown(value)}")
        if value < ge:
            raise Invalid(f"must be at least {ge}, not {value}")
        return value

    return check


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(f"must be text, not {shown(value)} (put it in quotes)")
    if not value.strip():
        raise Invalid("must not be empty")
    return value.strip()


def date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0) or value.tzinfo is not None:
            raise Invalid(f"must be a date like 2026-10-01 without a time, not {value}")
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise Invalid(f"must be a date like 2026-10-01, not {shown(value)}")


def one_of(*choices: str) -> Check:
    def check(value: Any) -> str:
        if isinstance(value, str) and value.strip() in choices:
            return value.strip()
        listed = ", ".join(repr(c) for c in choices[:-1]) + f" or {choices[-1]!r}"
        raise Invalid(f"must be one of {listed}, not {shown(value)}")

    return check


def list_of(item: Check | None = None, non_empty: bool = False) -> Check:
    """A list (items checked one by one when `item` is given)."""

    def check(value: Any) -> list:
        if not isinstance(value, list):
            raise Invalid(f"must be a list (`[a, b]` or lines starting with `- `), not {shown(value)}")
        if non_empty and not value:
            raise Invalid("must not be empty")
        if item is None:
            return value
        out, problems = [], []
        for i, v in enumerate(value):
            try:
                out.append(item(v))
            except Invalid as exc:
                problems += [((i, *loc), m) for loc, m in exc.problems]
        if problems:
            raise Invalid(problems)
        return out

    return check


def mapping(value: Any) -> dict:
    if not isinstance(value, dict):
        raise Invalid(f"must be a mapping of keys, not {shown(value)}")
    return value


def pace(value: Any) -> str | dict[str, float]:
    """`linear`, `seasonal`, or monthly shares `{2026-10: 0.25, ...}` (each 0..1; the loader checks
    that they cover the KR's months and sum to 1, which needs the KR's period)."""
    if isinstance(value, dict):
        shares, problems = {}, []
        for month, share in value.items():
            key = month.isoformat()[:7] if isinstance(month, dt.date) else str(month).strip()
            if not _MONTH.match(key):
                problems.append(((month,), f"must be a month like 2026-10, not {shown(month)}"))
                continue
            try:
                shares[key] = number(ge=0, le=1)(share)
            except Invalid as exc:
                problems += [((month, *loc), m) for loc, m in exc.problems]
        if problems:
            raise Invalid(problems)
        if not shares:
            raise Invalid("must name at least one month, like {2026-10: 0.5, 2026-11: 0.5}")
        return shares
    if isinstance(value, str) and value.strip() in PACES:
        return value.strip()
    raise Invalid(
        f"must be 'linear', 'seasonal' or monthly shares like {{2026-10: 0.25, ...}}, not {shown(value)}"
    )


@dataclass(frozen=True)
class Field:
    check: Check
    required: bool = False
    default: Any = None  # a callable makes a fresh default (list, dict)


class Record:
    """A mapping with known keys: unknown keys, missing keys and each field's check, all reported."""

    def __init__(self, **fields: Field) -> None:
        self.fields = fields

    def __call__(self, raw: Any) -> dict[str, Any]:
        raw = mapping(raw)
        problems: list[tuple[Loc, str]] = [
            ((key,), "is not a known key (check the spelling; see docs/okr-definitions.md)")
            for key in raw
            if key not in self.fields
        ]
        values: dict[str, Any] = {}
        for name, spec in self.fields.items():
            if raw.get(name) is None:
                if spec.required:
                    problems.append(((name,), "is required but missing"))
                values[name] = spec.default() if callable(spec.default) else spec.default
                continue
            try:
                values[name] = spec.check(raw[name])
            except Invalid as exc:
                problems += [((name, *loc), m) for loc, m in exc.problems]
        if problems:
            raise Invalid(problems)
        return values

    def validate(self, raw: Any) -> SimpleNamespace:
        """The checked values with attribute access (`kr.target`); Invalid listing every problem."""
        return SimpleNamespace(**self(raw))


THRESHOLDS = Record(
    # Defaults from dbt_project.yml, where the scoring SQL reads its constants too.
    at_risk=Field(number(gt=0, lt=1), default=scoring_constants().default_at_risk),
    off_track=Field(number(gt=0, le=1), default=scoring_constants().default_off_track),
)

INITIATIVE = Record(
    title=Field(text, required=True),
    owner=Field(text),
    status=Field(one_of(*INITIATIVE_STATUSES), default="planned"),
    due=Field(date),
    campaigns=Field(list_of(text), default=list),
)

# Filters, initiatives, objectives' key results and files' objectives are checked one by one by
# the loader: one broken item never hides the errors of its siblings.
KEY_RESULT = Record(
    id=Field(text, required=True),
    title=Field(text, required=True),
    metric=Field(text, required=True),
    filter=Field(mapping, default=dict),
    measure=Field(one_of(*MEASURES)),  # default depends on the metric (checkins: last, else sum)
    type=Field(one_of(*KR_TYPES), default="progress"),
    baseline=Field(number()),
    target=Field(number(), required=True),
    commitment=Field(one_of(*COMMITMENTS), default="committed"),
    weight=Field(number(gt=0), default=1.0),
    start=Field(date),
    end=Field(date),
    stale_after_days=Field(whole_number(ge=0)),
    pace=Field(pace),  # default: the file's pace, else linear
    unit=Field(text),
    owner=Field(text),
    change_reason=Field(text),
    initiatives=Field(list_of(), default=list),
)

OBJECTIVE = Record(
    id=Field(text, required=True),
    title=Field(text, required=True),
    owner=Field(text),
    team=Field(text),
    parent=Field(text),
    weight=Field(number(gt=0), default=1.0),
    key_results=Field(list_of(), default=list),
)

CYCLE_FILE = Record(
    cycle=Field(text, required=True),
    start=Field(date),
    end=Field(date),
    thresholds=Field(lambda raw: THRESHOLDS.validate(raw), default=lambda: THRESHOLDS.validate({})),
    stale_after_days=Field(whole_number(ge=0), default=2),
    pace=Field(pace, default="linear"),
    objectives=Field(list_of(non_empty=True), required=True),
)
