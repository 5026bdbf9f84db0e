"""Analysts' expectations.yml: picked up, run by GX, and broken files named precisely."""

from __future__ import annotations

from pathlib import Path

import pytest
from quality_seed import AS_OF, LINEAGE, NOW, deals, write_raw

from connectors.warehouse import Warehouse
from pipelines.quality.custom import (
    CustomExpectationError,
    expectation_files,
    load_custom_expectations,
    parse_file,
)
from pipelines.quality.runner import run_source_checks
from pipelines.quality.specs import Severity

GOOD = """\
expectations:
  - table: stg_hubspot__deals
    expect: column_values_to_be_between
    column: amount
    min_value: 0
    max_value: 500000
    severity: warn
    description: Deals above 500k EUR are typos
  - metric: leads
    expect: column_values_to_not_be_null
    column: lead_source
    severity: error
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "models" / "metrics" / "expectations.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_custom_expectations_are_picked_up_and_judged_by_gx(warehouse: Warehouse, tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    assert expectation_files(tmp_path / "models") == [path]
    custom = load_custom_expectations([path])
    assert [(c.target, c.check_name, c.severity) for c in custom] == [
        ("stg_hubspot__deals", "stg_hubspot__deals_values", Severity.WARN),
        ("leads", "leads_custom", Severity.ERROR),
    ]
    rows = deals()
    rows[4]["amount"] = 2_500_000.0
    write_raw(warehouse, "hubspot_deals", rows)
    with warehouse.transaction("analytics") as tx:  # a metric view with a row lacking lead_source
        tx.execute(
            "CREATE VIEW analytics.leads AS SELECT DATE '2026-11-01' AS metric_date, "
            "CAST(NULL AS VARCHAR) AS lead_source, 3.0 AS value"
        )
    quality = run_source_checks(warehouse, AS_OF, LINEAGE, custom, now=NOW)
    failed = [o for r in quality.runs for o in r.outcomes if not o.success]
    amount = [o for o in failed if o.spec.origin.startswith(str(path)) and o.column == "amount"]
    assert len(amount) == 1 and amount[0].unexpected_values == [2_500_000.0]
    assert amount[0].kwargs["max_value"] == 500000 and "#0 (line 2)" in amount[0].spec.origin
    (lead,) = [o for o in failed if o.check == "leads_custom"]
    assert lead.severity is Severity.ERROR and lead.unexpected_count == 1
    # An ERROR expectation on a metric blocks that metric (and only it).
    assert sorted(quality.blocked) == ["leads"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- table: x\n", "expected a mapping with one key 'expectations'"),
        (
            "expectations:\n  - expect: column_to_exist\n    column: a\n",
            "expectations[0] (line 2): give exactly one",
        ),
        (
            "expectations:\n  - table: stg_x\n    expect: column_to_exist\n    column: a\n"
            "  - table: stg_x\n    expect: column_values_to_be_tasty\n    column: a\n",
            "expectations[1] (line 5): expect: unknown expectation 'column_values_to_be_tasty'",
        ),
        (
            "expectations:\n  - table: stg_x\n    expect: column_values_to_be_between\n    column: a\n"
            "    min_vlaue: 0\n",
            "column_values_to_be_between: min_vlaue: extra fields not permitted",
        ),
        (
            "expectations:\n  - table: stg_x\n    expect: column_values_to_be_in_set\n    column: a\n",
            "value_set: field required",
        ),
        (
            "expectations:\n  - table: stg_x\n    expect: column_to_exist\n    severity: fatal\n",
            "severity",
        ),
        (
            "expectations:\n  - table: 'drop table; x'\n    expect: column_to_exist\n",
            "table: not a valid relation",
        ),
    ],
)
def test_broken_files_name_file_item_line_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(CustomExpectationError) as err:
        parse_file(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)
