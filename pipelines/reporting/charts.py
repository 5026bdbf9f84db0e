"""KR charts as Vega-Lite specs, drawn in the reader's browser by the vendored Vega bundle.

No conversion runs at publish time: a page carries its chart specs as inline JSON and
`assets/charts.js` renders them with vega and vega-lite copied next to the site (no network).
At 1,000 KRs this is what keeps the site build set-based: converting two charts per KR to SVG
(vl-convert, about 59 ms of CPU each) used to take most of the publish.

Series are told apart by colour *and* dash pattern *and* the legend text, so the charts stay
readable in black-and-white print and for colour-blind readers. Chart text is translated labels
and numbers only; titles from definitions stay in the HTML around the chart. Charts take the
width of their container, so they stay legible on a phone.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from markupsafe import Markup

from pipelines.reporting.formatting import CHART_LOCALES, currency_of, is_percent_unit
from pipelines.reporting.messages import Translator
from pipelines.reporting.model import HistoryRow, KeyResult

HEIGHT, SCORE_HEIGHT = 240, 170
# Greyscale-safe palette (Okabe-Ito) and a distinct dash per series.
_SERIES_STYLE = {
    "actual": ("#0072B2", [1, 0]),
    "target": ("#333333", [2, 2]),
    "pace": ("#767676", [6, 3]),
    "forecast": ("#D55E00", [4, 4]),
    "score": ("#0072B2", [1, 0]),
    "expected": ("#767676", [6, 3]),
}
_AXIS_DATE_FORMAT = {"en": "%-d %b", "fi": "%-d.%-m."}
_CONFIG = {
    "axis": {"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal", "labelColor": "#1b1f24"},
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "symbolSize": 160, "labelLimit": 0},
    "view": {"stroke": "#d0d7de"},
    "autosize": {"type": "fit-x", "contains": "padding"},
}
SCRIPTS = ("vega.min.js", "vega-lite.min.js")  # vendored, copied to assets/ by the site renderer


@dataclass(frozen=True)
class RenderedChart:
    spec: dict[str, Any]
    alt: str

    def json(self) -> Markup:
        """The spec as inline JSON that can never close its <script> element."""
        text = json.dumps(self.spec, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        safe = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return Markup(safe)  # noqa: S704 - JSON with <, > and & escaped: inert inside <script>


@cache
def locale_script(lang: str) -> str:
    """`assets/chart-locale.js`: the d3 number and time locale of the language, for Vega's formats."""
    import vl_convert as vlc  # locale data only (CLDR via d3); no chart conversion happens here

    data = {
        "number": vlc.get_format_locale(CHART_LOCALES[lang]),
        "time": vlc.get_time_format_locale(CHART_LOCALES[lang]),
    }
    return "window.OKR_CHART_LOCALE = " + json.dumps(data, ensure_ascii=False) + ";\n"


def _d3_number_format(kr: KeyResult) -> str:
    if currency_of(kr.unit):
        return ",.0f"
    if is_percent_unit(kr.unit):
        return ".0%"
    return ",.4~r"


def _series(t: Translator, keys: list[str]) -> tuple[dict, dict, dict[str, str]]:
    labels = {k: t(f"series_{k}") for k in keys}
    domain = [labels[k] for k in keys]
    colour = {"domain": domain, "range": [_SERIES_STYLE[k][0] for k in keys]}
    dash = {"domain": domain, "range": [_SERIES_STYLE[k][1] for k in keys]}
    return colour, dash, labels


def _x(kr: KeyResult, t: Translator) -> dict:
    return {
        "field": "date",
        "type": "temporal",
        "title": t("chart_date"),
        "scale": {"domain": [kr.start.isoformat(), kr.end.isoformat()]},
        "axis": {"format": _AXIS_DATE_FORMAT[t.lang], "labelOverlap": True, "tickCount": 5},
    }


def _series_encoding(t: Translator, colour: dict, dash: dict) -> dict:
    legend = {"title": t("chart_series"), "orient": "bottom", "symbolType": "stroke", "symbolStrokeWidth": 3}
    return {
        "color": {"field": "series", "type": "nominal", "scale": colour, "legend": legend},
        "strokeDash": {"field": "series", "type": "nominal", "scale": dash, "legend": legend},
    }


def _columns(rows: list[dict]) -> list[dict]:
    """Rows as one record per series with date and value lists (flattened again by Vega-Lite):
    a third of the bytes of one object per point, which matters with 1,000 KR pages."""
    series: dict[str, dict[str, list]] = {}
    for row in rows:
        column = series.setdefault(row["series"], {"date": [], "value": []})
        column["date"].append(row["date"])
        value = row["value"]
        column["value"].append(round(value, 6) if isinstance(value, float) else value)
    return [{"series": name, **values} for name, values in series.items()]


