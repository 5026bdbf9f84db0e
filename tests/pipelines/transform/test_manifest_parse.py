"""The dbt manifest of a workspace is parsed once, even when several processes ask at once.

pytest workers import the quality modules at collection, and each import needs the manifest: two
dbt parses into one target folder once left a manifest.json that no reader could load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.settings import REPO_ROOT

_ASK_FOR_MANIFEST = """
import json, sys
from pipelines.settings import load_settings
from pipelines.transform.dbt_setup import prepare_manifest
path = prepare_manifest(load_settings())
json.loads(path.read_text(encoding="utf-8"))
print(path)
"""


@pytest.mark.slow
def test_processes_asking_at_once_all_get_one_complete_manifest(tmp_path: Path) -> None:
    warehouse = tmp_path / "build" / "warehouse.duckdb"
    env = {**os.environ, "OKR_WORKSPACE": str(REPO_ROOT), "OKR_WAREHOUSE_PATH": str(warehouse)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _ASK_FOR_MANIFEST],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [proc.communicate(timeout=600) for proc in procs]
    for proc, (_out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err[-3000:]
    paths = {out.strip() for out, _ in results}
    assert paths == {str(warehouse.parent / ".okr" / "dbt-target-duckdb" / "manifest.json")}
    manifest = json.loads(Path(paths.pop()).read_text(encoding="utf-8"))
    assert any(name.startswith("model.") for name in manifest["nodes"])
