"""Pipedrive as a registered source: its sources.yml section, raw table, stream and client.

The example every new source can copy (docs/contributing.md): this module stays cheap to import
(the client and stream modules load only when a run needs them).
"""

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


class PipedriveSource(ApiSourceConfig):
    """The `pipedrive:` section of sources.yml."""

    base_url: str = "https://api.pipedrive.com"  # or https://<company>.pipedrive.com
    token_env: str = Field("PIPEDRIVE_API_TOKEN", pattern=ENV_NAME_PATTERN)
    page_size: int = Field(500, ge=1, le=500)


def _client(config: PipedriveSource, secrets: dict[str, str], **http_kw: Any) -> Any:
    from connectors.pipedrive.streams import make_client

    return make_client(config, secrets["token"], **http_kw)


def _load_deals(request: LoadRequest[PipedriveSource]) -> LoadResult:
    from connectors.pipedrive.streams import load_pipedrive_deals

    return load_pipedrive_deals(
        request.warehouse, request.client, timezone=request.timezone, full_refresh=request.full_refresh
    )


DEALS = RawTable(
    name="pipedrive_deals",
    columns={
        "deal_id": "VARCHAR",
        "title": "VARCHAR",
        "value": "DOUBLE PRECISION",
        "currency": "VARCHAR",
        "status": "VARCHAR",  # open, won, lost, deleted
        "stage_id": "VARCHAR",
        "stage_name": "VARCHAR",  # exports carry the name, the API the id
        "pipeline_id": "VARCHAR",
        "pipeline_name": "VARCHAR",
        "owner_id": "VARCHAR",
        "created_at": "TIMESTAMP",
        "updated_at": "TIMESTAMP",
        "won_at": "TIMESTAMP",
        "lost_at": "TIMESTAMP",
        "expected_close_date": "DATE",
        "is_deleted": "BOOLEAN",
    },
    unique_key=("deal_id",),
    freshness=Freshness(column="created_at", max_lag_days=14),
    description="Pipedrive deals, upserted by id (the newest update wins).",
)

SOURCE = SourceDescriptor(
    name="pipedrive",
    title="Pipedrive",
    config_model=PipedriveSource,
    credentials=(Credential("token", "token_env", description="a personal API token"),),
    make_client=_client,
    raw_tables=(DEALS,),
    streams=(
        Stream(
            "deals",
            DEALS.name,
            "incremental",
            _load_deals,
            description="Pipedrive deals: incremental by update time, upserted by id.",
        ),
    ),
    staging_models=("stg_pipedrive__deals",),
)
