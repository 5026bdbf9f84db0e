# ruff: noqa: E501 - data records read better one per line
"""publish_scorecard: the pages it writes, the archive of past cycles, extra folders, bad input."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from reporting_fixture import make_history, make_metrics, make_scorecard

from pipelines.reporting.publish import PublishResult, ScorecardError, publish_scorecard


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _visible(html: str) -> str:
    """Page text without tags, whitespace collapsed (what a reader sees)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_writes_a_page_per_kr_objective_team_and_past_cycle(published_en: PublishResult) -> None:
    out = published_en.out_dir
    card = make_scorecard()
    for kr in card["key_results"]:
        assert (out / "krs" / f"{kr['id']}.html").is_file(), kr["id"]
    for obj in card["objectives"]:
        assert (out / "objectives" / f"{obj['id']}.html").is_file(), obj["id"]
    assert sorted(p.name for p in (out / "teams").iterdir()) == ["company.html", "growth.html", "sales.html"]
    assert (out / "archive" / "index.html").is_file()
    assert (out / "archive" / "2026-Q3.html").is_file()
    assert published_en.past_cycles == ["2026-Q3"]
    assert published_en.kr_pages == 10
    assert not list(out.parent.glob(".scorecard.staging-*")), "staging folder left behind"


def test_overview_shows_as_of_counts_attention_and_tree(published_en: PublishResult) -> None:
    html = _text(published_en.index_html)
    text = _visible(html)
    assert "Scores as of 26 Nov 2026 · 2026-Q4 (1 Oct 2026 – 31 Dec 2026, in progress)" in text
    assert "Newest data 26 Nov 2026; oldest data used by a key result 20 Nov 2026." in text
    assert "2 key results are stale or have no data." in text
    # Counts in the one status order, each a link to the list of its KRs.
    counts = re.findall(r'href="(status/\w+\.html)"><span class="counts__n">(\d+)</span>', html)
    assert counts == [
        ("status/on_track.html", "3"), ("status/at_risk.html", "1"), ("status/off_track.html", "1"),
        ("status/stale.html", "1"), ("status/no_data.html", "1"), ("status/not_started.html", "1"),
        ("status/achieved.html", "0"), ("status/missed.html", "0"),
    ]  # fmt: skip
    at_risk = _visible(_text(published_en.out_dir / "status" / "at_risk.html"))
    assert "Key results: At risk" in at_risk and "Kasvata orgaanista liikennettä 125 000 istuntoon" in at_risk
    # Needs attention: worst first, each with its reason in a sentence, owner and 7-day trend.
    attention = _visible(html[html.index('id="attention-h"') : html.index('id="tree-h"')])
    assert attention.index("✖ Off track") < attention.index("▲ At risk") < attention.index("◐ Stale data")
    assert attention.index("◐ Stale data") < attention.index("? No data")
    assert (
        "Cut paid cost per lead from 95 EUR to 75 EUR Make inbound our main growth engine ✖ Off track "
        "Score 0.32 where 0.62 is expected by now. Paid media manager ↑ up 0.04"
    ) in attention
    assert (
        "at this pace it ends at 60,407 sessions against a target of 125,000 sessions (48.3% of the way)"
        in attention
    )
    assert "more than 2 days before 26 Nov 2026. Head of Sales" in attention
    assert "On track" not in attention  # on-track KRs need no attention
    # The tree: the company objective first, its two team objectives nested inside its section.
    tree = html[html.index('id="tree-h"') :]
    company = tree.index("Grow recurring revenue profitably across the Nordics")
    growth = tree.index("Make inbound our main growth engine")
    sales = tree.index("Turn pipeline into revenue")
    assert company < growth < sales
    assert html.count('class="objective objective--company"') == 1
    assert html.count('class="objective objective--team"') == 2
    # Past cycles are not on the overview.
    assert "Grow qualified website traffic through the quiet summer" not in html


