"""The data-health view: one line for the overview and a page that groups the checks by source.

Every count is a count of checks (one check name on one asset, as Dagster shows them) taken from
`data_health.check_results`, so the line, the page's totals and the per-source rows always add
up to the `okr run` summary. Failures are told in plain words from the expectation's type, its
column and how many rows broke it; the raw summary is the fallback.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from pipelines.reporting.formatting import Formatter
from pipelines.reporting.messages import Translator
from pipelines.reporting.site_model import KRView, SiteModel

KR_SOURCE = "key_results"
EXPORTS = "exports"  # the export folder, as raw.source_load_status names it
_ALIASES = {"ad": "ads"}
_FAILURE_MESSAGES = {
    "expect_column_values_to_be_between": "health_failure_between",
    "expect_column_values_to_not_be_null": "health_failure_null",
    "expect_column_values_to_be_unique": "health_failure_unique",
    "expect_column_values_to_be_in_set": "health_failure_set",
}


def source_of(node: str | None, metrics: set[str]) -> str:
    """The source system a checked table belongs to: stg_hubspot__deals and raw.hubspot_deals ->
    hubspot; a metric model -> metrics; the scores table -> key_results."""
    name = (node or "").split(".", 1)[-1]
    if name == "kr_scores":
        return KR_SOURCE
    if name in metrics:
        return "metrics"
    staged = name.startswith("stg_") and "__" in name
    name = name[4:].split("__", 1)[0] if staged else name.split("_", 1)[0]
    return _ALIASES.get(name, name)


@dataclass
class SourceGroup:
    key: str
    name: str
    checks: int = 0
    errors: int = 0
    warnings: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.errors + self.warnings


@dataclass
class RejectedFileView:
    name: str
    sentence: str
    problems: list[dict[str, Any]]  # {line, column, problem}, capped (see load_problems.MAX_PROBLEMS)
    more: int  # problems not listed


@dataclass
class LoadGroup:
    """A source that failed to load, or the export folder with its rejected files."""

    key: str
    name: str
    sentences: list[str] = field(default_factory=list)
    files: list[RejectedFileView] = field(default_factory=list)


@dataclass
class DefinitionWarning:
    """Key results that are scored, but not quite as defined, for one reason (a pace fallback)."""

    code: str  # the reason, e.g. no_history (kr_scores.pace_warning)
    sentence: str
    krs: list[tuple[KRView, str]]  # (KR, the detail line: its metric and last year's window)


@dataclass
class HealthView:
    level: str  # ok | warn | error
    line: str
    checks: int
    errors: int
    warnings: int
    groups: list[SourceGroup]
    blocked: list[str]
    late: list[tuple[str, int, list[KRView]]]  # (source name, days late, KRs)
    load: list[LoadGroup] = field(default_factory=list)  # what failed to load, by source
    definitions: list[DefinitionWarning] = field(default_factory=list)  # grouped by reason

    @property
    def failed(self) -> int:
        return self.errors + self.warnings


def _failure_sentence(f: dict[str, Any], t: Translator, fmt: Formatter) -> str:
    key = _FAILURE_MESSAGES.get(f.get("expectation") or "")
    count, rows = f.get("unexpected_count"), f.get("element_count")
    if key and f.get("column") and isinstance(count, int) and isinstance(rows, int):
        return t(
            key,
            count=fmt.integer(count),
            rows=fmt.integer(rows),
            column=f["column"],
            min=_bound(f.get("min_value"), fmt),
            max=_bound(f.get("max_value"), fmt),
        )
    return t("health_failure_other", check=f.get("check") or "", summary=f.get("summary") or "")


def _bound(value: Any, fmt: Formatter) -> str:
    if value is None:
        return fmt.none
    try:
        return fmt.date(dt.date.fromisoformat(str(value)[:10])) if len(str(value)) >= 10 else str(value)
    except ValueError:
        return str(value)


def _dicts(items: Any) -> list[dict]:
    """The records of a list in data_health (anything else in it is not ours to show)."""
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def health_view(model: SiteModel, t: Translator, fmt: Formatter) -> HealthView | None:
    health = model.card.data_health
    if not health:
        return None
    metrics = {k.metric for k in model.krs if k.metric}
    results = health.get("check_results")
    if results is None:  # a scorecard written before check_results: source checks only
        results = [
            {"check": f["check"], "source": f["source"], "severity": f["severity"], "passed": False}
            for f in {(f.get("check"), f.get("source")): f for f in _dicts(health.get("failures"))}.values()
        ]
    groups: dict[str, SourceGroup] = {}
    source_by_check: dict[str, str] = {}
    for r in _dicts(results):
        key = source_of(r.get("source"), metrics)
        source_by_check[r.get("check")] = key
        group = groups.setdefault(key, SourceGroup(key, t.optional("source", key)))
        group.checks += 1
        if not r.get("passed"):
            if r.get("severity") == "ERROR":
                group.errors += 1
            else:
                group.warnings += 1
    for f in _dicts(health.get("failures")):
        key = source_of(f.get("source"), metrics)
        groups.setdefault(key, SourceGroup(key, t.optional("source", key))).failures.append(
            _failure_sentence(f, t, fmt)
        )
    titles = {k.id: k.title for k in model.krs}
    for f in _dicts(health.get("failed_kr_checks")):
        group = groups.setdefault(KR_SOURCE, SourceGroup(KR_SOURCE, t.optional("source", KR_SOURCE)))
        group.failures.append(
            t(
                "health_kr_failed",
                title=titles.get(f.get("kr_id"), f.get("kr_id")),
                check=t.optional("check", f.get("check")),
            )
        )
    failed_krs = _failed_source_krs(model)
    late = _late_sources(model, source_by_check, t, set().union(*failed_krs.values()))
    errors = sum(g.errors for g in groups.values())
    warnings = sum(g.warnings for g in groups.values())
    checks = sum(g.checks for g in groups.values())
    blocked_krs = sum(
        1 for k in model.active_krs if k.reason is not None and k.reason.code == "blocked_by_check"
    )
    load = _load_groups(health, t, fmt, failed_krs)
    parts = load_line(health, t, fmt, failed_krs)
    parts += [
        t("data_health_late", source=name, days=fmt.integer(days), count=fmt.integer(len(krs)))
        for name, days, krs in late
    ]
    if errors:
        parts.append(
            t(
                "data_health_errors",
                failed=fmt.integer(errors),
                checks=fmt.integer(checks),
                blocked=fmt.integer(blocked_krs),
            )
        )
    elif not late and not load:
        parts.append(
            t("data_health_warnings", failed=fmt.integer(warnings), checks=fmt.integer(checks))
            if warnings
            else t("data_health_ok", checks=fmt.integer(checks))
        )
    definitions = _definition_warnings(model, t, fmt)
    if definitions:
        count = sum(len(d.krs) for d in definitions)
        parts.append(t("data_health_definitions", count=count, krs=fmt.integer(count)))
    line = " ".join(parts)
    ordered = sorted(groups.values(), key=lambda g: (g.key == KR_SOURCE, -g.failed, g.name.casefold()))
    return HealthView(
        level="error" if errors or load else ("warn" if warnings or late or definitions else "ok"),
        line=line,
        checks=checks,
        errors=errors,
        warnings=warnings,
        groups=ordered,
        blocked=[
            t("health_blocked_line", metric=b.get("metric"), reason=b.get("reason"))
            if isinstance(b, dict)
            else str(b)
            for b in health.get("blocked_metrics") or []
        ],
        late=late,
        load=load,
        definitions=definitions,
    )


_PACE_WARNINGS = ("no_history", "history_not_positive", "period_over_a_year")  # int_kr_pace_curves


def _definition_warnings(model: SiteModel, t: Translator, fmt: Formatter) -> list[DefinitionWarning]:
    """The current cycles' KRs whose seasonal pace fell back to a straight line, grouped by why
    (the same warnings `okr validate` prints, from kr_scores.pace_warning)."""
    by_code: dict[str, list[tuple[KRView, str]]] = defaultdict(list)
    for kr in model.active_krs:
        if not kr.pace_warning:
            continue
        code = kr.pace_warning if kr.pace_warning in _PACE_WARNINGS else "other"
        detail = t(
            "health_pace_fallback_kr",
            id=kr.id,
            metric=kr.metric or fmt.none,
            start=fmt.date(_year_before(kr.start)),
            end=fmt.date(_year_before(kr.end)),
        )
        by_code[code].append((kr, detail))
    return [
        DefinitionWarning(
            code,
            t(f"health_pace_fallback.{code}", count=len(krs), krs=fmt.integer(len(krs))),
            sorted(krs, key=lambda k: k[0].title.casefold()),
        )
        for code, krs in sorted(by_code.items(), key=lambda item: (-len(item[1]), item[0]))
    ]


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


_FAILED_SOURCE = re.compile(r"source (\S+) failed to load")  # kr_scores.status_reason of such a KR


def _failed_source_krs(model: SiteModel) -> dict[str, set[str]]:
    """source -> ids of the current cycle's KRs that are stale because it failed to load."""
    out: dict[str, set[str]] = defaultdict(set)
    for kr in model.active_krs:
        found = _FAILED_SOURCE.match(kr.status_reason or "") if kr.status == "stale" else None
        if found:
            out[found.group(1)].add(kr.id)
    return out


