# ruff: noqa: E501 - generated records read better one per line
"""A scorecard of any size for the site benchmark: `python -m benchmarks.scale_scorecard 1000 out/`.

K key results under K/4 team objectives (one company objective on top), every status, a unit mix
(counts, money, `%`), a daily score history from the cycle start to as_of, initiatives, a
definition change and check-in notes, so every page part and both charts are drawn for every KR.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

AS_OF = dt.date(2026, 11, 26)
START, END = dt.date(2026, 10, 1), dt.date(2026, 12, 31)
STATUSES = ("on_track", "at_risk", "off_track", "stale", "no_data", "achieved", "on_track", "at_risk")
UNITS = ("leads", "EUR", "%", None)


def make_scale_scorecard(n_krs: int) -> tuple[dict, list[dict]]:
    """(scorecard, history) with n_krs KRs and one history row per KR and scored day."""
    total = (END - START).days + 1
    elapsed = (AS_OF - START).days + 1
    objectives = [
        {"id": "CO-O1", "title": "Company objective", "owner": "CMO", "team": None, "cycle": "2026-Q4",
         "parent": None, "level": "company", "score": 0.55, "expected_progress": 0.6, "status": "at_risk",
         "start": START.isoformat(), "end": END.isoformat(), "key_results": []},
    ]  # fmt: skip
    krs, history = [], []
    for i in range(n_krs):
        obj = f"T{i // 4}-O1"
        if i % 4 == 0:
            objectives[0].setdefault("children", []).append(obj)
            objectives.append(
                {"id": obj, "title": f"Team objective {i // 4}", "owner": f"Owner {i % 7}",
                 "team": f"team-{i % 5}", "cycle": "2026-Q4", "parent": "CO-O1", "level": "team",
                 "score": 0.5, "expected_progress": 0.6, "status": "at_risk", "start": START.isoformat(),
                 "end": END.isoformat(), "key_results": []}
            )  # fmt: skip
        objectives[-1]["key_results"].append(f"KR-{i}")
        unit = UNITS[i % len(UNITS)]
        target = 0.4 if unit == "%" else 1000.0 * (i % 9 + 1)
        progress = (i % 10) / 10
        krs.append(
            {"id": f"KR-{i}", "objective_id": obj, "title": f"Key result number {i}", "owner": f"Owner {i % 7}",
             "team": f"team-{i % 5}", "cycle": "2026-Q4", "metric": "leads", "filter": {}, "measure": "sum",
             "type": "progress", "commitment": "committed", "weight": 1, "baseline": 0, "target": target,
             "unit": unit, "start": START.isoformat(), "end": END.isoformat(), "total_days": total,
             "elapsed_days": elapsed, "actual": target * progress, "progress": progress, "score": progress,
             "expected_progress": elapsed / total, "gap": progress - elapsed / total,
             "status": STATUSES[i % len(STATUSES)], "status_reason": None,
             "data_through": AS_OF.isoformat(),
             "forecast": {"method": "run_rate_14d", "run_rate": target / 100, "projected_actual": target * 0.9,
                          "projected_progress": 0.9},
             "initiatives": [{"title": f"Campaign {i}", "owner": f"Owner {i % 7}", "status": "in_progress",
                              "due": "2026-12-15", "campaigns": [f"c{i}"], "contribution": target / 10,
                              "overdue": False}],
             "definition_changes": [{"field": "target", "old": target * 0.8, "new": target,
                                     "changed_on": "2026-10-15", "reason": "Budget grew"}]}
        )  # fmt: skip
        for d in range(elapsed):
            day = START + dt.timedelta(days=d)
            p = progress * (d + 1) / elapsed
            history.append(
                {"as_of": day.isoformat(), "kr_id": f"KR-{i}", "actual": target * p, "progress": p, "score": p,
                 "expected_progress": (d + 1) / total, "status": "on_track", "forecast_projected_actual": None}
            )  # fmt: skip
    scorecard = {
        "schema_version": 1,
        "as_of": AS_OF.isoformat(),
        "generated_at": "2026-11-27T02:00:00+00:00",
        "cycles": ["2026-Q4"],
        "summary": {"key_results": n_krs},
        "objectives": objectives,
        "key_results": krs,
    }
    return scorecard, history


def main(argv: list[str]) -> None:
    from pipelines.reporting.publish import publish_scorecard

    n, out = int(argv[0]), Path(argv[1])
    card, history = make_scale_scorecard(n)
    started, cpu = time.perf_counter(), time.process_time()
    result = publish_scorecard(card, history, {}, out, lang="en")
    print(
        f"{n} KRs: {len(result.files)} files in {time.perf_counter() - started:.1f} s wall, "
        f"{time.process_time() - cpu:.1f} s CPU"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
