"""Benchmarks (`make bench`): speed and peak memory of the nightly run's stages on the demo data.

Peak Python memory (tracemalloc) is recorded in each benchmark's extra_info; pytest-benchmark
saves both with --benchmark-autosave so runs can be compared (`pytest-benchmark compare`).
"""

from __future__ import annotations

import shutil
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipelines.settings import REPO_ROOT, Settings, load_settings


def measure_peak(benchmark: Any, fn: Callable[[], Any], rounds: int = 3) -> Any:
    """Time fn with pytest-benchmark and record its peak traced memory in MiB."""
    tracemalloc.start()
    try:
        result = benchmark.pedantic(fn, rounds=rounds, iterations=1, warmup_rounds=0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    benchmark.extra_info["peak_python_mib"] = round(peak / 2**20, 1)
    return result


@pytest.fixture()
def demo_workspace(tmp_path: Path) -> Settings:
    for name in ("settings.yml", "sources.yml"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    shutil.copytree(REPO_ROOT / "okrs", tmp_path / "okrs")
    shutil.copytree(REPO_ROOT / "demo" / "exports", tmp_path / "demo" / "exports")
    return load_settings(tmp_path)
