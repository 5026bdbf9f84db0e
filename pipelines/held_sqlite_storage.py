"""A DAGSTER_HOME on SQLite (Dagster's default, `dagster dev`'s) keeping one connection per database
file while `okr` runs on it.

Dagster's `SqliteEventLogStorage` creates an engine, connects and disposes of both for every read
and write (`_connect`): a run writes each event to its run's database file and each asset event
again to the index file, and before most writes it asks the index file, on one more connection,
whether a table exists. A night of 9 API sources spent 40% of its CPU there: 17.9-19.6 s, and
10.8-11.4 s with the connections held. Each write is still its own committed transaction, so
`dagster dev` or the daemon reading the same files see the same rows at the same time.

The webserver's and daemon's own storage objects are not touched: only the instance `okr` opened,
and only for the run (`run_instance`).
"""

from __future__ import annotations

import contextlib
import types
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def sqlite_connections_held(instance: Any) -> Iterator[None]:
    """While inside, `instance`'s SQLite event store reuses one connection per database file."""
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
        SQLITE_BUSY_TIMEOUT_SECONDS,
        SqliteEventLogStorage,
    )
    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    storage = instance.event_log_storage
    if type(storage) is not SqliteEventLogStorage:  # PostgreSQL, in-memory or a user's own class
        yield
        return
    engines: dict[str, Any] = {}

    @contextlib.contextmanager
    def held(self: SqliteEventLogStorage, shard: str) -> Iterator[Any]:
        # The storage's own lock is held for the whole use, as in Dagster's `_connect`: one
        # thread at a time on a shard's connection, whichever thread it is.
        with self._db_lock:
            engine = engines.get(shard)
            if engine is None:
                engine = engines[shard] = create_engine(
                    self.conn_string_for_shard(shard),
                    poolclass=StaticPool,
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
                )
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    tables: dict[str, bool] = {}

    def has_table(self: SqliteEventLogStorage, table_name: str) -> bool:
        # Asked before most writes (does the index have the asset-check and tag tables?). The
        # index's schema changes only when the instance is migrated (`dagster instance migrate`,
        # with no run going). Dagster's own method answers once per table, on a connection of its
        # own: it is also asked while `_connect` holds the store's lock and connection.
        if table_name not in tables:
            tables[table_name] = SqliteEventLogStorage.has_table(self, table_name)
        return tables[table_name]

    storage._connect = types.MethodType(held, storage)
    storage.has_table = types.MethodType(has_table, storage)
    try:
        yield
    finally:
        del storage._connect, storage.has_table  # Dagster's own again
        for engine in engines.values():
            engine.dispose()
