"""Salesforce as a registered source (REST API SOQL queries, incremental by SystemModstamp)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

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


class SalesforceSource(ApiSourceConfig):
    """The `salesforce:` section of sources.yml."""

    # Where tokens are asked for: the org's My Domain (https://<name>.my.salesforce.com), or
    # https://login.salesforce.com / https://test.salesforce.com for the JWT flow. Queries go to
    # the `instance_url` the token answer names.
    base_url: str = "https://login.salesforce.com"
    api_version: str = Field("v62.0", pattern=r"^v\d+\.\d$")
    auth: Literal["client_credentials", "jwt_bearer"] = "client_credentials"
    username: str = ""  # the integration user (JWT bearer flow only; not a secret)
    client_id_env: str = Field("SALESFORCE_CLIENT_ID", pattern=ENV_NAME_PATTERN)
    client_secret_env: str = Field("SALESFORCE_CLIENT_SECRET", pattern=ENV_NAME_PATTERN)
    private_key_env: str = Field("SALESFORCE_PRIVATE_KEY", pattern=ENV_NAME_PATTERN)  # PEM, or a path to it
    batch_size: int = Field(2000, ge=200, le=2000)  # records per page (Sforce-Query-Options)
    multi_currency: bool = False  # the org has multi-currency on: read CurrencyIsoCode


def _client(config: SalesforceSource, secrets: dict[str, str], **http_kw: Any) -> Any:
    from connectors.salesforce.streams import make_client

    return make_client(config, secrets, **http_kw)


def _loader(obj: str) -> Callable[[LoadRequest[SalesforceSource]], LoadResult]:
    def load(request: LoadRequest[SalesforceSource]) -> LoadResult:
        from connectors.salesforce.streams import load_salesforce_object

        return load_salesforce_object(
            request.warehouse,
            request.client,
            obj,
            timezone=request.timezone,
            multi_currency=request.config.multi_currency,
            full_refresh=request.full_refresh,
        )

    return load


_RECORD_STATE = {
    "updated_at": "TIMESTAMP",  # SystemModstamp, local time of the workspace zone
    "is_deleted": "BOOLEAN",  # in the recycle bin (read through queryAll)
}
OPPORTUNITIES = RawTable(
    name="salesforce_opportunities",
    columns={
        "opportunity_id": "VARCHAR",
        "opportunity_name": "VARCHAR",
        "stage": "VARCHAR",  # StageName as the org names it
        "amount": "DOUBLE PRECISION",
        "close_date": "DATE",
        "created_at": "TIMESTAMP",
        "lead_source": "VARCHAR",
        "campaign": "VARCHAR",  # the primary campaign's name
        "is_won": "BOOLEAN",
        "is_closed": "BOOLEAN",
        "currency": "VARCHAR",  # CurrencyIsoCode (multi-currency orgs), else empty
        **_RECORD_STATE,
    },
    unique_key=("opportunity_id",),
    freshness=Freshness(column="created_at", max_lag_days=14),
    description="Salesforce opportunities with stage, amount, close date and won/closed flags.",
)
LEADS = RawTable(
    name="salesforce_leads",
    columns={
        "lead_id": "VARCHAR",
        "email_hash": "VARCHAR",  # sha256 of the trimmed, lower-cased address; never the address
        "status": "VARCHAR",
        "lead_source": "VARCHAR",
        "is_converted": "BOOLEAN",
        "converted_date": "DATE",
        "created_at": "TIMESTAMP",
        **_RECORD_STATE,
    },
    unique_key=("lead_id",),
    freshness=Freshness(column="created_at", max_lag_days=7),
    description="Salesforce leads with status, source and conversion; no personal data but an e-mail hash.",
)
CONTACTS = RawTable(
    name="salesforce_contacts",
    columns={
        "contact_id": "VARCHAR",
        "email_hash": "VARCHAR",
        "lead_source": "VARCHAR",
        "created_at": "TIMESTAMP",
        **_RECORD_STATE,
    },
    unique_key=("contact_id",),
    freshness=Freshness(column="created_at", max_lag_days=14),
    description="Salesforce contacts with their lead source; no personal data but a hash of the e-mail.",
)

SOURCE = SourceDescriptor(
    name="salesforce",
    title="Salesforce",
    config_model=SalesforceSource,
    credentials=(
        Credential("client_id", "client_id_env", description="the connected app's consumer key"),
        Credential(
            "client_secret",
            "client_secret_env",
            required=False,
            description="its consumer secret (client credentials)",
        ),
        Credential(
            "private_key",
            "private_key_env",
            required=False,
            description="the certificate's private key (JWT bearer)",
        ),
    ),
    make_client=_client,
    raw_tables=(OPPORTUNITIES, LEADS, CONTACTS),
    streams=tuple(
        Stream(
            obj,
            f"salesforce_{obj}",
            "incremental",
            _loader(obj),
            description=f"Salesforce {obj}: incremental by SystemModstamp, deletions through queryAll.",
        )
        for obj in ("opportunities", "leads", "contacts")
    ),
    staging_models=("stg_salesforce__opportunities", "stg_salesforce__leads", "stg_salesforce__contacts"),
)
