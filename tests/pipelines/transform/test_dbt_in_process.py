"""dbt inside the process (pipelines/transform/dbt_in_process.py): the exit codes dbt's CLI gives,
its error lines where dagster-dbt reads them, and the warehouse file free again after the run."""

from __future__ import annotations

import datetime as dt
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from connectors.raw_tables import ensure_raw_tables
from connectors.warehouse import DuckDBWarehouse
from pipelines.settings import DBT_PROJECT_DIR, Settings
from pipelines.transform import parsed_project
from pipelines.transform.dbt_in_process import InProcessDbt
from pipelines.transform.dbt_setup import DbtRunError, dbt_args, dbt_environment, run_dbt
from pipelines.transform.parsed_project import in_use, kept_manifest
from pipelines.transform.run_context import write_run_context
from tests.helpers import make_workspace

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = make_workspace(tmp_path_factory.mktemp("in_process"), {})
    warehouse = DuckDBWarehouse(settings.warehouse_path)
    ensure_raw_tables(warehouse)
    write_run_context(warehouse, dt.date(2026, 11, 26))
    return settings


def _run(settings: Settings, *args: str) -> tuple[int | None, list[dict]]:
    with dbt_environment(settings):
        dbt = InProcessDbt(dbt_args(settings, [*args, "--log-level", "none"]))
        events = [orjson.loads(line) for line in dbt.stdout]
        return dbt.wait(), events


def test_a_run_streams_its_events_and_exits_0(settings: Settings) -> None:
    code, events = _run(settings, "run", "--select", "int_scoring_days")
    assert code == 0
    names = [e["info"]["name"] for e in events]
    assert "LogStartLine" in names and "LogModelResult" in names and names[-1] == "StatsLine"
    assert all(e["info"]["level"] != "debug" for e in events)  # the CLI's stdout: info and above


def test_a_failing_node_exits_1_and_names_it(settings: Settings) -> None:
    code, events = _run(settings, "run", "--select", "kr_scores")  # its inputs were never built
    assert code == 1
    errors = [e["info"]["msg"] for e in events if e["info"]["level"] == "error"]
    assert any("kr_scores" in message for message in errors), errors


def test_a_usage_error_exits_2_with_one_error_line(settings: Settings) -> None:
    code, events = _run(settings, "run", "--no-such-option")
    assert code == 2
    errors = [e["info"]["msg"] for e in events if e["info"]["level"] == "error"]
    assert len(errors) == 1 and "no-such-option" in errors[0], errors


