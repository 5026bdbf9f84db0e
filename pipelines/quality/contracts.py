"""The data rules of every raw table and staging model, read from the dbt manifest.

The rules live once, in the dbt properties YAML of each staging folder; this module turns them
into `TableProfile`s, from which pipelines/quality/suites.py builds the Great Expectations suites.

Staging models (every model under models/staging/<source>/ except the OKR definitions):
- required columns: the documented columns; `not_null` and `unique` tests: ERROR expectations
  (a `unique` on an expression such as `a || '|' || b` is a unique combination of the columns
  it names); `accepted_values`: WARN categories;
- column `meta`: `okr_event_date` (not before 2000 nor after tomorrow), `okr_other_date` (not
  before 2000), `okr_non_negative`;
- model `meta`: `okr_freshness_column` with `okr_max_lag_days`, `okr_volume_column`.

Raw tables (dbt sources): the table's `meta.okr_checks` mapping with the same rule names
(`required`, `not_null`, `unique_key`, `event_dates`, `other_dates`, `non_negative`,
`categories`, `volume_column`, `freshness_column`, `max_lag_days`); the load metadata columns are
always required and `_loaded_at` never null.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pipelines.quality.profile import LOAD_METADATA, TableProfile

STAGING_PATH = "models/staging/"
NOT_A_DATA_SOURCE = ("models/staging/okr/",)  # the OKR definitions have their own checks
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _path(node: Mapping[str, Any]) -> str:
    return str(node.get("original_file_path", "")).replace("\\", "/")


def _is_data_source(node: Mapping[str, Any]) -> bool:
    path = _path(node)
    return path.startswith(STAGING_PATH) and not path.startswith(NOT_A_DATA_SOURCE)


def _meta(node: Mapping[str, Any]) -> dict[str, Any]:
    return {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}


def _tests_by_model(manifest: Mapping[str, Any]) -> dict[str, list[Mapping[str, Any]]]:
    out: dict[str, list[Mapping[str, Any]]] = {}
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") == "test" and node.get("test_metadata") and node.get("attached_node"):
            out.setdefault(node["attached_node"], []).append(node)
    return out


def _unique_columns(expression: str, columns: Iterable[str]) -> tuple[str, ...]:
    """The model's columns an expression names, in order (`cast(a as varchar) || '|' || b` -> a, b)."""
    known = set(columns)
    seen: list[str] = []
    for name in _IDENT.findall(re.sub(r"'[^']*'", "", expression)):
        if name in known and name not in seen:
            seen.append(name)
    return tuple(seen)


def staging_profile(model: Mapping[str, Any], tests: Iterable[Mapping[str, Any]]) -> TableProfile:
    """The profile of one staging model from its documented columns, tests and meta."""
    columns = list(model.get("columns") or {})
    not_null: list[str] = []
    unique_key: tuple[str, ...] = ()
    categories: dict[str, tuple[str, ...]] = {}
    for test in sorted(tests, key=lambda t: t["unique_id"]):
        meta = test["test_metadata"]
        kwargs = meta.get("kwargs") or {}
        column = kwargs.get("column_name") or test.get("column_name")
        if not column:
            continue
        if meta["name"] == "not_null" and column in columns:
            not_null.append(column)
        elif meta["name"] == "unique":
            unique_key = (column,) if column in columns else _unique_columns(column, columns)
        elif meta["name"] == "accepted_values" and column in columns:
            categories[column] = tuple(str(v) for v in kwargs.get("values") or ())

    def flagged(flag: str) -> tuple[str, ...]:
        return tuple(c for c, spec in model["columns"].items() if _meta(spec).get(flag))

    meta = _meta(model)
    return TableProfile(
        name=str(model["name"]),
        schema="analytics",
        asset_key=(str(model["name"]),),
        required=tuple(columns),
        not_null=tuple(c for c in columns if c in not_null),
        unique_key=unique_key,
        event_dates=flagged("okr_event_date"),
        other_dates=flagged("okr_other_date"),
        non_negative=flagged("okr_non_negative"),
        categories=categories,
        volume_date=meta.get("okr_volume_column"),
        freshness_date=meta.get("okr_freshness_column"),
        max_lag_days=int(meta.get("okr_max_lag_days", 2)),
    )


def raw_profile(source: Mapping[str, Any]) -> TableProfile | None:
    """The profile of one raw table from its `meta.okr_checks` (None when it has none)."""
    rules = _meta(source).get("okr_checks")
    if not isinstance(rules, Mapping):
        return None
    name = str(source.get("identifier") or source["name"])

    def listed(key: str) -> tuple[str, ...]:
        return tuple(str(c) for c in rules.get(key) or ())

    return TableProfile(
        name=name,
        schema=str(source.get("schema") or "raw"),
        asset_key=("raw", name),
        required=(*listed("required"), *LOAD_METADATA),
        not_null=(*listed("not_null"), "_loaded_at"),
        unique_key=listed("unique_key"),
        event_dates=listed("event_dates"),
        other_dates=listed("other_dates"),
        non_negative=listed("non_negative"),
        categories={str(k): tuple(str(v) for v in vs) for k, vs in (rules.get("categories") or {}).items()},
        volume_date=rules.get("volume_column"),
        freshness_date=rules.get("freshness_column"),
        max_lag_days=int(rules.get("max_lag_days", 2)),
    )


def profiles_from_manifest(
    manifest: Mapping[str, Any],
) -> tuple[tuple[TableProfile, ...], tuple[TableProfile, ...]]:
    """(raw profiles, staging profiles) of every data source, each sorted by name."""
    tests = _tests_by_model(manifest)
    raw = [
        p
        for s in manifest.get("sources", {}).values()
        if _is_data_source(s) and (p := raw_profile(s)) is not None
    ]
    staging = [
        staging_profile(n, tests.get(uid, []))
        for uid, n in manifest.get("nodes", {}).items()
        if n.get("resource_type") == "model" and _is_data_source(n)
    ]
    return tuple(sorted(raw, key=lambda p: p.name)), tuple(sorted(staging, key=lambda p: p.name))
