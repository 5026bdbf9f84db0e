# ruff: noqa: E501 - a data table reads better with one record per line
"""A realistic scorecard built by hand (docs/scorecard-schema.md): two cycles (2026-Q3 past,
2026-Q4 current on 2026-11-26), company and team objectives, every status, history for charts,
and status changes between 2026-11-25 and 2026-11-26 for the alert tests."""

from __future__ import annotations

import copy
import datetime as dt

AS_OF = dt.date(2026, 11, 26)
PREVIOUS = dt.date(2026, 11, 25)
Q4 = (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))


def _kr(**values) -> dict:
    kr = {
        "owner": None, "team": None, "filter": {}, "measure": "sum", "type": "progress",
        "commitment": "committed", "weight": 1, "baseline": 0, "unit": None,
        "status_reason": None, "forecast": None, "initiatives": [], "definition_changes": [],
    }  # fmt: skip
    kr.update(values)
    start, end = dt.date.fromisoformat(kr["start"]), dt.date.fromisoformat(kr["end"])
    total = (end - start).days + 1
    elapsed = max(0, min((min(AS_OF, end) - start).days + 1, total))
    kr.setdefault("total_days", total)
    kr.setdefault("elapsed_days", elapsed)
    return kr


def _q4(**values) -> dict:
    return _kr(
        **{
            "cycle": "2026-Q4",
            "start": "2026-10-01",
            "end": "2026-12-31",
            "data_through": "2026-11-26",
            **values,
        }
    )


def _q3(**values) -> dict:
    return _kr(
        **{
            "cycle": "2026-Q3",
            "start": "2026-07-01",
            "end": "2026-09-30",
            "data_through": "2026-11-26",
            **values,
        }
    )


