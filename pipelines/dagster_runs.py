"""Helpers for running a Dagster job in-process, shared by the scoring run and the history pull:
which instance to use, each step's wall time, and the user's error behind Dagster's wrappers."""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dagster as dg

# Dagster's switch for one "planned" event per asset for a partition range, instead of one per
# asset and day (a 92-day backfill: about 9,000 events, a quarter of its time). Its cost, per
# Dagster: a failed run's days are not marked failed in the instance's partition status.
ONE_PLANNED_EVENT_PER_RANGE = "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"


@contextlib.contextmanager
def run_instance() -> Iterator[dg.DagsterInstance]:
    """A persistent instance when the user has one (runs show up in `dagster dev`), else an
    ephemeral one, which nothing reads after the run: there a range run plans each asset once."""
    _scripts_by_path()  # both kinds keep their runs in SQLite, stamped by alembic when opened
    if os.environ.get("DAGSTER_HOME"):
        from pipelines.held_sqlite_storage import sqlite_connections_held

        with dg.DagsterInstance.get() as instance, sqlite_connections_held(instance):
            _hold_connections(instance)
            yield instance
        return
    saved = os.environ.get(ONE_PLANNED_EVENT_PER_RANGE)
    os.environ[ONE_PLANNED_EVENT_PER_RANGE] = "true"
    try:
        with _ephemeral_instance() as instance:
            yield instance
    finally:
        if saved is None:
            os.environ.pop(ONE_PLANNED_EVENT_PER_RANGE, None)
        else:
            os.environ[ONE_PLANNED_EVENT_PER_RANGE] = saved


def execute_quietly(
    job: dg.JobDefinition,
    instance: dg.DagsterInstance,
    on_event: Callable[[dg.EventLogEntry], None] | None = None,
    **kwargs: Any,
) -> dg.ExecuteInProcessResult:
    """`job` in this process on `instance`, failures returned rather than raised. `on_event` gets
    every event as it happens; Dagster's console log shows warnings only (OKR_LOG_LEVEL): the CLI
    prints its own progress and summary."""
    run_id = str(uuid.uuid4())
    if on_event is not None:
        instance.add_event_listener(run_id, on_event)
    log_level = os.environ.get("OKR_LOG_LEVEL", "WARNING")
    return job.execute_in_process(
        run_id=run_id,
        instance=instance,
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        **kwargs,
    )


def step_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Each step's wall time (what `make bench` reports)."""
    return {
        s.step_key: round(s.end_time - s.start_time, 3)
        for s in instance.get_run_step_stats(run_id)
        if s.start_time and s.end_time
    }


def root_message(error: object) -> str:
    """The innermost error message: the user's problem, not Dagster's wrapper around it, and
    without the exception's Python class ("dagster_dbt.errors.DagsterDbtCliRuntimeError: ...")."""
    while error is not None and getattr(error, "cause", None) is not None:
        error = error.cause
    message = getattr(error, "message", "").strip()
    head, colon, rest = message.partition(": ")
    if colon and head.rsplit(".", 1)[-1] == getattr(error, "cls_name", None):
        message = rest.strip()
    return message or "unknown error"


def _hold_connections(instance: dg.DagsterInstance) -> None:
    """Let a PostgreSQL-backed instance keep its connections for the run, as Dagster's webserver
    does (pipelines/pooled_postgres_storage.py, `keep_connections`; nothing for SQLite, nothing
    again for deploy/dagster.yaml's storage, which already keeps them).

    Dagster's PostgreSQL stores open a new connection for every read and write by default, and a
    run writes an event for every model, test and check: a night of one KR opened about 3,600
    connections, half of its 40 s on a local server (more over a network, with TLS); now about
    100. The pools go with the instance when the run ends
    (tests/pipelines/deploy/test_production_instance.py counts what stays open)."""
    from pipelines.pooled_postgres_storage import keep_connections

    keep_connections(instance.run_storage, instance.event_log_storage, instance.schedule_storage)


