"""Adding a source as docs/contributing.md says, and nothing more: a throwaway API ("Formly",
signups with cursor paging) is added to a copy of this repository with only the documented
files, served by a fake API on loopback, enabled in a workspace next to a dead API, and a KR on
its new metric scores end to end through `okr run`."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.settings import REPO_ROOT
from tests.connectors.fake_http import FakeApi, Reply

TOKEN = "fm_live_0123456789abcdef"  # noqa: S105 - a fake token for the fake server

SOURCE_PY = """\
\"\"\"Formly (web-form signups) as a registered source.\"\"\"

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from connectors.registry import (
    ENV_NAME_PATTERN,
    ApiSourceConfig,
    Credential,
    Freshness,
    LoadRequest,
    RawTable,
    SourceDescriptor,
    Stream,
)

if TYPE_CHECKING:
    from connectors.load import LoadResult


class FormlySource(ApiSourceConfig):
    base_url: str = "https://api.formly.example"
    token_env: str = Field("FORMLY_TOKEN", pattern=ENV_NAME_PATTERN)


def _client(config: FormlySource, secrets: dict[str, str], **http_kw: Any) -> Any:
    from connectors.formly.client import make_client

    return make_client(config, secrets["token"], **http_kw)


def _load_signups(request: LoadRequest[FormlySource]) -> LoadResult:
    from connectors.formly.streams import load_signups

    return load_signups(request.warehouse, request.client, request.timezone)


SIGNUPS = RawTable(
    name="formly_signups",
    columns={"signup_id": "VARCHAR", "created_at": "TIMESTAMP", "campaign": "VARCHAR"},
    unique_key=("signup_id",),
    freshness=Freshness(column="created_at", max_lag_days=7),
)

SOURCE = SourceDescriptor(
    name="formly",
    title="Formly",
    config_model=FormlySource,
    credentials=(Credential("token", "token_env", description="an API token"),),
    make_client=_client,
    raw_tables=(SIGNUPS,),
    streams=(Stream("signups", SIGNUPS.name, "incremental", _load_signups),),
    staging_models=("stg_formly__signups",),
)
"""

CLIENT_PY = """\
\"\"\"Formly API: GET /v1/signups?since=&cursor=, cursor paging, bearer token.\"\"\"

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from connectors.http import HttpClient
from connectors.http.paging import Page, cursor_pages


class FormlyClient:
    def __init__(self, http: HttpClient, base_url: str, token: str) -> None:
        self.http = http
        self.url = f"{base_url}/v1/signups"
        self.headers = {"Authorization": f"Bearer {token}"}

    def signups(self, since: str | None) -> Iterator[dict[str, Any]]:
        def fetch(cursor: str | None) -> Page[dict[str, Any]]:
            params = {k: v for k, v in {"since": since, "cursor": cursor}.items() if v}
            page = self.http.request_object(
                "GET", self.url, endpoint="list signups", params=params, headers=self.headers
            )
            return Page(page.get("items") or [], next=page.get("next_cursor"))

        return cursor_pages(fetch, what="formly: list signups")


def make_client(config: Any, token: str, **http_kw: Any) -> FormlyClient:
    http = HttpClient(
        "formly", secrets=[token], token_env=config.token_env, **{**config.http.client_kwargs(), **http_kw}
    )
    return FormlyClient(http, config.base_url, token)
"""

STREAMS_PY = """\
\"\"\"Formly stream `signups` -> raw.formly_signups, upserted by id.\"\"\"

from __future__ import annotations

from connectors.formly.client import FormlyClient
from connectors.load import LoadResult, parse_api_timestamp, upsert_records, utc_to_local
from connectors.warehouse import Warehouse

STATE_KEY = "formly.signups.high_water"


def load_signups(warehouse: Warehouse, client: FormlyClient, timezone: str) -> LoadResult:
    mark = warehouse.get_state(STATE_KEY)
    before = client.http.requests_sent
    fetched = list(client.signups(mark))
    records = [
        {
            "signup_id": str(s["id"]),
            "created_at": utc_to_local(parse_api_timestamp(s["created"]), timezone),
            "campaign": s.get("utm_campaign") or "(none)",
        }
        for s in fetched
    ]
    new_mark = max((s["created"] for s in fetched), default=mark)
    result = upsert_records(
        warehouse,
        "formly_signups",
        records,
        key=["signup_id"],
        version_column="created_at",
        source="formly",
        stream="signups",
        state_key=STATE_KEY,
        state_value=new_mark,
    )
    result.requests = client.http.requests_sent - before
    return result
"""

FILES = {
    "connectors/formly/__init__.py": '"""Formly connector (see README.md)."""\n',
    "connectors/formly/source.py": SOURCE_PY,
    "connectors/formly/client.py": CLIENT_PY,
    "connectors/formly/streams.py": STREAMS_PY,
    "connectors/formly/README.md": "# Formly\n\n`GET /v1/signups?since=<ISO>&cursor=..`, bearer token "
    "(`FORMLY_TOKEN`), `next_cursor` null on the last page, 429 with Retry-After.\n",
    "dbt_project/models/staging/formly/_formly__sources.yml": """\
version: 2

sources:
  - name: formly
    description: Formly signups, loaded by connectors/formly.
    schema: raw
    tables:
      - name: formly_signups
        description: One row per signup id.
        meta:
          dagster:
            asset_key: ["raw", "formly_signups"]

models:
  - name: stg_formly__signups
    description: Formly signups, renamed and typed.
    meta:
      okr_freshness_column: created_at
      okr_max_lag_days: 7
    columns:
      - name: signup_id
        description: Formly signup id.
        data_tests: [not_null, unique]
      - name: created_at
        description: When the form was sent (local time of the workspace zone).
        data_tests: [not_null]
      - name: campaign
        description: UTM campaign of the visit.
