"""`make bench`: measure every row of issue 15's goals table and write one JSON result per run.

    python -m benchmarks.harness                      # demo + 1,000 KRs / 200 metrics / 5 years
    python -m benchmarks.harness --krs 100 --metrics 20 --years 1 --nights 5    # a quicker run
    python -m benchmarks.harness --skip scale,nights                            # only some parts
    python -m benchmarks.harness --skip demo,validate,backfill,nights,scale,tests  # only the year's pull

Each measurement runs in its own process (benchmarks/night.py or the `okr` command), so import
time and warm-up count as a user sees them; wall time, CPU time (user + sys, children included:
less sensitive to a busy machine than wall time) and the peak RSS of the process are taken from
the operating system (wait4). Rows go to `.benchmarks/bench-<UTC time>.jsonl` (see rows.py), the
table is printed at the end, and the whole result is saved as `.benchmarks/bench-<UTC time>.json`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import rows
from benchmarks.scale import generate
from benchmarks.site_digest import site_digest
from pipelines.settings import REPO_ROOT

AS_OF = dt.date(2026, 11, 26)
PARTS = ("demo", "validate", "backfill", "nights", "scale", "ingest", "tests")
HISTORY = (dt.date(2025, 12, 1), dt.date(2026, 11, 30))  # `okr ingest` of a year (part "ingest")


def measure(
    cmd: list[str], cwd: Path, workspace: Path, extra_env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run cmd; its wall and CPU seconds (user + sys, its child processes included), peak RSS
    (MiB, from wait4) and its last stdout line parsed as JSON."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OKR_")}
    env.update({**(extra_env or {}), "OKR_WORKSPACE": str(workspace)})
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stdout[-2000:]}\n{stderr[-3000:]}")
    last = stdout.strip().splitlines()[-1] if stdout.strip() else "{}"
    try:
        data = json.loads(last)
    except json.JSONDecodeError:
        data = {"stdout": last}
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        **data,
    }


# A fixed pure-Python loop: its time says how fast this machine is at the moment (a shared machine
# varies by half or more from hour to hour). Session 9's quiet reference machine took 1.76 s.
SPEED_LOOP = "s = 0\nfor i in range(30_000_000):\n    s += i"
REFERENCE_SPEED_S = 1.76


def machine_speed_s() -> float:
    """Best of two timings of SPEED_LOOP in a fresh interpreter (seconds, lower is faster)."""
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", SPEED_LOOP], check=True)
        best = min(best, time.perf_counter() - started)
    return round(best, 2)


def _okr(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipelines.cli", *args]


def _night(*args: str) -> list[str]:
    return [sys.executable, "-m", "benchmarks.night", *args]


def demo_workspace(tmp: Path) -> Path:
    from tests.helpers import copy_demo_workspace

    return copy_demo_workspace(tmp / "demo")


def bench_demo(ws: Path, results: dict[str, Any]) -> None:
    measure(_okr("run", "--as-of", AS_OF.isoformat()), REPO_ROOT, ws)  # cold: load exports, parse
    warm = [measure(_night("run", "--as-of", AS_OF.isoformat()), REPO_ROOT, ws) for _ in range(3)]
    best = min(warm, key=lambda r: r["wall_s"])
    results["demo_night"] = warm
    rows.report(
        "demo_night", sorted(r["wall_s"] for r in warm)[1], "s", cpu_s=best["cpu_s"], note="median of 3"
    )
    rows.report("demo_night_rss", max(r["peak_rss_mib"] for r in warm), "MiB", steps=best["steps"])
    results["demo_site_digest"] = site_digest(ws / "build" / "scorecard")
    # The warm nights re-score an unchanged day, so they reuse every validation and dbt test of
    # the night before. A night of another day re-validates what depends on the date, re-tests
    # the scores and rebuilds the quality pages: what a real night costs, apart from its new rows.
    other = measure(_night("run", "--as-of", (AS_OF - dt.timedelta(days=1)).isoformat()), REPO_ROOT, ws)
    results["demo_night_other_day"] = other
    rows.report("demo_night_other_day", other["wall_s"], "s", cpu_s=other["cpu_s"], steps=other["steps"])
    measure(_night("run", "--as-of", AS_OF.isoformat()), REPO_ROOT, ws)  # AS_OF published again


def bench_validate(ws: Path, results: dict[str, Any]) -> None:
    runs = [measure(_okr("validate"), REPO_ROOT, ws) for _ in range(3)]
    results["validate"] = runs
    rows.report("validate", min(r["wall_s"] for r in runs), "s", note="best of 3, process start included")


def bench_backfill(ws: Path, results: dict[str, Any]) -> None:
    start = AS_OF - dt.timedelta(days=91)
    r = measure(
        _night("range", "--from", start.isoformat(), "--to", AS_OF.isoformat(), "--replace"), REPO_ROOT, ws
    )
    results["backfill_quarter"] = r
    rows.report(
        "backfill_quarter", r["wall_s"], "s", cpu_s=r["cpu_s"], steps=r["steps"], note="92 days, one run"
    )
    rows.report("backfill_quarter_rss", r["peak_rss_mib"], "MiB")


def bench_nights(ws: Path, count: int, results: dict[str, Any]) -> None:
    r = measure(_night("nights", "--as-of", AS_OF.isoformat(), "--count", str(count)), REPO_ROOT, ws)
    nights = r["nights"]
    results["nights"] = r
    growth = nights[-1]["rss_mib"] - nights[0]["rss_mib"]
    disk = nights[-1]["work_dir_mib"] - nights[0]["work_dir_mib"]
    rows.report("nights_rss_growth", growth, "MiB", nights=count, rss=[n["rss_mib"] for n in nights])
    # Whether RSS still climbs at the end (a leak) or levelled off after the first nights
    # (caches filling up once: Dagster's, GX's, the allocator's arenas).
    half = nights[len(nights) // 2]["rss_mib"]
    rows.report("nights_rss_growth_second_half", nights[-1]["rss_mib"] - half, "MiB", nights=count)
    rows.report("nights_disk_growth", disk, "MiB", nights=count, disk=[n["work_dir_mib"] for n in nights])


def bench_ingest(tmp: Path, results: dict[str, Any]) -> None:
    """`okr ingest` of a year from all nine APIs, each a loopback imitation with a year of data
    (tests/connectors/history_fakes.py): one run; its time and the requests each API answered."""
    from tests.connectors.history_fakes import SECRET_PREFIXES, serve_history
    from tests.helpers import make_workspace

    start, end = HISTORY
    fakes = serve_history(start, end)
    try:
        ws = tmp / "history"
        kr = {"id": "ADS-1", "title": "Spend", "metric": "ad_spend", "target": 1000}
        objective = {"id": "PAID", "title": "Paid", "owner": "CMO", "team": "growth", "key_results": [kr]}
        make_workspace(ws, {"2026-Q4.yml": {"cycle": "2026-Q4", "objectives": [objective]}})
        (ws / "sources.yml").write_text(fakes.sources_yml())
        stray = {k: "" for k in os.environ if k.startswith(SECRET_PREFIXES)}  # only the fakes' secrets
        r = measure(
            _okr("ingest", "--from", start.isoformat(), "--to", end.isoformat()),
            REPO_ROOT,
            ws,
            {**stray, **fakes.env},
        )
        served = fakes.requests_served()
    finally:
        fakes.stop()
    results["ingest_year"] = {**r, "requests": served}
    note = f"{start}..{end}, 9 APIs, one run"
    rows.report("ingest_year", r["wall_s"], "s", cpu_s=r["cpu_s"], requests=served, note=note)
    rows.report("ingest_year_requests", sum(served.values()), "requests", per_source=served, note=note)
    rows.report("ingest_year_rss", r["peak_rss_mib"], "MiB")


def bench_scale(tmp: Path, metrics: int, krs: int, years: int, results: dict[str, Any]) -> None:
    started = time.perf_counter()
    code, ws = generate(tmp / "scale", metrics, krs, years, AS_OF)
    results["scale_generate_s"] = round(time.perf_counter() - started, 1)
    measure(_night("run", "--as-of", AS_OF.isoformat()), code, ws)  # first: parses the new metrics
    r = measure(_night("run", "--as-of", AS_OF.isoformat()), code, ws)
    base = measure(_night("baseline", "--as-of", AS_OF.isoformat()), code, ws)
    results["scale"] = {"metrics": metrics, "krs": krs, "years": years, "night": r, "baseline": base}
    results["scale_site_digest"] = site_digest(ws / "build" / "scorecard")
    label = f"{krs} KRs / {metrics} metrics / {years} years"
    rows.report("scale_night", r["wall_s"], "s", cpu_s=r["cpu_s"], steps=r["steps"], note=label)
    rows.report("scale_night_rss", r["peak_rss_mib"], "MiB", note=label)
    scoring = r["steps"].get("dbt_scoring", float("nan"))
    nodes = r.get("dbt_scoring_nodes_s")
    ratio = scoring / base["query_s"] if base["query_s"] else float("inf")
    rows.report(
        "scoring_vs_query",
        scoring - (2 * base["query_s"] + 1),
        "s",
        scoring_s=scoring,
        dbt_nodes_s=nodes,
        query_s=base["query_s"],
        ratio=round(ratio, 1),
        note=f"scoring {scoring:.2f} s (dbt's node execution {nodes} s) vs query {base['query_s']:.3f} s: "
        f"{ratio:.0f}x",
    )


def bench_tests(full: bool, results: dict[str, Any]) -> None:
    """The test suite's wall time as `make test-quick` (and `make test` with --full-tests) runs it."""
    quick = {"OKR_QUICK_FUZZ": "1"}  # what the Makefile's test-quick sets (tests/fuzzing.py)
    runs = [("test_quick", ["-m", "not slow and not integration"], quick)]
    runs += [("test_full", [], {})] if full else []
    for row, marks, env in runs:
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            "-n",
            "2",
            "--dist",
            "loadscope",
            "--no-loadscope-reorder",
            "-q",
            "-p",
            "no:cacheprovider",
        ]
        started = time.perf_counter()
        proc = subprocess.run(
            [*cmd, *marks],
            cwd=REPO_ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        summary = (proc.stdout.strip().splitlines() or ["no output"])[-1]
        results[row] = {"wall_s": round(wall, 1), "returncode": proc.returncode, "summary": summary}
        rows.report(row, wall, "s", note=summary.strip("= "), failed=proc.returncode != 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.harness", description=__doc__.splitlines()[0])
    parser.add_argument("--metrics", type=int, default=200)
    parser.add_argument("--krs", type=int, default=1000)
    parser.add_argument("--years", type=int, default=5)
    # The 30 nights (about 3.5 minutes): RSS rises over the first ten or so, then stays
    # level, so ten nights could not tell a plateau from a slow leak (benchmarks/README.md).
    parser.add_argument("--nights", type=int, default=30, help="nights in one process (default 30)")
    parser.add_argument(
        "--full-tests", action="store_true", help="also time the whole test suite (`make test`; minutes)"
    )
    parser.add_argument("--skip", default="", help=f"comma-separated parts to skip: {', '.join(PARTS)}")
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    # `make bench` sets the results file, so the pytest benchmarks' rows join the same table.
    os.environ.setdefault("OKR_BENCH_RESULTS", str(REPO_ROOT / ".benchmarks" / f"bench-{stamp}.jsonl"))
    result_file = Path(os.environ["OKR_BENCH_RESULTS"]).with_suffix(".json")
    result_file.parent.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "started": stamp,
        "machine": {
            "cpus": os.cpu_count(),
            "load_avg": os.getloadavg(),
            "python": platform.python_version(),
            "speed_loop_s": machine_speed_s(),
        },
    }
    tmp = Path(tempfile.mkdtemp(prefix="okr-bench-"))
    parts: dict[str, Callable[[], None]] = {
        "demo": lambda: bench_demo(ws, results),
        "validate": lambda: bench_validate(ws, results),
        "backfill": lambda: bench_backfill(ws, results),
        "nights": lambda: bench_nights(ws, args.nights, results),
        "scale": lambda: bench_scale(tmp, args.metrics, args.krs, args.years, results),
        "ingest": lambda: bench_ingest(tmp, results),
        "tests": lambda: bench_tests(args.full_tests, results),
    }
    failed: dict[str, str] = {}
    try:
        ws = demo_workspace(tmp)
        for name, part in parts.items():
            if name in skip:
                continue
            started = time.perf_counter()
            print(f"bench: {name} ...", file=sys.stderr, flush=True)
            # One failing part is named and the others still run, so the table is always printed.
            try:
                part()
            except Exception as exc:
                failed[name] = str(exc)[-3000:]
                print(f"bench: {name} FAILED: {str(exc)[-1500:]}", file=sys.stderr, flush=True)
            print(f"bench: {name} took {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results["failed_parts"] = failed
    results["load_avg_after"] = os.getloadavg()
    results["machine"]["speed_loop_s_after"] = machine_speed_s()
    results["rows"] = rows.read_rows()
    result_file.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    rows.print_table(results["rows"])
    machine = results["machine"]
    print(f"\nresult: {result_file} (load average {machine['load_avg']})")
    print(
        f"machine speed: the reference loop took {machine['speed_loop_s']} s before and "
        f"{machine['speed_loop_s_after']} s after ({REFERENCE_SPEED_S} s on the quiet reference machine)"
    )
    for key in ("demo_site_digest", "scale_site_digest"):
        if key in results:  # equal digests between two commits: the same published results
            print(f"{key}: {results[key]}")
    for name, why in failed.items():
        print(f"FAILED part {name}: {why.strip().splitlines()[-1] if why.strip() else why}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
