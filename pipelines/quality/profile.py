"""What the data checks of one raw table or staging model are: `TableProfile`.

Structural rules (missing column, no rows, missing or duplicate record ids) are ERROR: they block
the KRs fed by that table. Everything softer (ranges, negative amounts, unknown categories,
future dates, a half-loaded day, stale data) is WARN. The profiles themselves are generated from
the dbt properties YAML (pipelines/quality/contracts.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

LOAD_METADATA = ("_source", "_stream", "_loaded_at", "_partition")

# Earliest plausible date in any source: anything older is a parse error (e.g. 1970, 0001).
MIN_DATE = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class TableProfile:
    """The checks for one relation. `node` is its lineage name (see lineage.py)."""

    name: str
    schema: str
    asset_key: tuple[str, ...]
    required: tuple[str, ...] = ()
    not_null: tuple[str, ...] = ()  # ERROR: rows without these cannot be counted at all
    unique_key: tuple[str, ...] = ()  # ERROR: a duplicate would be counted twice
    event_dates: tuple[str, ...] = ()  # WARN: >= MIN_DATE and not after today (+1 day) in `timezone`
    other_dates: tuple[str, ...] = ()  # WARN: >= MIN_DATE only (e.g. expected close dates)
    non_negative: tuple[str, ...] = ()  # WARN
    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)  # WARN, new values named
    volume_date: str | None = None  # WARN: a day far below its trailing same-weekday mean
    freshness_date: str | None = None  # WARN: newest date older than as_of - max_lag_days
    max_lag_days: int = 2
    timezone: str = "Europe/Helsinki"

    @property
    def node(self) -> str:
        return f"raw.{self.name}" if self.schema == "raw" else self.name

    @property
    def date_columns(self) -> tuple[str, ...]:
        return self.event_dates + self.other_dates

    @property
    def has_value_rules(self) -> bool:
        return bool(self.event_dates or self.other_dates or self.non_negative or self.categories)
