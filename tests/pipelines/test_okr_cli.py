"""The `okr` command end to end, as a user runs it: a real Dagster run on a temporary workspace."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from pipelines.workspace_lock import WorkspaceLock
from tests.conftest import DEMO_NIGHT, DemoNight
from tests.helpers import copy_demo_workspace, okr


def crawl_in_chromium(site: Path) -> None:
    """Every page of the published demo site, Data Docs included, loads from disk in Chromium with
    no script error, no failed or external request, and no broken local link."""
    if not Path("/usr/bin/chromium").exists() and os.environ.get("OKR_REQUIRE_CHROMIUM") != "1":
        return
    from playwright.sync_api import sync_playwright

    pages = sorted(site.rglob("*.html"))
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic"],
        )
        # One tab visits every page (a tab per page started a renderer process each): a problem is
        # named after the page being visited, so a late one from the page before is still caught.
        page = browser.new_page()
        name = [""]
        page.on("pageerror", lambda e: problems.append(f"{name[0]}: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"{name[0]}: failed {r.url}"))
        page.on(
            "request",
            lambda r: (
                problems.append(f"{name[0]}: external {r.url}")
                if not r.url.startswith(("file:", "data:", "blob:"))
                else None
            ),
        )
        for page_path in pages:
            name[0] = str(page_path.relative_to(site))
            page.goto(page_path.as_uri(), wait_until="load")
            for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
                target = href.split("#")[0].split("?")[0]
                local = target and "://" not in target and not target.startswith(("mailto:", "javascript:"))
                if local and not (page_path.parent / target).exists():
                    problems.append(f"{name[0]}: broken link {href}")
        browser.close()
    assert len(pages) > 50
    assert not problems, "\n".join(problems[:20])


def test_validate_ok_and_errors(tmp_path: Path) -> None:
    ws = copy_demo_workspace(tmp_path)
    ok = okr(ws, "validate")
    assert ok.returncode == 0 and "40 key results" in ok.stdout
    q4 = ws / "okrs" / "2026-Q4.yml"
    q4.write_text(q4.read_text().replace("metric: leads", "metric: leeds", 1))
    bad = okr(ws, "validate")
    assert bad.returncode == 1
    assert "okrs/2026-Q4.yml:" in bad.stderr and "unknown metric 'leeds'" in bad.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    ws = copy_demo_workspace(tmp_path)
    assert okr(ws, "run", "--as-of", "26.11.2026").returncode == 2
    assert okr(ws, "run", "--as-of", "2099-01-01").returncode == 2
    assert okr(ws, "frobnicate").returncode == 2
    assert okr(ws, "backfill", "--from", "2026-11-20", "--to", "2026-11-19").returncode == 2


def test_failures_are_one_block_without_a_stack_trace(tmp_path: Path) -> None:
    ws = copy_demo_workspace(tmp_path)
    (ws / "settings.yml").write_text("timezone: Mars/Olympus\n")
    bad = okr(ws, "run")
    assert bad.returncode == 1 and bad.stderr.startswith("error: ") and "Mars/Olympus" in bad.stderr
    assert "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    debug = okr(ws, "run", "--debug")
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "Mars/Olympus" in debug.stderr


def test_a_second_run_exits_2_naming_the_holder(tmp_path: Path) -> None:
    ws = copy_demo_workspace(tmp_path)
    lock = WorkspaceLock(ws / "data" / ".okr" / "run.lock", command="okr run --as-of 2026-11-25")
    with lock.acquire():
        busy = okr(ws, "run", "--as-of", DEMO_NIGHT)
    assert busy.returncode == 2, busy.stderr
    line = busy.stderr.strip()
    assert "\n" not in line and line.startswith("error: another run is using this workspace: ")
    assert f"PID {os.getpid()} (okr run --as-of 2026-11-25), started 20" in line and "--wait" in line
    assert not (ws / "build" / "scorecard").exists() and not (ws / "data" / "warehouse.duckdb").exists()


@pytest.mark.slow
@pytest.mark.timeout(3600)  # four real runs: on a loaded CI machine well beyond the 900 s default
def test_nightly_run_on_demo_workspace(demo_night: DemoNight, tmp_path: Path) -> None:
    assert (
        "2026-11-26: 40 key results: 11 on track, 3 at risk, 2 off track, 0 stale, 0 without data "
        "(13 achieved, 11 missed, 0 not started)"
    ) in demo_night.stdout
    assert "checks failed: 0 ERROR" in demo_night.stdout
    # Progress as plain lines (not a terminal), with dbt's and Dagster's output in the log it names.
    progress = demo_night.stderr
    assert "] dbt: scoring ..." in progress and "] publish the scorecard: done in " in progress
    assert "START sql" not in progress + demo_night.stdout and "Warning" not in progress
    log = Path(re.search(r"\(log: (\S+\.log)\)", progress).group(1))
    assert "START sql view model" in log.read_text()
    ws = demo_night.copy_to(tmp_path / "ws")
    out = ws / "build" / "scorecard"
    card = json.loads((out / "scorecard.json").read_text())
    assert card["as_of"] == "2026-11-26" and card["schema_version"] == 1
    assert card["cycles"] == ["2025-Q4", "2026-Q3", "2026-Q4"]
    kr = {k["id"]: k for k in card["key_results"]}
    assert set(kr) >= {"GROWTH-Q4-1.1", "SALES-Q4-3.4"}
    assert kr["SALES-Q4-3.4"]["status"] == "off_track"
    assert kr["GROWTH-Q4-1.1"]["forecast"]["method"] == "run_rate_14d"
    assert all("checks" in k for k in card["key_results"])
    company = [o for o in card["objectives"] if o["level"] == "company"]
    assert {o["id"] for o in company} == {"COMPANY-25Q4", "COMPANY-Q3", "COMPANY-Q4"}
    assert all(o["children"] for o in company)
    assert (out / "index.html").exists() and (out / "scorecard.csv").exists() and (out / "quality").is_dir()
    crawl_in_chromium(out)

    # A rescored past date in Finnish: history grows, the site speaks Finnish.
    fi = okr(ws, "run", "--as-of", "2026-11-20", "--lang", "fi")
    assert fi.returncode == 0, fi.stderr[-3000:]
    assert 'lang="fi"' in (out / "index.html").read_text()
    assert json.loads((out / "scorecard.json").read_text())["as_of"] == "2026-11-20"

    # A backfill scores and keeps history, but never replaces the published scorecard with an
    # older day than the newest scored one (2026-11-26).
    backfill = okr(ws, "backfill", "--from", "2026-11-19", "--to", "2026-11-19")
    assert backfill.returncode == 0, backfill.stderr[-3000:]
    assert "2026-11-19: 40 key results" in backfill.stdout
    assert json.loads((out / "scorecard.json").read_text())["as_of"] == "2026-11-20"

    # Duplicate CRM ids: an ERROR check blocks only the KRs fed by HubSpot contacts; the rest is scored.
    import duckdb

    con = duckdb.connect(str(ws / "data" / "warehouse.duckdb"))
    con.execute("INSERT INTO raw.hubspot_contacts SELECT * FROM raw.hubspot_contacts LIMIT 1")
    con.close()
    blocked = okr(ws, "run", "--as-of", "2026-11-26")
    assert blocked.returncode == 1, blocked.stderr[-2000:]
    assert "not scored because a data check failed" in blocked.stderr
    card = json.loads((out / "scorecard.json").read_text())
    by_metric: dict[str, set[str]] = {}
    for k in card["key_results"]:
        if k["cycle"] == "2026-Q4":
            by_metric.setdefault(k["metric"], set()).add(k["status"])
    assert by_metric["leads"] == {"stale"} and by_metric["mqls"] == {"stale"}
    assert "stale" not in by_metric["sessions"] and "stale" not in by_metric["won_revenue"]
    leads_kr = next(k for k in card["key_results"] if k["id"] == "GROWTH-Q4-1.1")
    assert leads_kr["status_reason"].startswith("data check failed: ")
    assert any(c["severity"] == "ERROR" and not c["passed"] for c in leads_kr["checks"])
    assert card["data_health"]["failed_checks"]["ERROR"] >= 1

    # Broken definitions stop the run before any data is touched; the scorecard stays as it was.
    before = (out / "scorecard.json").read_bytes()
    q4 = ws / "okrs" / "2026-Q4.yml"
    q4.write_text(q4.read_text().replace("target: 2000", "target: zero", 1))
    failed = okr(ws, "run", "--as-of", "2026-11-26")
    assert failed.returncode == 1 and "must be a number" in failed.stderr
    assert (out / "scorecard.json").read_bytes() == before
