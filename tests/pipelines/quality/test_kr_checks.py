"""The off-track suite on kr_scores, the stored results, the scorecard extract and Data Docs."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from quality_seed import AS_OF, LINEAGE, NOW, contacts, write_key_results, write_kr_scores, write_raw

from connectors.warehouse import Warehouse
from pipelines.quality import build_data_docs
from pipelines.quality.runner import run_kr_checks, run_source_checks
from pipelines.quality.store import read_blocked, read_results, save_runs, write_blocked
from pipelines.reporting.data_health import KR_SOURCE, format_summary, scorecard_quality, summary_counts

Q4 = (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
Q1_2027 = (dt.date(2027, 1, 1), dt.date(2027, 3, 31))


def _seed_okrs(wh: Warehouse) -> None:
    krs = [
        ("MKT-1.1", "MKT-O1", "leads", *Q4),
        ("MKT-1.2", "MKT-O1", "sessions", *Q4),
        ("MKT-2.1", "MKT-O2", "won_deals", *Q4),
        ("MKT-3.1", "MKT-O3", "sessions", *Q3),
        ("MKT-4.1", "MKT-O4", "sessions", *Q1_2027),
    ]
    write_key_results(
        wh,
        [
            dict(zip(["kr_id", "objective_id", "metric", "start_date", "end_date"], k, strict=True))
            for k in krs
        ],
    )
    scores = [
        ("MKT-1.1", "MKT-O1", "leads", "on_track", 0.62, 0.63, 0.01),
        ("MKT-1.2", "MKT-O1", "sessions", "off_track", 0.21, 0.63, 0.42),
        ("MKT-2.1", "MKT-O2", "won_deals", "at_risk", 0.45, 0.63, 0.18),
        ("MKT-3.1", "MKT-O3", "sessions", "missed", 0.80, 1.0, 0.20),
        ("MKT-4.1", "MKT-O4", "sessions", "not_started", None, 0.0, None),
    ]
    rows = []
    for kr_id, obj, metric, status, score, expected, gap in scores:
        start, end = {"MKT-3.1": Q3, "MKT-4.1": Q1_2027}.get(kr_id, Q4)
        rows.append(
            {
                "kr_id": kr_id,
                "objective_id": obj,
                "metric": metric,
                "status": status,
                "score": score,
                "expected_progress": expected,
                "gap": gap,
                "start_date": start,
                "end_date": end,
            }
        )
    write_kr_scores(wh, rows)


def test_off_track_kr_raises_a_warn_naming_it(warehouse: Warehouse) -> None:
    _seed_okrs(warehouse)
    run, _ = run_kr_checks(warehouse, AS_OF)
    assert run is not None and run.suite_name == "okr.kr_scores"
    failed = sorted((o.check, o.spec.kr_id) for o in run.outcomes if not o.success)
    assert failed == [
        ("kr_achieved_after_period", "MKT-3.1"),
        ("kr_not_at_risk", "MKT-2.1"),
        ("kr_not_off_track", "MKT-1.2"),
    ]
    assert all(o.severity.value == "WARN" for o in run.outcomes)
    # 3 KRs in period x 2 rules + 1 ended KR; the not-started KR gets no expectation.
    assert len(run.outcomes) == 7
    off = next(o for o in run.outcomes if o.spec.kr_id == "MKT-1.2" and o.check == "kr_not_off_track")
    assert off.unexpected_values == ["off_track"]


def test_stored_results_equal_the_gx_validation_results(warehouse: Warehouse, tmp_path: Path) -> None:
    _seed_okrs(warehouse)
    rows = contacts()
    rows.append(dict(rows[0]))  # duplicate contact id: ERROR on HubSpot, blocks leads only
    write_raw(warehouse, "hubspot_contacts", rows)
    quality = run_source_checks(warehouse, AS_OF, LINEAGE, now=NOW)
    kr_run, _ = run_kr_checks(warehouse, AS_OF)
    runs = [*quality.runs, kr_run]
    save_runs(warehouse, AS_OF, "run-1", runs, {}, quality.checks_run)
    write_blocked(warehouse, quality.blocked, LINEAGE)

    blocked = read_blocked(warehouse)
    assert blocked[["metric", "severity"]].values.tolist() == [["leads", "ERROR"], ["mqls", "ERROR"]]
    assert "c-0" in blocked["reason"].iloc[0]

    stored = read_results(warehouse, AS_OF)
    # Every stored row matches the GX result it came from (by suite and expectation order); the
    # off-track suite is one expectation per rule, stored as one row per KR and rule, failed
    # exactly when GX lists the KR among the rule's unexpected rows.
    gx_by_suite = {r.suite_name: r.result_json["results"] for r in runs}
    source_rows, kr_rows = stored[stored["kr_id"].isna()], stored[stored["kr_id"].notna()]
    assert len(source_rows) == sum(len(v) for k, v in gx_by_suite.items() if k != "okr.kr_scores")
    assert len(gx_by_suite["okr.kr_scores"]) == 3 and len(kr_rows) == 7
    for row in source_rows.itertuples():
        details = json.loads(row.details_json)
        matches = [
            g
            for g in gx_by_suite[details["suite"]]
            if g["expectation_config"]["type"] == details["expectation_type"]
            and {k: v for k, v in g["expectation_config"]["kwargs"].items() if k != "batch_id"}.get("column")
            == details["column"]
            and g["success"] == bool(row.passed)
            and g["result"].get("unexpected_count") == details["unexpected_count"]
        ]
        assert matches, f"no GX result for {details['suite']} {details['summary']}"
    for row in kr_rows.itertuples():
        (rule,) = [
            g
            for g in gx_by_suite["okr.kr_scores"]
            if g["expectation_config"]["meta"]["okr_check"] == row.check_name
        ]
        listed = {u["kr_id"] for u in rule["result"].get("unexpected_index_list") or []}
        assert bool(row.passed) == (row.kr_id not in listed), (row.check_name, row.kr_id)

    assert summary_counts(warehouse, AS_OF) == {"ERROR": 2, "WARN": 3}
    assert format_summary(summary_counts(warehouse, AS_OF)) == "checks failed: 2 ERROR, 3 WARN"

    card = scorecard_quality(warehouse, AS_OF)
    by_kr = card["checks_by_kr"]
    assert {"name": "kr_not_off_track", "severity": "WARN", "passed": False} in by_kr["MKT-1.2"]
    assert {"name": "hubspot_contacts_structure", "severity": "ERROR", "passed": False} in by_kr["MKT-1.1"]
    assert {"name": "stg_ga4__daily_reports_volume", "severity": "WARN", "passed": True} in by_kr["MKT-1.2"]
    assert not any(c["name"].startswith("hubspot") for c in by_kr["MKT-1.2"])  # GA4-fed KR
    # Two KRs on one metric list the same data checks, each after its own KR checks (by name).
    own = {c["check"] for c in card["data_health"]["check_results"] if c["source"] == KR_SOURCE}
    for kr_id in ("MKT-1.2", "MKT-3.1"):
        is_own = [c["name"] in own for c in by_kr[kr_id]]
        assert is_own == sorted(is_own, reverse=True), kr_id
        kr_checks = [c["name"] for c in by_kr[kr_id] if c["name"] in own]
        assert kr_checks == sorted(kr_checks), kr_id
    data_checks = {k: [c for c in by_kr[k] if c["name"] not in own] for k in ("MKT-1.2", "MKT-3.1")}
    assert data_checks["MKT-1.2"] == data_checks["MKT-3.1"] != []
    health = card["data_health"]
    assert health["status"] == "error"
    assert health["failed"] == {"ERROR": 2, "WARN": 0}
    assert [b["metric"] for b in health["blocked_metrics"]] == ["leads", "mqls"]

    index = build_data_docs(runs, tmp_path / "scorecard" / "quality")
    html = index.read_text(encoding="utf-8")
    for suite in ("raw.hubspot_contacts", "analytics.stg_hubspot__contacts", "okr.kr_scores"):
        assert suite in html
    assert (tmp_path / "scorecard" / "quality" / "expectations" / "okr" / "kr_scores.html").exists()
    # Offline: no page loads anything from the internet, and what they load is there.
    site = tmp_path / "scorecard" / "quality"
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'<(script|img)[^>]*\ssrc="https?://', text), page
        assert not re.search(r'<link[^>]*\shref="https?://', text), page
        for ref in re.findall(r'(?:src|href)="([^"#:]+\.(?:js|css))"', text):
            assert (page.parent / ref).resolve().exists(), (page, ref)


def _kr_outcomes(run) -> list[tuple]:
    return [(o.check, o.spec.kr_id, o.success, o.unexpected_values) for o in run.outcomes]


def test_unchanged_scores_reuse_the_kr_judgement_and_a_changed_status_is_judged_again(
    warehouse: Warehouse,
) -> None:
    _seed_okrs(warehouse)
    first, _ = run_kr_checks(warehouse, AS_OF, reuse=True)
    again, _ = run_kr_checks(warehouse, AS_OF, reuse=True)
    assert again.result_json == first.result_json  # the stored validation, with its own run time
    assert _kr_outcomes(again) == _kr_outcomes(first)
    assert run_kr_checks(warehouse, AS_OF)[0].result_json != first.result_json  # no reuse: GX again

    scores = warehouse.query("SELECT * FROM analytics.kr_scores")
    scores.loc[scores["kr_id"] == "MKT-1.2", "status"] = "on_track"  # the off-track KR recovered
    write_kr_scores(warehouse, scores.to_dict("records"))
    changed, _ = run_kr_checks(warehouse, AS_OF, reuse=True)
    assert changed.result_json != first.result_json
    assert ("kr_not_off_track", "MKT-1.2", True, []) in _kr_outcomes(changed)
    # another scoring date moves the KRs' phases: judged again too
    later, _ = run_kr_checks(warehouse, AS_OF + dt.timedelta(days=1), reuse=True)
    assert later.result_json["meta"]["run_id"] != changed.result_json["meta"]["run_id"]
