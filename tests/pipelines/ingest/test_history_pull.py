"""`okr ingest --from 2025-12-01 --to 2026-11-30`: a year of all nine APIs (loopback imitations) in
one Dagster run, each API asked for the whole range at once, the request counts per source printed;
then a pull where one source fails: named, the other loads. With a persistent Dagster instance,
the run records each asset's every day once; a backfill pulls once and scores without the APIs."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from connectors.registry import sources
from pipelines import cli
from pipelines.settings import REPO_ROOT
from tests.connectors.history_fakes import SECRET_PREFIXES, SOURCES, HistoryFakes, serve_history
from tests.helpers import make_workspace

START, END = dt.date(2025, 12, 1), dt.date(2026, 11, 30)
DAYS = (END - START).days + 1
OKRS = {
    "cycle": "2026-Q4",
    "objectives": [
        {
            "id": "PAID-Q4",
            "title": "Paid media",
            "owner": "Head of Growth",
            "team": "growth",
            "key_results": [{"id": "ADS-1", "title": "Spend", "metric": "ad_spend", "target": 1000}],
        }
    ],
}


@pytest.fixture
def fakes() -> Iterator[HistoryFakes]:
    served = serve_history(START, END)
    yield served
    served.stop()


def okr(ws: Path, *args: str, env: dict[str, str], instance: bool = True) -> subprocess.CompletedProcess:
    """The CLI in the workspace; with a persistent Dagster instance (DAGSTER_HOME) unless not
    `instance` (then the run's own in-memory one, as for a user without DAGSTER_HOME)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OKR_", "DAGSTER_", *SECRET_PREFIXES))}
    clean.update({**env, "OKR_WORKSPACE": str(ws)})
    if instance:
        clean["DAGSTER_HOME"] = str(ws / "dagster_home")
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=900,
        cwd=REPO_ROOT,
        check=False,
    )


