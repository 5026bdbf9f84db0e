"""The quality step in a real Dagster run: gate asset, asset checks on staging and kr_scores."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from quality_seed import AS_OF, contacts, seeded_warehouse, write_raw
from test_kr_checks import _seed_okrs

from pipelines.quality.assets import (
    GATE_KEY,
    KR_SCORES_KEY,
    build_source_quality_checks,
    data_quality_gate,
    kr_score_checks,
)
from pipelines.quality.lineage import load_lineage
from pipelines.quality.store import read_blocked, read_results
from pipelines.resources import WarehouseResource, WorkspaceResource
from pipelines.settings import load_settings
from pipelines.transform.dbt_setup import prepare_manifest

STAGING = [dg.AssetKey(["stg_hubspot__contacts"]), dg.AssetKey(["stg_ga4__daily_reports"])]


@pytest.mark.slow
def test_dagster_run_flags_off_track_and_blocks_only_hubspot_krs(tmp_path: Path) -> None:
    (tmp_path / "settings.yml").write_text("warehouse: warehouse.duckdb\n", encoding="utf-8")
    settings = load_settings(tmp_path)
    wh = seeded_warehouse(settings.warehouse_path)
    rows = contacts()
    rows.append({**rows[5], "email_hash": "again"})  # duplicate CRM id
    write_raw(wh, "hubspot_contacts", rows)
    _seed_okrs(wh)

    defs = dg.Definitions(
        assets=[data_quality_gate, dg.AssetSpec(KR_SCORES_KEY), *(dg.AssetSpec(k) for k in STAGING)],
        asset_checks=[build_source_quality_checks(STAGING), kr_score_checks],
        resources={
            "workspace": WorkspaceResource(root=str(tmp_path)),
            "warehouse": WarehouseResource(root=str(tmp_path)),
        },
        jobs=[
            dg.define_asset_job(
                "quality",
                selection=dg.AssetSelection.assets(GATE_KEY)
                | dg.AssetSelection.checks_for_assets(*STAGING, KR_SCORES_KEY),
            )
        ],
    )
    result = defs.resolve_job_def("quality").execute_in_process(
        partition_key=AS_OF.isoformat(), raise_on_error=False
    )
    assert result.success  # off-track goals and bad data never fail the run

    checks = {(ev.asset_key, ev.check_name): ev for ev in result.get_asset_check_evaluations()}
    off = checks[(KR_SCORES_KEY, "kr_not_off_track")]
    assert not off.passed and off.severity == dg.AssetCheckSeverity.WARN
    failing = off.metadata["failing_krs"].value
    assert [k["kr_id"] for k in failing] == ["MKT-1.2"]
    assert (
        failing[0]["owner"] == "Aino"
        and failing[0]["gap"] == 0.42
        and failing[0]["data_through"] == "2026-11-26"
    )
    assert "MKT-O1" in off.metadata["by_objective"].value
    assert checks[(KR_SCORES_KEY, "kr_not_at_risk")].passed is False

    dup = checks[(STAGING[0], "stg_hubspot__contacts_structure")]
    assert not dup.passed and dup.severity == dg.AssetCheckSeverity.ERROR
    assert checks[(STAGING[1], "stg_ga4__daily_reports_structure")].passed

    lineage = load_lineage(prepare_manifest(settings))
    hubspot_metrics = sorted(m for m, nodes in lineage.items() if "raw.hubspot_contacts" in nodes)
    assert "leads" in hubspot_metrics and "sessions" not in hubspot_metrics
    assert read_blocked(wh)["metric"].tolist() == hubspot_metrics
    stored = read_results(wh, AS_OF)
    assert set(stored["check_name"]) >= {"hubspot_contacts_structure", "kr_not_off_track"}