""",
    "dbt_project/models/staging/formly/stg_formly__signups.sql": """\
-- Formly signups.
select
    cast(signup_id as {{ dbt.type_string() }}) as signup_id,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast(campaign as {{ dbt.type_string() }}) as campaign
from {{ source('formly', 'formly_signups') }}
""",
    "dbt_project/models/metrics/formly_signups.sql": """\
-- Formly signups per day by campaign.
select
    cast(created_at as date) as metric_date,
    campaign,
    cast(count(*) as double precision) as value
from {{ ref('stg_formly__signups') }}
group by cast(created_at as date), campaign
""",
}
METRICS_ENTRY = """\
- name: formly_signups
  description: Formly signups per day.
  data_tests:
  - okr_metric_columns_documented:
      config:
        severity: error
  columns:
  - name: metric_date
    description: The day the value belongs to.
    data_tests:
    - not_null
  - name: value
    description: The day's value.
    data_tests:
    - not_null
  - name: campaign
    description: UTM campaign.
"""
OKRS = """\
cycle: 2026-Q4
objectives:
  - id: FORM-O1
    title: Turn visits into signups
    owner: Head of Growth
    team: growth
    key_results:
      - id: FORM-1.1
        title: 200 signups from the spring campaign
        metric: formly_signups
        filter: {campaign: spring}
        target: 200
        unit: signups
"""


def _copy_repo(dest: Path) -> Path:
    """The repository's tracked (and new, unignored) files, as a git repository of its own."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for name in files:
        src = REPO_ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=dest, check=True)
    return dest


def _signups_api(api: FakeApi) -> list[dict]:
    start = dt.datetime(2026, 10, 1, 8, tzinfo=dt.UTC)
    signups = [
        {
            "id": i,
            "created": (start + dt.timedelta(hours=12 * i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "utm_campaign": "spring" if i % 3 else "brand",
        }
        for i in range(110)  # two a day from 1 October to 24 November
    ]

    @api.route("GET", "/v1/signups")
    def list_signups(req):
        if req.headers.get("authorization") != f"Bearer {TOKEN}":
            return Reply(401, {"error": "invalid token"})
        since = req.query.get("since", [""])[0]
        hits = [s for s in signups if s["created"] > since]
        at = int(req.query.get("cursor", ["0"])[0])
        nxt = str(at + 25) if at + 25 < len(hits) else None
        return Reply(200, {"items": hits[at : at + 25], "next_cursor": nxt})

    api.fail_next(Reply(429, {"error": "slow down"}, headers={"Retry-After": "1"}))
    return signups


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.integration
def test_a_throwaway_source_added_by_the_documented_files_scores_a_kr(tmp_path: Path) -> None:
    repo = _copy_repo(tmp_path / "repo")
    for name, text in FILES.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    with (repo / "dbt_project/models/metrics/_metrics.yml").open("a", encoding="utf-8") as f:
        f.write(METRICS_ENTRY)
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    changed = {line[3:] for line in status}
    assert changed == {*FILES, "dbt_project/models/metrics/_metrics.yml"}  # nothing else

    api = FakeApi().start()
    try:
        signups = _signups_api(api)
        ws = tmp_path / "ws"
        (ws / "okrs").mkdir(parents=True)
        (ws / "okrs" / "2026-Q4.yml").write_text(OKRS, encoding="utf-8")
        (ws / "settings.yml").write_text("warehouse: data/warehouse.duckdb\nscorecard_dir: build/scorecard\n")
        fast = "http: {max_attempts: 2, backoff_base_s: 0.01, backoff_max_s: 0.02}"
        (ws / "sources.yml").write_text(
            f"formly: {{enabled: true, base_url: '{api.base_url}', token_env: OKR_TEST_FORMLY}}\n"
            # a dead API next to it: recorded as failed, the night goes on
            f"pipedrive: {{enabled: true, base_url: 'http://127.0.0.1:{_dead_port()}',"
            f" token_env: OKR_TEST_PIPEDRIVE, {fast}}}\n"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("OKR_")}
        env.update(
            OKR_WORKSPACE=str(ws),
            OKR_TEST_FORMLY=TOKEN,
            OKR_TEST_PIPEDRIVE="pd-0000000000",
            PYTHONPATH=str(repo),
        )
        run = subprocess.run(
            [sys.executable, "-m", "pipelines.cli", "run", "--as-of", "2026-11-26"],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    finally:
        api.stop()
    # The exit code for a failed source is the CLI's policy (0 or 1); the scorecard is published.
    assert run.returncode in (0, 1), run.stdout[-3000:] + run.stderr[-3000:]
    assert TOKEN not in run.stdout + run.stderr
    card = json.loads((ws / "build" / "scorecard" / "scorecard.json").read_text())
    [kr] = [k for k in card["key_results"] if k["id"] == "FORM-1.1"]
    spring = sum(1 for s in signups if s["utm_campaign"] == "spring")
    assert kr["actual"] == spring, kr
    con = duckdb.connect(str(ws / "data" / "warehouse.duckdb"), read_only=True)
    try:
        loads = con.sql(
            "select source, raw_table, status, error from raw.source_load_status order by 1"
        ).fetchall()
        assert con.sql("select count(*) from raw.formly_signups").fetchall() == [(len(signups),)]
    finally:
        con.close()
    assert [row[:3] for row in loads] == [
        ("formly", "formly_signups", "ok"),
        ("pipedrive", "pipedrive_deals", "failed"),
    ]
    assert "the connection was refused" in loads[1][3] and "pd-0000000000" not in loads[1][3]
