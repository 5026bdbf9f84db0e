"""Google Analytics 4 as a registered source (Data API v1beta `runReport`)."""

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


class GA4Source(ApiSourceConfig):
    """The `ga4:` section of sources.yml."""

    base_url: str = "https://analyticsdata.googleapis.com"
    token_url: str = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL, not a secret
    property_id: str = ""
    # Either a service-account key (a path to the JSON file, or the JSON itself) ...
    credentials_env: str = Field("GA4_SERVICE_ACCOUNT_JSON", pattern=ENV_NAME_PATTERN)
    # ... or a ready OAuth access token.
    access_token_env: str = Field("GA4_ACCESS_TOKEN", pattern=ENV_NAME_PATTERN)
    # Rows per runReport page; the API allows up to 250,000. A year of a busy property's daily
    # channel rows fits in one or two pages: a history pull stays a handful of requests.
    page_size: int = Field(100000, ge=1, le=250000)


def _client(config: GA4Source, secrets: dict[str, str], **http_kw: Any) -> Any:
    from connectors.ga4.streams import make_client

    return make_client(
        config,
        access_token=secrets.get("access_token") or None,
        credentials=secrets.get("credentials") or None,
        **http_kw,
    )


def _load_daily(request: LoadRequest[GA4Source]) -> LoadResult:
    from connectors.ga4.streams import load_ga4_daily

    assert request.start is not None and request.end is not None
    property_id = request.config.property_id
    return load_ga4_daily(request.warehouse, request.client, property_id, request.start, request.end)


DAILY_REPORT = RawTable(
    name="ga4_daily_report",
    columns={
        "report_date": "DATE",
        "property_id": "VARCHAR",
        "channel_group": "VARCHAR",
        "source": "VARCHAR",
        "medium": "VARCHAR",
        "campaign": "VARCHAR",
        "sessions": "BIGINT",
        "total_users": "BIGINT",
        "new_users": "BIGINT",
        "engaged_sessions": "BIGINT",
        "key_events": "BIGINT",
    },
    # GA4 finishes processing a day within about 48 hours.
    freshness=Freshness(column="report_date", max_lag_days=2),
    description="GA4 sessions, users and key events per day, channel group, source, medium and campaign.",
)

SOURCE = SourceDescriptor(
    name="ga4",
    title="Google Analytics 4",
    config_model=GA4Source,
    credentials=(
        Credential(
            "access_token", "access_token_env", required=False, description="a ready OAuth access token"
        ),
        Credential(
            "credentials",
            "credentials_env",
            required=False,
            description="a service-account key (the JSON, or a path to it)",
        ),
    ),
    make_client=_client,
    raw_tables=(DAILY_REPORT,),
    streams=(
        Stream(
            "daily_report",
            DAILY_REPORT.name,
            "daily",
            _load_daily,
            description="GA4 daily report, re-pulling the trailing lookback window.",
        ),
    ),
    staging_models=("stg_ga4__daily_reports",),
    required_keys=("property_id",),
)
