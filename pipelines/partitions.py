"""The daily partitions every scoring asset shares: one partition per scoring date (as_of).

A run covers one partition (a night) or a range of them (a backfill: one run, one dbt invocation
over the range, the newest day published). `scoring_range` reads which from the run's tags, so
assets and asset checks agree on it.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Mapping

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

from pipelines.settings import load_settings

_settings = load_settings()

# A partition key is the as_of date; the partition for day D closes at midnight after D in the
# workspace time zone, so the 02:00 schedule scores yesterday.
daily_partitions = dg.DailyPartitionsDefinition(
    start_date=_settings.history_start,
    timezone=_settings.timezone,
    end_offset=0,
)

# A backfill of many days is one run (one dbt invocation over the range), never a run per day.
single_run = dg.BackfillPolicy.single_run()
# Dagster marks `backfill_policy` on @asset as beta and warns once per decorated asset, in every
# run's log; the single-run policy is what every range run here needs (scoring and API pulls).
warnings.filterwarnings("ignore", message=r"Parameter `backfill_policy`", category=dg.BetaWarning)

# `okr backfill --replace` (or this tag, "true", on a Dagster backfill): rescore days that already
# have history; without it a backfill only fills the missing days (okr_run_context.replace_history).
REPLACE_TAG = "okr/replace_history"


def scoring_range(tags: Mapping[str, str]) -> tuple[dt.date, dt.date] | None:
    """(first, last) scoring date of a run from its tags; None for an unpartitioned run."""
    start = tags.get(ASSET_PARTITION_RANGE_START_TAG)
    end = tags.get(ASSET_PARTITION_RANGE_END_TAG)
    if start and end:
        return dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    key = tags.get(PARTITION_NAME_TAG)
    if key:
        day = dt.date.fromisoformat(key)
        return day, day
    return None


def replace_history(tags: Mapping[str, str]) -> bool:
    """Rescore days that have history? The tag decides; without it a night rescores its day and a
    range (backfill) only fills the days that are missing."""
    if REPLACE_TAG in tags:
        return tags[REPLACE_TAG].lower() == "true"
    return ASSET_PARTITION_RANGE_START_TAG not in tags