def test_kr_page_has_numbers_chart_definition_initiatives_and_changes(published_en: PublishResult) -> None:
    html = _text(published_en.out_dir / "krs" / "GROWTH-Q4-1.1.html")
    text = _visible(html)
    for expected in (
        "Baseline 0 leads",
        "Target 2,000 leads",
        "Actual 1,240 leads",
        "Progress 62%",
        "Score 0.62",
        "Expected by now 0.62",
        "Forecast at end 2,028 leads",
        "Data through 26 Nov 2026",
        "Days elapsed 57 of 92",
        "Owner Head of Growth",
        "lead_source : inbound, event",
        "New contacts that became leads, by the day they became a lead.",
        "Webinar series on data-driven marketing Content lead In progress 30 Nov 2026 188 leads "
        "webinar-q4-2026",
        "Partner co-marketing kit Partner manager Planned 15 Nov 2026 ⚠ Overdue",
        "20 Oct 2026 · Definition change Target changed from 1,800 leads to 2,000 leads on 20 Oct 2026. "
        "Reason: Event season added to the plan",
        "hubspot_contacts: daily volume Warning ✖ Failed",
    ):
        assert expected in text, expected
    assert "{{ ref(&#39;stg_hubspot__contacts&#39;) }}" in html  # the metric SQL, escaped as text
    # Both charts as Vega-Lite specs, drawn by the vendored Vega in the browser.
    assert html.count('<script type="application/json" id="chart-') == 2
    assert '<script src="../assets/vega.min.js"></script>' in html
    assert (
        'role="img" aria-label="Line chart of Generate 2 000 inbound and event leads: actual 1,240 leads'
        in html
    )


def test_kr_chart_draws_the_pace_curve_and_the_forecast_band(published_en: PublishResult) -> None:
    html = _text(published_en.out_dir / "krs" / "GROWTH-Q4-1.1.html")
    start = html.index('<script type="application/json" id="chart-')
    spec = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    band, lines = spec["layer"]
    assert band["mark"]["type"] == "area"
    assert band["data"]["values"][-1] == {"date": "2026-12-31", "low": 1860.2, "high": 2194.8}
    assert lines["transform"][0] == {"flatten": ["date", "value"]}
    series = {s["series"]: s for s in spec["data"]["values"]}
    # The seasonal pace's curve, every point of it (baseline 0, target 2,000), not a straight line.
    assert series["Expected pace"]["value"] == [16, 560, 1239.2, 2000]
    assert series["Forecast"]["value"] == [1240, 2027.5]  # to p50, inside the band
    assert "Likely range by 31 Dec 2026: 1,860 leads to 2,195 leads." in spec["description"]
    assert "Seasonal pace needs" not in html
    # A seasonal pace without last year's data says so under the chart.
    fallback = _text(published_en.out_dir / "krs" / "GROWTH-Q4-1.2.html")
    assert "without usable data from then, the expected pace is a straight line." in fallback


def test_kr_without_checks_key_has_no_checks_section(published_en: PublishResult) -> None:
    html = _text(published_en.out_dir / "krs" / "GROWTH-Q4-1.3.html")
    assert "Data checks" not in html
    assert "No forecast for this measure." in html


def test_past_cycle_is_archived_with_final_scores(published_en: PublishResult) -> None:
    out = published_en.out_dir
    index = _visible(_text(out / "archive" / "index.html"))
    assert "2026-Q3 1 Jul 2026 – 30 Sept 2026 2 1" in index  # 2 KRs, 1 achieved
    page = _visible(_text(out / "archive" / "2026-Q3.html"))
    assert "Cycle 2026-Q3: final scores" in page
    assert (
        "Bring 42 000 sessions from organic search GROWTH-Q3-1.1 ★ Achieved SEO specialist 44,120 sessions"
        in page
    )
    assert "★ Achieved" in page and "✕ Missed" in page
    stored = json.loads(_text(out / "archive.json"))
    assert list(stored["cycles"]) == ["2026-Q3"]
    assert {k["id"] for k in stored["cycles"]["2026-Q3"]["key_results"]} == {"GROWTH-Q3-1.1", "GROWTH-Q3-1.2"}


def test_archived_cycle_survives_removal_of_its_definitions(tmp_path: Path) -> None:
    out = tmp_path / "scorecard"
    publish_scorecard(make_scorecard(), make_history(), make_metrics(), out)
    # Next quarter the Q3 file is gone from okrs/: the scorecard no longer has Q3.
    card = make_scorecard()
    card["objectives"] = [o for o in card["objectives"] if o["cycle"] != "2026-Q3"]
    card["key_results"] = [k for k in card["key_results"] if k["cycle"] != "2026-Q3"]
    history = [h for h in make_history() if not h["kr_id"].startswith("GROWTH-Q3")]
    result = publish_scorecard(card, history, make_metrics(), out)
    assert result.past_cycles == ["2026-Q3"]
    page = _text(out / "archive" / "2026-Q3.html")
    assert "Generate 1 150 inbound leads" in page
    kr_page = _text(out / "krs" / "GROWTH-Q3-1.1.html")
    assert kr_page.count('data-chart="chart-') == 2  # charts drawn from the archived history
    # The scorecard's own exports cover only this run's scorecard.
    assert "GROWTH-Q3" not in _text(out / "scorecard.csv")
    assert json.loads(_text(out / "scorecard.json")) == card


