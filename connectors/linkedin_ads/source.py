"""LinkedIn ads as a registered source (Marketing API `adAnalytics`, versioned REST)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator

from connectors.ad_platforms import campaign_days_table
from connectors.registry import (
    ENV_NAME_PATTERN,
    ApiSourceConfig,
    Credential,
    LoadRequest,
    SourceDescriptor,
    Stream,
)

if TYPE_CHECKING:
    from connectors.load import LoadResult


class LinkedInAdsSource(ApiSourceConfig):
    """The `linkedin_ads:` section of sources.yml."""

    base_url: str = "https://api.linkedin.com"
    # The `LinkedIn-Version` header (YYYYMM). LinkedIn keeps a version for about a year and then
    # answers 426; move this forward when the error says so.
    api_version: str = Field("202509", pattern=r"^\d{6}(\.\d{2})?$")
    account_ids: list[str] = Field(default_factory=list)  # sponsored ad account ids (digits)
    access_token_env: str = Field("LINKEDIN_ACCESS_TOKEN", pattern=ENV_NAME_PATTERN)
    # Analytics fields summed into `conversions`: website conversions and Lead Gen Form leads.
    conversion_fields: list[str] = Field(
        default_factory=lambda: ["externalWebsiteConversions", "oneClickLeads"]
    )
    page_size: int = Field(100, ge=1, le=1000)  # campaigns per page of the campaign search

    @field_validator("account_ids")
    @classmethod
    def _digits(cls, ids: list[str]) -> list[str]:
        out = []
        for raw in ids:
            digits = str(raw).strip().removeprefix("urn:li:sponsoredAccount:")
            if not digits.isdigit():
                raise ValueError(f"account id {raw!r} is not digits (or urn:li:sponsoredAccount:<digits>)")
            out.append(digits)
        return out


def _client(config: LinkedInAdsSource, secrets: dict[str, str], **http_kw: Any) -> Any:
    from connectors.linkedin_ads.streams import make_client

    return make_client(config, secrets["access_token"], **http_kw)


def _load(request: LoadRequest[LinkedInAdsSource]) -> LoadResult:
    from connectors.linkedin_ads.streams import load_linkedin_ads

    assert request.start is not None and request.end is not None
    return load_linkedin_ads(request.warehouse, request.client, request.config, request.start, request.end)


CAMPAIGN_DAYS = campaign_days_table(
    "linkedin_ads",
    "LinkedIn ads cost, impressions, clicks and conversions per day, ad account and campaign.",
)

SOURCE = SourceDescriptor(
    name="linkedin_ads",
    title="LinkedIn Ads",
    config_model=LinkedInAdsSource,
    credentials=(
        Credential("access_token", "access_token_env", description="an OAuth access token (r_ads_reporting)"),
    ),
    make_client=_client,
    raw_tables=(CAMPAIGN_DAYS,),
    streams=(
        Stream(
            "campaign_days",
            CAMPAIGN_DAYS.name,
            "daily",
            _load,
            description="LinkedIn campaign analytics per day, re-pulling the trailing lookback window.",
        ),
    ),
    staging_models=("stg_linkedin_ads__campaign_days",),
    required_keys=("account_ids",),
)