KEY_RESULTS = [
    _q4(
        id="GROWTH-Q4-1.1", objective_id="GROWTH-Q4-O1", title="Generate 2 000 inbound and event leads",
        owner="Head of Growth", team="growth", metric="leads", filter={"lead_source": ["inbound", "event"]},
        target=2000, unit="leads", actual=1240, progress=0.62, score=0.62, expected_progress=0.6196, gap=-0.0004,
        status="on_track",
        forecast={"method": "run_rate_14d", "run_rate": 22.5, "projected_actual": 2027.5, "projected_progress": 1.014,
                  "p10": 1860.2, "p50": 2027.5, "p90": 2194.8, "probability_on_target": 0.62},
        pace="seasonal", pace_requested="seasonal", pace_warning=None,
        pace_curve=[["2026-10-01", 0.008], ["2026-10-31", 0.28], ["2026-11-26", 0.6196], ["2026-12-31", 1.0]],
        initiatives=[
            {"title": "Webinar series on data-driven marketing", "owner": "Content lead", "status": "in_progress",
             "due": "2026-11-30", "campaigns": ["webinar-q4-2026"], "contribution": 188, "overdue": False},
            {"title": "Partner co-marketing kit", "owner": "Partner manager", "status": "planned",
             "due": "2026-11-15", "campaigns": [], "contribution": None, "overdue": True},
        ],
        definition_changes=[
            {"field": "target", "old": 1800, "new": 2000, "changed_on": "2026-10-20",
             "reason": "Event season added to the plan"},
        ],
        checks=[
            {"name": "hubspot_contacts: unique record ids", "severity": "ERROR", "passed": True},
            {"name": "hubspot_contacts: daily volume", "severity": "WARN", "passed": False},
        ],
    ),
    _q4(
        id="GROWTH-Q4-1.2", objective_id="GROWTH-Q4-O1", title="Kasvata orgaanista liikennettä 125 000 istuntoon",
        owner="SEO specialist", team="growth", metric="sessions", filter={"channel_group": "Organic Search"},
        commitment="aspirational", target=125000, unit="sessions", actual=38000, progress=0.304, score=0.304,
        expected_progress=0.4337, gap=0.1297, status="at_risk",
        forecast={"method": "run_rate_14d", "run_rate": 640.2, "projected_actual": 60407, "projected_progress": 0.483},
        pace="linear", pace_requested="seasonal", pace_warning="no_history",
    ),
    _q4(
        id="GROWTH-Q4-1.3", objective_id="GROWTH-Q4-O1", title="Cut paid cost per lead from 95 EUR to 75 EUR",
        owner="Paid media manager", team="growth", metric="cost_per_lead", measure="ratio",
        filter={"campaign": ["google-search-brand", "linkedin-abm-q4-2026"]}, baseline=95, target=75, unit="EUR",
        actual=88.5, progress=0.325, score=0.325, expected_progress=0.6196, gap=0.2946, status="off_track",
        initiatives=[
            {"title": "Account-based LinkedIn campaign", "owner": "Paid media manager", "status": "in_progress",
             "due": "2026-12-11", "campaigns": ["linkedin-abm-q4-2026"], "contribution": 112.4, "overdue": False},
        ],
    ),
    _q4(
        id="SALES-Q4-2.1", objective_id="SALES-Q4-O1", title="Win 450 000 EUR of new recurring revenue",
        owner="Head of Sales", team="sales", metric="won_revenue", target=450000, unit="EUR",
        actual=301234.5, progress=0.6694, score=0.6694, expected_progress=0.6196, gap=-0.0498, status="on_track",
        forecast={"method": "run_rate_14d", "run_rate": 5000, "projected_actual": 476234.5, "projected_progress": 1.058},
    ),
    _q4(
        id="SALES-Q4-2.2", objective_id="SALES-Q4-O1", title="Launch the partner programme", owner="Partner manager",
        team="sales", metric="checkins", measure="last", target=1, actual=None, progress=None, score=None,
        expected_progress=0.6196, gap=None, status="no_data", data_through=None,
        status_reason="No check-in recorded for this key result yet",
    ),
    _q4(
        id="SALES-Q4-2.3", objective_id="SALES-Q4-O1", title="Reach 420 sales-qualified leads", owner="Head of Sales",
        team="sales", metric="sqls", target=420, unit="SQLs", actual=230, progress=0.5476, score=0.5476,
        expected_progress=0.6196, gap=0.072, status="stale", data_through="2026-11-20",
        status_reason="Newest data is from 2026-11-20, more than 2 days before 2026-11-26",
        forecast={"method": "run_rate_14d", "run_rate": 4.1, "projected_actual": 381.6, "projected_progress": 0.9086},
    ),
    _q4(
        id="SALES-Q4-2.4", objective_id="SALES-Q4-O1", title="Keep lead-to-MQL conversion at or above 25 %",
        owner="Marketing ops", team="sales", metric="lead_to_mql_rate", measure="ratio", type="stay_above",
        baseline=None, target=0.25, unit="%", actual=0.2714, progress=1, score=1, expected_progress=1, gap=0,
        status="on_track",
    ),
    _kr(
        cycle="2026-Q4", start="2026-12-01", end="2026-12-31", data_through="2026-11-26",
        id="SALES-Q4-2.5", objective_id="SALES-Q4-O1", title="Book 60 demos from the December campaign",
        owner="SDR lead", team="sales", metric="demos_booked", target=60, unit="demos", actual=None,
        progress=None, score=None, expected_progress=None, gap=None, status="not_started",
    ),
    _q3(
        id="GROWTH-Q3-1.1", objective_id="GROWTH-Q3-O1", title="Bring 42 000 sessions from organic search",
        owner="SEO specialist", team="growth", metric="sessions", filter={"channel_group": "Organic Search"},
        target=42000, unit="sessions", actual=44120, progress=1.0505, score=1, expected_progress=1, gap=0,
        status="achieved",
        forecast={"method": "run_rate_14d", "run_rate": 0, "projected_actual": 44120, "projected_progress": 1.0505},
    ),
    _q3(
        id="GROWTH-Q3-1.2", objective_id="GROWTH-Q3-O1", title="Generate 1 150 inbound leads", owner="Head of Growth",
        team="growth", metric="leads", filter={"lead_source": "inbound"}, target=1150, unit="leads", actual=943,
        progress=0.82, score=0.82, expected_progress=1, gap=0.18, status="missed",
        forecast={"method": "run_rate_14d", "run_rate": 0, "projected_actual": 943, "projected_progress": 0.82},
    ),
]  # fmt: skip

