"""Fixtures shared by the whole suite."""

from __future__ import annotations

import atexit
import importlib.metadata
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fault_report import FaultReport
from tests.helpers import (
    across_workers,
    copy_demo_workspace,
    okr,
    rekey_dbt_parse,
    share_dbt_parse_in,
    share_test_run_dir,
)

# The environment sets PYTHONDONTWRITEBYTECODE=1, and pytest then keeps none of its assertion
# rewrites: every run, in every worker, parsed and rewrote all test modules again (3 s of each
# worker's 5 s collection). Our own bytecode is compiled at install (Makefile); this keeps the
# rewritten test modules in tests/**/__pycache__ (ignored by git).
sys.dont_write_bytecode = False

DEMO_NIGHT = "2026-11-26"  # the as-of date of the shared `demo_night`


def _exit_without_teardown() -> None:
    """An xdist worker's last step: the other exit handlers run as usual (in their order), then
    the process ends without Python's interpreter teardown."""
    atexit.unregister(_exit_without_teardown)
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    # The teardown frees every object of the worker's heap (dbt, Dagster, GX, pandas) one by one:
    # 3-4 s after the worker's last test, and the test run waits for it. A worker's outcome has
    # reached the controller by then (xdist reads the reports and exit status it sent, not the
    # process's exit code), so ending at once loses nothing; a run without xdist exits normally.
    if os.environ.get("PYTEST_XDIST_WORKER"):
        atexit.register(_exit_without_teardown)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[pytest.TestReport]:
    report = yield
    setattr(item, f"okr_report_{report.when}", report)  # read by fixtures at teardown
    return report


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A test that reports a fault row is a fault test: `pytest -m fault` (make reliability) finds it.
    for item in items:
        if "fault_report" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.fault)
    # Slow end-to-end and integration tests first, the heaviest modules longest first (stable
    # otherwise): the two workers take modules in this order (make test: --dist loadscope
    # --no-loadscope-reorder), so the long runs start early and the many short tests fill the gaps,
    # instead of one long module running alone at the end while the other worker idles.
    items.sort(key=_start_order)


# Modules that take minutes (`--durations`, 2026-12-03, 17:00), longest first. The second needs the shared
# demo night, so one worker builds it while the other runs the first (it is not waited for at the
# end). The quick modules at the end (real dbt runs) start first among the quick tests, so that
# `make test-quick` too ends on short tests. Re-measure when one of them changes a lot; a module
# missing here is only scheduled later.
HEAVIEST_FIRST = (
    "tests/pipelines/ingest/test_history_pull.py",
    "tests/pipelines/test_okr_cli.py",
    "tests/pipelines/reporting/test_scorecard_site_browser.py",
    "tests/dbt/test_postgres_parity.py",
    "tests/pipelines/test_night_results_stable.py",
    "tests/pipelines/deploy/test_production_instance.py",
    "tests/pipelines/ingest/test_ad_and_salesforce_sources_end_to_end.py",
    "tests/pipelines/test_forecast_commands.py",
    "tests/pipelines/test_run_faults.py",
    "tests/pipelines/ingest/test_add_a_source.py",
    "tests/pipelines/test_nights_in_one_process.py",
    "tests/pipelines/test_load_faults.py",
    "tests/demo/test_demo_seasonal_pace.py",
    "tests/pipelines/transform/test_unchanged_tests.py",
    # quick ones: the dbt modules alternate with others. xdist gives each worker two modules to
    # start with (the 1st and 3rd, the 2nd and 4th), and the first dbt module of a run waits for
    # the run's dbt parse (without pytest's cache) and its prepared views (tests/helpers.py): one
    # worker builds them while the other runs modules that need neither.
    "tests/dbt/test_history_and_freshness.py",
    "tests/connectors/exports/test_export_bulk_write.py",
    "tests/dbt/test_pace.py",
    "tests/connectors/registry/test_error_shapes.py",
    "tests/dbt/test_scoring_rules.py",
    "tests/pipelines/quality/test_runner.py",
    "tests/dbt/test_dbt_unit_tests.py",
    "tests/connectors/exports/test_export_loader.py",
    "tests/dbt/test_checkin_overrides.py",
    "tests/connectors/exports/test_export_samples.py",
    "tests/dbt/test_forecast_interval.py",
)


def _start_order(item: pytest.Item) -> tuple[bool, int]:
    module = item.nodeid.split("::", 1)[0]
    rank = HEAVIEST_FIRST.index(module) if module in HEAVIEST_FIRST else len(HEAVIEST_FIRST)
    heavy = item.get_closest_marker("slow") or item.get_closest_marker("integration")
    return heavy is None, rank


