"""Check-ins v2 on the site: the override in force beside the actual and in the attention list,
the newest check-in's note, and check-in rows marked as overrides with their confidence."""

from __future__ import annotations

import re
from pathlib import Path

from reporting_fixture import make_history, make_metrics, make_scorecard

from pipelines.reporting.publish import publish_scorecard


def _visible(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _card_with_an_override() -> dict:
    card = make_scorecard()
    kr = next(k for k in card["key_results"] if k["id"] == "GROWTH-Q4-1.3")  # off track
    kr["override"] = {"date": "2026-11-24", "value": 88.5, "note": "Ad platform export late; from invoices",
                      "author": "Anna", "data_actual": 91.25}  # fmt: skip
    kr["checkins"] = [  # newest first, as scorecard.json lists them
        {"date": "2026-11-25", "value": None, "note": "Newest: CPL falling", "confidence": "medium",
         "confidence_level": "medium", "author": "Mikko", "override": False},
        {"date": "2026-11-25", "value": None, "note": "Same day, earlier line", "confidence": 3,
         "confidence_level": "low", "author": "Mikko", "override": False},
        {"date": "2026-11-24", "value": 88.5, "note": "Ad platform export late; from invoices",
         "confidence": None, "confidence_level": None, "author": "Anna", "override": True},
    ]  # fmt: skip
    return card


def test_the_override_shows_beside_the_actual_and_in_the_timeline(tmp_path: Path) -> None:
    publish_scorecard(_card_with_an_override(), make_history(), make_metrics(), tmp_path / "s", lang="fi")
    page = _visible(tmp_path / "s" / "krs" / "GROWTH-Q4-1.3.html")
    assert (
        "Korvattu käsin Tilannepäivitys 24.11.2026 korvaa toteuman uuteen dataan asti: Ad platform export "
        "late; from invoices (data antaa 91,25 €) · kirjoittaja Anna"
    ) in page
    assert "24.11.2026 · Tilannepäivitys · Korvattu käsin" in page
    assert "luottamus keskitaso · kirjoittaja Mikko Newest: CPL falling" in page


def test_attention_list_names_the_override_and_the_newest_note(tmp_path: Path) -> None:
    publish_scorecard(_card_with_an_override(), make_history(), make_metrics(), tmp_path / "s")
    overview = _visible(tmp_path / "s" / "index.html")
    row = overview[overview.index("Cut paid cost per lead") :][:600]
    assert (
        "Replaced by a check-in of 24 Nov 2026 until new data: Ad platform export late; from invoices" in row
    )
    assert "Latest check-in 25 Nov 2026: Newest: CPL falling" in row
    assert "Same day, earlier line" not in overview
