"""The quality pages are rebuilt only when what they show changed (pipelines/reporting/quality_pages)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from connectors.warehouse import DuckDBWarehouse
from pipelines.quality.offline import ICONS_CSS
from pipelines.reporting.quality_pages import BUILT_FROM, publish_quality_pages
from tests.conftest import DEMO_NIGHT, DemoNight

AS_OF = dt.date.fromisoformat(DEMO_NIGHT)


def _files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture
def published(demo_night: DemoNight, tmp_path: Path) -> tuple[DuckDBWarehouse, Path]:
    ws = demo_night.copy_to(tmp_path / "ws")
    return DuckDBWarehouse(ws / "data" / "warehouse.duckdb"), ws / "build" / "scorecard" / "quality"


@pytest.mark.slow
def test_unchanged_results_copy_the_published_pages(
    published: tuple[DuckDBWarehouse, Path], tmp_path: Path
) -> None:
    wh, site = published
    assert (site / BUILT_FROM).is_file(), "the night's publish did not record what its pages were built from"

    assert publish_quality_pages(wh, AS_OF, "en", tmp_path / "same", site) is False
    assert _files(tmp_path / "same") == _files(site)


@pytest.mark.slow
def test_a_change_in_language_results_or_pages_rebuilds(
    published: tuple[DuckDBWarehouse, Path], tmp_path: Path
) -> None:
    wh, site = published

    assert publish_quality_pages(wh, AS_OF, "fi", tmp_path / "fi", site) is True
    css = (tmp_path / "fi" / "static" / "vendor" / ICONS_CSS).read_text(encoding="utf-8")
    assert "ep\\0000e4onnistui" in css  # "epäonnistui": the Finnish wrapper, not the copied English one

    with wh.transaction() as tx:  # one suite's result changed since the pages were built
        tx.execute(
            "UPDATE raw.quality_suite_results SET result_json = replace(result_json, '\"success\": true', "
            "'\"success\": false') WHERE as_of = ? AND suite_name = (SELECT min(suite_name) FROM "
            "raw.quality_suite_results WHERE as_of = ?)",
            [AS_OF, AS_OF],
        )
    assert publish_quality_pages(wh, AS_OF, "en", tmp_path / "changed", site) is True

    (site / "index.html").unlink()  # the published pages lost a file: never copied as they are
    assert publish_quality_pages(wh, AS_OF, "en", tmp_path / "damaged", site) is True
    assert (tmp_path / "damaged" / "index.html").is_file()
