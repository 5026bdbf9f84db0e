"""Atomic publishing: a run that fails midway leaves the previous scorecard exactly as it was."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from reporting_fixture import make_history, make_metrics, make_scorecard

from pipelines.reporting import charts, swap
from pipelines.reporting.publish import publish_scorecard


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_failure_midway_leaves_previous_scorecard_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "scorecard"
    publish_scorecard(make_scorecard(), make_history(), make_metrics(), out)
    before = _digest(out)

    # The next run changes the data, then breaks while drawing the fourth KR's charts: by then
    # the exports and several pages are already written to the staging folder.
    card = make_scorecard()
    card["as_of"] = "2026-11-27"
    card["key_results"][0]["actual"] = 1300
    calls = {"n": 0}
    real = charts.score_chart

    def breaks_on_fourth(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("renderer crashed")
        return real(*args, **kwargs)

    monkeypatch.setattr(charts, "score_chart", breaks_on_fourth)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        publish_scorecard(card, make_history(), make_metrics(), out)

    assert calls["n"] == 4
    assert _digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scorecard"]  # no staging folder left


def test_swap_replaces_whole_folder(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / "old.txt").write_text("old", encoding="utf-8")
    with swap.staged_folder(target) as staging:
        assert staging.parent == tmp_path and staging.name.startswith(".site.staging-")
        (staging / "new.txt").write_text("new", encoding="utf-8")
        assert (target / "old.txt").exists()  # readers still see the old site meanwhile
    assert sorted(p.name for p in target.iterdir()) == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert oct(target.stat().st_mode & 0o777) == "0o755"


def test_exchange_is_atomic_on_this_file_system(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "from_a").touch()
    (b / "from_b").touch()
    if not swap._exchange(a, b):
        pytest.skip("renameat2(RENAME_EXCHANGE) is not supported here; the two-rename fallback is used")
    assert (a / "from_b").exists() and (b / "from_a").exists()


def test_fallback_without_exchange_also_swaps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(swap, "_exchange", lambda a, b: False)  # as on a system without renameat2
    target = tmp_path / "site"
    target.mkdir()
    (target / "old.txt").touch()
    with swap.staged_folder(target) as staging:
        (staging / "new.txt").touch()
    assert sorted(p.name for p in target.iterdir()) == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_leftovers_of_killed_runs_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "site"
    old = tmp_path / ".site.staging-abc"
    old.mkdir()
    fresh = tmp_path / ".site.staging-def"  # a run in progress right now: left alone
    fresh.mkdir()
    os.utime(old, (0, 0))
    with swap.staged_folder(target) as staging:
        (staging / "x").touch()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [".site.staging-def", "site"]