def _spec(rows: list[dict], layers: list[dict], encoding: dict, height: int, alt: str) -> dict:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": alt,
        "width": "container",
        "height": height,
        "data": {"values": _columns(rows)},
        # Flattened values skip Vega-Lite's parsing of the inline data: dates are parsed here.
        "transform": [{"flatten": ["date", "value"]}, {"calculate": "toDate(datum.date)", "as": "date"}],
        "encoding": encoding,
        "layer": layers,
        "config": _CONFIG,
    }


def daily_scores(kr: KeyResult, history: list[HistoryRow]) -> list[tuple[dt.date, float, float | None]]:
    """(day, score, expected) for the score chart: the nightly history where it has a score, else
    each day's actual to date scored with the rules of docs/scoring.md §3–4 (display only: the
    nightly history, when there is one, is what scoring stored)."""
    stored = [(h.as_of, float(h.score), h.expected_progress) for h in history if h.score is not None]
    kind = kr.type or "progress"
    if len(stored) > 1 or kr.target is None or (kind == "progress" and kr.baseline is None):
        return sorted(stored)
    total = kr.total_days or (kr.end - kr.start).days + 1
    factor = 0.7 if kr.commitment == "aspirational" else 1.0
    derived = {}
    for h in history:
        if h.actual is None or not kr.start <= h.as_of <= kr.end:
            continue
        if kind == "stay_above":
            progress = 1.0 if h.actual >= kr.target else 0.0
        elif kind == "stay_below":
            progress = 1.0 if h.actual <= kr.target else 0.0
        elif kr.target == kr.baseline:
            continue
        else:
            progress = (h.actual - kr.baseline) / (kr.target - kr.baseline)
        elapsed = (h.as_of - kr.start).days + 1
        expected = factor * elapsed / total if kind == "progress" else 1.0
        derived[h.as_of] = (h.as_of, min(max(progress, 0.0), 1.0), expected)
    for row in stored:  # a stored score wins over a derived one on the same day
        derived[row[0]] = row
    return sorted(derived.values())


def progress_chart(
    kr: KeyResult, history: list[HistoryRow], t: Translator, fmt_value: Callable, fmt_date: Callable
) -> RenderedChart | None:
    """Actual over the period against the target, the expected pace line and the forecast."""
    if kr.target is None:
        return None
    keys = ["actual", "target"]
    rows: list[dict] = []
    points = sorted(
        (h.as_of, h.actual) for h in history if h.actual is not None and kr.start <= h.as_of <= kr.end
    )
    if not points and kr.actual is not None:
        # No history yet (first run): the current actual, on the last day it has data for.
        points = [(min(kr.data_through or kr.end, kr.end), kr.actual)]
    rows += [{"date": d.isoformat(), "value": v, "key": "actual"} for d, v in points]
    rows += [{"date": d.isoformat(), "value": kr.target, "key": "target"} for d in (kr.start, kr.end)]
    if (kr.type or "progress") == "progress" and kr.baseline is not None:
        keys.append("pace")
        rows += [
            {"date": d.isoformat(), "value": kr.baseline + e * (kr.target - kr.baseline), "key": "pace"}
            for d, e in _pace_curve(kr)
        ]
    band = _forecast_band(kr, points)
    # With an interval the line runs to its middle (p50), so that it stays inside the band.
    forecast = (kr.forecast.p50 if band else kr.forecast.projected_actual) if kr.forecast else None
    if forecast is not None and points:
        keys.append("forecast")
        start_day, start_value = points[-1]
        rows += [
            {"date": start_day.isoformat(), "value": start_value, "key": "forecast"},
            {"date": kr.end.isoformat(), "value": forecast, "key": "forecast"},
        ]
    colour, dash, labels = _series(t, keys)
    for row in rows:
        row["series"] = labels[row.pop("key")]
    when = points[-1][0] if points else None
    alt = t(
        "chart_progress_alt",
        title=kr.title,
        actual=fmt_value(points[-1][1] if points else None, kr.unit),
        date=fmt_date(when),
        target=fmt_value(kr.target, kr.unit),
    )
    if forecast is not None and points:
        alt += " " + t(
            "chart_progress_alt_forecast", forecast=fmt_value(forecast, kr.unit), end=fmt_date(kr.end)
        )
    y_title = t("chart_value") + (f" ({kr.unit})" if kr.unit and not is_percent_unit(kr.unit) else "")
    encoding = {
        "x": _x(kr, t),
        "y": {
            "field": "value",
            "type": "quantitative",
            "title": y_title,
            "axis": {"format": _d3_number_format(kr)},
        },
        **_series_encoding(t, colour, dash),
    }
    layers = [
        {"mark": {"type": "line", "strokeWidth": 2.5}},
        {
            "mark": {"type": "point", "filled": True, "size": 18},
            "transform": [{"filter": {"field": "series", "equal": labels["actual"]}}],
        },
    ]
    spec = _spec(rows, layers, encoding, HEIGHT, alt)
    if band:
        # The forecast's p10-p90 to the period end, under the lines, in the forecast's colour. It
        # has data of its own, so the series' flattening moves from the top into the lines' layer.
        lines = {"layer": spec.pop("layer"), "transform": spec.pop("transform")}
        area = {
            "data": {"values": band},
            "transform": [{"calculate": "toDate(datum.date)", "as": "date"}],
            "mark": {"type": "area", "color": _SERIES_STYLE["forecast"][0], "opacity": 0.18},
            "encoding": {
                "y": {"field": "low", "type": "quantitative"},
                "y2": {"field": "high"},
                "color": {"value": _SERIES_STYLE["forecast"][0]},
                "strokeDash": {"value": [1, 0]},
            },
        }
        spec["layer"] = [area, lines]
        alt += " " + t(
            "chart_progress_alt_band",
            low=fmt_value(band[-1]["low"], kr.unit),
            high=fmt_value(band[-1]["high"], kr.unit),
            end=fmt_date(kr.end),
        )
        spec["description"] = alt
    return RenderedChart(spec=spec, alt=alt)


