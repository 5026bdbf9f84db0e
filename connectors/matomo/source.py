"""Matomo as a registered source (Reporting API `VisitsSummary.get`)."""

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


class MatomoSource(ApiSourceConfig):
    """The `matomo:` section of sources.yml (self-hosted: base_url is required)."""

    base_url: str = ""
    site_id: str = ""
    token_env: str = Field("MATOMO_TOKEN", pattern=ENV_NAME_PATTERN)


def _client(config: MatomoSource, secrets: dict[str, str], **http_kw: Any) -> Any:
    from connectors.matomo.streams import make_client

    return make_client(config, secrets["token"], **http_kw)


def _load_daily(request: LoadRequest[MatomoSource]) -> LoadResult:
    from connectors.matomo.streams import load_matomo_daily

    assert request.start is not None and request.end is not None
    return load_matomo_daily(request.warehouse, request.client, request.start, request.end)


DAILY_REPORT = RawTable(
    name="matomo_daily_report",
    columns={
        "report_date": "DATE",
        "site_id": "VARCHAR",
        "nb_visits": "BIGINT",
        "nb_uniq_visitors": "BIGINT",
        "nb_actions": "BIGINT",
        "nb_visits_converted": "BIGINT",
        "bounce_count": "BIGINT",
        "sum_visit_length": "BIGINT",
        "bounce_rate": "DOUBLE PRECISION",  # percent, "38%" -> 38.0
    },
    unique_key=("report_date", "site_id"),
    freshness=Freshness(column="report_date", max_lag_days=2),
    description="Matomo visits, visitors, actions and converted visits per day and site.",
)

SOURCE = SourceDescriptor(
    name="matomo",
    title="Matomo",
    config_model=MatomoSource,
    credentials=(Credential("token", "token_env", description="a token_auth of a user with view access"),),
    make_client=_client,
    raw_tables=(DAILY_REPORT,),
    streams=(
        Stream(
            "daily_report",
            DAILY_REPORT.name,
            "daily",
            _load_daily,
            description="Matomo daily visits summary, re-pulling the trailing lookback window.",
        ),
    ),
    staging_models=("stg_matomo__daily_reports",),
    required_keys=("base_url", "site_id"),
)
