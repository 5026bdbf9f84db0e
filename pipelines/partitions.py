"""The daily partitions every scoring asset shares: one partition per scoring date (as_of)."""

from __future__ import annotations

import dagster as dg

from pipelines.settings import load_settings

_settings = load_settings()

# A partition key is the as_of date; the partition for day D closes at midnight after D in the
# workspace time zone, so the 02:00 schedule scores yesterday.
daily_partitions = dg.DailyPartitionsDefinition(
    start_date=_settings.history_start,
    timezone=_settings.timezone,
    end_offset=0,
)
