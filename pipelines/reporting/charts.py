"""KR charts: Altair specs rendered to static SVG by vl-convert (no browser, no network).

Series are told apart by colour *and* dash pattern *and* the legend text, so the charts stay
readable in black-and-white print and for colour-blind readers. Chart text is translated labels
and numbers only; titles from definitions stay in the HTML around the chart.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass

import altair as alt
import vl_convert as vlc
from markupsafe import Markup, escape

from pipelines.reporting.formatting import CHART_LOCALES, currency_of, is_percent_unit
from pipelines.reporting.messages import Translator
from pipelines.reporting.model import HistoryRow, KeyResult

WIDTH, HEIGHT = 620, 240
# Greyscale-safe palette (Okabe-Ito) and a distinct dash per series.
_SERIES_STYLE = {
    "actual": ("#0072B2", [1, 0]),
    "target": ("#333333", [2, 2]),
    "pace": ("#999999", [6, 3]),
    "forecast": ("#D55E00", [4, 4]),
    "score": ("#0072B2", [1, 0]),
    "expected": ("#999999", [6, 3]),
}
_AXIS_DATE_FORMAT = {"en": "%-d %b", "fi": "%-d.%-m."}
_counter = itertools.count(1)


@dataclass(frozen=True)
class RenderedChart:
    svg: Markup
    alt: str


def _d3_number_format(kr: KeyResult) -> str:
    if currency_of(kr.unit):
        return ",.0f"
    if is_percent_unit(kr.unit):
        return ".0%"
    return ",.4~r"


def _series_scale(t: Translator, keys: list[str]) -> tuple[alt.Scale, alt.Scale, dict[str, str]]:
    labels = {k: t(f"series_{k}") for k in keys}
    domain = [labels[k] for k in keys]
    colour = alt.Scale(domain=domain, range=[_SERIES_STYLE[k][0] for k in keys])
    dash = alt.Scale(domain=domain, range=[_SERIES_STYLE[k][1] for k in keys])
    return colour, dash, labels


def _iso(d: dt.date) -> str:
    return d.isoformat()


def _to_svg(chart: alt.TopLevelMixin, lang: str, alt_text: str) -> Markup:
    chart = (
        chart.configure_axis(labelFontSize=12, titleFontSize=12, titleFontWeight="normal")
        .configure_legend(labelFontSize=12, titleFontSize=12, symbolSize=160)
        .configure_view(stroke="#d0d7de")
    )
    svg = vlc.vegalite_to_svg(
        chart.to_dict(validate=False),
        format_locale=CHART_LOCALES[lang],
        time_format_locale=CHART_LOCALES[lang],
        allowed_base_urls=[],  # all data is inline; never fetch anything
    )
    # Several charts share a page: make any element ids unique so clip paths never cross-refer.
    prefix = f"c{next(_counter)}-"
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)
    # The figure's alt text becomes the SVG's accessible name; Vega's own labels are hidden.
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(alt_text)}" ', 1)
    return Markup(svg)  # noqa: S704 - vl-convert output: Vega escapes every text it draws


def progress_chart(
    kr: KeyResult, history: list[HistoryRow], t: Translator, fmt_value, fmt_date
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
    rows += [{"date": _iso(d), "value": v, "key": "actual"} for d, v in points]
    rows += [{"date": _iso(d), "value": kr.target, "key": "target"} for d in (kr.start, kr.end)]
    if (kr.type or "progress") == "progress" and kr.baseline is not None:
        keys.append("pace")
        factor = 1.0
        if kr.expected_progress and kr.elapsed_days and kr.total_days:
            # The pace the scoring expects (aspirational KRs expect less than the full target).
            factor = kr.expected_progress / (kr.elapsed_days / kr.total_days)
        end_value = kr.baseline + factor * (kr.target - kr.baseline)
        rows += [
            {"date": _iso(kr.start), "value": kr.baseline, "key": "pace"},
            {"date": _iso(kr.end), "value": end_value, "key": "pace"},
        ]
    forecast = kr.forecast.projected_actual if kr.forecast else None
    if forecast is not None and points:
        keys.append("forecast")
        start_day, start_value = points[-1]
        rows += [
            {"date": _iso(start_day), "value": start_value, "key": "forecast"},
            {"date": _iso(kr.end), "value": forecast, "key": "forecast"},
        ]
    colour, dash, labels = _series_scale(t, keys)
    for row in rows:
        row["series"] = labels[row.pop("key")]
    data = alt.Data(values=rows)
    x = alt.X(
        "date:T",
        title=t("chart_date"),
        scale=alt.Scale(domain=[_iso(kr.start), _iso(kr.end)]),
        axis=alt.Axis(format=_AXIS_DATE_FORMAT[t.lang], labelOverlap=True),
    )
    y_title = t("chart_value") + (f" ({kr.unit})" if kr.unit and not is_percent_unit(kr.unit) else "")
    y = alt.Y("value:Q", title=y_title, axis=alt.Axis(format=_d3_number_format(kr)))
    legend = alt.Legend(title=t("chart_series"), orient="bottom", symbolType="stroke", symbolStrokeWidth=3)
    base = alt.Chart(data).encode(
        x=x,
        y=y,
        color=alt.Color("series:N", scale=colour, legend=legend),
        strokeDash=alt.StrokeDash("series:N", scale=dash, legend=legend),
    )
    lines = base.mark_line(strokeWidth=2.5)
    dots = base.mark_point(filled=True, size=18).transform_filter(alt.datum.series == labels["actual"])
    chart = alt.layer(lines, dots).properties(width=WIDTH, height=HEIGHT)
    when = points[-1][0] if points else None
    actual_value = points[-1][1] if points else None
    alt_text = t(
        "chart_progress_alt",
        title=kr.title,
        actual=fmt_value(actual_value, kr.unit),
        date=fmt_date(when),
        target=fmt_value(kr.target, kr.unit),
    )
    if forecast is not None and points:
        alt_text += " " + t(
            "chart_progress_alt_forecast", forecast=fmt_value(forecast, kr.unit), end=fmt_date(kr.end)
        )
    return RenderedChart(svg=_to_svg(chart, t.lang, alt_text), alt=alt_text)


def score_chart(
    kr: KeyResult, history: list[HistoryRow], t: Translator, fmt_score, fmt_date
) -> RenderedChart | None:
    """The KR's score on each scored day, with the expected progress for comparison."""
    scored = sorted((h for h in history if h.score is not None), key=lambda h: h.as_of)
    if not scored:
        return None
    keys = ["score", "expected"]
    colour, dash, labels = _series_scale(t, keys)
    rows = [{"date": _iso(h.as_of), "value": h.score, "series": labels["score"]} for h in scored]
    rows += [
        {"date": _iso(h.as_of), "value": h.expected_progress, "series": labels["expected"]}
        for h in scored
        if h.expected_progress is not None
    ]
    top = max(1.0, *(r["value"] for r in rows))
    legend = alt.Legend(title=t("chart_series"), orient="bottom", symbolType="stroke", symbolStrokeWidth=3)
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(strokeWidth=2.5, point=alt.OverlayMarkDef(filled=True, size=14))
        .encode(
            x=alt.X(
                "date:T",
                title=t("chart_date"),
                scale=alt.Scale(domain=[_iso(kr.start), _iso(kr.end)]),
                axis=alt.Axis(format=_AXIS_DATE_FORMAT[t.lang], labelOverlap=True),
            ),
            y=alt.Y(
                "value:Q", title=t("score"), scale=alt.Scale(domain=[0, top]), axis=alt.Axis(format=".1f")
            ),
            color=alt.Color("series:N", scale=colour, legend=legend),
            strokeDash=alt.StrokeDash("series:N", scale=dash, legend=legend),
        )
        .properties(width=WIDTH, height=160)
    )
    last = scored[-1]
    alt_text = t(
        "chart_score_alt",
        title=kr.title,
        first=fmt_date(scored[0].as_of),
        last=fmt_date(last.as_of),
        score=fmt_score(last.score),
        expected=fmt_score(last.expected_progress),
    )
    return RenderedChart(svg=_to_svg(chart, t.lang, alt_text), alt=alt_text)
