"""One reporting pass: the scorecard is validated and arranged once per run, and the site, the
exports and the alerts all read that one `Report` (and the one translator/formatter per language).

    report = build_report(scorecard, history, metrics, lang="fi", team_names=settings.teams)
    publish_report(report, settings.scorecard_dir, ...)      # pipelines.reporting.publish
    send_status_alerts(scorecard, history, settings.alerts, report=report)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pipelines.reporting.formatting import Formatter
from pipelines.reporting.messages import LANGUAGES, Translator
from pipelines.reporting.model import (
    ArchivedCycle,
    HistoryRow,
    ScorecardError,
    parse_history,
    parse_metrics,
    parse_scorecard,
)
from pipelines.reporting.site_model import SiteModel, build_site_model


@dataclass(frozen=True)
class Texts:
    """The translator and the formatter of one language (built once per process and language)."""

    t: Translator
    fmt: Formatter


@cache
def texts(lang: str) -> Texts:
    t = Translator(lang)
    return Texts(t=t, fmt=Formatter(lang, none=t("none_value")))


@dataclass(frozen=True)
class Report:
    scorecard: dict  # as given: written to scorecard.json unchanged
    history: list[HistoryRow]
    model: SiteModel
    lang: str

    @property
    def texts(self) -> Texts:
        return texts(self.lang)


def team_names(
    raw: Mapping[str, Any] | None, lang: str, where: str = "settings.yml: teams"
) -> dict[str, str]:
    """`teams:` of settings.yml: team id -> display name, one name for all languages or one per
    language (`demand-gen: {en: Demand generation, fi: Kysynnän luonti}`); the id is the fallback."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ScorecardError(f"{where}: expected a mapping of team id -> name")
    out = {}
    for team, value in raw.items():
        if isinstance(value, str):
            out[str(team)] = value
        elif isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values()):
            unknown = sorted(set(map(str, value)) - set(LANGUAGES))
            if unknown:
                raise ScorecardError(f"{where}.{team}: unknown language(s) {', '.join(unknown)}")
            if lang in value:
                out[str(team)] = value[lang]
        else:
            raise ScorecardError(f"{where}.{team}: expected a name or a mapping of language -> name")
    return out


def build_report(
    scorecard: dict,
    history: list[dict],
    metrics: dict[str, dict],
    *,
    lang: str = "en",
    carried: dict[str, ArchivedCycle] | None = None,
    teams: Mapping[str, Any] | None = None,
) -> Report:
    """Validate the inputs (ScorecardError names the bad key) and build the site model once."""
    if lang not in LANGUAGES:
        raise ScorecardError(f"lang: must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    card = parse_scorecard(scorecard)
    rows = parse_history(history)
    model = build_site_model(card, rows, parse_metrics(metrics), carried or {}, team_names(teams, lang))
    return Report(scorecard=scorecard, history=rows, model=model, lang=lang)
