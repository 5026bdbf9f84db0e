"""`dagster dev` from the repo root finds the code location with no arguments, schedule on."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from pipelines.settings import REPO_ROOT

QUERY = """{ repositoriesOrError { ... on RepositoryConnection { nodes { location { name }
  schedules { name cronSchedule executionTimezone scheduleState { status } } jobs { name } } } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, payload: dict) -> dict:
    return requests.post(url, json=payload, timeout=30).json()


@pytest.mark.slow
def test_dagster_dev_loads_the_code_location(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "OKR_WAREHOUSE_PATH": str(tmp_path / "wh.duckdb")}
    dagster = str(Path(sys.executable).with_name("dagster"))
    # Its own process group: dagster dev ignores signals from a non-interactive parent otherwise.
    proc = subprocess.Popen(
        [dagster, "dev", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 600  # an upper bound for a broken system
        data = None
        while time.monotonic() < deadline:
            try:
                data = _post(f"http://127.0.0.1:{port}/graphql", {"query": QUERY})
                if data.get("data", {}).get("repositoriesOrError", {}).get("nodes"):
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)  # a refused connection or an empty answer is cheap: look often
        assert data is not None, "dagster dev did not answer within 600 s"
        repo = data["data"]["repositoriesOrError"]["nodes"][0]
        assert repo["location"]["name"] == "okr_scorer"
        assert {"nightly_scoring", "ingest_exports"} <= {j["name"] for j in repo["jobs"]}
        schedules = {s["name"]: s for s in repo["schedules"]}
        assert set(schedules) == {"nightly_scoring_schedule", "weekly_digest_schedule"}
        schedule = schedules["nightly_scoring_schedule"]
        assert schedule["cronSchedule"] == "0 2 * * *" and schedule["executionTimezone"] == "Europe/Helsinki"
        assert schedule["scheduleState"]["status"] == "RUNNING"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
