"""Arranges the validated scorecard into what the pages show: cycles (current, upcoming, past),
the objective tree, teams, people (owners), and each KR with its history, its reason, its 7-day
trend and its page's address. Built once per run and read by the site, the exports and the alerts.

Owners are matched case- and whitespace-insensitively (`person_key`): "Anna Virtanen" and
" anna  virtanen" own the same page; the page shows the first spelling met.

Past cycles come from the scorecard itself (it covers every cycle in the definitions) plus cycles
an earlier publish archived whose definitions have since been removed (`archive.json`).

One file because it is the site's one model: the view classes and the function that builds them
change together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from pipelines.reporting.charts import daily_scores
from pipelines.reporting.model import (
    ArchivedCycle,
    CheckIn,
    HistoryRow,
    KeyResult,
    MetricDoc,
    Objective,
    Scorecard,
)
from pipelines.reporting.reasons import Reason, kr_reason
from pipelines.reporting.statuses import ATTENTION, STATUSES

TREND_DAYS = 7
NEWLY_MISSED_DAYS = 7

CycleState = Literal["past", "current", "upcoming"]


@dataclass(eq=False)
class CycleView:
    label: str
    start: dt.date | None
    end: dt.date | None
    state: CycleState
    carried: bool = False  # from archive.json: its definitions are no longer in okrs/
    final_as_of: dt.date | None = None
    url: str = ""
    objectives: list[ObjectiveView] = field(default_factory=list)
    krs: list[KRView] = field(default_factory=list)


@dataclass(eq=False)
class KRView:
    kr: KeyResult
    url: str
    cycle: CycleView
    history: list[HistoryRow]
    objective: ObjectiveView | None = None
    metric_doc: MetricDoc | None = None
    reason: Reason | None = None
    trend: float | None = None  # score now minus the score TREND_DAYS earlier
    team_name: str | None = None
    person: PersonView | None = None
    card_as_of: dt.date = dt.date.min

    def __getattr__(self, name: str) -> Any:  # templates read kr fields straight off the view
        return getattr(self.kr, name)

    @property
    def latest_checkin(self) -> CheckIn | None:
        """The newest check-in (the first of the newest day when a day has several)."""
        checkins = self.kr.checkins
        return max(checkins, key=lambda c: c.date) if checkins else None

    @property
    def newly_missed(self) -> bool:
        """Missed, in a cycle that ended within the last NEWLY_MISSED_DAYS (not an archived one)."""
        recent = self.card_as_of - dt.timedelta(days=NEWLY_MISSED_DAYS)
        return self.status == "missed" and not self.cycle.carried and self.end >= recent


@dataclass(eq=False)
class ObjectiveView:
    obj: Objective
    url: str
    cycle: CycleView
    parent: ObjectiveView | None = None
    subs: list[ObjectiveView] = field(default_factory=list)
    krs: list[KRView] = field(default_factory=list)
    team_url: str | None = None
    team_name: str | None = None
    person: PersonView | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.obj, name)


@dataclass(eq=False)
class TeamView:
    id: str
    name: str  # the display name of settings.yml `teams:`, else the id
    url: str
    objectives: list[ObjectiveView] = field(default_factory=list)


@dataclass(eq=False)
class PersonView:
    key: str
    name: str
    url: str
    objectives: list[ObjectiveView] = field(default_factory=list)
    krs: list[KRView] = field(default_factory=list)
    initiatives: list[tuple[KRView, Any]] = field(default_factory=list)  # (KR, initiative)

    def active(self, items: list) -> list:
        return [i for i in items if (i[0] if isinstance(i, tuple) else i).cycle.state != "past"]


def person_key(name: str | None) -> str:
    """How owners are matched: case-insensitive, runs of whitespace as one space, trimmed."""
    return " ".join((name or "").split()).casefold()


@dataclass
class SiteModel:
    card: Scorecard
    cycles: list[CycleView]
    objectives: list[ObjectiveView]
    krs: list[KRView]
    teams: list[TeamView]
    people: list[PersonView] = field(default_factory=list)

    @property
    def active_cycles(self) -> list[CycleView]:
        return [c for c in self.cycles if c.state == "current"] + [
            c for c in self.cycles if c.state == "upcoming"
        ]

    @property
    def past_cycles(self) -> list[CycleView]:
        return sorted(
            (c for c in self.cycles if c.state == "past"), key=lambda c: c.end or dt.date.min, reverse=True
        )

    @property
    def active_krs(self) -> list[KRView]:
        return [k for c in self.active_cycles for k in c.krs]

    @property
    def active_objectives(self) -> list[ObjectiveView]:
        return [o for c in self.active_cycles for o in c.objectives]

    def by_status(self) -> dict[str, list[KRView]]:
        """The current cycle's KRs per status, every status present, in the one status order."""
        out: dict[str, list[KRView]] = {s: [] for s in STATUSES}
        for kr in self.active_krs:
            out[kr.status].append(kr)
        return out

    def attention(self) -> list[KRView]:
        """Off-track, newly missed, at-risk, stale and no-data KRs, worst first, then by how far
        behind they are (largest gap first) and title."""
        scope = [k for k in self.active_krs if k.status in ATTENTION and k.status != "missed"]
        scope += [k for c in self.cycles for k in c.krs if k.status == "missed" and k.newly_missed]
        rank = {s: i for i, s in enumerate(ATTENTION)}
        return sorted(scope, key=lambda k: (rank[k.status], -(k.gap or 0), k.title.casefold()))