def _pace_curve(kr: KeyResult) -> list[tuple[dt.date, float]]:
    """The expected progress by day (scorecard.json pace_curve): the actual pace line, a curve for
    a seasonal or monthly pace. Older scorecards without it get today's straight line."""
    if kr.pace_curve:
        return [(d, float(e)) for d, e in kr.pace_curve]
    factor = 1.0
    if kr.expected_progress and kr.elapsed_days and kr.total_days:
        # The pace the scoring expects (aspirational KRs expect less than the full target).
        factor = kr.expected_progress / (kr.elapsed_days / kr.total_days)
    return [(kr.start, 0.0), (kr.end, factor)]


def _forecast_band(kr: KeyResult, points: list[tuple[dt.date, float]]) -> list[dict]:
    """The p10-p90 band from the last actual to the period end (empty when there is none)."""
    f = kr.forecast
    if not points or f is None or f.p10 is None or f.p90 is None or points[-1][0] >= kr.end:
        return []
    day, value = points[-1]
    return [
        {"date": day.isoformat(), "low": value, "high": value},
        {"date": kr.end.isoformat(), "low": f.p10, "high": f.p90},
    ]


def score_chart(
    kr: KeyResult, history: list[HistoryRow], t: Translator, fmt_score: Callable, fmt_date: Callable
) -> RenderedChart | None:
    """The KR's score on each day since its start, with the expected progress for comparison."""
    scored = daily_scores(kr, history)
    if not scored:
        return None
    colour, dash, labels = _series(t, ["score", "expected"])
    rows = [{"date": d.isoformat(), "value": s, "series": labels["score"]} for d, s, _ in scored]
    rows += [
        {"date": d.isoformat(), "value": e, "series": labels["expected"]}
        for d, _, e in scored
        if e is not None
    ]
    top = max(1.0, *(r["value"] for r in rows))  # a score above 1 (over-achievement) stays on the chart
    last = scored[-1]
    alt = t(
        "chart_score_alt",
        title=kr.title,
        first=fmt_date(scored[0][0]),
        last=fmt_date(last[0]),
        score=fmt_score(last[1]),
        expected=fmt_score(last[2]),
    )
    encoding = {
        "x": _x(kr, t),
        "y": {
            "field": "value",
            "type": "quantitative",
            "title": t("score"),
            "scale": {"domain": [0, top]},
            "axis": {"format": ".1f"},
        },
        **_series_encoding(t, colour, dash),
    }
    # One scored day still draws: the point marks it even before a line can join two days.
    layers = [{"mark": {"type": "line", "strokeWidth": 2.5, "point": {"filled": True, "size": 14}}}]
    return RenderedChart(spec=_spec(rows, layers, encoding, SCORE_HEIGHT, alt), alt=alt)
