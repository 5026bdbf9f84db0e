"""The Babel formatting the pages use (the catalogs themselves: test_messages.py)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from reporting_fixture import make_history, make_scorecard

from pipelines.reporting import charts
from pipelines.reporting.formatting import Formatter
from pipelines.reporting.messages import Translator
from pipelines.reporting.model import parse_history, parse_scorecard

NBSP = "\xa0"


def test_translator_labels_and_unknown_codes() -> None:
    t = Translator("fi")
    assert t.status("off_track") == "Jäljessä"
    assert t("team_title", team="growth") == "Tiimi growth"
    assert t.optional("measure", "median") == "median"  # a value outside the catalogue is shown as written
    with pytest.raises(ValueError, match="lang: must be one of en, fi, not 'de'"):
        Translator("de")


def test_finnish_numbers_money_and_dates() -> None:
    fmt = Formatter("fi")
    assert fmt.currency(1234.6) == f"1{NBSP}235{NBSP}€"  # no cents from 1,000 up
    assert fmt.value(850000, "EUR") == f"850{NBSP}000{NBSP}€"
    assert fmt.value(81.5085, "EUR") == f"81,51{NBSP}€"  # cents below 1,000
    assert fmt.date(dt.date(2026, 11, 15)) == "15.11.2026"
    assert fmt.score(0.7249) == "0,72"
    assert fmt.percent(0.62) == f"62{NBSP}%"
    assert fmt.value(0.2714, "%") == f"27,1{NBSP}%"
    assert fmt.value(0.377, "%") == f"37,7{NBSP}%"
    assert fmt.value(125000, "sessions") == f"125{NBSP}000 sessions"
    assert fmt.value(None, "EUR") == "–"


def test_english_numbers_money_and_dates() -> None:
    fmt = Formatter("en")
    assert fmt.currency(1234.6) == "€1,235"
    assert fmt.currency(850000) == "€850,000"
    assert fmt.currency(81.5) == "€81.50"
    assert fmt.value(0.3769, "%") == "37.7%"
    assert fmt.value(1061380, "sessions") == "1,061,380 sessions"
    assert fmt.date(dt.date(2026, 11, 15)) == "15 Nov 2026"
    assert fmt.score(0.7249) == "0.72"
    assert fmt.decimal(3.14159) == "3.142"
    assert fmt.datetime(dt.datetime(2026, 11, 27, 0, 0, 12, tzinfo=dt.UTC)) == "27 Nov 2026, 00:00:12"


def test_chart_specs_are_inline_json_that_cannot_close_their_script() -> None:
    """Charts are Vega-Lite specs drawn in the browser (no conversion at publish time); the spec
    carries the KR's title in its description, and a title with </script> stays inert."""
    card = parse_scorecard(make_scorecard())
    history = parse_history(make_history())
    t, fmt = Translator("fi"), Formatter("fi")
    kr = card.key_results[0].model_copy(update={"title": "</script><script>alert(1)</script> & co"})
    rows = [h for h in history if h.kr_id == kr.id]
    chart = charts.progress_chart(kr, rows, t, fmt.value, fmt.date)
    text = str(chart.json())
    assert "<" not in text and ">" not in text and "&" not in text
    spec = json.loads(text)
    assert spec["width"] == "container"  # resizes with the page, legible on a phone
    assert [r["series"] for r in spec["data"]["values"]] == [
        "Toteuma",
        "Tavoite",
        "Odotettu tahti",
        "Ennuste",
    ]
    assert spec["encoding"]["x"]["axis"]["format"] == "%-d.%-m."
    assert spec["description"].startswith("Viivakaavio: </script>")


def test_score_chart_draws_a_line_from_actuals_when_history_has_one_scored_day() -> None:
    """One nightly score plus kr_actual_to_date rows: the score per day is derived from the actuals
    (docs/scoring.md §3–4), so the chart shows a trajectory rather than a single dot."""
    card = parse_scorecard(make_scorecard())
    kr = card.key_results[0]  # progress KR, baseline 0, target 2,000, committed
    rows = parse_history(
        [{"as_of": "2026-10-01", "kr_id": kr.id, "actual": 20},
         {"as_of": "2026-10-10", "kr_id": kr.id, "actual": 200},
         {"as_of": "2026-11-26", "kr_id": kr.id, "actual": 1240, "score": 0.62, "expected_progress": 0.6196}]
    )  # fmt: skip
    days = charts.daily_scores(kr, rows)
    assert [d.isoformat() for d, _, _ in days] == ["2026-10-01", "2026-10-10", "2026-11-26"]
    assert days[0][1] == pytest.approx(0.01) and days[0][2] == pytest.approx(1 / 92)
    assert days[1][1] == pytest.approx(0.1) and days[1][2] == pytest.approx(10 / 92)
    assert days[2][1:] == (0.62, 0.6196)  # the stored score wins on its own day
    spec = charts.score_chart(kr, rows, Translator("en"), Formatter("en").score, Formatter("en").date).spec
    score = next(r for r in spec["data"]["values"] if r["series"] == "Score")
    assert score["date"] == ["2026-10-01", "2026-10-10", "2026-11-26"]
    assert spec["transform"][0] == {"flatten": ["date", "value"]}  # one row per point in the browser
