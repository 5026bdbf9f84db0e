"""The export loader against issue 15's goals: the demo's exports (first load, unchanged re-run)
and a 1 M-row GA4 CSV (time and peak RSS of a process doing only that load).

Each benchmark's extra_info holds `goal` and the measured value beside it; peak RSS comes from a
child process (ru_maxrss), so the benchmark process's own memory does not count.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.rows import report
from connectors.exports.loader import load_export_folder
from connectors.raw_tables import ensure_raw_tables
from connectors.warehouse import DuckDBWarehouse

# The loader only reads the export files: the repository's own demo folder will do.
DEMO_EXPORTS = Path(__file__).resolve().parents[1] / "demo" / "exports"
GA4_HEADER = (
    "Date,Session default channel group,Session source,Session medium,Session campaign,Sessions,"
    "Total users,New users,Engaged sessions,Key events\n"
)
CHANNELS = ("Organic Search", "Paid Search", "Direct", "Email", "Organic Social", "Referral")


def write_big_ga4_csv(path: Path, rows: int = 1_000_000) -> Path:
    """A GA4 traffic-acquisition download with `rows` rows: 1,000 campaigns a day from 2024-01-01."""
    start = dt.date(2024, 1, 1)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("# Traffic acquisition: Session campaign\n# Start date: 20240101\n#\n")
        fh.write(GA4_HEADER)
        day_rows = 1000
        for d in range((rows + day_rows - 1) // day_rows):
            day = (start + dt.timedelta(days=d)).strftime("%Y%m%d")
            n = min(day_rows, rows - d * day_rows)
            fh.write(
                "".join(
                    f"{day},{CHANNELS[c % 6]},src{c % 37},med{c % 5},campaign-{c},"
                    f"{(c * 7 + d) % 5000},{(c * 5 + d) % 4000},{(c * 3 + d) % 2000},"
                    f"{(c + d) % 3000},{c % 9}\n"
                    for c in range(n)
                )
            )
    return path


def _fresh(folder: Path, name: str) -> DuckDBWarehouse:
    wh = DuckDBWarehouse(folder / f"{name}.duckdb")
    ensure_raw_tables(wh)
    return wh


def test_exports_demo_first_load(benchmark, tmp_path: Path) -> None:
    exports = DEMO_EXPORTS
    counter = iter(range(100))

    def setup() -> tuple[tuple[DuckDBWarehouse, Path], dict]:
        return (_fresh(tmp_path, f"first{next(counter)}"), exports), {}

    results = benchmark.pedantic(load_export_folder, setup=setup, rounds=3, iterations=1)
    benchmark.extra_info["goal"] = "first load <= 3 s"
    assert sum(r.rows for r in results) == 30020
    report("exports_first", benchmark.stats.stats.min, "s", note="best of 3, raw tables already created")


def test_exports_demo_unchanged_rerun(benchmark, tmp_path: Path) -> None:
    exports = DEMO_EXPORTS
    wh = _fresh(tmp_path, "rerun")
    load_export_folder(wh, exports)
    results = benchmark.pedantic(load_export_folder, args=(wh, exports), rounds=5, iterations=1)
    benchmark.extra_info["goal"] = "unchanged re-run <= 0.5 s"
    assert {r.status for r in results} == {"unchanged"}
    report("exports_rerun", benchmark.stats.stats.min, "s", note="best of 5")


_CHILD = """
import json, resource, sys, time
from pathlib import Path
from connectors.exports.loader import load_export_folder
from connectors.raw_tables import ensure_raw_tables
from connectors.warehouse import DuckDBWarehouse
wh = DuckDBWarehouse(Path(sys.argv[1]))
ensure_raw_tables(wh)
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime
start, cpu0 = time.perf_counter(), cpu()
[r] = load_export_folder(wh, Path(sys.argv[2]))
print(json.dumps({"seconds": time.perf_counter() - start, "cpu_seconds": cpu() - cpu0, "rows": r.rows,
                  "status": r.status,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


@pytest.fixture(scope="module")
def big_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("big-export")
    write_big_ga4_csv(folder / "ga4-1m.csv")
    return folder


def test_exports_one_million_row_csv(benchmark, big_export: Path, tmp_path: Path) -> None:
    """Wall time and peak RSS of a fresh process loading the 1 M-row file (load only, without
    the interpreter's start-up)."""
    counter = iter(range(100))

    def run() -> dict:
        db = tmp_path / f"big{next(counter)}.duckdb"
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(db), str(big_export)],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result["process_seconds"] = time.perf_counter() - started
        return result

    result = benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info.update(
        {
            "goal": "1 M-row CSV <= 10 s and <= 500 MB peak RSS",
            "load_seconds": round(result["seconds"], 2),
            # CPU time: what the load costs on a quiet machine, whatever else the machine runs.
            "load_cpu_seconds": round(result["cpu_seconds"], 2),
            "peak_rss_mib": round(result["peak_rss_mib"]),
        }
    )
    print(
        f"\n1 M-row CSV: load {result['seconds']:.1f} s wall, {result['cpu_seconds']:.1f} s CPU "
        f"(goal <= 10 s), "
        f"peak RSS {result['peak_rss_mib']:.0f} MiB (goal <= 500 MB)"
    )
    assert (result["status"], result["rows"]) == ("loaded", 1_000_000)
    report("export_1m", result["seconds"], "s", cpu_s=round(result["cpu_seconds"], 2), note="load only")
    report("export_1m_rss", result["peak_rss_mib"], "MiB", note="the loading process")
