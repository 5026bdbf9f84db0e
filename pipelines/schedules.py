"""The nightly job and its schedule: score yesterday at 02:00 in the workspace time zone; and the
weekly digest's schedule (settings.yml `digest.cron`, Monday 08:00 by default)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg

from pipelines.okr_definitions import DefinitionErrors, load_definitions
from pipelines.partitions import daily_partitions
from pipelines.reporting.digest import DigestSettings
from pipelines.reporting.digest_job import weekly_digest
from pipelines.settings import load_settings

_settings = load_settings()

nightly_scoring = dg.define_asset_job(
    "nightly_scoring",
    selection=dg.AssetSelection.all(),
    partitions_def=daily_partitions,
    description="Load definitions and sources, check the data, score every KR for the partition's "
    "date (as_of), and publish the scorecard.",
    # deploy/dagster.yaml queues runs one at a time per warehouse: the nightly run and a manual run
    # never write the same warehouse at once.
    tags={"okr/warehouse": _settings.target},
)


def scoring_date_for(scheduled: dt.datetime, timezone: str) -> dt.date:
    """A run at 02:00 on day D scores D - 1 (yesterday in the workspace time zone)."""
    return scheduled.astimezone(ZoneInfo(timezone)).date() - dt.timedelta(days=1)


@dg.schedule(
    job=nightly_scoring,
    cron_schedule=_settings.schedule,
    execution_timezone=_settings.timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Nightly scoring of yesterday; skipped with the list of errors when okrs/ is invalid.",
)
def nightly_scoring_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    settings = load_settings()
    as_of = scoring_date_for(context.scheduled_execution_time, settings.timezone)
    try:
        load_definitions(settings.okrs_dir, display_root=settings.root)
    except DefinitionErrors as exc:
        return dg.SkipReason(str(exc))
    return dg.RunRequest(run_key=as_of.isoformat(), partition_key=as_of.isoformat())


_digest = DigestSettings.from_dict(_settings.digest)

weekly_digest_schedule = dg.ScheduleDefinition(
    name="weekly_digest_schedule",
    job=weekly_digest,
    cron_schedule=_digest.cron,
    execution_timezone=_settings.timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING if _digest.enabled else dg.DefaultScheduleStatus.STOPPED,
    description="Each team's weekly digest (status changes, attention list, initiatives due, missing "
    "check-ins) to Slack, Teams, webhooks and e-mail; settings.yml `digest:`.",
)
