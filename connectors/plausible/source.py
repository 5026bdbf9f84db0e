"""Plausible as a registered source (Stats API v2 `POST /api/v2/query`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from connectors.registry import (
    ENV_NAME_PATTERN,
    ApiSourceConfig,
    Credential,
    Freshness,
    LoadRequest,
    RawTable,
    SourceDescriptor,
    Stream,
)

if TYPE_CHECKING:
    from connectors.load import LoadResult


class PlausibleSource(ApiSourceConfig):
    """The `plausible:` section of sources.yml."""

    base_url: str = "https://plausible.io"
    site_id: str = ""
    token_env: str = Field("PLAUSIBLE_API_KEY", pattern=ENV_NAME_PATTERN)
    page_size: int = Field(10000, ge=1, le=10000)


def _client(config: PlausibleSource, secrets: dict[str, str], **http_kw: Any) -> Any:
    from connectors.plausible.streams import make_client

    return make_client(config, secrets["token"], **http_kw)


def _load_daily(request: LoadRequest[PlausibleSource]) -> LoadResult:
    from connectors.plausible.streams import load_plausible_daily

    assert request.start is not None and request.end is not None
    return load_plausible_daily(request.warehouse, request.client, request.start, request.end)


def _load_goals(request: LoadRequest[PlausibleSource]) -> LoadResult:
    from connectors.plausible.streams import load_plausible_goals

    assert request.start is not None and request.end is not None
    return load_plausible_goals(request.warehouse, request.client, request.start, request.end)


DAILY_REPORT = RawTable(
    name="plausible_daily_report",
    columns={
        "report_date": "DATE",
        "site_id": "VARCHAR",
        "source": "VARCHAR",
        "utm_medium": "VARCHAR",
        "utm_campaign": "VARCHAR",
        "visitors": "BIGINT",
        "visits": "BIGINT",
        "pageviews": "BIGINT",
        "bounce_rate": "DOUBLE PRECISION",
        "visit_duration": "BIGINT",
    },
    freshness=Freshness(column="report_date", max_lag_days=2),
    description="Plausible visitors, visits and pageviews per day, source, UTM medium and campaign.",
)

DAILY_GOALS = RawTable(
    name="plausible_daily_goals",
    columns={
        "report_date": "DATE",
        "site_id": "VARCHAR",
        "goal": "VARCHAR",
        "conversions": "BIGINT",  # unique visitors who completed the goal that day
        "events": "BIGINT",  # every completion
    },
    unique_key=("report_date", "site_id", "goal"),
    freshness=Freshness(column="report_date", max_lag_days=2),
    description="Plausible goal conversions per day and goal.",
)

SOURCE = SourceDescriptor(
    name="plausible",
    title="Plausible",
    config_model=PlausibleSource,
    credentials=(Credential("token", "token_env", description="a Stats API key"),),
    make_client=_client,
    raw_tables=(DAILY_REPORT, DAILY_GOALS),
    streams=(
        Stream(
            "daily_report",
            DAILY_REPORT.name,
            "daily",
            _load_daily,
            description="Plausible daily breakdown, re-pulling the trailing lookback window.",
        ),
        Stream(
            "goal_conversions",
            DAILY_GOALS.name,
            "daily",
            _load_goals,
            description="Plausible goal conversions per day, re-pulling the trailing lookback window.",
        ),
    ),
    staging_models=("stg_plausible__daily_reports", "stg_plausible__daily_goals"),
    required_keys=("site_id",),
)