def tree_roots(scope: list[ObjectiveView]) -> list[ObjectiveView]:
    """Objectives of `scope` whose parent is outside it, company level first, else in given order."""
    inside = set(scope)
    roots = [v for v in scope if v.parent is None or v.parent not in inside]
    return sorted(roots, key=lambda v: v.level != "company")


class _Slugs:
    """File names from ids: readable, safe on every file system, unique per folder."""

    def __init__(self) -> None:
        self._taken: dict[str, set[str]] = defaultdict(set)

    def make(self, folder: str, raw: str) -> str:
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", raw).strip("._") or "item"
        slug = slug[:80]
        if slug.lower() in self._taken[folder]:
            slug = f"{slug}-{hashlib.sha1(raw.encode()).hexdigest()[:8]}"  # noqa: S324 - a name, not security
        self._taken[folder].add(slug.lower())
        return f"{folder}/{slug}.html"


def _cycle_of_objective(obj: Objective, krs: list[KeyResult]) -> str:
    if obj.cycle:
        return obj.cycle
    return next((k.cycle for k in krs if k.objective_id == obj.id and k.cycle), "") or ""


def _spans(objs: list[Objective], krs: list[KeyResult], cycle_of: dict[str, str]) -> dict[str, list[dt.date]]:
    spans: dict[str, list[dt.date]] = defaultdict(list)
    for kr in krs:
        spans[kr.cycle or cycle_of.get(kr.objective_id, "")] += [kr.start, kr.end]
    for obj in objs:
        spans[cycle_of[obj.id]] += [d for d in (obj.start, obj.end) if d is not None]
    return spans


def _trend(kr: KeyResult, history: list[HistoryRow], as_of: dt.date) -> float | None:
    """Score at as_of minus the score TREND_DAYS earlier (the nearest scored day on or before it)."""
    if kr.score is None:
        return None
    before = as_of - dt.timedelta(days=TREND_DAYS)
    earlier = [score for day, score, _ in daily_scores(kr, history) if day <= before]
    return kr.score - earlier[-1] if earlier else None