OBJECTIVES = [
    {"id": "COMPANY-Q4", "title": "Grow recurring revenue profitably across the Nordics", "owner": "CEO",
     "team": "company", "cycle": "2026-Q4", "parent": None, "children": ["GROWTH-Q4-O1", "SALES-Q4-O1"],
     "level": "company", "score": 0.55, "expected_progress": 0.62, "status": "on_track",
     "start": "2026-10-01", "end": "2026-12-31", "key_results": []},
    {"id": "GROWTH-Q4-O1", "title": "Make inbound our main growth engine", "owner": "Head of Growth",
     "team": "growth", "cycle": "2026-Q4", "parent": "COMPANY-Q4", "children": [], "level": "team",
     "score": 0.4165, "expected_progress": 0.5576, "status": "at_risk", "start": "2026-10-01", "end": "2026-12-31",
     "key_results": ["GROWTH-Q4-1.1", "GROWTH-Q4-1.2", "GROWTH-Q4-1.3"]},
    {"id": "SALES-Q4-O1", "title": "Turn pipeline into revenue", "owner": "Head of Sales", "team": "sales",
     "cycle": "2026-Q4", "parent": "COMPANY-Q4", "children": [], "level": "team", "score": 0.739,
     "expected_progress": 0.7464, "status": "on_track", "start": "2026-10-01", "end": "2026-12-31",
     "key_results": ["SALES-Q4-2.1", "SALES-Q4-2.2", "SALES-Q4-2.3", "SALES-Q4-2.4", "SALES-Q4-2.5"]},
    {"id": "COMPANY-Q3", "title": "Build a repeatable revenue engine for the Nordics", "owner": "CEO",
     "team": "company", "cycle": "2026-Q3", "parent": None, "children": ["GROWTH-Q3-O1"], "level": "company",
     "score": 0.91, "expected_progress": 1, "status": "missed", "start": "2026-07-01", "end": "2026-09-30",
     "key_results": []},
    {"id": "GROWTH-Q3-O1", "title": "Grow qualified website traffic through the quiet summer",
     "owner": "Head of Growth", "team": "growth", "cycle": "2026-Q3", "parent": "COMPANY-Q3", "children": [],
     "level": "team", "score": 0.91, "expected_progress": 1, "status": "missed", "start": "2026-07-01",
     "end": "2026-09-30", "key_results": ["GROWTH-Q3-1.1", "GROWTH-Q3-1.2"]},
]  # fmt: skip


# The reasons the scoring SQL gives these KRs and objectives (docs/scoring.md, "Reasons").
def _pace(done, expected, projected_actual, projected_progress, target) -> dict:
    return {"done": done, "expected": expected, "gap": round(expected - done, 6),
            "projected_actual": projected_actual, "projected_progress": projected_progress, "target": target}  # fmt: skip


REASONS = {
    "GROWTH-Q4-1.1": ("ahead_of_pace", _pace(0.62, 0.6196, 2027.5, 1.014, 2000)),
    "GROWTH-Q4-1.2": ("behind_pace", _pace(0.304, 0.4337, 60407, 0.483, 125000)),
    "GROWTH-Q4-1.3": ("behind_pace", _pace(0.325, 0.6196, None, None, 75)),
    "SALES-Q4-2.1": ("ahead_of_pace", _pace(0.6694, 0.6196, 476234.5, 1.058, 450000)),
    "SALES-Q4-2.2": ("no_data_metric", {"metric": "checkins", "as_of": "2026-11-26"}),
    "SALES-Q4-2.3": ("stale_data", {"source": "stg_hubspot__deals", "error": None, "data_through": "2026-11-20",
                                    "stale_after_days": 2.0, "window_end": "2026-11-26"}),
    "SALES-Q4-2.4": ("threshold_held", {"actual": 0.2714, "target": 0.25, "by": 0.0214, "broken_on": None,
                                        "recoverable": True}),
    "SALES-Q4-2.5": ("not_started", {"starts_on": "2026-12-01"}),
    "GROWTH-Q3-1.1": ("achieved", {"actual": 44120, "target": 42000, "score": 1}),
    "GROWTH-Q3-1.2": ("missed", {"actual": 943, "target": 1150, "score": 0.82}),
    "COMPANY-Q4": ("on_pace", {"done": 0.55, "expected": 0.62, "gap": 0.07, "dragged_most_by": "GROWTH-Q4-O1",
                               "dragged_most_by_kind": "objective", "start_date": "2026-10-01"}),
    "GROWTH-Q4-O1": ("behind_pace", {"done": 0.4165, "expected": 0.5576, "gap": 0.1411,
                                     "dragged_most_by": "GROWTH-Q4-1.3", "dragged_most_by_kind": "key_result",
                                     "start_date": "2026-10-01"}),
    "SALES-Q4-O1": ("on_pace", {"done": 0.739, "expected": 0.7464, "gap": 0.0074,
                                "dragged_most_by": "SALES-Q4-2.3", "dragged_most_by_kind": "key_result",
                                "start_date": "2026-10-01"}),
    "COMPANY-Q3": ("missed", {"done": 0.91, "expected": 1, "gap": 0.09, "dragged_most_by": "GROWTH-Q3-O1",
                              "dragged_most_by_kind": "objective", "start_date": "2026-07-01"}),
    "GROWTH-Q3-O1": ("missed", {"done": 0.91, "expected": 1, "gap": 0.09, "dragged_most_by": "GROWTH-Q3-1.2",
                                "dragged_most_by_kind": "key_result", "start_date": "2026-07-01"}),
}  # fmt: skip
for _unit in (*KEY_RESULTS, *OBJECTIVES):
    _unit["reason_code"], _unit["reason_params"] = REASONS[_unit["id"]]

