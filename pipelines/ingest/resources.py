"""Dagster resources of the ingest assets. Secrets arrive through `dagster.EnvVar` (the variable
names come from sources.yml), so they are resolved when a run starts and never appear in the
definitions, the UI's config view or the run's event log."""

from __future__ import annotations

import os

import dagster as dg

from connectors.config import SourcesConfig, load_sources
from connectors.warehouse import Warehouse, open_warehouse
from pipelines.settings import Settings, load_settings


class IngestWorkspaceResource(dg.ConfigurableResource):
    """The workspace (settings.yml + sources.yml) and its warehouse; empty root = OKR_WORKSPACE
    or the repository root."""

    root: str = ""

    def settings(self) -> Settings:
        return load_settings(self.root or None)

    def sources(self) -> SourcesConfig:
        s = self.settings()
        return load_sources(s.sources_file, s.root)

    def warehouse(self) -> Warehouse:
        s = self.settings()
        return open_warehouse(s.target, duckdb_path=s.warehouse_path, schema="raw")


class ApiTokenResource(dg.ConfigurableResource):
    """One API token (HubSpot private-app token, Pipedrive API token, Matomo token_auth,
    Plausible key), set from an environment variable with EnvVar."""

    token: str


class GA4CredentialsResource(dg.ConfigurableResource):
    """GA4: a ready access token, or a service-account key (JSON or a path to it)."""

    access_token: str = ""
    credentials: str = ""


def api_resources(sources: SourcesConfig) -> dict[str, dg.ConfigurableResource]:
    """A resource per enabled API source, reading its secret from the variable sources.yml names."""
    out: dict[str, dg.ConfigurableResource] = {}
    for name in ("matomo", "plausible", "hubspot", "pipedrive"):
        cfg = getattr(sources, name)
        if cfg is not None and cfg.enabled:
            out[f"{name}_api"] = ApiTokenResource(token=dg.EnvVar(cfg.token_env))
    ga4 = sources.ga4
    if ga4 is not None and ga4.enabled:
        # Whichever variable is set decides the method; when neither is, the run fails naming both.
        if os.environ.get(ga4.access_token_env):
            out["ga4_api"] = GA4CredentialsResource(access_token=dg.EnvVar(ga4.access_token_env))
        else:
            out["ga4_api"] = GA4CredentialsResource(credentials=dg.EnvVar(ga4.credentials_env))
    return out
