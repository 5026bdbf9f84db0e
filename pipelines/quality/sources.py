"""What "sound data" means for each raw table and staging model the pipeline loads.

The rules are declared once, in the dbt properties YAML of each staging folder (tests and
`meta`, see pipelines/quality/contracts.py and docs/quality-checks.md); the profiles here are
read from the dbt manifest on first use (parsing the project only when a file changed).
"""

from __future__ import annotations

import functools
import json
from typing import Any

from pipelines.quality.profile import LOAD_METADATA, MIN_DATE, TableProfile  # noqa: F401 - re-exported


@functools.cache
def profiles() -> tuple[tuple[TableProfile, ...], tuple[TableProfile, ...]]:
    """(raw, staging) profiles of the project, from its dbt manifest."""
    from pipelines.quality.contracts import profiles_from_manifest
    from pipelines.settings import load_settings
    from pipelines.transform.dbt_setup import prepare_manifest

    manifest = json.loads(prepare_manifest(load_settings()).read_text(encoding="utf-8"))
    return profiles_from_manifest(manifest)


def __getattr__(name: str) -> Any:
    # Module attributes computed on first access, so importing this module reads no manifest.
    raw, staging = profiles()
    if name == "RAW_PROFILES":
        return raw
    if name == "STAGING_PROFILES":
        return staging
    if name == "ALL_PROFILES":
        return raw + staging
    if name == "RAW_TABLES":
        return tuple(p.name for p in raw)
    raise AttributeError(name)


def profile_for(node: str) -> TableProfile | None:
    """The profile for a lineage node: `raw.<table>` or a staging model name."""
    raw, staging = profiles()
    for p in raw + staging:
        if node == p.node:
            return p
    return None