def test_quality_folder_is_copied_in_and_kept_by_later_runs(tmp_path: Path) -> None:
    docs = tmp_path / "data_docs"
    (docs / "validations").mkdir(parents=True)
    (docs / "index.html").write_text("<html><body>Data Docs</body></html>", encoding="utf-8")
    (docs / "validations" / "v.html").write_text("<p>v</p>", encoding="utf-8")
    out = tmp_path / "scorecard"
    publish_scorecard(make_scorecard(), [], make_metrics(), out, extra_dirs={"quality": docs})
    assert (out / "quality" / "validations" / "v.html").is_file()
    assert 'href="quality/index.html"' in _text(out / "index.html")
    # A run without extra_dirs keeps the quality/ folder of the previous publish.
    publish_scorecard(make_scorecard(), [], make_metrics(), out)
    assert _text(out / "quality" / "index.html") == "<html><body>Data Docs</body></html>"
    assert 'href="../quality/index.html"' in _text(out / "krs" / "GROWTH-Q4-1.1.html")
    # (history=[] in these tests: no score charts to draw, the tests are about the folders)


def test_before_swap_hook_adds_files_to_the_same_swap(tmp_path: Path) -> None:
    out = tmp_path / "scorecard"

    def add_note(staging: Path) -> None:
        assert (staging / "index.html").is_file()  # called after everything is written
        (staging / "run.txt").write_text("run 42", encoding="utf-8")

    result = publish_scorecard(make_scorecard(), [], make_metrics(), out, before_swap=add_note)
    assert (out / "run.txt").read_text(encoding="utf-8") == "run 42"
    assert Path("run.txt") in result.files


def test_data_health_is_shown_when_present(tmp_path: Path) -> None:
    card = make_scorecard()
    card["data_health"] = DATA_HEALTH
    publish_scorecard(card, [], make_metrics(), tmp_path / "s")
    text = _visible(_text(tmp_path / "s" / "index.html"))
    # One line on the overview; every count on the page adds up to the same checks.
    assert "⚠ sqls data 6 days late: 1 key result affected. 1 of 5 checks failed with errors; " in text
    page = _visible(_text(tmp_path / "s" / "data-health.html"))
    assert "2 of 5 checks failed on 26 Nov 2026: 1 error and 1 warning." in page
    assert (
        "Source Checks Error Warning HubSpot 3 1 0 Google Analytics 4 1 0 0 Key result checks 1 0 1" in page
    )
    assert "208 of 9,107 rows have created_at outside 1 Jan 2000 – 3 Dec 2026." in page
    assert "Cut paid cost per lead from 95 EUR to 75 EUR: not off track." in page
    assert "Metrics held back by a failed check leads: hubspot_contacts_structure failed" in page


def test_pace_fallback_is_a_definition_warning_on_the_data_health_page(tmp_path: Path) -> None:
    card = make_scorecard()
    card["data_health"] = DATA_HEALTH
    fallback = next(k for k in card["key_results"] if k["id"] == "GROWTH-Q4-1.2")
    assert fallback["pace_warning"] == "no_history"  # the fixture's one seasonal KR without last year
    publish_scorecard(card, [], make_metrics(), tmp_path / "en")
    page = _text(tmp_path / "en" / "data-health.html")
    text = html.unescape(_visible(page))
    assert "Definition warnings" in text
    assert (
        "Seasonal pace without last year's data (1 key result): its metric has no rows for the same days "
        "a year earlier, so the expected progress is a straight line. "
        "Kasvata orgaanista liikennettä 125 000 istuntoon (GROWTH-Q4-1.2): metric sessions, "
        "a year earlier 1 Oct 2025 – 31 Dec 2025."
    ) in text
    assert 'href="../krs/GROWTH-Q4-1.2.html"' in page or 'href="krs/GROWTH-Q4-1.2.html"' in page
    # Only the KR that fell back is listed (GROWTH-Q4-1.1 is seasonal with last year's data).
    section = text.split("Definition warnings", 1)[1]
    assert "GROWTH-Q4-1.1" not in section
    overview = _visible(_text(tmp_path / "en" / "index.html"))
    assert "1 key result asks for a seasonal pace but is scored on a straight line." in overview

    publish_scorecard(card, [], make_metrics(), tmp_path / "fi", lang="fi")
    fi = _visible(_text(tmp_path / "fi" / "data-health.html"))
    assert "Määrittelyvaroitukset" in fi and "Kausitahti ilman viime vuoden dataa (1 avaintulos)" in fi
    assert "(GROWTH-Q4-1.2): mittari sessions, vuotta aiemmin" in fi

    # Without a fallback there is no such section, and the line says nothing about pace.
    fallback["pace_warning"], fallback["pace"] = None, "seasonal"
    publish_scorecard(card, [], make_metrics(), tmp_path / "none")
    assert "Definition warnings" not in _text(tmp_path / "none" / "data-health.html")
    assert "straight line" not in _text(tmp_path / "none" / "index.html")


