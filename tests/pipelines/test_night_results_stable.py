"""The speed work must not change a result: a warm night (manifest reused, partial parsing, the
definitions and dbt resource kept in the process) publishes exactly what a cold night published,
on the demo and on a generated workspace (benchmarks/scale.py).

Compared: scorecard.json without `generated_at`, and every other published file byte for byte
but for the generated time on each page (benchmarks/site_digest.py; the timestamped GX Data Docs
are left out). `make bench` records the
same digest for the demo and the 1,000-KR run, so two commits can be compared too.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.scale import generate
from benchmarks.site_digest import rounded_floats, scorecard_without_time, site_digests
from tests.conftest import DemoNight

# Two full nights per test: minutes on a quiet machine, far longer on a busy shared one.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]

AS_OF = "2026-11-26"


def _okr_run(code: Path, workspace: Path, *options: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OKR_")}
    env["OKR_WORKSPACE"] = str(workspace)
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--as-of", AS_OF, *options],
        cwd=code,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, f"okr run failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"


def _assert_same_site(before: dict[str, str], site: Path, card_before: dict) -> None:
    after = site_digests(site)
    assert rounded_floats(scorecard_without_time(site / "scorecard.json")) == rounded_floats(card_before)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"files that differ between the cold and the warm night: {changed[:20]}"


def test_warm_demo_night_publishes_what_the_cold_one_did(
    demo_night: DemoNight, warm_demo_night: DemoNight, tmp_path: Path
) -> None:
    # The cold night and the warm one (the workspace's manifest reused) are the test run's shared
    # nights (tests/conftest.py); the warm one ran on a copy of the cold one.
    cold_site = demo_night.workspace / "build" / "scorecard"
    before, card = site_digests(cold_site), scorecard_without_time(cold_site / "scorecard.json")
    assert len(card["key_results"]) == 40 and len(before) > 40
    judged_cold = _validation_times(demo_night.workspace)
    pages_cold = _quality_pages(cold_site)

    warm_site = warm_demo_night.workspace / "build" / "scorecard"
    _assert_same_site(before, warm_site, card)
    # unchanged data: the cold night's validations reused
    assert _validation_times(warm_demo_night.workspace) == judged_cold
    assert _quality_pages(warm_site) == pages_cold  # the same results: the published pages were kept

    ws = warm_demo_night.copy_to(tmp_path / "ws")
    site = ws / "build" / "scorecard"
    _okr_run(Path(__file__).resolve().parents[2], ws, "--full-checks")

    _assert_same_site(before, site, card)
    validated = _validation_times(ws)
    assert validated.keys() == judged_cold.keys()
    assert all(validated[s] != judged_cold[s] for s in validated)  # every suite validated again
    assert _quality_pages(site) != pages_cold  # new results: the pages were built again


def _quality_pages(site: Path) -> dict[str, bytes]:
    pages = site / "quality"
    return {str(p.relative_to(pages)): p.read_bytes() for p in sorted(pages.rglob("*")) if p.is_file()}


def _validation_times(ws: Path) -> dict[str, str]:
    """GX's run time of each stored suite result of the night (a new validation has a new one)."""
    import duckdb

    with duckdb.connect(str(ws / "data" / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT suite_name, result_json FROM raw.quality_suite_results WHERE as_of = ?",
            [dt.date.fromisoformat(AS_OF)],
        ).fetchall()
    return {name: json.loads(result)["meta"]["run_id"]["run_time"] for name, result in rows}


def test_warm_night_on_a_generated_workspace_publishes_what_the_cold_one_did(tmp_path: Path) -> None:
    code, ws = generate(tmp_path / "scale", metrics=6, krs=40, years=1, as_of=dt.date.fromisoformat(AS_OF))
    _okr_run(code, ws)  # cold: a fresh work dir, a full parse with the generated metrics
    site = ws / "build" / "scorecard"
    before, card = site_digests(site), scorecard_without_time(site / "scorecard.json")
    assert len(card["key_results"]) == 40
    assert json.dumps(card).count("bench_metric_") >= 40

    _okr_run(code, ws)

    _assert_same_site(before, site, card)
