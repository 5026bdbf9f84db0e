"""HubSpot as a registered source (CRM v3 list and search endpoints)."""

from __future__ import annotations

from collections.abc import Callable
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


class HubSpotSource(ApiSourceConfig):
    """The `hubspot:` section of sources.yml."""

    base_url: str = "https://api.hubapi.com"
    token_env: str = Field("HUBSPOT_TOKEN", pattern=ENV_NAME_PATTERN)
    lead_source_property: str = "lead_source"  # a custom contact property; absent in many portals
    page_size: int = Field(100, ge=1, le=200)
    search_cap: int = Field(10000, ge=1)  # the search endpoint pages through at most this many


def _client(config: HubSpotSource, secrets: dict[str, str], **http_kw: Any) -> Any:
    from connectors.hubspot.streams import make_client

    return make_client(config, secrets["token"], **http_kw)


def _loader(obj: str) -> Callable[[LoadRequest[HubSpotSource]], LoadResult]:
    def load(request: LoadRequest[HubSpotSource]) -> LoadResult:
        from connectors.hubspot.streams import load_hubspot_object

        return load_hubspot_object(
            request.warehouse,
            request.client,
            obj,
            lead_source_property=request.config.lead_source_property,
            timezone=request.timezone,
            full_refresh=request.full_refresh,
        )

    return load


CONTACTS = RawTable(
    name="hubspot_contacts",
    columns={
        "contact_id": "VARCHAR",
        "email_hash": "VARCHAR",  # sha256 of the trimmed, lower-cased address; the address is never stored
        "lifecycle_stage": "VARCHAR",  # internal value: marketingqualifiedlead, ...
        "lead_status": "VARCHAR",  # internal value: NEW, OPEN, IN_PROGRESS, ...
        "original_source": "VARCHAR",  # internal value: ORGANIC_SEARCH, PAID_SEARCH, ...
        "original_source_drilldown_2": "VARCHAR",  # the UTM campaign for campaign traffic
        "lead_source": "VARCHAR",
        "created_at": "TIMESTAMP",
        "updated_at": "TIMESTAMP",
        "became_lead_at": "TIMESTAMP",
        "became_mql_at": "TIMESTAMP",
        "became_sql_at": "TIMESTAMP",
        "became_customer_at": "TIMESTAMP",
    },
    unique_key=("contact_id",),
    freshness=Freshness(column="created_at", max_lag_days=7),
    description="HubSpot contacts with their lifecycle dates; no personal data but a hash of the e-mail.",
)
DEALS = RawTable(
    name="hubspot_deals",
    columns={
        "deal_id": "VARCHAR",
        "deal_name": "VARCHAR",
        "deal_stage": "VARCHAR",  # internal value: closedwon, ...
        "pipeline": "VARCHAR",  # internal value: default, ...
        "amount": "DOUBLE PRECISION",
        "close_date": "DATE",  # in the workspace time zone
        "created_at": "TIMESTAMP",
        "updated_at": "TIMESTAMP",
    },
    unique_key=("deal_id",),
    freshness=Freshness(column="created_at", max_lag_days=14),
    description="HubSpot deals with stage, pipeline, amount and dates.",
)

SOURCE = SourceDescriptor(
    name="hubspot",
    title="HubSpot",
    config_model=HubSpotSource,
    credentials=(Credential("token", "token_env", description="a private-app token (pat-...)"),),
    make_client=_client,
    raw_tables=(CONTACTS, DEALS),
    streams=(
        Stream(
            "contacts",
            CONTACTS.name,
            "incremental",
            _loader("contacts"),
            description="HubSpot contacts: incremental by last-modified time, upserted by id.",
        ),
        Stream(
            "deals",
            DEALS.name,
            "incremental",
            _loader("deals"),
            description="HubSpot deals: incremental by last-modified time, upserted by id.",
        ),
    ),
    staging_models=("stg_hubspot__contacts", "stg_hubspot__deals"),
)