def _ephemeral_instance() -> dg.DagsterInstance:
    """`DagsterInstance.ephemeral()`, with its two SQLite stores working on one connection each.

    Dagster's in-memory run and event stores open a new SQLite connection, and set two PRAGMAs
    on it, for every read and write: about three per event, 2,700 connections for the 860 events
    of a demo night, about 1.5 s of it. Each store already holds one connection for its life;
    these subclasses do their work on it."""
    from dagster._core.event_api import EventLogCursor
    from dagster._core.events import DagsterEventType
    from dagster._core.instance import InstanceType
    from dagster._core.launcher.sync_in_memory_run_launcher import SyncInMemoryRunLauncher
    from dagster._core.run_coordinator import DefaultRunCoordinator
    from dagster._core.storage.event_log import InMemoryEventLogStorage
    from dagster._core.storage.noop_compute_log_manager import NoOpComputeLogManager
    from dagster._core.storage.root import TemporaryLocalArtifactStorage
    from dagster._core.storage.runs import InMemoryRunStorage

    unread = (
        DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
        DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED,
        DagsterEventType.STEP_OUTPUT,
        DagsterEventType.ASSET_MATERIALIZATION,
        DagsterEventType.ASSET_CHECK_EVALUATION,
    )

    class RunStore(InMemoryRunStorage):
        def __init__(self) -> None:
            super().__init__()
            self._owner = _hold(self._held_conn)

        def connect(self) -> Any:
            return _on_held(self._held_conn, self._owner, super().connect)

    class EventStore(InMemoryEventLogStorage):
        def __init__(self) -> None:
            super().__init__()
            self._owner = _hold(self._held_conn)
            self._schema_answers: dict[tuple[str, str], bool] = {}

        # Dagster asks whether a table or column exists before most writes (about 800 schema
        # inspections a demo night, each on a new connection). This store's schema is made once,
        # in __init__, and never migrated: the answers are remembered, as Dagster's own SQLite
        # store does for its secondary indexes.
        def _remembered(self, key: tuple[str, str], ask: Callable[[], bool]) -> bool:
            if key not in self._schema_answers:
                self._schema_answers[key] = ask()
            return self._schema_answers[key]

        def has_table(self, table_name: str) -> bool:
            ask = super().has_table
            return self._remembered(("table", table_name), lambda: ask(table_name))

        # Events that only Dagster's UI, partition status, staleness or a re-execution read back,
        # and nothing reads from this store, which goes with its run: at its start a run reports
        # every asset and check it plans to materialize (about 390 of a demo night's 775 events),
        # each asset's output is reported once more as a step output (175), and each asset is
        # reported materialized once per day of the run, each check evaluated once. They are
        # passed on to whoever watches the run (the CLI's progress, the run's result) but not
        # written. Written, a materialization also costs an asset index row and its tags, and
        # later steps looked up their inputs' materializations (data versions, a tag of the next
        # materialization: staleness in the UI): a range run of 47 days took 10.4 s, 6.2 s now.
        # The step start and end events stay: the step timings are read from them.
        def store_event(self, event: Any) -> None:
            if event.dagster_event_type in unread:
                self._storage_id += 1
                for handler in list(self._handlers[event.run_id]):
                    handler(event, str(EventLogCursor.from_storage_id(self._storage_id)))
                return
            super().store_event(event)

        def _has_asset_key_col_on_connection(self, conn: Any, column_name: str) -> bool:
            ask = super()._has_asset_key_col_on_connection
            return self._remembered(("asset_keys column", column_name), lambda: ask(conn, column_name))

        @contextlib.contextmanager
        def _connect(self) -> Iterator[Any]:
            if threading.get_ident() != self._owner:
                with super()._connect() as conn:
                    yield conn
                return
            with self._db_lock, _on_held(self._held_conn, self._owner, super()._connect) as conn:
                yield conn

    return dg.DagsterInstance(
        instance_type=InstanceType.EPHEMERAL,
        local_artifact_storage=TemporaryLocalArtifactStorage(),
        run_storage=RunStore(),
        event_storage=EventStore(),
        compute_log_manager=NoOpComputeLogManager(),
        run_coordinator=DefaultRunCoordinator(),
        run_launcher=SyncInMemoryRunLauncher(),
    )


def _scripts_by_path() -> None:
    """Name Dagster's migration scripts by their folder, not as the package resource
    "dagster:_core/storage/alembic". Each SQLite store (in memory or in DAGSTER_HOME) stamps or
    checks its schema with alembic when it is opened (two per run), and alembic resolves a
    resource name into an `ExitStack` that it registers to close at exit, so it is never freed:
    two a run, with the interned path strings they hold. A folder is used as it is. The same
    scripts either way; only while Dagster still names them by that resource."""
    from dagster._core.storage import sql

    folder = Path(dg.__file__).parent / "_core" / "storage" / "alembic"
    if getattr(sql, "ALEMBIC_SCRIPTS_LOCATION", None) == "dagster:_core/storage/alembic" and folder.is_dir():
        sql.ALEMBIC_SCRIPTS_LOCATION = str(folder)


def _hold(conn: Any) -> int:
    """Give a store's held connection the setting the stock stores give every new one."""
    conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    conn.commit()
    return threading.get_ident()  # SQLite connections belong to the thread that made them


@contextlib.contextmanager
def _on_held(conn: Any, owner: int, fresh: Callable[[], Any]) -> Iterator[Any]:
    """The held connection in a transaction (joining one under way), or a fresh connection
    from another thread."""
    if threading.get_ident() != owner:
        with fresh() as other:
            yield other
    elif conn.in_transaction():
        yield conn
    else:
        with conn.begin():
            yield conn
