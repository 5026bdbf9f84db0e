"""The demo's seasonal leads KR (docs/scoring.md, "Pace"): on 2026-07-25, in the summer-cottage dip,
a straight line calls GROWTH-Q3-1.2 off track, while `pace: seasonal` (last summer's shape) finds it
on track. One real `okr run` on a copy of the shared demo night (scored 2026-11-26), rescoring the
earlier date as a user would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import DemoNight
from tests.helpers import okr

KR_ID = "GROWTH-Q3-1.2"


@pytest.mark.slow
def test_seasonal_leads_kr_is_on_track_in_july_where_the_straight_line_is_off(
    demo_night: DemoNight, tmp_path: Path
) -> None:
    workspace = demo_night.copy_to(tmp_path / "demo")
    done = okr(workspace, "run", "--as-of", "2026-07-25")
    assert done.returncode == 0, done.stderr[-3000:]
    card = json.loads((workspace / "build" / "scorecard" / "scorecard.json").read_text(encoding="utf-8"))
    kr = next(k for k in card["key_results"] if k["id"] == KR_ID)
    assert (kr["pace"], kr["pace_requested"], kr["pace_warning"]) == ("seasonal", "seasonal", None)
    # docs/scoring.md, "Pace": 25 of 92 days, 128 of 1,150 leads.
    assert (kr["elapsed_days"], kr["total_days"], kr["actual"]) == (25, 92, 128)
    linear_gap = kr["elapsed_days"] / kr["total_days"] - kr["score"]
    assert linear_gap == pytest.approx(0.1604, abs=5e-5)
    assert linear_gap > 0.15  # the Q3 file's off_track threshold: off track on a straight line
    assert kr["expected_progress"] == pytest.approx(0.159, abs=5e-4)
    assert kr["status"] == "on_track"
    # The chart's curve: every day of the period, ending at the full target's share.
    curve = kr["pace_curve"]
    assert len(curve) == 92 and curve[0][0] == "2026-07-01" and curve[-1] == ["2026-09-30", 1.0]
    assert dict(curve)["2026-07-25"] == pytest.approx(kr["expected_progress"], abs=1e-12)
    assert kr["forecast"]["season_scale"] > 1  # August and September bring more than July did
    page = (workspace / "build" / "scorecard" / "krs" / f"{KR_ID}.html").read_text(encoding="utf-8")
    assert "Likely range by 30 Sept 2026" in page
