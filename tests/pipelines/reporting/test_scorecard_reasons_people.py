"""Reasons, people pages, team names, the KR timeline and the Markdown export's escaping, on the
published fixture site (real Jinja2 pages read back as text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from reporting_fixture import make_history, make_metrics, make_scorecard

from pipelines.reporting.model import ScorecardError, parse_scorecard
from pipelines.reporting.publish import publish_scorecard
from pipelines.reporting.reasons import kr_reason, reason_sentence
from pipelines.reporting.report import team_names, texts
from pipelines.reporting.site_model import person_key


def _visible(path: Path) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")).split())


def _kr(card: dict, kr_id: str):
    return next(k for k in parse_scorecard(card).key_results if k.id == kr_id)


ROOT = Path(__file__).resolve().parents[3]
FAILED = {"source": "hubspot", "error": "connection refused", "data_through": "2026-11-24",
          "stale_after_days": 2.0, "window_end": "2026-11-26"}  # fmt: skip


@pytest.mark.parametrize(
    ("kr_id", "code", "params", "en", "fi"),
    [
        ("SALES-Q4-2.3", "stale_source_failed", FAILED,
         "HubSpot failed to load at the latest run, so the data only runs through 24 Nov 2026.",
         "Lähteen HubSpot lataus epäonnistui viimeisimmässä ajossa, joten data ulottuu vain päivään "
         "24.11.2026."),
        ("SALES-Q4-2.3", "stale_data", None,
         "The newest data from HubSpot is from 20 Nov 2026, more than 2 days before 26 Nov 2026.",
         "Lähteen HubSpot uusin data on päivältä 20.11.2026, yli 2 päivää ennen päivää 26.11.2026."),
        ("SALES-Q4-2.3", "stale_data",
         {**FAILED, "source": "stg_ads__campaign_spends", "stale_after_days": 1},
         "The newest data from Ad platforms is from 24 Nov 2026, more than 1 day before 26 Nov 2026.",
         "Lähteen Mainosalustat uusin data on päivältä 24.11.2026, yli vuorokauden ennen päivää 26.11.2026."),
        ("GROWTH-Q4-1.2", "behind_pace", None,
         "Score 0.30 where 0.43 is expected by now; at this pace it ends at 60,407 sessions against a "
         "target of 125,000 sessions (48.3% of the way).",
         "Pisteet 0,30, kun tähän mennessä odotetaan 0,43; tällä tahdilla jakso päättyy arvoon "
         "60 407 sessions, kun tavoite on 125 000 sessions (48,3 % matkasta)."),
        ("GROWTH-Q4-1.3", "behind_pace", None, "Score 0.32 where 0.62 is expected by now.",
         "Pisteet 0,32, kun tähän mennessä odotetaan 0,62."),
        ("SALES-Q4-2.4", "threshold_broken",
         {"actual": 0.22, "target": 0.25, "by": 0.03, "broken_on": "2026-11-12", "recoverable": True},
         "At 22%, the limit of 25% has not held since 12 Nov 2026 (off by 3%); it can still be met "
         "by the end.", None),
        ("SALES-Q4-2.4", "threshold_broken",
         {"actual": 0.22, "target": 0.25, "by": 0.03, "broken_on": "2026-11-12", "recoverable": False},
         "At 22%, the limit of 25% broke on 12 Nov 2026 (off by 3%) and can no longer be met this "
         "cycle.",
         "Arvo 22 % rikkoi rajan 25 % 12.11.2026 (ero 3 %), eikä rajaa voi enää saavuttaa tällä "
         "jaksolla."),
        ("GROWTH-Q4-1.1", "forecast_below_target",
         {"done": 0.62, "expected": 0.6196, "projected_actual": 1500, "projected_progress": 0.75,
          "target": 2000},
         "On pace today (score 0.62, 0.62 expected), but the forecast ends at 1,500 leads against a target "
         "of 2,000 leads (75% of the way).", None),
        ("SALES-Q4-2.3", "blocked_by_check", {"check": "hubspot_contacts_structure"},
         "Blocked by a failed data check: hubspot_contacts_structure.",
         "Epäonnistunut datatarkistus esti pisteytyksen: hubspot_contacts_structure."),
        ("SALES-Q4-2.5", "not_started", None, "Starts on 1 Dec 2026.", "Alkaa 1.12.2026."),
        ("SALES-Q4-2.2", "no_data_metric", None, "The metric checkins has no data on or before 26 Nov 2026.",
         "Mittarilla checkins ei ole dataa 26.11.2026 mennessä."),
        ("GROWTH-Q3-1.2", "missed", None, "Ended at 943 leads, short of the target of 1,150 leads.",
         "Päättyi arvoon 943 leads; tavoite 1 150 leads jäi saavuttamatta."),
    ],
)  # fmt: skip
def test_the_sentence_comes_from_the_scorings_reason(
    kr_id: str, code: str, params: dict | None, en: str, fi: str | None
) -> None:
    card = make_scorecard()
    kr = next(k for k in card["key_results"] if k["id"] == kr_id)
    kr.update(reason_code=code, **({"reason_params": params} if params is not None else {}))
    parsed = _kr(card, kr_id)
    reason = kr_reason(parsed)
    assert reason is not None and reason.code == code
    for lang, expected in (("en", en), ("fi", fi)):
        if expected is not None:
            sentence = reason_sentence(reason, parsed, texts(lang).t, texts(lang).fmt)
            assert sentence.replace("\u00a0", " ").replace("\u202f", " ") == expected


def test_a_scorecard_without_reason_codes_shows_the_status_reason() -> None:
    card = make_scorecard()
    kr = next(k for k in card["key_results"] if k["id"] == "SALES-Q4-2.3")
    kr.update(reason_code=None, reason_params=None)
    parsed = _kr(card, "SALES-Q4-2.3")
    t, fmt = texts("en").t, texts("en").fmt
    assert kr_reason(parsed) is None
    assert (
        reason_sentence(None, parsed, t, fmt)
        == "Newest data is from 2026-11-20, more than 2 days before 2026-11-26"
    )


def test_every_reason_code_of_the_scoring_has_a_sentence_in_every_language() -> None:
    doc = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    section = doc.split("## 11. Reasons", 1)[1].split("\n## ", 1)[0]
    kr_codes = {c for row in section.splitlines() if row.startswith("| `")
                for c in re.findall(r"`([a-z_]+)`", row.split("|")[1])}  # fmt: skip
    objective_codes = set(re.findall(r"`([a-z_]+)`", section.split("Objectives:", 1)[1].split("with", 1)[0]))
    assert {"stale_source_failed", "threshold_broken", "forecast_below_target"} <= kr_codes
    assert {"behind_pace", "no_data"} <= objective_codes
    for lang in ("en", "fi"):
        t = texts(lang).t
        assert [c for c in sorted(kr_codes) if not t.has(f"reason.{c}")] == []
        assert [c for c in sorted(objective_codes) if not t.has(f"objective_reason.{c}")] == []


def test_an_objective_names_what_holds_it_back_most(tmp_path: Path) -> None:
    publish_scorecard(make_scorecard(), make_history(), make_metrics(), tmp_path / "en")
    page = _visible(tmp_path / "en" / "objectives" / "GROWTH-Q4-O1.html")
    assert (
        "Score 0.42 where 0.56 is expected by now; Cut paid cost per lead from 95 EUR to 75 EUR holds it "
        "back most."
    ) in page
    publish_scorecard(make_scorecard(), make_history(), make_metrics(), tmp_path / "fi", lang="fi")
    page = _visible(tmp_path / "fi" / "objectives" / "GROWTH-Q4-O1.html")
    assert "eniten jarruttaa Cut paid cost per lead from 95 EUR to 75 EUR." in page


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
