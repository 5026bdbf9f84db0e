"""Renders the static scorecard site (Jinja2, autoescaped) from the run's one Report into a folder.

Every page links with relative addresses (`../krs/X.html`), so the folder works opened from disk,
from a file share or from any static host. Charts are Vega-Lite specs inside the KR pages, drawn
by the vendored Vega bundle in `assets/` (see charts.py): nothing is converted per KR here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import shutil
from pathlib import Path
from typing import Any

from jinja2 import BytecodeCache, Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined
from jinja2.bccache import Bucket

from pipelines.reporting import charts
from pipelines.reporting.health import health_view
from pipelines.reporting.reasons import objective_reason, objective_reason_sentence, reason_sentence
from pipelines.reporting.report import Report
from pipelines.reporting.site_model import KRView, ObjectiveView, tree_roots
from pipelines.reporting.statuses import STATUS_ICONS, STATUSES

_HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = _HERE / "templates"
STATIC_DIR = _HERE / "static"
VENDOR_DIR = _HERE.parent / "quality" / "static" / "vendor"  # the one vendored copy of Vega


# autoescape=True for every template: titles, owners and campaign names come from YAML files
# and source data, and must show as text (`<script>` stays visible, never runs).
_OPTIONS: dict[str, Any] = {
    "extensions": ["jinja2.ext.i18n"],  # _() / gettext / ngettext from the language's catalog
    "autoescape": True,
    "undefined": StrictUndefined,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
}


class _CompiledTemplates(FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, which must never fail a publish: a cache it cannot
    read or write is a cache it does without."""

    def load_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


@functools.cache
def _compiled_templates() -> BytecodeCache | None:
    """Compiling the site's templates took about a quarter of a second of every publish. Jinja
    keeps them compiled in its per-user folder in the temp directory (it refuses a folder another
    user could write), and compiles again when a template's source changes. Jinja's key is the
    template and its source, not the environment's options, so the options are in the file names."""
    options = hashlib.sha256(repr(sorted(_OPTIONS.items())).encode()).hexdigest()[:12]
    try:
        return _CompiledTemplates(pattern=f"okr-site-{options}-%s.cache")
    except (OSError, RuntimeError):  # RuntimeError: Jinja found the folder unsafe
        return None


def _environment() -> Environment:
    loader = FileSystemLoader(TEMPLATES_DIR)
    return Environment(loader=loader, bytecode_cache=_compiled_templates(), **_OPTIONS)  # noqa: S701 (autoescape in _OPTIONS)


def status_url(status: str) -> str:
    return f"status/{status}.html"


class SiteRenderer:
    def __init__(self, report: Report, tz: dt.tzinfo | None = None, quality_url: str | None = None):
        self.report = report
        self.model = report.model
        self.t, self.fmt = report.texts.t, report.texts.fmt
        self.env = _environment()
        # Old-style callables: the messages use str.format placeholders, not %-formatting.
        self.env.install_gettext_callables(self.t.gettext, self.t.ngettext, newstyle=False)
        self.common = {
            "model": self.model,
            "card": self.model.card,
            "t": self.t,
            "fmt": self.fmt,
            "icons": STATUS_ICONS,
            "tz": tz,
            "quality_url": quality_url,
            "change_value": self._change_value,
            "reason_of": self._reason,
            "objective_reason_of": self._objective_reason,
            "status_url": status_url,
            "trend": self._trend,
        }

    def _reason(self, kr: KRView) -> str:
        return reason_sentence(kr.reason, kr.kr, self.t, self.fmt)

    def _objective_reason(self, o: ObjectiveView) -> str:
        titles = {u.id: u.title for u in (*o.krs, *o.subs)}
        return objective_reason_sentence(objective_reason(o.obj), titles, self.t, self.fmt)

    def _trend(self, delta: float | None) -> str:
        if delta is None:
            return self.fmt.none
        if abs(delta) < 0.005:
            return self.t("trend_flat")
        size = self.fmt.score(abs(delta))
        return self.t("trend_up", delta=size) if delta > 0 else self.t("trend_down", delta=size)

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

    def _assets(self, out: Path) -> list[Path]:
        assets = out / "assets"
        assets.mkdir(parents=True, exist_ok=True)
        written = []
        for name in ("style.css", "charts.js"):
            written.append(Path(shutil.copyfile(STATIC_DIR / name, assets / name)))
        for name in charts.SCRIPTS:
            written.append(Path(shutil.copyfile(VENDOR_DIR / name, assets / name)))
        locale = assets / "chart-locale.js"
        locale.write_text(charts.locale_script(self.t.lang), encoding="utf-8")
        return [*written, locale]

    def _kr_timeline(self, kr: KRView) -> list[dict[str, Any]]:
        """Check-ins and definition changes, newest first; a change_reason with no recorded
        change (the definition was edited before the history began) is kept as an undated entry."""
        items: list[dict[str, Any]] = [{"kind": "checkin", "date": c.date, "item": c} for c in kr.checkins]
        items += [{"kind": "change", "date": c.changed_on, "item": c} for c in kr.definition_changes]
        items.sort(key=lambda i: i["date"] or dt.date.min, reverse=True)
        recorded = {c.reason for c in kr.definition_changes if c.reason}
        if kr.change_reason and kr.change_reason not in recorded:
            items.append({"kind": "note", "date": None, "item": kr.change_reason})
        return items

    def render(self, out: Path) -> list[Path]:
        model, t, fmt = self.model, self.t, self.fmt
        written = self._assets(out)
        active = model.active_objectives
        by_status = model.by_status()
        health = health_view(model, t, fmt)
        written.append(
            self._write(
                out,
                "index.html",
                "overview.html.j2",
                "overview",
                roots=tree_roots(active),
                scope=set(active),
                counts=[(s, len(by_status[s])) for s in STATUSES],
                attention=model.attention(),
                health=health,
                data_days=sorted(k.data_through for k in model.active_krs if k.data_through),
                lagging=len(by_status["stale"]) + len(by_status["no_data"]),
            )
        )
        for status in STATUSES:
            written.append(
                self._write(
                    out, status_url(status), "status.html.j2", "status", status=status, krs=by_status[status]
                )
            )
        if health is not None:
            written.append(self._write(out, "data-health.html", "health.html.j2", "health", health=health))
        written.append(self._write(out, "people/index.html", "people.html.j2", "people"))
        for person in model.people:
            written.append(self._write(out, person.url, "person.html.j2", "people", person=person))
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
            written.append(
                self._write(
                    out,
                    kr.url,
                    "kr.html.j2",
                    "kr",
                    kr=kr,
                    progress_chart=charts.progress_chart(kr.kr, kr.history, t, fmt.value, fmt.date),
                    score_chart=charts.score_chart(kr.kr, kr.history, t, fmt.score, fmt.date),
                    timeline=self._kr_timeline(kr),
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
