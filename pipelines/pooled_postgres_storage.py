"""Dagster's PostgreSQL storage, with each process keeping its connections (deploy/dagster.yaml).

dagster-postgres opens a new connection for every read and write unless the process asks it to
keep them, which only Dagster's webserver does (`optimize_for_webserver`). A run writes an event
for every model, test and check: a night of one KR opened about 3,600 connections, half of its
time on a local server, more over a network with TLS. With this class every process of the
deployment (run processes, the daemon, the code server, the webserver) keeps one connection per
store, and up to `_MAX_OVERFLOW` more while its threads need them at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster._serdes import ConfigurableClassData
from dagster_postgres import DagsterPostgresStorage
from dagster_postgres.utils import get_token_provider_from_config, pg_url_from_config

_MAX_OVERFLOW = 20  # the webserver's own default: the daemon's threads each take one at times
_POOL_RECYCLE_S = 3600
_KEPT = "_okr_keeps_connections"


def keep_connections(*stores: Any) -> None:
    """Let each Dagster store keep its connections (`optimize_for_webserver`, a no-op on SQLite),
    once: a store already set keeps its pool. No statement timeout (0): a run waits for its
    writes; the webserver sets its own."""
    for store in stores:
        if store is None or getattr(store, _KEPT, False):
            continue
        store.optimize_for_webserver(
            statement_timeout=0, pool_recycle=_POOL_RECYCLE_S, max_overflow=_MAX_OVERFLOW
        )
        setattr(store, _KEPT, True)


class PooledPostgresStorage(DagsterPostgresStorage):
    """`storage: postgres:` of dagster.yaml, configured the same way, keeping connections."""

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> PooledPostgresStorage:
        storage = cls(
            inst_data=inst_data,
            postgres_url=pg_url_from_config(config_value),
            should_autocreate_tables=config_value.get("should_autocreate_tables", True),
            token_provider=get_token_provider_from_config(config_value),
        )
        keep_connections(storage.run_storage, storage.event_log_storage, storage.schedule_storage)
        return storage
