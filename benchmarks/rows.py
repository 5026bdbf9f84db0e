"""The rows of issue 15's goals table, and one way for any benchmark to report a measured row.

A benchmark (the harness, or a pytest benchmark file of its own) calls `report(row, value, ...)`;
the value is appended as one JSON line to the run's results file (OKR_BENCH_RESULTS, set by the
harness; `.benchmarks/rows.jsonl` otherwise). `print_table` shows every goal row with the measured
value beside its goal, and "not measured" where no benchmark reported it.

    from benchmarks.rows import report
    report("export_1m", 8.4, "s", peak_rss_mib=410, note="1 M-row CSV, DuckDB reader")
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.settings import REPO_ROOT


@dataclass(frozen=True)
class Goal:
    what: str
    goal: str
    limit: float | None = None  # the measured value passes when <= limit (same unit)
    how: str = ""  # shown when a run did not measure the row


GOALS: dict[str, Goal] = {
    "demo_night": Goal("demo `okr run`, warm (wall s)", "<= 10 s", 10),
    "demo_night_other_day": Goal("demo `okr run` of another day (wall s)", "(informational)", None),
    "demo_night_rss": Goal("demo `okr run`, peak RSS (MiB)", "(690 MB before)", None),
    "scale_night": Goal("1,000 KRs / 200 metrics / 5 years (wall s)", "<= 60 s", 60),
    "scale_night_rss": Goal("1,000 KRs / 200 metrics / 5 years, peak RSS (MiB)", "<= 2048 MiB", 2048),
    "scoring_vs_query": Goal(
        "scoring step minus (2 x one-query baseline + 1 s) (s)", "<= 0 (ratio printed)", 0
    ),
    "backfill_quarter": Goal("backfill of a quarter (92 days), demo (wall s)", "<= 60 s", 60),
    "backfill_quarter_rss": Goal("backfill of a quarter, peak RSS (MiB)", "flat", None),
    "nights_rss_growth": Goal("nights in one process: RSS growth after night 1 (MiB)", "<= 10 MiB", 10),
    "nights_rss_growth_second_half": Goal(
        "nights in one process: RSS growth over the second half (MiB)", "(informational: ~0 = no leak)", None
    ),
    "nights_disk_growth": Goal("nights in one process: work dir growth after night 1 (MiB)", "flat (~0)", 5),
    "exports_first": Goal("demo exports, first load (s)", "<= 3 s", 3),
    "exports_rerun": Goal("demo exports, unchanged re-run (s)", "<= 0.5 s", 0.5),
    "export_1m": Goal("1 M-row CSV export (s)", "<= 10 s", 10),
    "export_1m_rss": Goal("1 M-row CSV export, peak RSS (MiB)", "<= 500 MiB", 500),
    "ingest_year": Goal("`okr ingest` of a year, nine APIs on loopback (wall s)", "one run", None),
    "ingest_year_requests": Goal(
        "`okr ingest` of a year: requests to all nine APIs", "<= 40 (not per day)", 40
    ),
    "ingest_year_rss": Goal("`okr ingest` of a year, peak RSS (MiB)", "", None),
    "validate": Goal("`okr validate` on the demo (s)", "<= 0.3 s", 0.3),
    "test_full": Goal(
        "`make test`, quiet 2-core machine (s)", "<= 360 s", 360, how="measured with --full-tests"
    ),
    "test_quick": Goal("`make test-quick` (s)", "<= 60 s", 60),
}


def results_file() -> Path:
    return Path(os.environ.get("OKR_BENCH_RESULTS") or REPO_ROOT / ".benchmarks" / "rows.jsonl")


def report(row: str, value: float, unit: str, **extra: Any) -> dict[str, Any]:
    """Record one measured row (a key of GOALS, or a new name for a row of your own)."""
    record = {
        "row": row,
        "value": round(float(value), 3),
        "unit": unit,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **extra,
    }
    path = results_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record, default=str) + "\n")
    return record


def read_rows(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """The last value reported for each row."""
    path = path or results_file()
    rows: dict[str, dict[str, Any]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                rows[record["row"]] = record
    return rows


def print_table(rows: dict[str, dict[str, Any]]) -> str:
    lines = [f"{'what':<58} {'measured':>12}  {'goal':<22} ok?", "-" * 100]
    for key, goal in GOALS.items():
        r = rows.get(key)
        if r is None:
            lines.append(f"{goal.what:<58} {'not measured':>12}  {goal.goal:<22}      {goal.how}")
            continue
        ok = "" if goal.limit is None else ("yes" if r["value"] <= goal.limit else "NO")
        # CPU seconds beside wall seconds: on a busy machine they show what the work itself costs.
        note = (f"cpu {r['cpu_s']:.1f} s; " if "cpu_s" in r else "") + r.get("note", "")
        lines.append(f"{goal.what:<58} {r['value']:>12.3f}  {goal.goal:<22} {ok:<3}  {note}")
    for key in sorted(set(rows) - set(GOALS)):
        r = rows[key]
        lines.append(f"{key:<58} {r['value']:>12.3f}  {'':<22}     {r.get('note', '')}")
    text = "\n".join(lines)
    print(text)
    return text
