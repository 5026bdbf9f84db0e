"""One benchmark measurement in its own process, printed as one JSON object on the last line.

    python -m benchmarks.night run --as-of 2026-11-26            # one night: step timings
    python -m benchmarks.night range --from D1 --to D2            # a backfill: one run
    python -m benchmarks.night nights --as-of D --count 30        # N nights in one process
    python -m benchmarks.night baseline --as-of D                 # the one-query scoring baseline

The workspace is OKR_WORKSPACE; run it from the code folder the workspace belongs to (the scale
generator's `code/`, or the repo). Peak RSS of this process is reported by the harness.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import time
from pathlib import Path
from typing import Any


def _rss_mib() -> float:
    """Current resident set size of this process (MiB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _dir_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20 if path.exists() else 0.0


def _outcome(result: Any, started: float) -> dict[str, Any]:
    if not result.success:
        raise SystemExit(f"run failed: {result.error}")
    return {
        "run_s": round(time.perf_counter() - started, 3),
        "steps": result.step_seconds,
        "summary": result.summary,
    }


def _last_dbt_execution_s() -> float | None:
    """dbt's own "Finished running ... in N s" of the newest dbt invocation (the scoring step's
    node execution, without the subprocess's start, imports and parse), from its JSON log."""
    from pipelines.settings import load_settings
    from pipelines.transform.dbt_setup import target_dir

    log = target_dir(load_settings()) / "dbt.log"
    if not log.exists():
        return None
    found = None
    with log.open(encoding="utf-8") as lines:
        for line in lines:
            if '"FinishedRunningStats"' in line:
                found = json.loads(line)["data"].get("execution_time")
    return None if found is None else round(float(found), 3)


def one_night(as_of: dt.date, long_lived: bool = False) -> dict[str, Any]:
    """One night as `okr run` does it (a process that ends after its run), or, `long_lived`, as a
    process that goes on does it (it gives the run's memory back afterwards: about 0.3 s)."""
    from pipelines.scoring_run import run_nightly

    started = time.perf_counter()
    result = run_nightly(as_of, release_memory=long_lived)
    return {**_outcome(result, started), "dbt_scoring_nodes_s": _last_dbt_execution_s()}


def one_range(start: dt.date, end: dt.date, replace: bool) -> dict[str, Any]:
    """A backfill as `okr backfill` runs it (its process ends after the run)."""
    from pipelines.scoring_run import run_range

    started = time.perf_counter()
    return _outcome(run_range(start, end, replace=replace, release_memory=False), started)


def nights(as_of: dt.date, count: int) -> dict[str, Any]:
    """`count` nights in one process (a daemon's life): RSS and work-dir size after each."""
    from pipelines.settings import load_settings

    settings = load_settings()
    out = []
    for i in range(count):
        night = one_night(as_of - dt.timedelta(days=count - 1 - i), long_lived=True)
        out.append(
            {
                "run_s": night["run_s"],
                "rss_mib": round(_rss_mib(), 1),
                "work_dir_mib": round(
                    _dir_mib(settings.work_dir) + _dir_mib(settings.root / "dbt_project"), 1
                ),
            }
        )
    return {"nights": out}


BASELINE_SQL = """
with filters as (
    select kr_id, column_name as dimension, list(filter_value) as vals
    from raw.okr_kr_filters group by kr_id, column_name
),
nfilters as (select kr_id, count(*) as n from filters group by kr_id),
matched as (
    select k.kr_id, m.metric_date, m.value
    from raw.okr_key_results as k
    inner join bench_metric_rows as m
        on m.metric = k.metric and m.metric_date between k.start_date and least(k.end_date, $as_of)
    left join filters as f
        on f.kr_id = k.kr_id and list_contains(f.vals, case f.dimension
            when 'channel_group' then m.channel_group when 'source' then m.source
            when 'medium' then m.medium when 'campaign' then m.campaign end)
    left join nfilters as n on n.kr_id = k.kr_id
    group by k.kr_id, m.row_id, m.metric_date, m.value, n.n
    having count(f.kr_id) = coalesce(n.n, 0)
),
actuals as (select kr_id, sum(value) as actual, max(metric_date) as data_through from matched group by kr_id)
select
    k.kr_id,
    coalesce(a.actual, 0) as actual,
    (coalesce(a.actual, 0) - coalesce(k.baseline, 0))
        / nullif(k.target - coalesce(k.baseline, 0), 0) as progress,
    least(1.0, ($as_of - k.start_date + 1) / (k.end_date - k.start_date + 1)) as expected_progress,
    case
        when progress >= 1 then 'achieved'
        when expected_progress - progress >= coalesce(k.off_track_threshold, 0.25) then 'off_track'
        when expected_progress - progress >= coalesce(k.at_risk_threshold, 0.10) then 'at_risk'
        else 'on_track'
    end as status,
    a.data_through
from raw.okr_key_results as k
left join actuals as a on a.kr_id = k.kr_id
"""


def baseline(as_of: dt.date) -> dict[str, Any]:
    """Scoring done as ONE set-based DuckDB query over the same metric rows the pipeline scored:
    actual to date, progress, expected pace and status for every KR. The metric rows are gathered
    into one table first (not timed); the query is timed (best of 3)."""
    import duckdb

    from pipelines.okr_definitions.metric_catalog import metric_model_names
    from pipelines.settings import load_settings

    settings = load_settings()
    con = duckdb.connect(str(settings.warehouse_path))
    used = {r[0] for r in con.execute("select distinct metric from raw.okr_key_results").fetchall()}
    dims = "channel_group, source, medium, campaign"
    parts = [
        f"select '{m}' as metric, metric_date, {dims}, value from analytics.{m}"
        for m in metric_model_names()
        if m in used
    ]
    union = " union all ".join(parts)
    con.execute(
        "create or replace temp table bench_metric_rows as "
        f"select row_number() over () as row_id, * from ({union})"
    )
    rows = con.execute("select count(*) from bench_metric_rows").fetchone()[0]
    sql = BASELINE_SQL.replace("$as_of", f"date '{as_of}'")
    best, krs = float("inf"), 0
    for _ in range(3):
        started = time.perf_counter()
        krs = len(con.execute(sql).fetchall())
        best = min(best, time.perf_counter() - started)
    con.close()
    return {"query_s": round(best, 4), "metric_rows": rows, "krs": krs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.night")
    sub = parser.add_subparsers(dest="what", required=True)
    for name in ("run", "nights", "baseline"):
        p = sub.add_parser(name)
        p.add_argument("--as-of", type=dt.date.fromisoformat, required=True)
        p.add_argument("--count", type=int, default=30)
    r = sub.add_parser("range")
    r.add_argument("--from", dest="start", type=dt.date.fromisoformat, required=True)
    r.add_argument("--to", dest="end", type=dt.date.fromisoformat, required=True)
    r.add_argument("--replace", action="store_true")
    args = parser.parse_args(argv)
    if args.what == "run":
        out = one_night(args.as_of)
    elif args.what == "range":
        out = one_range(args.start, args.end, args.replace)
    elif args.what == "nights":
        out = nights(args.as_of, args.count)
    else:
        out = baseline(args.as_of)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
