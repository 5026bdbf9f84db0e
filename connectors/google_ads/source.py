"""Google Ads as a registered source (`googleAds:searchStream` with GAQL, per customer)."""

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


class GoogleAdsSource(ApiSourceConfig):
    """The `google_ads:` section of sources.yml."""

    base_url: str = "https://googleads.googleapis.com"
    token_url: str = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL, not a secret
    api_version: str = Field("v21", pattern=r"^v\d+$")
    customer_ids: list[str] = Field(default_factory=list)  # "123-456-7890" or "1234567890"
    developer_token_env: str = Field("GOOGLE_ADS_DEVELOPER_TOKEN", pattern=ENV_NAME_PATTERN)
    client_id_env: str = Field("GOOGLE_ADS_CLIENT_ID", pattern=ENV_NAME_PATTERN)
    client_secret_env: str = Field("GOOGLE_ADS_CLIENT_SECRET", pattern=ENV_NAME_PATTERN)
    refresh_token_env: str = Field("GOOGLE_ADS_REFRESH_TOKEN", pattern=ENV_NAME_PATTERN)
    # The manager (MCC) account the customers are reached through; an unset variable means none.
    login_customer_id_env: str = Field("GOOGLE_ADS_LOGIN_CUSTOMER_ID", pattern=ENV_NAME_PATTERN)

    @field_validator("customer_ids")
    @classmethod
    def _digits(cls, ids: list[str]) -> list[str]:
        out = []
        for raw in ids:
            digits = str(raw).replace("-", "").strip()
            if not digits.isdigit() or len(digits) != 10:
                raise ValueError(f"customer id {raw!r} is not 10 digits (dashes allowed)")
            out.append(digits)
        return out


def _client(config: GoogleAdsSource, secrets: dict[str, str], **http_kw: Any) -> Any:
    from connectors.google_ads.streams import make_client

    return make_client(config, secrets, **http_kw)


def _load(request: LoadRequest[GoogleAdsSource]) -> LoadResult:
    from connectors.google_ads.streams import load_google_ads

    assert request.start is not None and request.end is not None
    return load_google_ads(
        request.warehouse, request.client, request.config.customer_ids, request.start, request.end
    )


CAMPAIGN_DAYS = campaign_days_table(
    "google_ads",
    "Google Ads cost, impressions, clicks and conversions per day, customer and campaign.",
)

SOURCE = SourceDescriptor(
    name="google_ads",
    title="Google Ads",
    config_model=GoogleAdsSource,
    credentials=(
        Credential("developer_token", "developer_token_env", description="the API developer token"),
        Credential("client_id", "client_id_env", description="the OAuth client id"),
        Credential("client_secret", "client_secret_env", description="the OAuth client secret"),
        Credential("refresh_token", "refresh_token_env", description="an OAuth refresh token"),
        Credential(
            "login_customer_id",
            "login_customer_id_env",
            required=False,
            description="the manager account id, when customers are reached through one",
        ),
    ),
    make_client=_client,
    raw_tables=(CAMPAIGN_DAYS,),
    streams=(
        Stream(
            "campaign_days",
            CAMPAIGN_DAYS.name,
            "daily",
            _load,
            description="Google Ads campaign metrics per day, re-pulling the trailing lookback window.",
        ),
    ),
    staging_models=("stg_google_ads__campaign_days",),
    required_keys=("customer_ids",),
)
