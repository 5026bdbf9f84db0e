"""The same demo, scored on DuckDB and on a real PostgreSQL server, gives the same scores.

Both engines go through the whole product path: `okr run --as-of D --target T` loads the demo
exports through the storage layer, builds every dbt model (staging, metrics, scoring, history)
and publishes the scorecard; then `okr backfill` rescores a range of earlier days in one run (the
date spine of the history models, out of order after the newer night). Afterwards
`analytics.kr_scores` (the newest day of the backfill) and `analytics.kr_score_history` (every
scored day) of each engine are read back, and every KR's actual, progress, score, expected
progress, status and reasons must agree on every day (numbers to 1e-9).
The night is the shared demo night's (tests/conftest.py): on DuckDB that night is the test run's
one cold `okr run --as-of 2026-11-26` on the demo, copied, so only PostgreSQL runs it here.
Running the project on the real server is also the CI check that no model uses DuckDB-only SQL
outside a dispatch macro: such a model fails to build here.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from scripts.check_portability import check_project
from tests.conftest import DEMO_NIGHT, DemoNight
from tests.helpers import copy_demo_workspace
from tests.postgres_server import PostgresServer, postgres_server  # noqa: F401  (session fixture)

REPO = Path(__file__).resolve().parents[2]
OKR = Path(sys.executable).with_name("okr")
# After the shared demo night (already scored on DuckDB): the second half of Q3 in one backfill, a
# cycle that the night's KRs do not belong to, up to its last day.
BACKFILL = ("2026-08-15", "2026-09-30")
COMPARED = ["actual", "progress", "score", "expected_progress"]
TOLERANCE = 1e-9
TEXTS = ["as_of", "status", "status_reason", "data_through", "reason_code", "reason_params"]
_COLUMNS = (
    "kr_id, CAST(as_of AS VARCHAR) AS as_of, actual, progress, score, expected_progress, status, "
    "status_reason, CAST(data_through AS VARCHAR) AS data_through, reason_code, reason_params"
)
SCORE_SQL = f"SELECT {_COLUMNS} FROM analytics.kr_scores ORDER BY kr_id"
HISTORY_SQL = f"SELECT {_COLUMNS} FROM analytics.kr_score_history ORDER BY as_of, kr_id"


class Engine:
    def __init__(
        self, target: str, workspace: Path, work: Path | None, extra_env: dict[str, str], done: str = ""
    ) -> None:
        self.target = target
        self.workspace = workspace
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OKR_", "DAGSTER_"))}
        self.env = {**env, **extra_env, "OKR_WORKSPACE": str(workspace)}
        # The DuckDB file; for postgres only dbt's scratch dir. Without `work`, the workspace's own.
        self.warehouse = workspace / "data" / "warehouse.duckdb"
        if work is not None:
            self.warehouse = work / "warehouse.duckdb"
            self.env["OKR_WAREHOUSE_PATH"] = str(self.warehouse)
            self.env["OKR_SCORECARD_DIR"] = str(work / "scorecard")
        self.done = done  # a date this workspace was already scored at, as its latest run

    def run(self, as_of: str) -> None:
        if as_of != self.done:
            self._okr("run", "--as-of", as_of)

    def backfill(self, start: str, end: str) -> None:
        self._okr("backfill", "--from", start, "--to", end)

    def _okr(self, *args: str) -> None:
        done = subprocess.run(
            [str(OKR), *args, "--target", self.target],
            cwd=self.workspace,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert done.returncode == 0, (
            f"okr {' '.join(args)} --target {self.target} failed ({done.returncode}):\n"
            f"{done.stdout[-4000:]}\n{done.stderr[-8000:]}"
        )


def _duckdb_frame(path: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def _postgres_frame(server: PostgresServer, database: str, sql: str) -> pd.DataFrame:
    con = server.connect(database)
    try:
        with con.cursor() as cur:
            cur.execute(sql)
            return pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description])
    finally:
        con.close()


def _number(v: object) -> float | None:
    if v is None or v is pd.NA:
        return None
    f = float(v)  # Decimal from NUMERIC, numpy floats
    return None if math.isnan(f) else f


def _differences(duck: pd.DataFrame, pg: pd.DataFrame, numbers: list[str], texts: list[str]) -> list[str]:
    """Every value that differs, as 'kr_id column: duckdb=.. postgres=..' lines."""
    problems = []
    duck_ids, pg_ids = list(duck["kr_id"]), list(pg["kr_id"])
    if duck_ids != pg_ids:
        problems.append(f"different KRs: only duckdb {sorted(set(duck_ids) - set(pg_ids))}, "
                        f"only postgres {sorted(set(pg_ids) - set(duck_ids))}")  # fmt: skip
        return problems
    for (_, d), (_, p) in zip(duck.iterrows(), pg.iterrows(), strict=True):
        key = " ".join(str(d[k]) for k in ("as_of", "kr_id") if k in d.index)
        for col in numbers:
            a, b = _number(d[col]), _number(p[col])
            if (a is None) != (b is None) or (
                a is not None and not math.isclose(a, b, rel_tol=0, abs_tol=TOLERANCE)
            ):
                problems.append(f"{key} {col}: duckdb={a!r} postgres={b!r}")
        for col in texts:
            a, b = d[col], p[col]
            # iterrows() turns a null into NaN on either side when the row has float columns.
            a = None if a is None or (isinstance(a, float) and math.isnan(a)) else str(a)
            b = None if b is None or (isinstance(b, float) and math.isnan(b)) else str(b)
            if a != b:
                problems.append(f"{key} {col}: duckdb={a!r} postgres={b!r}")
    return problems


@pytest.fixture(scope="module")
def engines(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest, demo_night: DemoNight
) -> dict:
    if not OKR.exists():
        pytest.fail(f"{OKR} is missing: install the project (make install) so the `okr` command exists")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    base = tmp_path_factory.mktemp("parity")
    database = server.create_database("okr_parity")
    duck = demo_night.copy_to(base / "ws_duckdb")  # scored on DuckDB at DEMO_NIGHT, its latest run
    return {
        "duckdb": Engine("duckdb", duck, None, {}, done=DEMO_NIGHT),
        "postgres": Engine(
            "postgres", copy_demo_workspace(base / "ws_postgres"), base / "postgres", server.env(database)
        ),
        "server": server,
        "database": database,
    }


@pytest.mark.integration
@pytest.mark.slow
# Three okr runs (a night on PostgreSQL, a backfill on each engine): minutes on a busy 2-core
# machine, more than the default 900 s.
@pytest.mark.timeout(2700)
def test_every_kr_scores_the_same_on_duckdb_and_postgres(engines: dict) -> None:
    server: PostgresServer = engines["server"]
    duck, pg = engines["duckdb"], engines["postgres"]
    duck.run(DEMO_NIGHT)
    d_night = _duckdb_frame(duck.warehouse, SCORE_SQL)
    assert len(d_night) > 0 and set(d_night["as_of"]) == {DEMO_NIGHT}, "no KR scored on DuckDB that night"
    # The engines share nothing (their own workspace, warehouse and scratch folders): DuckDB's
    # backfill runs while PostgreSQL scores its night and then its backfill.
    with ThreadPoolExecutor(max_workers=1) as other:
        duck_backfill = other.submit(duck.backfill, *BACKFILL)
        pg.run(DEMO_NIGHT)
        p_night = _postgres_frame(server, engines["database"], SCORE_SQL)
        pg.backfill(*BACKFILL)
        duck_backfill.result()
    night = _differences(d_night, p_night, COMPARED, TEXTS)
    d_scores = _duckdb_frame(duck.warehouse, SCORE_SQL)
    p_scores = _postgres_frame(server, engines["database"], SCORE_SQL)
    assert len(d_scores) > 0, "no KR scored on DuckDB"
    assert set(d_scores["as_of"]) == {BACKFILL[1]}, "kr_scores holds the newest day of the backfill"

    # The history tables (incremental on both engines) hold the same rows for every scored day.
    d_hist = _duckdb_frame(duck.warehouse, HISTORY_SQL)
    p_hist = _postgres_frame(server, engines["database"], HISTORY_SQL)
    first, last = (dt.date.fromisoformat(d) for d in BACKFILL)
    days = [str(first + dt.timedelta(days=i)) for i in range((last - first).days + 1)]
    assert sorted(set(d_hist["as_of"])) == [*days, DEMO_NIGHT]
    problems = night + _differences(d_scores, p_scores, COMPARED, TEXTS)
    problems += _differences(d_hist, p_hist, COMPARED, TEXTS)
    assert not problems, "DuckDB and PostgreSQL disagree:\n" + "\n".join(problems[:60])


def test_the_dbt_project_has_no_duckdb_only_sql_outside_dispatch_macros() -> None:
    findings = check_project(REPO / "dbt_project")
    assert not findings, "\n".join(str(f) for f in findings)


def test_the_portability_check_finds_duckdb_sql_but_not_jinja_comments_literals_or_adapter_macros(
    tmp_path: Path,
) -> None:
    project = tmp_path / "dbt_project"
    (project / "models").mkdir(parents=True)
    (project / "macros" / "cross_db").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: x\n", encoding="utf-8")
    (project / "models" / "m.sql").write_text(
        "{# strftime(x) in a Jinja comment #}\n"
        "{% for i in range(3) %}{% endfor %}\n"
        "select\n"
        "    strftime(d, '%Y') as y,  -- median( in a SQL comment\n"
        "    'median(' as text_literal,\n"
        "    cast(x as double) as v,\n"
        "    cast(x as double precision) as fine,\n"
        "    {{ dbt.datediff('a', 'b', 'day') }} as dd,\n"
        "    d + interval 1 day as next_day\n"
        "from t\n"
        "qualify row_number() over (partition by a order by b) = 1\n",
        encoding="utf-8",
    )
    (project / "macros" / "cross_db" / "okr_fmt.sql").write_text(
        "{% macro okr_fmt(d) %}{{ return(adapter.dispatch('okr_fmt', 'okr_scorer')(d)) }}{% endmacro %}\n"
        "{% macro duckdb__okr_fmt(d) %}strftime({{ d }}, '%Y-%m'){% endmacro %}\n"
        "{% macro postgres__okr_fmt(d) %}to_char({{ d }}, 'YYYY-MM'){% endmacro %}\n"
        "{% macro default__okr_fmt(d) %}\nmedian(x){% endmacro %}\n",
        encoding="utf-8",
    )
    found = [(f.path.name, f.line, f.what) for f in check_project(project)]
    assert found == [
        ("m.sql", 4, "DuckDB-only function strftime()"),
        ("m.sql", 6, "type DOUBLE"),
        ("m.sql", 9, "unquoted INTERVAL"),
        ("m.sql", 11, "QUALIFY"),
        ("okr_fmt.sql", 5, "DuckDB-only function median()"),
    ]
