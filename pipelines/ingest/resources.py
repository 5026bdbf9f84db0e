"""Dagster resources of the ingest assets, one per credential of every enabled source (from the
source registry). Secrets arrive through `dagster.EnvVar` (the variable names come from
sources.yml), so they are resolved when a run starts and never appear in the definitions, the
UI's config view or the run's event log."""

from __future__ import annotations

import os

import dagster as dg

from connectors.config import SourcesConfig, api_config, load_sources
from connectors.registry import SourceDescriptor, SourcesError, sources
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


class SourceSecretResource(dg.ConfigurableResource):
    """One secret of one source (a token, a key), read from the environment variable `env_name`.

    `value` is an EnvVar when the variable was set as the definitions loaded; when it was not,
    the load of that source fails on its own with a sentence naming the variable, instead of the
    whole run failing before it starts."""

    env_name: str
    value: str = ""

    def get(self, source: str, required: bool) -> str:
        value = (self.value or "").strip()
        if required and not value:
            raise SourcesError(
                f"{source}: the environment variable {self.env_name} is not set (sources.yml names it)"
            )
        return value


def secret_resource_key(source: str, credential_key: str) -> str:
    return f"{source}_{credential_key}"


def secret_resources_of(descriptor: SourceDescriptor, cfg: object) -> dict[str, SourceSecretResource]:
    out = {}
    for credential, env_name in zip(descriptor.credentials, descriptor.env_names(cfg).values(), strict=True):
        value = dg.EnvVar(env_name) if os.environ.get(env_name, "").strip() else ""
        out[secret_resource_key(descriptor.name, credential.key)] = SourceSecretResource(
            env_name=env_name, value=value
        )
    return out


def api_resources(cfg: SourcesConfig) -> dict[str, dg.ConfigurableResource]:
    """A secret resource per credential of every enabled API source."""
    out: dict[str, dg.ConfigurableResource] = {}
    for d in sources():
        section = api_config(cfg, d.name)
        if section is not None and section.enabled:
            out.update(secret_resources_of(d, section))
    return out
