"""A synthetic workspace at scale: N metrics, K key results, Y years of daily rows.

    python -m benchmarks.scale --metrics 200 --krs 1000 --years 5 --out /tmp/okr-scale

writes two folders under --out:
- `code/`: a copy of the project whose dbt project has N generated metric models
  (`bench_metric_NNN.sql`, GA4-shaped, documented and tested like the shipped ones). Run the
  pipeline from there (`cd code && python -m pipelines.cli ...`) so the generated metrics exist.
- `workspace/`: settings, sources (no source enabled: the rows are already in the warehouse),
  `okrs/bench.yml` with K KRs over the generated metrics (each filtered to one channel group),
  and `data/warehouse.duckdb` with Y years of daily GA4 rows ending on --as-of.

Deterministic (fixed seed): the same arguments give the same workspace.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from pipelines.settings import REPO_ROOT

CHANNELS = ["Organic Search", "Paid Search", "Direct", "Referral", "Email", "Organic Social", "Paid Social"]
SOURCES = [("google", "organic"), ("google", "cpc"), ("(direct)", "(none)"), ("newsletter", "email")]
CODE_PARTS = ["pipelines", "connectors", "dbt_project", "benchmarks", "pyproject.toml"]
SEED = 15


def _metric_sql(i: int) -> str:
    return (
        f"-- Generated benchmark metric {i}: GA4 sessions scaled by {1 + i % 7}.\n"
        "select\n    report_date as metric_date,\n    channel_group,\n    source,\n    medium,\n"
        f"    campaign,\n    cast(sum(sessions) * {1 + i % 7} as double precision) as value\n"
        "from {{ ref('stg_ga4__daily_reports') }}\n"
        "group by report_date, channel_group, source, medium, campaign\n"
    )


def _metric_doc(name: str) -> dict:
    return {
        "name": name,
        "description": "Generated benchmark metric (GA4 sessions, scaled) per day.",
        "data_tests": [{"okr_metric_columns_documented": {"config": {"severity": "error"}}}],
        "columns": [
            {
                "name": "metric_date",
                "description": "The day the value belongs to.",
                "data_tests": ["not_null"],
            },
            {"name": "value", "description": "The day's value."},
            *[
                {"name": c, "description": f"GA4 {c.replace('_', ' ')}."}
                for c in ("channel_group", "source", "medium", "campaign")
            ],
        ],
    }


def write_code(out: Path, metrics: int) -> Path:
    """A copy of the project with `metrics` generated metric models."""
    code = out / "code"
    shutil.rmtree(code, ignore_errors=True)
    code.mkdir(parents=True)
    ignore = shutil.ignore_patterns("target", "logs", "__pycache__", "dbt_packages")
    for part in CODE_PARTS:
        src = REPO_ROOT / part
        if src.is_dir():
            shutil.copytree(src, code / part, ignore=ignore)
        else:
            shutil.copy(src, code / part)
    metrics_dir = code / "dbt_project" / "models" / "metrics"
    names = [f"bench_metric_{i:03d}" for i in range(metrics)]
    for i, name in enumerate(names):
        (metrics_dir / f"{name}.sql").write_text(_metric_sql(i), encoding="utf-8")
    doc = {"version": 2, "models": [_metric_doc(n) for n in names]}
    (metrics_dir / "_bench_metrics.yml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return code


def _quarter(day: dt.date) -> tuple[str, dt.date, dt.date]:
    q = (day.month - 1) // 3
    start = dt.date(day.year, 3 * q + 1, 1)
    end = (dt.date(day.year + (q == 3), (3 * q + 3) % 12 + 1, 1)) - dt.timedelta(days=1)
    return f"{day.year}-Q{q + 1}", start, end


def okr_file(metrics: int, krs: int, as_of: dt.date) -> dict:
    """K KRs over the generated metrics, ten per objective, in the quarter of as_of."""
    cycle, _, _ = _quarter(as_of)
    objectives = []
    for o in range((krs + 9) // 10):
        key_results = []
        for k in range(o * 10, min(krs, o * 10 + 10)):
            key_results.append(
                {
                    "id": f"BENCH-{k + 1:04d}",
                    "title": f"Benchmark key result {k + 1}",
                    "metric": f"bench_metric_{k % metrics:03d}",
                    "filter": {"channel_group": [CHANNELS[k % len(CHANNELS)]]},
                    "target": 20000 + 500 * (k % 40),
                }
            )
        objectives.append(
            {"id": f"BENCH-O{o + 1:03d}", "title": f"Benchmark objective {o + 1}", "key_results": key_results}
        )
    return {"cycle": cycle, "objectives": objectives}


def ga4_rows(years: int, as_of: dt.date) -> pd.DataFrame:
    """Daily GA4 rows (channel x source/medium x 2 campaigns) for `years` years up to as_of."""
    rng = np.random.default_rng(SEED)
    days = pd.date_range(as_of - dt.timedelta(days=365 * years - 1), as_of, freq="D")
    combos = [(c, s, m, camp) for c in CHANNELS for s, m in SOURCES for camp in ("(not set)", "spring")]
    idx = pd.MultiIndex.from_product([days, range(len(combos))], names=["day", "combo"]).to_frame(index=False)
    combo = pd.DataFrame(combos, columns=["channel_group", "source", "medium", "campaign"])
    df = idx.join(combo, on="combo")
    n = len(df)
    sessions = rng.poisson(40, n)
    return pd.DataFrame(
        {
            "report_date": df["day"].dt.date,
            "channel_group": df["channel_group"],
            "source": df["source"],
            "medium": df["medium"],
            "campaign": df["campaign"],
            "sessions": sessions,
            "total_users": (sessions * 0.8).astype(int),
            "new_users": (sessions * 0.5).astype(int),
            "engaged_sessions": (sessions * 0.6).astype(int),
            "key_events": rng.poisson(2, n),
        }
    )


def write_workspace(out: Path, metrics: int, krs: int, years: int, as_of: dt.date) -> Path:
    from connectors.raw_tables import ensure_raw_tables, now_utc, to_frame
    from connectors.warehouse import DuckDBWarehouse

    ws = out / "workspace"
    shutil.rmtree(ws, ignore_errors=True)
    (ws / "okrs").mkdir(parents=True)
    start = as_of - dt.timedelta(days=365 * years - 1)
    (ws / "settings.yml").write_text(
        f"warehouse: data/warehouse.duckdb\nscorecard_dir: build/scorecard\nhistory_start: '{start}'\n",
        encoding="utf-8",
    )
    (ws / "sources.yml").write_text("exports:\n  enabled: false\n", encoding="utf-8")
    doc = okr_file(metrics, krs, as_of)
    (ws / "okrs" / "bench.yml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    warehouse = DuckDBWarehouse(ws / "data" / "warehouse.duckdb")
    ensure_raw_tables(warehouse)
    rows = ga4_rows(years, as_of).to_dict("records")
    meta = {"_source": "bench", "_stream": "ga4_daily_report", "_loaded_at": now_utc(), "_partition": "bench"}
    with warehouse.transaction() as tx:
        tx.insert("ga4_daily_report", to_frame("ga4_daily_report", rows, meta))
    return ws


def generate(out: Path, metrics: int, krs: int, years: int, as_of: dt.date) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    return write_code(out, metrics), write_workspace(out, metrics, krs, years, as_of)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__.splitlines()[0])
    parser.add_argument("--metrics", type=int, default=200)
    parser.add_argument("--krs", type=int, default=1000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 26))
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    code, ws = generate(args.out, args.metrics, args.krs, args.years, args.as_of)
    print(f"code: {code}\nworkspace: {ws}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
