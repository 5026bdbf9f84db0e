"""The site's templates are compiled once and kept compiled between runs; the cache never fails a
publish and never serves an old template."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import Environment
from reporting_fixture import make_history, make_metrics, make_scorecard

from pipelines.reporting import site
from pipelines.reporting.publish import publish_scorecard


def _publish(out: Path) -> dict[str, bytes]:
    publish_scorecard(make_scorecard(), make_history(), make_metrics(), out)
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*.html"))}


@pytest.fixture
def cache_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "compiled"
    folder.mkdir()
    cache = site._CompiledTemplates(str(folder), "t-%s.cache")
    monkeypatch.setattr(site, "_compiled_templates", lambda: cache)
    return folder


def test_a_second_publish_compiles_nothing_and_writes_the_same_pages(
    tmp_path: Path, cache_in: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _publish(tmp_path / "one")
    assert len(list(cache_in.glob("t-*.cache"))) >= 5  # one per template used

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("a template was compiled again")

    monkeypatch.setattr(Environment, "compile", no_compiling)
    assert _publish(tmp_path / "two") == first


def test_a_changed_template_is_compiled_again(
    tmp_path: Path, cache_in: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _publish(tmp_path / "one")
    templates = tmp_path / "templates"
    templates.mkdir()
    for path in site.TEMPLATES_DIR.iterdir():
        text = path.read_text(encoding="utf-8")
        if path.name == "base.html.j2":
            text = text.replace("<body", "<!-- edited --><body", 1)
        (templates / path.name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(site, "TEMPLATES_DIR", templates)
    pages = _publish(tmp_path / "two")
    assert all(b"<!-- edited -->" in html for html in pages.values())


def test_a_cache_that_cannot_be_written_does_not_fail_the_publish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    monkeypatch.setattr(site, "_compiled_templates", lambda: site._CompiledTemplates(str(not_a_folder)))
    assert _publish(tmp_path / "out")


def test_other_environment_options_use_other_cache_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Jinja keys a compiled template by its name and source only, not by the options it was
    compiled with (trim_blocks changes the output): the options are in the file names."""
    build = site._compiled_templates.__wrapped__
    before = build()
    monkeypatch.setitem(site._OPTIONS, "trim_blocks", False)
    after = build()
    assert before is not None and after is not None  # the temp directory is usable here
    assert before.pattern != after.pattern
