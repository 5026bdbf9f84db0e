"""The source checks generated from the dbt manifest: the rules written in the staging YAML
(tests and meta) become exactly these profiles."""

from __future__ import annotations

from pipelines.quality.contracts import profiles_from_manifest
from pipelines.quality.sources import profile_for, profiles


def _model(name: str, columns: dict[str, dict], meta: dict | None = None) -> dict:
    return {
        "resource_type": "model",
        "name": name,
        "original_file_path": f"models/staging/x/{name}.sql",
        "columns": {c: {"name": c, "meta": m} for c, m in columns.items()},
        "config": {"meta": meta or {}},
    }


def _test(uid: str, name: str, attached: str, **kwargs: object) -> dict:
    return {
        "resource_type": "test",
        "unique_id": uid,
        "attached_node": attached,
        "test_metadata": {"name": name, "kwargs": kwargs},
    }


def test_a_manifest_becomes_profiles() -> None:
    manifest = {
        "nodes": {
            "model.p.stg_x__days": _model(
                "stg_x__days",
                {"day": {"okr_event_date": True}, "kind": {}, "n": {"okr_non_negative": True}},
                {"okr_freshness_column": "day", "okr_max_lag_days": 3, "okr_volume_column": "day"},
            ),
            "model.p.other": {**_model("other", {"a": {}}), "original_file_path": "models/metrics/other.sql"},
            "t1": _test("t1", "not_null", "model.p.stg_x__days", column_name="day"),
            "t2": _test(
                "t2", "unique", "model.p.stg_x__days", column_name="cast(day as varchar) || '|' || kind"
            ),
            "t3": _test(
                "t3", "accepted_values", "model.p.stg_x__days", column_name="kind", values=["a", "b"]
            ),
        },
        "sources": {
            "source.p.x.x_raw": {
                "name": "x_raw",
                "schema": "raw",
                "original_file_path": "models/staging/x/_x__sources.yml",
                "meta": {"okr_checks": {"required": ["id"], "not_null": ["id"], "unique_key": ["id"]}},
            },
            "source.p.x.no_rules": {
                "name": "no_rules",
                "original_file_path": "models/staging/x/_x__sources.yml",
            },
        },
    }
    [raw], [stg] = profiles_from_manifest(manifest)
    assert (raw.node, raw.required, raw.not_null, raw.unique_key) == (
        "raw.x_raw",
        ("id", "_source", "_stream", "_loaded_at", "_partition"),
        ("id", "_loaded_at"),
        ("id",),
    )
    assert stg.node == "stg_x__days" and stg.required == ("day", "kind", "n")
    assert (stg.not_null, stg.unique_key, stg.categories) == (("day",), ("day", "kind"), {"kind": ("a", "b")})
    assert (stg.event_dates, stg.non_negative, stg.volume_date, stg.freshness_date, stg.max_lag_days) == (
        ("day",),
        ("n",),
        "day",
        "day",
        3,
    )


def test_the_projects_rules_come_from_its_yaml() -> None:
    raw, staging = profiles()
    assert {p.name for p in staging} >= {
        "stg_ga4__daily_reports",
        "stg_hubspot__deals",
        "stg_pipedrive__deals",
    }
    ga4 = profile_for("stg_ga4__daily_reports")
    assert ga4 is not None and ga4.unique_key == (
        "report_date",
        "channel_group",
        "source",
        "medium",
        "campaign",
    )
    assert "Organic Search" in ga4.categories["channel_group"] and ga4.freshness_date == "report_date"
    pipedrive = profile_for("raw.pipedrive_deals")
    assert pipedrive is not None and pipedrive.categories == {"status": ("open", "won", "lost", "deleted")}
    assert pipedrive.max_lag_days == 14 and "raw.okr_blocked_metrics" not in {p.node for p in raw}
