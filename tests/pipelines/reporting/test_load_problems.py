"""What failed to load, read from a real warehouse (raw.source_load_status, raw.export_files), and
the operational alert that names it, posted to a real webhook server on loopback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.exports import load_export_folder
from connectors.load_status import record_load
from connectors.raw_tables import ensure_raw_tables
from connectors.warehouse import DuckDBWarehouse
from pipelines.reporting.health import _load_groups, load_line
from pipelines.reporting.ledger import Ledger
from pipelines.reporting.load_alerts import send_load_alerts
from pipelines.reporting.load_problems import MAX_PROBLEMS, read_load_problems
from pipelines.reporting.report import texts
from tests.connectors.fake_http import FakeApi, Reply

HEADER = "Date,Session default channel group,Session source,Session medium,Session campaign,Sessions,Total users,New users,Engaged sessions,Key events"  # noqa: E501
GOOD = "20261101,Direct,(direct),(none),(direct),310,290,120,150,2"
AS_OF = dt.date(2026, 11, 26)


@pytest.fixture
def warehouse(tmp_path: Path) -> DuckDBWarehouse:
    wh = DuckDBWarehouse(tmp_path / "wh.duckdb")
    ensure_raw_tables(wh)
    return wh


def test_nothing_failed_is_empty(warehouse: DuckDBWarehouse) -> None:
    record_load(warehouse, "hubspot", ["hubspot_contacts", "hubspot_deals"])
    problems = read_load_problems(warehouse)
    assert not problems and problems.summary() == "" and problems.sentences() == []
    assert problems.as_json() == {"failed_sources": [], "rejected_files": [], "rejected_rows": 0}


def test_one_entry_per_source_and_file_with_counts(warehouse: DuckDBWarehouse, tmp_path: Path) -> None:
    at = dt.datetime(2026, 11, 25, 3, 0)
    record_load(warehouse, "hubspot", ["hubspot_contacts", "hubspot_deals"], at=at)
    record_load(warehouse, "hubspot", ["hubspot_contacts", "hubspot_deals"], error="connection refused")
    record_load(warehouse, "plausible", ["plausible_daily"], error="PLAUSIBLE_API_KEY is not set")
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "good.csv").write_text(f"{HEADER}\n{GOOD}\n")
    bad_lines = "".join(f"2026110{i % 9 + 1},Direct,x{i},(none),(direct),NaN,1,1,1,1\n" for i in range(30))
    (folder / "many.csv").write_text(f"{HEADER}\n{bad_lines}")
    (folder / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    load_export_folder(warehouse, folder)
    problems = read_load_problems(warehouse)
    assert problems.summary() == "2 sources failed (HubSpot, Plausible), 2 export files rejected (30 rows)"
    hubspot, plausible = problems.sources
    assert (
        hubspot.raw_tables == ["hubspot_contacts", "hubspot_deals"] and hubspot.error == "connection refused"
    )
    assert hubspot.sentence().startswith("HubSpot failed to load (data as of 2026-11-25 03:00 UTC kept)")
    assert plausible.sentence() == "Plausible failed to load (never loaded): PLAUSIBLE_API_KEY is not set"
    many, old = problems.files
    assert (many.file_name, many.rejected_rows, many.problem_count) == ("many.csv", 30, 30)
    assert len(many.problems) == MAX_PROBLEMS  # the page lists the first ones and counts the rest
    assert many.problems[0] == {"line": 2, "column": "Sessions", "problem": "cannot read 'NaN' as a number"}
    assert old.sentence().startswith("Export file rejected: old.xls: an Excel 97-2003 workbook")
    assert len(problems.sentences()) == 4


@pytest.fixture
def receiver() -> Iterator[FakeApi]:
    api = FakeApi()
    for path in ("/slack", "/teams", "/hook"):
        api.routes[("POST", path)] = lambda _r: Reply(200, "ok")
    yield api.start()
    api.stop()


HEALTH = {
    "failed_sources": [
        {"source": "hubspot", "title": "HubSpot", "error": "connection refused", "krs_affected": 4}
    ],
    "rejected_files": [
        {
            "file_name": "ga4/x.csv",
            "error": "ga4/x.csv: line 3, column 'Sessions': cannot read 'NaN'",
            "rejected_rows": 1,
            "problems": [],
            "problem_count": 1,
        },
    ],
    "rejected_rows": 1,
}
SETTINGS = {
    "slack_webhook_env": "S",
    "teams_webhook_env": "T",
    "webhook_env": "W",
    "scorecard_url": "https://x/okr/",
}


def _env(receiver: FakeApi) -> dict[str, str]:
    return {
        "S": f"{receiver.base_url}/slack",
        "T": f"{receiver.base_url}/teams",
        "W": f"{receiver.base_url}/hook",
    }


def test_load_alert_names_each_failure_on_every_channel(receiver: FakeApi) -> None:
    report = send_load_alerts(HEALTH, SETTINGS, as_of=AS_OF, environ=_env(receiver))
    assert report.posted == ["slack", "teams", "webhook"] and report.failed == []
    slack, teams, hook = (r.json() for r in receiver.requests)
    slack_text = "\n".join(b["text"]["text"] for b in slack["blocks"][1:])
    assert "HubSpot failed to load: 4 key results affected." in slack_text
    assert "HubSpot: connection refused" in slack_text and "ga4/x.csv: line 3" in slack_text
    assert "<https://x/okr/data-health.html|" in slack_text
    card = teams["attachments"][0]["content"]
    assert any("HubSpot: connection refused" in b.get("text", "") for b in card["body"])
    assert hook["event"] == "okr.load_failed" and hook["as_of"] == "2026-11-26"
    assert hook["failures"] == ["HubSpot: connection refused", HEALTH["rejected_files"][0]["error"]]


def test_load_alert_in_finnish(receiver: FakeApi) -> None:
    settings = {"webhook_env": "W", "lang": "fi"}
    send_load_alerts(HEALTH, settings, as_of=AS_OF, environ=_env(receiver))
    [hook] = [r.json() for r in receiver.requests]
    assert hook["title"] == "OKR-datan lataus epäonnistui päivälle 26.11.2026"
    assert hook["summary"].startswith("Lähteen HubSpot lataus epäonnistui: koskee 4 avaintulosta.")


def test_no_load_alert_when_everything_loaded_or_for_an_older_day(receiver: FakeApi) -> None:
    clean = {"failed_sources": [], "rejected_files": [], "rejected_rows": 0}
    assert (
        send_load_alerts(clean, SETTINGS, as_of=AS_OF, environ=_env(receiver)).skipped == "everything loaded"
    )
    older = send_load_alerts(HEALTH, SETTINGS, as_of=AS_OF, newest_as_of=AS_OF + dt.timedelta(days=3))
    assert older.posted == [] and "not the newest" in (older.skipped or "")
    assert send_load_alerts(HEALTH, None, as_of=AS_OF).skipped == "off"
    assert receiver.requests == []


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["Plausible failed to load; no key result uses it.", "1 export file rejected (1 row)."]),
        ("fi", ["Lähteen Plausible lataus epäonnistui; mikään avaintulos ei käytä sitä.",
                "1 vientitiedosto hylätty (1 rivi)."]),
    ],
)  # fmt: skip
def test_load_line_singular_and_a_source_no_key_result_reads(lang: str, expected: list[str]) -> None:
    health = {**HEALTH, "failed_sources": [{"source": "plausible", "title": "Plausible", "krs_affected": 0}]}
    t, fmt = texts(lang).t, texts(lang).fmt
    assert load_line(health, t, fmt) == expected
    groups = _load_groups(health, t, fmt, {})
    assert (
        groups[-1]
        .files[0]
        .sentence.startswith(
            "ga4/x.csv was not loaded: 1 row has a problem."
            if lang == "en"
            else "Tiedostoa ga4/x.csv ei ladattu: 1 rivillä"
        )
    )


def test_load_alert_posts_a_day_once_and_nothing_for_a_backfill(receiver: FakeApi, tmp_path: Path) -> None:
    ledger = Ledger(DuckDBWarehouse(tmp_path / "wh.duckdb"))
    first = send_load_alerts(HEALTH, SETTINGS, as_of=AS_OF, environ=_env(receiver), ledger=ledger)
    again = send_load_alerts(HEALTH, SETTINGS, as_of=AS_OF, environ=_env(receiver), ledger=ledger)
    assert first.posted == ["slack", "teams", "webhook"]
    assert again.posted == [] and again.already_posted == ["slack", "teams", "webhook"]
    assert again.skipped == "already posted" and len(receiver.requests) == 3
    # A new failure the same day is news; the next day the lasting failure is reported again.
    worse = {**HEALTH, "failed_sources": [*HEALTH["failed_sources"], {"source": "plausible", "error": "x"}]}
    assert send_load_alerts(worse, SETTINGS, as_of=AS_OF, environ=_env(receiver), ledger=ledger).posted
    next_day = AS_OF + dt.timedelta(days=1)
    assert send_load_alerts(HEALTH, SETTINGS, as_of=next_day, environ=_env(receiver), ledger=ledger).posted
    assert len(receiver.requests) == 9
    backfill = send_load_alerts(HEALTH, SETTINGS, as_of=AS_OF, environ=_env(receiver), backfill=True)
    assert backfill.skipped == "backfill" and len(receiver.requests) == 9


def test_load_alert_keeps_within_slack_limits(receiver: FakeApi) -> None:
    long = {
        "failed_sources": [
            {"source": f"s{i}", "title": "<b>" + "x" * 5000, "error": "&" * 5000, "krs_affected": 1}
            for i in range(60)
        ],
        "rejected_files": [],
    }
    send_load_alerts(long, {"slack_webhook_env": "S", "max_items": 45}, as_of=AS_OF, environ=_env(receiver))
    [slack] = [r.json() for r in receiver.requests]
    assert len(slack["blocks"]) <= 50 and len(slack["text"]) <= 3000
    assert len(slack["blocks"][0]["text"]["text"]) <= 150
    assert all(len(b["text"]["text"]) <= 3000 for b in slack["blocks"][1:])
    assert "<b>" not in slack["text"] and "<b>" not in "".join(b["text"]["text"] for b in slack["blocks"])
