"""The quality pages' own wrapper (status words, filter and table names) in the scorecard's
language, from the same catalogs, on a Data Docs site made offline by pipelines.quality."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipelines.quality.offline import A11Y_JS, ICONS_CSS, VENDOR_DIR
from pipelines.reporting.quality_wrapper import localize_quality_pages


def _site(tmp_path: Path) -> Path:
    vendor = tmp_path / "quality" / "static" / "vendor"
    vendor.mkdir(parents=True)
    for name in (ICONS_CSS, A11Y_JS):
        shutil.copy(VENDOR_DIR / name, vendor / name)
    return tmp_path / "quality"


def test_finnish_wrapper(tmp_path: Path) -> None:
    site = _site(tmp_path)
    localize_quality_pages(site, "fi")
    css = (site / "static" / "vendor" / ICONS_CSS).read_text(encoding="utf-8")
    # "läpäisty" with ä as six-digit escapes, so no escape can swallow the next letter.
    assert 'i.fa-check-circle::before { content: "\\002714\\0000a0l\\0000e4p\\0000e4isty"; }' in css
    assert 'i.fa-times::before { content: "\\002716\\0000a0ep\\0000e4onnistui"; }' in css
    js = (site / "static" / "vendor" / A11Y_JS).read_text(encoding="utf-8")
    assert '  var T = {"filter": "Suodata: {name}", "search": "Haku", ' in js
    assert '"scrolls": "Taulukko (vierii sivusuunnassa)"};' in js
    assert 'T.filter.replace("{name}", name)' in js


def test_english_wrapper_is_the_shipped_one(tmp_path: Path) -> None:
    site = _site(tmp_path)
    localize_quality_pages(site, "en")
    for name in (ICONS_CSS, A11Y_JS):
        shipped = (VENDOR_DIR / name).read_text(encoding="utf-8")
        assert (site / "static" / "vendor" / name).read_text(encoding="utf-8") == shipped, name