def build_site_model(
    card: Scorecard,
    history: list[HistoryRow],
    metrics: dict[str, MetricDoc],
    carried: dict[str, ArchivedCycle],
    team_names: dict[str, str] | None = None,
) -> SiteModel:
    team_names = team_names or {}
    slugs = _Slugs()
    cycles: dict[str, CycleView] = {}
    all_objectives: list[ObjectiveView] = []
    all_krs: list[KRView] = []

    history_by_kr: dict[str, list[HistoryRow]] = defaultdict(list)
    for row in sorted(history, key=lambda r: r.as_of):
        history_by_kr[row.kr_id].append(row)

    def add_source(
        objs: list[Objective],
        krs: list[KeyResult],
        hist: dict[str, list[HistoryRow]],
        carried_cycle: ArchivedCycle | None,
    ) -> None:
        cycle_of = {o.id: _cycle_of_objective(o, krs) for o in objs}
        for label, days in _spans(objs, krs, cycle_of).items():
            if label in cycles:
                continue
            start, end = (min(days), max(days)) if days else (None, None)
            if end is not None and end < card.as_of:
                state: CycleState = "past"
            elif start is not None and start > card.as_of:
                state = "upcoming"
            else:
                state = "current"
            cycles[label] = CycleView(
                label=label,
                start=start,
                end=end,
                state=state,
                carried=carried_cycle is not None,
                final_as_of=carried_cycle.final_as_of
                if carried_cycle
                else (card.as_of if state == "past" else None),
                url=slugs.make("archive", label or "cycle") if state == "past" else "",
            )
        views: dict[str, ObjectiveView] = {}
        for obj in objs:
            view = ObjectiveView(
                obj=obj, url=slugs.make("objectives", obj.id), cycle=cycles[cycle_of[obj.id]]
            )
            views[obj.id] = view
            all_objectives.append(view)
            view.cycle.objectives.append(view)
        for obj in objs:
            if obj.parent in views:
                views[obj.parent].subs.append(views[obj.id])
                views[obj.id].parent = views[obj.parent]
        for kr in krs:
            objective = views.get(kr.objective_id)
            cycle = cycles[kr.cycle or cycle_of.get(kr.objective_id, "")]
            rows = hist.get(kr.id, [])
            view = KRView(
                kr=kr,
                url=slugs.make("krs", kr.id),
                cycle=cycle,
                history=rows,
                objective=objective,
                metric_doc=metrics.get(kr.metric or ""),
                reason=kr_reason(kr),
                trend=_trend(kr, rows, card.as_of),
                team_name=team_names.get(kr.team or "", kr.team),
                card_as_of=card.as_of,
            )
            all_krs.append(view)
            cycle.krs.append(view)
            if objective is not None:
                objective.krs.append(view)

    add_source(card.objectives, card.key_results, history_by_kr, None)
    for label, snapshot in sorted(carried.items()):
        if label in cycles:
            continue  # the scorecard still defines this cycle: its own data wins
        hist: dict[str, list[HistoryRow]] = defaultdict(list)
        for row in sorted(snapshot.history, key=lambda r: r.as_of):
            hist[row.kr_id].append(row)
        add_source(snapshot.objectives, snapshot.key_results, hist, snapshot)

    teams: dict[str, TeamView] = {}
    for view in all_objectives:
        if view.team:
            if view.team not in teams:
                name = team_names.get(view.team, view.team)
                teams[view.team] = TeamView(id=view.team, name=name, url=slugs.make("teams", view.team))
            teams[view.team].objectives.append(view)
            view.team_url = teams[view.team].url
            view.team_name = teams[view.team].name
    ordered = sorted(cycles.values(), key=lambda c: (c.start or dt.date.min, c.label))
    return SiteModel(
        card=card,
        cycles=ordered,
        objectives=all_objectives,
        krs=all_krs,
        teams=sorted(teams.values(), key=lambda t: t.name.casefold()),
        people=_people(all_objectives, all_krs, slugs),
    )


def _people(objectives: list[ObjectiveView], krs: list[KRView], slugs: _Slugs) -> list[PersonView]:
    people: dict[str, PersonView] = {}

    def person(owner: str | None) -> PersonView | None:
        key = person_key(owner)
        if not key:
            return None
        if key not in people:
            people[key] = PersonView(
                key=key, name=" ".join(str(owner).split()), url=slugs.make("people", key)
            )
        return people[key]

    for o in objectives:
        if (p := person(o.owner)) is not None:
            o.person = p
            p.objectives.append(o)
    for k in krs:
        if (p := person(k.owner)) is not None:
            k.person = p
            p.krs.append(k)
        for initiative in k.initiatives:
            if (p := person(initiative.owner)) is not None:
                p.initiatives.append((k, initiative))
    return sorted(people.values(), key=lambda p: p.key)


def archive_record(model: SiteModel) -> dict:
    """What archive.json keeps of every past cycle, so it stays published after its definitions go."""
    cycles = {}
    for cycle in model.past_cycles:
        kr_ids = {k.id for k in cycle.krs}
        cycles[cycle.label] = {
            "final_as_of": (cycle.final_as_of or model.card.as_of).isoformat(),
            "objectives": [o.obj.model_dump(mode="json") for o in cycle.objectives],
            "key_results": [k.kr.model_dump(mode="json") for k in cycle.krs],
            "history": [
                h.model_dump(mode="json")
                for k in cycle.krs
                for h in k.history
                if k.id in kr_ids and (cycle.end is None or h.as_of <= cycle.end)
            ],
        }
    return {"schema_version": 1, "cycles": cycles}