def test_the_json_log_holds_the_streamed_lines_with_secret_values_hidden(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A call that names its log folder gets dbt.log from the lines it streams (dbt's own file
    logger is off), and both hide a DBT_ENV_SECRET_ value as dbt's loggers do."""
    monkeypatch.setenv("DBT_ENV_SECRET_PROBE", "int_scoring_days")  # a value the events contain
    log_dir = settings.work_dir / "json-log"
    command = ["run", "--select", "int_scoring_days", "--log-level", "none"]
    call = dbt_args(settings, [*command, "--log-path", str(log_dir), "--log-format-file", "json"])
    with dbt_environment(settings):
        dbt = InProcessDbt(call)
        streamed = [orjson.loads(line) for line in dbt.stdout]
        assert dbt.wait() == 0
    assert dbt.args[-2:] == ["--log-level-file", "none"]
    log = (log_dir / "dbt.log").read_text(encoding="utf-8")
    logged = [orjson.loads(line) for line in log.splitlines()]
    assert logged == streamed
    assert "LogModelResult" in [e["info"]["name"] for e in logged]
    assert all(e["info"]["level"] != "debug" for e in logged)
    assert "int_scoring_days" not in log and "*****" in log


def test_run_dbt_raises_with_the_output_and_leaves_the_warehouse_free(settings: Settings) -> None:
    with pytest.raises(DbtRunError) as failed:
        run_dbt(settings, ["run", "--select", "kr_scores"])
    assert "kr_scores" in str(failed.value)
    run_dbt(settings, ["run", "--select", "int_scoring_days"])
    # dbt-duckdb keeps its database open in the process after a run unless it is closed: another
    # process could then not write to the file.
    other = subprocess.run(
        [sys.executable, "-c", f"import duckdb; duckdb.connect({str(settings.warehouse_path)!r}).close()"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert other.returncode == 0, other.stderr


def _project_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs"))
    return copy


def _run_in(settings: Settings, project: Path, *args: str) -> int | None:
    call = dbt_args(settings, [*args, "--log-level", "none"])
    call[call.index("--project-dir") + 1] = str(project)
    with dbt_environment(settings):
        dbt = InProcessDbt(call)
        for _ in dbt.stdout:
            pass
        return dbt.wait()


def test_the_parse_is_kept_for_the_next_call_until_a_file_changes(settings: Settings, tmp_path: Path) -> None:
    project = _project_copy(tmp_path)
    assert _run_in(settings, project, "run", "--select", "int_scoring_days") == 0
    first = kept_manifest()
    assert first is not None and "model.okr_scorer.int_scoring_days" in first.nodes
    node = first.nodes["model.okr_scorer.int_scoring_days"]
    node.compiled_code = None
    assert _run_in(settings, project, "run", "--select", "int_scoring_days") == 0
    assert kept_manifest() is first  # not parsed again
    assert node.compiled_code  # the run compiled into the kept manifest: it ran on it

    model = project / "models" / "intermediate" / "int_scoring_days.sql"
    model.write_text(model.read_text() + "\n-- changed after the first parse\n")
    assert _run_in(settings, project, "run", "--select", "int_scoring_days") == 0
    changed = kept_manifest()
    assert changed is not first
    assert "changed after the first parse" in changed.nodes["model.okr_scorer.int_scoring_days"].raw_code


def test_a_new_process_loads_the_saved_parse_until_a_file_changes(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project_copy(tmp_path)
    assert _run_in(settings, project, "run", "--select", "int_scoring_days") == 0
    parsed = kept_manifest()
    saved = settings.work_dir / "dbt-target-duckdb" / "okr-parsed-manifest.pickle"
    assert parsed is not None and saved.is_file()

    # A manifest whose lookups are built (a partial parse builds them) comes back whole: dbt's own
    # pickling put each lookup in the wrong field, and ref() failed on the loaded manifest.
    assert parsed.ref_lookup is not None
    parsed_project._save(tmp_path / "round-trip.pickle", "key", parsed)
    again = parsed_project._load_saved(tmp_path / "round-trip.pickle", "key")
    assert again.ref_lookup.find("int_scoring_days", None, None, again).name == "int_scoring_days"
    assert type(again.source_lookup).__name__ == "SourceLookup"  # not the ref lookup moved up a field

    def parse_again(args: list[str]) -> None:
        raise AssertionError(f"parsed again: {args}")

    real_parse = parsed_project._parse
    monkeypatch.setattr(parsed_project, "_parse", parse_again)
    parsed_project.forget_parsed_project()  # what a new process starts with
    assert _run_in(settings, project, "run", "--select", "int_scoring_days") == 0
    loaded = kept_manifest()
    assert loaded is not None and loaded is not parsed and loaded.nodes.keys() == parsed.nodes.keys()

    # a changed model file: the saved parse is another key's, so the project is parsed (and saved)
    monkeypatch.setattr(parsed_project, "_parse", real_parse)
    model = project / "models" / "intermediate" / "int_scoring_days.sql"
    model.write_text(model.read_text() + "\n-- changed after the parse was saved\n")
    parsed_project.forget_parsed_project()
    assert _run_in(settings, project, "run", "--select", "int_scoring_days") == 0
    node = kept_manifest().nodes["model.okr_scorer.int_scoring_days"]
    assert "changed after the parse was saved" in node.raw_code

    # a damaged file is not an error: the call parses
    saved.write_bytes(saved.read_bytes()[:1000])
    parsed_project.forget_parsed_project()
    assert _run_in(settings, project, "run", "--select", "int_scoring_days") == 0
    assert kept_manifest() is not None and saved.stat().st_size > 1000  # parsed and saved again


def test_a_project_with_an_ephemeral_model_parses_for_every_call(settings: Settings, tmp_path: Path) -> None:
    project = _project_copy(tmp_path)
    (project / "models" / "intermediate" / "int_scoring_days_inline.sql").write_text(
        "{{ config(materialized='ephemeral') }}\nselect 1 as one\n"
    )
    (project / "models" / "intermediate" / "int_reads_inline.sql").write_text(
        "select one from {{ ref('int_scoring_days_inline') }}\n"
    )
    for _ in range(2):  # the second compile must inject the CTE again
        assert _run_in(settings, project, "run", "--select", "int_reads_inline") == 0
        assert kept_manifest() is None


def test_an_interrupt_while_the_project_is_parsed_stops_the_call(settings: Settings, tmp_path: Path) -> None:
    project = _project_copy(tmp_path)
    call = dbt_args(settings, ["run", "--select", "int_scoring_days", "--log-level", "none"])
    call[call.index("--project-dir") + 1] = str(project)
    call[call.index("--target-path") + 1] = str(tmp_path / "target")  # no saved parse: seconds long
    with dbt_environment(settings):
        dbt = InProcessDbt(call)
        while not in_use():  # the call has started on the project
            time.sleep(0.005)
        time.sleep(0.2)
        assert dbt.poll() is None
        dbt.send_signal(signal.SIGINT)
        events = [orjson.loads(line) for line in dbt.stdout]
        assert dbt.wait() == 2
    assert not [e for e in events if e["info"]["name"] == "LogModelResult"]  # nothing ran
    assert [e for e in events if e["info"]["level"] == "error"]


def test_a_variable_the_project_read_while_parsing_is_parsed_again_when_it_changes(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project_copy(tmp_path)
    (project / "models" / "intermediate" / "int_env_named.sql").write_text(
        "{{ config(alias='env_named_' ~ env_var('MODEL_NAME_SUFFIX')) }}\nselect 1 as one\n"
    )
    relations = DuckDBWarehouse(settings.warehouse_path)
    for suffix in ("first", "second"):
        monkeypatch.setenv("MODEL_NAME_SUFFIX", suffix)  # an alias is decided when dbt parses
        assert _run_in(settings, project, "run", "--select", "int_env_named") == 0
        found = relations.query(
            "select count(*) as n from information_schema.tables where table_name = ?",
            [f"env_named_{suffix}"],
        )
        assert found["n"].iloc[0] == 1
