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


def test_a_copied_workspace_keeps_its_parse_keyed_to_its_own_warehouse(tmp_path: Path) -> None:
    source, copy = tmp_path / "source", tmp_path / "copy"
    for root in (source, copy):
        (root / "settings.yml").parent.mkdir(parents=True)
        (root / "settings.yml").write_text("warehouse: data/warehouse.duckdb\n")
    saved = target_dir(helpers._own_settings(copy)) / "partial_parse.msgpack"
    saved.parent.mkdir(parents=True)

    def state_of(checksum: str) -> dict:
        return {"state_check": {"profile_hash": {"checksum": checksum}}, "nodes": {"kept": 1}}

    saved.write_bytes(msgpack.packb(state_of(helpers._profile_hash(source / "data" / "warehouse.duckdb"))))
    helpers.rekey_dbt_parse(source, copy)
    state = msgpack.unpackb(saved.read_bytes(), strict_map_key=False)
    assert state == state_of(helpers._profile_hash(copy / "data" / "warehouse.duckdb"))

    # A state keyed some other way (another formula, another file) is left for dbt to reject.
    saved.write_bytes(msgpack.packb(state_of("not-the-formula")))
    helpers.rekey_dbt_parse(source, copy)
    assert msgpack.unpackb(saved.read_bytes(), strict_map_key=False) == state_of("not-the-formula")