METRICS = {
    "leads": {"description": "New contacts that became leads, by the day they became a lead.",
              "sql": "select became_lead_at::date as metric_date, count(*)::double as value, lead_source\n"
                     "from {{ ref('stg_hubspot__contacts') }}\nwhere became_lead_at is not null\ngroup by all"},
    "sessions": {"description": "Website sessions (GA4).", "sql": "select report_date as metric_date, ..."},
    "cost_per_lead": {"description": "Ad spend divided by leads from the same campaigns.", "sql": "select ..."},
    "won_revenue": {"description": "Amount of deals closed won, by close date.", "sql": "select ..."},
    "sqls": {"description": "Contacts that became sales-qualified leads.", "sql": "select ..."},
    "lead_to_mql_rate": {"description": "Share of new leads that became MQLs.", "sql": "select ..."},
}  # fmt: skip

# Statuses on the previous scored day where they differ from today (the alert cases).
_PREVIOUS_STATUS = {"GROWTH-Q4-1.2": "on_track", "SALES-Q4-2.3": "on_track"}


def _history() -> list[dict]:
    """Daily rows over each KR's period so far: actual and score climb to today's values."""
    rows = []
    for kr in KEY_RESULTS:
        start, end = dt.date.fromisoformat(kr["start"]), dt.date.fromisoformat(kr["end"])
        last = min(AS_OF, end)
        days = [start + dt.timedelta(days=i) for i in range((last - start).days + 1)]
        if not days or days[-1] < PREVIOUS:
            days += [PREVIOUS, AS_OF]  # ended (or not started) KRs are still scored every night
        in_period = max(1, len([d for d in days if d <= end]))
        for i, day in enumerate(days):
            share = min(1.0, (i + 1) / in_period)
            scored = day >= start and kr["actual"] is not None
            actual = score = expected = None
            if scored:
                base = kr["baseline"] or 0
                actual = (
                    kr["actual"]
                    if kr["type"] != "progress"
                    else round(base + share * (kr["actual"] - base), 2)
                )
                score = round(kr["score"] * share, 4)
                expected = round(kr["expected_progress"] * share, 4)
            if day == AS_OF:
                status = kr["status"]
            elif day == PREVIOUS:
                status = _PREVIOUS_STATUS.get(kr["id"], kr["status"])
            elif day >= end:
                status = kr["status"]
            else:
                status = "on_track" if scored else kr["status"]
            rows.append({
                "as_of": day.isoformat(), "kr_id": kr["id"], "actual": actual, "progress": score,
                "score": score, "expected_progress": expected, "status": status,
                "forecast_projected_actual": (kr["forecast"] or {}).get("projected_actual"),
            })  # fmt: skip
    return rows


def make_scorecard() -> dict:
    by_status: dict[str, int] = {}
    for kr in KEY_RESULTS:
        by_status[kr["status"]] = by_status.get(kr["status"], 0) + 1
    return copy.deepcopy(
        {
            "schema_version": 1,
            "as_of": AS_OF.isoformat(),
            "generated_at": "2026-11-27T00:00:12+00:00",
            "cycles": ["2026-Q3", "2026-Q4"],
            "summary": {"key_results": len(KEY_RESULTS), "by_status": by_status},
            "objectives": OBJECTIVES,
            "key_results": KEY_RESULTS,
        }
    )


def make_history() -> list[dict]:
    return _history()


def make_metrics() -> dict:
    return copy.deepcopy(METRICS)
