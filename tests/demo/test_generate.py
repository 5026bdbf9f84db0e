"""The demo generator: deterministic, complete and in the documented export formats.

The generator runs as a subprocess (`python -m demo.generate --out DIR`), the same way a developer
regenerates the committed files, twice and in parallel into temporary folders.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "demo" / "exports"
FIRST, LAST = dt.date(2025, 1, 1), dt.date(2026, 12, 31)
STAMP = "2026-11-26"

CHANNEL_GROUPS = {
    "Organic Search",
    "Direct",
    "Paid Search",
    "Organic Social",
    "Paid Social",
    "Email",
    "Referral",
    "Unassigned",
    "Display",
}
LIFECYCLE = {
    "Subscriber",
    "Lead",
    "Marketing Qualified Lead",
    "Sales Qualified Lead",
    "Opportunity",
    "Customer",
    "Evangelist",
    "Other",
}
LEAD_STATUS = {
    "",
    "New",
    "Open",
    "In Progress",
    "Open Deal",
    "Unqualified",
    "Attempted to Contact",
    "Connected",
    "Bad Timing",
}
ORIGINAL_SOURCE = {
    "Organic Search",
    "Paid Search",
    "Email Marketing",
    "Organic Social",
    "Referrals",
    "Other Campaigns",
    "Direct Traffic",
    "Offline Sources",
    "Paid Social",
}
DEAL_STAGES = {
    "Appointment Scheduled",
    "Qualified To Buy",
    "Presentation Scheduled",
    "Decision Maker Bought-In",
    "Contract Sent",
    "Closed Won",
    "Closed Lost",
}
HUBSPOT_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")


def _run_generator(out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "demo.generate", "--out", str(out)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    first, second = tmp_path_factory.mktemp("run1"), tmp_path_factory.mktemp("run2")
    procs = [_run_generator(first), _run_generator(second)]  # in parallel: keeps the suite fast
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    return first, second


@pytest.fixture(scope="module")
def out(runs: tuple[Path, Path]) -> Path:
    return runs[0]


@pytest.fixture(scope="module")
def ga4(out: Path) -> list[dict[str, str]]:
    return _ga4_rows(out)


@pytest.fixture(scope="module")
def contacts(out: Path) -> list[dict[str, str]]:
    return _hubspot_rows(out / "hubspot" / f"hubspot-crm-exports-all-contacts-{STAMP}.csv")


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.csv"))}


def _hubspot_rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: HubSpot exports start with a UTF-8 BOM"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def _hs_date(value: str) -> dt.date:
    return dt.datetime.strptime(value, "%Y-%m-%d %H:%M").date()


def _ga4_rows(out: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted((out / "ga4").glob("*.csv")):
        lines = path.read_text(encoding="utf-8").splitlines()
        rows += csv.DictReader(line for line in lines if not line.startswith("#"))
    return rows


def _okr_docs() -> list[dict]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((REPO / "okrs").glob("*.yml"))]


def _key_results() -> list[dict]:
    return [kr for doc in _okr_docs() for obj in doc["objectives"] for kr in obj.get("key_results") or []]


# -- determinism and file set ------------------------------------------------------------------
def test_two_runs_write_identical_bytes_and_match_the_committed_exports(runs: tuple[Path, Path]) -> None:
    first, second = (_files(r) for r in runs)
    assert first == second
    committed = _files(COMMITTED)
    stale = sorted(name for name in first if committed.get(name) != first[name])
    assert not stale, f"demo/exports is out of date, run `python -m demo.generate`: {stale}"
    assert set(committed) == set(first)


def test_writes_the_documented_file_set_within_the_size_budget(out: Path) -> None:
    months = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)]
    expected = {f"ga4/ga4-traffic-acquisition-{m}.csv" for m in months}
    expected |= {
        f"hubspot/hubspot-crm-exports-all-contacts-{STAMP}.csv",
        f"hubspot/hubspot-crm-exports-all-deals-{STAMP}.csv",
        "ads/ad-spend-2025.csv",
        "ads/ad-spend-2026.csv",
    }
    assert set(_files(out)) == expected
    assert sum(p.stat().st_size for p in out.rglob("*.csv")) < 6_000_000


# -- GA4 ---------------------------------------------------------------------------------------
def test_ga4_files_carry_the_comment_block_and_cover_every_day_of_their_month(out: Path) -> None:
    for path in sorted((out / "ga4").glob("*.csv")):
        year, month = map(int, path.stem.rsplit("-", 2)[-2:])
        lines = path.read_text(encoding="utf-8").split("\n")
        start = dt.date(year, month, 1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        assert lines[:8] == [
            "# ----------------------------------------",
            "# Traffic acquisition: Session default channel group",
            "# Account: Nordlys",
            "# Property: Nordlys Website",
            "# ----------------------------------------",
            "#",
            f"# Start date: {start:%Y%m%d}",
            f"# End date: {end:%Y%m%d}",
        ], path.name
        assert lines[8] == (
            "Date,Session default channel group,Session source,Session medium,"
            "Session campaign,Sessions,Total users,New users,Engaged sessions,Key events"
        )
        rows = list(csv.reader(lines[9:-1]))
        days = {dt.datetime.strptime(r[0], "%Y%m%d").date() for r in rows}
        assert days == {start + dt.timedelta(days=i) for i in range((end - start).days + 1)}, path.name


def test_ga4_rows_hold_default_channel_groups_and_consistent_counts(ga4: list[dict[str, str]]) -> None:
    rows = ga4
    per_day = Counter(r["Date"] for r in rows)
    assert 20 <= sum(per_day.values()) / len(per_day) <= 40
    for r in rows:
        assert r["Session default channel group"] in CHANNEL_GROUPS, r
        sessions, users, new, engaged, key = (
            int(r[k]) for k in ("Sessions", "Total users", "New users", "Engaged sessions", "Key events")
        )
        assert sessions > 0 and new <= users <= sessions and engaged <= sessions and key <= sessions, r
        campaign = r["Session campaign"]
        assert campaign in {"(organic)", "(direct)", "(referral)", "(not set)"} or re.fullmatch(
            r"[a-z0-9]+(-[a-z0-9]+)*", campaign
        ), campaign


# -- HubSpot -----------------------------------------------------------------------------------
def test_contacts_export_has_the_documented_columns_labels_and_dates(contacts: list[dict[str, str]]) -> None:
    rows = contacts
    assert list(rows[0]) == [
        "Record ID",
        "First Name",
        "Last Name",
        "Email",
        "Phone Number",
        "Contact owner",
        "Lifecycle Stage",
        "Lead Status",
        "Create Date",
        "Last Activity Date",
        "Associated Company",
        "Original Source",
        "Original Source Drill-Down 2",
        "Lead Source",
        "Became a Lead Date",
        "Became a Marketing Qualified Lead Date",
        "Became a Sales Qualified Lead Date",
        "Became a Customer Date",
    ]
    stages = (
        "Became a Lead Date",
        "Became a Marketing Qualified Lead Date",
        "Became a Sales Qualified Lead Date",
        "Became a Customer Date",
    )
    for r in rows:
        assert r["Lifecycle Stage"] in LIFECYCLE and r["Lead Status"] in LEAD_STATUS, r
        assert r["Original Source"] in ORIGINAL_SOURCE and r["Lead Source"] in {
            "inbound",
            "outbound",
            "event",
            "partner",
        }, r
        assert "@" in r["Email"] and r["Record ID"].isdigit()
        reached = [r[c] for c in stages if r[c]]
        for value in [r["Create Date"], r["Last Activity Date"], *reached]:
            assert value == "" or HUBSPOT_TIME.match(value), value
        assert reached == sorted(reached) and r["Create Date"] <= r["Became a Lead Date"], r
        assert _hs_date(r["Create Date"]) >= FIRST and _hs_date(reached[-1]) <= LAST
    assert len({r["Record ID"] for r in rows}) == len(rows)
    # Nordic names survive the UTF-8 round trip
    assert any(ch in r["Last Name"] for r in rows for ch in "äöåø")


def test_new_leads_per_weekday_are_in_the_planned_range(contacts: list[dict[str, str]]) -> None:
    rows = contacts
    per_day = Counter(_hs_date(r["Became a Lead Date"]) for r in rows)
    weekdays = sorted(n for day, n in per_day.items() if day.weekday() < 5)
    median = weekdays[len(weekdays) // 2]
    assert 8 <= median <= 20
    weekend = [n for day, n in per_day.items() if day.weekday() >= 5]
    assert sum(weekend) / len(weekend) < median / 2  # B2B: quiet weekends


def test_deals_export_matches_contacts_and_formats(out: Path, contacts: list[dict[str, str]]) -> None:
    by_id = {r["Record ID"]: r for r in contacts}
    deals = _hubspot_rows(out / "hubspot" / f"hubspot-crm-exports-all-deals-{STAMP}.csv")
    assert list(deals[0]) == [
        "Record ID",
        "Deal Name",
        "Deal Stage",
        "Amount",
        "Pipeline",
        "Close Date",
        "Create Date",
        "Deal owner",
        "Associated Company IDs",
        "Associated Contact IDs",
    ]
    weeks = (LAST - FIRST).days / 7
    assert 2 <= len(deals) / weeks <= 8, "a few deals per week"
    for d in deals:
        assert d["Deal Stage"] in DEAL_STAGES and d["Pipeline"] == "Sales Pipeline", d
        if d["Amount"]:
            assert re.fullmatch(r"\d+(\.\d{1,2})?", d["Amount"]) and 3000 <= float(d["Amount"]) <= 60000, d
        else:
            assert d["Deal Stage"] in {"Appointment Scheduled", "Closed Lost"}, d
        created, closed = _hs_date(d["Create Date"]), _hs_date(d["Close Date"])
        assert FIRST <= created <= closed <= LAST, d
        contact = by_id[d["Associated Contact IDs"]]
        assert contact["Became a Sales Qualified Lead Date"] <= d["Create Date"]
        if d["Deal Stage"] == "Closed Won":
            assert contact["Became a Customer Date"] == d["Close Date"]


# -- ad spend ----------------------------------------------------------------------------------
def test_ad_spend_is_finnish_excel_csv_and_matches_paid_ga4_campaigns(
    out: Path, ga4: list[dict[str, str]]
) -> None:
    paid_ga4 = {
        r["Session campaign"]
        for r in ga4
        if r["Session default channel group"] in {"Paid Search", "Paid Social", "Display"}
    }
    days: set[dt.date] = set()
    for year in (2025, 2026):
        text = (out / "ads" / f"ad-spend-{year}.csv").read_bytes().decode("cp1252")
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
        assert rows[0] == ["Day", "Platform", "Campaign", "Impressions", "Clicks", "Cost (EUR)"]
        for day, platform, campaign, impressions, clicks, cost in rows[1:]:
            parsed = dt.datetime.strptime(day, "%d.%m.%Y").date()
            assert parsed.year == year and re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", day)
            assert platform in {"Google Ads", "LinkedIn Ads", "Meta Ads"}
            assert campaign in paid_ga4
            assert re.fullmatch(r"\d{1,3}( \d{3})*", impressions) and re.fullmatch(
                r"\d{1,3}( \d{3})*", clicks
            )
            assert re.fullmatch(r"\d{1,3}( \d{3})*,\d{2}", cost), cost
            days.add(parsed)
    assert min(days) == FIRST and max(days) == LAST


def test_data_covers_exactly_2025_and_2026(ga4: list[dict[str, str]]) -> None:
    days = {dt.datetime.strptime(r["Date"], "%Y%m%d").date() for r in ga4}
    assert min(days) == FIRST and max(days) == LAST and len(days) == 730


def test_inbound_leads_never_exceed_the_ga4_key_events_of_their_campaign_and_day(
    ga4: list[dict[str, str]], contacts: list[dict[str, str]]
) -> None:
    key_events: dict[tuple[str, str], int] = defaultdict(int)
    for r in ga4:
        key_events[(r["Date"], r["Session campaign"])] += int(r["Key events"])
    leads: Counter[tuple[str, str]] = Counter()
    for c in contacts:
        if c["Lead Source"] == "inbound" and c["Original Source Drill-Down 2"]:
            day = _hs_date(c["Became a Lead Date"]).strftime("%Y%m%d")
            leads[(day, c["Original Source Drill-Down 2"])] += 1
    assert leads, "campaign-tagged inbound leads exist"
    over = {k: (n, key_events[k]) for k, n in leads.items() if n > key_events[k]}
    assert not over


# -- OKR definitions ---------------------------------------------------------------------------
def test_okr_campaign_slugs_exist_in_the_data(ga4: list[dict[str, str]]) -> None:
    in_data = {r["Session campaign"] for r in ga4}
    used = set()
    for kr in _key_results():
        used |= set(_as_list((kr.get("filter") or {}).get("campaign", [])))
        for initiative in kr.get("initiatives") or []:
            used |= set(initiative.get("campaigns") or [])
    assert used, "the OKRs reference campaigns"
    assert used <= in_data, sorted(used - in_data)


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def test_okrs_use_every_measure_type_and_commitment() -> None:
    krs = _key_results()
    measures = {kr.get("measure", "last" if kr["metric"] == "checkins" else "sum") for kr in krs}
    assert measures == {"sum", "avg", "last", "min", "max", "ratio"}
    assert {kr.get("type", "progress") for kr in krs} == {"progress", "stay_above", "stay_below"}
    assert {kr.get("commitment", "committed") for kr in krs} == {"committed", "aspirational"}
    assert any(
        kr.get("type", "progress") == "progress" and kr["target"] < kr.get("baseline", 0) for kr in krs
    )
    assert any("change_reason" in kr for kr in krs) and any("start" in kr and "end" in kr for kr in krs)


def test_each_cycle_has_a_company_objective_above_its_team_objectives() -> None:
    for doc in _okr_docs():
        objectives = {o["id"]: o for o in doc["objectives"]}
        companies = {i for i, o in objectives.items() if not o.get("key_results")}
        assert len(companies) == 1, doc["cycle"]
        teams = [o for o in objectives.values() if o.get("key_results")]
        assert len(teams) >= 2 and all(o.get("parent") in companies for o in teams), doc["cycle"]
        assert 12 <= sum(len(o["key_results"]) for o in teams) <= 16, doc["cycle"]


def test_checkins_feed_the_checkins_metric_and_override_one_data_fed_kr() -> None:
    krs = {kr["id"]: kr for kr in _key_results()}
    on_checkins = {i for i, kr in krs.items() if kr["metric"] == "checkins"}
    with (REPO / "okrs" / "checkins.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["kr_id", "date", "value", "confidence", "note", "author", "override"]
    assert {r["kr_id"] for r in rows if not r["override"]} == on_checkins
    overrides = [r for r in rows if r["override"]]
    # One override, on a data-fed KR of the current cycle, with the note and author it needs.
    assert [r["kr_id"] for r in overrides] == ["DEMAND-Q4-2.3"] and overrides[0]["override"] == "true"
    assert krs["DEMAND-Q4-2.3"]["metric"] != "checkins" and overrides[0]["note"] and overrides[0]["author"]
    for r in rows:
        dt.date.fromisoformat(r["date"])
        float(r["value"])
