"""Validations of unchanged data are reused, and anything that changes the judgement re-runs GX."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from quality_seed import AS_OF, LINEAGE, NOW, contacts, write_raw

from connectors.warehouse import Warehouse
from pipelines.quality.custom import CustomExpectationError
from pipelines.quality.judged import STATE_PREFIX, custom_expectations, frame_fingerprint
from pipelines.quality.runner import SourceQuality, run_source_checks

NODE = "raw.hubspot_contacts"


def _judge(wh: Warehouse, as_of: dt.date = AS_OF, reuse: bool = True, node: str = NODE) -> SourceQuality:
    return run_source_checks(wh, as_of, LINEAGE, now=NOW, nodes=[node], reuse=reuse)


def _validated_at(quality: SourceQuality) -> list[str]:
    """GX's own run time of each suite: a new validation has a new one."""
    return [r.result_json["meta"]["run_id"]["run_time"] for r in quality.runs]


def _outcomes(quality: SourceQuality) -> list[tuple]:
    return [
        (r.suite_name, o.check, o.success, o.unexpected_count, o.describe())
        for r in quality.runs
        for o in r.outcomes
    ]


def test_unchanged_data_reuses_the_stored_outcomes(warehouse: Warehouse) -> None:
    first = _judge(warehouse)
    again = _judge(warehouse)
    assert _validated_at(again) == _validated_at(first)  # not validated again
    assert _outcomes(again) == _outcomes(first)
    assert [o.spec for r in again.runs for o in r.outcomes] == [
        o.spec for r in first.runs for o in r.outcomes
    ]
    assert warehouse.get_state(STATE_PREFIX + NODE)["key"]


def test_a_changed_row_is_validated_again_and_its_failure_shows(warehouse: Warehouse) -> None:
    first = _judge(warehouse)
    assert all(o.success for r in first.runs for o in r.outcomes)
    rows = contacts()
    rows.append({**rows[3], "email_hash": "other"})  # the same contact id twice
    write_raw(warehouse, "hubspot_contacts", rows)
    changed = _judge(warehouse)
    assert _validated_at(changed) != _validated_at(first)
    dup = [o for r in changed.runs for o in r.outcomes if not o.success]
    assert [(o.expectation_type, o.unexpected_values) for o in dup] == [
        ("expect_column_values_to_be_unique", ["c-3"])
    ]


def test_a_new_scoring_date_or_a_full_run_validates_again(warehouse: Warehouse) -> None:
    # GA4's rules read the scoring date (freshness, the volume window); contacts' rules do not.
    ga4 = "stg_ga4__daily_reports"
    first = _judge(warehouse, node=ga4)
    assert _validated_at(_judge(warehouse, node=ga4)) == _validated_at(first)
    next_day = _judge(warehouse, AS_OF - dt.timedelta(days=1), node=ga4)
    assert len(next_day.runs) == 2 and _validated_at(next_day)[0] != _validated_at(first)[0]
    full = _judge(warehouse, AS_OF - dt.timedelta(days=1), reuse=False, node=ga4)
    assert _validated_at(full)[0] != _validated_at(next_day)[0]


def test_the_fingerprint_ignores_row_order_but_not_values(warehouse: Warehouse) -> None:
    df = warehouse.query(f"SELECT * FROM {NODE}")
    same = frame_fingerprint(df.iloc[::-1].reset_index(drop=True))
    assert same == frame_fingerprint(df)
    changed = df.copy()
    changed.loc[0, "email_hash"] = "x"
    assert frame_fingerprint(changed) != frame_fingerprint(df)


GOOD = """\
expectations:
  - table: stg_hubspot__deals
    expect: column_values_to_not_be_null
    column: amount
"""


def test_custom_expectation_arguments_are_checked_again_when_the_file_changes(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "expectations.yml"
    path.write_text(GOOD, encoding="utf-8")
    assert [c.expect for c in custom_expectations(warehouse, files=[path])] == [
        "column_values_to_not_be_null"
    ]
    assert [c.expect for c in custom_expectations(warehouse, files=[path])] == [
        "column_values_to_not_be_null"
    ]
    path.write_text(GOOD.replace("column: amount", "colum: amount"), encoding="utf-8")
    with pytest.raises(CustomExpectationError, match=r"expectations\[0\] \(line 2\)"):
        custom_expectations(warehouse, files=[path])
