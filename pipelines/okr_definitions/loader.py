"""Load every `okrs/*.yml` file, check it whole, and return resolved definitions.

All errors across all files are collected and raised together (DefinitionErrors) before any
data is touched, each with its file, line and path such as `objectives[0].key_results[2].target`.

One file because the checks of one file, of one KR and across files (ids, parents) share the
problems and seen ids collected during one load.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pipelines.okr_definitions.checkins import Checkin, KnownKeyResults, load_checkins
from pipelines.okr_definitions.errors import DefinitionError, DefinitionErrors, FileProblem, read_text
from pipelines.okr_definitions.metric_catalog import CHECKINS_METRIC, Metric, load_metric_catalog
from pipelines.okr_definitions.model import (
    CYCLE_FILE,
    INITIATIVE,
    KEY_RESULT,
    OBJECTIVE,
    Invalid,
    Record,
)
from pipelines.okr_definitions.yaml_lines import (
    MAX_FILE_BYTES,
    LoadedYaml,
    Path_,
    format_path,
    line_for,
    load_with_lines,
)

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class ResolvedInitiative:
    initiative_no: int
    title: str
    owner: str | None
    status: str
    due: dt.date | None
    campaigns: tuple[str, ...]


@dataclass(frozen=True)
class ResolvedKeyResult:
    kr_id: str
    objective_id: str
    title: str
    metric: str
    measure: str
    kr_type: str
    baseline: float | None
    target: float
    commitment: str
    weight: float
    start: dt.date
    end: dt.date
    stale_after_days: int
    at_risk: float
    off_track: float
    unit: str | None
    owner: str | None
    change_reason: str | None
    cycle: str
    filters: dict[str, tuple[str, ...]]
    initiatives: tuple[ResolvedInitiative, ...]
    # The expected-progress curve (docs/scoring.md, "Pace"): linear, seasonal or monthly, the
    # last with its shares as (month 'YYYY-MM', share) in month order.
    pace: str = "linear"
    pace_shares: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class ResolvedObjective:
    objective_id: str
    title: str
    owner: str | None
    team: str | None
    parent: str | None
    weight: float
    cycle: str
    start: dt.date
    end: dt.date
    at_risk: float
    off_track: float
    source_file: str
    kr_ids: tuple[str, ...]


@dataclass
class OkrDefinitions:
    objectives: list[ResolvedObjective] = field(default_factory=list)
    key_results: list[ResolvedKeyResult] = field(default_factory=list)
    checkins: list[Checkin] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def cycles(self) -> list[str]:
        return sorted({o.cycle for o in self.objectives})


def quarter_bounds(label: str) -> tuple[dt.date, dt.date] | None:
    """'2026-Q4' -> (2026-10-01, 2026-12-31); None for labels that are not quarters."""
    m = _QUARTER.match(label)
    if not m:
        return None
    year, q = int(m.group(1)), int(m.group(2))
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


class _FileChecker:
    """Collects the errors of one file with their line numbers.

    A value the YAML reader already rejected (an impossible date, a duplicate key, ...) is reported
    once: later errors about the same path would only repeat it in other words.
    """

    def __init__(self, display_name: str, loaded: LoadedYaml, errors: list[DefinitionError]) -> None:
        self.name = display_name
        self.lines = loaded.lines
        self.errors = errors
        self.reported: set[Path_] = set()
        for path, line, message in loaded.problems:
            self.errors.append(DefinitionError(self.name, line, format_path(path), message))
            self.reported.add(path)

    def error(self, path: Path_, message: str) -> None:
        if any(path[: len(p)] == p for p in self.reported):
            return
        self.errors.append(DefinitionError(self.name, line_for(self.lines, path), format_path(path), message))

    def validate(self, record: Record, raw: Any, path: Path_) -> SimpleNamespace | None:
        """The checked values, or None after recording each of their errors."""
        try:
            return record.validate(raw)
        except Invalid as exc:
            for loc, message in exc.problems:
                self.error((*path, *loc), message)
            return None


def load_definitions(
    okrs_dir: Path,
    metrics: dict[str, Metric] | None = None,
    display_root: Path | None = None,
) -> OkrDefinitions:
    """Parse and check all definitions; raise DefinitionErrors listing every problem found."""
    metrics = load_metric_catalog() if metrics is None else metrics
    display_root = display_root or okrs_dir.parent
    errors: list[DefinitionError] = []
    defs = OkrDefinitions()
    files = sorted(okrs_dir.glob("*.yml")) + sorted(okrs_dir.glob("*.yaml"))
    if not files:
        raise DefinitionErrors([DefinitionError(str(okrs_dir), None, "", "no OKR files (*.yml) found")])
    seen = _Seen()
    for path in files:
        name = _display(path, display_root)
        defs.files.append(name)
        try:
            loaded = load_with_lines(read_text(path, MAX_FILE_BYTES))
        except FileProblem as exc:
            errors.append(DefinitionError(name, exc.line, "", exc.message, exc.column))
            seen.complete = False
            continue
        checker = _FileChecker(name, loaded, errors)
        if not isinstance(loaded.data, dict):
            checker.error((), "must be a mapping with cycle: and objectives: (see docs/okr-definitions.md)")
            seen.complete = False
            continue
        doc = checker.validate(CYCLE_FILE, loaded.data, ())
        if doc is None:
            seen.complete = False
            continue
        _resolve_file(doc, checker, metrics, defs, seen)
    # Objectives of a file that could not be read are unknown: saying that a parent or a KR id
    # does not exist would only send the reader after the wrong problem.
    objective_ids = {o.objective_id for o in defs.objectives} | seen.raw_objective_ids
    for checker, p, _obj_id, parent in seen.parents:
        if parent not in objective_ids and seen.complete:
            checker.error(p, f"parent {parent!r} is not the id of any objective in okrs/")
    _check_parent_loops(seen.parents)
    has_children = {parent for _, _, _, parent in seen.parents} | seen.raw_parents
    for checker, p, obj_id in seen.without_krs:
        if obj_id not in has_children and seen.complete:
            checker.error(p, f"objective {obj_id!r} has no key results and no objective names it as parent")
    checkins_path = okrs_dir / "checkins.csv"
    if checkins_path.exists():
        known = KnownKeyResults(
            metrics={k.kr_id: k.metric for k in defs.key_results},
            unresolved=frozenset(seen.krs) - {k.kr_id for k in defs.key_results},
            complete=seen.complete,
        )
        defs.checkins = load_checkins(checkins_path, known, _display(checkins_path, display_root), errors)
    if errors:
        raise DefinitionErrors(errors)
    return defs


@dataclass
class _Seen:
    """What the files defined so far hold, for the checks that span files."""

    objectives: dict[str, str] = field(default_factory=dict)  # id -> file
    resolved_krs: dict[str, str] = field(default_factory=dict)  # id of each valid KR -> file
    krs: dict[str, str] = field(default_factory=dict)  # every KR id met, valid or not -> file
    parents: list[tuple[_FileChecker, Path_, str, str]] = field(default_factory=list)
    without_krs: list[tuple[_FileChecker, Path_, str]] = field(default_factory=list)
    # Ids and parents as written, also of objectives with errors of their own: no "does not exist"
    # or "has no children" error may follow from an objective that is merely broken.
    raw_objective_ids: set[str] = field(default_factory=set)
    raw_parents: set[str] = field(default_factory=set)
    complete: bool = True  # False when a file, or an objective's id, could not be read at all

    def note_raw_objective(self, raw: Any) -> None:
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            self.complete = False
            return
        self.raw_objective_ids.add(raw["id"].strip())
        if isinstance(raw.get("parent"), str):
            self.raw_parents.add(raw["parent"].strip())
        krs = raw.get("key_results")
        if krs is not None and not isinstance(krs, list):
            self.complete = False  # its KR ids cannot be read


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _resolve_file(
    doc: SimpleNamespace, checker: _FileChecker, metrics: dict[str, Metric], defs: OkrDefinitions, seen: _Seen
) -> None:
    bounds = quarter_bounds(doc.cycle)
    cycle_start = doc.start or (bounds[0] if bounds else None)
    cycle_end = doc.end or (bounds[1] if bounds else None)
    if cycle_start is None or cycle_end is None:
        checker.error(("cycle",), f"{doc.cycle!r} is not a quarter like 2026-Q4, so give start: and end: too")
        seen.complete = False
        return
    if cycle_end < cycle_start:
        checker.error(("end",), f"cycle end {cycle_end} is before its start {cycle_start}")
        seen.complete = False
        return
    if doc.thresholds.off_track <= doc.thresholds.at_risk:
        checker.error(("thresholds", "off_track"), "must be larger than at_risk")
    for oi, raw_obj in enumerate(doc.objectives):
        op: Path_ = ("objectives", oi)
        seen.note_raw_objective(raw_obj)
        obj = checker.validate(OBJECTIVE, raw_obj, op)
        if obj is None:
            continue
        if obj.id in seen.objectives:
            checker.error(
                (*op, "id"), f"objective id {obj.id!r} is already used in {seen.objectives[obj.id]}"
            )
        seen.objectives.setdefault(obj.id, checker.name)
        if obj.parent:
            if obj.parent == obj.id:
                checker.error((*op, "parent"), "an objective cannot be its own parent")
            else:
                seen.parents.append((checker, (*op, "parent"), obj.id, obj.parent))
        if not obj.key_results:
            seen.without_krs.append((checker, op, obj.id))
        kr_ids = []
        for ki, raw_kr in enumerate(obj.key_results):
            kp = (*op, "key_results", ki)
            if isinstance(raw_kr, dict) and isinstance(raw_kr.get("id"), str):
                seen.krs.setdefault(raw_kr["id"].strip(), checker.name)
            elif not isinstance(raw_kr, dict) or "id" in raw_kr:
                seen.complete = False  # a KR whose id cannot be read: check-ins may name it
            kr = checker.validate(KEY_RESULT, raw_kr, kp)
            if kr is None:
                continue
            resolved = _resolve_kr(kr, obj, kp, doc, checker, metrics, cycle_start, cycle_end, seen)
            if resolved:
                defs.key_results.append(resolved)
                kr_ids.append(resolved.kr_id)
        defs.objectives.append(
            ResolvedObjective(
                objective_id=obj.id,
                title=obj.title,
                owner=obj.owner,
                team=obj.team,
                parent=obj.parent,
                weight=obj.weight,
                cycle=doc.cycle,
                start=cycle_start,
                end=cycle_end,
                at_risk=doc.thresholds.at_risk,
                off_track=doc.thresholds.off_track,
                source_file=checker.name,
                kr_ids=tuple(kr_ids),
            )
        )


def _resolve_kr(
    kr: SimpleNamespace,
    obj: SimpleNamespace,
    kp: Path_,
    doc: SimpleNamespace,
    checker: _FileChecker,
    metrics: dict[str, Metric],
    cycle_start: dt.date,
    cycle_end: dt.date,
    seen: _Seen,
) -> ResolvedKeyResult | None:
    ok = True
    first = seen.resolved_krs.get(kr.id)
    if first is not None:
        checker.error((*kp, "id"), f"key result id {kr.id!r} is already used in {first}")
        ok = False
    seen.resolved_krs.setdefault(kr.id, checker.name)
    initiatives = []
    for ii, raw_ini in enumerate(kr.initiatives):
        ini = checker.validate(INITIATIVE, raw_ini, (*kp, "initiatives", ii))
        ok = ok and ini is not None
        initiatives.append(ini)
    start, end = kr.start or cycle_start, kr.end or cycle_end
    if end < start:
        checker.error((*kp, "end" if kr.end else "start"), f"end {end} is before start {start}")
        ok = False
    measure = kr.measure or ("last" if kr.metric == CHECKINS_METRIC else "sum")
    baseline = kr.baseline
    if kr.type == "progress":
        baseline = 0.0 if baseline is None else baseline
        if kr.target == baseline:
            checker.error(
                (*kp, "target"), f"target equals baseline ({kr.target:g}), so progress cannot be measured"
            )
            ok = False
    elif baseline is not None:
        checker.error((*kp, "baseline"), f"baseline applies only to type progress, not {kr.type}")
        ok = False
    metric = metrics.get(kr.metric)
    filters: dict[str, tuple[str, ...]] = {}
    if metric is None:
        known = ", ".join(sorted(metrics)) or "none"
        checker.error(
            (*kp, "metric"), f"unknown metric {kr.metric!r}; metrics in dbt_project/models/metrics: {known}"
        )
        ok = False
    elif not metric.columns:
        checker.error(
            (*kp, "metric"),
            f"metric {kr.metric!r} has no columns documented in dbt_project/models/metrics/_metrics.yml; "
            "document them so filters and ratio can be checked",
        )
        ok = False
    else:
        for column, value in kr.filter.items():
            if column not in metric.dimensions:
                dims = ", ".join(metric.dimensions) or "none"
                checker.error(
                    (*kp, "filter", column),
                    f"metric {kr.metric!r} has no column {column!r} to filter on (its dimensions: {dims})",
                )
                ok = False
            values = value if isinstance(value, list) else [value]
            problem = _filter_problem(values)
            if problem:
                checker.error((*kp, "filter", column), problem)
                ok = False
            else:
                filters[column] = tuple(_filter_text(v) for v in values)
        if measure == "ratio" and not metric.has_ratio_parts:
            checker.error(
                (*kp, "measure"),
                "measure ratio needs a metric with numerator and denominator columns; "
                f"{kr.metric!r} has none",
            )
            ok = False
        for ii, ini in enumerate(initiatives):
            if ini is not None and ini.campaigns and "campaign" not in metric.dimensions:
                checker.error(
                    (*kp, "initiatives", ii, "campaigns"),
                    f"metric {kr.metric!r} has no campaign column, so campaigns cannot be tracked",
                )
                ok = False
    if kr.metric == CHECKINS_METRIC:
        filters["kr_id"] = (kr.id,)
    pace = _resolve_pace(kr, kp, doc, checker, start, end)
    if pace is None:
        ok = False
    if not ok:
        return None
    return ResolvedKeyResult(
        kr_id=kr.id,
        objective_id=obj.id,
        title=kr.title,
        metric=kr.metric,
        measure=measure,
        kr_type=kr.type,
        baseline=baseline,
        target=kr.target,
        commitment=kr.commitment,
        weight=kr.weight,
        start=start,
        end=end,
        stale_after_days=kr.stale_after_days if kr.stale_after_days is not None else doc.stale_after_days,
        at_risk=doc.thresholds.at_risk,
        off_track=doc.thresholds.off_track,
        unit=kr.unit,
        owner=kr.owner or obj.owner,
        change_reason=kr.change_reason,
        cycle=doc.cycle,
        filters=filters,
        pace="monthly" if isinstance(pace, dict) else pace,
        pace_shares=tuple(sorted(pace.items())) if isinstance(pace, dict) else (),
        initiatives=tuple(
            ResolvedInitiative(i, ini.title, ini.owner, ini.status, ini.due, tuple(ini.campaigns))
            for i, ini in enumerate(initiatives, start=1)
        ),
    )


PACE_SUM_TOLERANCE = 1e-9


def _months(start: dt.date, end: dt.date) -> list[str]:
    """The months ('YYYY-MM') that the period [start, end] touches, in order."""
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = year + month // 12, month % 12 + 1
    return months


def _resolve_pace(
    kr: SimpleNamespace, kp: Path_, doc: SimpleNamespace, checker: _FileChecker, start: dt.date, end: dt.date
) -> str | dict[str, float] | None:
    """The KR's pace (its own, else the file's); monthly shares checked against its period.

    Threshold types ignore pace: a file default never fails them, their own shares are still checked.
    """
    own = kr.pace is not None
    pace = kr.pace if own else doc.pace
    if not isinstance(pace, dict):
        return pace
    if not own and kr.type != "progress":
        return "linear"
    path = (*kp, "pace") if own else ("pace",)
    where = "" if own else f" (the file's pace, used by key result {kr.id!r})"
    months = _months(start, end)
    missing = [m for m in months if m not in pace]
    extra = [m for m in pace if m not in months]
    problems = []
    if missing:
        problems.append("has no share for " + ", ".join(missing))
    if extra:
        problems.append(", ".join(extra) + (" is" if len(extra) == 1 else " are") + " outside the period")
    if problems:
        checker.error(
            path,
            f"monthly shares must cover exactly the months of the period {start} to {end} "
            f"({', '.join(months)}): " + "; ".join(problems) + where,
        )
        return None
    total = math.fsum(pace.values())
    if abs(total - 1) > PACE_SUM_TOLERANCE:
        checker.error(path, f"monthly shares must add up to 1, not {total:.12g}{where}")
        return None
    return pace


def _filter_problem(values: list[Any]) -> str | None:
    """Why a filter's values cannot be compared with a column, or None when they can."""
    if not values:
        return "must name at least one value"
    for v in values:
        if v is None:
            return "has an empty value; write the value to match (in quotes for an empty text: '')"
        if isinstance(v, dict | list):
            return "must be a value or a list of values, not a mapping or a nested list"
        if isinstance(v, float) and not math.isfinite(v):
            return f"must be a value to match, not {v}"
        if isinstance(v, dt.date):
            return f"compares as text, so write the date in quotes: '{v}'"
    return None


def _filter_text(value: Any) -> str:
    """Filters compare as text; YAML's True/1.0 become 'true'/'1' as the warehouse prints them."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_parent_loops(parents: list[tuple[_FileChecker, Path_, str, str]]) -> None:
    parent_of = {obj_id: parent for _, _, obj_id, parent in parents}
    reported: set[frozenset[str]] = set()
    for checker, p, obj_id, _ in parents:
        chain, node = [obj_id], parent_of.get(obj_id)
        while node is not None and node not in chain:
            chain.append(node)
            node = parent_of.get(node)
        if node == obj_id and frozenset(chain) not in reported:
            reported.add(frozenset(chain))
            checker.error(p, "parent loop: " + " -> ".join([*chain, obj_id]))
