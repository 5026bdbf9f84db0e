"""The production dagster.yaml (deploy/dagster.yaml) against a real PostgreSQL server.

1. A run executed on an instance built from that file lands in PostgreSQL (run, events) and is
   read back by a second, fresh instance, as the webserver and the daemon would.
2. The nightly job itself is recorded there: `okr run` on a tiny workspace (DAGSTER_HOME set),
   then the next night as a launched run (`dagster job execute`), each step in the run's process.
   Both keep their connections instead of opening one per event.
3. The run queue: two runs of a warehouse-writing job submitted together are drained by the real
   `dagster-daemon` one after the other, never overlapping.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import yaml
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage

from tests.helpers import make_workspace
from tests.pipelines.deploy.deploy_probe_defs import WAREHOUSE_TAG, warehouse_probe
from tests.postgres_server import PostgresServer

REPO = Path(__file__).resolve().parents[3]
DAGSTER_YAML = REPO / "deploy" / "dagster.yaml"
PROBE_DEFS = Path(__file__).with_name("deploy_probe_defs.py")
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.integration


@dataclass
class DagsterHome:
    path: Path
    database: str
    env: dict[str, str]

    def instance(self) -> DagsterInstance:
        return DagsterInstance.from_config(str(self.path))

    def edit_config(self, change: Callable[[dict], None]) -> None:
        """Change the copied deploy/dagster.yaml in place (`change` edits its parsed YAML)."""
        file = self.path / "dagster.yaml"
        config = yaml.safe_load(file.read_text(encoding="utf-8"))
        change(config)
        file.write_text(yaml.safe_dump(config), encoding="utf-8")


@pytest.fixture
def dagster_home(
    tmp_path: Path, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DagsterHome]:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DAGSTER_YAML, home / "dagster.yaml")
    database = postgres_server.create_database(f"dagster_{secrets.token_hex(4)}")
    env = {
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_HOST": postgres_server.host,
        "DAGSTER_PG_PORT": str(postgres_server.port),
        "DAGSTER_PG_USER": postgres_server.user,
        "DAGSTER_PG_PASSWORD": postgres_server.password,
        "DAGSTER_PG_DB": database,
        "OKR_WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    dagster = DagsterHome(home, database, env)
    # Dagster's tables exist before any test process starts, as after a deployment's first start
    # (or `dagster instance migrate`): two processes creating them at once on an empty database
    # race on the same CREATE TYPE and one fails, which no production launch ever meets.
    dagster.instance().dispose()
    yield dagster


def _pg_rows(server: PostgresServer, database: str, sql: str, params: list) -> list[tuple]:
    con = server.connect(database)
    try:
        with con.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        con.close()


def _sessions(server: PostgresServer, database: str) -> int:
    """How many sessions the server has opened on `database` so far (this one included)."""
    return _pg_rows(
        server, "postgres", "SELECT sessions FROM pg_stat_database WHERE datname = %s", [database]
    )[0][0]


def _connected(server: PostgresServer, database: str) -> int:
    """How many connections to `database` are open now."""
    return _pg_rows(
        server, "postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [database]
    )[0][0]


def _probe_rows(warehouse: str) -> list[tuple]:
    con = duckdb.connect(warehouse, read_only=True)
    try:
        return con.execute(
            "SELECT run_id, started_at, finished_at FROM raw.probe_runs ORDER BY started_at"
        ).fetchall()
    finally:
        con.close()


def test_runs_and_events_are_stored_in_postgres_and_read_back(
    dagster_home: DagsterHome, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKR_PROBE_HOLD_SECONDS", "0")
    instance = dagster_home.instance()
    assert isinstance(instance.run_storage, PostgresRunStorage)
    assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
    assert isinstance(instance.schedule_storage, PostgresScheduleStorage)
    assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
    queue = instance.get_concurrency_config().run_queue_config
    assert queue.max_concurrent_runs == 1
    assert queue.tag_concurrency_limits == [
        {"key": WAREHOUSE_TAG, "value": {"applyLimitPerUniqueValue": True}, "limit": 1}
    ]

    result = warehouse_probe.execute_in_process(instance=instance)
    assert result.success
    run_id = result.run_id
    instance.dispose()

    # A second instance (another process in production: webserver, daemon) sees the run.
    fresh = dagster_home.instance()
    try:
        run = fresh.get_run_by_id(run_id)
        assert run is not None
        assert run.status == DagsterRunStatus.SUCCESS
        assert run.tags[WAREHOUSE_TAG] == "duckdb"
        records = fresh.get_run_records(RunsFilter(job_name="warehouse_probe"))
        assert [r.dagster_run.run_id for r in records] == [run_id]
    finally:
        fresh.dispose()

    # And the storage really is PostgreSQL, not a SQLite file under DAGSTER_HOME.
    run_rows = _pg_rows(
        postgres_server,
        dagster_home.database,
        "SELECT status, pipeline_name FROM runs WHERE run_id = %s",
        [run_id],
    )
    assert run_rows == [("SUCCESS", "warehouse_probe")]
    steps = _pg_rows(
        postgres_server,
        dagster_home.database,
        "SELECT count(*) FROM event_logs WHERE run_id = %s AND dagster_event_type = 'STEP_SUCCESS'",
        [run_id],
    )
    assert steps == [(1,)]
    assert list(dagster_home.path.rglob("*.db")) == []
    # The job really wrote the warehouse.
    assert [r[0] for r in _probe_rows(dagster_home.env["OKR_WAREHOUSE_PATH"])] == [run_id]


@pytest.mark.parametrize("storage", ["deploy", "plain postgres"])
def test_a_runs_instance_holds_its_connections_and_leaves_none_open(
    dagster_home: DagsterHome, postgres_server: PostgresServer, storage: str
) -> None:
    """`okr`'s instance keeps its connections with deploy/dagster.yaml's storage class and with a
    user's plain `storage: postgres:` (pipelines/dagster_runs.py, `_hold_connections`)."""
    from pipelines.dagster_runs import run_instance

    if storage == "plain postgres":

        def plain(config: dict) -> None:
            config["storage"] = {"postgres": config["storage"]["custom"]["config"]}

        dagster_home.edit_config(plain)
    before = _sessions(postgres_server, dagster_home.database)
    with run_instance() as instance:
        built = instance.get_ref().storage_data.class_name  # the storage dagster.yaml built
        assert built == ("PooledPostgresStorage" if storage == "deploy" else "DagsterPostgresStorage")
        opening = _sessions(postgres_server, dagster_home.database) - before
        for _ in range(50):  # as a run's event writes and reads do
            instance.get_run_records(RunsFilter(job_name="nightly_scoring"))
        assert _connected(postgres_server, dagster_home.database) >= 1
        during = _sessions(postgres_server, dagster_home.database) - before - opening
    del instance
    gc.collect()
    assert during <= 2, f"50 reads opened {during} connections"
    assert _connected(postgres_server, dagster_home.database) == 0, "the run's connections stayed open"


