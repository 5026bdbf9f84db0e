"""How long publishing the scorecard site takes for a generated workspace of many KRs.

Before client-side charts (vl-convert SVG per chart): 1,000 KRs took 128.7 s wall, 81 s CPU on the
shared 2-core machine. `python -m benchmarks.scale_scorecard 1000 /tmp/site` runs the same outside
pytest.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from benchmarks.scale_scorecard import make_scale_scorecard
from pipelines.reporting.publish import publish_scorecard


@pytest.mark.parametrize("n_krs", [100, 1000])
def test_publish_site(benchmark, tmp_path: Path, n_krs: int) -> None:
    card, history = make_scale_scorecard(n_krs)
    runs = itertools.count()
    result = benchmark.pedantic(
        lambda: publish_scorecard(card, history, {}, tmp_path / f"site{next(runs)}", lang="fi"),
        rounds=2,
        iterations=1,
    )
    assert result.kr_pages == n_krs
    assert (result.out_dir / "assets" / "vega.min.js").is_file()
