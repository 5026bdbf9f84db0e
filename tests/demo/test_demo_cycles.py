"""What the demo night (2026-11-26) shows of the demo's contents beyond the current cycle: the
closed 2025-Q4 cycle in the archive with its final scores, and the check-in override on the
November webinar KR, shown as an override on its page and in scorecard.json."""

from __future__ import annotations

import html
import json
import re

import pytest

from tests.conftest import DemoNight

pytestmark = pytest.mark.slow
OVERRIDDEN = "DEMAND-Q4-2.3"


def _visible(text: str) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", text).split()))


def test_the_closed_2025_cycle_is_archived_with_final_scores(demo_night: DemoNight) -> None:
    site = demo_night.workspace / "build" / "scorecard"
    card = json.loads((site / "scorecard.json").read_text(encoding="utf-8"))
    old = [k for k in card["key_results"] if k["cycle"] == "2025-Q4"]
    assert len(old) == 12 and {k["status"] for k in old} == {"achieved", "missed"}
    assert sum(k["status"] == "achieved" for k in old) == 6
    assert {k["measure"] for k in old} == {"sum", "avg", "ratio", "max", "last"}
    # Its KRs end a year before the demo night: they score from 2025's rows, not today's.
    leads = next(k for k in old if k["id"] == "GROWTH-25Q4-1.1")
    assert (leads["actual"], leads["status"], leads["end"]) == (1058, "achieved", "2025-12-31")
    archive = _visible((site / "archive" / "index.html").read_text(encoding="utf-8"))
    assert "2025-Q4 1 Oct 2025 – 31 Dec 2025 12 6" in archive  # 12 KRs, 6 achieved
    page = _visible((site / "archive" / "2025-Q4.html").read_text(encoding="utf-8"))
    assert "Cycle 2025-Q4: final scores" in page and "Generate 1 000 inbound leads" in page


def test_the_checkin_override_shows_as_an_override(demo_night: DemoNight) -> None:
    site = demo_night.workspace / "build" / "scorecard"
    card = json.loads((site / "scorecard.json").read_text(encoding="utf-8"))
    kr = next(k for k in card["key_results"] if k["id"] == OVERRIDDEN)
    # The data stops at the broadcast (19 Nov); the check-in of 23 Nov adds the co-host's list.
    assert kr["override"]["date"] == "2026-11-23" and kr["override"]["data_actual"] == 321
    assert kr["actual"] == kr["override"]["value"] == 356 and kr["override"]["author"] == "Content lead"
    assert kr["checkins"][0]["override"] is True and kr["checkins"][0]["confidence_level"] == "high"
    page = _visible((site / "krs" / f"{OVERRIDDEN}.html").read_text(encoding="utf-8"))
    assert "Actual 356 registrations Override Replaced by a check-in of 23 Nov 2026 until new data:" in page
    assert "(the data gives 321 registrations) · by Content lead" in page
    assert "23 Nov 2026 · Check-in · Override Value 356 registrations · confidence high" in page
    # No other KR of the demo is overridden.
    assert [k["id"] for k in card["key_results"] if k.get("override")] == [OVERRIDDEN]
