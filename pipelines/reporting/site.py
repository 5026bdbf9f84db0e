"""Renders the static scorecard site (Jinja2, autoescaped) from a SiteModel into a folder.

Every page links with relative addresses (`../krs/X.html`), so the folder works opened from disk,
from a file share or from any static host.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from pipelines.reporting import charts
from pipelines.reporting.formatting import Formatter
from pipelines.reporting.messages import STATUS_ICONS, STATUSES, Translator
from pipelines.reporting.site_model import KRView, SiteModel, tree_roots

_HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = _HERE / "templates"
STATIC_DIR = _HERE / "static"


@dataclass(frozen=True)
class Freshness:
    newest: dt.date | None
    oldest: dt.date | None
    lagging: int  # KRs that are stale or have no data


def _environment() -> Environment:
    # autoescape=True for every template: titles, owners and campaign names come from YAML files
    # and source data, and must show as text (`<script>` stays visible, never runs).
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _freshness(krs: list[KRView]) -> Freshness:
    days = [k.data_through for k in krs if k.data_through is not None]
    lagging = sum(1 for k in krs if k.status in ("stale", "no_data"))
    return Freshness(newest=max(days, default=None), oldest=min(days, default=None), lagging=lagging)


def _health_rows(data_health: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The checks work's data-health summary, shown as label/value rows whatever its exact shape."""
    if not data_health:
        return []

    def label(key: str) -> str:
        return key.replace("_", " ").capitalize()

    def text(value: Any) -> str:
        if isinstance(value, dict):
            return ", ".join(f"{k}: {text(v)}" for k, v in value.items())
        if isinstance(value, list):
            return ", ".join(text(v) for v in value)
        return "–" if value is None else str(value)

    return [(label(k), text(v)) for k, v in data_health.items()]


class SiteRenderer:
    def __init__(
        self, model: SiteModel, lang: str, tz: dt.tzinfo | None = None, quality_url: str | None = None
    ):
        self.model = model
        self.t = Translator(lang)
        self.fmt = Formatter(lang, none=self.t("none_value"))
        self.env = _environment()
        self.common = {
            "model": model,
            "card": model.card,
            "t": self.t,
            "fmt": self.fmt,
            "icons": STATUS_ICONS,
            "tz": tz,
            "quality_url": quality_url,
            "change_value": self._change_value,
        }

    def _change_value(self, field: str, value: Any, unit: str | None) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return self.fmt.value(value, unit)
        if isinstance(value, str) and field in ("start", "end", "start_date", "end_date"):
            try:
                return self.fmt.date(dt.date.fromisoformat(value))
            except ValueError:
                return value
        return self.fmt.none if value is None else str(value)

    def _write(self, out: Path, rel: str, template: str, page: str, **context: Any) -> Path:
        root = "../" * rel.count("/")
        html = self.env.get_template(template).render(**self.common, root=root, page=page, **context)
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
        return path

    def render(self, out: Path) -> list[Path]:
        model, t, fmt = self.model, self.t, self.fmt
        written = []
        assets = out / "assets"
        assets.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(STATIC_DIR / "style.css", assets / "style.css")
        written.append(assets / "style.css")

        active = model.active_objectives
        counted = Counter(k.status for k in model.active_krs)
        written.append(
            self._write(
                out,
                "index.html",
                "overview.html.j2",
                "overview",
                roots=tree_roots(active),
                scope=set(active),
                counts=[(s, counted.get(s, 0)) for s in STATUSES],
                freshness=_freshness(model.active_krs),
                data_health=_health_rows(model.card.data_health),
            )
        )
        for team in model.teams:
            team_active = [o for o in team.objectives if o.cycle.state != "past"]
            written.append(
                self._write(
                    out,
                    team.url,
                    "team.html.j2",
                    "team",
                    team=team,
                    current_team=team,
                    active=tree_roots(team_active),
                    scope=set(team_active),
                    past=[o for o in team.objectives if o.cycle.state == "past"],
                )
            )
        for objective in model.objectives:
            written.append(self._write(out, objective.url, "objective.html.j2", "objective", o=objective))
        for kr in model.krs:
            progress = charts.progress_chart(kr.kr, kr.history, t, fmt.value, fmt.date)
            score = charts.score_chart(kr.kr, kr.history, t, fmt.score, fmt.date)
            written.append(
                self._write(
                    out, kr.url, "kr.html.j2", "kr", kr=kr, progress_chart=progress, score_chart=score
                )
            )
        written.append(
            self._write(
                out, "archive/index.html", "archive_index.html.j2", "archive", cycles=model.past_cycles
            )
        )
        for cycle in model.past_cycles:
            written.append(
                self._write(
                    out,
                    cycle.url,
                    "archive_cycle.html.j2",
                    "archive",
                    cycle=cycle,
                    roots=tree_roots(cycle.objectives),
                    scope=set(cycle.objectives),
                )
            )
        return written