DATA_HEALTH = {
    "as_of": "2026-11-26",
    "status": "error",
    "checks": 4,
    "failed": {"ERROR": 1, "WARN": 0},
    "failures": [
        {"check": "hubspot_contacts_structure", "source": "raw.hubspot_contacts", "severity": "ERROR",
         "summary": "column_values_to_be_between(created_at): 208 unexpected",
         "expectation": "expect_column_values_to_be_between", "column": "created_at", "unexpected_count": 208,
         "element_count": 9107, "min_value": "2000-01-01", "max_value": "2026-12-03T23:59:59.999999"},
    ],
    "blocked_metrics": [{"metric": "leads", "severity": "ERROR", "reason": "hubspot_contacts_structure failed"}],
    "check_results": [
        {"check": "hubspot_contacts_structure", "source": "raw.hubspot_contacts", "severity": "ERROR", "passed": False},
        {"check": "stg_hubspot__contacts_values", "source": "stg_hubspot__contacts", "severity": "WARN", "passed": True},
        {"check": "stg_hubspot__deals_values", "source": "stg_hubspot__deals", "severity": "WARN", "passed": True},
        {"check": "stg_ga4__daily_reports_values", "source": "stg_ga4__daily_reports", "severity": "WARN", "passed": True},
        {"check": "kr_not_off_track", "source": "kr_scores", "severity": "WARN", "passed": False},
    ],
    "failed_kr_checks": [{"check": "kr_not_off_track", "kr_id": "GROWTH-Q4-1.3", "severity": "WARN"}],
}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda c: c["key_results"][2].update(status="sideways"),
            "scorecard.key_results[2].status: Input should be",
        ),
        (lambda c: c["key_results"][0].pop("end"), "scorecard.key_results[0].end: Field required"),
        (lambda c: c["key_results"][4].update(start="1st of May"), "scorecard.key_results[4].start:"),
        (
            lambda c: c["objectives"][1].update(parent="NOPE"),
            "scorecard.objectives[1].parent: 'NOPE' is not in",
        ),
        (lambda c: c.pop("as_of"), "scorecard.as_of: Field required"),
    ],
)
def test_bad_scorecard_is_reported_by_key(tmp_path: Path, change, message: str) -> None:
    card = make_scorecard()
    change(card)
    with pytest.raises(ScorecardError, match=re.escape(message)):
        publish_scorecard(card, make_history(), make_metrics(), tmp_path / "s")
    assert not (tmp_path / "s").exists()


def test_bad_history_row_and_language_are_reported(tmp_path: Path) -> None:
    history = make_history()
    history[3]["as_of"] = "yesterday"
    with pytest.raises(ScorecardError, match=r"history\[3\]\.as_of"):
        publish_scorecard(make_scorecard(), history, make_metrics(), tmp_path / "s")
    with pytest.raises(ScorecardError, match="lang: must be one of en, fi, not 'sv'"):
        publish_scorecard(make_scorecard(), make_history(), make_metrics(), tmp_path / "s", lang="sv")


def test_unreadable_previous_archive_stops_the_publish(tmp_path: Path) -> None:
    out = tmp_path / "scorecard"
    publish_scorecard(make_scorecard(), [], make_metrics(), out)
    (out / "archive.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ScorecardError, match=r"archive\.json: cannot read the archive of past cycles"):
        publish_scorecard(make_scorecard(), [], make_metrics(), out)
    assert (out / "index.html").is_file()
