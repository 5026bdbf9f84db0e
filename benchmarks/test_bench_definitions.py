"""How long checking the definitions takes: `okr validate` as a user runs it (interpreter start and
imports included, the main cost), and refusing an alias bomb."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.conftest import measure_peak
from pipelines.okr_definitions import DefinitionErrors, load_definitions
from pipelines.settings import Settings

OKR = str(Path(sys.executable).with_name("okr"))


def test_okr_validate_command(benchmark, demo_workspace: Settings) -> None:
    def validate() -> str:
        cmd = [OKR, "--workspace", str(demo_workspace.root), "validate"]
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout

    assert measure_peak(benchmark, validate, rounds=10).startswith(
        "OK: 3 file(s), 12 objectives, 40 key results"
    )


def test_alias_bomb_is_refused(benchmark, tmp_path: Path) -> None:
    okrs = tmp_path / "okrs"
    okrs.mkdir()
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    (okrs / "bomb.yml").write_text("\n".join(levels) + "\n", encoding="utf-8")

    def refuse() -> str:
        try:
            load_definitions(okrs)
        except DefinitionErrors as exc:
            return str(exc)
        return ""

    assert "expands to more than" in measure_peak(benchmark, refuse, rounds=5)
