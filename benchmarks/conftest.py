"""Benchmarks (`make bench`): speed and peak memory of the nightly run's stages on the demo data.

Peak Python memory (tracemalloc) is recorded in each benchmark's extra_info; pytest-benchmark
saves both with --benchmark-autosave so runs can be compared (`pytest-benchmark compare`).
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipelines.settings import Settings, load_settings
from tests.helpers import copy_demo_workspace


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
    return load_settings(copy_demo_workspace(tmp_path))
