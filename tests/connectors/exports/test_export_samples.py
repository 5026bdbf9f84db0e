"""The corpus of real-shaped exports (samples/<tool>/, quirks in each folder's README): every
sample loads to the expected table beside it, and the samples that carry their own totals fail
reconciliation, naming the file and column, once a row is deleted by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from connectors.exports import export_load_problems, load_export_folder
from connectors.raw_tables import RAW_TABLES, ensure_raw_tables
from connectors.warehouse import DuckDBWarehouse

SAMPLES = Path(__file__).parent / "samples"
CASES = sorted(
    p.relative_to(SAMPLES).as_posix()
    for p in SAMPLES.rglob("*")
    if p.suffix in (".csv", ".xlsx", ".txt") and not p.name.endswith(".expected.csv")
)


def test_every_tool_folder_has_a_readme_naming_each_sample() -> None:
    folders = {Path(c).parent for c in CASES}
    assert len(folders) >= 7
    for folder in folders:
        readme = (SAMPLES / folder / "README.md").read_text(encoding="utf-8")
        for case in CASES:
            if Path(case).parent == folder:
                assert Path(case).name in readme, f"{folder}/README.md does not describe {case}"


@pytest.mark.parametrize("case", CASES)
def test_sample_loads_to_its_expected_table(case: str, tmp_path: Path) -> None:
    source = SAMPLES / case
    expected = pd.read_csv(source.with_suffix(".expected.csv"), dtype=str, keep_default_na=False)
    folder = tmp_path / "exports"
    folder.mkdir()
    shutil.copy(source, folder / source.name)
    wh = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    ensure_raw_tables(wh)
    [result] = load_export_folder(wh, folder)
    assert result.status == "loaded", result.error
    assert set(expected.columns) <= set(RAW_TABLES[result.table])
    cols = ", ".join(f"coalesce(cast({c} as varchar), '') as {c}" for c in expected.columns)
    got = wh.query(f"select {cols} from raw.{result.table} order by all")
    assert got.values.tolist() == expected.values.tolist()
    assert export_load_problems(wh) == []


# (sample, a line prefix to delete, encoding, what the message must name)
EDITED = [
    ("ga4/traffic-acquisition-grand-total-top.csv", "20261101,Paid Search", "utf-8", "column 'Sessions'"),
    ("ga4/traffic-acquisition-fi.csv", "20261101,Email", "utf-8", "column 'Istunnot'"),
    (
        "ga4/traffic-acquisition-comparison.csv",
        "Nov 1 - Nov 1 2026,20261101,Direct",
        "utf-8",
        "column 'Sessions'",
    ),
    ("google_ads/campaigns-by-day.csv", "2026-11-02,Enabled", "utf-8", "column 'Cost'"),
    ("google_ads/campaigns-excel-fi.csv", "1.11.2026;google-display", "cp1252", "column 'Kustannukset'"),
    ("salesforce/opportunities-report.csv", '"0065g00000AbC03"', "utf-8", "column 'Amount'"),
]


@pytest.mark.parametrize(("case", "prefix", "encoding", "named"), EDITED)
def test_a_row_deleted_by_hand_fails_reconciliation(
    case: str, prefix: str, encoding: str, named: str, tmp_path: Path
) -> None:
    text = (SAMPLES / case).read_bytes().decode(encoding)
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    kept = [line for line in lines if not line.startswith(prefix)]
    assert len(kept) == len(lines) - 1
    folder = tmp_path / "exports"
    folder.mkdir()
    name = Path(case).name
    (folder / name).write_bytes(newline.join(kept).encode(encoding))
    wh = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    ensure_raw_tables(wh)
    [result] = load_export_folder(wh, folder)
    assert result.status == "rejected"
    assert result.error.startswith(f"{name}: line ") and named in result.error
    assert "add up to" in result.error and "edited by hand" in result.error
    [problem] = export_load_problems(wh)
    assert problem.file_name == name and problem.error == result.error
    assert any(p["column"] == named.split("'")[1] for p in problem.problems)


def test_salesforce_record_count_is_checked(tmp_path: Path) -> None:
    text = (SAMPLES / "salesforce/opportunities-report.csv").read_text(encoding="utf-8")
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "sf.csv").write_text(text.replace("Grand Totals (3 records)", "Grand Totals (4 records)"))
    wh = DuckDBWarehouse(tmp_path / "warehouse.duckdb")
    [result] = load_export_folder(wh, folder)
    assert result.status == "rejected"
    assert "the file says 'Grand Totals (4 records)' but 3 rows were read" in result.error