def table_rows(ws: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(ws / "data" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def materializations(ws: Path) -> tuple[Counter, set[str]]:
    """Materialization records per raw table in the workspace's Dagster instance, and the runs
    that wrote them."""
    import dagster as dg

    counts: Counter = Counter()
    runs: set[str] = set()
    with dg.DagsterInstance.from_config(str(ws / "dagster_home")) as instance:
        for d in sources():
            for t in d.raw_tables:
                key = dg.AssetKey(["raw", t.name])
                found = instance.fetch_materializations(dg.AssetRecordsFilter(asset_key=key), limit=10000)
                counts[t.name] = len(found.records)
                runs |= {r.event_log_entry.run_id for r in found.records}
    return counts, runs


@pytest.mark.slow
def test_a_year_of_every_api_in_one_run_with_request_counts(tmp_path: Path, fakes: HistoryFakes) -> None:
    # Without DAGSTER_HOME: a persistent instance records each asset's every day (next test),
    # about 6,000 SQLite writes for a year, which are Dagster's and not what this test is about.
    make_workspace(tmp_path, {"2026-Q4.yml": OKRS})
    (tmp_path / "sources.yml").write_text(fakes.sources_yml())

    args = ("ingest", "--from", START.isoformat(), "--to", END.isoformat())
    pull = okr(tmp_path, *args, env=fakes.env, instance=False)
    out = pull.stdout + pull.stderr
    assert pull.returncode == 0, out[-4000:]

    # Every API was asked for the whole year at once: a handful of requests, never one per day.
    served = fakes.requests_served()
    titles = {d.name: d.title for d in sources()}
    for name in SOURCES:
        line = next((x for x in pull.stdout.splitlines() if f"{titles[name]} ({name}):" in x), None)
        assert line is not None, f"no request count for {name} in:\n{pull.stdout}"
        assert f" {served[name]:,} request" in line, f"{name}: the server answered {served[name]}: {line}"
        assert served[name] < 20, f"{name}: {served[name]} requests for a year"
    assert served["ga4"] == 1  # one report with the date dimension
    assert served["matomo"] == 1  # one period=day call over the range
    assert "9 of 9 source(s) loaded" in pull.stdout and "in one run" in pull.stdout
    assert "(1 asset, 1 check)" in pull.stderr  # the progress: a CRM stream's step
    ga4_days = table_rows(
        tmp_path, "select min(report_date), max(report_date), count(*) from raw.ga4_daily_report"
    )
    assert ga4_days == [(START, END, 2 * DAYS)]
    for table in ("google_ads_campaign_days", "meta_ads_campaign_days", "linkedin_ads_campaign_days"):
        [(first, last, n)] = table_rows(
            tmp_path, f"select min(spend_date), max(spend_date), count(*) from raw.{table}"
        )
        assert (first, last, n) == (START, END, 2 * DAYS), table
    weekdays = sum(1 for i in range(DAYS) if (START + dt.timedelta(days=i)).weekday() < 5)
    assert table_rows(tmp_path, "select count(*) from raw.matomo_daily_report") == [(weekdays,)]
    assert table_rows(tmp_path, "select count(*) from raw.hubspot_contacts") == [((DAYS + 1) // 2,)]
    for secret in fakes.env.values():
        assert secret not in out

    # A second pull of two sources, one with a refused token: it is named in one sentence, the
    # other loads, the exit code is 1; unchanged GA4 rows are not rewritten.
    loaded_at = table_rows(tmp_path, "select max(_loaded_at) from raw.ga4_daily_report")
    again = okr(
        tmp_path,
        "ingest",
        "--source",
        "ga4",
        "--source",
        "matomo",
        "--from",
        START.isoformat(),
        "--to",
        END.isoformat(),
        env={**fakes.env, "MATOMO_TOKEN": "f" * 32},
        instance=False,
    )
    assert again.returncode == 1, again.stdout + again.stderr
    assert "1 source(s) failed to load (Matomo)" in again.stderr
    matomo_line = next(x for x in again.stdout.splitlines() if "Matomo (matomo) failed after 1 request:" in x)
    assert "MATOMO_TOKEN" in matomo_line and "f" * 32 not in again.stdout + again.stderr
    assert "Google Analytics 4 (ga4): 1 request" in again.stdout
    assert table_rows(tmp_path, "select max(_loaded_at) from raw.ga4_daily_report") == loaded_at
    assert table_rows(tmp_path, "select count(*) from raw.matomo_daily_report") == [(weekdays,)]


@pytest.mark.slow
def test_a_persistent_instance_records_each_day_of_the_range_once(
    tmp_path: Path, fakes: HistoryFakes
) -> None:
    """One run, one step and one result per asset: Dagster records each day of a daily stream's
    range as materialized once (the partition status), a CRM stream once."""
    make_workspace(tmp_path, {"2026-Q4.yml": OKRS})
    (tmp_path / "dagster_home").mkdir()
    (tmp_path / "sources.yml").write_text(fakes.sources_yml())
    first, last = dt.date(2026, 11, 1), dt.date(2026, 11, 14)
    pull = okr(tmp_path, "ingest", "--from", first.isoformat(), "--to", last.isoformat(), env=fakes.env)
    assert pull.returncode == 0, (pull.stdout + pull.stderr)[-4000:]

    counts, runs = materializations(tmp_path)
    days = (last - first).days + 1
    assert dict(counts) == {d.table: days if d.kind == "daily" else 1 for s in sources() for d in s.streams}
    assert len(runs) == 1
    assert table_rows(tmp_path, "select count(*) from raw.ga4_daily_report") == [(2 * days,)]


def test_an_unknown_or_disabled_source_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In this process (the CLI's own `main`): a usage error is found before any run starts."""
    make_workspace(tmp_path, {"2026-Q4.yml": OKRS})
    (tmp_path / "sources.yml").write_text(
        "exports: {enabled: false}\nga4: {enabled: false, property_id: '1'}\n"
    )
    for name in [k for k in os.environ if k.startswith(("OKR_", "DAGSTER_", *SECRET_PREFIXES))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("OKR_WORKSPACE", str(tmp_path))

    def ingest(*args: str) -> tuple[int, str]:
        code = cli.main(["ingest", *args, "--from", "2026-11-01", "--to", "2026-11-02"])
        return code, capsys.readouterr().err

    unknown = ingest("--source", "nope")
    assert unknown[0] == 2 and "no source called" in unknown[1]
    disabled = ingest("--source", "ga4")
    assert disabled[0] == 2 and "ga4 is not enabled" in disabled[1]
    none = ingest()
    assert none[0] == 2 and "no API source is enabled" in none[1]


@pytest.mark.slow
def test_backfill_pulls_the_range_once_then_scores_without_the_apis(
    tmp_path: Path, fakes: HistoryFakes
) -> None:
    okrs = {
        **OKRS,
        "objectives": [
            {
                **OKRS["objectives"][0],
                "key_results": [
                    {
                        "id": "ADS-1",
                        "title": "Meta spend",
                        "metric": "ad_spend",
                        "target": 1000,
                        "unit": "EUR",
                    },
                    {**OKRS["objectives"][0]["key_results"][0], "id": "ADS-2", "metric": "ad_clicks"},
                ],
            }
        ],
    }
    okrs["objectives"][0]["key_results"][0]["filter"] = {"platform": "Meta Ads"}
    make_workspace(tmp_path, {"2026-Q4.yml": okrs})
    (tmp_path / "dagster_home").mkdir()
    (tmp_path / "sources.yml").write_text(fakes.sources_yml())

    run = okr(tmp_path, "backfill", "--from", "2026-11-24", "--to", "2026-11-26", env=fakes.env)
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    assert "Meta Ads (meta_ads): " in run.stdout and "9 of 9 source(s) loaded" in run.stdout
    served = fakes.requests_served()
    assert served["ga4"] == 1 and served["matomo"] == 1  # the range once, not again by the scoring run
    log = Path(re.search(r"\(log: (\S+\.log)\)", run.stderr).group(1)).read_text()
    python_warnings = re.findall(r"\w+Warning: .*", log)  # not dbt's "Warning in test ..." lines
    assert not python_warnings, f"Dagster's warnings reach the run's log: {python_warnings}"

    card = json.loads((tmp_path / "build" / "scorecard" / "scorecard.json").read_text())
    actual = {k["id"]: k["actual"] for k in card["key_results"]}
    assert actual["ADS-1"] == pytest.approx(3 * (20 + 10))  # Meta's two campaigns, three days
    counts, runs = materializations(tmp_path)
    assert counts["meta_ads_campaign_days"] == 3 and counts["hubspot_contacts"] == 1
    assert len(runs) == 1  # the pull's run; the scoring run left the raw assets alone