def _affected(s: dict[str, Any], failed_krs: dict[str, set[str]] | None) -> int:
    """KRs a failed source makes stale: the current cycle's when known, else all (scorecard.json)."""
    if failed_krs is not None:
        return len(failed_krs.get(str(s.get("source")), ()))
    return int(s.get("krs_affected") or 0)


def load_line(
    health: dict[str, Any], t: Translator, fmt: Formatter, failed_krs: dict[str, set[str]] | None = None
) -> list[str]:
    """The overview's words for what failed to load: each failed source, then the rejected files."""
    parts = []
    for s in _dicts(health.get("failed_sources")):
        count = _affected(s, failed_krs)
        name = source_name(s, t)
        parts.append(
            t("data_health_source_failed", source=name, count=fmt.integer(count))
            if count
            else t("data_health_source_failed_none", source=name)
        )
    files = _dicts(health.get("rejected_files"))
    if files:
        rows = int(health.get("rejected_rows") or 0)
        parts.append(
            t(
                "data_health_files_rejected",
                count=len(files),
                files=fmt.integer(len(files)),
                rows=fmt.integer(rows),
            )
        )
    return parts


def source_name(s: dict[str, Any], t: Translator) -> str:
    key = str(s.get("source") or "")
    return t(f"source.{key}") if t.has(f"source.{key}") else str(s.get("title") or key)


