"""The message catalogue and the Babel formatting the pages use."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from reporting_fixture import make_history, make_scorecard

from pipelines.reporting import charts
from pipelines.reporting.formatting import Formatter
from pipelines.reporting.messages import MESSAGES, STATUS_ICONS, STATUSES, Translator
from pipelines.reporting.model import parse_history, parse_scorecard

NBSP = "\xa0"


def test_both_languages_have_every_label() -> None:
    assert set(MESSAGES["en"]) == set(MESSAGES["fi"])
    for status in STATUSES:
        assert f"status.{status}" in MESSAGES["en"]
        assert status in STATUS_ICONS
    # Placeholders match, so a translation can never raise KeyError at render time.
    import string

    for key, text in MESSAGES["en"].items():
        names = {f for _, f, _, _ in string.Formatter().parse(text) if f}
        assert names == {f for _, f, _, _ in string.Formatter().parse(MESSAGES["fi"][key]) if f}, key


def test_translator_labels_and_unknown_codes() -> None:
    t = Translator("fi")
    assert t.status("off_track") == "Jäljessä"
    assert t("team_title", team="growth") == "Tiimi growth"
    assert t.optional("measure", "median") == "median"  # a value outside the catalogue is shown as written
    with pytest.raises(ValueError, match="lang: must be one of en, fi, not 'de'"):
        Translator("de")


def test_finnish_numbers_money_and_dates() -> None:
    fmt = Formatter("fi")
    assert fmt.currency(1234.5) == f"1{NBSP}234,50{NBSP}€"
    assert fmt.value(1234.5, "EUR") == f"1{NBSP}234,50{NBSP}€"
    assert fmt.date(dt.date(2026, 11, 15)) == "15.11.2026"
    assert fmt.score(0.7249) == "0,72"
    assert fmt.percent(0.62) == f"62{NBSP}%"
    assert fmt.value(0.2714, "%") == f"27{NBSP}%"
    assert fmt.value(125000, "sessions") == f"125{NBSP}000 sessions"
    assert fmt.value(None, "EUR") == "–"


def test_english_numbers_money_and_dates() -> None:
    fmt = Formatter("en")
    assert fmt.currency(1234.5) == "€1,234.50"
    assert fmt.date(dt.date(2026, 11, 15)) == "15 Nov 2026"
    assert fmt.score(0.7249) == "0.72"
    assert fmt.decimal(3.14159) == "3.142"
    assert fmt.datetime(dt.datetime(2026, 11, 27, 0, 0, 12, tzinfo=dt.UTC)) == "27 Nov 2026, 00:00:12"


def test_charts_render_fast_enough_for_a_nightly_run() -> None:
    """About 150 ms per chart here; a regression (e.g. schema validation switched on) shows up."""
    card = parse_scorecard(make_scorecard())
    history = parse_history(make_history())
    t, fmt = Translator("en"), Formatter("en")
    kr = card.key_results[0]
    rows = [h for h in history if h.kr_id == kr.id]
    charts.progress_chart(kr, rows, t, fmt.value, fmt.date)  # the first call starts the JS runtime
    started = time.perf_counter()
    for _ in range(5):
        assert charts.progress_chart(kr, rows, t, fmt.value, fmt.date) is not None
        assert charts.score_chart(kr, rows, t, fmt.score, fmt.date) is not None
    per_chart = (time.perf_counter() - started) / 10
    assert per_chart < 0.6, f"{per_chart:.2f} s per chart"