@pytest.mark.slow
def test_the_nightly_job_is_recorded_in_postgres(
    dagster_home: DagsterHome, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    workspace = tmp_path / "workspace"
    kr = {"id": "KR-1", "title": "Check-ins", "metric": "checkins", "measure": "sum", "target": 10,
          "start": dt.date(2026, 11, 1), "end": dt.date(2026, 11, 30)}  # fmt: skip
    objective = {"id": "OBJ-1", "title": "Deploy check", "owner": "Ops", "key_results": [kr]}
    make_workspace(workspace, {"2026-Q4.yml": {"cycle": "2026-Q4", "objectives": [objective]}},
                   [("KR-1", "2026-11-02", 2), ("KR-1", "2026-11-09", 3)])  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OKR_", "DAGSTER_"))}
    env.update(dagster_home.env)  # DAGSTER_HOME: `okr run` then records on that instance
    env.update({"OKR_WORKSPACE": str(workspace), "OKR_SCORECARD_DIR": str(tmp_path / "scorecard")})
    sessions_before = _sessions(postgres_server, dagster_home.database)
    done = subprocess.run(
        [str(BIN / "okr"), "run", "--as-of", "2026-11-10"],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-6000:]
    # The run keeps its connections (pipelines/dagster_runs.py, `_hold_connections`): with
    # Dagster's default of one per read or write, this night opened about 3,600.
    opened = _sessions(postgres_server, dagster_home.database) - sessions_before
    assert opened < 300, f"the run opened {opened} connections to Dagster's database"

    instance = dagster_home.instance()
    try:
        records = instance.get_run_records(RunsFilter(job_name="nightly_scoring"))
        assert len(records) == 1
        run = records[0].dagster_run
        assert run.status == DagsterRunStatus.SUCCESS
        assert run.tags["dagster/partition"] == "2026-11-10"
        assert WAREHOUSE_TAG in run.tags  # what the run queue limits on
    finally:
        instance.dispose()
    assert _pg_rows(
        postgres_server, dagster_home.database, "SELECT status FROM runs WHERE run_id = %s", [run.run_id]
    ) == [("SUCCESS",)]
    materialized = _pg_rows(
        postgres_server,
        dagster_home.database,
        "SELECT count(*) FROM event_logs WHERE run_id = %s AND dagster_event_type = 'ASSET_MATERIALIZATION'",
        [run.run_id],
    )
    assert materialized[0][0] > 0
    con = duckdb.connect(dagster_home.env["OKR_WAREHOUSE_PATH"], read_only=True)
    try:
        scores = con.execute(
            "SELECT kr_id, CAST(as_of AS VARCHAR), actual FROM analytics.kr_scores"
        ).fetchall()
    finally:
        con.close()
    assert scores == [("KR-1", "2026-11-10", 5.0)]

    # The next night as the schedule launches it (a run process started by Dagster, not
    # `okr run`): every step in the run's own process, one after the other. With Dagster's
    # default executor, a process per step, the two first steps opened the DuckDB warehouse at
    # once and one failed on its lock.
    sessions_before = _sessions(postgres_server, dagster_home.database)
    launched = subprocess.run(
        [str(BIN / "dagster"), "job", "execute", "-m", "pipelines.definitions", "-j", "nightly_scoring",
         "--tags", json.dumps({"dagster/partition": "2026-11-11"})],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert launched.returncode == 0, launched.stdout[-3000:] + launched.stderr[-6000:]
    # deploy/dagster.yaml's storage keeps the run process's connections too
    # (pipelines/pooled_postgres_storage.py).
    opened = _sessions(postgres_server, dagster_home.database) - sessions_before
    assert opened < 300, f"the launched run opened {opened} connections to Dagster's database"
    instance = dagster_home.instance()
    try:
        run = next(
            r.dagster_run
            for r in instance.get_run_records(RunsFilter(job_name="nightly_scoring"))
            if r.dagster_run.tags.get("dagster/partition") == "2026-11-11"
        )
        assert run.status == DagsterRunStatus.SUCCESS
        steps = instance.get_records_for_run(run.run_id, of_type=DagsterEventType.STEP_SUCCESS).records
        pids = {s.event_log_entry.dagster_event.pid for s in steps}
        assert len(steps) >= 5 and pids == {_run_pid(instance, run.run_id)}
    finally:
        instance.dispose()
    con = duckdb.connect(dagster_home.env["OKR_WAREHOUSE_PATH"], read_only=True)
    try:
        assert con.execute("SELECT CAST(as_of AS VARCHAR) FROM analytics.kr_scores").fetchall() == [
            ("2026-11-11",)
        ]
    finally:
        con.close()


def _run_pid(instance: DagsterInstance, run_id: str) -> int:
    start = instance.get_records_for_run(run_id, of_type=DagsterEventType.RUN_START).records
    return start[0].event_log_entry.dagster_event.pid


def _launch_together(home: DagsterHome, count: int) -> None:
    """Submit `count` runs of the probe job at once through the CLI (each lands in the queue)."""
    procs = [
        subprocess.Popen(
            [str(BIN / "dagster"), "job", "launch", "-f", str(PROBE_DEFS), "-j", "warehouse_probe"],
            cwd=REPO,
            env={**os.environ, **home.env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(count)
    ]
    for proc in procs:
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, out


@pytest.mark.slow
def test_the_queue_never_runs_two_warehouse_writers_at_once(
    dagster_home: DagsterHome, tmp_path: Path
) -> None:
    # The shipped limits, checked every second instead of every 5 (only how soon a queued run is
    # seen to be free to start: the second run would otherwise wait up to 5 s more).
    def every_second(config: dict) -> None:
        queue = config["run_coordinator"]["config"]
        assert queue["dequeue_interval_seconds"] == 5
        queue["dequeue_interval_seconds"] = 1

    dagster_home.edit_config(every_second)
    _launch_together(dagster_home, 2)
    instance = dagster_home.instance()
    try:
        queued = instance.get_run_records(RunsFilter(job_name="warehouse_probe"))
        assert [r.dagster_run.status for r in queued] == [DagsterRunStatus.QUEUED] * 2

        workspace = tmp_path / "workspace.yaml"
        location = {"python_file": {"relative_path": str(PROBE_DEFS), "working_directory": str(REPO)}}
        workspace.write_text(yaml.safe_dump({"load_from": [location]}), encoding="utf-8")
        log = (tmp_path / "daemon.log").open("w")
        daemon = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", "-w", str(workspace)],
            cwd=REPO,
            env={**os.environ, **dagster_home.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so we can stop it and its children
        )
        try:
            deadline = time.monotonic() + 600  # an upper bound for a broken system
            while time.monotonic() < deadline:
                records = instance.get_run_records(RunsFilter(job_name="warehouse_probe"))
                if all(r.dagster_run.is_finished for r in records):
                    break
                time.sleep(0.5)  # a cheap read of the instance: look often, the wait is the runs
        finally:
            os.killpg(daemon.pid, signal.SIGTERM)
            try:
                daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(daemon.pid, signal.SIGKILL)
                daemon.wait()
            log.close()
        daemon_log = (tmp_path / "daemon.log").read_text(encoding="utf-8", errors="replace")[-3000:]
        records = sorted(
            instance.get_run_records(RunsFilter(job_name="warehouse_probe")), key=lambda r: r.start_time or 0
        )
        assert [r.dagster_run.status for r in records] == [DagsterRunStatus.SUCCESS] * 2, daemon_log
        first, second = records
        assert second.start_time >= first.end_time, "the queue let two warehouse writers overlap"
    finally:
        instance.dispose()

    markers = _probe_rows(dagster_home.env["OKR_WAREHOUSE_PATH"])
    assert len(markers) == 2
    assert markers[1][1] >= markers[0][2]  # the second write began after the first had committed
