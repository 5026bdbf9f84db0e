"""The ingest Dagster definitions on a temporary workspace: only enabled sources get assets;
real materializations of the export folder, a partitioned analytics stream and a CRM stream
against local servers; the export-folder sensor; no secret in the event log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import pytest

from pipelines.ingest import build_ingest, ingest_assets, ingest_jobs, ingest_resources, ingest_sensors
from pipelines.settings import load_settings
from tests.connectors.fake_http import FakeApi, Reply

TOKEN = "0123456789abcdef0123456789abcdef"  # noqa: S105 - a fake token for the fake server
HS_TOKEN = "pat-eu1-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"  # noqa: S105 - a fake token for the fake server
ADS = "Day;Platform;Campaign;Impressions;Clicks;Cost (EUR)\n15.1.2026;Google Ads;spring;12 345;210;1 234,50\n"


@pytest.fixture
def fake_api():
    api = FakeApi().start()
    yield api
    api.stop()


def workspace(tmp_path: Path, sources: str) -> Path:
    (tmp_path / "settings.yml").write_text(f"warehouse: {tmp_path / 'wh.duckdb'}\n")
    (tmp_path / "sources.yml").write_text(sources)
    (tmp_path / "drops").mkdir()
    return tmp_path


def test_module_level_exports_follow_the_repo_sources() -> None:
    keys = {k.to_user_string() for a in ingest_assets for k in a.keys}
    assert {"raw/ad_spend", "raw/ga4_daily_report", "raw/hubspot_contacts", "raw/export_files"} <= keys
    assert [j.name for j in ingest_jobs] == ["ingest_exports"]
    assert [s.name for s in ingest_sensors] == ["export_folder_sensor"]
    assert set(ingest_resources) == {"ingest_workspace"}  # the demo needs no credentials
    dg.Definitions(assets=ingest_assets, jobs=ingest_jobs, sensors=ingest_sensors, resources=ingest_resources)


@pytest.mark.slow
def test_exports_asset_and_sensor(tmp_path: Path) -> None:
    root = workspace(tmp_path, "exports: {enabled: true, folder: drops}\n")
    defs = build_ingest(load_settings(root))
    assert [s for s in ("hubspot_api", "matomo_api") if s in defs.resources] == []
    sensor = defs.sensors[0]
    with dg.build_sensor_context(resources=defs.resources) as ctx:
        assert isinstance(sensor(ctx), dg.SkipReason)  # nothing dropped yet
    (root / "drops" / "ads.csv").write_bytes(ADS.encode("cp1252"))
    (root / "drops" / "junk.csv").write_bytes(b"\x00\x01junk")
    with dg.build_sensor_context(resources=defs.resources) as ctx:
        request = sensor(ctx)
        cursor = ctx.cursor
    assert isinstance(request, dg.RunRequest) and request.run_key.startswith("exports-")
    with dg.build_sensor_context(cursor=cursor, resources=defs.resources) as ctx:
        assert isinstance(sensor(ctx), dg.SkipReason)  # the same files again: no new run
    result = dg.materialize(defs.assets, resources=defs.resources, selection=dg.AssetSelection.all())
    assert result.success
    mats = {
        e.asset_key.to_user_string(): e.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    assert mats["raw/ad_spend"]["rows_loaded"].value == 1
    assert mats["raw/export_files"]["files_rejected"].value == 1
    assert "junk.csv: binary content" in mats["raw/export_files"]["rejected"].value
    import duckdb

    con = duckdb.connect(str(root / "wh.duckdb"), read_only=True)
    assert con.sql("select cost from raw.ad_spend").fetchall() == [(1234.5,)]
    # every known raw table exists for dbt, even of sources that never loaded
    tables = {
        r[0]
        for r in con.sql(
            "select table_name from information_schema.tables where table_schema='raw'"
        ).fetchall()
    }
    con.close()
    assert {"matomo_daily_report", "plausible_daily_report", "pipedrive_deals"} <= tables


@pytest.mark.slow
def test_partitioned_and_crm_assets_against_local_apis(
    tmp_path: Path, fake_api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKR_TEST_MATOMO", TOKEN)
    monkeypatch.setenv("OKR_TEST_HUBSPOT", HS_TOKEN)

    @fake_api.route("POST", "/index.php")
    def matomo(req):
        form = req.form()
        start, end = form["date"].split(",")
        days = [dt.date.fromisoformat(start) + dt.timedelta(days=i) for i in range(3)]
        assert (start, end) == ("2026-01-01", "2026-01-03")  # the partition plus the lookback window
        return Reply(200, {d.isoformat(): {"nb_visits": 10 + i} for i, d in enumerate(days)})

    @fake_api.route("GET", "/crm/v3/objects/deals")
    @fake_api.route("POST", "/crm/v3/objects/deals/search")
    def deals(req):
        if req.headers.get("authorization") != f"Bearer {HS_TOKEN}":
            return Reply(401, {"message": "bad token"})
        props = {
            "dealname": "A",
            "dealstage": "closedwon",
            "pipeline": "default",
            "amount": "10",
            "hs_lastmodifieddate": "2026-01-02T10:00:00Z",
            "createdate": "2026-01-01T10:00:00Z",
        }
        return Reply(200, {"results": [{"id": "1", "properties": props}]})

    root = workspace(
        tmp_path,
        f"lookback_days: 3\n"
        f"matomo: {{enabled: true, base_url: '{fake_api.base_url}', site_id: '1', token_env: OKR_TEST_MATOMO,"
        f" http: {{max_attempts: 2, backoff_base_s: 0.01}}}}\n"
        f"hubspot: {{enabled: true, base_url: '{fake_api.base_url}', token_env: OKR_TEST_HUBSPOT,"
        f" http: {{max_attempts: 2, backoff_base_s: 0.01}}}}\n",
    )
    defs = build_ingest(load_settings(root))
    keys = sorted(k.to_user_string() for a in defs.assets for k in a.keys)
    assert keys == ["raw/hubspot_contacts", "raw/hubspot_deals", "raw/matomo_daily_report"]
    assert defs.jobs == [] and defs.sensors == []
    matomo_asset = next(a for a in defs.assets if dg.AssetKey(["raw", "matomo_daily_report"]) in a.keys)
    result = dg.materialize([matomo_asset], resources=defs.resources, partition_key="2026-01-03")
    assert result.success
    deal_asset = next(a for a in defs.assets if dg.AssetKey(["raw", "hubspot_deals"]) in a.keys)
    result2 = dg.materialize([deal_asset], resources=defs.resources)
    assert result2.success
    events = " ".join(str(e) for e in result.all_events + result2.all_events)
    assert TOKEN not in events and HS_TOKEN not in events
    import duckdb

    con = duckdb.connect(str(root / "wh.duckdb"), read_only=True)
    assert con.sql("select count(*) from raw.matomo_daily_report").fetchall() == [(3,)]
    assert con.sql("select deal_id, deal_stage from raw.hubspot_deals").fetchall() == [("1", "closedwon")]
    con.close()
    # A wrong token fails that source alone: the asset completes (the table keeps its rows), its
    # load check fails naming the variable, raw.source_load_status records it, no token anywhere.
    monkeypatch.setenv("OKR_TEST_HUBSPOT", "pat-eu1-wrongwrong-0000")
    defs = build_ingest(load_settings(root))
    deal_asset = next(a for a in defs.assets if dg.AssetKey(["raw", "hubspot_deals"]) in a.keys)
    bad = dg.materialize([deal_asset], resources=defs.resources, raise_on_error=False)
    assert bad.success
    [check] = bad.get_asset_check_evaluations()
    assert (check.check_name, check.passed) == ("source_load", False)
    failure = " ".join(str(e) for e in bad.all_events)
    assert "check the token in OKR_TEST_HUBSPOT" in failure and "pat-eu1-wrongwrong" not in failure
    con = duckdb.connect(str(root / "wh.duckdb"), read_only=True)
    assert con.sql("select deal_id from raw.hubspot_deals").fetchall() == [("1",)]  # kept
    status = con.sql(
        "select source, raw_table, status, last_success_at is not null, error from raw.source_load_status"
        " order by raw_table"
    ).fetchall()
    con.close()
    assert [s[:4] for s in status] == [
        ("hubspot", "hubspot_deals", "failed", True),
        ("matomo", "matomo_daily_report", "ok", True),
    ]
    assert "HTTP 401" in status[0][4] and "OKR_TEST_HUBSPOT" in status[0][4]


def test_enabled_source_without_its_variable_is_a_recorded_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connectors.load_status import source_load_failures
    from connectors.warehouse import open_warehouse

    monkeypatch.delenv("OKR_TEST_MISSING", raising=False)
    root = workspace(
        tmp_path,
        "exports: {enabled: true, folder: drops}\n"
        "pipedrive: {enabled: true, base_url: 'http://127.0.0.1:9', token_env: OKR_TEST_MISSING}\n",
    )
    (root / "drops" / "ads.csv").write_bytes(ADS.encode("cp1252"))
    defs = build_ingest(load_settings(root))
    result = dg.materialize(defs.assets, resources=defs.resources, raise_on_error=False)
    assert result.success  # the other sources go on
    failed = [c for c in result.get_asset_check_evaluations() if not c.passed]
    assert [c.asset_key.to_user_string() for c in failed] == ["raw/pipedrive_deals"]
    [failure] = source_load_failures(open_warehouse("duckdb", duckdb_path=root / "wh.duckdb"))
    assert (failure.source, failure.raw_table, failure.last_success_at) == (
        "pipedrive",
        "pipedrive_deals",
        None,
    )
    assert failure.error == (
        "pipedrive: the environment variable OKR_TEST_MISSING is not set (sources.yml names it)"
    )
    assert "Traceback" not in " ".join(str(e) for e in result.all_events if e.is_step_failure)