def _sentence(text: object) -> str:
    text = str(text or "").strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _load_groups(
    health: dict[str, Any], t: Translator, fmt: Formatter, failed_krs: dict[str, set[str]]
) -> list[LoadGroup]:
    """Failed sources and rejected export files, grouped by source (the export folder is one)."""
    groups: dict[str, LoadGroup] = {}
    for s in _dicts(health.get("failed_sources")):
        key = str(s.get("source") or "")
        group = groups.setdefault(key, LoadGroup(key, source_name(s, t)))
        since, error = s.get("last_success_at"), _sentence(s.get("error"))
        group.sentences.append(
            t("health_source_failed", error=error, since=fmt.date(dt.date.fromisoformat(str(since)[:10])))
            if since
            else t("health_source_never_loaded", error=error)
        )
        if count := _affected(s, failed_krs):
            group.sentences.append(t("health_source_krs", count=fmt.integer(count)))
    for f in _dicts(health.get("rejected_files")):
        group = groups.setdefault(EXPORTS, LoadGroup(EXPORTS, t("source.exports")))
        rows = int(f.get("rejected_rows") or 0)
        sentence = (
            t("health_file_rejected", file=f.get("file_name"), count=rows, rows=fmt.integer(rows))
            if rows
            else t("health_file_unreadable", file=f.get("file_name"), error=_sentence(f.get("error")))
        )
        problems = _dicts(f.get("problems"))
        more = max(int(f.get("problem_count") or 0) - len(problems), 0)
        group.files.append(RejectedFileView(str(f.get("file_name")), sentence, problems, more))
    return sorted(groups.values(), key=lambda g: (g.key == EXPORTS, g.name.casefold()))


def _late_sources(
    model: SiteModel, source_by_check: dict[str, str], t: Translator, failed: set[str] = frozenset()
) -> list[tuple[str, int, list[KRView]]]:
    """Stale KRs grouped by the source systems their metric reads (from the checks that concern
    them); KRs stale because a source failed to load (`failed`) are told with that failure."""
    by_source: dict[str, list[KRView]] = defaultdict(list)
    for kr in model.active_krs:
        if kr.status != "stale" or kr.id in failed:
            continue
        keys = {source_by_check.get(c.name) for c in kr.checks or []} - {None, KR_SOURCE}
        for key in sorted(keys) or [kr.metric or "metrics"]:
            by_source[key].append(kr)
    out = []
    for key, krs in sorted(by_source.items()):
        days = max(((model.card.as_of - k.data_through).days for k in krs if k.data_through), default=0)
        out.append((t.optional("source", key), days, krs))
    return out
