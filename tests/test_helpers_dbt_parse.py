"""The test run's shared dbt parse (tests.helpers.seed_dbt_parse) under a test's own OKR_* env."""

from __future__ import annotations

from pathlib import Path

import msgpack
import pytest

from pipelines.transform.dbt_setup import target_dir
from tests import helpers


def test_a_workspace_is_seeded_when_the_test_moves_its_warehouse_by_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The worker's first seed happens inside a test that set OKR_WAREHOUSE_PATH for its own
    # workspace (as tests/pipelines/deploy does): the template must still be read from its own folder.
    monkeypatch.setattr(helpers, "_TEMPLATE", {})
    warehouse = tmp_path / "elsewhere" / "warehouse.duckdb"
    monkeypatch.setenv("OKR_WAREHOUSE_PATH", str(warehouse))

    settings = helpers.make_workspace(tmp_path / "workspace", {})

    assert settings.warehouse_path == warehouse
    seeded = target_dir(settings) / "partial_parse.msgpack"
    assert seeded.exists(), "the workspace was not given the shared parse"
    state = msgpack.unpackb(seeded.read_bytes(), strict_map_key=False)
    assert state["state_check"]["profile_hash"]["checksum"] == helpers._profile_hash(warehouse)
    template_root, _ = helpers._TEMPLATE[helpers._SHARED_DIR[0]]
    assert str(tmp_path) not in str(template_root)
