"""The export drop folder end to end on a real DuckDB file: every supported encoding,
delimiter and number format, presets, load-once semantics, and rejected files."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from connectors.exports import export_load_problems, load_export_folder
from connectors.raw_tables import ensure_raw_tables
from connectors.warehouse import DuckDBWarehouse
from tests.fuzzing import fuzz

CONTACTS_HEADER = (
    "Record ID,First Name,Last Name,Email,Phone Number,Contact owner,Lifecycle Stage,Lead Status,Create Date,"
    "Last Activity Date,Associated Company,Original Source,Original Source Drill-Down 2,Lead Source,"
    "Became a Lead Date,Became a Marketing Qualified Lead Date,Became a Sales Qualified Lead Date,"
    "Became a Customer Date"
)
CONTACTS = (
    CONTACTS_HEADER + "\n"
    "101,Aino,Virtanen,Aino.Virtanen@Example.fi,+358 40 1234567,Maija,Marketing Qualified Lead,In Progress,"
    "2026-01-15 10:00,,Oy Acme Ab,Paid Search,spring_sale,inbound,2026-01-15 10:00,2026-01-20 09:30,,\n"
    '102,Jörgen,"Öberg, Jr",jorgen@example.se,,Maija,Customer,Open Deal,2026-01-02 08:00,,,Organic Social,,event,'  # noqa: E501
    "2026-01-02 08:00,2026-01-03 08:00,2026-01-05 12:00,2026-02-01 00:30\n"
)
DEALS = (
    "Record ID,Deal Name,Deal Stage,Amount,Pipeline,Close Date,Create Date,Deal owner,Associated Company IDs,"
    "Associated Contact IDs\n"
    "9001,Acme renewal,Closed Won,12500,Sales Pipeline,2026-01-15 00:00,2025-12-01 09:00,Maija,5,101\n"
    "9002,Beta pilot,Decision maker bought-In,8400.5,Sales Pipeline,2026-03-01 00:00,2026-01-10 09:00,Maija,6,102\n"  # noqa: E501
    "9003,Gamma,Appointment Scheduled,,Sales Pipeline,,2026-01-11 09:00,Maija,,\n"
)
ADS_FI = (
    "Day;Platform;Campaign;Impressions;Clicks;Cost (EUR)\n"
    "15.1.2026;Google Ads;spring_sale;12 345;210;1 234,50\n"
    "15.1.2026;Meta Ads;kevät_kampanja;1 000;12;99,90\n"
    "16.1.2026;LinkedIn Ads;spring_sale;980;7;45\n"
)
GA4 = (
    "# ----------------------------------------\n# Traffic acquisition: Session default channel group\n"
    "# Account: Nordlys\n# Property: Nordlys Website\n# ----------------------------------------\n#\n"
    "# Start date: 20261101\n# End date: 20261130\n"
    "Date,Session default channel group,Session source,Session medium,Session campaign,Sessions,Total users,"
    "New users,Engaged sessions,Key events\n"
    "20261101,Organic Search,google,organic,(organic),412,380,290,260,9\n"
    "20261101,Paid Search,google,cpc,spring_sale,1234,1000,800,700,21\n"
    "20261102,Direct,(direct),(none),(direct),99,90,50,40,0\n"
)


def write(folder: Path, name: str, data: str | bytes, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    f = tmp_path / "exports"
    f.mkdir()
    return f


def rows(wh: DuckDBWarehouse, sql: str) -> list[tuple]:
    return [tuple(r) for r in wh.query(sql).itertuples(index=False)]


def test_every_supported_layout_loads(
    folder: Path, wh: DuckDBWarehouse, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    write(folder, "hubspot/contacts.csv", "\ufeff" + CONTACTS)  # UTF-8 with BOM
    write(folder, "hubspot/deals.csv", DEALS)  # plain UTF-8
    write(folder, "ads/ad-spend-2026.csv", ADS_FI, "cp1252")  # Windows-1252, ';', 1 234,50, 15.1.2026
    write(folder, "ga4/ga4-2026-11.csv", GA4)  # '#' comment block, YYYYMMDD
    results = {r.file_name: r for r in load_export_folder(wh, folder)}
    assert {k: (r.status, r.preset, r.rows) for k, r in results.items()} == {
        "ads/ad-spend-2026.csv": ("loaded", "ad_spend", 3),
        "ga4/ga4-2026-11.csv": ("loaded", "ga4_traffic_acquisition", 3),
        "hubspot/contacts.csv": ("loaded", "hubspot_contacts", 2),
        "hubspot/deals.csv": ("loaded", "hubspot_deals", 3),
    }
    assert rows(
        wh,
        "select spend_date, platform, campaign, impressions, clicks, cost, currency from raw.ad_spend "
        "order by platform",
    ) == [
        (pd_date("2026-01-15"), "Google Ads", "spring_sale", 12345, 210, 1234.5, "EUR"),
        (pd_date("2026-01-16"), "LinkedIn Ads", "spring_sale", 980, 7, 45.0, "EUR"),
        (pd_date("2026-01-15"), "Meta Ads", "kevät_kampanja", 1000, 12, 99.9, "EUR"),
    ]
    c = wh.query("select * from raw.hubspot_contacts order by contact_id").to_dict("records")
    assert [x["lifecycle_stage"] for x in c] == ["marketingqualifiedlead", "customer"]
    assert [x["lead_status"] for x in c] == ["IN_PROGRESS", "OPEN_DEAL"]
    assert [x["original_source"] for x in c] == ["PAID_SEARCH", "SOCIAL_MEDIA"]
    assert c[0]["original_source_drilldown_2"] == "spring_sale" and pd.isna(
        c[1]["original_source_drilldown_2"]
    )
    assert c[0]["email_hash"] == hashlib.sha256(b"aino.virtanen@example.fi").hexdigest()
    assert c[0]["created_at"] == dt.datetime(2026, 1, 15, 10, 0)  # local time kept as written
    assert c[1]["became_customer_at"] == dt.datetime(2026, 2, 1, 0, 30)
    assert (c[0]["_source"], c[0]["_stream"], c[0]["_partition"]) == (
        "exports",
        "hubspot_contacts",
        "hubspot/contacts.csv",
    )
    stored = wh.query("select * from raw.hubspot_contacts").to_string()
    for pii in ("Aino", "Virtanen", "Example.fi", "358", "Öberg", "jorgen@"):
        assert pii not in stored
    d = rows(
        wh,
        "select deal_id, deal_stage, pipeline, coalesce(amount, -1), coalesce(cast(close_date as varchar), '-') "  # noqa: E501
        "from raw.hubspot_deals order by deal_id",
    )
    assert d == [
        ("9001", "closedwon", "default", 12500.0, "2026-01-15"),
        ("9002", "decisionmakerboughtin", "default", 8400.5, "2026-03-01"),
        ("9003", "appointmentscheduled", "default", -1.0, "-"),
    ]
    g = rows(
        wh,
        "select report_date, channel_group, campaign, sessions, key_events from raw.ga4_daily_report "
        "order by sessions",
    )
    assert g[0] == (pd_date("2026-11-02"), "Direct", "(direct)", 99, 0) and g[-1][3:] == (1234, 21)
    assert any("delimiter ';'" in r.getMessage() and "cp1252" in r.getMessage() for r in caplog.records)


def pd_date(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


@pytest.mark.parametrize(
    ("name", "content", "encoding"),
    [
        (
            "tab.tsv",
            "Day\tPlatform\tCampaign\tImpressions\tClicks\tCost (EUR)\n15.1.2026\tMeta Ads\tx\t1 000\t5\t1 234,50\n",  # noqa: E501
            "utf-8",
        ),
        (
            "english.csv",
            'Date,Platform,Campaign,Impressions,Clicks,Cost\n2026-01-15,Meta Ads,x,"1,000",5,"1,234.50"\n',
            "utf-8",
        ),
        (
            "plain.csv",
            "Day,Platform,Campaign,Impressions,Clicks,Cost (EUR)\n20260115,Meta Ads,x,1000,5,1234.5\n",
            "utf-8",
        ),
        (
            "bom-semicolon.csv",
            "\ufeffDay;Platform;Campaign;Impressions;Clicks;Cost (EUR)\n15.1.2026;Meta Ads;x;1000;5;1234,50\n",  # noqa: E501
            "utf-8",
        ),
        (
            "excel-unicode.txt",
            "Day\tPlatform\tCampaign\tImpressions\tClicks\tCost (EUR)\n15.1.2026\tMeta Ads\tx\t1000\t5\t1234,5\n",  # noqa: E501
            "utf-16",
        ),
    ],
)
def test_delimiters_encodings_and_number_formats(
    folder: Path, wh: DuckDBWarehouse, name: str, content: str, encoding: str
) -> None:
    write(folder, name, content, encoding)
    [result] = load_export_folder(wh, folder)
    assert result.status == "loaded", result.error
    assert rows(wh, "select spend_date, impressions, cost from raw.ad_spend") == [
        (pd_date("2026-01-15"), 1000, 1234.5)
    ]


def test_xlsx_export(folder: Path, wh: DuckDBWarehouse) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["# Salesforce report: Opportunities by stage"])
    ws.append([])
    ws.append(
        [
            "Opportunity ID",
            "Opportunity Name",
            "Stage",
            "Amount",
            "Close Date",
            "Created Date",
            "Lead Source",
            "Primary Campaign Source",
            "Won",
            "Closed",
        ]
    )
    ws.append(
        [
            "0065g00000AbCdE",
            "Acme",
            "Closed Won",
            12500.5,
            dt.datetime(2026, 1, 15),
            dt.datetime(2025, 12, 1, 9),
            "Web",
            "spring_sale",
            1,
            1,
        ]
    )
    ws.append(
        [
            "0065g00000AbCdF",
            "Beta",
            "Prospecting",
            "8 400,00",
            "1/20/2026",
            "12/2/2025 9:00 AM",
            None,
            None,
            0,
            0,
        ]
    )
    wb.save(folder / "sf-opps.xlsx")
    [result] = load_export_folder(wh, folder)
    assert (result.status, result.preset, result.rows) == ("loaded", "salesforce_opportunities", 2), (
        result.error
    )
    got = (
        wh.query(
            "select opportunity_id, stage, amount, cast(close_date as varchar), created_at, is_won "
            "from raw.salesforce_opportunities "
            "order by opportunity_id"
        )
        .astype(str)
        .values.tolist()
    )
    assert got == [
        ["0065g00000AbCdE", "Closed Won", "12500.5", "2026-01-15", "2025-12-01 09:00:00", "True"],
        ["0065g00000AbCdF", "Prospecting", "8400.0", "2026-01-20", "2025-12-02 09:00:00", "False"],
    ]


def test_pipedrive_export(folder: Path, wh: DuckDBWarehouse) -> None:
    write(
        folder,
        "pd.csv",
        "Deal - ID,Deal - Title,Deal - Value,Deal - Currency,Deal - Status,Deal - Stage,"
        "Deal - Pipeline,Deal - Deal created,Deal - Won time\n"
        "17,Acme,1500,EUR,Won,Negotiation,Sales,2026-01-04 10:44:11,2026-01-20 12:00:00\n",
    )
    [result] = load_export_folder(wh, folder)
    assert result.status == "loaded", result.error
    assert rows(wh, "select deal_id, status, stage_name, value from raw.pipedrive_deals") == [
        ("17", "won", "Negotiation", 1500.0)
    ]


def test_load_once_corrections_and_duplicates(folder: Path, wh: DuckDBWarehouse) -> None:
    ads = write(folder, "ads/ad-spend-2026.csv", ADS_FI, "cp1252")
    load_export_folder(wh, folder)
    q = "select * exclude (_loaded_at) from raw.ad_spend order by platform"
    first = wh.query(q)
    registry = wh.query("select * from raw.export_files")
    # Re-dropping the same file (even touched) changes nothing at all.
    ads.write_bytes(ads.read_bytes())
    assert [r.status for r in load_export_folder(wh, folder)] == ["unchanged"]
    assert wh.query(q).equals(first) and wh.query("select * from raw.export_files").equals(registry)
    # The same content under another name is not counted twice.
    write(folder, "ads/ad-spend-2026 (1).csv", ADS_FI, "cp1252")
    statuses = {r.file_name: r.status for r in load_export_folder(wh, folder)}
    assert statuses["ads/ad-spend-2026 (1).csv"] == "duplicate"
    assert wh.query(q).equals(first)
    # A corrected file replaces what it loaded before: a fixed cost, one row dropped.
    corrected = ADS_FI.replace("1 234,50", "1 300,00").replace(
        "16.1.2026;LinkedIn Ads;spring_sale;980;7;45\n", ""
    )
    ads.write_bytes(corrected.encode("cp1252"))
    [r] = [x for x in load_export_folder(wh, folder) if x.file_name == "ads/ad-spend-2026.csv"]
    assert (r.status, r.rows) == ("loaded", 2)
    assert rows(wh, "select platform, cost from raw.ad_spend order by platform") == [
        ("Google Ads", 1300.0),
        ("Meta Ads", 99.9),
    ]


def test_malformed_files_are_rejected_and_the_rest_still_loads(folder: Path, wh: DuckDBWarehouse) -> None:
    write(folder, "good.csv", ADS_FI, "cp1252")
    write(folder, "empty.csv", b"")
    write(folder, "junk.csv", bytes(range(256)) * 20)
    write(folder, "broken.xlsx", b"PK\x03\x04 not really a workbook")
    write(folder, "wrong-columns.csv", "Record ID,Deal Name,Stage,Value\n1,x,y,2\n")
    write(folder, "unknown.csv", "foo,bar\n1,2\n")
    write(
        folder,
        "bad-number.csv",
        "Day;Platform;Campaign;Impressions;Clicks;Cost (EUR)\n15.1.2026;Meta Ads;x;1;1;12x\n",
    )
    write(
        folder,
        "bad-date.csv",
        "Day;Platform;Campaign;Impressions;Clicks;Cost (EUR)\n\n31.2.2026;Meta Ads;x;1;1;1\n".replace(
            "\n\n", "\n"
        ),
    )
    write(
        folder,
        "dupes.csv",
        "Day;Platform;Campaign;Cost (EUR)\n15.1.2026;Meta Ads;x;1\n15.1.2026;Meta Ads;x;2\n",
    )
    write(folder, "notes.md", "not an export")  # ignored: not a supported file type
    results = {r.file_name: r for r in load_export_folder(wh, folder)}
    assert results["good.csv"].status == "loaded"
    assert "notes.md" not in results
    errors = {k: r.error for k, r in results.items() if r.status == "rejected"}
    assert errors["empty.csv"] == "empty.csv: the file is empty"
    assert "junk.csv: binary content" in errors["junk.csv"]
    assert errors["broken.xlsx"].startswith("broken.xlsx: not a valid XLSX workbook")
    assert errors["wrong-columns.csv"] == (
        "wrong-columns.csv: unknown layout: closest known export is 'hubspot_deals' (HubSpot: Deals > Export), "  # noqa: E501
        "but these columns are missing: Deal Stage, Amount, Close Date, Create Date"
    )
    assert "unknown.csv: unknown layout" in errors["unknown.csv"] and "matches none" in errors["unknown.csv"]
    assert (
        errors["bad-number.csv"]
        == "bad-number.csv: line 2, column 'Cost (EUR)': cannot read '12x' as a number"
    )
    assert errors["bad-date.csv"] == "bad-date.csv: line 2, column 'Day': cannot read '31.2.2026' as a date"
    assert errors["dupes.csv"].startswith(
        "dupes.csv: lines 2 and 3 hold the same spend_date, platform, campaign"
    )
    registry = wh.query("select file_name, status, error from raw.export_files order by file_name")
    assert dict(zip(registry.file_name, registry.status, strict=True))["junk.csv"] == "rejected"
    assert wh.query("select count(*) from raw.ad_spend").iloc[0, 0] == 3


def test_a_broken_replacement_keeps_what_the_file_loaded_before(folder: Path, wh: DuckDBWarehouse) -> None:
    path = write(folder, "ads.csv", ADS_FI, "cp1252")
    load_export_folder(wh, folder)
    before = wh.query("select * from raw.ad_spend order by platform")
    path.write_text("Day;Platform;Campaign;Impressions;Clicks;Cost (EUR)\n15.1.2026;Meta Ads;x;1;1;oops\n")
    [r] = load_export_folder(wh, folder)
    assert r.status == "rejected" and "oops" in r.error
    assert wh.query("select * from raw.ad_spend order by platform").equals(before)


def test_missing_folder_is_a_clear_error(tmp_path: Path, wh: DuckDBWarehouse) -> None:
    with pytest.raises(
        ValueError, match=r"export folder .*nope does not exist \(sources.yml: exports.folder\)"
    ):
        load_export_folder(wh, tmp_path / "nope")


def test_ensure_raw_tables_is_idempotent_and_keeps_rows(folder: Path, wh: DuckDBWarehouse) -> None:
    names = ensure_raw_tables(wh)
    assert {
        "ga4_daily_report",
        "matomo_daily_report",
        "plausible_daily_report",
        "hubspot_contacts",
        "hubspot_deals",
        "pipedrive_deals",
        "ad_spend",
        "export_files",
    } <= set(names)
    write(folder, "ads.csv", ADS_FI, "cp1252")
    load_export_folder(wh, folder)
    ensure_raw_tables(wh)
    assert wh.query("select count(*) from raw.ad_spend").iloc[0, 0] == 3
    assert wh.table_columns("hubspot_contacts")[-4:] == ["_source", "_stream", "_loaded_at", "_partition"]


AD_HEADER = "Day;Platform;Campaign;Impressions;Clicks;Cost (EUR)\n"


def test_every_bad_value_is_a_row_level_error_and_other_files_load(folder: Path, wh: DuckDBWarehouse) -> None:
    # Sorted first, so a crash on it would have stopped the folder (issue 9).
    write(
        folder,
        "a-bad-values.csv",
        AD_HEADER + "15.1.2026;Meta Ads;x;NaN;1;1\n"
        "16.1.2026;Meta Ads;x;1;1;inf\n"
        "17.1.2026;Meta Ads;x;1;1;1e400\n"
        "18.1.2026;Meta Ads;x;99999999999999999999;1;1\n"
        "19.1.2026;Meta Ads;x;1;1;12,5\n",
    )
    write(folder, "b-good.csv", ADS_FI, "cp1252")
    results = {r.file_name: r for r in load_export_folder(wh, folder)}
    assert results["b-good.csv"].status == "loaded"
    bad = results["a-bad-values.csv"]
    assert (bad.status, bad.rejected_rows) == ("rejected", 4)
    assert bad.error == (
        "a-bad-values.csv: line 2, column 'Impressions': cannot read 'NaN' as a number; "
        "line 3, column 'Cost (EUR)': cannot read 'inf' as a number; "
        "line 4, column 'Cost (EUR)': '1e400' is not a finite number; "
        "line 5, column 'Impressions': '99999999999999999999' is too large for a count"
    )
    [problem] = export_load_problems(wh)
    assert problem.file_name == "a-bad-values.csv" and problem.rejected_rows == 4
    assert [(p["line"], p["column"]) for p in problem.problems] == [
        (2, "Impressions"),
        (3, "Cost (EUR)"),
        (4, "Cost (EUR)"),
        (5, "Impressions"),
    ]
    assert wh.query("select count(*) from raw.ad_spend").iloc[0, 0] == 3


def test_wrong_field_count_is_rejected_with_its_line(folder: Path, wh: DuckDBWarehouse) -> None:
    write(folder, "truncated.csv", AD_HEADER + "15.1.2026;Meta Ads;x;1;1;1\n16.1.2026;Meta Ads;x;1")
    write(folder, "extra.csv", AD_HEADER + "15.1.2026;Meta Ads;x;1;1;1;7\n")
    ensure_raw_tables(wh)
    results = {r.file_name: r for r in load_export_folder(wh, folder)}
    assert results["truncated.csv"].error == "truncated.csv: line 3: 4 fields where the header has 6"
    assert results["extra.csv"].error == "extra.csv: line 2: 7 fields where the header has 6"
    assert wh.query("select count(*) from raw.ad_spend").iloc[0, 0] == 0


def test_quoted_line_breaks_keep_line_numbers(folder: Path, wh: DuckDBWarehouse) -> None:
    write(
        folder,
        "notes.csv",
        'Day,Platform,Campaign,Cost\n15.1.2026,Meta Ads,"two\nlines",1\n16.1.2026,Meta Ads,y,oops\n',
    )
    [r] = load_export_folder(wh, folder)
    assert r.error == "notes.csv: line 4, column 'Cost': cannot read 'oops' as a number"


def test_a_file_gone_from_the_folder_takes_its_rows_with_it(folder: Path, wh: DuckDBWarehouse) -> None:
    first = write(folder, "ads/2025.csv", ADS_FI.replace(".2026", ".2025"), "cp1252")
    write(folder, "ads/2026.csv", ADS_FI, "cp1252")
    write(folder, "bad.csv", "foo,bar\n1,2\n")
    load_export_folder(wh, folder)
    assert wh.query("select count(*) from raw.ad_spend").iloc[0, 0] == 6
    first.unlink()
    (folder / "bad.csv").unlink()
    results = load_export_folder(wh, folder)
    assert [(r.file_name, r.status) for r in results] == [
        ("ads/2025.csv", "removed"),
        ("bad.csv", "removed"),
        ("ads/2026.csv", "unchanged"),
    ]
    assert rows(wh, "select distinct _partition from raw.ad_spend") == [("ads/2026.csv",)]
    assert sorted(wh.query("select file_name from raw.export_files").file_name) == ["ads/2026.csv"]
    assert export_load_problems(wh) == []
    # A renamed file is the same rows under a new name: loaded again, not a duplicate of itself.
    (folder / "ads/2026.csv").rename(folder / "ads/spend-2026.csv")
    statuses = {r.file_name: r.status for r in load_export_folder(wh, folder)}
    assert statuses == {"ads/2026.csv": "removed", "ads/spend-2026.csv": "loaded"}
    assert rows(wh, "select distinct _partition from raw.ad_spend") == [("ads/spend-2026.csv",)]


def test_short_windows_1252_files_read_as_windows_1252(folder: Path, wh: DuckDBWarehouse) -> None:
    write(folder, "a.csv", "Päivä;Alusta;Kampanja;Kustannus (EUR)\n1.2.2026;Meta Ads;Määrä;5\n", "cp1252")
    write(folder, "b.csv", "Day;Platform;Campaign;Cost\n2.2.2026;Meta Ads;Åbo – €;5\n", "cp1252")
    results = load_export_folder(wh, folder)
    assert [(r.status, r.read_as) for r in results] == [("loaded", "cp1252, delimiter ';'")] * 2
    assert rows(wh, "select campaign from raw.ad_spend order by spend_date") == [("Määrä",), ("Åbo – €",)]


def test_xls_is_refused_by_name(folder: Path, wh: DuckDBWarehouse) -> None:
    write(folder, "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    [r] = load_export_folder(wh, folder)
    assert r.status == "rejected"
    assert r.error.startswith("old.xls: an Excel 97-2003 workbook (.xls) is not read")
    assert "save it as .xlsx or CSV" in r.error


_LINE = st.lists(
    st.one_of(
        st.sampled_from(["15.1.2026", "Meta Ads", "1 234,50", "NaN", "", '"', "Total", "#x"]),
        st.text(max_size=8),
    ),
    min_size=0,
    max_size=8,
).map(lambda cells: ";".join(cells))


@fuzz(40)
@given(body=st.lists(_LINE, max_size=6), encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_fuzz_any_file_is_loaded_or_rejected_never_a_crash(body: list[str], encoding: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "exports"
        text = AD_HEADER + "\n".join(body)
        write(folder, "fuzz.csv", text.encode(encoding, errors="replace"))
        wh = DuckDBWarehouse(Path(tmp) / "warehouse.duckdb")
        [result] = load_export_folder(wh, folder)
        assert result.status in ("loaded", "rejected")
        if result.status == "rejected":
            assert result.error.startswith("fuzz.csv: ")
            assert [p.file_name for p in export_load_problems(wh)] == ["fuzz.csv"]


def test_meta_rows_spanning_several_days_are_errors(folder: Path, wh: DuckDBWarehouse) -> None:
    write(
        folder,
        "meta.csv",
        "Reporting starts,Reporting ends,Campaign name,Amount spent (EUR)\n"
        "2026-11-01,2026-11-01,a,1.5\n"
        "2026-11-01,2026-11-30,b,40\n",
    )
    [r] = load_export_folder(wh, folder)
    assert r.error == (
        "meta.csv: line 3, column 'Reporting starts': the row covers 2026-11-01 to 2026-11-30, "
        "not one day; export it with a breakdown by day"
    )
