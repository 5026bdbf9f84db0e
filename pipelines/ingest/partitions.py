"""The daily partitions of the analytics streams (GA4, Matomo, Plausible): the scoring assets'
own definition (pipelines/partitions.py), so a day's ingest and that day's scoring share a
partition key and a backfill of a range covers both."""

from pipelines.partitions import daily_partitions

__all__ = ["daily_partitions"]
