"""The project's DuckDB table and view materializations (dbt_project/macros/
okr_duckdb_materializations.sql): one `create or replace` per model instead of dbt's build-rename-
drop, with the same outcomes. Run on a small dbt project of their own that uses the project's
macro file, so each case is one model: a model that changes kind, a failed build that must leave
the old relation as it was, and models that ask for what only dbt's own materializations do."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.transform.dbt_in_process import InProcessDbt
from pipelines.transform.dbt_setup import DBT_PROJECT_DIR

pytestmark = pytest.mark.slow

MACROS = DBT_PROJECT_DIR / "macros" / "okr_duckdb_materializations.sql"

SCHEMA = """
models:
  - name: contracted
    config: {contract: {enforced: true}}
    columns: [{name: c, data_type: integer}]
  - name: documented
    description: a table whose description is kept in the database
    config: {persist_docs: {relation: true}}
  - name: headed
    config: {sql_header: "set variable answer = 42;"}
"""


def _project(root: Path, models: dict[str, str]) -> Path:
    (root / "macros").mkdir(parents=True, exist_ok=True)
    (root / "models").mkdir(exist_ok=True)
    shutil.copy(MACROS, root / "macros")
    (root / "dbt_project.yml").write_text("name: m\nversion: '1.0'\nconfig-version: 2\nprofile: m\n")
    (root / "profiles.yml").write_text(
        "m:\n  target: dev\n  outputs:\n"
        f"    dev: {{type: duckdb, path: '{root / 'w.duckdb'}', schema: main, threads: 1}}\n"
    )
    (root / "models" / "schema.yml").write_text(SCHEMA)
    for name, sql in models.items():
        (root / "models" / f"{name}.sql").write_text(sql)
    return root


def _run(root: Path, *select: str) -> int:
    args = ["run", "--project-dir", str(root), "--profiles-dir", str(root), "--log-level", "none"]
    dbt = InProcessDbt([*args, *(["--select", *select] if select else [])])
    list(dbt.stdout)
    return dbt.wait()


def _query(root: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(root / "w.duckdb"), read_only=True) as con:
        return con.sql(sql).fetchall()


def _kinds(root: Path) -> dict[str, str]:
    return dict(_query(root, "select table_name, table_type from information_schema.tables"))


def _built_by(root: Path, model: str) -> str:
    """What dbt ran for the model ('main' statement, as written to target/run)."""
    return (root / "target" / "run" / "m" / "models" / f"{model}.sql").read_text()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _project(
        tmp_path_factory.mktemp("materializations"),
        {
            "base": "{{ config(materialized='table') }} select 1 as x",
            "reader": "{{ config(materialized='view') }} select x + 1 as y from {{ ref('base') }}",
            "contracted": "{{ config(materialized='table') }} select 3 as c",
            "documented": "{{ config(materialized='table') }} select 2 as d",
            "headed": "{{ config(materialized='table') }} select getvariable('answer') as a",
        },
    )
    assert _run(root) == 0
    return root


def test_tables_and_views_are_one_create_or_replace(project: Path) -> None:
    assert _kinds(project)["base"] == "BASE TABLE" and _kinds(project)["reader"] == "VIEW"
    assert "create or replace table" in _built_by(project, "base")
    assert "create or replace view" in _built_by(project, "reader")
    assert _query(project, "select * from reader") == [(2,)]


def test_what_only_dbts_own_materialization_does_is_built_by_it(project: Path) -> None:
    for model in ("contracted", "documented", "headed"):
        assert "create or replace" not in _built_by(project, model), model
        assert "__dbt_tmp" in _built_by(project, model), model
    assert _query(project, "select comment from duckdb_tables() where table_name = 'documented'") == [
        ("a table whose description is kept in the database",)
    ]
    assert _query(
        project, "select data_type from information_schema.columns where table_name = 'contracted'"
    ) == [("INTEGER",)]
    assert _query(project, "select a from headed") == [(42,)]


def test_a_failed_build_leaves_the_old_relation_even_when_the_kind_changes(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "base": "{{ config(materialized='table') }} select 1 as x",
            "reader": "{{ config(materialized='view') }} select x + 1 as y from {{ ref('base') }}",
        },
    )
    assert _run(project) == 0
    base = project / "models" / "base.sql"
    # A build that fails while it runs (not when it is planned): the old table stays.
    base.write_text("{{ config(materialized='table') }} select 1 as x where error('the build fails')")
    assert _run(project, "base") == 1
    assert _kinds(project)["base"] == "BASE TABLE" and _query(project, "select * from base") == [(1,)]
    # A change of kind that fails: the old table, dropped in the same transaction, comes back.
    base.write_text("{{ config(materialized='view') }} select 1 as x, no_such_column")
    assert _run(project, "base") == 1
    assert "drop table" in _built_by(project, "base")
    assert _kinds(project)["base"] == "BASE TABLE" and _query(project, "select * from base") == [(1,)]

    base.write_text("{{ config(materialized='view') }} select 5 as x")
    assert _run(project, "base") == 0
    assert "drop table" in _built_by(project, "base") and "create or replace view" in _built_by(
        project, "base"
    )
    assert _kinds(project)["base"] == "VIEW" and _query(project, "select * from reader") == [(6,)]

    base.write_text("{{ config(materialized='table') }} select 7 as x")
    assert _run(project, "base") == 0
    assert _kinds(project)["base"] == "BASE TABLE" and _query(project, "select * from reader") == [(8,)]
