"""Meta (Facebook and Instagram) ads as a registered source (Marketing API insights)."""

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


class MetaAdsSource(ApiSourceConfig):
    """The `meta_ads:` section of sources.yml."""

    base_url: str = "https://graph.facebook.com"
    api_version: str = Field("v21.0", pattern=r"^v\d+\.\d+$")
    ad_account_ids: list[str] = Field(default_factory=list)  # "act_123" or "123"
    access_token_env: str = Field("META_ACCESS_TOKEN", pattern=ENV_NAME_PATTERN)
    # Optional: with the app secret every call carries appsecret_proof (an unset variable: none).
    app_secret_env: str = Field("META_APP_SECRET", pattern=ENV_NAME_PATTERN)
    # Action types summed into `conversions` (their values from `action_values`). `lead` and
    # `purchase` already total their pixel, on-site and offline variants: listing a variant as
    # well would count it twice.
    conversion_action_types: list[str] = Field(default_factory=lambda: ["lead", "purchase"])
    page_size: int = Field(500, ge=1, le=5000)
    # Ranges longer than this many days run as asynchronous report runs (Meta's advice for heavy
    # insights queries); shorter ones are read synchronously.
    async_after_days: int = Field(31, ge=1)
    async_poll_s: float = Field(5.0, ge=0)
    async_timeout_s: float = Field(900, gt=0)
    # How long to wait after a rate-limit error (codes 4, 17, 32, 613, 80000-80008) that does not
    # say when access returns (the usage header's estimated_time_to_regain_access wins).
    rate_limit_wait_s: float = Field(60.0, ge=0)
    # Pause before the next call when the business-use-case usage reaches this percentage.
    throttle_at_pct: float = Field(75.0, gt=0, le=100)

    @field_validator("ad_account_ids")
    @classmethod
    def _act(cls, ids: list[str]) -> list[str]:
        out = []
        for raw in ids:
            digits = str(raw).strip().removeprefix("act_")
            if not digits.isdigit():
                raise ValueError(f"ad account id {raw!r} is not act_<digits> or <digits>")
            out.append(digits)
        return out


def _client(config: MetaAdsSource, secrets: dict[str, str], **http_kw: Any) -> Any:
    from connectors.meta_ads.streams import make_client

    return make_client(config, secrets["access_token"], secrets.get("app_secret") or None, **http_kw)


def _load(request: LoadRequest[MetaAdsSource]) -> LoadResult:
    from connectors.meta_ads.streams import load_meta_ads

    assert request.start is not None and request.end is not None
    return load_meta_ads(request.warehouse, request.client, request.config, request.start, request.end)


CAMPAIGN_DAYS = campaign_days_table(
    "meta_ads",
    "Meta ads spend, impressions, clicks and conversions per day, ad account and campaign.",
)

SOURCE = SourceDescriptor(
    name="meta_ads",
    title="Meta Ads",
    config_model=MetaAdsSource,
    credentials=(
        Credential("access_token", "access_token_env", description="a system-user access token"),
        Credential("app_secret", "app_secret_env", required=False, description="the app secret"),
    ),
    make_client=_client,
    raw_tables=(CAMPAIGN_DAYS,),
    streams=(
        Stream(
            "campaign_days",
            CAMPAIGN_DAYS.name,
            "daily",
            _load,
            description="Meta campaign insights per day, re-pulling the trailing lookback window.",
        ),
    ),
    staging_models=("stg_meta_ads__campaign_days",),
    required_keys=("ad_account_ids",),
)
