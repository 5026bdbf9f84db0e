"""The demo night's reasons end to end: the scoring SQL gives every KR and objective a reason code,
and each off-track, at-risk and stale KR of the current cycle shows the sentence for that code in
English and Finnish, on its page and in the attention list (no sentence falls back to raw text)."""

from __future__ import annotations

import json
import re

import pytest

from pipelines.reporting.reasons import objective_reason, objective_reason_sentence, reason_sentence
from pipelines.reporting.report import build_report, texts
from tests.conftest import DEMO_NIGHT, DemoNight

pytestmark = pytest.mark.slow
ATTENTION = ("off_track", "at_risk", "stale", "no_data")


def _visible(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&#39;", "'").replace("&amp;", "&")


def test_every_attention_kr_of_the_demo_has_its_reason_sentence(demo_night: DemoNight) -> None:
    site = demo_night.workspace / "build" / "scorecard"
    card = json.loads((site / "scorecard.json").read_text(encoding="utf-8"))
    assert all(k["reason_code"] for k in card["key_results"]) and all(
        o["reason_code"] for o in card["objectives"]
    )
    current = [k for k in card["key_results"] if k["start"] <= DEMO_NIGHT <= k["end"]]
    assert {k["status"] for k in current} >= {"off_track", "at_risk"}  # the demo has no stale KR tonight
    overview = _visible((site / "index.html").read_text(encoding="utf-8"))
    for lang in ("en", "fi"):
        t, fmt = texts(lang).t, texts(lang).fmt
        model = build_report(card, [], {}, lang=lang).model
        for view in (v for v in model.active_krs if v.kr.status in ATTENTION):
            sentence = reason_sentence(view.reason, view.kr, t, fmt)
            assert view.reason is not None and t.has(f"reason.{view.reason.code}"), view.kr.id
            assert sentence and sentence != view.kr.status_reason and "_" not in sentence.split(":")[0]
            if lang == "en":  # the published demo site is in English
                page = _visible((site / view.url).read_text(encoding="utf-8"))
                assert sentence in page and sentence in overview, (view.kr.id, sentence)
        behind = [o for o in model.objectives if o.obj.reason_code == "behind_pace"]
        for o in behind:
            titles = {u.id: u.title for u in (*o.krs, *o.subs)}
            text = objective_reason_sentence(objective_reason(o.obj), titles, t, fmt)
            dragging = (o.obj.reason_params or {}).get("dragged_most_by")
            assert text and (not dragging or titles[dragging] in text), (o.obj.id, text)