@pytest.fixture
def fault_report(request: pytest.FixtureRequest) -> Iterator[FaultReport]:
    """Record what a fault test proved, as rows of the fault table in docs/reliability.md.

    Call it once per fault the test injects, after the assertions that prove the row:

        def test_two_runs_at_once(fault_report, ...):
            second = okr(ws, "run")
            assert second.returncode == 2 and "PID" in second.stderr
            fault_report(
                area="Runs",                                  # groups the table
                fault="a second `okr run` while one is running",
                sees=second.stderr.strip(),                   # quote what the user really saw
                kept="the first run goes on; nothing is touched",
                exit_code=second.returncode,                  # optional
            )

    The rows are saved (build/fault-report/<test>.json) only when the test passes, so the table
    shows only what was just proven. Using this fixture marks the test `fault`; `make reliability`
    runs `pytest -m fault` and renders the table with scripts/reliability_report.py.
    """
    report = FaultReport(request.node.nodeid)
    yield report
    outcome = getattr(request.node, "okr_report_call", None)
    if outcome is not None and outcome.passed:
        report.save()


def _shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder shared by every pytest-xdist worker of this test run (the run's own tmp root)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session", autouse=True)
def _one_dbt_parse(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Workspaces made by tests.helpers.make_workspace start from one dbt parse, kept in pytest's
    cache folder between test runs (about 9 s of one worker, and the other's wait for it, at the
    start of every run): it is parsed again only when a dbt file changed, and kept apart per dbt
    and dbt-duckdb version. Without pytest's cache (`-p no:cacheprovider`), one parse per run."""
    share_test_run_dir(_shared_dir(tmp_path_factory))  # tests.helpers.prepare_views
    cache = getattr(request.config, "cache", None)
    if cache is None:
        share_dbt_parse_in(_shared_dir(tmp_path_factory))
        return
    versions = "-".join(importlib.metadata.version(p) for p in ("dbt-core", "dbt-duckdb"))
    share_dbt_parse_in(cache.mkdir(f"okr-dbt-parse-{versions}"))


@dataclass(frozen=True)
class DemoNight:
    """The demo workspace after a real `okr run --as-of 2026-11-26` (scored and published)."""

    workspace: Path
    stdout: str  # of that run
    stderr: str

    def copy_to(self, dest: Path) -> Path:
        """A private copy to change at will (the shared one must stay as it is)."""
        shutil.copytree(self.workspace, dest, ignore=shutil.ignore_patterns("logs", "run.lock", "ready.json"))
        rekey_dbt_parse(self.workspace, dest)  # its first dbt call parses partially, as the original's
        return dest


@pytest.fixture(scope="session")
def demo_night(tmp_path_factory: pytest.TempPathFactory) -> DemoNight:
    """One scored and published demo night for the whole test run, shared by pytest-xdist workers
    (the first worker to need it makes it, under a file lock; the others wait and reuse it).
    Tests must not change it: take `demo_night.copy_to(tmp_path / "ws")`."""
    return _shared_night(tmp_path_factory, "demo-night", copy_demo_workspace)


@pytest.fixture(scope="session")
def warm_demo_night(demo_night: DemoNight, tmp_path_factory: pytest.TempPathFactory) -> DemoNight:
    """The shared demo night run again, unchanged (`okr run --as-of 2026-11-26` on a copy of it):
    the warm night, made once per test run like `demo_night` and read by the tests of what a warm
    night reuses and publishes (tests/pipelines/test_night_results_stable.py,
    tests/pipelines/transform/test_unchanged_tests.py). Tests must not change it either."""
    return _shared_night(tmp_path_factory, "warm-demo-night", demo_night.copy_to)


def _shared_night(
    tmp_path_factory: pytest.TempPathFactory, name: str, make_workspace: Callable[[Path], Path]
) -> DemoNight:
    """`okr run --as-of DEMO_NIGHT` on the workspace `make_workspace` makes, once per test run."""
    shared = _shared_dir(tmp_path_factory)
    workspace, ready = shared / name, shared / name / "ready.json"
    with across_workers(shared / f"{name}.lock"):
        if not ready.exists():
            shutil.rmtree(workspace, ignore_errors=True)
            make_workspace(workspace)
            run = okr(workspace, "run", "--as-of", DEMO_NIGHT)
            assert run.returncode == 0, f"the shared {name} failed:\n{run.stderr[-3000:]}"
            ready.write_text(json.dumps({"stdout": run.stdout, "stderr": run.stderr}))
    record = json.loads(ready.read_text())
    return DemoNight(workspace, record["stdout"], record["stderr"])
