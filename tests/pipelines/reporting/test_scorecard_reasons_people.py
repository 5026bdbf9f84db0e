"""Reasons, people pages, team names, the KR timeline and the Markdown export's escaping, on the
published fixture site (real Jinja2 pages read back as text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from reporting_fixture import make_history, make_metrics, make_scorecard

from pipelines.reporting.model import ScorecardError, parse_scorecard
from pipelines.reporting.publish import publish_scorecard
from pipelines.reporting.reasons import kr_reason
from pipelines.reporting.report import team_names
from pipelines.reporting.site_model import person_key


def _visible(path: Path) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")).split())


def _kr(card: dict, kr_id: str):
    return next(k for k in parse_scorecard(card).key_results if k.id == kr_id)


@pytest.mark.parametrize(
    ("kr_id", "change", "code", "params"),
    [
        ("GROWTH-Q4-1.3", {}, "behind_pace", {"score": 0.325, "expected": 0.6196}),
        ("SALES-Q4-2.3", {}, "stale", {"metric": "sqls"}),
        ("SALES-Q4-2.2", {}, "no_data_metric", {"metric": "checkins"}),
        ("SALES-Q4-2.5", {}, "not_started", {}),
        ("SALES-Q4-2.3", {"status_reason": "data check failed: hubspot_contacts_structure"}, "blocked",
         {"check": "hubspot_contacts_structure"}),
        ("GROWTH-Q4-1.1",
         {"forecast": {"method": "run_rate_14d", "projected_actual": 1500, "projected_progress": 0.75}},
         "on_track_forecast_short", {"forecast": 1500, "forecast_progress": 0.75}),
        ("GROWTH-Q4-1.1", {"reason": {"code": "custom_code", "params": {"x": 1}}}, "custom_code", {"x": 1}),
    ],
)  # fmt: skip
def test_reason_codes_come_from_the_scores(kr_id: str, change: dict, code: str, params: dict) -> None:
    card = make_scorecard()
    next(k for k in card["key_results"] if k["id"] == kr_id).update(change)
    reason = kr_reason(_kr(card, kr_id))
    assert reason is not None and reason.code == code
    assert params.items() <= reason.params.items()


def test_owners_are_matched_case_and_whitespace_insensitively(tmp_path: Path) -> None:
    card = make_scorecard()
    owners = ["Head of Growth", " head  of GROWTH ", "HEAD OF GROWTH"]
    growth = [k for k in card["key_results"] if k["owner"] == "Head of Growth"]
    for kr, owner in zip(growth, owners, strict=False):
        kr["owner"] = owner
    assert person_key(" head  of GROWTH ") == person_key("Head of Growth") == "head of growth"
    publish_scorecard(card, make_history(), make_metrics(), tmp_path / "s")
    pages = sorted(p.name for p in (tmp_path / "s" / "people").iterdir())
    assert pages.count("head_of_growth.html") == 1 and "index.html" in pages
    page = _visible(tmp_path / "s" / "people" / "head_of_growth.html")
    assert page.count("Generate 2 000 inbound and event leads") == 1
    assert "Goals of Head of Growth" in page and "Objectives" in page and "Key results" in page
    kr_page = (tmp_path / "s" / "krs" / "GROWTH-Q4-1.1.html").read_text(encoding="utf-8")
    assert 'href="../people/head_of_growth.html"' in kr_page


def test_team_names_per_language_with_the_id_as_fallback(tmp_path: Path) -> None:
    raw = {"growth": {"en": "Growth", "fi": "Kasvu"}, "sales": "Myynti ja myynti"}
    assert team_names(raw, "fi") == {"growth": "Kasvu", "sales": "Myynti ja myynti"}
    with pytest.raises(ScorecardError, match=r"settings.yml: teams.growth: unknown language\(s\) de"):
        team_names({"growth": {"de": "Wachstum"}}, "en")
    with pytest.raises(ScorecardError, match=r"teams\.sales: expected a name or a mapping"):
        team_names({"sales": 3}, "en")
    publish_scorecard(make_scorecard(), [], make_metrics(), tmp_path / "s", lang="fi", teams=raw)
    nav = _visible(tmp_path / "s" / "index.html")
    assert "Tiimi Kasvu" in nav and "Tiimi company" in nav  # no name for company: its id


def test_timeline_shows_checkins_and_changes_with_their_reason(tmp_path: Path) -> None:
    card = make_scorecard()
    kr = next(k for k in card["key_results"] if k["id"] == "GROWTH-Q4-1.1")
    kr["checkins"] = [{"date": "2026-11-20", "value": 1200, "note": "Webinar moved a week", "author": "Anna",
                       "confidence": "7/10"}]  # fmt: skip
    other = next(k for k in card["key_results"] if k["id"] == "SALES-Q4-2.1")
    other["change_reason"] = "Lowered after a budget freeze"
    other["definition_changes"] = []
    publish_scorecard(card, make_history(), make_metrics(), tmp_path / "s")
    page = _visible(tmp_path / "s" / "krs" / "GROWTH-Q4-1.1.html")
    assert (
        "20 Nov 2026 · Check-in Value 1,200 leads · confidence 7/10 · by Anna Webinar moved a week "
        "20 Oct 2026 · Definition change Target changed from 1,800 leads to 2,000 leads on 20 Oct 2026."
    ) in page
    changed = _visible(tmp_path / "s" / "krs" / "SALES-Q4-2.1.html")
    assert "The definition was changed during the cycle: Lowered after a budget freeze" in changed
    assert "has not changed" not in changed and "No check-ins or changes" not in changed
    overview = _visible(tmp_path / "s" / "index.html")
    assert "Latest check-in" not in overview or "Webinar moved a week" in overview


def test_markdown_escapes_every_field_units_included(tmp_path: Path) -> None:
    card = make_scorecard()
    kr = next(k for k in card["key_results"] if k["id"] == "GROWTH-Q4-1.1")
    kr.update(unit="<b>le|ads</b>", owner="*Boss* | [x](http://evil)")
    publish_scorecard(card, [], make_metrics(), tmp_path / "s")
    md = (tmp_path / "s" / "scorecard.md").read_text(encoding="utf-8")
    row = next(line for line in md.splitlines() if "GROWTH-Q4-1.1" in line)
    assert row.count(" | ") == 7  # eight cells: no value added a column
    assert "1,240 \\<b\\>le\\|ads\\</b\\>" in row
    assert "\\*Boss\\* \\| \\[x\\]\\(http://evil\\)" in row
    assert "<b>" not in md
