"""The daily partitions of the analytics streams (GA4, Matomo, Plausible).

The same definition as the scoring assets use (start = settings.history_start, default
2025-01-01; zone = settings.timezone, default Europe/Helsinki), so a day's ingest and that
day's scoring share a partition key and a backfill of a range covers both.
"""

from __future__ import annotations

import dagster as dg

from pipelines.settings import load_settings

_settings = load_settings()

daily_partitions = dg.DailyPartitionsDefinition(
    start_date=_settings.history_start,
    timezone=_settings.timezone,
    end_offset=0,
)
