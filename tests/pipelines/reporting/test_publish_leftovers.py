"""What a killed publish leaves behind is removed, and an unwritable folder is found up front."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.reporting import swap
from tests.helpers import read_only_folder


def _dead_pid() -> int:
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(proc.stdout)  # that process has ended (and been reaped)


def test_staging_of_a_dead_publisher_goes_at_once_a_live_ones_stays(tmp_path: Path) -> None:
    target = tmp_path / "scorecard"
    dead = tmp_path / f".scorecard.staging-{_dead_pid()}-k1ll3d"
    live = tmp_path / f".scorecard.staging-{os.getppid()}-busy"  # our parent runs: a publish in progress
    old = tmp_path / f".scorecard.old-{_dead_pid()}"
    for folder in (dead, live, old):
        (folder / "krs").mkdir(parents=True)
        (folder / "krs" / "a.html").write_text("half-written")
    removed = swap.remove_leftovers(target)
    assert sorted(removed) == sorted([dead, old])
    assert not dead.exists() and not old.exists() and live.is_dir()


def test_a_publish_names_its_staging_folder_after_its_process(tmp_path: Path) -> None:
    with swap.staged_folder(tmp_path / "scorecard") as staging:
        assert staging.name.startswith(f".scorecard.staging-{os.getpid()}-")


def test_check_writable_passes_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "build" / "scorecard"
    swap.check_writable(target)  # creates build/ when missing
    assert list((tmp_path / "build").iterdir()) == []
    target.mkdir()
    swap.check_writable(target)
    assert list(target.iterdir()) == []


@pytest.mark.parametrize("locked", ["parent", "target"])
def test_check_writable_names_the_folder_it_cannot_write(tmp_path: Path, locked: str) -> None:
    target = tmp_path / "build" / "scorecard"
    target.mkdir(parents=True)
    folder = target.parent if locked == "parent" else target
    with read_only_folder(folder), pytest.raises(swap.NotWritableError) as err:
        swap.check_writable(target)
    assert str(err.value).startswith(f"cannot write the scorecard folder {folder}: ")
