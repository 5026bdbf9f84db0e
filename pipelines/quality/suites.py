"""Turn a table profile (sources.py) into GX check specs, and build the daily-volume frame.

Decisions (documented in docs/quality-checks.md):
- "Future" means after the end of tomorrow in the source's time zone, measured against the wall
  clock, not the scoring date: a backfill of an old as_of must not flag rows loaded later. Such
  rows are WARN (a parse or time-zone error), never ERROR.
- Volume: each of the last 7 days up to min(as_of, newest day) is compared with the mean row
  count of the same weekday in the 4 weeks before it (weekends are much quieter for B2B). A day
  below 50% of that mean is flagged; days with fewer than 2 earlier weeks of history are not judged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from pipelines.quality.sources import MIN_DATE, TableProfile
from pipelines.quality.specs import CheckSpec, Severity

VOLUME_WINDOW_DAYS = 7
VOLUME_TRAILING_WEEKS = 4
VOLUME_MIN_WEEKS = 2
VOLUME_MIN_RATIO = 0.5


def check_names(profile: TableProfile) -> dict[str, Severity]:
    """The Dagster checks a profile produces, with the severity each reports when it fails."""
    names = {f"{profile.name}_structure": Severity.ERROR}
    if profile.has_value_rules:
        names[f"{profile.name}_values"] = Severity.WARN
    if profile.freshness_date:
        names[f"{profile.name}_freshness"] = Severity.WARN
    if profile.volume_date:
        names[f"{profile.name}_volume"] = Severity.WARN
    return names


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min)


def table_specs(
    profile: TableProfile, columns: Iterable[str], as_of: dt.date, today: dt.date
) -> list[CheckSpec]:
    """Specs for the table itself; column rules only for columns that exist (a missing one
    already fails `column_to_exist`, and GX would only add exceptions for the rest)."""
    present = set(columns)
    node = profile.node
    structure, values, fresh = (
        f"{profile.name}_structure",
        f"{profile.name}_values",
        f"{profile.name}_freshness",
    )
    err, warn = Severity.ERROR, Severity.WARN
    specs = [CheckSpec(structure, "table_row_count_to_be_between", {"min_value": 1}, err, node)]
    specs += [CheckSpec(structure, "column_to_exist", {"column": c}, err, node) for c in profile.required]
    specs += [
        CheckSpec(structure, "column_values_to_not_be_null", {"column": c}, err, node)
        for c in profile.not_null
        if c in present
    ]
    key = [c for c in profile.unique_key if c in present]
    if key and len(key) == len(profile.unique_key):
        if len(key) == 1:
            specs.append(CheckSpec(structure, "column_values_to_be_unique", {"column": key[0]}, err, node))
        else:
            specs.append(
                CheckSpec(structure, "compound_columns_to_be_unique", {"column_list": key}, err, node)
            )
    # Allow one day ahead: a source in another time zone may already be "tomorrow".
    latest = _day_start(today + dt.timedelta(days=2)) - dt.timedelta(microseconds=1)
    for c in profile.event_dates:
        if c in present:
            kwargs = {"column": c, "min_value": _day_start(MIN_DATE), "max_value": latest}
            specs.append(CheckSpec(values, "column_values_to_be_between", kwargs, warn, node))
    for c in profile.other_dates:
        if c in present:
            kwargs = {"column": c, "min_value": _day_start(MIN_DATE)}
            specs.append(CheckSpec(values, "column_values_to_be_between", kwargs, warn, node))
    for c in profile.non_negative:
        if c in present:
            specs.append(
                CheckSpec(values, "column_values_to_be_between", {"column": c, "min_value": 0}, warn, node)
            )
    for c, known in profile.categories.items():
        if c in present:
            kwargs = {"column": c, "value_set": list(known)}
            specs.append(CheckSpec(values, "column_values_to_be_in_set", kwargs, warn, node))
    if profile.freshness_date and profile.freshness_date in present:
        oldest_ok = _day_start(as_of - dt.timedelta(days=profile.max_lag_days))
        kwargs = {"column": profile.freshness_date, "min_value": oldest_ok}
        specs.append(
            CheckSpec(
                fresh,
                "column_max_to_be_between",
                kwargs,
                warn,
                node,
                meta={"max_lag_days": profile.max_lag_days},
            )
        )
    return specs


def volume_frame(dates: pd.Series, as_of: dt.date) -> pd.DataFrame:
    """Rows per day for the judged window, with the trailing same-weekday mean and their ratio.

    Days without any rows inside the loaded range count as 0 (a day that never arrived)."""
    cols = ["day", "weekday", "row_count", "trailing_mean", "weeks_in_mean", "ratio_to_trailing_mean"]
    days = pd.to_datetime(dates.dropna()).dt.normalize()
    if days.empty:
        return pd.DataFrame(columns=cols)
    counts = days.value_counts()
    end = min(pd.Timestamp(as_of), days.max())
    if end < days.min():
        return pd.DataFrame(columns=cols)
    calendar = pd.date_range(days.min(), end, freq="D")
    counts = counts.reindex(calendar, fill_value=0)
    rows = []
    for day in calendar[-VOLUME_WINDOW_DAYS:]:
        earlier = [day - pd.Timedelta(weeks=w) for w in range(1, VOLUME_TRAILING_WEEKS + 1)]
        earlier = [d for d in earlier if d in counts.index]
        mean = float(counts[earlier].mean()) if len(earlier) >= VOLUME_MIN_WEEKS else None
        ratio = (float(counts[day]) / mean) if mean else None
        rows.append([day.date().isoformat(), day.day_name(), int(counts[day]), mean, len(earlier), ratio])
    frame = pd.DataFrame(rows, columns=cols)
    frame["ratio_to_trailing_mean"] = frame["ratio_to_trailing_mean"].astype("float64")
    return frame


def volume_specs(profile: TableProfile) -> list[CheckSpec]:
    kwargs = {"column": "ratio_to_trailing_mean", "min_value": VOLUME_MIN_RATIO}
    return [
        CheckSpec(
            f"{profile.name}_volume",
            "column_values_to_be_between",
            kwargs,
            Severity.WARN,
            profile.node,
            meta={"date_column": profile.volume_date, "window_days": VOLUME_WINDOW_DAYS},
        )
    ]
