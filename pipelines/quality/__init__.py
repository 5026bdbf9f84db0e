"""Great Expectations checks inside the Dagster asset graph (docs/quality-checks.md).

Cheap to import: the Dagster definitions (`quality_assets`, `quality_asset_checks`) load on first
access, and GX only when checks run. What the scorecard shows of the results is read by
`pipelines.reporting.data_health`.
"""

from __future__ import annotations

from typing import Any

from pipelines.quality.docs import build_data_docs
from pipelines.quality.gx_import import defer_unused_gx_imports

defer_unused_gx_imports()  # before any module of this package imports GX

__all__ = [
    "build_data_docs",
    "quality_asset_checks",
    "quality_assets",
]


def __getattr__(name: str) -> Any:
    if name == "quality_assets":
        from pipelines.quality.assets import data_quality_gate

        return [data_quality_gate]
    if name == "quality_asset_checks":
        from pipelines.quality.assets import build_source_quality_checks, kr_score_checks

        return [build_source_quality_checks(), kr_score_checks]
    raise AttributeError(name)
